/**
 * `hetpool simulate`: replay an openb-format trace (or hetpool JSON cluster + task list) with the
 * FGD study's protocol under one or more policies and seeds; print a summary table, optionally
 * write the per-run JSON and a self-contained HTML report. Runs go to a Piscina pool.
 */
import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { HetpoolError } from '../../model/errors.js';
import { replayPolicies } from '../../sim/openb/policies.js';
import { summarise, type PolicySummary } from '../../sim/openb/summary.js';
import { loadWorkload } from '../../sim/openb/workload.js';
import { renderReport } from '../../sim/report/html.js';
import { runSweep } from '../../pool/sweep.js';
import { writeFileAtomic, writeJsonFile } from '../io.js';

/** Parse `42-51`, `42,45,50` or `42` into a list of seeds. */
export function parseSeeds(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec.split(',').map((s) => s.trim()).filter((s) => s.length > 0)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new HetpoolError('invalid-input', '--seeds', `must be a list of integers or ranges like 42-51, got "${spec}"`);
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    if (b < a || b - a > 10_000 || b > 0xffffffff) throw new HetpoolError('invalid-input', '--seeds', `bad range "${part}"`);
    for (let s = a; s <= b; s++) out.push(s);
  }
  if (out.length === 0) throw new HetpoolError('invalid-input', '--seeds', 'must name at least one seed');
  return [...new Set(out)];
}

function positive(name: string, raw: string, integer: boolean): number {
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) throw new HetpoolError('invalid-input', name, `must be a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  return v;
}

const f2 = (v: number | null): string => (v === null || Number.isNaN(v) ? '—' : v.toFixed(2));

/** The summary table printed to stdout. */
export function summaryTable(summaries: readonly PolicySummary[]): string {
  const rows = [['policy', 'seeds', 'alloc@130% mean ± std', 'study', 'frag@130%', 'failed', 'decisions/s']];
  for (const s of summaries) {
    rows.push([s.policy, String(s.seeds.length), `${f2(s.mean)} ± ${f2(s.std)}`, s.published === null ? '—' : `${f2(s.published)} ± ${f2(s.publishedStd)}`, f2(s.fragmentationAmount.mean), s.failed.toFixed(0), s.decisionsPerSecond.toLocaleString('en-US')]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}

interface SimulateOptions {
  nodes: string;
  pods: string;
  policy: string;
  seeds: string;
  tune: string;
  json?: string;
  report?: string;
  workers?: string;
  backend: string;
}

/** Register `simulate` on `program`. */
export function register(program: Command): void {
  program
    .command('simulate')
    .description('replay an openb GPU-sharing trace with the FGD study protocol and compare policies')
    .requiredOption('--nodes <file>', 'node list: openb CSV (sn,cpu_milli,memory_mib,gpu,model) or hetpool cluster JSON')
    .requiredOption('--pods <file>', 'pod list: openb CSV (name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,…) or hetpool task list JSON')
    .option('--policy <names>', 'comma-separated: random, dotprod, gpu-clustering, gpu-packing, bestfit, fgd, hetpool', 'fgd,hetpool')
    .option('--seeds <list>', 'seeds: 42-51, 42,43 or 42', '42-51')
    .option('--tune <x>', 'inflate the workload to x × GPU capacity', '1.3')
    .option('--json <file>', 'write every run and the summary as JSON')
    .option('--report <file>', 'write a self-contained HTML report')
    .option('--workers <n>', 'worker threads (default: min(cores, runs))')
    .option('--backend <name>', 'wasm (the kernel) or ts (its TypeScript twin)', 'wasm')
    .action(async (o: SimulateOptions) => {
      if (o.backend !== 'wasm' && o.backend !== 'ts') throw new HetpoolError('invalid-input', '--backend', `must be wasm or ts, got "${o.backend}"`);
      const policies = replayPolicies(o.policy, '--policy');
      const seeds = parseSeeds(o.seeds);
      const tune = positive('--tune', o.tune, false);
      const runsCount = policies.length * seeds.length;
      const workers = o.workers === undefined ? Math.min(availableParallelism(), runsCount) : positive('--workers', o.workers, true);
      const workload = loadWorkload(o.nodes, o.pods); // validate before any worker starts
      const bar = process.stderr.isTTY && !process.env.CI ? new cliProgress.SingleBar({ format: 'simulate [{bar}] {value}/{total} runs', stream: process.stderr }, cliProgress.Presets.shades_classic) : null;
      bar?.start(runsCount, 0);
      const t0 = performance.now();
      const runs = await runSweep({
        nodesFile: o.nodes,
        podsFile: o.pods,
        workload,
        policies: policies.map((p) => p.name),
        seeds,
        tune,
        backend: o.backend,
        workers,
        onProgress: (done) => bar?.update(done),
      }).finally(() => bar?.stop());
      const wallMs = performance.now() - t0;
      const summaries = policies.map((p) => summarise(p, runs));
      process.stdout.write(`${summaryTable(summaries)}\n`);
      process.stdout.write(`${runsCount} run(s) in ${(wallMs / 1000).toFixed(1)} s on ${workers} worker(s), backend ${o.backend}; ${workload.nodes.length} nodes, ${workload.pods.length} pods, ${workload.typical.length} typical pods\n`);
      if (o.json) {
        writeJsonFile(o.json, {
          nodes: o.nodes,
          pods: o.pods,
          tune,
          seeds,
          backend: o.backend,
          runs: runs.map((r) => ({
            policy: r.policy,
            seed: r.seed,
            allocationRatio: r.allocationRatio,
            fragmentationAmount: r.fragmentationAmount,
            fragmentationRatio: r.fragmentationRatio,
            scheduled: r.scheduled,
            failed: r.failed,
            decisionsPerSecond: r.decisionsPerSecond,
          })),
          summary: Object.fromEntries(summaries.map((s) => [s.policy, s])),
        });
      }
      if (o.report) {
        writeFileAtomic(o.report, renderReport({
          title: 'hetpool simulate: openb trace replay',
          facts: [`nodes: ${o.nodes} (${workload.nodes.length})`, `pods: ${o.pods} (${workload.pods.length})`, `seeds: ${seeds.join(', ')}; tune ${tune}; backend ${o.backend}`],
          runs,
          summaries,
          nodeNames: workload.nodes.map((n) => n.name),
        }));
      }
    });
}
