/** DCGM-exporter and nvidia_gpu_exporter Prometheus text on the real samples (values read by hand). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { dcgmExporter } from '../src/adapters/parsers/dcgm-exporter.js';
import { nvidiaGpuExporter } from '../src/adapters/parsers/nvidia-gpu-exporter.js';
import { parsePrometheusText } from '../src/adapters/lib/prometheus.js';
import type { Inventory } from '../src/adapters/types.js';
import { repoRoot } from './helpers/cli.js';

const sample = (tool: string, name: string): string => readFileSync(join(repoRoot, 'fixtures/agents', tool, `${name}.txt`), 'utf8');
const metric = (inv: Inventory, name: string, target: string): number[] => (inv.metrics ?? []).filter((m) => m.metric === name && m.target === target).map((m) => m.value);

describe('Prometheus text format', () => {
  it('reads labels with escapes and timestamps; bad lines become warnings', () => {
    const w: { at: string; message: string }[] = [];
    const s = parsePrometheusText('# HELP x y\na{b="c\\"d",e="f"} 1.5 1700000000000\nbroken{ 3\n9bad 1\nz 2\n', 'm.txt', w);
    expect(s.map((x) => [x.name, x.labels, x.value, x.timestampMs])).toEqual([
      ['a', { b: 'c"d', e: 'f' }, 1.5, 1700000000000],
      ['z', {}, 2, undefined],
    ]);
    expect(w.map((x) => x.at)).toEqual(['m.txt:3', 'm.txt:4']);
  });
});

describe('dcgm-exporter', () => {
  it('A100 with one MIG instance (NVIDIA docs excerpt)', () => {
    const inv = dcgmExporter.parse(sample('dcgm-exporter', 'a100-mig-1g5gb-nvdocs'), { source: 'dcgm.txt' });
    // Hostname="ub20-a100-k8s" names the node
    expect(inv.nodes[0].id).toBe('ub20-a100-k8s');
    const t = 'ub20-a100-k8s/gpu0';
    // DCGM_FI_DEV_POWER_USAGE{…} 409.692000
    expect(metric(inv, 'device.power.watts', t)).toEqual([409.692]);
    // DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{…} 319159391 (mJ) → 319159.391 J
    expect(metric(inv, 'device.energy.joules', t)[0]).toBeCloseTo(319159.391, 6);
    // DCGM_FI_DEV_FB_USED 4845 / FB_FREE 35690 (MiB)
    expect(metric(inv, 'device.memory.used.mib', t)).toEqual([4845]);
    expect(metric(inv, 'device.memory.free.mib', t)).toEqual([35690]);
    // DCGM_FI_PROF_GR_ENGINE_ACTIVE{…GPU_I_PROFILE="1g.5gb",GPU_I_ID="13"…} 0.995687
    expect(metric(inv, 'device.utilization.ratio', `${t}/mig-gi13`)).toEqual([0.995687]);
    // DCGM_FI_DEV_XID_ERRORS 0: no XID, healthy
    expect(metric(inv, 'device.xid.last', t)).toEqual([0]);
    expect(inv.health ?? []).toEqual([]);
    const d = inv.nodes[0].devices![0];
    // GPU_I_PROFILE="1g.5gb": ⌊1000/7⌋ = 142 milli, nominal 5 GiB = 5120 MiB
    expect(d.sharing).toEqual({ mode: 'partition', profiles: [{ name: '1g.5gb', milli: 142, memoryMiB: 5120, maxCount: 7 }] });
    // no FB_TOTAL series: memory unknown, said so
    expect(d.memoryMiB).toBe(0);
    expect(inv.warnings.some((w) => /FB_USED \+ FB_FREE = 40535 MiB/.test(w.message))).toBe(true);
  });

  it('XID 79 marks the GPU unhealthy', () => {
    const inv = dcgmExporter.parse('DCGM_FI_DEV_XID_ERRORS{gpu="1",UUID="GPU-x",Hostname="h"} 79\n');
    expect(inv.health).toEqual([{ target: 'h/gpu1', health: 'unhealthy', reason: expect.stringMatching(/^xid-79-off-bus:/) }]);
  });

  it('no DCGM series is a parse error', () => {
    expect(() => dcgmExporter.parse('up 1\n', { source: 'm' })).toThrow(HetpoolError);
  });
});

describe('nvidia_gpu_exporter', () => {
  it('H100 MIG golden output', () => {
    const inv = nvidiaGpuExporter.parse(sample('prometheus-nvidia-gpu-exporter', 'h100-mig-590-idle'), { nodeId: 'n1' });
    const d = inv.nodes[0].devices![0];
    // nvidia_smi_gpu_info{…index="0",name="NVIDIA H100 80GB HBM3",pci_bus_id="00000000:00:09.0"…}
    expect([d.id, d.model, d.busId]).toEqual(['gpu0', 'H100-80GB-HBM3', '0000:00:09.0']);
    // nvidia_smi_memory_total_bytes 8.5520809984e+10 / 1048576 = 81559 MiB
    expect(d.memoryMiB).toBe(81559);
    // nvidia_smi_memory_used_bytes 6.1865984e+07 / 1048576 = 59 MiB
    expect(metric(inv, 'device.memory.used.mib', 'n1/gpu0')).toEqual([59]);
    // nvidia_smi_power_draw_watts 71.15
    expect(metric(inv, 'device.power.watts', 'n1/gpu0')).toEqual([71.15]);
    // nvidia_smi_clocks_current_memory_clock_hz 2.619e+09 → 2619 MHz
    expect(metric(inv, 'device.clock.memory.mhz', 'n1/gpu0')[0]).toBeCloseTo(2619, 6);
    // nvidia_smi_mig_mode_current 1, but no profiles exported
    expect(d.labels?.['hetpool.io/mig']).toBe('enabled');
    expect(inv.warnings.some((w) => /MIG enabled but the exporter lists no MIG profiles/.test(w.message))).toBe(true);
  });
});
