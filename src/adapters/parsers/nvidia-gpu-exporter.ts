/**
 * utkuozdemir/nvidia_gpu_exporter `/metrics`: `nvidia_smi_*` series labelled by `uuid` (without the
 * `GPU-` prefix), with units converted to base units in the names (`*_bytes`, `*_hz`, `*_watts`,
 * `*_ratio`). `nvidia_smi_gpu_info` carries name, index and pci_bus_id. MIG: only
 * `nvidia_smi_mig_mode_current` (1 = enabled) is exported, no profiles, so a warning says so.
 */
import { withHealth } from '../health.js';
import { Metric, pushMetric, type MetricName } from '../metrics.js';
import { nvidiaGpu } from '../lib/nvidia.js';
import { parsePrometheusText } from '../lib/prometheus.js';
import { ParseContext } from '../lib/context.js';
import { readInt, readNumber } from '../lib/units.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import type { DeviceInput } from '../../model/types.js';

const MIB = 1 / 1048576;
/** exporter series → normalised metric and scale. */
const SERIES: Record<string, [MetricName, number]> = {
  nvidia_smi_utilization_gpu_ratio: [Metric.utilization, 1],
  nvidia_smi_utilization_memory_ratio: [Metric.memoryActivity, 1],
  nvidia_smi_memory_used_bytes: [Metric.memoryUsed, MIB],
  nvidia_smi_memory_free_bytes: [Metric.memoryFree, MIB],
  nvidia_smi_memory_total_bytes: [Metric.memoryTotal, MIB],
  nvidia_smi_temperature_gpu: [Metric.temperature, 1],
  nvidia_smi_temperature_memory: [Metric.memoryTemperature, 1],
  nvidia_smi_power_draw_watts: [Metric.power, 1],
  nvidia_smi_power_limit_watts: [Metric.powerLimit, 1],
  nvidia_smi_clocks_current_sm_clock_hz: [Metric.smClock, 1e-6],
  nvidia_smi_clocks_current_memory_clock_hz: [Metric.memoryClock, 1e-6],
  nvidia_smi_ecc_errors_uncorrected_volatile_total: [Metric.eccUncorrectable, 1],
  nvidia_smi_ecc_errors_corrected_volatile_total: [Metric.eccCorrectable, 1],
  nvidia_smi_retired_pages_pending: [Metric.retiredPagesPending, 1],
  nvidia_smi_remapped_rows_pending: [Metric.remappedRowsPending, 1],
  nvidia_smi_remapped_rows_failure: [Metric.remappedRowsFailure, 1],
};

/** Parse nvidia_gpu_exporter metrics text. */
export function parseNvidiaGpuExporter(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(nvidiaGpuExporter.name, options);
  const samples = parsePrometheusText(text, ctx.source, ctx.warnings).filter((s) => s.name.startsWith('nvidia_smi_'));
  if (!samples.length) ctx.fail(1, 'no nvidia_smi_* series found');
  const node = ctx.nodeId;
  const byUuid = new Map<string, { d: DeviceInput; line: number }>();
  for (const s of samples.filter((x) => x.name === 'nvidia_smi_gpu_info')) {
    const index = readInt(s.labels.index);
    if (index === undefined || !s.labels.uuid) {
      ctx.warn(s.line, 'nvidia_smi_gpu_info without index or uuid; skipped');
      continue;
    }
    const cc = readNumber(s.labels.compute_cap);
    byUuid.set(s.labels.uuid, { d: nvidiaGpu({ index, product: s.labels.name, busId: s.labels.pci_bus_id, uuid: `GPU-${s.labels.uuid}`, computeCap: cc }), line: s.line });
  }
  if (!byUuid.size) ctx.fail(1, 'no nvidia_smi_gpu_info series: cannot tell which GPU a series belongs to');
  const metrics = ctx.metrics;
  for (const s of samples) {
    const g = s.labels.uuid ? byUuid.get(s.labels.uuid) : undefined;
    if (!g) continue;
    const t = `${node}/${g.d.id}`;
    if (s.name === 'nvidia_smi_memory_total_bytes' && Number.isFinite(s.value) && s.value >= 0) g.d.memoryMiB = Math.floor(s.value * MIB);
    if (s.name === 'nvidia_smi_mig_mode_current' && (s.value === 0 || s.value === 1)) {
      g.d.labels = { ...(g.d.labels ?? {}), 'hetpool.io/mig': s.value === 1 ? 'enabled' : 'disabled' };
      if (s.value === 1) ctx.warn(s.line, `${g.d.id}: MIG enabled but the exporter lists no MIG profiles; add \`nvidia-smi mig -lgip\` output`);
    }
    const f = SERIES[s.name];
    if (f) pushMetric(metrics, f[0], t, s.value, f[1], s.timestampMs !== undefined ? s.timestampMs / 1000 : undefined);
  }
  for (const g of byUuid.values()) {
    if (!g.d.memoryMiB) ctx.warn(g.line, `${g.d.id}: no nvidia_smi_memory_total_bytes; memory left unknown (0)`);
    ctx.devices.push(g.d);
  }
  return withHealth(ctx.finish('nvidia_smi_* GPU'));
}

/** Parser registration for nvidia_gpu_exporter metrics. */
export const nvidiaGpuExporter: AgentParser = {
  name: 'nvidia-gpu-exporter',
  command: ['curl', '-s', 'http://localhost:9835/metrics'],
  detect: (text) => /^nvidia_smi_\w+(\{|\s)/m.test(text.slice(0, 65536)),
  parse: parseNvidiaGpuExporter,
};
