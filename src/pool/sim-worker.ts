/**
 * Piscina worker for openb replay sweeps (src/pool/sweep.ts): one message = one (policy, seed)
 * replay, work of a few hundred milliseconds. Workloads are read once per worker and kept by
 * file pair; the WebAssembly kernel is compiled once per worker (src/core/wasm.ts caches it).
 */
import { replayPolicy } from '../sim/openb/policies.js';
import { backendNamed, type ReplayRun, runReplay } from '../sim/openb/replay.js';
import { loadWorkload, type Workload } from '../sim/openb/workload.js';

/** One replay to run. */
export interface SimTask {
  nodesFile: string;
  podsFile: string;
  policy: string;
  seed: number;
  tune: number;
  backend: 'wasm' | 'ts';
}

const workloads = new Map<string, Workload>();

/** Run one replay (also callable in-process). */
export function runSimTask(t: SimTask): ReplayRun {
  const key = `${t.nodesFile}\u0000${t.podsFile}`;
  let w = workloads.get(key);
  if (!w) {
    w = loadWorkload(t.nodesFile, t.podsFile);
    workloads.set(key, w);
  }
  return runReplay({ ...w, policy: replayPolicy(t.policy), seed: t.seed, tune: t.tune, backend: backendNamed(t.backend) });
}

export default async function simWorker(t: SimTask): Promise<ReplayRun> {
  return runSimTask(t);
}
