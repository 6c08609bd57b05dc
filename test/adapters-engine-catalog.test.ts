/**
 * Inventories from several adapters merge into one engine and its catalogue (issue 7, "done
 * when"): three machines, each described by a CPU agent plus an accelerator agent, parsed from
 * the real samples, merged per node, added to one engine; the catalogue groups them by kind,
 * vendor, model, arch and form with the amounts read from the samples by hand, and the engine
 * places tasks by kind and architecture across them.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultParsers } from '../src/adapters/registry.js';
import { mergeInventories } from '../src/adapters/merge.js';
import { createEngine } from '../src/engine/index.js';
import { repoRoot } from './helpers/cli.js';

const sample = (p: string): string => readFileSync(join(repoRoot, 'fixtures/agents', p), 'utf8');

describe('several adapters, one engine, one catalogue', () => {
  const reg = defaultParsers();
  const machines: Array<{ id: string; files: string[] }> = [
    // x86_64: proc-cpuinfo EPYC 7451, 96 "processor" entries; nvidia-smi -q -x: 1 × GeForce RTX 3080, <total>10240 MiB</total>
    { id: 'x86-gpu', files: ['proc-cpuinfo/x86-epyc-7451.txt', 'nvidia-smi-xml/rtx3080-595-v13.txt'] },
    // aarch64: proc-cpuinfo big.LITTLE, 8 "processor" entries, "CPU architecture: 8";
    // npu-smi info: 8 × 910A, "| 0   0000:61:00.0 | 0  1867 / 15077  0 / 32768 |" → HBM 32768 MB each
    { id: 'arm-npu', files: ['proc-cpuinfo/aarch64-biglittle-a510-a710-a715-x3.txt', 'npu-smi/atlas800-9010-910a-8npu-22.0.3.1.txt'] },
    // riscv64: lscpu "CPU(s): 64"; mx-smi: 8 × MXC550, "810/65536 MiB" each
    { id: 'rv-gpu', files: ['lscpu-text/riscv64-sg2042-sysroot.txt', 'mx-smi/c550-8gpu-2.1.6.txt'] },
  ];
  const engine = createEngine();
  for (const m of machines) {
    const fragments = m.files.map((f) => reg.detectOrThrow(sample(f), f).parse(sample(f), { source: f, nodeId: m.id }));
    const merged = mergeInventories(fragments);
    expect(merged.nodes.map((n) => n.id)).toEqual([m.id]);
    engine.addNode(merged.nodes[0]);
  }

  it('the catalogue groups the pool by kind, vendor, arch with the sampled amounts', () => {
    const cat = engine.catalog();
    const dev = cat.entries.filter((e) => e.kind !== 'cpu').map((e) => [e.kind, e.vendor, e.arch, e.devices, e.memoryMiBCapacity]);
    expect(dev.sort()).toEqual([
      ['gpu', 'metax', 'riscv64', 8, 8 * 65536], // 524288
      ['gpu', 'nvidia', 'x86_64', 1, 10240],
      ['npu', 'huawei', 'aarch64', 8, 8 * 32768], // 262144
    ]);
    const cpu = Object.fromEntries(cat.entries.filter((e) => e.kind === 'cpu').map((e) => [e.arch, e.milliCapacity]));
    expect(cpu).toEqual({ x86_64: 96 * 1000, aarch64: 8 * 1000, riscv64: 64 * 1000 });
    expect(cat.totals.nodes).toBe(3);
    expect(cat.totals.devices).toBe(1 + 8 + 8);
  });

  it('places by kind and architecture across the merged nodes', () => {
    const npu = engine.place({ id: 'train', cpuMilli: 4000, accel: { kind: 'npu', count: 2 } });
    expect('nodeId' in npu && npu.nodeId).toBe('arm-npu');
    // merged devices are exclusive unless an agent partitioned them: a fractional share fits nowhere…
    const half = engine.place({ id: 'half', arch: ['riscv64'], accel: { kind: 'gpu', milli: 500 } });
    expect('reasons' in half).toBe(true);
    // …a whole device on the riscv64 node does
    const rv = engine.place({ id: 'rv', cpuMilli: 1000, arch: ['riscv64'], accel: { kind: 'gpu', memoryMiB: 8192 } });
    expect('nodeId' in rv && rv.nodeId).toBe('rv-gpu');
    // 80 GiB of device memory on one device exists nowhere: 65536 MiB is the largest
    const big = engine.place({ id: 'big', accel: { kind: 'gpu', memoryMiB: 81920 } });
    expect('reasons' in big).toBe(true);
  });
});
