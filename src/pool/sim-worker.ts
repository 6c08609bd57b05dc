/**
 * Piscina worker for openb replay sweeps (src/pool/sweep.ts): one message = one (policy, seed)
 * replay, 50–100 ms of work. The workload arrives once per worker, in `workerData`: the main
 * thread reads and validates the trace files once and each worker receives a structured clone
 * (≈ 0.8 MB, ≈ 10 ms to decode) instead of parsing the CSVs again (≈ 200 ms). So this module
 * never imports the loaders (csv-parse, the zod schemas), which also keeps worker start-up
 * short. The WebAssembly kernel is compiled once per worker (src/core/wasm.ts caches it).
 */
import { workerData } from 'node:worker_threads';
import { HetpoolError } from '../model/errors.js';
import { replayPolicy } from '../sim/openb/policies.js';
import { backendNamed, type ReplayRun, runReplay } from '../sim/openb/replay.js';
import type { Workload } from '../sim/openb/workload.js';

/** One replay of a sweep; the workload is the sweep's, not part of the message. */
export interface SimTask {
  policy: string;
  seed: number;
  tune: number;
  backend: 'wasm' | 'ts';
}

/** What a sweep's pool hands each worker at start-up (Piscina's `workerData`). */
export interface SimWorkerData {
  workload: Workload;
}

/** Run one replay of `workload` (the in-process path of a sweep and the worker share this). */
export function runSimTask(workload: Workload, t: SimTask): ReplayRun {
  return runReplay({ ...workload, policy: replayPolicy(t.policy), seed: t.seed, tune: t.tune, backend: backendNamed(t.backend) });
}

const shared = (workerData as Partial<SimWorkerData> | null)?.workload;

/** Piscina's entry: one replay of the workload this worker was started with. */
export default function simWorker(t: SimTask): ReplayRun {
  if (!shared) throw new HetpoolError('internal', 'workerData.workload', 'sim-worker started without a workload: start it through runSweep');
  return runSimTask(shared, t);
}
