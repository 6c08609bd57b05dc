/** Merging fragments into valid nodes with the unified labels; cloud catalogues and edge sites. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { parseCluster } from '../src/model/validate.js';
import { mergeInventories } from '../src/adapters/merge.js';
import { defaultParsers } from '../src/adapters/registry.js';
import { catalogToInventory, parseCloudCatalog } from '../src/adapters/remote/catalog.js';
import { edgeToInventory, parseEdgeSite } from '../src/adapters/remote/edge.js';
import type { Inventory } from '../src/adapters/types.js';
import { repoRoot } from './helpers/cli.js';

const reg = defaultParsers();
const parse = (parser: string, tool: string, name: string, nodeId = 'n1'): Inventory =>
  reg.get(parser).parse(readFileSync(join(repoRoot, 'fixtures/agents', tool, `${name}.txt`), 'utf8'), { source: name, nodeId });
const cpu = (extra: Partial<Inventory['nodes'][number]> = {}): Inventory => ({ source: 'cpu-agent', nodes: [{ id: 'n1', arch: 'x86_64', cpuMilli: 96000, memoryMiB: 1048576, ...extra }], warnings: [] });

describe('mergeInventories', () => {
  it('CPU facts + nvidia-smi -q + -L + table + topo of one H100 MIG host → one valid node', () => {
    const r = mergeInventories([
      cpu(),
      parse('nvidia-smi-q', 'nvidia-smi-q', 'h100-mig-590-idle'),
      parse('nvidia-smi-list', 'nvidia-smi-list', 'h100-mig-590'),
      parse('nvidia-smi-table', 'nvidia-smi-table', 'h100-mig-590-idle'),
      parse('nvidia-smi-topo', 'nvidia-smi-topo', 'h200-1gpu-590'),
    ]);
    expect(r.nodes).toHaveLength(1);
    const n = r.nodes[0];
    expect(parseCluster({ version: 1, nodes: r.nodes }).nodes).toHaveLength(1);
    expect([n.cpuMilli, n.memoryMiB]).toEqual([96000, 1048576]);
    const d = n.devices[0];
    // -q gives memory 81559 and observed profiles with measured memory; -L's nominal 40960 MiB loses
    expect(d.memoryMiB).toBe(81559);
    expect(d.sharing).toEqual({ mode: 'partition', profiles: [
      { name: '3g.40gb', milli: 428, memoryMiB: 40448, maxCount: 2 },
      { name: '2g.20gb', milli: 285, memoryMiB: 20096, maxCount: 3 },
      { name: '1g.10gb', milli: 142, memoryMiB: 9984, maxCount: 7 },
    ] });
    // topo's affinity labels join the device
    expect(d.labels?.['hetpool.io/numa']).toBe('0');
    expect(n.labels).toMatchObject({
      'hetpool.io/kind': 'gpu', 'hetpool.io/arch': 'x86_64', 'hetpool.io/vendor': 'nvidia', 'hetpool.io/model': 'H100-80GB-HBM3',
      'hetpool.io/form': 'hardware', 'hetpool.io/device.count': '1', 'hetpool.io/precision.bf16': 'true',
    });
    expect(r.links).toEqual([{ a: 'n1/gpu0', b: 'n1/numa0', type: 'numa' }]);
    // same facts from several agents: no conflicts
    expect(r.warnings.filter((w) => w.message.startsWith('conflict'))).toEqual([]);
  });

  it('lscpu (part B parser, by registry name) + nvidia-smi -q -x + topo -m → one node', () => {
    const r = mergeInventories([
      parse('lscpu-json', 'lscpu-json', 'x86-i7-8750h-nested'),
      parse('nvidia-smi-xml', 'nvidia-smi-xml', 'rtx3080-595-v13'),
      parse('nvidia-smi-topo', 'nvidia-smi-topo', 'h200-1gpu-590'),
    ]);
    const n = r.nodes[0];
    // lscpu -J: "Architecture:" "x86_64", "CPU(s):" "12" → 12 × 1000 = 12000 milli
    expect([n.arch, n.cpuMilli]).toEqual(['x86_64', 12000]);
    expect(n.devices.map((d) => [d.id, d.model, d.memoryMiB, d.labels?.['hetpool.io/cpu-affinity']])).toEqual([['gpu0', 'GeForce-RTX-3080', 10240, '0-23']]);
    expect(n.labels).toMatchObject({ 'hetpool.io/kind': 'gpu', 'hetpool.io/arch': 'x86_64', 'hetpool.io/device.count': '1' });
    // lscpu reports no RAM: said so, not guessed
    expect(r.warnings.map((w) => w.message)).toContain('no agent reported host memory; memoryMiB set to 0');
    expect(r.warnings.some((w) => /CPU capacity|architecture/.test(w.message))).toBe(false);
  });

  it('mig -lgip (supported) replaces profiles inferred from instances; placeholders fill from the other agent', () => {
    const xml = parse('nvidia-smi-xml', 'nvidia-smi-xml', 'a100-sxm4-80gb-4x-535');
    const lgip = parse('nvidia-smi-mig-lgip', 'nvidia-smi-mig', 'a100-40gb-lgip-450');
    lgip.nodes[0].devices![0].id = 'gpu1'; // pretend both describe the same GPU
    const d = mergeInventories([cpu(), lgip, xml]).nodes[0].devices[0];
    expect([d.model, d.memoryMiB]).toEqual(['A100-SXM4-80GB', 81920]);
    expect(d.sharing.mode === 'partition' && d.sharing.profiles.length).toBe(7);
    expect(d.labels?.['hetpool.io/partition.profiles']).toBe('supported');
  });

  it('conflicting values are warnings and the first fragment wins', () => {
    const r = mergeInventories([cpu(), cpu({ cpuMilli: 8000, arch: 'aarch64' })]);
    expect(r.nodes[0].cpuMilli).toBe(96000);
    expect(r.nodes[0].arch).toBe('x86_64');
    expect(r.warnings.filter((w) => w.message.startsWith('conflict')).map((w) => w.message)).toEqual([
      'conflict: node n1 arch: "x86_64" (cpu-agent) vs "aarch64"; kept the first',
      'conflict: node n1 cpuMilli: 96000 (cpu-agent) vs 8000; kept the first',
    ]);
    const gpu = (source: string, model: string): Inventory => ({ source, nodes: [{ id: 'n1', devices: [{ id: 'gpu0', kind: 'gpu', vendor: 'nvidia', model, memoryMiB: 23028 }] }], warnings: [] });
    const d = mergeInventories([cpu(), gpu('agent-a', 'A10'), gpu('agent-b', 'A30')]);
    expect(d.nodes[0].devices[0].model).toBe('A10');
    expect(d.warnings.map((w) => w.message)).toContain('conflict: node n1 device gpu0 model: "A10" (agent-a) vs "A30"; kept the first');
  });

  it('health marks from rules make the device unhealthy with the rule as reason', () => {
    const r = mergeInventories([cpu(), parse('nvidia-smi-q', 'nvidia-smi-q', 'a10-535.129.03')]);
    const d = r.nodes[0].devices[0];
    expect(d.health).toBe('unhealthy');
    expect(d.labels?.['hetpool.io/health.reason']).toMatch(/^remapped-rows-pending:/);
  });

  it('devices without partitions take the default sharing; MIG-enabled without profiles stays whole with a warning', () => {
    const csv = parse('nvidia-smi-csv', 'nvidia-smi-csv', 'rtx4080super-595-idle');
    const r1 = mergeInventories([cpu(), csv]);
    expect(r1.nodes[0].devices[0].sharing).toEqual({ mode: 'exclusive' });
    const r2 = mergeInventories([cpu(), csv], { defaultSharing: { mode: 'time-slice', maxSlices: 4, oversubscription: 1000 } });
    expect(r2.nodes[0].devices[0].sharing).toEqual({ mode: 'time-slice', maxSlices: 4, oversubscription: 1000 });
    const exp = mergeInventories([cpu(), parse('nvidia-gpu-exporter', 'prometheus-nvidia-gpu-exporter', 'h100-mig-590-idle')]);
    expect(exp.nodes[0].devices[0].sharing).toEqual({ mode: 'exclusive' });
    expect(exp.warnings.some((w) => /MIG enabled but no agent listed its profiles/.test(w.message))).toBe(true);
  });

  it('missing CPU facts are 0 with warnings, never a silent guess; an invalid node names itself', () => {
    const r = mergeInventories([parse('nvidia-smi-list', 'nvidia-smi-list', 'h100-mig-590')]);
    expect([r.nodes[0].cpuMilli, r.nodes[0].memoryMiB]).toEqual([0, 0]);
    expect(r.warnings.map((w) => w.message)).toEqual(expect.arrayContaining([expect.stringMatching(/no agent reported CPU capacity/), expect.stringMatching(/no agent reported the CPU architecture/)]));
    const bad: Inventory = { source: 'x', nodes: [{ id: 'n1', cpuMilli: -5, memoryMiB: 1 }], warnings: [] };
    expect(() => mergeInventories([bad])).toThrow(HetpoolError);
    expect(() => mergeInventories([bad])).toThrow(/nodes\[0\]\.cpuMilli.*merged node "n1"/);
  });

  it('vendor names are canonical and mixed nodes list every kind', () => {
    const mixed: Inventory = { source: 'x', nodes: [{ id: 'n1', arch: 'aarch64', cpuMilli: 1, memoryMiB: 1, devices: [
      { id: 'npu0', kind: 'npu', vendor: 'Huawei', model: 'Ascend910B', memoryMiB: 65536 },
      { id: 'gpu0', kind: 'gpu', vendor: 'NVIDIA Corporation', model: 'A10', memoryMiB: 23028 },
    ] }], warnings: [] };
    const n = mergeInventories([mixed]).nodes[0];
    expect(n.devices.map((d) => d.vendor)).toEqual(['huawei', 'nvidia']);
    expect(n.labels?.['hetpool.io/kind']).toBe('gpu,npu');
    expect(n.labels?.['hetpool.io/vendor']).toBe('huawei,nvidia');
    // neither device declares precisions: no precision label on the node
    expect(Object.keys(n.labels ?? {}).some((k) => k.startsWith('hetpool.io/precision.'))).toBe(false);
  });
});

describe('cloud catalogue and edge site', () => {
  it('attaches priced cloud instances', () => {
    const cat = parseCloudCatalog(JSON.parse(readFileSync(join(repoRoot, 'fixtures/catalog/cloud.json'), 'utf8')), 'cloud.json');
    const r = mergeInventories([catalogToInventory(cat, 'cloud.json')]);
    // attach: 2 × gpu.a10.2xlarge + 1 × npu.910b.8xlarge + 0 × cpu.c7.large = 3 nodes
    expect(r.nodes.map((n) => n.id)).toEqual(['examplecloud-gpu.a10.2xlarge-0', 'examplecloud-gpu.a10.2xlarge-1', 'examplecloud-npu.910b.8xlarge-0']);
    const npu = r.nodes[2];
    // vcpus 192 → 192000 milli; 1536 GiB → 1572864 MiB; 8 × Ascend910B; $32.5/h
    expect([npu.form, npu.arch, npu.cpuMilli, npu.memoryMiB, npu.pricePerHour, npu.devices.length, npu.zone, npu.region]).toEqual(['cloud', 'aarch64', 192000, 1572864, 32.5, 8, 'cn-east-1b', 'cn-east-1']);
    expect(npu.labels?.['hetpool.io/form']).toBe('cloud');
    expect(npu.labels?.['hetpool.io/precision.bf16']).toBe('true');
    expect(() => parseCloudCatalog({ version: 1, provider: 'x', instances: [{ type: 'a', vcpus: -1, memoryGiB: 1, pricePerHour: 1 }] }, 'c.json')).toThrow(/c\.json\.instances\[0\]\.vcpus/);
  });

  it('an edge site gives edge nodes and a WAN uplink', () => {
    const site = parseEdgeSite(JSON.parse(readFileSync(join(repoRoot, 'fixtures/catalog/edge-site.json'), 'utf8')), 'edge.json');
    const r = mergeInventories([edgeToInventory(site, 'edge.json')]);
    expect(r.nodes.map((n) => [n.id, n.form, n.site, n.arch, n.cpuMilli])).toEqual([
      ['edge-hz3-jetson-1', 'edge', 'hangzhou-factory-3', 'aarch64', 12000],
      ['edge-hz3-riscv-1', 'edge', 'hangzhou-factory-3', 'riscv64', 4000],
    ]);
    expect(r.nodes[0].labels?.['hetpool.io/site']).toBe('hangzhou-factory-3');
    // "latencyMs": 12.5 → 12500 µs
    expect(r.links.find((l) => l.type === 'wan')).toEqual({ a: 'site:hangzhou-factory-3', b: 'region:cn-east', type: 'wan', latencyUs: 12500, bandwidthGbps: 1, loss: 0.001 });
  });
});

describe('mergeInventories: alternatives and fallbacks', () => {
  it('two InfiniBand tools on one node: the first fragment of the group wins, nothing counts twice', () => {
    // ibstat: 9 CAs × 1 port (mlx5_0, _1, _4.._9, mlx5_bond_0); ibstatus: mlx5_0.._8 × 1 port
    const r = mergeInventories([cpu(), parse('ibstat', 'ibstat', 'h100-cx7-8x400-ib-all-active'), parse('ibstatus', 'ibstatus', 'a100-hdr-8port')]);
    expect(r.links).toHaveLength(9);
    // mlx5_2 and mlx5_3 exist only in the ibstatus fragment, which is left out
    expect(r.vertices.some((v) => v.id === 'n1/mlx5_2')).toBe(false);
    expect(r.metrics.filter((m) => m.metric === 'link.state')).toHaveLength(9);
    expect(r.warnings.some((w) => w.at === 'ibstatus:a100-hdr-8port' && /infiniband facts already read from ibstat:h100-cx7-8x400-ib-all-active/.test(w.message))).toBe(true);
  });

  it('the group applies per node: the same tool on two nodes gives both', () => {
    const r = mergeInventories([
      cpu(), { ...cpu(), source: 'cpu2', nodes: [{ ...cpu().nodes[0], id: 'n2' }] },
      parse('ibstat', 'ibstat', 'h100-cx7-8x400-ib-all-active', 'n1'), parse('ibstatus', 'ibstatus', 'a100-hdr-8port', 'n2'),
    ]);
    // 9 ports on n1 + 9 ports on n2
    expect(r.links).toHaveLength(18);
  });

  it('gpustack-runtime devices give way to a vendor agent on the same node, and stand alone elsewhere', () => {
    const npu = parse('npu-smi', 'npu-smi', 'atlas800-9010-910a-8npu-22.0.3.1');
    const gpustack = parse('gpustack-runtime-json', 'gpustack-runtime-json', 'ascend-910b2-8x-detect');
    // fallback first in the list: still the vendor agent's 8 × 910A, not gpustack's 910B2
    const r = mergeInventories([cpu(), gpustack, npu]);
    expect(r.nodes[0].devices.map((d) => d.model)).toEqual(Array(8).fill('Ascend910A'));
    expect(r.metrics.filter((m) => m.metric === 'device.power.watts' && m.target === 'n1/npu0')).toHaveLength(1);
    expect(r.warnings.some((w) => /devices already reported by a vendor agent/.test(w.message))).toBe(true);
    // alone, gpustack's 8 devices are the node's
    const alone = mergeInventories([cpu(), gpustack]);
    expect(alone.nodes[0].devices.map((d) => d.model)).toEqual(Array(8).fill('Ascend910B2'));
  });

  it('the registry names the alternatives discovery tries in order, and the fallbacks', () => {
    expect(reg.alternativeGroups()).toEqual([['lscpu-json', 'lscpu-text', 'proc-cpuinfo'], ['ibstat', 'ibv_devinfo', 'ibstatus']]);
    expect(reg.fallbacks()).toEqual(['gpustack-runtime-json']);
  });
});
