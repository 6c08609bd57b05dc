/**
 * A self-contained HTML report of an openb sweep: readable offline (inline SVG and CSS, no
 * scripts, no CDN). Pictures first — allocation and fragmentation curves per policy over 0..130%
 * arrived (mean across seeds), a heat map of GPU allocation per node at the end of each policy's
 * first run — then the summary beside the published numbers.
 */
import type { ReplayRun } from '../openb/replay.js';
import { meanCurve, type PolicySummary, REPORT_POINTS } from '../openb/summary.js';

/** What the report shows. */
export interface ReportInput {
  title: string;
  /** Lines describing the inputs (files, seeds, tune, backend). */
  facts: string[];
  runs: readonly ReplayRun[];
  summaries: readonly PolicySummary[];
  nodeNames: readonly string[];
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number | null | undefined, d = 2): string => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));

function niceSpan(range: number): number {
  const raw = range / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 3, 4, 5, 10].map((m) => m * mag).find((st) => st >= raw) ?? 10 * mag;
  return step * 5;
}

function lineChart(title: string, yLabel: string, series: Array<{ name: string; values: Array<number | null> }>, yMin?: number, yMax?: number, xMin = 0): string {
  const W = 560;
  const H = 300;
  const L = 50;
  const R = 130;
  const T = 30;
  const B = 40;
  const all = series.flatMap((s) => s.values.slice(xMin).filter((v): v is number => v !== null));
  const lo = yMin ?? Math.floor(Math.min(0, ...all));
  // Round the top up to a whole number of "nice" steps (1, 2, 2.5, 3, 4 or 5 × 10^k) so the five grid
  // lines fall on readable values (0, 20, 40 … rather than 0, 20.2, 40.4 …).
  const hi = yMax ?? lo + niceSpan(Math.max(1, ...all) - lo);
  const x = (i: number): number => L + ((i - xMin) / (130 - xMin)) * (W - L - R);
  const y = (v: number): number => T + (1 - (Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo || 1)) * (H - T - B);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`;
  svg += `<text x="${W / 2 - R / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`;
  for (let t = xMin; t <= 130; t += 10) svg += `<line x1="${x(t)}" y1="${H - B}" x2="${x(t)}" y2="${T}" stroke="#eee"/><text x="${x(t)}" y="${H - B + 14}" font-size="10" text-anchor="middle">${t}</text>`;
  for (let k = 0; k <= 5; k++) {
    const v = lo + ((hi - lo) * k) / 5;
    svg += `<line x1="${L}" y1="${y(v)}" x2="${W - R}" y2="${y(v)}" stroke="#eee"/><text x="${L - 4}" y="${y(v) + 3}" font-size="10" text-anchor="end">${fmt(v, 1)}</text>`;
  }
  svg += `<text x="${(L + W - R) / 2}" y="${H - 6}" font-size="11" text-anchor="middle">arrived workload (% of GPU capacity)</text>`;
  svg += `<text x="12" y="${(T + H - B) / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 ${(T + H - B) / 2})">${esc(yLabel)}</text>`;
  series.forEach((s, i) => {
    const pts = s.values.map((v, k) => (v === null || k < xMin ? null : `${x(k).toFixed(1)},${y(v).toFixed(1)}`)).filter((p): p is string => p !== null);
    svg += `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="1.6" points="${pts.join(' ')}"/>`;
    svg += `<rect x="${W - R + 10}" y="${T + i * 16}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${W - R + 24}" y="${T + i * 16 + 9}" font-size="11">${esc(s.name)}</text>`;
  });
  return `${svg}</svg>`;
}

function heatColor(f: number): string {
  // 0 → pale yellow, 1 → dark red (sequential, readable in print).
  const r = Math.round(255 - 90 * f);
  const g = Math.round(245 - 225 * f);
  const b = Math.round(200 - 180 * f);
  return `rgb(${r},${g},${b})`;
}

