/**
 * CPU agents on real samples: lscpu -J, lscpu text (+ --parse), /proc/cpuinfo on x86_64,
 * aarch64 big.LITTLE and riscv64. cpuMilli = logical CPUs × 1000.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { lscpuJsonParser } from '../src/adapters/parsers/lscpu-json.js';
import { lscpuTextParser } from '../src/adapters/parsers/lscpu-text.js';
import { procCpuinfoParser } from '../src/adapters/parsers/proc-cpuinfo.js';
import { archFrom, armCoreName } from '../src/adapters/lib/cpu.js';

const ROOT = join(__dirname, '..', 'fixtures', 'agents');
const load = (tool: string, file: string) => readFileSync(join(ROOT, tool, file), 'utf8');

describe('lscpu -J (i7-8750H, nested schema)', () => {
  const inv = lscpuJsonParser.parse(load('lscpu-json', 'x86-i7-8750h-nested.txt'), { nodeId: 'lap' });
  const node = inv.nodes[0];
  it('reads arch, CPUs and the nested model section', () => {
    // "field": "Architecture:", "data": "x86_64"; "field": "CPU(s):", "data": "12" → 12 × 1000
    expect(node).toMatchObject({ id: 'lap', arch: 'x86_64', cpuMilli: 12000 });
    // "Thread(s) per core:" "2", "Core(s) per socket:" "6", "Socket(s):" "1" → 6 cores, 1 × 6 × 2 = 12 ✓
    expect(node.labels).toMatchObject({
      'hetpool.io/arch': 'x86_64',
      'hetpool.io/cpu.model': 'Intel(R) Core(TM) i7-8750H CPU @ 2.20GHz',
      'hetpool.io/cpu.sockets': '1',
      'hetpool.io/cpu.cores': '6',
      'hetpool.io/cpu.threads': '12',
      'hetpool.io/cpu.threads-per-core': '2',
      'hetpool.io/cpu.vendor': 'GenuineIntel',
    });
    // No "NUMA node(s)" rows in this trimmed capture → no NUMA vertices
    expect(inv.vertices).toBeUndefined();
    expect(inv.warnings).toEqual([]);
  });
  it('reads the old flat schema too', () => {
    const flat = JSON.stringify({ lscpu: [{ field: 'Architecture:', data: 'aarch64' }, { field: 'CPU(s):', data: '4' }, { field: 'Model name:', data: 'Cortex-A72' }] });
    expect(lscpuJsonParser.parse(flat).nodes[0]).toMatchObject({ arch: 'aarch64', cpuMilli: 4000 });
  });
  it('fails on JSON without an lscpu array', () => {
    expect(() => lscpuJsonParser.parse('{"cpus": []}', { source: 'x.json' })).toThrowError(HetpoolError);
  });
});

describe('lscpu text (Milk-V Pioneer SG2042, riscv64, 4 NUMA nodes)', () => {
  const inv = lscpuTextParser.parse(load('lscpu-text', 'riscv64-sg2042-sysroot.txt'), { nodeId: 'rv' });
  const node = inv.nodes[0];
  it('infers riscv64 from the ISA when the Architecture line is missing', () => {
    // "ISA:                 rv64imafdcv"; "CPU(s):              64" → 64000 milli
    expect(node).toMatchObject({ arch: 'riscv64', cpuMilli: 64000 });
    // "Model name:          -" is not a model; "Core(s) per socket:  64", "Socket(s):           1"
    expect(node.labels?.['hetpool.io/cpu.model']).toBeUndefined();
    expect(node.labels).toMatchObject({ 'hetpool.io/cpu.isa': 'rv64imafdcv', 'hetpool.io/cpu.cores': '64', 'hetpool.io/cpu.vendor': '0x5b7' });
  });
  it('makes one NUMA vertex per node with its CPU list', () => {
    // "NUMA node0 CPU(s):   0-7,16-23" → 8 + 8 = 16 CPUs; … "NUMA node3 CPU(s):   40-47,56-63"
    const numa = inv.vertices?.filter((v) => v.kind === 'numa') ?? [];
    expect(numa.map((v) => v.id)).toEqual(['rv/numa0', 'rv/numa1', 'rv/numa2', 'rv/numa3']);
    expect(numa[0].labels).toEqual({ 'hetpool.io/cpus': '0-7,16-23', 'hetpool.io/cpu.count': '16' });
    expect(inv.links?.filter((l) => l.a === 'rv' && l.type === 'numa')).toHaveLength(4);
  });
  it('falls back to the --parse CSV when the human part is gone', () => {
    // Only the "# CPU,Core,Socket,Node" sections: 64 rows; Node column: CPUs 0-7 and 16-23 → node 0
    const csvOnly = load('lscpu-text', 'riscv64-sg2042-sysroot.txt').split('\n').slice(17).join('\n');
    const r = lscpuTextParser.parse(csvOnly);
    expect(r.nodes[0].cpuMilli).toBe(64000);
    expect(r.vertices?.find((v) => v.id === 'local/numa0')?.labels?.['hetpool.io/cpus']).toBe('0-7,16-23');
  });
});

describe('/proc/cpuinfo', () => {
  it('x86_64 AMD EPYC 7451: 2 sockets × 24 cores × 2 threads', () => {
    const inv = procCpuinfoParser.parse(load('proc-cpuinfo', 'x86-epyc-7451.txt'));
    // "processor	: 0" … "processor	: 95" → 96 logical CPUs → 96000 milli; "flags … lm …" → x86_64
    expect(inv.nodes[0]).toMatchObject({ arch: 'x86_64', cpuMilli: 96000 });
    // "physical id	: 0"/"1" → 2 sockets; "cpu cores	: 24" per socket → 48 distinct (physical id, core id)
    expect(inv.nodes[0].labels).toMatchObject({
      'hetpool.io/cpu.model': 'AMD EPYC 7451 24-Core Processor',
      'hetpool.io/cpu.sockets': '2',
      'hetpool.io/cpu.cores': '48',
      'hetpool.io/cpu.threads-per-core': '2',
    });
    expect(inv.warnings).toEqual([]);
  });
  it('aarch64 big.LITTLE: every core counted, clusters named', () => {
    const inv = procCpuinfoParser.parse(load('proc-cpuinfo', 'aarch64-biglittle-a510-a710-a715-x3.txt'));
    // 8 "processor" blocks; "CPU architecture: 8" + "Features: fp asimd …" → aarch64
    expect(inv.nodes[0]).toMatchObject({ arch: 'aarch64', cpuMilli: 8000 });
    // "CPU part	: 0xd46" ×3 (cpu0-2), 0xd4d ×2 (cpu3-4), 0xd47 ×2 (cpu5-6), 0xd4e ×1 (cpu7)
    expect(inv.nodes[0].labels?.['hetpool.io/cpu.clusters']).toBe('Cortex-A510×3, Cortex-A715×2, Cortex-A710×2, Cortex-X3×1');
  });
  it('riscv64 VisionFive 2: 4 harts, model from uarch', () => {
    const inv = procCpuinfoParser.parse(load('proc-cpuinfo', 'riscv64-jh7110-visionfive2.txt'));
    // "isa		: rv64imafdc_zicntr…" → riscv64; 4 processors; "uarch		: sifive,u74-mc"
    expect(inv.nodes[0]).toMatchObject({ arch: 'riscv64', cpuMilli: 4000 });
    expect(inv.nodes[0].labels?.['hetpool.io/cpu.model']).toBe('sifive,u74-mc');
  });
  it('counts a duplicated processor once and says so', () => {
    const text = load('proc-cpuinfo', 'riscv64-jh7110-visionfive2.txt');
    const dup = `${text}processor\t: 3\nisa\t\t: rv64imafdc\n`;
    const inv = procCpuinfoParser.parse(dup, { source: 'dup.txt' });
    expect(inv.nodes[0].cpuMilli).toBe(4000);
    expect(inv.warnings.some((w) => /listed twice/.test(w.message))).toBe(true);
  });
});

describe('arch and ARM core names', () => {
  it('maps the kernel names', () => {
    expect([archFrom('x86_64'), archFrom('amd64'), archFrom('aarch64'), archFrom('arm64'), archFrom('riscv64'), archFrom('armv7l'), archFrom('i686')]).toEqual(['x86_64', 'x86_64', 'aarch64', 'aarch64', 'riscv64', undefined, undefined]);
  });
  it('names ARM parts and keeps unknown ones raw', () => {
    expect(armCoreName('0x41', '0xd4e')).toBe('Cortex-X3');
    expect(armCoreName('0x48', '0xd01')).toBe('Kunpeng-920 (TSV110)');
    expect(armCoreName('0x99', '0x123')).toBe('0x99:0x123');
  });
});

describe('lscpu field orders', () => {
  it('older util-linux: counts before "Model name" still give cores and sockets', () => {
    // Field order of util-linux 2.3x (counts first); values from the i7-8750H sample
    const text = ['Architecture:        x86_64', 'CPU(s):              12', 'Thread(s) per core:  2', 'Core(s) per socket:  6', 'Socket(s):           1', 'Vendor ID:           GenuineIntel', 'Model name:          Intel(R) Core(TM) i7-8750H CPU @ 2.20GHz'].join('\n');
    const labels = lscpuTextParser.parse(text).nodes[0].labels;
    // 6 cores per socket × 1 socket = 6
    expect(labels).toMatchObject({ 'hetpool.io/cpu.cores': '6', 'hetpool.io/cpu.sockets': '1', 'hetpool.io/cpu.threads-per-core': '2', 'hetpool.io/cpu.model': 'Intel(R) Core(TM) i7-8750H CPU @ 2.20GHz' });
  });
  it('mixed cores: one section per core type, every core counted', () => {
    const text = ['Architecture:           aarch64', 'CPU(s):                 8', 'Vendor ID:              ARM', '  Model name:           Cortex-A55', '    Core(s) per cluster:  4', '    Cluster(s):         1', '  Model name:           Cortex-A76', '    Core(s) per cluster:  4', '    Cluster(s):         1'].join('\n');
    const node = lscpuTextParser.parse(text).nodes[0];
    // 4 + 4 = 8 cores; 8 CPUs → 8000 milli
    expect(node.cpuMilli).toBe(8000);
    expect(node.labels).toMatchObject({ 'hetpool.io/cpu.cores': '8', 'hetpool.io/cpu.clusters': 'Cortex-A55×4, Cortex-A76×4', 'hetpool.io/cpu.model': 'Cortex-A55 + Cortex-A76' });
  });
});
