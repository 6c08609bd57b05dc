/**
 * Topology kernels: device-set choice inside a node and gang placement across nodes.
 * TypeScript twin: src/reference/topology.ts (the algorithms are described there in full).
 * Binding: src/core/topology.ts. Integer arithmetic only; no allocation; status codes, no throws.
 *
 * Memory layout (all columns laid out by the caller with LinearHeap, 16-byte aligned):
 *
 * bestDeviceSet(n, k, cls, bw, lat, free, out, scratch) -> status
 *   cls     u8  [n*n]   affinity class of pair (i, j) at cls + i*n + j (0 island .. 4 no path)
 *   bw      i32 [n*n]   bottleneck bandwidth of pair, Mbps, at bw + (i*n + j)*4
 *   lat     i32 [n*n]   path latency of pair, ns (clamped to MAX_PAIR_LATENCY_NS)
 *   free    u8  [n]     1 = device may be chosen
 *   out     i32 [k]     chosen device indices, ascending
 *   scratch i32 [DS_SCRATCH_WORDS]: F[64] free list | CH[64] chosen | GC[64] GB[64] GL[64]
 *           greedy per-candidate class/bw/latency | IN[64] in-set flags
 *   result key: resultClass(), resultBw(), resultLat()
 *
 * placeGang(c, leaf, spine, site, free, slots, base, cum, deg, m, demand,
 *           maxTier, softTier, softPenalty, degradedPenalty, out, rem, cnt, tmp) -> status
 *   leaf, spine, site, free, slots, base, deg  i32 [c]   candidates sorted by (site, spine, leaf);
 *                                                        leaf < 0 = isolated node
 *   cum     i32 [c*4]   bandwidth (Mbps) from candidate j up to tier t at cum + (j*4 + t-1)*4
 *   demand  i32 [m]     devices per member (0 = CPU-only)
 *   out     i32 [m]     candidate index chosen for each member
 *   rem, cnt i32 [c], tmp i32 [m]  scratch
 *   result key: gangTier(), gangCost(), gangBw(), gangBase()
 */

const ABI: i32 = 1;
const OK: i32 = 0;
const NO_FIT: i32 = 1;
const BAD_INPUT: i32 = 2;
const UNSORTED: i32 = 3;

const EXACT_MAX: i32 = 16;
const MAX_DEVICES: i32 = 64;
const MAX_PAIR_LATENCY_NS: i32 = (1 << 19) - 1;
const CLASS_NO_PATH: i32 = 4;
const BW_UNLIMITED: i32 = 0x7fffffff;

// Scratch word offsets of bestDeviceSet.
const S_F: i32 = 0;
const S_CH: i32 = 64;
const S_GC: i32 = 128;
const S_GB: i32 = 192;
const S_GL: i32 = 256;
const S_IN: i32 = 320;
export const DS_SCRATCH_WORDS: i32 = 384;

export function abiVersion(): i32 {
  return ABI;
}

export function heapBase(): usize {
  return __heap_base;
}

// ---- device sets -------------------------------------------------------------------------

let gN: i32 = 0;
let gK: i32 = 0;
let gM: i32 = 0;
let gCls: usize = 0;
let gBw: usize = 0;
let gLat: usize = 0;
let gOut: usize = 0;
let gScr: usize = 0;
let gFound: bool = false;
let bestC: i32 = 0;
let bestB: i32 = 0;
let bestL: i32 = 0;

@inline function sget(off: i32, i: i32): i32 {
  return load<i32>(gScr + (<usize>(off + i) << 2));
}
@inline function sset(off: i32, i: i32, v: i32): void {
  store<i32>(gScr + (<usize>(off + i) << 2), v);
}
@inline function pcls(i: i32, j: i32): i32 {
  return <i32>load<u8>(gCls + <usize>(i * gN + j));
}
@inline function pbw(i: i32, j: i32): i32 {
  return load<i32>(gBw + (<usize>(i * gN + j) << 2));
}
@inline function plat(i: i32, j: i32): i32 {
  const v = load<i32>(gLat + (<usize>(i * gN + j) << 2));
  return v < MAX_PAIR_LATENCY_NS ? v : MAX_PAIR_LATENCY_NS;
}
@inline function better(c1: i32, b1: i32, l1: i32, c2: i32, b2: i32, l2: i32): bool {
  return c1 < c2 || (c1 == c2 && (b1 > b2 || (b1 == b2 && l1 < l2)));
}

