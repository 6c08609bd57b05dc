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
 *           maxTier, softTier, softPenalty, degradedPenalty, out, scratch) -> status
 *   leaf, spine, site, free, slots, base, deg  i32 [c]   candidates sorted by (site, spine, leaf);
 *                                                        leaf < 0 = isolated node
 *   cum     i32 [c*4]   bandwidth (Mbps) from candidate j up to tier t at cum + (j*4 + t-1)*4
 *   demand  i32 [m]     devices per member (0 = CPU-only)
 *   out     i32 [m]     candidate index chosen for each member
 *   scratch gangScratchBytes(c, m) bytes, regions 16-byte aligned, c4 = c rounded up to 4,
 *           m4 = m rounded up to 4 (byte offsets: gangScratchOffset(region, c, m)):
 *     G_VIA  i32 [c4]    viable candidates (slots >= 1, free >= smallest demand), ascending
 *     G_REM  i32 [c4]    devices left, per viable position
 *     G_CNT  i32 [c4]    members placed, per viable position
 *     G_SEG  i32 [c4+4]  first candidate of each segment (maximal run of equal site, spine,
 *                        leaf), then c
 *     G_SCAP i64 [c4]    free devices of the segment's non-isolated candidates
 *     G_SSLT i64 [c4]    member slots of the segment's non-isolated candidates
 *     G_USED i32 [m4]    viable positions hosting a member, in pick order
 *     G_TMP  i32 [m4]    candidate of each member in the domain being tried
 *     G_BEST i32 [m4]    the domain's top list: its m best viable positions by (bandwidth, base,
 *                        index), best first
 *     G_BKEY i64 [m4]    their keys, bandwidth << 32 | (base ^ 0x80000000) (signed order)
 *   result key: gangTier(), gangCost(), gangBw(), gangBase()
 *   The first pass takes four candidates per step (i32x4): lanes whose (site, spine, leaf)
 *   equal their predecessor's need no order check and start no segment; the viable test is a
 *   lane mask. Everything else is scalar and mirrors src/reference/topology.ts line for line.
 */

// 2: placeGang takes one scratch region (gangScratchBytes) instead of rem, cnt, tmp.
const ABI: i32 = 2;
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

// Scratch regions of placeGang, in order (see the header).
const G_VIA: i32 = 0;
const G_REM: i32 = 1;
const G_CNT: i32 = 2;
const G_SEG: i32 = 3;
const G_SCAP: i32 = 4;
const G_SSLT: i32 = 5;
const G_USED: i32 = 6;
const G_TMP: i32 = 7;
const G_BEST: i32 = 8;
const G_BKEY: i32 = 9;
const G_END: i32 = 10;

/** Byte offset of scratch region `region` (G_VIA .. G_END) for c candidates and m members. */
export function gangScratchOffset(region: i32, c: i32, m: i32): i32 {
  const c4 = (c + 3) & ~3;
  const m4 = (m + 3) & ~3;
  let at = 0;
  if (region > G_VIA) at += c4 * 4;
  if (region > G_REM) at += c4 * 4;
  if (region > G_CNT) at += c4 * 4;
  if (region > G_SEG) at += (c4 + 4) * 4;
  if (region > G_SCAP) at += c4 * 8;
  if (region > G_SSLT) at += c4 * 8;
  if (region > G_USED) at += m4 * 4;
  if (region > G_TMP) at += m4 * 4;
  if (region > G_BEST) at += m4 * 4;
  if (region > G_BKEY) at += m4 * 8;
  return at;
}

/** Bytes of scratch placeGang needs for c candidates and m members. */
export function gangScratchBytes(c: i32, m: i32): i32 {
  return gangScratchOffset(G_END, c, m);
}

let rTier: i32 = 0;
let rCost: i32 = 0;
let rBw: i32 = 0;
let rBase: i32 = 0;
let rFound: bool = false;

// The call's columns and knobs, set by placeGang for tryDomain.
let cLeaf: usize = 0;
let cSpine: usize = 0;
let cSite: usize = 0;
let cFree: usize = 0;
let cSlots: usize = 0;
let cBase: usize = 0;
let cCum: usize = 0;
let cDeg: usize = 0;
let cDemand: usize = 0;
let cOut: usize = 0;
let cM: i32 = 0;
let kMaxTier: i32 = 0;
let kSoftTier: i32 = 0;
let kSoftPenalty: i32 = 0;
let kDegradedPenalty: i32 = 0;
let kPrune: bool = false;
let sVia: usize = 0;
let sRem: usize = 0;
let sCnt: usize = 0;
let sUsed: usize = 0;
let sTmp: usize = 0;
let sBest: usize = 0;
let sBkey: usize = 0;

