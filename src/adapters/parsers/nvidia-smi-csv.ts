/**
 * `nvidia-smi --query-gpu=<fields> --format=csv`. Header-driven: any subset and order of fields
 * works; units live in the header (`memory.total [MiB]`) and again in the values (`81559 MiB`);
 * `[N/A]` and `[Requested functionality has been deprecated]` are absent values.
 * `--format=csv,noheader` is refused: without a header the columns are unknowable.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { withHealth } from '../health.js';
import { Metric, pushMetric } from '../metrics.js';
import { nvidiaGpu } from '../lib/nvidia.js';
import { ParseContext } from '../lib/context.js';
import { isNotAvailable, readInt, readNumber, wholeMiB, yesNo } from '../lib/units.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';

/** Fields that identify a `--query-gpu` header. */
const KNOWN = ['index', 'name', 'uuid', 'pci.bus_id', 'memory.total', 'memory.used', 'utilization.gpu', 'temperature.gpu', 'power.draw', 'driver_version', 'timestamp'];

/** Parse `nvidia-smi --query-gpu=… --format=csv`. */
export function parseNvidiaSmiCsv(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(nvidiaSmiCsv.name, options);
  let rows: string[][];
  try {
    rows = parseCsv(text, { trim: true, relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as string[][];
  } catch (e) {
    ctx.fail(1, `not CSV (${(e as Error).message.split('\n')[0]})`);
  }
  if (!rows.length) ctx.fail(1, 'empty output');
  const header = rows[0].map((h) => h.replace(/\s*\[[^\]]*\]\s*$/, '').trim());
  const col = new Map(header.map((h, i) => [h, i]));
  if (!KNOWN.some((k) => col.has(k))) ctx.fail(1, `no known --query-gpu field in the header (expected some of ${KNOWN.join(', ')})`);
  if (!col.has('name') && !col.has('index') && !col.has('pci.bus_id')) ctx.fail(1, 'header has none of name, index, pci.bus_id: cannot tell the devices apart');
  // `hostname` (a --query-gpu field since driver 5xx) names the node when the caller did not.
  const hostCol = col.get('hostname');
  const node = ctx.nameNode(hostCol !== undefined ? rows[1]?.[hostCol] : undefined);
  const devices = ctx.devices;
  const metrics = ctx.metrics;
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    const get = (k: string): string | undefined => {
      const i = col.get(k);
      const v = i === undefined ? undefined : row[i];
      return v === undefined || isNotAvailable(v) ? undefined : v;
    };
    if (row.length !== header.length) {
      ctx.warn(r + 1, `row has ${row.length} values for ${header.length} header fields (truncated?); row skipped`);
      continue;
    }
    const index = readInt(get('index')) ?? r - 1;
    const mig = yesNo(get('mig.mode.current'));
    const cc = readNumber(get('compute_cap'));
    const d = nvidiaGpu({ index, product: get('name'), memoryMiB: wholeMiB(get('memory.total')), busId: get('pci.bus_id'), uuid: get('uuid'), computeCap: cc, migEnabled: mig === undefined ? undefined : mig === 1 });
    if (mig === 1) ctx.warn(r + 1, `gpu ${index}: MIG enabled but --query-gpu lists no MIG profiles; add \`nvidia-smi mig -lgip\` output`);
    devices.push(d);
    const t = `${node}/${d.id}`;
    pushMetric(metrics, Metric.utilization, t, get('utilization.gpu'), 0.01);
    pushMetric(metrics, Metric.memoryActivity, t, get('utilization.memory'), 0.01);
    pushMetric(metrics, Metric.memoryUsed, t, wholeMiB(get('memory.used')));
    pushMetric(metrics, Metric.memoryFree, t, wholeMiB(get('memory.free')));
    pushMetric(metrics, Metric.memoryTotal, t, wholeMiB(get('memory.total')));
    pushMetric(metrics, Metric.temperature, t, get('temperature.gpu'));
    pushMetric(metrics, Metric.memoryTemperature, t, get('temperature.memory'));
    pushMetric(metrics, Metric.power, t, get('power.draw') ?? get('power.draw.average'));
    pushMetric(metrics, Metric.powerLimit, t, get('power.limit'));
    pushMetric(metrics, Metric.smClock, t, get('clocks.current.sm') ?? get('clocks.sm'));
    pushMetric(metrics, Metric.memoryClock, t, get('clocks.current.memory') ?? get('clocks.mem'));
    pushMetric(metrics, Metric.eccUncorrectable, t, get('ecc.errors.uncorrected.volatile.total'));
    pushMetric(metrics, Metric.eccCorrectable, t, get('ecc.errors.corrected.volatile.total'));
    pushMetric(metrics, Metric.retiredPagesPending, t, yesNo(get('retired_pages.pending')));
    pushMetric(metrics, Metric.remappedRowsPending, t, yesNo(get('remapped_rows.pending')));
    pushMetric(metrics, Metric.remappedRowsFailure, t, yesNo(get('remapped_rows.failure')));
  }
  if (!devices.length) ctx.fail(rows.length, 'header only: no GPU rows');
  return withHealth(ctx.finish('GPU row'));
}

/** Parser registration for `nvidia-smi --query-gpu=… --format=csv`. */
export const nvidiaSmiCsv: AgentParser = {
  name: 'nvidia-smi-csv',
  command: ['nvidia-smi', '--query-gpu=index,name,uuid,pci.bus_id,memory.total,memory.used,utilization.gpu,temperature.gpu,power.draw,compute_cap,mig.mode.current,ecc.errors.uncorrected.volatile.total,retired_pages.pending,remapped_rows.pending', '--format=csv'],
  detect: (text) => {
    const first = text.slice(0, 8192).split(/\r?\n/, 1)[0];
    return /(^|,\s*)(index|name|uuid|pci\.bus_id|memory\.total \[MiB\])\s*(,|$)/.test(first) && first.includes(',');
  },
  parse: parseNvidiaSmiCsv,
};