function search(start: i32, depth: i32, c: i32, b: i32, l: i32): void {
  const last = gM - (gK - depth);
  for (let p = start; p <= last; p++) {
    const x = sget(S_F, p);
    let nc = c;
    let nb = b;
    let nl = l;
    let ok = true;
    for (let q = 0; q < depth; q++) {
      const y = sget(S_CH, q);
      const cc = pcls(y, x);
      if (cc >= CLASS_NO_PATH) {
        ok = false;
        break;
      }
      if (cc > nc) nc = cc;
      const bb = pbw(y, x);
      if (bb < nb) nb = bb;
      nl += plat(y, x);
    }
    if (!ok) continue;
    if (gFound && !better(nc, nb, nl, bestC, bestB, bestL)) continue;
    sset(S_CH, depth, x);
    if (depth + 1 == gK) {
      bestC = nc;
      bestB = nb;
      bestL = nl;
      gFound = true;
      for (let q = 0; q < gK; q++) store<i32>(gOut + (<usize>q << 2), sget(S_CH, q));
    } else {
      search(p + 1, depth + 1, nc, nb, nl);
    }
  }
}

function greedy(): void {
  const m = gM;
  const k = gK;
  for (let s = 0; s < m; s++) {
    for (let i = 0; i < gN; i++) sset(S_IN, i, 0);
    const seed = sget(S_F, s);
    sset(S_IN, seed, 1);
    let c = 0;
    let b = BW_UNLIMITED;
    let l = 0;
    for (let p = 0; p < m; p++) {
      const x = sget(S_F, p);
      sset(S_GC, x, pcls(seed, x));
      sset(S_GB, x, pbw(seed, x));
      sset(S_GL, x, plat(seed, x));
    }
    let size = 1;
    while (size < k) {
      let pick = -1;
      let pc = 0;
      let pb = 0;
      let pl = 0;
      for (let p = 0; p < m; p++) {
        const x = sget(S_F, p);
        const xc = sget(S_GC, x);
        if (sget(S_IN, x) != 0 || xc >= CLASS_NO_PATH) continue;
        const nc = xc > c ? xc : c;
        const xb = sget(S_GB, x);
        const nb = xb < b ? xb : b;
        const nl = l + sget(S_GL, x);
        if (pick < 0 || better(nc, nb, nl, pc, pb, pl)) {
          pick = x;
          pc = nc;
          pb = nb;
          pl = nl;
        }
      }
      if (pick < 0) break;
      sset(S_IN, pick, 1);
      size++;
      c = pc;
      b = pb;
      l = pl;
      for (let p = 0; p < m; p++) {
        const x = sget(S_F, p);
        const y = pcls(pick, x);
        if (y > sget(S_GC, x)) sset(S_GC, x, y);
        const z = pbw(pick, x);
        if (z < sget(S_GB, x)) sset(S_GB, x, z);
        sset(S_GL, x, sget(S_GL, x) + plat(pick, x));
      }
    }
    if (size < k) continue;
    if (gFound && !better(c, b, l, bestC, bestB, bestL)) continue;
    gFound = true;
    bestC = c;
    bestB = b;
    bestL = l;
    let w = 0;
    for (let i = 0; i < gN; i++) {
      if (sget(S_IN, i) != 0) {
        store<i32>(gOut + (<usize>w << 2), i);
        w++;
      }
    }
  }
}

