/**
 * The typical-pod distribution M of FGD (fixtures/openb/README.md "Typical-pod distribution M"):
 * pods keyed by (cpu_milli, gpu_milli, num_gpu, gpu_spec), memory ignored; keys sorted by count
 * descending (ties: the larger tuple first); kept until their cumulative count reaches ≥ 95% of
 * pods. Probabilities are the kept counts over their sum, so integer counts serve as weights.
 */
import type { ReplayPod } from './types.js';

/** One typical pod and its count in the original list. */
export interface TypicalPod {
  cpuMilli: number;
  gpuMilli: number;
  numGpu: number;
  /** Allowed models joined by `|` in the given order; empty = any. */
  gpuSpec: string;
  count: number;
}

/** Coverage at which the study stops taking keys. */
export const TYPICAL_COVERAGE = 0.95;

function compareTuples(a: TypicalPod, b: TypicalPod): number {
  if (a.cpuMilli !== b.cpuMilli) return a.cpuMilli - b.cpuMilli;
  if (a.gpuMilli !== b.gpuMilli) return a.gpuMilli - b.gpuMilli;
  if (a.numGpu !== b.numGpu) return a.numGpu - b.numGpu;
  return a.gpuSpec < b.gpuSpec ? -1 : a.gpuSpec > b.gpuSpec ? 1 : 0;
}

/** All distinct keys of `pods` with their counts, most frequent first (ties: larger tuple first). */
export function podKeyCounts(pods: readonly ReplayPod[]): TypicalPod[] {
  const byKey = new Map<string, TypicalPod>();
  for (const p of pods) {
    const spec = p.gpuSpec.join('|');
    const key = `${p.cpuMilli},${p.gpuMilli},${p.numGpu},${spec}`;
    const t = byKey.get(key);
    if (t) t.count++;
    else byKey.set(key, { cpuMilli: p.cpuMilli, gpuMilli: p.gpuMilli, numGpu: p.numGpu, gpuSpec: spec, count: 1 });
  }
  return [...byKey.values()].sort((a, b) => b.count - a.count || compareTuples(b, a));
}

/** The typical pods M of `pods` (CPU-only pods included), with integer count weights. */
export function typicalPods(pods: readonly ReplayPod[], coverage = TYPICAL_COVERAGE): TypicalPod[] {
  const keys = podKeyCounts(pods);
  const out: TypicalPod[] = [];
  let covered = 0;
  for (const k of keys) {
    if (covered >= coverage * pods.length) break;
    out.push(k);
    covered += k.count;
  }
  return out;
}
