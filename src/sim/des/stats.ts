/** Small order statistics for simulation metrics. */

/** Nearest-rank percentile (Hyndman & Fan definition 1): the ⌈p·n⌉-th smallest value; 0 for no data. */
export function percentileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const rank = Math.min(n, Math.max(1, Math.ceil(p * n)));
  return sorted[rank - 1];
}

/** Summary of waiting times in seconds. */
export interface WaitStats {
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

/** Mean, p50, p99 and max of the first `n` values of `values` (sorts that prefix in place). */
export function waitStats(values: Float64Array, n: number): WaitStats {
  if (n === 0) return { mean: 0, p50: 0, p99: 0, max: 0 };
  const v = values.subarray(0, n).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += v[i];
  return { mean: sum / n, p50: percentileSorted(v, 0.5), p99: percentileSorted(v, 0.99), max: v[n - 1] };
}
