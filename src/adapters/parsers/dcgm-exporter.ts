/**
 * DCGM-exporter `/metrics` (Prometheus text). Series are keyed by `gpu` (index), `UUID`,
 * `Hostname`, and for MIG instances `GPU_I_ID`/`GPU_I_PROFILE`; newer exporters add `modelName`
 * and `pci_bus_id`. Field units (DCGM field reference, dcgm_fields.h): FB_* MiB, POWER_USAGE W,
 * TOTAL_ENERGY_CONSUMPTION mJ, *_TEMP °C, GPU_UTIL %, PROF_* ratios 0..1, XID_ERRORS = last XID.
 * MIG series go to target `<node>/gpu<i>/mig-gi<id>`; their profiles make the GPU `partition`
 * (nominal memory from the profile name, warned).
 */
import { withHealth } from '../health.js';
import { Metric, pushMetric, type MetricName } from '../metrics.js';
import { nvidiaGpu, profilesFromInstances, setPartition } from '../lib/nvidia.js';
import { parsePrometheusText } from '../lib/prometheus.js';
import { ParseContext } from '../lib/context.js';
import { readInt } from '../lib/units.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import type { DeviceInput } from '../../model/types.js';

/** DCGM field → normalised metric and scale. */
export const DCGM_FIELDS: Record<string, [MetricName, number]> = {
  DCGM_FI_DEV_GPU_UTIL: [Metric.utilization, 0.01],
  DCGM_FI_PROF_GR_ENGINE_ACTIVE: [Metric.utilization, 1],
  DCGM_FI_DEV_MEM_COPY_UTIL: [Metric.memoryActivity, 0.01],
  DCGM_FI_PROF_PIPE_TENSOR_ACTIVE: [Metric.tensorActive, 1],
  DCGM_FI_PROF_DRAM_ACTIVE: [Metric.dramActive, 1],
  DCGM_FI_DEV_FB_USED: [Metric.memoryUsed, 1],
  DCGM_FI_DEV_FB_FREE: [Metric.memoryFree, 1],
  DCGM_FI_DEV_FB_TOTAL: [Metric.memoryTotal, 1],
  DCGM_FI_DEV_GPU_TEMP: [Metric.temperature, 1],
  DCGM_FI_DEV_MEMORY_TEMP: [Metric.memoryTemperature, 1],
  DCGM_FI_DEV_POWER_USAGE: [Metric.power, 1],
  DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION: [Metric.energy, 0.001],
  DCGM_FI_DEV_SM_CLOCK: [Metric.smClock, 1],
  DCGM_FI_DEV_MEM_CLOCK: [Metric.memoryClock, 1],
  DCGM_FI_DEV_XID_ERRORS: [Metric.xid, 1],
  DCGM_FI_DEV_ECC_DBE_VOL_TOTAL: [Metric.eccUncorrectable, 1],
  DCGM_FI_DEV_ECC_SBE_VOL_TOTAL: [Metric.eccCorrectable, 1],
  DCGM_FI_DEV_RETIRED_PENDING: [Metric.retiredPagesPending, 1],
  DCGM_FI_DEV_ROW_REMAP_PENDING: [Metric.remappedRowsPending, 1],
  DCGM_FI_DEV_ROW_REMAP_FAILURE: [Metric.remappedRowsFailure, 1],
  DCGM_FI_DEV_PCIE_REPLAY_COUNTER: [Metric.pcieReplays, 1],
  // DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL is a byte counter, not a link rate: not mapped.
};

/** Parse DCGM-exporter metrics text. */
export function parseDcgmExporter(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(dcgmExporter.name, options);
  const src = ctx.source;
  const samples = parsePrometheusText(text, src, ctx.warnings).filter((s) => s.name.startsWith('DCGM_FI_'));
  if (!samples.length) ctx.fail(1, 'no DCGM_FI_* series found');
  const host = samples.find((s) => s.labels.Hostname)?.labels.Hostname;
  const node = ctx.nameNode(host);
  const gpus = new Map<number, { d: DeviceInput; line: number; fbUsed?: number; fbFree?: number; fbTotal?: number; profiles: string[] }>();
  const metrics = ctx.metrics;
  // GPUs with DCGM_FI_DEV_GPU_UTIL: their utilisation comes from it, not from GR_ENGINE_ACTIVE.
  const withGpuUtil = new Set(samples.filter((s) => s.name === 'DCGM_FI_DEV_GPU_UTIL' && s.labels.GPU_I_ID === undefined).map((s) => s.labels.gpu));
  for (const s of samples) {
    const idx = readInt(s.labels.gpu);
    if (idx === undefined) {
      ctx.warn(s.line, `${s.name} without a readable gpu label; skipped`);
      continue;
    }
    let g = gpus.get(idx);
    if (!g) {
      g = { d: nvidiaGpu({ index: idx, product: s.labels.modelName, busId: s.labels.pci_bus_id, uuid: s.labels.UUID }), line: s.line, profiles: [] };
      gpus.set(idx, g);
    }
    const gi = s.labels.GPU_I_ID;
    const target = gi !== undefined ? `${node}/${g.d.id}/mig-gi${gi}` : `${node}/${g.d.id}`;
    if (gi !== undefined && s.labels.GPU_I_PROFILE && !g.profiles.includes(s.labels.GPU_I_PROFILE)) g.profiles.push(s.labels.GPU_I_PROFILE);
    if (gi === undefined) {
      if (s.name === 'DCGM_FI_DEV_FB_USED') g.fbUsed = s.value;
      if (s.name === 'DCGM_FI_DEV_FB_FREE') g.fbFree = s.value;
      if (s.name === 'DCGM_FI_DEV_FB_TOTAL') g.fbTotal = s.value;
    }
    const f = DCGM_FIELDS[s.name];
    if (!f) continue;
    const ts = s.timestampMs !== undefined ? s.timestampMs / 1000 : undefined;
    if (s.name === 'DCGM_FI_PROF_GR_ENGINE_ACTIVE' && gi === undefined && withGpuUtil.has(s.labels.gpu)) continue;
    pushMetric(metrics, f[0], target, s.value, f[1], ts);
  }
  const devices = ctx.devices;
  for (const g of gpus.values()) {
    const total = g.fbTotal ?? undefined;
    if (total !== undefined && Number.isFinite(total) && total >= 0) g.d.memoryMiB = Math.floor(total);
    else ctx.warn(g.line, `${g.d.id}: no DCGM_FI_DEV_FB_TOTAL; device memory left unknown (0)${g.fbUsed !== undefined && g.fbFree !== undefined ? ` (FB_USED + FB_FREE = ${g.fbUsed + g.fbFree} MiB excludes reserved memory)` : ''}`);
    if (g.profiles.length) setPartition(g.d, profilesFromInstances(g.d.model, g.d.memoryMiB, g.profiles.map((profile) => ({ profile })), (m) => ctx.warn(g.line, m)), 'nominal');
    devices.push(g.d);
  }
  return withHealth(ctx.finish('DCGM GPU'));
}

/** Parser registration for DCGM-exporter metrics. */
export const dcgmExporter: AgentParser = {
  name: 'dcgm-exporter',
  command: ['curl', '-s', 'http://localhost:9400/metrics'],
  detect: (text) => /^DCGM_FI_[A-Z_]+\{/m.test(text.slice(0, 16384)),
  parse: parseDcgmExporter,
};
