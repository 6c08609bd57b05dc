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

/** 2: placeGang takes one scratch region (gangScratchBytes) instead of rem, cnt, tmp. */
export const TOPOLOGY_ABI = 2;
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
  /**
   * Identity of the fabric columns (leaf, spine, site, cum, deg). A caller that passes the same
   * object again promises those five are unchanged since, so an implementation may keep its own
   * copy of them (the WebAssembly binding keeps them in linear memory). Absent: no such promise.
   */
  fabricKey?: object;
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

// Scratch of the gang search, grown on demand and reused (no allocation per decision), in the
// kernel's layout: viable list, per viable position remaining devices and members, segments.
let gVia = new Int32Array(0);
let gRem = new Int32Array(0);
let gCnt = new Int32Array(0);
let gSeg = new Int32Array(1);
let gCap = new Float64Array(0);
let gSlot = new Float64Array(0);
let gUsed = new Int32Array(0);
let gTmp = new Int32Array(0);
let gBest = new Int32Array(0);

function gangScratch(c: number, m: number): void {
  if (gVia.length < c) {
    const n = Math.max(c, gVia.length * 2);
    gVia = new Int32Array(n);
    gRem = new Int32Array(n);
    gCnt = new Int32Array(n);
    gSeg = new Int32Array(n + 1);
    gCap = new Float64Array(n);
    gSlot = new Float64Array(n);
  }
  if (gTmp.length < m) {
    const n = Math.max(m, gTmp.length * 2);
    gUsed = new Int32Array(n);
    gTmp = new Int32Array(n);
    gBest = new Int32Array(n);
  }
}

/**
 * Twin of `placeGang`: writes the candidate index of each member to out[0..m). The kernel's
 * steps, one candidate at a time where the kernel takes four lanes:
 * 1. one pass over the candidates: order check; segments (maximal runs of equal (site, spine,
 *    leaf)) with their capacity and slot sums over non-isolated candidates, so that the
 *    capacity test of any domain costs its segments, not its candidates; the viable list —
 *    candidates that could host some member (slots ≥ 1, free ≥ smallest demand). A candidate
 *    off the list never passes `rem ≥ d, cnt < slots`, so the greedy scans only the list.
 * 2. per domain, the greedy of the header; "already hosts a member" is searched in the list of
 *    used nodes (≤ m) first, and only when none fits is the best unused node looked for — the
 *    same pick as one scan ordered by (used, bandwidth, base, index). An unused node fits
 *    member i iff free ≥ d (slots ≥ 1 by viability), and before member i at most i < m nodes
 *    are used, so the domain's m best viable nodes by (bandwidth, base, index), kept in one pass
 *    (the top list), hold the pick whenever one of them fits; only when none does and the list
 *    left nodes out (mixed demands) is the domain scanned.
 * 3. pruning that cannot change the result (penalties ≥ 0): the tier of a partial placement
 *    never falls as members are added, and cost ≥ 100·tier + soft(tier); once that bound
 *    exceeds the best cost found, the domain is abandoned.
 */
