/**
 * Normalised metrics (§11.1c): every vendor metric becomes one `MetricSample` with a name from
 * `Metric`, a unit from `MetricUnit`, a finite value ≥ 0, and a target `<nodeId>/<deviceId>`
 * (`<nodeId>/<deviceId>/<sub>` for MIG instances and links). Ratios are 0..1, never percent.
 */
import type { MetricSample } from './types.js';
import { nonNegative } from './text.js';

/** The metric names every adapter uses. */
export const Metric = {
  utilization: 'device.utilization.ratio',
  memoryActivity: 'device.memory.activity.ratio',
  tensorActive: 'device.tensor.active.ratio',
  dramActive: 'device.dram.active.ratio',
  memoryUsed: 'device.memory.used.mib',
  memoryFree: 'device.memory.free.mib',
  memoryTotal: 'device.memory.total.mib',
  temperature: 'device.temperature.celsius',
  memoryTemperature: 'device.memory.temperature.celsius',
  power: 'device.power.watts',
  powerLimit: 'device.power.limit.watts',
  energy: 'device.energy.joules',
  smClock: 'device.clock.sm.mhz',
  memoryClock: 'device.clock.memory.mhz',
  eccCorrectable: 'device.ecc.correctable.count',
  eccUncorrectable: 'device.ecc.uncorrectable.count',
  xid: 'device.xid.last',
  retiredPagesPending: 'device.retired-pages.pending',
  remappedRowsPending: 'device.remapped-rows.pending',
  remappedRowsFailure: 'device.remapped-rows.failure',
  pcieReplays: 'device.pcie.replay.count',
  /** 1 when the vendor agent itself reports the device unhealthy (npu-smi `Alarm`, …), else 0. */
  vendorUnhealthy: 'device.vendor.unhealthy',
  linkState: 'link.state',
  linkBandwidth: 'link.bandwidth.gbps',
} as const;
export type MetricName = (typeof Metric)[keyof typeof Metric];

/** Unit of each metric name. */
export const MetricUnit: Record<MetricName, string> = {
  'device.utilization.ratio': 'ratio',
  'device.memory.activity.ratio': 'ratio',
  'device.tensor.active.ratio': 'ratio',
  'device.dram.active.ratio': 'ratio',
  'device.memory.used.mib': 'MiB',
  'device.memory.free.mib': 'MiB',
  'device.memory.total.mib': 'MiB',
  'device.temperature.celsius': 'Cel',
  'device.memory.temperature.celsius': 'Cel',
  'device.power.watts': 'W',
  'device.power.limit.watts': 'W',
  'device.energy.joules': 'J',
  'device.clock.sm.mhz': 'MHz',
  'device.clock.memory.mhz': 'MHz',
  'device.ecc.correctable.count': '1',
  'device.ecc.uncorrectable.count': '1',
  'device.xid.last': 'xid',
  'device.retired-pages.pending': 'bool',
  'device.remapped-rows.pending': 'bool',
  'device.remapped-rows.failure': 'bool',
  'device.pcie.replay.count': '1',
  'device.vendor.unhealthy': 'bool',
  'link.state': 'up',
  'link.bandwidth.gbps': 'Gbit/s',
};

/**
 * Append one sample to `out` when `raw` reads as a finite number ≥ 0 (after `scale`, e.g. 1/100
 * for percent → ratio). Unreadable values are skipped, never guessed.
 */
export function pushMetric(out: MetricSample[], name: MetricName, target: string, raw: string | number | undefined | null, scale = 1, timestamp?: number): void {
  const v = nonNegative(raw);
  if (v === undefined) return;
  const value = v * scale;
  if (!Number.isFinite(value)) return;
  const s: MetricSample = { metric: name, target, value, unit: MetricUnit[name] };
  if (timestamp !== undefined && Number.isFinite(timestamp) && timestamp >= 0) s.timestamp = timestamp;
  out.push(s);
}

/** `Yes`/`No`/`Enabled`/`1`/`0` → 1/0, anything else → undefined. */
export function yesNo(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const s = v.trim().toLowerCase();
  if (['yes', 'enabled', 'true', 'active', '1'].includes(s)) return 1;
  if (['no', 'disabled', 'false', 'inactive', '0'].includes(s)) return 0;
  return undefined;
}
