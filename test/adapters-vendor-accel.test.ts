/**
 * Accelerator agents on their real captured samples (fixtures/agents/<tool>/). Every expected
 * value is read from the sample by hand; the sample line is quoted beside it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import type { Inventory } from '../src/adapters/types.js';
import { npuSmiParser } from '../src/adapters/parsers/npu-smi.js';
import { rocmSmiParser } from '../src/adapters/parsers/rocm-smi.js';
import { rocminfoParser } from '../src/adapters/parsers/rocminfo.js';
import { hySmiParser } from '../src/adapters/parsers/hy-smi.js';
import { cnmonParser } from '../src/adapters/parsers/cnmon.js';
import { ixsmiParser } from '../src/adapters/parsers/ixsmi.js';
import { mxSmiParser } from '../src/adapters/parsers/mx-smi.js';
import { xpuSmiParser } from '../src/adapters/parsers/xpu-smi.js';
import { gpustackRuntimeParser } from '../src/adapters/parsers/gpustack-runtime.js';

const ROOT = join(__dirname, '..', 'fixtures', 'agents');
const load = (tool: string, file: string) => readFileSync(join(ROOT, tool, file), 'utf8');
const devices = (inv: Inventory) => inv.nodes[0].devices ?? [];
const metric = (inv: Inventory, target: string, name: string) => inv.metrics?.find((m) => m.target === target && m.metric === name)?.value;

describe('npu-smi info (Atlas 800 9010, 8× 910A, 22.0.3.1)', () => {
  const inv = npuSmiParser.parse(load('npu-smi', 'atlas800-9010-910a-8npu-22.0.3.1.txt'), { source: 'a800.txt', nodeId: 'n1' });
  it('finds 8 NPUs with HBM as device memory', () => {
    expect(devices(inv)).toHaveLength(8);
    // "| 0     910A           | OK            | 67.2        43                15   / 15            |"
    // "| 0                    | 0000:61:00.0  | 0           1867 / 15077      0    / 32768         |"
    // → HBM total 32768 MB (npu-smi MB = MiB) is the device memory, not the 15077 MB card DDR.
    expect(devices(inv)[0]).toMatchObject({ id: 'npu0', kind: 'npu', vendor: 'huawei', model: 'Ascend910A', memoryMiB: 32768, index: 0, busId: '0000:61:00.0', health: 'healthy' });
    // "| 7     910A ..." / "| 0   | 0000:3D:00.0 |" → upper-case hex normalised to lower-case
    expect(devices(inv)[7]).toMatchObject({ id: 'npu7', index: 7, busId: '0000:3d:00.0' });
  });
  it('reads power, temperature, AI-core use and HBM used as metrics', () => {
    // "| 3     910A           | OK            | 191.7       42   ..." → 191.7 W, 42 °C
    expect(metric(inv, 'n1/npu3', 'device.power.watts')).toBe(191.7);
    expect(metric(inv, 'n1/npu3', 'device.temperature.celsius')).toBe(42);
    // "| 0   | 0000:3E:00.0  | 0           1866 / 15077      0    / 32768 |" → AICore 0 % → 0, HBM used 0 MiB
    expect(metric(inv, 'n1/npu3', 'device.utilization.ratio')).toBe(0);
    expect(metric(inv, 'n1/npu3', 'device.memory.used.mib')).toBe(0);
    // Health "OK" → healthy, with the tool's word as the reason; vendor.unhealthy 0
    expect(inv.health?.find((h) => h.target === 'n1/npu3')).toEqual({ target: 'n1/npu3', health: 'healthy', reason: 'npu-smi Health=OK' });
    expect(metric(inv, 'n1/npu3', 'device.vendor.unhealthy')).toBe(0);
    expect(inv.warnings).toEqual([]);
  });
  it('maps Alarm/Critical health to unhealthy and names the node from options', () => {
    // Same sample with NPU 2's health column changed to "Critical".
    const text = load('npu-smi', 'atlas800-9010-910a-8npu-22.0.3.1.txt').replace('| 2     910A           | OK      ', '| 2     910A           | Critical');
    const bad = npuSmiParser.parse(text, { nodeId: 'n1' });
    expect(devices(bad)[2].health).toBe('unhealthy');
    expect(bad.health?.find((h) => h.target === 'n1/npu2')?.reason).toBe('npu-smi Health=Critical');
    expect(metric(bad, 'n1/npu2', 'device.vendor.unhealthy')).toBe(1);
    expect(bad.nodes[0].id).toBe('n1');
  });
  it('reports a truncated capture: the last NPU row without its chip row', () => {
    // Cut after line 28 "| 7     910A           | OK            | 191.4       40 ..." (its chip row is line 29)
    const lines = load('npu-smi', 'atlas800-9010-910a-8npu-22.0.3.1.txt').split('\n').slice(0, 28);
    const cut = npuSmiParser.parse(lines.join('\n'), { source: 'cut.txt' });
    expect(devices(cut)).toHaveLength(8);
    expect(devices(cut)[7].memoryMiB).toBe(0);
    expect(cut.warnings.map((w) => w.at)).toContain('cut.txt:28');
  });
});

describe('npu-smi info -m (8× 910A, 24.1.RC2)', () => {
  const inv = npuSmiParser.parse(load('npu-smi', 'map-910a-8npu-24.1rc2.txt'));
  it('maps NPU, chip and logic ids; memory unknown here', () => {
    // "5                              0                              5                              Ascend 910A"
    expect(devices(inv)).toHaveLength(8);
    expect(devices(inv)[5]).toMatchObject({ id: 'npu5', kind: 'npu', vendor: 'huawei', model: 'Ascend910A', memoryMiB: 0, index: 5 });
    expect(devices(inv)[5].labels?.['hetpool.io/ascend.logic-id']).toBe('5');
    expect(inv.warnings.some((w) => /shows no memory/.test(w.message))).toBe(true);
    expect(inv.nodes[0].id).toBe('local');
  });
  it('skips the management MCU chip (logic id "-") that 910B cards list', () => {
    const text = `${load('npu-smi', 'map-910a-8npu-24.1rc2.txt').trimEnd()}\n0                              1                              -                              Mcu\n`;
    expect(devices(npuSmiParser.parse(text))).toHaveLength(8);
  });
});

describe('rocm-smi --json (4× MI100, ROCm 6.0.2)', () => {
  const inv = rocmSmiParser.parse(load('rocm-smi', 'mi100-rocm602.txt'), { nodeId: 'amd1' });
  it('reads model, exact VRAM and bus id per card', () => {
    expect(devices(inv)).toHaveLength(4);
    // "Card series": "Arcturus GL-XL [Instinct MI100]"; "VRAM Total Memory (B)": "34342961152"
    // 34342961152 / 1048576 = 32752 MiB exactly; "PCI Bus": "0000:83:00.0"
    expect(devices(inv)[0]).toMatchObject({ id: 'gpu0', kind: 'gpu', vendor: 'amd', model: 'Instinct MI100', memoryMiB: 32752, index: 0, busId: '0000:83:00.0' });
    // card3 "PCI Bus": "0000:E3:00.0"
    expect(devices(inv)[3].busId).toBe('0000:e3:00.0');
  });
  it('reads junction temperature, average power, use and VRAM used', () => {
    // card1: "Temperature (Sensor junction) (C)": "58.0", "Average Graphics Package Power (W)": "44.0"
    expect(metric(inv, 'amd1/gpu1', 'device.temperature.celsius')).toBe(58);
    expect(metric(inv, 'amd1/gpu1', 'device.power.watts')).toBe(44);
    // "GPU use (%)": "0"; "VRAM Total Used Memory (B)": "6750208" → 6750208 / 1048576 = 6.4375 MiB
    expect(metric(inv, 'amd1/gpu1', 'device.utilization.ratio')).toBe(0);
    expect(metric(inv, 'amd1/gpu1', 'device.memory.used.mib')).toBe(6.4375);
  });
  it('turns the pairwise link types and NUMA affinity into topology', () => {
    // "(Topology) Link type between DRM devices 0 and 1": "PCIE" … six pairs
    const pairs = inv.links?.filter((l) => l.type === 'pcie') ?? [];
    expect(pairs).toHaveLength(6);
    // "Weight between DRM devices 0 and 1": "40", "Hops between DRM devices 0 and 1": "2" → labels of that link
    expect(pairs[0]).toEqual({ a: 'amd1/gpu0', b: 'amd1/gpu1', type: 'pcie', labels: { 'hetpool.io/hops': '2', 'hetpool.io/weight': '40' } });
    // "(Topology) Numa Node": "1" on every card
    expect(inv.links?.filter((l) => l.type === 'numa' && l.b === 'amd1/numa1')).toHaveLength(4);
  });
});

describe('rocm-smi concise (4× MI300X)', () => {
  const inv = rocmSmiParser.parse(load('rocm-smi', 'mi300x-4x-concise.txt'), { source: 'mi300x.txt' });
  it('reads the two-line rows: id, model, partitions', () => {
    // "0       [0x74a1 : 0x00]       35.0°C      133.0W    NPS1, SPX   …" / "        AMD Instinct MI300X"
    expect(devices(inv)).toHaveLength(4);
    expect(devices(inv)[0]).toMatchObject({ id: 'gpu0', vendor: 'amd', model: 'Instinct MI300X', index: 0, memoryMiB: 0 });
    expect(devices(inv)[0].labels).toMatchObject({ 'hetpool.io/amd.memory-partition': 'NPS1', 'hetpool.io/amd.compute-partition': 'SPX', 'hetpool.io/pci.device': '0x74a1' });
    // No VRAM size in the concise view → memory 0 with a warning pointing at the header (line 3)
    expect(inv.warnings).toEqual([{ at: 'mi300x.txt:3', message: expect.stringMatching(/VRAM% only/) }]);
  });
  it('reads °C, W and percentages', () => {
    // "3       [0x74a1 : 0x00]       38.0°C      137.0W    NPS1, SPX       131Mhz  900Mhz  0%   auto  750.0W    0%   0%"
    expect(metric(inv, 'local/gpu3', 'device.temperature.celsius')).toBe(38);
    expect(metric(inv, 'local/gpu3', 'device.power.watts')).toBe(137);
    expect(metric(inv, 'local/gpu3', 'device.utilization.ratio')).toBe(0);
    expect(metric(inv, 'local/gpu3', 'device.memory.used.ratio')).toBe(0);
  });
});

describe('rocminfo (RX 7800 XT, ROCm 6.2.4)', () => {
  const inv = rocminfoParser.parse(load('rocminfo', 'rx7800xt-rocm624.txt'));
  it('makes one GPU from the GPU agent, ignoring the CPU agent', () => {
    // "Marketing Name:          AMD Radeon RX 7800 XT"; first GLOBAL pool "Size: 16760832(0xffc000) KB"
    // 16760832 KiB / 1024 = 16368 MiB
    expect(devices(inv)).toEqual([expect.objectContaining({ id: 'gpu0', kind: 'gpu', vendor: 'amd', model: 'Radeon RX 7800 XT', memoryMiB: 16368, index: 0 })]);
    // "Name: gfx1101", "Compute Unit: 60", "BDFID: 768"
    expect(devices(inv)[0].labels).toMatchObject({ 'hetpool.io/amd.gfx': 'gfx1101', 'hetpool.io/compute-units': '60', 'hetpool.io/pci.bdfid': '768' });
    // CPU agent "Marketing Name: Intel(R) Core(TM) i5-14600KF" → node label only
    expect(inv.nodes[0].labels?.['hetpool.io/cpu.model']).toBe('Intel(R) Core(TM) i5-14600KF');
  });
});

describe('hy-smi (4× Hygon DCU K100_AI, DTK 24.04)', () => {
  const inv = hySmiParser.parse(load('hy-smi', 'k100ai-4dcu-dtk24.04.txt'), { nodeId: 'dcu1' });
  it('reads four DCUs; model and memory are not in this view', () => {
    expect(devices(inv)).toHaveLength(4);
    expect(devices(inv)[2]).toMatchObject({ id: 'gpu2', kind: 'gpu', vendor: 'hygon', model: 'unknown', memoryMiB: 0, index: 2 });
    expect(inv.warnings).toHaveLength(1);
  });
  it('reads units inside values', () => {
    // "3       49.0C    138.0W     auto     800.0W     0%         0%        Normal"
    expect(metric(inv, 'dcu1/gpu3', 'device.temperature.celsius')).toBe(49);
    expect(metric(inv, 'dcu1/gpu3', 'device.power.watts')).toBe(138);
    expect(devices(inv)[3].labels?.['hetpool.io/power.cap.watts']).toBe('800');
    expect(devices(inv)[3].labels?.['hetpool.io/hygon.mode']).toBe('Normal');
  });
});

describe('cnmon (8× Cambricon MLU, redacted sample)', () => {
  const inv = cnmonParser.parse(load('cnmon', 'mlu-8card-5.10.31-redacted.txt'), { source: 'mlu.txt' });
  it('reads 8 cards; the redacted memory becomes 0 with a warning, never a guess', () => {
    // "| 0     /   MLUXXX-XX    v1.5.0 |         0000:4F:00.0 | 0%                  0 |"
    // "|  0%   35C        105 W/ 550 W |     0 MiB/ xxxxx MiB | FULL          Default |"
    expect(devices(inv)).toHaveLength(8);
    expect(devices(inv)[0]).toMatchObject({ id: 'gpu0', kind: 'gpu', vendor: 'cambricon', model: 'MLUXXX-XX', memoryMiB: 0, index: 0, busId: '0000:4f:00.0' });
    expect(inv.warnings).toContainEqual({ at: 'mlu.txt:9', message: 'gpu0: memory total "0 MiB/ xxxxx MiB" not readable; memoryMiB 0' });
    expect(inv.warnings.filter((w) => /looks redacted/.test(w.message))).toHaveLength(8);
  });
  it('reads temperature, power, use, ECC and memory used', () => {
    // card 3: "|  0%   34C        109 W/ 550 W |     0 MiB/ xxxxx MiB | FULL          Default |"
    expect(metric(inv, 'local/gpu3', 'device.temperature.celsius')).toBe(34);
    expect(metric(inv, 'local/gpu3', 'device.power.watts')).toBe(109);
    expect(metric(inv, 'local/gpu3', 'device.memory.used.mib')).toBe(0);
    expect(metric(inv, 'local/gpu3', 'device.utilization.ratio')).toBe(0);
    expect(metric(inv, 'local/gpu3', 'device.ecc.error.count')).toBe(0);
    expect(devices(inv)[3].labels).toMatchObject({ 'hetpool.io/power.cap.watts': '550', 'hetpool.io/firmware': 'v1.5.0', 'hetpool.io/driver.version': '5.10.31' });
  });
  it('reads the memory when it is not redacted', () => {
    const text = load('cnmon', 'mlu-8card-5.10.31-redacted.txt').replace('0 MiB/ xxxxx MiB', '0 MiB/ 98304 MiB');
    expect(devices(cnmonParser.parse(text))[0].memoryMiB).toBe(98304);
  });
});

describe('ixsmi (8× BI-V150 = 16 GPUs, IX-ML 4.1.0)', () => {
  const inv = ixsmiParser.parse(load('ixsmi', 'bi-v150-16gpu-4.1.0.txt'));
  it('reads 16 dies with 32768 MiB each', () => {
    // "| 0    Iluvatar BI-V150         | 00000000:13:00.0     | 1500MHz   1600MHz    |"
    // "| 0%   32C   P0    N/A / N/A    | 116MiB / 32768MiB    | 0%        Default    |"
    expect(devices(inv)).toHaveLength(16);
    expect(devices(inv)[0]).toMatchObject({ id: 'gpu0', kind: 'gpu', vendor: 'iluvatar', model: 'BI-V150', memoryMiB: 32768, index: 0, busId: '0000:13:00.0' });
    expect(inv.warnings).toEqual([]);
  });
  it('records no power for the second die ("N/A / N/A") and the card power for the first', () => {
    expect(metric(inv, 'local/gpu0', 'device.power.watts')).toBeUndefined();
    // "| 0%   30C   P0    93W / 350W   | 116MiB / 32768MiB    | 0%        Default    |" (GPU 1)
    expect(metric(inv, 'local/gpu1', 'device.power.watts')).toBe(93);
    expect(metric(inv, 'local/gpu1', 'device.temperature.celsius')).toBe(30);
    expect(metric(inv, 'local/gpu1', 'device.memory.used.mib')).toBe(116);
  });
});

describe('mx-smi (8× MetaX C550, 2.1.6)', () => {
  const text = load('mx-smi', 'c550-8gpu-2.1.6.txt');
  const inv = mxSmiParser.parse(text, { source: 'c550.txt' });
  it('reads 8 GPUs with 65536 MiB each', () => {
    // "| 0           MXC550                 | 0000:2a:00.0        | 0%                   |"
    // "| 31C         44W                    | 810/65536 MiB       |                      |"
    expect(devices(inv)).toHaveLength(8);
    expect(devices(inv)[0]).toMatchObject({ id: 'gpu0', kind: 'gpu', vendor: 'metax', model: 'MXC550', memoryMiB: 65536, index: 0, busId: '0000:2a:00.0' });
    expect(metric(inv, 'local/gpu0', 'device.memory.used.mib')).toBe(810);
    expect(metric(inv, 'local/gpu0', 'device.power.watts')).toBe(44);
    // "| 30C         46W                    | 810/65536 MiB       |" (GPU 4)
    expect(metric(inv, 'local/gpu4', 'device.temperature.celsius')).toBe(30);
    expect(inv.warnings).toEqual([]);
  });
  it('warns when fewer rows than "Attached GPUs : 8" were read', () => {
    // keep the first 24 lines: the header and GPUs 0–3 (each 2 rows + rule)
    const cut = mxSmiParser.parse(text.split('\n').slice(0, 24).join('\n'), { source: 'cut.txt' });
    expect(devices(cut)).toHaveLength(4);
    // "Attached GPUs                                     : 8" is line 6
    expect(cut.warnings).toContainEqual({ at: 'cut.txt:6', message: '"Attached GPUs : 8" but 4 GPU rows read (truncated output?)' });
  });
});

describe('xpu-smi (Intel)', () => {
  it('discovery -d: memory, bus id and tiles as a partition profile', () => {
    const inv = xpuSmiParser.parse(load('xpu-smi', 'discovery-detail-pvc-0x020a.txt'));
    // "| Memory Physical Size: 32768.00 MiB |", "| Number of Tiles: 2 |", "| PCI BDF Address: 0000:4d:00.0 |"
    // tile profile: milli 1000 / 2 = 500, memory 32768 / 2 = 16384 MiB, at most 2
    expect(devices(inv)).toEqual([
      expect.objectContaining({
        id: 'gpu0', kind: 'gpu', vendor: 'intel', model: 'Graphics [0x020a]', memoryMiB: 32768, index: 0, busId: '0000:4d:00.0',
        sharing: { mode: 'partition', profiles: [{ name: 'tile', milli: 500, memoryMiB: 16384, maxCount: 2 }] },
      }),
    ]);
    // "| Number of Xe Link ports: 16 |", "| Number of EUs: 512 |"
    expect(devices(inv)[0].labels).toMatchObject({ 'hetpool.io/intel.xe-link.ports': '16', 'hetpool.io/intel.eu-count': '512' });
  });
  it('stats -d 0: metrics only, empty cells skipped', () => {
    const inv = xpuSmiParser.parse(load('xpu-smi', 'stats-flex-0x56c0.txt'), { nodeId: 'x1' });
    expect(devices(inv)).toEqual([]);
    // "| GPU Power (W)               | 15 |", "| GPU Core Temperature (C)    | 41 |", "| GPU Memory Used (MiB)       | 24 |"
    expect(metric(inv, 'x1/gpu0', 'device.power.watts')).toBe(15);
    expect(metric(inv, 'x1/gpu0', 'device.temperature.celsius')).toBe(41);
    expect(metric(inv, 'x1/gpu0', 'device.memory.used.mib')).toBe(24);
    // "| Average % utilization of    | 0 |", "| Mem Errors Uncorrectable    | 0 |"
    expect(metric(inv, 'x1/gpu0', 'device.utilization.ratio')).toBe(0);
    expect(metric(inv, 'x1/gpu0', 'device.ecc.uncorrectable.count')).toBe(0);
    // "| GPU Memory Temperature (C)  |    |" is empty → no sample
    expect(metric(inv, 'x1/gpu0', 'device.memory.temperature.celsius')).toBeUndefined();
    expect(inv.metrics).toHaveLength(8);
  });
});

describe('gpustack-runtime JSON', () => {
  it('detect (8× Ascend 910B2): NPUs with memory, bus id, health and NUMA', () => {
    const inv = gpustackRuntimeParser.parse(load('gpustack-runtime-json', 'ascend-910b2-8x-detect.txt'), { nodeId: 'a2' });
    expect(devices(inv)).toHaveLength(8);
    // "manufacturer": "ascend", "index": 0, "name": "910B2", "memory": 65536, "memory_status": "healthy", "bdf": "0000:c1:00.0"
    expect(devices(inv)[0]).toMatchObject({ id: 'npu0', kind: 'npu', vendor: 'huawei', model: 'Ascend910B2', memoryMiB: 65536, index: 0, busId: '0000:c1:00.0', health: 'healthy' });
    // "temperature": 47, "power_used": 101.3, "cores_utilization": 0, "memory_used": 3432
    expect(metric(inv, 'a2/npu0', 'device.temperature.celsius')).toBe(47);
    expect(metric(inv, 'a2/npu0', 'device.power.watts')).toBe(101.3);
    expect(metric(inv, 'a2/npu0', 'device.memory.used.mib')).toBe(3432);
    expect(metric(inv, 'a2/npu0', 'device.utilization.ratio')).toBe(0);
    // "power": null (the cap) → no limit invented
    expect(inv.metrics?.some((m) => m.metric === 'device.power.limit.watts')).toBe(false);
    // npu0 "numa": "6"; npu5 "numa": "2"
    expect(inv.links).toContainEqual({ a: 'a2/npu0', b: 'a2/numa6', type: 'numa' });
    expect(inv.links).toContainEqual({ a: 'a2/npu5', b: 'a2/numa2', type: 'numa' });
  });
  it('topology (2× RX 7800 XT): distance, CPU and NUMA affinity', () => {
    const inv = gpustackRuntimeParser.parse(load('gpustack-runtime-json', 'amd-rx7800xt-2x-topology.txt'));
    expect(devices(inv)).toEqual([]);
    // "devices_distances": [[0, 50], [50, 0]] → one pair, the raw distance a label of its link; scale not interpreted
    expect(inv.links?.filter((l) => l.type === 'other')).toEqual([{ a: 'local/gpu0', b: 'local/gpu1', type: 'other', labels: { 'hetpool.io/distance': '50' } }]);
    const gpu0 = inv.vertices?.find((v) => v.id === 'local/gpu0');
    // "devices_cpu_affinities": ["0-13", "0-13"]
    expect(gpu0?.labels).toEqual({ 'hetpool.io/cpu.affinity': '0-13' });
    // "devices_numa_affinities": ["0", "0"]
    expect(inv.links?.filter((l) => l.type === 'numa')).toHaveLength(2);
  });
  it('an asymmetric distance matrix keeps both directions on the link', () => {
    const text = JSON.stringify([{ manufacturer: 'amd', devices_distances: [[0, 40], [60, 0]] }]);
    const inv = gpustackRuntimeParser.parse(text, { nodeId: 'h' });
    // row 0 says 40 to gpu1, row 1 says 60 to gpu0: not one number, so each direction is named
    expect(inv.links).toEqual([{ a: 'h/gpu0', b: 'h/gpu1', type: 'other', labels: { 'hetpool.io/distance.gpu0-gpu1': '40', 'hetpool.io/distance.gpu1-gpu0': '60' } }]);
    expect(inv.fallback).toBe(true);
  });
  it('rejects broken JSON with a parse-error naming the source', () => {
    expect(() => gpustackRuntimeParser.parse('[{"manufacturer": "amd", ', { source: 'g.json' })).toThrowError(HetpoolError);
    expect(() => gpustackRuntimeParser.parse('[{"manufacturer": "amd", ', { source: 'g.json' })).toThrowError(/^g\.json/);
  });
});
