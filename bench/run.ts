/**
 * Benchmark entry: `npx tsx bench/run.ts [--filter <name or label>] [--quick]` (npm run bench).
 * Runs the scenarios of bench/scenarios.ts in order, prints one table and writes
 * bench/results/<scenario>.json per scenario (machine, Node version, medians, p99, ratios).
 * A scenario that fails is reported and the others still run; the exit code is then 1.
 */
import { fmt, formatTable, machine, writeResult, type Row } from './lib/harness.js';
import type { Runner } from './lib/runner.js';
import { select, type ScenarioKind } from './scenarios.js';
import { runBackends } from './runners/backends.js';
import { runDes } from './runners/des.js';
import { runFairshare } from './runners/fairshare.js';
import { runGang } from './runners/gang.js';
import { runHierarchy } from './runners/hierarchy.js';
import { runKernel } from './runners/kernel.js';
import { runOpenb } from './runners/openb.js';
import { runPlacement } from './runners/placement.js';
import { runSweep } from './runners/sweep.js';
import { runVictims } from './runners/victims.js';
import { runWorker } from './runners/worker.js';

const RUNNERS: Record<ScenarioKind, Runner> = {
  kernel: runKernel,
  placement: runPlacement,
  backends: runBackends,
  openb: runOpenb,
  sweep: runSweep,
  fairshare: runFairshare,
  victims: runVictims,
  gang: runGang,
  des: runDes,
  hierarchy: runHierarchy,
  worker: runWorker,
};

function args(argv: string[]): { filter?: string; quick: boolean } {
  let filter: string | undefined;
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') quick = true;
    else if (argv[i] === '--filter') filter = argv[++i];
    else if (argv[i].startsWith('--filter=')) filter = argv[i].slice(9);
    else {
      console.error(`unknown argument ${argv[i]}; usage: bench/run.ts [--filter <name or label>] [--quick]`);
      process.exit(2);
    }
  }
  return { filter, quick };
}

async function main(): Promise<void> {
  const { filter, quick } = args(process.argv.slice(2));
  const scenarios = select(filter, quick);
  if (scenarios.length === 0) {
    console.error(`no scenario matches "${filter}"`);
    process.exit(2);
  }
  const m = machine();
  console.log(`hetpool bench${quick ? ' (quick)' : ''}: ${scenarios.length} scenario(s) on ${m.cpu} × ${m.cores}, ${m.memoryGiB} GiB, Node ${m.node}, load average ${m.loadAverage1m}`);
  const rows: Row[] = [];
  let failed = 0;
  const t0 = Date.now();
  for (const s of scenarios) {
    const ts = Date.now();
    process.stdout.write(`• ${s.name} … `);
    try {
      const out = await RUNNERS[s.kind](s);
      rows.push(...out.rows);
      const file = writeResult(s.name, { kind: s.kind, quick, labels: s.labels, rows: out.rows, ...out.data });
      console.log(`${fmt((Date.now() - ts) / 1000)} s → ${file.replace(`${process.cwd()}/`, '')}`);
    } catch (e) {
      failed++;
      console.log(`FAILED: ${(e as Error).stack ?? e}`);
    }
  }
  console.log(`\n${formatTable(rows)}\n\n${scenarios.length - failed}/${scenarios.length} scenario(s) in ${fmt((Date.now() - t0) / 1000)} s`);
  if (failed) process.exitCode = 1;
}

await main();
