/**
 * Normalised metrics (§11.1c): every vendor metric becomes one `MetricSample` with a name from
 * `Metric`, a unit from `MetricUnit`, a finite value ≥ 0, and a target `<nodeId>/<deviceId>`
 * (`<nodeId>/<deviceId>/<sub>` for MIG instances and links). Ratios are 0..1, never percent.
 */
import type { MetricSample } from './types.js';
import { readWithUnit } from './lib/units.js';

/** The metric names every adapter uses. */
export const Metric = {
  utilization: 'device.utilization.ratio',
  memoryActivity: 'device.memory.activity.ratio',
  tensorActive: 'device.tensor.active.ratio',
  dramActive: 'device.dram.active.ratio',
  memoryUsed: 'device.memory.used.mib',
  memoryFree: 'device.memory.free.mib',
  memoryTotal: 'device.memory.total.mib',
  /** Memory in use as a share of the total, for tools that print only VRAM% (rocm-smi concise, hy-smi, xpu-smi). */
  memoryUsedRatio: 'device.memory.used.ratio',
  temperature: 'device.temperature.celsius',
  memoryTemperature: 'device.memory.temperature.celsius',
  power: 'device.power.watts',
  powerLimit: 'device.power.limit.watts',
  energy: 'device.energy.joules',
  smClock: 'device.clock.sm.mhz',
  memoryClock: 'device.clock.memory.mhz',
  eccCorrectable: 'device.ecc.correctable.count',
  eccUncorrectable: 'device.ecc.uncorrectable.count',
  /** ECC errors of tools that do not split correctable/uncorrectable (cnmon's "Ecc-Error"). */
  eccErrors: 'device.ecc.error.count',
  /** Device resets since boot (xpu-smi stats "Reset"). */
  resets: 'device.reset.count',
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
  'device.memory.used.ratio': 'ratio',
  'device.temperature.celsius': 'Cel',
  'device.memory.temperature.celsius': 'Cel',
  'device.power.watts': 'W',
  'device.power.limit.watts': 'W',
  'device.energy.joules': 'J',
  'device.clock.sm.mhz': 'MHz',
  'device.clock.memory.mhz': 'MHz',
  'device.ecc.correctable.count': '1',
  'device.ecc.uncorrectable.count': '1',
  'device.ecc.error.count': '1',
  'device.reset.count': '1',
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
 * Unit spellings agents print after a value of each metric unit (nvidia-smi `67.03 W`, `27 C`,
 * `0 %`, `1980 MHz`, `81559 MiB`); a value with any other unit is refused, a bare number accepted.
 */
const PRINTED_UNITS: Record<string, readonly string[]> = {
  ratio: ['%'], MiB: ['MiB'], Cel: ['C', '°C'], W: ['W'], J: ['J'], MHz: ['MHz'], 'Gbit/s': ['Gb/s', 'Gbps'],
};

/** One sample of `name` for `target`, or undefined when `value` is not a finite number ≥ 0. */
export function metricSample(name: MetricName, target: string, value: number, timestamp?: number): MetricSample | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  const s: MetricSample = { metric: name, target, value, unit: MetricUnit[name] };
  if (timestamp !== undefined && Number.isFinite(timestamp) && timestamp >= 0) s.timestamp = timestamp;
  return s;
}

/**
 * Append one sample to `out` when `raw` reads as a finite number ≥ 0 in the metric's unit (after
 * `scale`, e.g. 1/100 for percent → ratio). Unreadable values are skipped, never guessed.
 */
export function pushMetric(out: MetricSample[], name: MetricName, target: string, raw: string | number | undefined | null, scale = 1, timestamp?: number): void {
  const v = readWithUnit(raw, PRINTED_UNITS[MetricUnit[name]] ?? []);
  if (v === undefined) return;
  const s = metricSample(name, target, v * scale, timestamp);
  if (s) out.push(s);
}