function heatMap(run: ReplayRun, names: readonly string[]): string {
  const n = run.nodeUsedMilli.length;
  const cols = Math.max(1, Math.ceil(Math.sqrt(n * 1.6)));
  const cell = 9;
  const rows = Math.ceil(n / cols);
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * cell}" height="${rows * cell + 4}" role="img" aria-label="GPU allocation per node, ${esc(run.policy)}">`;
  for (let i = 0; i < n; i++) {
    const cap = run.nodeGpuMilli[i];
    const f = cap > 0 ? run.nodeUsedMilli[i] / cap : 0;
    svg += `<rect x="${(i % cols) * cell}" y="${Math.floor(i / cols) * cell}" width="${cell - 1}" height="${cell - 1}" fill="${cap > 0 ? heatColor(f) : '#ddd'}"><title>${esc(names[i] ?? String(i))}: ${(f * 100).toFixed(0)}% of ${cap / 1000} GPUs</title></rect>`;
  }
  return `${svg}</svg>`;
}

/** The report as one HTML string. */
export function renderReport(r: ReportInput): string {
  const policies = r.summaries.map((s) => s.policy);
  const curve = (key: 'allocationRatio' | 'fragmentationAmount' | 'fragmentationRatio') =>
    policies.map((p) => ({ name: p, values: meanCurve(r.runs.filter((x) => x.policy === p).map((x) => x[key])) }));
  const firstRuns = policies.map((p) => r.runs.find((x) => x.policy === p)).filter((x): x is ReplayRun => x !== undefined);
  const heat = firstRuns
    .map((run) => {
      const used = run.nodeUsedMilli.reduce((a, b) => a + b, 0);
      const cap = run.nodeGpuMilli.reduce((a, b) => a + b, 0);
      return `<figure><figcaption><b>${esc(run.policy)}</b>, seed ${run.seed}: ${fmt((used / cap) * 100)}% of GPU milli allocated</figcaption>${heatMap(run, r.nodeNames)}</figure>`;
    })
    .join('\n');
  const head = REPORT_POINTS.map((x) => `<th>${x}%</th>`).join('');
  const rows = r.summaries
    .map((s) => {
      const cells = REPORT_POINTS.map((x) => {
        const a = s.at[String(x)];
        return `<td>${fmt(a.mean)} ± ${fmt(a.std)}${a.published !== null ? `<br><small>study ${fmt(a.published)}</small>` : ''}</td>`;
      }).join('');
      return `<tr><th>${esc(s.policy)}</th>${cells}<td>${fmt(s.fragmentationAmount.mean)}${s.fragmentationAmount.published !== null ? `<br><small>study ${fmt(s.fragmentationAmount.published)}</small>` : ''}</td><td>${fmt(s.failed, 0)}</td><td>${s.decisionsPerSecond.toLocaleString('en-US')}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1280px}
.charts{display:flex;flex-wrap:wrap;gap:12px}.heat{display:flex;flex-wrap:wrap;gap:18px}
figure{margin:0}figcaption{font-size:13px;margin-bottom:4px}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th:first-child{text-align:left}
small{color:#666}
</style></head><body>
<h1>${esc(r.title)}</h1>
<p>${r.facts.map(esc).join('<br>')}</p>
<h2>Curves (mean across seeds)</h2>
<div class="charts">
${lineChart('GPU allocation ratio', '% of GPU capacity', curve('allocationRatio'))}
${lineChart('GPU allocation ratio, 80–130% arrived', '% of GPU capacity', curve('allocationRatio'), 80, 100, 80)}
${lineChart('Fragmentation amount', '% of GPU capacity', curve('fragmentationAmount'))}
${lineChart('Fragmentation ratio', '% of idle GPU', curve('fragmentationRatio'), 0, 100)}
</div>
<h2>GPU allocation per node at the end (first seed; one square per node, darker = fuller, grey = no GPU)</h2>
<div class="heat">
${heat}
</div>
<h2>Summary: GPU allocation ratio (%) at arrived workload, mean ± sample std over seeds</h2>
<table><thead><tr><th>policy</th>${head}<th>fragmentation amount at 130%</th><th>failed pods (mean)</th><th>decisions/s</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<p><small>Study figures: Weng et al., "Beware of Fragmentation", USENIX ATC'23, on Alibaba's openb trace (cluster-trace-gpu-v2023), 10 seeds, tune 1.3.</small></p>
</body></html>
`;
}
