/**
 * Victim selection on one node: the cheapest set of running tasks whose eviction lets a
 * preemptor fit — CPU, memory and device share, fractional shares included.
 *
 * Cost order (lexicographic, smaller is cheaper): highest tier among the victims (0 = borrowed
 * quota, 1 = within its tenant's guarantee: borrowed quota is reclaimed first), highest victim
 * priority (lowest priority first, as kube-scheduler's `pickOneNodeForPreemption`), number of
 * victims, then total work lost. A set is found the way kube-scheduler's `selectVictimsOnNode`
 * does: evict every eligible task, check the preemptor fits, then reprieve tasks one by one from
 * the most valuable down (tier, priority, work lost, all descending) while it still fits. The
 * result is minimal by inclusion (no victim can be spared), not always minimum by count.
 *
 * Device targets: a fractional preemptor (one device, milli < 1000) needs its milli, its device
 * memory and one free slice on ONE device: every eligible device is tried and the cheapest kept.
 * A whole-device preemptor (k devices) needs k devices with no task left: devices whose tasks
 * are all eligible are ranked by their own clearing cost and the k cheapest are cleared.
 * A victim frees its milli and MiB on each device of its mask (its specific devices).
 *
 * Memory layout (i32 columns, byte offsets passed in; `v` running tasks, `d` ≤ 64 devices):
 *   devMilliFree[d]  compute share still free per device (oversubscription already applied)
 *   devMemFree[d]    device memory free, MiB
 *   devTasks[d]      tasks sharing each device now
 *   devSlots[d]      most tasks a device may hold (maxSlices; 1 for exclusive)
 *   devOk[d]         1 when the preemptor may use the device (kind, model, health)
 *   vPrio[v] vTier[v] vCpu[v] vMem[v] vDevLo[v] vDevHi[v] vMilli[v] vDevMem[v] vWork[v] vElig[v]
 *                    per victim: priority, tier, CPU milli, memory MiB, device mask bits 0..31 and
 *                    32..63, milli and MiB on each of its devices, work lost if evicted, 1 = may be evicted
 *   out[v]           OUT: indices of the chosen victims, ascending
 *   outKey[KEY_WORDS] OUT: maxTier, maxPrio, count, work lo, work hi (i64 halves), target device
 *                    mask lo, hi (the one device of a fractional preemptor, or the k cleared
 *                    devices), reserved
 *   scratch          work space: i32[3v + 5d], padded to 8 bytes, then i64[4d]
 * Scalars: cpuFree, memFree (node), needCpu, needMem, needDevs (0 = no device), needMilli,
 * needDevMem (per device), whole (1 = k whole devices).
 * Returns the number of victims (0 = fits without eviction), NO_FIT when no eligible set makes it
 * fit, or E_ARGS.
 */

import { ld, st } from './lib/mem';

export const ABI_VERSION: i32 = 1;
export const MAX_DEVICES: i32 = 64;
export const NO_FIT: i32 = -1;
export const E_ARGS: i32 = -2;
export const KEY_WORDS: i32 = 8;

export function abiVersion(): i32 {
  return ABI_VERSION;
}

export function heapBase(): usize {
  return __heap_base;
}

@inline function onDev(lo: usize, hi: usize, i: i32, t: i32): bool {
  return t < 32 ? ((<u32>ld(lo, i) >> <u32>t) & 1) != 0 : ((<u32>ld(hi, i) >> <u32>(t - 32)) & 1) != 0;
}

