/**
 * `nvidia-smi dmon`: a stream of samples, one row per GPU per interval, under two `#` header rows
 * (names, then units). Header-driven, so `-s` column sets and `-o DT` date/time columns work;
 * `-` marks an unsupported value. Metrics only (no device facts beyond the index).
 */
import { withHealth } from '../health.js';
import { Metric, pushMetric, type MetricName } from '../metrics.js';
import { ParseContext } from '../lib/context.js';
import { splitLines } from '../lib/text.js';
import { readInt } from '../lib/units.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';

/** dmon column → normalised metric and scale. */
const COLUMNS: Record<string, [MetricName, number]> = {
  pwr: [Metric.power, 1],
  gtemp: [Metric.temperature, 1],
  mtemp: [Metric.memoryTemperature, 1],
  sm: [Metric.utilization, 0.01],
  mem: [Metric.memoryActivity, 0.01],
  mclk: [Metric.memoryClock, 1],
  pclk: [Metric.smClock, 1],
  fb: [Metric.memoryUsed, 1],
  sbecc: [Metric.eccCorrectable, 1],
  dbecc: [Metric.eccUncorrectable, 1],
  pci: [Metric.pcieReplays, 1],
};

/** Parse `nvidia-smi dmon` output. */
export function parseNvidiaSmiDmon(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(nvidiaSmiDmon.name, options);
  const node = ctx.nodeId;
  const lines = splitLines(text);
  const hi = lines.findIndex((l) => /^#\s*(Date\s+Time\s+)?gpu\b/i.test(l));
  if (hi < 0) ctx.fail(1, 'not nvidia-smi dmon output: no "# gpu …" header');
  const cols = lines[hi].replace(/^#/, '').trim().split(/\s+/).map((c) => c.toLowerCase());
  const gi = cols.indexOf('gpu');
  const metrics = ctx.metrics;
  const seen = new Set<number>();
  for (let i = hi + 1; i < lines.length; i++) {
    const l = lines[i];
    if (!l.trim() || l.startsWith('#')) continue;
    const tok = l.trim().split(/\s+/);
    if (tok.length !== cols.length) {
      ctx.warn(i + 1, `row has ${tok.length} values for ${cols.length} columns; skipped`);
      continue;
    }
    const gpu = readInt(tok[gi]);
    if (gpu === undefined) {
      ctx.warn(i + 1, `unreadable gpu index "${tok[gi].slice(0, 16)}"; row skipped`);
      continue;
    }
    seen.add(gpu);
    const t = `${node}/gpu${gpu}`;
    cols.forEach((c, k) => {
      const m = COLUMNS[c];
      if (m) pushMetric(metrics, m[0], t, tok[k], m[1]);
    });
  }
  if (!seen.size) ctx.fail(hi + 1, 'header only: no sample rows');
  return withHealth(ctx.finish('sample'));
}

/** Parser registration for `nvidia-smi dmon`. */
export const nvidiaSmiDmon: AgentParser = {
  name: 'nvidia-smi-dmon',
  command: ['nvidia-smi', 'dmon', '-c', '1'],
  detect: (text) => /^#\s*(Date\s+Time\s+)?gpu\s+\w+/im.test(text.slice(0, 2048)) && /^#\s*(\S+\s+)*Idx\b/m.test(text.slice(0, 2048)),
  parse: parseNvidiaSmiDmon,
};
