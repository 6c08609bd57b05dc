/**
 * Render bench/results/*.json as the markdown table of docs/performance.md:
 * `npx tsx bench/report.ts` (after `npm run bench`). Scenario order follows bench/scenarios.ts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, type Row } from './lib/harness.js';
import { SCENARIOS } from './scenarios.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'results');
const cell = (v: number | undefined, unit: string): string => (v === undefined ? '' : `${fmt(v, v < 10 ? 2 : 1)} ${unit}`);
const lines = ['| scenario | variant | median | p99 | ops/s | ratio | target | reached? | note |', '|---|---|--:|--:|--:|--:|---|---|---|'];
let machine: Record<string, unknown> | undefined;
for (const s of SCENARIOS) {
  const file = join(dir, `${s.name}.json`);
  if (!existsSync(file)) continue;
  const d = JSON.parse(readFileSync(file, 'utf8')) as { rows: Row[]; machine: Record<string, unknown>; quick: boolean };
  machine ??= d.machine;
  for (const r of d.rows) {
    lines.push(`| ${r.scenario}${d.quick ? ' (quick)' : ''} | ${r.variant} | ${cell(r.median, r.unit)} | ${cell(r.p99, r.unit)} | ${r.opsPerSec === undefined ? '' : fmt(r.opsPerSec, 0)} | ${r.ratio === undefined ? '' : `${fmt(r.ratio, r.ratio < 1.1 && r.ratio > 0.9 ? 3 : 2)}× ${r.ratioOf ?? ''}`} | ${r.target ?? ''} | ${r.reached === undefined ? '' : r.reached ? 'yes' : '**no**'} | ${r.note ?? ''} |`);
  }
}
if (machine) console.log(`Machine: ${JSON.stringify(machine)}\n`);
console.log(lines.join('\n'));