/** Choose k of n devices (see header for the layout). Returns OK, NO_FIT or BAD_INPUT. */
export function bestDeviceSet(n: i32, k: i32, cls: usize, bw: usize, lat: usize, free: usize, out: usize, scratch: usize): i32 {
  bestC = 0;
  bestB = 0;
  bestL = 0;
  gFound = false;
  if (n < 0 || n > MAX_DEVICES || k < 1 || k > n) return BAD_INPUT;
  gN = n;
  gK = k;
  gCls = cls;
  gBw = bw;
  gLat = lat;
  gOut = out;
  gScr = scratch;
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (load<u8>(free + <usize>i) != 0) {
      sset(S_F, m, i);
      m++;
    }
  }
  gM = m;
  if (m < k) return NO_FIT;
  bestC = 0x7fffffff;
  bestB = 0;
  bestL = 0x7fffffff;
  if (m <= EXACT_MAX) search(0, 0, 0, BW_UNLIMITED, 0);
  else greedy();
  if (!gFound) {
    bestC = 0;
    bestB = 0;
    bestL = 0;
    return NO_FIT;
  }
  return OK;
}

export function resultClass(): i32 {
  return bestC;
}
export function resultBw(): i32 {
  return bestB;
}
export function resultLat(): i32 {
  return bestL;
}

// ---- gang placement ------------------------------------------------------------------------

let rTier: i32 = 0;
let rCost: i32 = 0;
let rBw: i32 = 0;
let rBase: i32 = 0;
let rFound: bool = false;