@inline function ld(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}
@inline function st(p: usize, i: i32, v: i32): void {
  store<i32>(p + (<usize>i << 2), v);
}
@inline function ld64(p: usize, i: i32): i64 {
  return load<i64>(p + (<usize>i << 3));
}
@inline function st64(p: usize, i: i32, v: i64): void {
  store<i64>(p + (<usize>i << 3), v);
}

/** Place a gang (see header for the layout). Returns OK, NO_FIT, BAD_INPUT or UNSORTED. */
export function placeGang(
  c: i32, leaf: usize, spine: usize, site: usize, free: usize, slots: usize, base: usize, cum: usize, deg: usize,
  m: i32, demand: usize, maxTier: i32, softTier: i32, softPenalty: i32, degradedPenalty: i32,
  out: usize, scratch: usize,
): i32 {
  rTier = 0;
  rCost = 0;
  rBw = 0;
  rBase = 0;
  rFound = false;
  if (c < 0 || m < 1) return BAD_INPUT;
  let total: i64 = 0;
  let dmin: i32 = 0x7fffffff;
  for (let i = 0; i < m; i++) {
    const d = ld(demand, i);
    if (d < 0) return BAD_INPUT;
    total += <i64>d;
    if (d < dmin) dmin = d;
  }
  cLeaf = leaf;
  cSpine = spine;
  cSite = site;
  cFree = free;
  cSlots = slots;
  cBase = base;
  cCum = cum;
  cDeg = deg;
  cDemand = demand;
  cOut = out;
  cM = m;
  kMaxTier = maxTier;
  kSoftTier = softTier;
  kSoftPenalty = softPenalty;
  kDegradedPenalty = degradedPenalty;
  kPrune = softPenalty >= 0 && degradedPenalty >= 0;
  const via = scratch + <usize>gangScratchOffset(G_VIA, c, m);
  const seg = scratch + <usize>gangScratchOffset(G_SEG, c, m);
  const segCap = scratch + <usize>gangScratchOffset(G_SCAP, c, m);
  const segSlot = scratch + <usize>gangScratchOffset(G_SSLT, c, m);
  sVia = via;
  sRem = scratch + <usize>gangScratchOffset(G_REM, c, m);
  sCnt = scratch + <usize>gangScratchOffset(G_CNT, c, m);
  sUsed = scratch + <usize>gangScratchOffset(G_USED, c, m);
  sTmp = scratch + <usize>gangScratchOffset(G_TMP, c, m);
  sBest = scratch + <usize>gangScratchOffset(G_BEST, c, m);
  sBkey = scratch + <usize>gangScratchOffset(G_BKEY, c, m);

  // Step 1: order, segments, viable list. A vector step takes candidates j..j+3; lanes whose
  // (site, spine, leaf) equal their predecessor's extend the current segment (and share its
  // isolation), so only their sums and viability are needed; the first lane that differs is
  // taken by the scalar step, which checks the order and starts a segment. The current
  // segment's sums are kept in registers (i64 lanes: slots may be 0x7fffffff on every
  // candidate) and stored when the next segment starts.
  let nv = 0;
  let ns = 0;
  let j = 0;
  const vmin = i32x4.splat(dmin);
  const zero = i32x4.splat(0);
  let capV = i64x2.splat(0);
  let slotV = i64x2.splat(0);
  let capS: i64 = 0;
  let slotS: i64 = 0;
  let inFabric = false;
  while (j < c) {
    if (j > 0 && j + 4 <= c) {
      const off = <usize>j << 2;
      const fv = v128.load(free + off);
      const sv = v128.load(slots + off);
      const ch = i32x4.bitmask(v128.or(
        v128.or(
          i32x4.ne(v128.load(site + off), v128.load(site + off - 4)),
          i32x4.ne(v128.load(spine + off), v128.load(spine + off - 4)),
        ),
        i32x4.ne(v128.load(leaf + off), v128.load(leaf + off - 4)),
      ));
      // Lanes below the first change (all four when none).
      const k = ch == 0 ? 4 : <i32>ctz(ch);
      if (k == 4) {
        if (inFabric) {
          capV = i64x2.add(capV, i64x2.add(i64x2.extend_low_i32x4_s(fv), i64x2.extend_high_i32x4_s(fv)));
          slotV = i64x2.add(slotV, i64x2.add(i64x2.extend_low_i32x4_s(sv), i64x2.extend_high_i32x4_s(sv)));
        }
      } else if (inFabric) {
        for (let x = j; x < j + k; x++) {
          capS += <i64>ld(free, x);
          slotS += <i64>ld(slots, x);
        }
      }
      let mask = i32x4.bitmask(v128.and(i32x4.gt_s(sv, zero), i32x4.ge_s(fv, vmin))) & ((1 << k) - 1);
      while (mask != 0) {
        st(via, nv, j + <i32>ctz(mask));
        nv++;
        mask &= mask - 1;
      }
      j += k;
      if (k == 4) continue;
    }
    const lj = ld(leaf, j);
    if (j > 0) {
      const a = j - 1;
      const sa = ld(site, a);
      const sj = ld(site, j);
      const pa = ld(spine, a);
      const pj = ld(spine, j);
      const la = ld(leaf, a);
      if (sa != sj || pa != pj || la != lj) {
        if (sa > sj || (sa == sj && (pa > pj || (pa == pj && la > lj)))) return UNSORTED;
        st64(segCap, ns - 1, capS + i64x2.extract_lane(capV, 0) + i64x2.extract_lane(capV, 1));
        st64(segSlot, ns - 1, slotS + i64x2.extract_lane(slotV, 0) + i64x2.extract_lane(slotV, 1));
        st(seg, ns, j);
        ns++;
        capV = i64x2.splat(0);
        slotV = i64x2.splat(0);
        capS = 0;
        slotS = 0;
        inFabric = lj >= 0;
      }
    } else {
      st(seg, 0, 0);
      ns = 1;
      inFabric = lj >= 0;
    }
    const fj = ld(free, j);
    const oj = ld(slots, j);
    if (inFabric) {
      capS += <i64>fj;
      slotS += <i64>oj;
    }
    if (oj > 0 && fj >= dmin) {
      st(via, nv, j);
      nv++;
    }
    j++;
  }
  if (ns > 0) {
    st64(segCap, ns - 1, capS + i64x2.extract_lane(capV, 0) + i64x2.extract_lane(capV, 1));
    st64(segSlot, ns - 1, slotS + i64x2.extract_lane(slotV, 0) + i64x2.extract_lane(slotV, 1));
  }
  st(seg, ns, c);

  const top = maxTier < 4 ? maxTier : 4;
  // Level 0: one node holds everything; such a node is viable (free >= total >= dmin, slots >= m >= 1).
  if (top >= 0) {
    for (let q = 0; q < nv; q++) {
      const x = ld(via, q);
      if (<i64>ld(free, x) >= total && ld(slots, x) >= m) tryDomain(q, q + 1, 0);
    }
  }
  // Levels 1..4: domains are runs of segments with the same leaf, spine, site, or all.
  for (let t = 1; t <= top; t++) {
    const key = t == 1 ? leaf : t == 2 ? spine : site;
    let a = 0;
    let q = 0;
    while (a < ns) {
      const s = ld(seg, a);
      const ks = ld(key, s);
      let cap = ld64(segCap, a);
      let slotSum = ld64(segSlot, a);
      let b = a + 1;
      while (b < ns && (t == 4 || ld(key, ld(seg, b)) == ks)) {
        cap += ld64(segCap, b);
        slotSum += ld64(segSlot, b);
        b++;
      }
      const e = ld(seg, b);
      // Same rule as the twin: isolated runs only at level 0; skip a domain equal to one below.
      let skip = t < 4 && ld(leaf, s) < 0;
      if (t == 1) skip = skip || e - s == 1;
      else if (t == 2) skip = skip || ld(leaf, s) == ld(leaf, e - 1);
      else if (t == 3) skip = skip || ld(spine, s) == ld(spine, e - 1);
      else {
        let f = 0;
        while (f < c && ld(leaf, f) < 0) f++;
        skip = f == c || ld(site, f) == ld(site, c - 1);
      }
      while (q < nv && ld(via, q) < s) q++;
      let qe = q;
      while (qe < nv && ld(via, qe) < e) qe++;
      if (!skip && cap >= total && slotSum >= <i64>m) tryDomain(q, qe, t);
      q = qe;
      a = b;
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

@inline function tierOf(a: i32, x: i32): i32 {
  if (x == a) return 0;
  if (ld(cLeaf, x) == ld(cLeaf, a)) return 1;
  if (ld(cSpine, x) == ld(cSpine, a)) return 2;
  if (ld(cSite, x) == ld(cSite, a)) return 3;
  return 4;
}

/** Sort key of candidate x at bandwidth column lvl: (bandwidth, base) in one signed i64. */
@inline function rankKey(x: i32, lvl: i32): i64 {
  return (<i64>ld(cCum, x * 4 + lvl) << 32) | <i64>(<u32>(ld(cBase, x) ^ 0x80000000));
}

/** The greedy inside the domain whose viable candidates are via[qs..qe) (twin: tryDomain). */
function tryDomain(qs: i32, qe: i32, t: i32): void {
  const via = sVia;
  const rem = sRem;
  const cnt = sCnt;
  const used = sUsed;
  const tmp = sTmp;
  const best = sBest;
  const bkey = sBkey;
  const cum = cCum;
  const base = cBase;
  const m = cM;
  const lvl = t == 0 ? 0 : t - 1;
  // The top list (twin: same insertion; strictly better only, so equal keys keep index order).
  let nt = 0;
  let cut = false;
  let worst: i64 = 0;
  for (let q = qs; q < qe; q++) {
    const x = ld(via, q);
    st(rem, q, ld(cFree, x));
    st(cnt, q, 0);
    if (t > 0 && ld(cLeaf, x) < 0) continue;
    const kx = rankKey(x, lvl);
    let p = nt;
    if (nt == m) {
      cut = true;
      if (kx <= worst) continue;
      p = m - 1;
    } else nt++;
    while (p > 0 && kx > ld64(bkey, p - 1)) {
      st(best, p, ld(best, p - 1));
      st64(bkey, p, ld64(bkey, p - 1));
      p--;
    }
    st(best, p, q);
    st64(bkey, p, kx);
    if (nt == m) worst = ld64(bkey, m - 1);
  }
  let nu = 0;
  let partTier = 0;
  for (let i = 0; i < m; i++) {
    const d = ld(cDemand, i);
    let pick = -1;
    let pj = -1;
    for (let u = 0; u < nu; u++) {
      const q = ld(used, u);
      const x = ld(via, q);
      if (ld(rem, q) < d || ld(cnt, q) >= ld(cSlots, x)) continue;
      if (pick >= 0) {
        const bx = ld(cum, x * 4 + lvl);
        const bp = ld(cum, pj * 4 + lvl);
        const ax = ld(base, x);
        const ap = ld(base, pj);
        if (bx < bp || (bx == bp && (ax < ap || (ax == ap && x > pj)))) continue;
      }
      pick = q;
      pj = x;
    }
    if (pick < 0) {
      for (let b = 0; b < nt; b++) {
        const q = ld(best, b);
        if (ld(cnt, q) > 0 || ld(rem, q) < d) continue;
        pick = q;
        pj = ld(via, q);
        break;
      }
      if (pick < 0 && cut) {
        let bp = 0;
        let ap = 0;
        for (let q = qs; q < qe; q++) {
          if (ld(cnt, q) > 0 || ld(rem, q) < d) continue;
          const x = ld(via, q);
          if (t > 0 && ld(cLeaf, x) < 0) continue;
          const bx = ld(cum, x * 4 + lvl);
          if (pick >= 0) {
            if (bx < bp) continue;
            if (bx == bp && ld(base, x) <= ap) continue;
          }
          pick = q;
          pj = x;
          bp = bx;
          ap = ld(base, x);
        }
      }
      if (pick < 0) return;
      st(used, nu, pick);
      nu++;
      // A new node can only raise the tier; cost >= 100 tier + soft(tier) (penalties >= 0).
      if (nu > 1) {
        const tt = tierOf(ld(tmp, 0), pj);
        if (tt > partTier) {
          partTier = tt;
          if (rFound && kPrune && partTier * 100 + (partTier > kSoftTier ? kSoftPenalty : 0) > rCost) return;
        }
      }
    }
    st(tmp, i, pj);
    st(rem, pick, ld(rem, pick) - d);
    st(cnt, pick, ld(cnt, pick) + 1);
  }
  const tier = partTier;
  if (tier > kMaxTier) return;
  let bwv = BW_UNLIMITED;
  let degraded = 0;
  if (tier > 0) {
    for (let u = 0; u < nu; u++) {
      const x = ld(via, ld(used, u));
      const v = ld(cum, x * 4 + tier - 1);
      if (v < bwv) bwv = v;
      if (((ld(cDeg, x) >> tier) & 1) != 0) degraded++;
    }
  }
  let cost = tier * 100 + degraded * kDegradedPenalty;
  if (tier > kSoftTier) cost += kSoftPenalty;
  let bs = 0;
  for (let i = 0; i < m; i++) bs += ld(base, ld(tmp, i));
  if (rFound && !(cost < rCost || (cost == rCost && (bwv > rBw || (bwv == rBw && bs > rBase))))) return;
  rFound = true;
  rCost = cost;
  rBw = bwv;
  rBase = bs;
  rTier = tier;
  for (let i = 0; i < m; i++) st(cOut, i, ld(tmp, i));
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