// Columns, set once per call (globals keep the helper signatures short; nothing is allocated).
let dMilli: usize = 0; let dMem: usize = 0; let dTasks: usize = 0; let dSlots: usize = 0; let dOk: usize = 0;
let pPrio: usize = 0; let pTier: usize = 0; let pCpu: usize = 0; let pMem: usize = 0; let pLo: usize = 0;
let pHi: usize = 0; let pMilli: usize = 0; let pDevMem: usize = 0; let pWork: usize = 0; let pElig: usize = 0;
let sOrder: usize = 0; let sRemoved: usize = 0; let sBest: usize = 0; let sDevOrder: usize = 0;
let sFreedMilli: usize = 0; let sFreedMem: usize = 0; let sFreedTasks: usize = 0; let sTarget: usize = 0;
let gV: i32 = 0; let gD: i32 = 0;
let gCpuFree: i32 = 0; let gMemFree: i32 = 0; let gNeedCpu: i32 = 0; let gNeedMem: i32 = 0;
let gNeedMilli: i32 = 0; let gNeedDevMem: i32 = 0; let gWhole: bool = false;
let freedCpu: i64 = 0; let freedMem: i64 = 0;
// Cost of the last evaluated set, and of the best so far.
let kTier: i32 = 0; let kPrio: i32 = 0; let kCount: i32 = 0; let kWork: i64 = 0;
let bTier: i32 = 0; let bPrio: i32 = 0; let bCount: i32 = 0; let bWork: i64 = 0; let bTarget: i32 = -1;
let bFound: bool = false;

/** Victim a is more valuable than b: tier, priority, work lost all descending; index ascending. */
function moreValuable(a: i32, b: i32): bool {
  const ta = ld(pTier, a); const tb = ld(pTier, b);
  if (ta != tb) return ta > tb;
  const pa = ld(pPrio, a); const pb = ld(pPrio, b);
  if (pa != pb) return pa > pb;
  const wa = ld(pWork, a); const wb = ld(pWork, b);
  if (wa != wb) return wa > wb;
  return a < b;
}

/** Apply (sign = 1) or undo (sign = -1) victim i's eviction on the freed sums. */
function account(i: i32, sign: i32): void {
  freedCpu += <i64>(sign * ld(pCpu, i));
  freedMem += <i64>(sign * ld(pMem, i));
  for (let t = 0; t < gD; t++) {
    if (!onDev(pLo, pHi, i, t)) continue;
    st(sFreedMilli, t, ld(sFreedMilli, t) + sign * ld(pMilli, i));
    st(sFreedMem, t, ld(sFreedMem, t) + sign * ld(pDevMem, i));
    st(sFreedTasks, t, ld(sFreedTasks, t) + sign);
  }
}

/** Does the preemptor fit with the current freed sums, on target device(s) `sTarget`? */
function fits(): bool {
  if (<i64>gCpuFree + freedCpu < <i64>gNeedCpu) return false;
  if (<i64>gMemFree + freedMem < <i64>gNeedMem) return false;
  for (let t = 0; t < gD; t++) {
    if (ld(sTarget, t) == 0) continue;
    const milli = <i64>ld(dMilli, t) + <i64>ld(sFreedMilli, t);
    const mem = <i64>ld(dMem, t) + <i64>ld(sFreedMem, t);
    const tasks = ld(dTasks, t) - ld(sFreedTasks, t);
    if (gWhole) {
      if (tasks > 0 || milli < 1000 || mem < <i64>gNeedDevMem) return false;
    } else {
      if (milli < <i64>gNeedMilli || mem < <i64>gNeedDevMem || tasks >= ld(dSlots, t)) return false;
    }
  }
  return true;
}

/** Evict all eligible tasks, then reprieve from the most valuable down. Sets k*; false = no fit. */
function evaluate(): bool {
  freedCpu = 0;
  freedMem = 0;
  for (let t = 0; t < gD; t++) {
    st(sFreedMilli, t, 0);
    st(sFreedMem, t, 0);
    st(sFreedTasks, t, 0);
  }
  for (let i = 0; i < gV; i++) {
    const e = ld(pElig, i) != 0 ? 1 : 0;
    st(sRemoved, i, e);
    if (e != 0) account(i, 1);
  }
  if (!fits()) return false;
  for (let j = 0; j < gV; j++) {
    const i = ld(sOrder, j);
    if (i < 0) break;
    account(i, -1);
    if (fits()) st(sRemoved, i, 0);
    else account(i, 1);
  }
  kTier = -1;
  kPrio = i32.MIN_VALUE;
  kCount = 0;
  kWork = 0;
  for (let i = 0; i < gV; i++) {
    if (ld(sRemoved, i) == 0) continue;
    if (ld(pTier, i) > kTier) kTier = ld(pTier, i);
    if (ld(pPrio, i) > kPrio) kPrio = ld(pPrio, i);
    kCount++;
    kWork += <i64>ld(pWork, i);
  }
  return true;
}

