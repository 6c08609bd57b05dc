/**
 * A Piscina sweep of openb replays (policies × seeds) on a 2-thread pool versus one thread (the
 * sweep's in-process path), wall time. Target: speed-up ≥ 1.6× on 2 cores. `runSweep` starts and
 * ends its pool per call, so its time includes starting the workers (from source: tsx compiles
 * the modules in each worker); a second figure runs the same replays on a warm 2-thread pool.
 */
import { Piscina } from 'piscina';
import type { ReplayRun } from '../../src/sim/openb/replay.js';
import type { SimTask } from '../../src/pool/sim-worker.js';
import { runSweep as sweep, simWorkerEntry } from '../../src/pool/sweep.js';
import { wallMs, type Row } from '../lib/harness.js';
import { num, str, type RunnerOutput } from '../lib/runner.js';
import type { Scenario } from '../scenarios.js';
import { OPENB_NODES, OPENB_PODS } from './openb.js';

export async function runSweep(s: Scenario): Promise<RunnerOutput> {
  const base = { nodesFile: OPENB_NODES, podsFile: OPENB_PODS, policies: str(s, 'policies').split(','), seeds: str(s, 'seeds').split(',').map(Number), tune: num(s, 'tune'), backend: 'wasm' as const };
  const runs = base.policies.length * base.seeds.length;
  await sweep({ ...base, seeds: [base.seeds[0]], policies: [base.policies[0]], workers: 1 }); // warm-up (workload cache, JIT)
  const one = await wallMs(() => sweep({ ...base, workers: 1 }));
  const two = await wallMs(() => sweep({ ...base, workers: 2 }));
  const speedup = one.ms / two.ms;
  // the same replays on a pool started (and warmed with one replay per thread) before timing
  const entry = simWorkerEntry();
  const pool = new Piscina<SimTask, ReplayRun>({ filename: entry.filename, execArgv: entry.execArgv, minThreads: 2, maxThreads: 2 });
  const tasks: SimTask[] = base.policies.flatMap((policy) => base.seeds.map((seed) => ({ nodesFile: base.nodesFile, podsFile: base.podsFile, policy, seed, tune: base.tune, backend: base.backend })));
  let warm: { ms: number } = { ms: Number.NaN };
  try {
    await Promise.all([pool.run(tasks[0]), pool.run(tasks[0])]);
    warm = await wallMs(() => Promise.all(tasks.map((t) => pool.run(t))));
  } finally {
    await pool.destroy();
  }
  const warmSpeedup = one.ms / warm.ms;
  const rows: Row[] = [
    { scenario: s.name, variant: `${runs} replays, 1 thread`, median: one.ms, unit: 'ms', opsPerSec: (runs / one.ms) * 1000 },
    { scenario: s.name, variant: `${runs} replays, 2 threads`, median: two.ms, unit: 'ms', opsPerSec: (runs / two.ms) * 1000, ratio: speedup, ratioOf: 'speed-up', target: '≥ 1.6×', reached: speedup >= 1.6, note: 'runSweep: includes worker start-up' },
    { scenario: s.name, variant: `${runs} replays, 2 threads, warm pool`, median: warm.ms, unit: 'ms', opsPerSec: (runs / warm.ms) * 1000, ratio: warmSpeedup, ratioOf: 'speed-up', target: '≥ 1.6×', reached: warmSpeedup >= 1.6 },
  ];
  return { rows, data: { params: s.params, runs, oneThreadMs: one.ms, twoThreadsMs: two.ms, speedup, warmPoolMs: warm.ms, warmSpeedup } };
}
