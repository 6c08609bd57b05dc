/**
 * TypeScript twin of assembly/topology.ts: the same two searches over the same flat columns,
 * written for clarity. Tests hold the kernel equal to this on random inputs; the binding falls
 * back to it when the kernel is not built. Integer arithmetic only, so results match bit for bit.
 *
 * 1. bestDeviceSet — choose k of a node's free devices with the best interconnect.
 *    Order (lexicographic): lowest worst-pair affinity class (island < PCIe switch < NUMA <
 *    cross-socket; class 4 = no path is forbidden), then highest bottleneck (min pairwise)
 *    bandwidth, then lowest sum of pairwise latency, then the lexicographically smallest index
 *    set. Exact branch and bound when ≤ EXACT_MAX free devices (at most C(16,8) = 12,870 leaves,
 *    pruned as soon as a partial set cannot beat the best: adding a device never lowers the class,
 *    raises the bandwidth or lowers the latency sum). Above that a greedy: from each seed, add the
 *    device that keeps the key best; O(m²·k) for m free devices.
 *
 * 2. placeGang — place m members (each needing d devices on one node, d = 0 for CPU-only) on
 *    candidate nodes sorted by (site, spine, leaf). For each tier level t = 0..maxTier and each
 *    domain at that level (a node, a leaf, a spine group, a site, everything — contiguous runs of
 *    the sorted candidates; a domain with the same nodes as one a level below is skipped) a greedy
 *    assigns members in the given order (callers sort by demand,
 *    largest first) to the node that: already hosts a member, then has the highest bandwidth to
 *    tier t, then the highest base score, then the lowest index. Every feasible result is scored
 *      cost = 100·tier + (tier > softTier ? softPenalty : 0) + degradedPenalty·(nodes whose
 *             uplinks up to `tier` include a degraded link)            (lower is better)
 *      bw   = min over used nodes of cum[tier]  (BW_UNLIMITED when on one node)   (higher)
 *      base = Σ over members of base[node] (0..100 each, e.g. binpack or spread)  (higher)
 *    and the best (cost, bw, base), first found on ties, wins. Capacity and slot sums are 64-bit
 *    (slots may be 0x7fffffff = unlimited); callers keep cost within i32 (penalties ≤ 10⁶,
 *    degradedPenalty ≤ 10⁴, m ≤ 4096). For members of equal demand the
 *    greedy is exact for feasibility, so the tier found is the lowest feasible one.
 */

export const TOPOLOGY_ABI = 1;
export const STATUS_OK = 0;
export const STATUS_NO_FIT = 1;
export const STATUS_BAD_INPUT = 2;
export const STATUS_UNSORTED = 3;

/** Free devices up to which the device-set search is exact. */
export const EXACT_MAX = 16;
/** Most devices per node the device-set search accepts. */
export const MAX_DEVICES = 64;
/** Pairwise latency is clamped to this (ns) so that a sum over ≤ 2016 pairs fits in i32. */
export const MAX_PAIR_LATENCY_NS = (1 << 19) - 1;
/** Affinity class that forbids a pair. */
export const CLASS_NO_PATH = 4;
export const BW_UNLIMITED = 0x7fffffff;

/** Result key of the device-set search. */
export interface DeviceSetKey {
  status: number;
  cls: number;
  bw: number;
  lat: number;
}

const better = (c1: number, b1: number, l1: number, c2: number, b2: number, l2: number): boolean =>
  c1 < c2 || (c1 === c2 && (b1 > b2 || (b1 === b2 && l1 < l2)));

/**
 * Twin of `bestDeviceSet`. `cls` (u8), `bw`, `lat` (i32) are n×n row-major; `free` (u8) n flags.
 * Writes the chosen device indices, ascending, to out[0..k).
 */