/** Is the last evaluated cost strictly cheaper than the best so far? */
function cheaper(): bool {
  if (!bFound) return true;
  if (kTier != bTier) return kTier < bTier;
  if (kPrio != bPrio) return kPrio < bPrio;
  if (kCount != bCount) return kCount < bCount;
  return kWork < bWork;
}

function keep(target: i32): void {
  bFound = true;
  bTier = kTier;
  bPrio = kPrio;
  bCount = kCount;
  bWork = kWork;
  bTarget = target;
  for (let i = 0; i < gV; i++) st(sBest, i, ld(sRemoved, i));
}

/** Clearing cost of device t (every task on it), or false when a task on it may not be evicted. */
function deviceCost(t: i32): bool {
  kTier = -1;
  kPrio = i32.MIN_VALUE;
  kCount = 0;
  kWork = 0;
  for (let i = 0; i < gV; i++) {
    if (!onDev(pLo, pHi, i, t)) continue;
    if (ld(pElig, i) == 0) return false;
    if (ld(pTier, i) > kTier) kTier = ld(pTier, i);
    if (ld(pPrio, i) > kPrio) kPrio = ld(pPrio, i);
    kCount++;
    kWork += <i64>ld(pWork, i);
  }
  return true;
}

/** Device a clears cheaper than device b (cost lexicographic, then index). Costs in scratch rows. */
function devBefore(a: i32, b: i32, costs: usize): bool {
  for (let w = 0; w < 4; w++) {
    const x = load<i64>(costs + ((<usize>(a * 4 + w)) << 3));
    const y = load<i64>(costs + ((<usize>(b * 4 + w)) << 3));
    if (x != y) return x < y;
  }
  return a < b;
}

