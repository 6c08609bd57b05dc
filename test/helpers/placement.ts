/**
 * The placement decision by definition, for differential tests of the kernel, its twin, the index
 * and the scan: among present nodes that fit (nodeReason), the highest score (nodeScore), then the
 * smallest tie hash of (seed, slot). Reads task record 0 of `st`.
 */
import { PlacementLayout as L, type PlacementState } from '../../src/core/placement.js';
import { tieHash } from '../../src/reference/placement.js';

export function byDefinition(st: PlacementState, seed: number): number {
  let best = -1;
  let bestScore = -1;
  let bestHash = 0;
  for (let n = 0; n < st.nodeHighWater; n++) {
    if ((st.get(L.H_N_FLAGS, n) & L.NF_PRESENT) === 0 || st.nodeReason(0, n) >= 0) continue;
    const s = st.nodeScore(0, n);
    const h = tieHash(seed, n);
    if (s > bestScore || (s === bestScore && h < bestHash)) {
      best = n;
      bestScore = s;
      bestHash = h;
    }
  }
  return best;
}
