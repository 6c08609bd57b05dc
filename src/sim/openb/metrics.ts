/**
 * The study's report (fixtures/openb/README.md step 8): values at arrived workload x = 0..130 (%
 * of GPU capacity), x = round(arrived / capacity × 100); the value at x is the mean of the events
 * with that x, else of those within x ± 1 (null when there are none either).
 */

/** Last index of the report arrays: 130% arrived. */
export const REPORT_MAX_PERCENT = 130;

/** The three curves, 131 numbers each (index = arrived %). */
export interface ReplayCurves {
  allocationRatio: Array<number | null>;
  fragmentationAmount: Array<number | null>;
  fragmentationRatio: Array<number | null>;
}

/**
 * Curves from per-event series: `arrived`, `used` and `frag` in milli-GPU after each pod.
 */
export function curvesOf(arrived: ArrayLike<number>, used: ArrayLike<number>, frag: ArrayLike<number>, capacityMilli: number): ReplayCurves {
  const K = REPORT_MAX_PERCENT + 1;
  const sums = [new Float64Array(K), new Float64Array(K), new Float64Array(K)];
  const counts = new Int32Array(K);
  for (let e = 0; e < arrived.length; e++) {
    const x = Math.round((arrived[e] / capacityMilli) * 100);
    if (x < 0 || x >= K) continue;
    const idle = capacityMilli - used[e];
    sums[0][x] += (used[e] / capacityMilli) * 100;
    sums[1][x] += (frag[e] / capacityMilli) * 100;
    sums[2][x] += idle > 0 ? (frag[e] / idle) * 100 : 0;
    counts[x]++;
  }
  const at = (k: number): Array<number | null> => {
    const out: Array<number | null> = [];
    for (let x = 0; x < K; x++) {
      if (counts[x] > 0) {
        out.push(sums[k][x] / counts[x]);
        continue;
      }
      let s = 0;
      let c = 0;
      for (let y = Math.max(0, x - 1); y <= Math.min(K - 1, x + 1); y++) {
        s += sums[k][y];
        c += counts[y];
      }
      out.push(c > 0 ? s / c : null);
    }
    return out;
  };
  return { allocationRatio: at(0), fragmentationAmount: at(1), fragmentationRatio: at(2) };
}