export function selectVictims(
  v: i32, d: i32,
  devMilliFree: usize, devMemFree: usize, devTasks: usize, devSlots: usize, devOk: usize,
  vPrio: usize, vTier: usize, vCpu: usize, vMem: usize, vDevLo: usize, vDevHi: usize,
  vMilli: usize, vDevMem: usize, vWork: usize, vElig: usize,
  cpuFree: i32, memFree: i32, needCpu: i32, needMem: i32,
  needDevs: i32, needMilli: i32, needDevMem: i32, whole: i32,
  out: usize, outKey: usize, scratch: usize,
): i32 {
  if (v < 0 || d < 0 || d > MAX_DEVICES || needDevs < 0) return E_ARGS;
  if (needDevs > 1 && whole == 0) return E_ARGS;
  dMilli = devMilliFree; dMem = devMemFree; dTasks = devTasks; dSlots = devSlots; dOk = devOk;
  pPrio = vPrio; pTier = vTier; pCpu = vCpu; pMem = vMem; pLo = vDevLo; pHi = vDevHi;
  pMilli = vMilli; pDevMem = vDevMem; pWork = vWork; pElig = vElig;
  gV = v; gD = d;
  gCpuFree = cpuFree; gMemFree = memFree; gNeedCpu = needCpu; gNeedMem = needMem;
  gNeedMilli = needMilli; gNeedDevMem = needDevMem; gWhole = whole != 0;
  // scratch: order[v] removed[v] best[v] freedMilli[d] freedMem[d] freedTasks[d] target[d]
  //          devOrder[d] (pad to 8 bytes) costs i64[4d]
  sOrder = scratch;
  sRemoved = sOrder + ((<usize>v) << 2);
  sBest = sRemoved + ((<usize>v) << 2);
  sFreedMilli = sBest + ((<usize>v) << 2);
  sFreedMem = sFreedMilli + ((<usize>d) << 2);
  sFreedTasks = sFreedMem + ((<usize>d) << 2);
  sTarget = sFreedTasks + ((<usize>d) << 2);
  sDevOrder = sTarget + ((<usize>d) << 2);
  const costs = (sDevOrder + ((<usize>d) << 2) + 7) & ~(<usize>7);
  bFound = false;
  bTarget = -1;

  // Reprieve order: eligible victims, most valuable first (insertion sort, v is one node's tasks).
  let m = 0;
  for (let i = 0; i < v; i++) {
    if (ld(vElig, i) == 0) continue;
    let j = m;
    while (j > 0 && moreValuable(i, ld(sOrder, j - 1))) {
      st(sOrder, j, ld(sOrder, j - 1));
      j--;
    }
    st(sOrder, j, i);
    m++;
  }
  for (let j = m; j < v; j++) st(sOrder, j, -1);
  for (let t = 0; t < d; t++) st(sTarget, t, 0);

  if (needDevs == 0) {
    if (evaluate()) keep(-1);
  } else if (whole == 0) {
    for (let t = 0; t < d; t++) {
      if (ld(devOk, t) == 0 || ld(devSlots, t) < 1) continue;
      st(sTarget, t, 1);
      if (evaluate() && cheaper()) keep(t);
      st(sTarget, t, 0);
    }
  } else {
    // Rank clearable devices by their own clearing cost; clear the needDevs cheapest.
    let c = 0;
    for (let t = 0; t < d; t++) {
      if (ld(devOk, t) == 0 || !deviceCost(t)) continue;
      const row = costs + ((<usize>(t * 4)) << 3);
      store<i64>(row, <i64>kTier);
      store<i64>(row + 8, <i64>kPrio);
      store<i64>(row + 16, <i64>kCount);
      store<i64>(row + 24, kWork);
      let j = c;
      while (j > 0 && devBefore(t, ld(sDevOrder, j - 1), costs)) {
        st(sDevOrder, j, ld(sDevOrder, j - 1));
        j--;
      }
      st(sDevOrder, j, t);
      c++;
    }
    if (c >= needDevs) {
      for (let j = 0; j < needDevs; j++) st(sTarget, ld(sDevOrder, j), 1);
      if (evaluate()) keep(needDevs);
    }
  }
  // Target mask of the kept set (whole devices) or the single device (fractional), as lo/hi.
  if (!bFound) {
    for (let w = 0; w < KEY_WORDS; w++) st(outKey, w, 0);
    return NO_FIT;
  }
  let n = 0;
  for (let i = 0; i < v; i++) {
    if (ld(sBest, i) != 0) {
      st(out, n, i);
      n++;
    }
  }
  let lo: u32 = 0;
  let hi: u32 = 0;
  if (needDevs > 0 && whole != 0) {
    for (let t = 0; t < d; t++) {
      if (ld(sTarget, t) == 0) continue;
      if (t < 32) lo |= (<u32>1) << <u32>t;
      else hi |= (<u32>1) << <u32>(t - 32);
    }
  } else if (bTarget >= 0) {
    if (bTarget < 32) lo = (<u32>1) << <u32>bTarget;
    else hi = (<u32>1) << <u32>(bTarget - 32);
  }
  st(outKey, 0, bTier);
  st(outKey, 1, bPrio);
  st(outKey, 2, bCount);
  st(outKey, 3, <i32>(bWork & 0xffffffff));
  st(outKey, 4, <i32>(bWork >> 32));
  st(outKey, 5, <i32>lo);
  st(outKey, 6, <i32>hi);
  st(outKey, 7, 0);
  return n;
}