export function placeGangRef(c: number, col: GangColumns, m: number, demand: Int32Array, knobs: GangKnobs, out: Int32Array): GangKey {
  const { leaf, spine, site, free, slots, base, cum, deg } = col;
  const none: GangKey = { status: STATUS_NO_FIT, tier: 0, cost: 0, bw: 0, base: 0 };
  if (c < 0 || m < 1) return { ...none, status: STATUS_BAD_INPUT };
  let total = 0;
  let dmin = 0x7fffffff;
  for (let i = 0; i < m; i++) {
    const d = demand[i];
    if (d < 0) return { ...none, status: STATUS_BAD_INPUT };
    total += d;
    if (d < dmin) dmin = d;
  }
  gangScratch(c, m);
  const via = gVia;
  const rem = gRem;
  const cnt = gCnt;
  const seg = gSeg;
  const segCap = gCap;
  const segSlot = gSlot;
  const used = gUsed;
  const tmp = gTmp;
  const best = gBest;

  // Step 1: order, segments, viable list.
  let nv = 0;
  let ns = 0;
  for (let j = 0; j < c; j++) {
    if (j === 0 || site[j] !== site[j - 1] || spine[j] !== spine[j - 1] || leaf[j] !== leaf[j - 1]) {
      const a = j - 1;
      if (j > 0 && (site[a] > site[j] || (site[a] === site[j] && (spine[a] > spine[j] || (spine[a] === spine[j] && leaf[a] > leaf[j]))))) return { ...none, status: STATUS_UNSORTED };
      seg[ns] = j;
      segCap[ns] = 0;
      segSlot[ns] = 0;
      ns++;
    }
    if (leaf[j] >= 0) {
      segCap[ns - 1] += free[j];
      segSlot[ns - 1] += slots[j];
    }
    if (slots[j] > 0 && free[j] >= dmin) via[nv++] = j;
  }
  seg[ns] = c;

  let found = false;
  let bCost = 0;
  let bBw = 0;
  let bBase = 0;
  let bTier = 0;
  const top = knobs.maxTier < 4 ? knobs.maxTier : 4;
  const prune = knobs.softPenalty >= 0 && knobs.degradedPenalty >= 0;
  const tierOf = (a: number, j: number): number => (j === a ? 0 : leaf[j] === leaf[a] ? 1 : spine[j] === spine[a] ? 2 : site[j] === site[a] ? 3 : 4);

  // Step 2: the greedy inside the domain whose viable candidates are via[qs..qe).
  const tryDomain = (qs: number, qe: number, t: number): void => {
    const lvl = t === 0 ? 0 : t - 1;
    // The top list: insertion into at most m entries, strictly better only, so that equal keys
    // keep index order.
    let nt = 0;
    let cut = false;
    for (let q = qs; q < qe; q++) {
      const j = via[q];
      rem[q] = free[j];
      cnt[q] = 0;
      if (t > 0 && leaf[j] < 0) continue;
      const bj = cum[j * 4 + lvl];
      const aj = base[j];
      let p = nt;
      if (nt === m) {
        cut = true;
        const w = via[best[m - 1]];
        if (bj < cum[w * 4 + lvl] || (bj === cum[w * 4 + lvl] && aj <= base[w])) continue;
        p = m - 1;
      } else nt++;
      while (p > 0) {
        const y = via[best[p - 1]];
        if (bj < cum[y * 4 + lvl] || (bj === cum[y * 4 + lvl] && aj <= base[y])) break;
        best[p] = best[p - 1];
        p--;
      }
      best[p] = q;
    }
    let nu = 0;
    let partTier = 0;
    for (let i = 0; i < m; i++) {
      const d = demand[i];
      let pick = -1;
      let pj = -1;
      for (let u = 0; u < nu; u++) {
        const q = used[u];
        const j = via[q];
        if (rem[q] < d || cnt[q] >= slots[j]) continue;
        if (pick >= 0) {
          const bj = cum[j * 4 + lvl];
          const bp = cum[pj * 4 + lvl];
          if (bj < bp || (bj === bp && (base[j] < base[pj] || (base[j] === base[pj] && j > pj)))) continue;
        }
        pick = q;
        pj = j;
      }
      if (pick < 0) {
        for (let b = 0; b < nt; b++) {
          const q = best[b];
          if (cnt[q] > 0 || rem[q] < d) continue;
          pick = q;
          pj = via[q];
          break;
        }
        if (pick < 0 && cut) {
          for (let q = qs; q < qe; q++) {
            if (cnt[q] > 0 || rem[q] < d) continue;
            const j = via[q];
            if (t > 0 && leaf[j] < 0) continue;
            if (pick >= 0) {
              const bj = cum[j * 4 + lvl];
              const bp = cum[pj * 4 + lvl];
              if (bj < bp || (bj === bp && base[j] <= base[pj])) continue;
            }
            pick = q;
            pj = j;
          }
        }
        if (pick < 0) return;
        used[nu++] = pick;
        // Step 3: a new node can only raise the tier.
        if (nu > 1) {
          const tt = tierOf(tmp[0], pj);
          if (tt > partTier) {
            partTier = tt;
            if (found && prune && partTier * 100 + (partTier > knobs.softTier ? knobs.softPenalty : 0) > bCost) return;
          }
        }
      }
      tmp[i] = pj;
      rem[pick] -= d;
      cnt[pick]++;
    }
    const tier = partTier;
    if (tier > knobs.maxTier) return;
    let bwv = BW_UNLIMITED;
    let degraded = 0;
    if (tier > 0) {
      for (let u = 0; u < nu; u++) {
        const j = via[used[u]];
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

  // Level 0: one node holds everything; such a node is viable (free ≥ total ≥ dmin, slots ≥ m ≥ 1).
  if (top >= 0) {
    for (let q = 0; q < nv; q++) {
      const j = via[q];
      if (free[j] >= total && slots[j] >= m) tryDomain(q, q + 1, 0);
    }
  }
  // Levels 1..4: domains are runs of segments with the same leaf, spine, site, or all.
  for (let t = 1; t <= top; t++) {
    const key = t === 1 ? leaf : t === 2 ? spine : site;
    let a = 0;
    let q = 0;
    while (a < ns) {
      const s = seg[a];
      let cap = segCap[a];
      let slotSum = segSlot[a];
      let b = a + 1;
      while (b < ns && (t === 4 || key[seg[b]] === key[s])) {
        cap += segCap[b];
        slotSum += segSlot[b];
        b++;
      }
      const e = seg[b];
      // A run of isolated nodes (leaf < 0) is only a domain at level 0. A domain that holds the
      // same nodes as one of the level below is skipped: that one ordered by the bandwidth of
      // the tier any result inside it can reach, so it is at least as good.
      let skip = t < 4 && leaf[s] < 0;
      if (t === 1) skip ||= e - s === 1;
      else if (t === 2) skip ||= leaf[s] === leaf[e - 1];
      else if (t === 3) skip ||= spine[s] === spine[e - 1];
      else {
        let f = 0;
        while (f < c && leaf[f] < 0) f++;
        skip = f === c || site[f] === site[c - 1];
      }
      while (q < nv && via[q] < s) q++;
      let qe = q;
      while (qe < nv && via[qe] < e) qe++;
      if (!skip && cap >= total && slotSum >= m) tryDomain(q, qe, t);
      q = qe;
      a = b;
    }
  }
  if (!found) return none;
  return { status: STATUS_OK, tier: bTier, cost: bCost, bw: bBw, base: bBase };
}
