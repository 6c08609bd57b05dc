/**
 * Sweeps of openb replays (policies × seeds) over a Piscina pool. The worker is
 * `dist/sim-worker.js` when running the built package and `src/pool/sim-worker.ts` (loaded
 * through tsx) when running from source; one worker runs in-process.
 *
 * Where a 2-thread sweep used to lose time (docs/performance.md, "Sweep"): every worker parsed
 * the trace CSVs again (≈ 200 ms each, and the loaders — csv-parse, the zod schemas — made the
 * worker's start-up slow too). Now the trace is read once, here, and handed to each worker as
 * `workerData` (a structured clone of ≈ 0.8 MB); a result (131-point curves and two per-node
 * arrays) clones in 11–19 kB (≤ 0.1 ms), so messages stay one replay each.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { HetpoolError } from '../model/errors.js';
import { replayPolicy } from '../sim/openb/policies.js';
import type { ReplayRun } from '../sim/openb/replay.js';
import { loadWorkload, type Workload } from '../sim/openb/workload.js';
import { runSimTask, type SimTask, type SimWorkerData } from './sim-worker.js';

/** A sweep: every policy with every seed. */
export interface SweepOptions {
  nodesFile: string;
  podsFile: string;
  /** The workload already read from `nodesFile` and `podsFile`; read here (once) when absent. */
  workload?: Workload;
  policies: readonly string[];
  seeds: readonly number[];
  tune: number;
  backend: 'wasm' | 'ts';
  /** Worker threads; default min(cores, runs). 1 runs in this thread. */
  workers?: number;
  /** Called after each finished run with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** The worker file next to this module: built JavaScript, else the TypeScript source via tsx. */
export function simWorkerEntry(): { filename: string; execArgv: string[] } {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, 'sim-worker.js');
  if (existsSync(built)) return { filename: built, execArgv: [] };
  const source = join(here, 'sim-worker.ts');
  if (existsSync(source)) return { filename: source, execArgv: ['--import', 'tsx'] };
  throw new HetpoolError('internal', here, 'sim-worker not found next to the sweep module');
}

function checkOptions(o: SweepOptions): void {
  if (o.policies.length === 0) throw new HetpoolError('invalid-input', 'policies', 'must name at least one policy');
  o.policies.forEach((p, i) => replayPolicy(p, `policies[${i}]`));
  if (o.seeds.length === 0) throw new HetpoolError('invalid-input', 'seeds', 'must name at least one seed');
  o.seeds.forEach((s, i) => {
    if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) throw new HetpoolError('invalid-input', `seeds[${i}]`, `must be an integer in 0..2^32−1, got ${s}`);
  });
  if (!(o.tune > 0) || !Number.isFinite(o.tune)) throw new HetpoolError('invalid-input', 'tune', `must be a positive number, got ${o.tune}`);
  if (o.workers !== undefined && !(Number.isInteger(o.workers) && o.workers >= 1)) throw new HetpoolError('invalid-input', 'workers', `must be a positive integer, got ${o.workers}`);
}

/**
 * Run all (policy, seed) pairs; results in policy-major, seed-minor order. Options are checked
 * and the trace is read before any worker starts, so bad input fails here with a HetpoolError
 * naming the field, and no thread is started for it.
 */
export async function runSweep(o: SweepOptions): Promise<ReplayRun[]> {
  checkOptions(o);
  const tasks: SimTask[] = [];
  for (const policy of o.policies) {
    for (const seed of o.seeds) tasks.push({ policy, seed, tune: o.tune, backend: o.backend });
  }
  const workers = Math.min(o.workers ?? availableParallelism(), tasks.length);
  // Read the trace once, here: the in-process path replays it directly, workers get a clone.
  const workload = o.workload ?? loadWorkload(o.nodesFile, o.podsFile);
  let done = 0;
  const tick = (): void => {
    done++;
    o.onProgress?.(done, tasks.length);
  };
  if (workers === 1) {
    const out: ReplayRun[] = [];
    for (const t of tasks) {
      out.push(runSimTask(workload, t));
      tick();
    }
    return out;
  }
  const pool = startSimPool(workload, workers);
  try {
    return await runOnPool(pool, tasks, tick);
  } finally {
    await pool.destroy();
  }
}

/** A pool of `workers` replay threads (running `entry`), each handed `workload` once at start-up. */
export function startSimPool(workload: Workload, workers: number, entry = simWorkerEntry()): Piscina<SimTask, ReplayRun> {
  const workerData: SimWorkerData = { workload };
  return new Piscina<SimTask, ReplayRun>({ filename: entry.filename, execArgv: entry.execArgv, minThreads: workers, maxThreads: workers, workerData });
}

/**
 * Run `tasks` on `pool` and return their runs in the order of `tasks`; `onDone` is called after
 * each finished run. Piscina hands queued tasks out in submission order, one per idle worker
 * (`concurrentTasksPerWorker` 1), so each worker takes its next replay when it is done.
 */
export async function runOnPool(pool: Piscina<SimTask, ReplayRun>, tasks: readonly SimTask[], onDone?: () => void): Promise<ReplayRun[]> {
  return Promise.all(
    tasks.map(async (t) => {
      const r = await pool.run(t);
      onDone?.();
      return r;
    }),
  );
}