export function bestDeviceSetRef(n: number, k: number, cls: Uint8Array, bw: Int32Array, lat: Int32Array, free: Uint8Array, out: Int32Array): DeviceSetKey {
  const none: DeviceSetKey = { status: STATUS_NO_FIT, cls: 0, bw: 0, lat: 0 };
  if (n < 0 || n > MAX_DEVICES || k < 1 || k > n) return { ...none, status: STATUS_BAD_INPUT };
  const f: number[] = [];
  for (let i = 0; i < n; i++) if (free[i] !== 0) f.push(i);
  const m = f.length;
  if (m < k) return none;
  let bestC = 0x7fffffff;
  let bestB = 0;
  let bestL = 0x7fffffff;
  let found = false;
  const lt = (i: number, j: number): number => Math.min(lat[i * n + j], MAX_PAIR_LATENCY_NS);
  if (m <= EXACT_MAX) {
    const chosen = new Int32Array(k);
    const rec = (start: number, depth: number, c: number, b: number, l: number): void => {
      for (let p = start; p <= m - (k - depth); p++) {
        const x = f[p];
        let nc = c;
        let nb = b;
        let nl = l;
        let ok = true;
        for (let q = 0; q < depth; q++) {
          const y = chosen[q];
          const cc = cls[y * n + x];
          if (cc >= CLASS_NO_PATH) {
            ok = false;
            break;
          }
          if (cc > nc) nc = cc;
          const bb = bw[y * n + x];
          if (bb < nb) nb = bb;
          nl += lt(y, x);
        }
        if (!ok) continue;
        if (found && !better(nc, nb, nl, bestC, bestB, bestL)) continue;
        chosen[depth] = x;
        if (depth + 1 === k) {
          bestC = nc;
          bestB = nb;
          bestL = nl;
          found = true;
          for (let q = 0; q < k; q++) out[q] = chosen[q];
        } else {
          rec(p + 1, depth + 1, nc, nb, nl);
        }
      }
    };
    rec(0, 0, 0, BW_UNLIMITED, 0);
  } else {
    const inSet = new Uint8Array(n);
    const cc = new Int32Array(n);
    const cb = new Int32Array(n);
    const cl = new Int32Array(n);
    const set = new Int32Array(k);
    for (let s = 0; s < m; s++) {
      inSet.fill(0);
      const seed = f[s];
      inSet[seed] = 1;
      set[0] = seed;
      let c = 0;
      let b = BW_UNLIMITED;
      let l = 0;
      for (let p = 0; p < m; p++) {
        const x = f[p];
        cc[x] = cls[seed * n + x];
        cb[x] = bw[seed * n + x];
        cl[x] = lt(seed, x);
      }
      let size = 1;
      while (size < k) {
        let pick = -1;
        let pc = 0;
        let pb = 0;
        let pl = 0;
        for (let p = 0; p < m; p++) {
          const x = f[p];
          if (inSet[x] !== 0 || cc[x] >= CLASS_NO_PATH) continue;
          const nc = cc[x] > c ? cc[x] : c;
          const nb = cb[x] < b ? cb[x] : b;
          const nl = l + cl[x];
          if (pick < 0 || better(nc, nb, nl, pc, pb, pl)) {
            pick = x;
            pc = nc;
            pb = nb;
            pl = nl;
          }
        }
        if (pick < 0) break;
        inSet[pick] = 1;
        set[size++] = pick;
        c = pc;
        b = pb;
        l = pl;
        for (let p = 0; p < m; p++) {
          const x = f[p];
          const y = cls[pick * n + x];
          if (y > cc[x]) cc[x] = y;
          const z = bw[pick * n + x];
          if (z < cb[x]) cb[x] = z;
          cl[x] += lt(pick, x);
        }
      }
      if (size < k) continue;
      if (found && !better(c, b, l, bestC, bestB, bestL)) continue;
      found = true;
      bestC = c;
      bestB = b;
      bestL = l;
      // Ascending order, as the exact search reports.
      let w = 0;
      for (let i = 0; i < n; i++) if (inSet[i] !== 0) out[w++] = i;
    }
  }
  if (!found) return none;
  return { status: STATUS_OK, cls: bestC, bw: bestB, lat: bestL };
}

/** Candidate columns of a gang placement (length c; cum is c×4). */
export interface GangColumns {
  leaf: Int32Array;
  spine: Int32Array;
  site: Int32Array;
  free: Int32Array;
  slots: Int32Array;
  base: Int32Array;
  cum: Int32Array;
  deg: Int32Array;
}

/** Scoring knobs of a gang placement. */
export interface GangKnobs {
  maxTier: number;
  softTier: number;
  softPenalty: number;
  degradedPenalty: number;
}

/** Result key of a gang placement. */
export interface GangKey {
  status: number;
  tier: number;
  cost: number;
  bw: number;
  base: number;
}

