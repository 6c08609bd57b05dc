/**
 * Sweeps of openb replays (policies × seeds) over a Piscina pool. The worker is
 * `dist/sim-worker.js` when running the built package and `src/pool/sim-worker.ts` (loaded
 * through tsx) when running from source; one worker runs in-process.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { HetpoolError } from '../model/errors.js';
import type { ReplayRun } from '../sim/openb/replay.js';
import { runSimTask, type SimTask } from './sim-worker.js';

/** A sweep: every policy with every seed. */
export interface SweepOptions {
  nodesFile: string;
  podsFile: string;
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

/** Run all (policy, seed) pairs; results in policy-major, seed-minor order. */
export async function runSweep(o: SweepOptions): Promise<ReplayRun[]> {
  const tasks: SimTask[] = [];
  for (const policy of o.policies) {
    for (const seed of o.seeds) tasks.push({ nodesFile: o.nodesFile, podsFile: o.podsFile, policy, seed, tune: o.tune, backend: o.backend });
  }
  const workers = Math.max(1, Math.min(o.workers ?? availableParallelism(), tasks.length));
  let done = 0;
  const tick = (): void => {
    done++;
    o.onProgress?.(done, tasks.length);
  };
  if (workers === 1) {
    const out: ReplayRun[] = [];
    for (const t of tasks) {
      out.push(runSimTask(t));
      tick();
    }
    return out;
  }
  const entry = simWorkerEntry();
  const pool = new Piscina<SimTask, ReplayRun>({ filename: entry.filename, execArgv: entry.execArgv, minThreads: workers, maxThreads: workers });
  try {
    return await Promise.all(
      tasks.map(async (t) => {
        const r = await pool.run(t);
        tick();
        return r;
      }),
    );
  } finally {
    await pool.destroy();
  }
}
