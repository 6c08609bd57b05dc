/**
 * NVIDIA parsers on the real samples in fixtures/agents/. Every expected number is read from the
 * sample by hand; the sample line is quoted in the comment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import type { Inventory, MetricSample } from '../src/adapters/types.js';
import { nvidiaSmiXml } from '../src/adapters/parsers/nvidia-smi-xml.js';
import { nvidiaSmiQ } from '../src/adapters/parsers/nvidia-smi-q.js';
import { nvidiaSmiCsv } from '../src/adapters/parsers/nvidia-smi-csv.js';
import { nvidiaSmiList } from '../src/adapters/parsers/nvidia-smi-list.js';
import { nvidiaSmiMigLgi, nvidiaSmiMigLgip } from '../src/adapters/parsers/nvidia-smi-mig.js';
import { nvidiaSmiTopo, topoCell } from '../src/adapters/parsers/nvidia-smi-topo.js';
import { nvidiaSmiNvlink } from '../src/adapters/parsers/nvidia-smi-nvlink.js';
import { nvidiaSmiTable } from '../src/adapters/parsers/nvidia-smi-table.js';
import { nvidiaSmiDmon } from '../src/adapters/parsers/nvidia-smi-dmon.js';
import { repoRoot } from './helpers/cli.js';
import { hetpoolErrorOf } from './helpers/errors.js';

const sample = (tool: string, name: string): string => readFileSync(join(repoRoot, 'fixtures/agents', tool, `${name}.txt`), 'utf8');
const dev = (inv: Inventory, id: string) => inv.nodes[0].devices!.find((d) => d.id === id)!;
const metric = (inv: Inventory, name: string, target: string): number[] => (inv.metrics ?? []).filter((m: MetricSample) => m.metric === name && m.target === target).map((m) => m.value);

describe('nvidia-smi -q -x', () => {
  it('A100 80GB, driver 535, DTD v12, MIG enabled: GPU memory, not MIG memory', () => {
    const inv = nvidiaSmiXml.parse(sample('nvidia-smi-xml', 'a100-sxm4-80gb-4x-535'), { source: 'a100.xml', nodeId: 'n1' });
    // <minor_number>1</minor_number> → gpu1
    const d = dev(inv, 'gpu1');
    // <product_name>NVIDIA A100-SXM4-80GB</product_name>
    expect(d.model).toBe('A100-SXM4-80GB');
    // GPU-level <fb_memory_usage><total>81920 MiB</total> (the MIG devices' 19968 MiB come first in the file)
    expect(d.memoryMiB).toBe(81920);
    // <pci_bus_id>00000000:01:00.0</pci_bus_id>
    expect(d.busId).toBe('0000:01:00.0');
    // 4 × <mig_device> with <multiprocessor_count>14</multiprocessor_count> and <total>19968 MiB</total>:
    // A100 has 14 SMs per slice → 1g; 19968/1024 = 19.5 → "1g.20gb"; milli ⌊1000/7⌋ = 142;
    // maxCount = min(⌊7/1⌋ = 7, ⌊81920/19968⌋ = 4) = 4
    expect(d.sharing).toEqual({ mode: 'partition', profiles: [{ name: '1g.20gb', milli: 142, memoryMiB: 19968, maxCount: 4 }] });
    // <power_draw>67.03 W</power_draw> (v12 <gpu_power_readings>)
    expect(metric(inv, 'device.power.watts', 'n1/gpu1')).toEqual([67.03]);
    // <gpu_util>N/A</gpu_util> → no utilisation sample rather than a made-up 0
    expect(metric(inv, 'device.utilization.ratio', 'n1/gpu1')).toEqual([]);
    // MIG instance <gpu_instance_id>3</gpu_instance_id> <used>12 MiB</used>
    expect(metric(inv, 'device.memory.used.mib', 'n1/gpu1/mig-gi3')).toEqual([12]);
    // <attached_gpus>4</attached_gpus> but one <gpu> element
    expect(inv.warnings.map((w) => w.message).join('\n')).toMatch(/attached_gpus says 4 but the output holds 1/);
    expect(inv.health ?? []).toEqual([]);
  });

  it('RTX 3080, driver 595, DTD v13: average power, utilisation, no MIG', () => {
    const inv = nvidiaSmiXml.parse(sample('nvidia-smi-xml', 'rtx3080-595-v13'), { nodeId: 'n1' });
    const d = dev(inv, 'gpu0');
    expect(d.model).toBe('GeForce-RTX-3080'); // <product_name>NVIDIA GeForce RTX 3080</product_name>
    expect(d.memoryMiB).toBe(10240); // <total>10240 MiB</total>
    expect(d.sharing).toBeUndefined(); // <current_mig>N/A</current_mig>: merge applies the default
    expect(metric(inv, 'device.utilization.ratio', 'n1/gpu0')).toEqual([0.65]); // <gpu_util>65 %</gpu_util>
    expect(metric(inv, 'device.power.watts', 'n1/gpu0')).toEqual([139.62]); // <average_power_draw>139.62 W</average_power_draw>
    expect(metric(inv, 'device.temperature.celsius', 'n1/gpu0')).toEqual([27]); // <gpu_temp>27 C</gpu_temp>
    // <dram_uncorrectable>N/A</dram_uncorrectable> everywhere → no ECC sample
    expect(metric(inv, 'device.ecc.uncorrectable.count', 'n1/gpu0')).toEqual([]);
  });

  it('truncated XML keeps the complete GPUs and warns; no GPU at all is a parse error', () => {
    const text = sample('nvidia-smi-xml', 'rtx3080-595-v13');
    const cut = text.slice(0, text.indexOf('</gpu>') + 6) + '\n<gpu id="00000000:0D:00.0">\n<product_name>NVI';
    const inv = nvidiaSmiXml.parse(cut, { source: 'cut.xml' });
    expect(inv.nodes[0].devices).toHaveLength(1);
    expect(inv.warnings.some((w) => /truncated or malformed/.test(w.message))).toBe(true);
    const e = hetpoolErrorOf(() => nvidiaSmiXml.parse(text.slice(0, 400), { source: 'short.xml' }));
    expect(e.code).toBe('parse-error');
    expect(e.path).toMatch(/^short\.xml:\d+$/);
    expect(hetpoolErrorOf(() => nvidiaSmiXml.parse('hello', { source: 'x' })).path).toBe('x:1');
  });
});

describe('nvidia-smi -q', () => {
  it('A10, driver 535: pending row remapping makes the GPU unhealthy', () => {
    const inv = nvidiaSmiQ.parse(sample('nvidia-smi-q', 'a10-535.129.03'), { nodeId: 'n1' });
    const d = dev(inv, 'gpu0');
    expect(d.model).toBe('A10'); // "Product Name : NVIDIA A10"
    expect(d.memoryMiB).toBe(23028); // FB Memory Usage / "Total : 23028 MiB"
    expect(d.busId).toBe('0000:07:00.0'); // "Bus Id : 00000000:07:00.0"
    expect(metric(inv, 'device.power.watts', 'n1/gpu0')).toEqual([43.89]); // "Power Draw : 43.89 W"
    // Remapped Rows / "Pending : Yes"
    expect(metric(inv, 'device.remapped-rows.pending', 'n1/gpu0')).toEqual([1]);
    expect(inv.health).toEqual([{ target: 'n1/gpu0', health: 'unhealthy', reason: expect.stringMatching(/^remapped-rows-pending:/) }]);
  });

  it('H100 MIG, driver 590: profiles from the four MIG devices', () => {
    const inv = nvidiaSmiQ.parse(sample('nvidia-smi-q', 'h100-mig-590-idle'), { nodeId: 'n1' });
    const d = dev(inv, 'gpu0');
    expect(d.model).toBe('H100-80GB-HBM3');
    expect(d.memoryMiB).toBe(81559); // "Total : 81559 MiB"
    // MIG devices: 60 SMs / 40448 MiB, 32 / 20096, 16 / 9984 (twice). H100: 60 SMs = 3g, 32 = 2g, 16 = 1g.
    // milli ⌊3000/7⌋ = 428, ⌊2000/7⌋ = 285, ⌊1000/7⌋ = 142;
    // maxCount: min(⌊7/3⌋=2, ⌊81559/40448⌋=2)=2; min(⌊7/2⌋=3, ⌊81559/20096⌋=4)=3; min(7, ⌊81559/9984⌋=8)=7
    expect(d.sharing).toEqual({
      mode: 'partition',
      profiles: [
        { name: '3g.40gb', milli: 428, memoryMiB: 40448, maxCount: 2 },
        { name: '2g.20gb', milli: 285, memoryMiB: 20096, maxCount: 3 },
        { name: '1g.10gb', milli: 142, memoryMiB: 9984, maxCount: 7 },
      ],
    });
    expect(metric(inv, 'device.power.watts', 'n1/gpu0')).toEqual([71.27]); // "Average Power Draw : 71.27 W"
    expect(metric(inv, 'device.pcie.replay.count', 'n1/gpu0')).toEqual([9]); // "Replays Since Reset : 9"
    expect(metric(inv, 'device.memory.used.mib', 'n1/gpu0/mig-gi2')).toEqual([26]); // GPU Instance ID 2, "Used : 26 MiB"
    expect(metric(inv, 'device.utilization.ratio', 'n1/gpu0')).toEqual([]); // "GPU : N/A"
  });

  it('rejects text that is not nvidia-smi -q', () => {
    const e = hetpoolErrorOf(() => nvidiaSmiQ.parse('Product Name : x\n', { source: 'q.txt' }));
    expect([e.code, e.path]).toEqual(['parse-error', 'q.txt:1']);
  });
});

describe('nvidia-smi --query-gpu CSV', () => {
  it('H100, 212 columns: header-driven, units in values', () => {
    const inv = nvidiaSmiCsv.parse(sample('nvidia-smi-csv', 'h100-sxm-590-idle'), { nodeId: 'n1' });
    const d = dev(inv, 'gpu0');
    expect(d.model).toBe('H100-80GB-HBM3'); // name = "NVIDIA H100 80GB HBM3"
    expect(d.memoryMiB).toBe(81559); // memory.total [MiB] = "81559 MiB"
    expect(d.busId).toBe('0000:00:09.0'); // pci.bus_id = "00000000:00:09.0"
    expect(d.labels?.['hetpool.io/mig']).toBe('disabled'); // mig.mode.current = "Disabled"
    expect(metric(inv, 'device.power.watts', 'n1/gpu0')).toEqual([69.85]); // power.draw [W] = "69.85 W"
    expect(metric(inv, 'device.temperature.celsius', 'n1/gpu0')).toEqual([41]); // temperature.gpu = "41"
    expect(metric(inv, 'device.memory.free.mib', 'n1/gpu0')).toEqual([81081]); // memory.free = "81081 MiB"
    expect(metric(inv, 'device.ecc.uncorrectable.count', 'n1/gpu0')).toEqual([0]); // ecc.errors.uncorrected.volatile.total = "0"
  });

  it('RTX 4080 SUPER: [N/A] fields give no samples', () => {
    const inv = nvidiaSmiCsv.parse(sample('nvidia-smi-csv', 'rtx4080super-595-idle'), { nodeId: 'n1' });
    expect(dev(inv, 'gpu0').memoryMiB).toBe(16376); // "16376 MiB"
    expect(metric(inv, 'device.power.watts', 'n1/gpu0')).toEqual([26.2]); // "26.20 W"
    expect(metric(inv, 'device.ecc.uncorrectable.count', 'n1/gpu0')).toEqual([]); // "[N/A]"
    expect(metric(inv, 'device.remapped-rows.pending', 'n1/gpu0')).toEqual([]); // "[N/A]"
  });

  it('the hostname column names the node unless the caller does', () => {
    const csv = 'index, name, memory.total [MiB], hostname\n0, NVIDIA A10, 23028 MiB, gpu-07\n';
    expect(nvidiaSmiCsv.parse(csv).nodes[0].id).toBe('gpu-07');
    expect(nvidiaSmiCsv.parse(csv, { nodeId: 'n1' }).nodes[0].id).toBe('n1');
  });

  it('a short row is skipped with a warning; a header without identity is an error', () => {
    const inv = nvidiaSmiCsv.parse('index, name, memory.total [MiB]\n0, NVIDIA A10, 23028 MiB\n1, NVIDIA A10\n', { source: 'c.csv', nodeId: 'n1' });
    expect(inv.nodes[0].devices!.map((d) => d.memoryMiB)).toEqual([23028]);
    expect(inv.warnings[0].at).toBe('c.csv:3');
    expect(hetpoolErrorOf(() => nvidiaSmiCsv.parse('memory.total [MiB]\n100 MiB\n', { source: 'c.csv' })).path).toBe('c.csv:1');
  });
});

describe('nvidia-smi -L', () => {
  it('H100 with 4 MIG devices: nominal profiles, unknown memory', () => {
    const inv = nvidiaSmiList.parse(sample('nvidia-smi-list', 'h100-mig-590'), { nodeId: 'n1' });
    const d = dev(inv, 'gpu0');
    expect(d.model).toBe('H100-80GB-HBM3'); // "GPU 0: NVIDIA H100 80GB HBM3 (UUID: …)"
    expect(d.memoryMiB).toBe(0);
    // "MIG 3g.40gb Device 0", "MIG 2g.20gb Device 1", "MIG 1g.10gb Device 2/3": memory = name's GiB × 1024
    expect(d.sharing?.mode === 'partition' && d.sharing.profiles.map((p) => [p.name, p.milli, p.memoryMiB])).toEqual([
      ['3g.40gb', 428, 40960], ['2g.20gb', 285, 20480], ['1g.10gb', 142, 10240],
    ]);
    expect(d.labels?.['hetpool.io/partition.profiles']).toBe('nominal');
  });
  it('passes the common schema gate: a GPU listed twice is kept once, with a warning', () => {
    const inv = nvidiaSmiList.parse('GPU 0: NVIDIA A10 (UUID: GPU-a)\nGPU 0: NVIDIA A10 (UUID: GPU-b)\n', { source: 'l.txt', nodeId: 'n1' });
    expect(inv.nodes[0].devices?.map((d) => d.labels?.['hetpool.io/uuid'])).toEqual(['GPU-a']);
    expect(inv.warnings.some((w) => w.at === 'l.txt' && /gpu0 appears twice/.test(w.message))).toBe(true);
  });
});

describe('nvidia-smi mig', () => {
  it('-lgip on A100 40GB: seven supported profiles', () => {
    const inv = nvidiaSmiMigLgip.parse(sample('nvidia-smi-mig', 'a100-40gb-lgip-450'), { nodeId: 'n1' });
    const d = dev(inv, 'gpu0');
    expect(d.labels?.['hetpool.io/partition.profiles']).toBe('supported');
    const p = d.sharing?.mode === 'partition' ? d.sharing.profiles : [];
    // "MIG 1g.5gb 19 7/7 4.75": 4.75 × 1024 = 4864 MiB, ⌊1000/7⌋ = 142, 7 instances
    expect(p[0]).toEqual({ name: '1g.5gb', milli: 142, memoryMiB: 4864, maxCount: 7 });
    // "MIG 2g.10gb 14 3/3 9.62": round(9.62 × 1024 = 9850.88) = 9851, ⌊2000/7⌋ = 285
    expect(p.find((x) => x.name === '2g.10gb')).toEqual({ name: '2g.10gb', milli: 285, memoryMiB: 9851, maxCount: 3 });
    // "MIG 7g.40gb 0 1/1 39.25": 39.25 × 1024 = 40192, 7 of 7 slices = 1000
    expect(p.find((x) => x.name === '7g.40gb')).toEqual({ name: '7g.40gb', milli: 1000, memoryMiB: 40192, maxCount: 1 });
    expect(p.map((x) => x.name)).toEqual(['1g.5gb', '1g.5gb+me', '1g.10gb', '2g.10gb', '3g.20gb', '4g.20gb', '7g.40gb']);
  });

  it('-lgi on A100 40GB: two 3g.20gb instances', () => {
    const inv = nvidiaSmiMigLgi.parse(sample('nvidia-smi-mig', 'a100-40gb-lgi-2x3g'), { nodeId: 'n1' });
    const d = dev(inv, 'gpu0');
    // "|   0  MIG 3g.20gb       9        1          4:4     |" and instance 2 at 0:4
    expect(d.labels?.['hetpool.io/mig.instances']).toBe('3g.20gb,3g.20gb');
    expect(d.sharing?.mode === 'partition' && d.sharing.profiles).toEqual([{ name: '3g.20gb', milli: 428, memoryMiB: 20480, maxCount: 2 }]);
  });
});

describe('nvidia-smi topo -m', () => {
  it('maps every legend code', () => {
    expect(topoCell('NV12')).toEqual({ type: 'nvlink', lanes: 12 });
    expect(topoCell('PIX')).toEqual({ type: 'pcie-switch' });
    expect(topoCell('PXB')).toEqual({ type: 'pcie' });
    expect(topoCell('PHB')).toEqual({ type: 'pcie-host-bridge' });
    expect(topoCell('NODE')).toEqual({ type: 'numa' });
    expect(topoCell('SYS')).toEqual({ type: 'smp' });
    expect(topoCell('X')).toBeUndefined();
  });

  it('an NVLink matrix (synthetic, layout of the samples): NV12 → 12 lanes, SYS across NUMA nodes', () => {
    const text = '\tGPU0\tGPU1\tGPU2\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\nGPU0\t X \tNV12\tSYS\t0-31\t0\t\tN/A\nGPU1\tNV12\t X \tSYS\t0-31\t0\t\tN/A\nGPU2\tSYS\tSYS\t X \t32-63\t1\t\tN/A\n';
    const inv = nvidiaSmiTopo.parse(text, { nodeId: 'n1' });
    expect(inv.links!.filter((l) => l.type !== 'numa')).toEqual([
      { a: 'n1/gpu0', b: 'n1/gpu1', type: 'nvlink', lanes: 12 },
      { a: 'n1/gpu0', b: 'n1/gpu2', type: 'smp' },
      { a: 'n1/gpu1', b: 'n1/gpu2', type: 'smp' },
    ]);
    expect(dev(inv, 'gpu2').labels).toEqual({ 'hetpool.io/cpu-affinity': '32-63', 'hetpool.io/numa': '1' });
  });

  it('H200, ANSI header, tabs: CPU and NUMA affinity', () => {
    const inv = nvidiaSmiTopo.parse(sample('nvidia-smi-topo', 'h200-1gpu-590'), { nodeId: 'n1' });
    // "GPU0	 X 	0-23	0		N/A"
    expect(dev(inv, 'gpu0').labels).toEqual({ 'hetpool.io/cpu-affinity': '0-23', 'hetpool.io/numa': '0' });
    expect(inv.links).toEqual([{ a: 'n1/gpu0', b: 'n1/numa0', type: 'numa' }]);
  });

  it('2 GPUs + 2 NICs: PHB between GPUs, NODE to NICs, PIX between NIC ports, NIC legend names', () => {
    const inv = nvidiaSmiTopo.parse(sample('nvidia-smi-topo', 'rtx6000ada-2gpu-2nic-cx7'), { nodeId: 'n1' });
    const l = (a: string, b: string) => inv.links!.find((x) => x.a === a && x.b === b)?.type;
    expect(l('n1/gpu0', 'n1/gpu1')).toBe('pcie-host-bridge'); // "GPU0  X  PHB"
    expect(l('n1/gpu0', 'n1/mlx5_0')).toBe('numa'); // "NODE", "NIC0: mlx5_0"
    expect(l('n1/mlx5_0', 'n1/mlx5_1')).toBe('pcie-switch'); // "NIC0 NODE NODE X PIX"
    // upper triangle of 4×4 = 6 pairs, + 2 GPU→NUMA links
    expect(inv.links).toHaveLength(8);
    expect(inv.nodes[0].devices!.map((d) => d.id)).toEqual(['gpu0', 'gpu1']);
  });
});

describe('nvidia-smi nvlink --status', () => {
  it('8 × A100, 12 links at 25 GB/s', () => {
    const inv = nvidiaSmiNvlink.parse(sample('nvidia-smi-nvlink', 'a100-8x-nvlink-status'), { nodeId: 'n1' });
    expect(inv.nodes[0].devices).toHaveLength(8); // GPU 0 … GPU 7
    // "Link 0: 25 GB/s": 25 GB/s × 8 = 200 Gbit/s; 12 links × 200 = 2400
    expect(metric(inv, 'link.bandwidth.gbps', 'n1/gpu7/nvlink11')).toEqual([200]);
    expect(dev(inv, 'gpu3').labels?.['hetpool.io/nvlink.gbps']).toBe('2400');
    expect(dev(inv, 'gpu3').labels?.['hetpool.io/nvlink.count']).toBe('12');
    expect(inv.health ?? []).toEqual([]);
  });

  it('an inactive link is link-down: the GPU is unhealthy', () => {
    const inv = nvidiaSmiNvlink.parse('GPU 0: NVIDIA A100-SXM4-80GB (UUID: GPU-1)\n\t Link 0: 25 GB/s\n\t Link 1: <inactive>\n', { nodeId: 'n1' });
    expect(inv.health).toEqual([{ target: 'n1/gpu0/nvlink1', health: 'unhealthy', reason: expect.stringMatching(/^link-down:/) }]);
  });
});

describe('nvidia-smi table', () => {
  it('8 × H100, driver 550', () => {
    const inv = nvidiaSmiTable.parse(sample('nvidia-smi-table', 'h100-8x-550.90.07'), { nodeId: 'n1' });
    expect(inv.nodes[0].devices).toHaveLength(8);
    const d = dev(inv, 'gpu1');
    // "|   1  NVIDIA H100 80GB HBM3          On  |   00000000:3B:00.0 Off |                    0 |"
    expect([d.model, d.busId]).toEqual(['H100-80GB-HBM3', '0000:3b:00.0']);
    // "| N/A   24C    P0             74W /  700W |       1MiB /  81559MiB |      0%      Default |"
    expect(d.memoryMiB).toBe(81559);
    expect(metric(inv, 'device.temperature.celsius', 'n1/gpu1')).toEqual([24]);
    expect(metric(inv, 'device.power.watts', 'n1/gpu1')).toEqual([74]);
    expect(metric(inv, 'device.ecc.uncorrectable.count', 'n1/gpu1')).toEqual([0]);
  });

  it('H100 MIG table: instance SM counts give the same profiles as -q', () => {
    const inv = nvidiaSmiTable.parse(sample('nvidia-smi-table', 'h100-mig-590-idle'), { nodeId: 'n1' });
    const d = dev(inv, 'gpu0');
    // "|  0    2   0   0  |  26MiB / 40448MiB | 60  0 |" … "|  0   10   0   3  |   9MiB /  9984MiB | 16  0 |"
    expect(d.sharing?.mode === 'partition' && d.sharing.profiles.map((p) => p.name)).toEqual(['3g.40gb', '2g.20gb', '1g.10gb']);
    expect(metric(inv, 'device.utilization.ratio', 'n1/gpu0')).toEqual([]); // "N/A" GPU-Util in MIG mode
  });
});

describe('nvidia-smi dmon', () => {
  it('5 samples of one H100 under load', () => {
    const inv = nvidiaSmiDmon.parse(sample('nvidia-smi-dmon', 'h100-590-load'), { nodeId: 'n1' });
    // pwr column: 631, 634, 633, 634, 636
    expect(metric(inv, 'device.power.watts', 'n1/gpu0')).toEqual([631, 634, 633, 634, 636]);
    // sm column "100" % → ratio 1
    expect(metric(inv, 'device.utilization.ratio', 'n1/gpu0')).toEqual([1, 1, 1, 1, 1]);
    // mem column 10, 10, 9, 9, 9 % → 0.1, 0.1, 0.09, 0.09, 0.09
    expect(metric(inv, 'device.memory.activity.ratio', 'n1/gpu0')).toEqual([0.1, 0.1, 0.09, 0.09, 0.09]);
  });

  it("'-' is no value, not zero", () => {
    const inv = nvidiaSmiDmon.parse('# gpu   pwr  gtemp\n# Idx     W      C\n    0     -     40\n', { nodeId: 'n1' });
    expect(metric(inv, 'device.power.watts', 'n1/gpu0')).toEqual([]);
    expect(metric(inv, 'device.temperature.celsius', 'n1/gpu0')).toEqual([40]);
  });
});