/** Twin of `placeGang`: writes the candidate index of each member to out[0..m). */
export function placeGangRef(c: number, col: GangColumns, m: number, demand: Int32Array, knobs: GangKnobs, out: Int32Array): GangKey {
  const { leaf, spine, site, free, slots, base, cum, deg } = col;
  const none: GangKey = { status: STATUS_NO_FIT, tier: 0, cost: 0, bw: 0, base: 0 };
  if (c < 0 || m < 1) return { ...none, status: STATUS_BAD_INPUT };
  for (let i = 0; i < m; i++) if (demand[i] < 0) return { ...none, status: STATUS_BAD_INPUT };
  for (let j = 1; j < c; j++) {
    const a = j - 1;
    if (site[a] > site[j] || (site[a] === site[j] && (spine[a] > spine[j] || (spine[a] === spine[j] && leaf[a] > leaf[j])))) return { ...none, status: STATUS_UNSORTED };
  }
  let total = 0;
  for (let i = 0; i < m; i++) total += demand[i];
  const rem = new Int32Array(c);
  const cnt = new Int32Array(c);
  const tmp = new Int32Array(m);
  let found = false;
  let bCost = 0;
  let bBw = 0;
  let bBase = 0;
  let bTier = 0;
  const top = knobs.maxTier < 4 ? knobs.maxTier : 4;

  const tryDomain = (s: number, e: number, t: number): void => {
    let cap = 0;
    let slotSum = 0;
    for (let j = s; j < e; j++) {
      rem[j] = free[j];
      cnt[j] = 0;
      if (t === 0 || leaf[j] >= 0) {
        cap += free[j];
        slotSum += slots[j];
      }
    }
    if (cap < total || slotSum < m) return;
    const lvl = t === 0 ? 0 : t - 1;
    for (let i = 0; i < m; i++) {
      const d = demand[i];
      let pick = -1;
      for (let j = s; j < e; j++) {
        if ((t > 0 && leaf[j] < 0) || rem[j] < d || cnt[j] >= slots[j]) continue;
        if (pick < 0) {
          pick = j;
          continue;
        }
        const uj = cnt[j] > 0 ? 1 : 0;
        const up = cnt[pick] > 0 ? 1 : 0;
        if (uj !== up) {
          if (uj > up) pick = j;
          continue;
        }
        const bj = cum[j * 4 + lvl];
        const bp = cum[pick * 4 + lvl];
        if (bj !== bp) {
          if (bj > bp) pick = j;
          continue;
        }
        if (base[j] > base[pick]) pick = j;
      }
      if (pick < 0) return;
      tmp[i] = pick;
      rem[pick] -= d;
      cnt[pick]++;
    }
    const u0 = tmp[0];
    let tier = 0;
    for (let i = 1; i < m; i++) {
      const j = tmp[i];
      if (j === u0) continue;
      const tt = leaf[j] === leaf[u0] ? 1 : spine[j] === spine[u0] ? 2 : site[j] === site[u0] ? 3 : 4;
      if (tt > tier) tier = tt;
    }
    if (tier > knobs.maxTier) return;
    let bwv = BW_UNLIMITED;
    let degraded = 0;
    if (tier > 0) {
      for (let j = s; j < e; j++) {
        if (cnt[j] === 0) continue;
        const v = cum[j * 4 + tier - 1];
        if (v < bwv) bwv = v;
        if (((deg[j] >> tier) & 1) !== 0) degraded++;
      }
    }
    let cost = tier * 100 + degraded * knobs.degradedPenalty;
    if (tier > knobs.softTier) cost += knobs.softPenalty;
    let bs = 0;
    for (let i = 0; i < m; i++) bs += base[tmp[i]];
    if (found && !(cost < bCost || (cost === bCost && (bwv > bBw || (bwv === bBw && bs > bBase))))) return;
    found = true;
    bCost = cost;
    bBw = bwv;
    bBase = bs;
    bTier = tier;
    for (let i = 0; i < m; i++) out[i] = tmp[i];
  };

  for (let t = 0; t <= top; t++) {
    let s = 0;
    while (s < c) {
      let e = s + 1;
      if (t === 4) e = c;
      else if (t > 0) {
        while (
          e < c &&
          (t === 1 ? leaf[e] === leaf[s] : t === 2 ? spine[e] === spine[s] : site[e] === site[s])
        ) e++;
      }
      // A run of isolated nodes (leaf < 0) is only a domain at level 0. A domain that holds the
      // same nodes as one of the level below is skipped: that one ordered by the bandwidth of
      // the tier any result inside it can reach, so it is at least as good.
      let skip = t > 0 && t < 4 && leaf[s] < 0;
      if (t === 1) skip ||= e - s === 1;
      else if (t === 2) skip ||= leaf[s] === leaf[e - 1];
      else if (t === 3) skip ||= spine[s] === spine[e - 1];
      else if (t === 4) {
        let f = 0;
        while (f < c && leaf[f] < 0) f++;
        skip = f === c || site[f] === site[c - 1];
      }
      if (!skip) tryDomain(s, e, t);
      s = e;
    }
  }
  if (!found) return none;
  return { status: STATUS_OK, tier: bTier, cost: bCost, bw: bBw, base: bBase };
}