@inline function ld(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
@inline function st(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}

/** Place a gang (see header for the layout). Returns OK, NO_FIT, BAD_INPUT or UNSORTED. */
export function placeGang(
  c: i32, leaf: usize, spine: usize, site: usize, free: usize, slots: usize, base: usize, cum: usize, deg: usize,
  m: i32, demand: usize, maxTier: i32, softTier: i32, softPenalty: i32, degradedPenalty: i32,
  out: usize, rem: usize, cnt: usize, tmp: usize,
): i32 {
  rTier = 0;
  rCost = 0;
  rBw = 0;
  rBase = 0;
  rFound = false;
  if (c < 0 || m < 1) return BAD_INPUT;
  let total: i64 = 0;
  for (let i = 0; i < m; i++) {
    const d = ld(demand, i);
    if (d < 0) return BAD_INPUT;
    total += <i64>d;
  }
  for (let j = 1; j < c; j++) {
    const a = j - 1;
    const sa = ld(site, a);
    const sj = ld(site, j);
    const pa = ld(spine, a);
    const pj = ld(spine, j);
    if (sa > sj || (sa == sj && (pa > pj || (pa == pj && ld(leaf, a) > ld(leaf, j))))) return UNSORTED;
  }
  const top = maxTier < 4 ? maxTier : 4;
  for (let t = 0; t <= top; t++) {
    let s = 0;
    while (s < c) {
      let e = s + 1;
      if (t == 4) e = c;
      else if (t == 1) {
        const key = ld(leaf, s);
        while (e < c && ld(leaf, e) == key) e++;
      } else if (t == 2) {
        const key = ld(spine, s);
        while (e < c && ld(spine, e) == key) e++;
      } else if (t == 3) {
        const key = ld(site, s);
        while (e < c && ld(site, e) == key) e++;
      }
      // Same rule as the twin: isolated runs only at level 0; skip a domain equal to one below.
      let skip = t > 0 && t < 4 && ld(leaf, s) < 0;
      if (t == 1) skip = skip || e - s == 1;
      else if (t == 2) skip = skip || ld(leaf, s) == ld(leaf, e - 1);
      else if (t == 3) skip = skip || ld(spine, s) == ld(spine, e - 1);
      else if (t == 4) {
        let f = 0;
        while (f < c && ld(leaf, f) < 0) f++;
        skip = f == c || ld(site, f) == ld(site, c - 1);
      }
      if (!skip) {
        tryDomain(s, e, t, leaf, spine, site, free, slots, base, cum, deg, m, demand, total, maxTier, softTier, softPenalty, degradedPenalty, out, rem, cnt, tmp);
      }
      s = e;
    }
  }
  if (!rFound) {
    rTier = 0;
    rCost = 0;
    rBw = 0;
    rBase = 0;
    return NO_FIT;
  }
  return OK;
}

function tryDomain(
  s: i32, e: i32, t: i32, leaf: usize, spine: usize, site: usize, free: usize, slots: usize, base: usize, cum: usize, deg: usize,
  m: i32, demand: usize, total: i64, maxTier: i32, softTier: i32, softPenalty: i32, degradedPenalty: i32,
  out: usize, rem: usize, cnt: usize, tmp: usize,
): void {
  // i64 sums: slots may be 0x7fffffff ("unlimited") on many candidates.
  let cap: i64 = 0;
  let slotSum: i64 = 0;
  for (let j = s; j < e; j++) {
    const f = ld(free, j);
    st(rem, j, f);
    st(cnt, j, 0);
    if (t == 0 || ld(leaf, j) >= 0) {
      cap += <i64>f;
      slotSum += <i64>ld(slots, j);
    }
  }
  if (cap < total || slotSum < <i64>m) return;
  const lvl = t == 0 ? 0 : t - 1;
  for (let i = 0; i < m; i++) {
    const d = ld(demand, i);
    let pick = -1;
    for (let j = s; j < e; j++) {
      if ((t > 0 && ld(leaf, j) < 0) || ld(rem, j) < d || ld(cnt, j) >= ld(slots, j)) continue;
      if (pick < 0) {
        pick = j;
        continue;
      }
      const uj = ld(cnt, j) > 0 ? 1 : 0;
      const up = ld(cnt, pick) > 0 ? 1 : 0;
      if (uj != up) {
        if (uj > up) pick = j;
        continue;
      }
      const bj = ld(cum, j * 4 + lvl);
      const bp = ld(cum, pick * 4 + lvl);
      if (bj != bp) {
        if (bj > bp) pick = j;
        continue;
      }
      if (ld(base, j) > ld(base, pick)) pick = j;
    }
    if (pick < 0) return;
    st(tmp, i, pick);
    st(rem, pick, ld(rem, pick) - d);
    st(cnt, pick, ld(cnt, pick) + 1);
  }
  const u0 = ld(tmp, 0);
  let tier = 0;
  for (let i = 1; i < m; i++) {
    const j = ld(tmp, i);
    if (j == u0) continue;
    let tt = 4;
    if (ld(leaf, j) == ld(leaf, u0)) tt = 1;
    else if (ld(spine, j) == ld(spine, u0)) tt = 2;
    else if (ld(site, j) == ld(site, u0)) tt = 3;
    if (tt > tier) tier = tt;
  }
  if (tier > maxTier) return;
  let bwv = BW_UNLIMITED;
  let degraded = 0;
  if (tier > 0) {
    for (let j = s; j < e; j++) {
      if (ld(cnt, j) == 0) continue;
      const v = ld(cum, j * 4 + tier - 1);
      if (v < bwv) bwv = v;
      if (((ld(deg, j) >> tier) & 1) != 0) degraded++;
    }
  }
  let cost = tier * 100 + degraded * degradedPenalty;
  if (tier > softTier) cost += softPenalty;
  let bs = 0;
  for (let i = 0; i < m; i++) bs += ld(base, ld(tmp, i));
  if (rFound && !(cost < rCost || (cost == rCost && (bwv > rBw || (bwv == rBw && bs > rBase))))) return;
  rFound = true;
  rCost = cost;
  rBw = bwv;
  rBase = bs;
  rTier = tier;
  for (let i = 0; i < m; i++) st(out, i, ld(tmp, i));
}

export function gangTier(): i32 {
  return rTier;
}
export function gangCost(): i32 {
  return rCost;
}
export function gangBw(): i32 {
  return rBw;
}
export function gangBase(): i32 {
  return rBase;
}
