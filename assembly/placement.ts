/**
 * Placement kernel: filter, score and bind tasks over cluster state held as struct-of-arrays
 * Int32 columns in linear memory. Twin: src/reference/placement.ts (same algorithm, line for
 * line; the differential tests hold them equal). Binding: src/core/placement.ts.
 *
 * Memory layout (all Int32; constants in ./lib/placement-layout.ts):
 *   hdr            header: H_NODE_HWM, H_POLICY, H_SEED, then the byte offset of every column
 *   col(H_N_*)[n]  node slot n: cpu free/cap (milli), memory free/cap (MiB), flags
 *                  (NF_HEALTHY|NF_SCHEDULABLE|NF_PRESENT), first device slot, device count,
 *                  device milli free/cap summed over the node's devices
 *   col(H_D_*)[d]  device slot d: kind, vendor, model (interned ids), precision bits, sharing
 *                  mode, milli free/cap (cap = oversubscription for time-slice), memory free/cap
 *                  (MiB), slices used/max, flags (DF_HEALTHY|DF_HELD), first profile slot,
 *                  profile count, owning node slot
 *   col(H_P_*)[p]  partition profile slot p: name id, milli, memory MiB, max instances, used
 *   task record    TASK_STRIDE words (T_*); bitsets referenced by byte offset (0 = no constraint)
 *   result record  RES_STRIDE words (R_*)
 *
 * No allocation, no exceptions, integer arithmetic only (dimension scores divide in f64, which is
 * exact for these magnitudes, so they equal the twin's integer division).
 */
import {
  H_NODE_HWM, H_POLICY, H_SEED, H_SAMPLE, H_START,
  H_N_CPU_FREE, H_N_CPU_CAP, H_N_MEM_FREE, H_N_MEM_CAP, H_N_FLAGS, H_N_DEV_FIRST, H_N_DEV_COUNT,
  H_N_DMILLI_FREE, H_N_DMILLI_CAP,
  H_D_KIND, H_D_VENDOR, H_D_MODEL, H_D_PREC, H_D_MODE, H_D_MILLI_FREE, H_D_MILLI_CAP,
  H_D_MEM_FREE, H_D_MEM_CAP, H_D_SLICES_USED, H_D_SLICES_MAX, H_D_FLAGS, H_D_PROF_FIRST, H_D_PROF_COUNT,
  H_P_NAME, H_P_MILLI, H_P_MEM, H_P_MAX, H_P_USED,
  NF_HEALTHY, NF_SCHEDULABLE, NF_PRESENT, DF_HEALTHY, DF_HELD,
  MODE_TIME_SLICE, MODE_PARTITION, POLICY_SPREAD, SET_BITS,
  T_CPU, T_MEM, T_KIND, T_COUNT, T_MILLI, T_DMEM, T_PREC, T_FLAGS, T_PROFILE, T_VENDORS, T_MODELS,
  T_NODEMASK, TASK_STRIDE, TF_WHOLE,
  R_STATUS, R_NODE, R_NDEV, R_PROF, R_TOTAL, R_DEVS, R_REASONS, RES_STRIDE,
  ST_UNSCHEDULABLE, ST_BOUND,
  RS_NODE_UNHEALTHY, RS_NODE_DRAINED, RS_NODE_CONSTRAINT, RS_CPU, RS_MEMORY, RS_DEVICE, RS_DEVICE_COUNT,
  NUM_REASONS,
  DS_KIND, DS_VENDOR, DS_MODEL, DS_PRECISION, DS_UNHEALTHY, DS_MODE, DS_HELD, DS_SLICES, DS_MILLI,
  DS_MEMORY, DS_FIT,
} from './lib/placement-layout';

/** Bumped whenever the layout or the semantics change; src/core/placement.ts checks it. */
const ABI_VERSION: i32 = 2;

export function abiVersion(): i32 {
  return ABI_VERSION;
}

export function heapBase(): usize {
  return __heap_base;
}

// ── column access ───────────────────────────────────────────────────────────────────────────
@inline function col(hdr: usize, which: i32): usize {
  return <usize>load<i32>(hdr + (<usize>which << 2));
}
@inline function get(c: usize, i: i32): i32 {
  return load<i32>(c + (<usize>i << 2));
}
@inline function put(c: usize, i: i32, v: i32): void {
  store<i32>(c + (<usize>i << 2), v);
}
@inline function tget(t: usize, f: i32): i32 {
  return load<i32>(t + (<usize>f << 2));
}

/** Tie-break hash of (seed, node slot): murmur3 fmix32 of seed ^ slot·φ. */
@inline function tieHash(seed: u32, n: u32): u32 {
  let x: u32 = seed ^ (n * 0x9e3779b9);
  x ^= x >>> 16;
  x *= 0x85ebca6b;
  x ^= x >>> 13;
  x *= 0xc2b2ae35;
  return x ^ (x >>> 16);
}

// Column base addresses, loaded from the header once per exported call (globals cannot alias
// memory, so the optimiser keeps them out of the hot loops' loads).
let cPolicy: i32 = 0;
let cNCpuFree: usize = 0;
let cNCpuCap: usize = 0;
let cNMemFree: usize = 0;
let cNMemCap: usize = 0;
let cNFlags: usize = 0;
let cNDevFirst: usize = 0;
let cNDevCount: usize = 0;
let cNDmilliFree: usize = 0;
let cNDmilliCap: usize = 0;
let cDKind: usize = 0;
let cDVendor: usize = 0;
let cDModel: usize = 0;
let cDPrec: usize = 0;
let cDMode: usize = 0;
let cDMilliFree: usize = 0;
let cDMilliCap: usize = 0;
let cDMemFree: usize = 0;
let cDMemCap: usize = 0;
let cDSlicesUsed: usize = 0;
let cDSlicesMax: usize = 0;
let cDFlags: usize = 0;
let cDProfFirst: usize = 0;
let cDProfCount: usize = 0;
let cPName: usize = 0;
let cPMilli: usize = 0;
let cPMem: usize = 0;
let cPMax: usize = 0;
let cPUsed: usize = 0;

function bindLayout(hdr: usize): void {
  cPolicy = load<i32>(hdr + (<usize>H_POLICY << 2));
  cNCpuFree = col(hdr, H_N_CPU_FREE);
  cNCpuCap = col(hdr, H_N_CPU_CAP);
  cNMemFree = col(hdr, H_N_MEM_FREE);
  cNMemCap = col(hdr, H_N_MEM_CAP);
  cNFlags = col(hdr, H_N_FLAGS);
  cNDevFirst = col(hdr, H_N_DEV_FIRST);
  cNDevCount = col(hdr, H_N_DEV_COUNT);
  cNDmilliFree = col(hdr, H_N_DMILLI_FREE);
  cNDmilliCap = col(hdr, H_N_DMILLI_CAP);
  cDKind = col(hdr, H_D_KIND);
  cDVendor = col(hdr, H_D_VENDOR);
  cDModel = col(hdr, H_D_MODEL);
  cDPrec = col(hdr, H_D_PREC);
  cDMode = col(hdr, H_D_MODE);
  cDMilliFree = col(hdr, H_D_MILLI_FREE);
  cDMilliCap = col(hdr, H_D_MILLI_CAP);
  cDMemFree = col(hdr, H_D_MEM_FREE);
  cDMemCap = col(hdr, H_D_MEM_CAP);
  cDSlicesUsed = col(hdr, H_D_SLICES_USED);
  cDSlicesMax = col(hdr, H_D_SLICES_MAX);
  cDFlags = col(hdr, H_D_FLAGS);
  cDProfFirst = col(hdr, H_D_PROF_FIRST);
  cDProfCount = col(hdr, H_D_PROF_COUNT);
  cPName = col(hdr, H_P_NAME);
  cPMilli = col(hdr, H_P_MILLI);
  cPMem = col(hdr, H_P_MEM);
  cPMax = col(hdr, H_P_MAX);
  cPUsed = col(hdr, H_P_USED);
}

@inline function inSet(set: usize, i: i32): bool {
  if (set == 0) return true;
  if (i < 0 || i >= SET_BITS) return false;
  return ((<u32>get(set, i >> 5) >>> (<u32>i & 31)) & 1) == 1;
}

@inline function nodeAllowed(mask: usize, n: i32): bool {
  if (mask == 0) return true;
  return ((<u32>get(mask, n >> 5) >>> (<u32>n & 31)) & 1) == 1;
}

function profileSlot(hdr: usize, d: i32, name: i32): i32 {
  const first = get(cDProfFirst, d);
  const count = get(cDProfCount, d);
  const pName = cPName;
  for (let i = 0; i < count; i++) if (get(pName, first + i) == name) return first + i;
  return -1;
}

/** How far device `d` gets through the device checks for task `t` (DS_FIT = it fits). */
function deviceStage(hdr: usize, t: usize, d: i32): i32 {
  if (get(cDKind, d) != tget(t, T_KIND)) return DS_KIND;
  if (!inSet(<usize>tget(t, T_VENDORS), get(cDVendor, d))) return DS_VENDOR;
  if (!inSet(<usize>tget(t, T_MODELS), get(cDModel, d))) return DS_MODEL;
  const prec = tget(t, T_PREC);
  if (prec != 0 && (get(cDPrec, d) & prec) == 0) return DS_PRECISION;
  const flags = get(cDFlags, d);
  if ((flags & DF_HEALTHY) == 0) return DS_UNHEALTHY;
  const mode = get(cDMode, d);
  const milliFree = get(cDMilliFree, d);
  const memFree = get(cDMemFree, d);
  const profile = tget(t, T_PROFILE);
  if (profile >= 0) {
    if (mode != MODE_PARTITION) return DS_MODE;
    const p = profileSlot(hdr, d, profile);
    if (p < 0) return DS_MODE;
    if ((flags & DF_HELD) != 0) return DS_HELD;
    if (get(cPUsed, p) >= get(cPMax, p)) return DS_SLICES;
    if (get(cPMilli, p) > milliFree) return DS_MILLI;
    const pMem = get(cPMem, p);
    if (pMem > memFree || tget(t, T_DMEM) > pMem) return DS_MEMORY;
    return DS_FIT;
  }
  if ((tget(t, T_FLAGS) & TF_WHOLE) != 0) {
    // A whole device: nothing may run on it (no held flag, no slices, all capacity free).
    if ((flags & DF_HELD) != 0 || get(cDSlicesUsed, d) != 0) return DS_HELD;
    if (milliFree != get(cDMilliCap, d) || memFree != get(cDMemCap, d)) return DS_HELD;
    if (tget(t, T_DMEM) > memFree) return DS_MEMORY;
    return DS_FIT;
  }
  // A fractional share: only time-sliced devices are shared.
  if (mode != MODE_TIME_SLICE) return DS_MODE;
  if ((flags & DF_HELD) != 0) return DS_HELD;
  if (get(cDSlicesUsed, d) >= get(cDSlicesMax, d)) return DS_SLICES;
  if (tget(t, T_MILLI) > milliFree) return DS_MILLI;
  if (tget(t, T_DMEM) > memFree) return DS_MEMORY;
  return DS_FIT;
}

/** -1 when node `n` fits task `t`, else the reason index (RS_*) of the first failed check. */
function nodeReason(hdr: usize, t: usize, n: i32): i32 {
  const flags = get(cNFlags, n);
  if ((flags & NF_HEALTHY) == 0) return RS_NODE_UNHEALTHY;
  if ((flags & NF_SCHEDULABLE) == 0) return RS_NODE_DRAINED;
  if (!nodeAllowed(<usize>tget(t, T_NODEMASK), n)) return RS_NODE_CONSTRAINT;
  if (tget(t, T_CPU) > get(cNCpuFree, n)) return RS_CPU;
  if (tget(t, T_MEM) > get(cNMemFree, n)) return RS_MEMORY;
  if (tget(t, T_KIND) < 0) return -1;
  const first = get(cNDevFirst, n);
  const count = get(cNDevCount, n);
  const need = tget(t, T_PROFILE) >= 0 || (tget(t, T_FLAGS) & TF_WHOLE) == 0 ? 1 : tget(t, T_COUNT);
  let fit = 0;
  let best = DS_KIND;
  for (let i = 0; i < count; i++) {
    const s = deviceStage(hdr, t, first + i);
    if (s == DS_FIT) {
      fit++;
      if (fit >= need) return -1;
    } else if (s > best) best = s;
  }
  return fit > 0 ? RS_DEVICE_COUNT : RS_DEVICE + best;
}

/**
 * Dimension score 0..100 (Kubernetes NodeResourcesFit, pkg/scheduler/framework/plugins/noderesources):
 * binpack = MostAllocated ((cap - free + req) · 100) / cap; spread = LeastAllocated ((free - req) · 100) / cap.
 */
@inline function dimScore(policy: i32, free: i32, cap: i32, req: i32): i32 {
  // f64 is exact here (|numerator| < 2^40, cap < 2^31, quotient ≤ ~200): truncating the f64
  // quotient equals integer division, and f64 division is much cheaper than i64 division.
  const num: f64 = policy == POLICY_SPREAD ? (<f64>free - <f64>req) * 100.0 : (<f64>cap - <f64>free + <f64>req) * 100.0;
  let s = <i32>(num / <f64>cap);
  if (s < 0) s = 0;
  if (s > 100) s = 100;
  return s;
}

function nodeScore(hdr: usize, t: usize, n: i32): i32 {
  const policy = cPolicy;
  let sum = 0;
  let dims = 0;
  const cpuCap = get(cNCpuCap, n);
  if (cpuCap > 0) {
    sum += dimScore(policy, get(cNCpuFree, n), cpuCap, tget(t, T_CPU));
    dims++;
  }
  const memCap = get(cNMemCap, n);
  if (memCap > 0) {
    sum += dimScore(policy, get(cNMemFree, n), memCap, tget(t, T_MEM));
    dims++;
  }
  const dCap = get(cNDmilliCap, n);
  if (tget(t, T_KIND) >= 0 && dCap > 0) {
    let req = 0;
    if (tget(t, T_PROFILE) < 0) req = (tget(t, T_FLAGS) & TF_WHOLE) != 0 ? 1000 * tget(t, T_COUNT) : tget(t, T_MILLI);
    sum += dimScore(policy, get(cNDmilliFree, n), dCap, req);
    dims++;
  }
  return dims == 0 ? 0 : sum / dims;
}

function chooseDevices(hdr: usize, t: usize, n: i32, r: usize): void {
  const first = get(cNDevFirst, n);
  const count = get(cNDevCount, n);
  const profile = tget(t, T_PROFILE);
  put(r, R_PROF, -1);
  if (profile < 0 && (tget(t, T_FLAGS) & TF_WHOLE) != 0) {
    const need = tget(t, T_COUNT);
    let got = 0;
    for (let i = 0; i < count && got < need; i++) {
      if (deviceStage(hdr, t, first + i) == DS_FIT) {
        put(r, R_DEVS + got, first + i);
        got++;
      }
    }
    put(r, R_NDEV, got);
    return;
  }
  const spread = cPolicy == POLICY_SPREAD;
  const milliFree = cDMilliFree;
  let best = -1;
  let bestFree = 0;
  for (let i = 0; i < count; i++) {
    const d = first + i;
    if (deviceStage(hdr, t, d) != DS_FIT) continue;
    const free = get(milliFree, d);
    if (best < 0 || (spread ? free > bestFree : free < bestFree)) {
      best = d;
      bestFree = free;
    }
  }
  put(r, R_DEVS, best);
  put(r, R_NDEV, 1);
  if (profile >= 0) put(r, R_PROF, profileSlot(hdr, best, profile));
}

function commit(hdr: usize, t: usize, r: usize): void {
  const n = get(r, R_NODE);
  const nCpu = cNCpuFree;
  const nMem = cNMemFree;
  put(nCpu, n, get(nCpu, n) - tget(t, T_CPU));
  put(nMem, n, get(nMem, n) - tget(t, T_MEM));
  if (tget(t, T_KIND) < 0) return;
  const nDmilli = cNDmilliFree;
  const dMilli = cDMilliFree;
  const dMem = cDMemFree;
  const dSlices = cDSlicesUsed;
  const nd = get(r, R_NDEV);
  const p = get(r, R_PROF);
  for (let i = 0; i < nd; i++) {
    const d = get(r, R_DEVS + i);
    put(dSlices, d, get(dSlices, d) + 1);
    if (p >= 0) {
      const pm = get(cPMilli, p);
      const pUsed = cPUsed;
      put(pUsed, p, get(pUsed, p) + 1);
      put(dMilli, d, get(dMilli, d) - pm);
      put(dMem, d, get(dMem, d) - get(cPMem, p));
      put(nDmilli, n, get(nDmilli, n) - pm);
    } else if ((tget(t, T_FLAGS) & TF_WHOLE) != 0) {
      put(nDmilli, n, get(nDmilli, n) - get(dMilli, d));
      put(dMilli, d, 0);
      put(dMem, d, 0);
      const dFlags = cDFlags;
      put(dFlags, d, get(dFlags, d) | DF_HELD);
    } else {
      const m = tget(t, T_MILLI);
      put(dMilli, d, get(dMilli, d) - m);
      put(dMem, d, get(dMem, d) - tget(t, T_DMEM));
      put(nDmilli, n, get(nDmilli, n) - m);
    }
  }
}

/** Count, per present node, the first check it fails (R_REASONS) and the present nodes (R_TOTAL). */
export function explain(hdr: usize, t: usize, r: usize): void {
  bindLayout(hdr);
  for (let i = 0; i < NUM_REASONS; i++) put(r, R_REASONS + i, 0);
  const hwm = load<i32>(hdr + (<usize>H_NODE_HWM << 2));
  const nFlags = cNFlags;
  let total = 0;
  for (let n = 0; n < hwm; n++) {
    if ((get(nFlags, n) & NF_PRESENT) == 0) continue;
    total++;
    const why = nodeReason(hdr, t, n);
    if (why >= 0) put(r, R_REASONS + why, get(r, R_REASONS + why) + 1);
  }
  put(r, R_TOTAL, total);
}

/**
 * Place task `t`: filter every present node, score the fitting ones (at most H_SAMPLE of them
 * when it is > 0, round-robin from H_START), take the best (ties: the smallest tieHash(seed, slot)), choose its devices, and charge the columns when `doCommit`.
 * Writes the result record at `r`; returns ST_BOUND or ST_UNSCHEDULABLE (reasons filled).
 */
export function place(hdr: usize, t: usize, r: usize, doCommit: i32): i32 {
  bindLayout(hdr);
  const hwm = load<i32>(hdr + (<usize>H_NODE_HWM << 2));
  const seed = <u32>load<i32>(hdr + (<usize>H_SEED << 2));
  const sample = load<i32>(hdr + (<usize>H_SAMPLE << 2));
  let start = load<i32>(hdr + (<usize>H_START << 2));
  if (start < 0 || start >= hwm) start = 0;
  let best = -1;
  let bestScore = -1;
  let bestHash: u32 = 0;
  let found = 0;
  let k = 0;
  const mask = <usize>tget(t, T_NODEMASK);
  while (k < hwm) {
    let n = start + k;
    if (n >= hwm) n -= hwm;
    // The node mask is an index: a zero word rules out 32 nodes at once, so a constrained task
    // costs in proportion to the nodes it may use. Never skip past the wrap point or the start.
    if (mask != 0 && (n & 31) == 0 && get(mask, n >> 5) == 0) {
      const end = n >= start ? hwm : start;
      k += end - n < 32 ? end - n : 32;
      continue;
    }
    k++;
    if ((get(cNFlags, n) & NF_PRESENT) == 0) continue;
    if (nodeReason(hdr, t, n) >= 0) continue;
    const s = nodeScore(hdr, t, n);
    found++;
    if (s >= bestScore) {
      const th = tieHash(seed, <u32>n);
      if (s > bestScore || th < bestHash) {
        best = n;
        bestScore = s;
        bestHash = th;
      }
    }
    if (sample > 0 && found >= sample) break;
  }
  if (sample > 0) {
    let next = start + k;
    if (next >= hwm) next -= hwm;
    store<i32>(hdr + (<usize>H_START << 2), next);
  }
  put(r, R_NODE, best);
  if (best < 0) {
    put(r, R_STATUS, ST_UNSCHEDULABLE);
    put(r, R_NDEV, 0);
    put(r, R_PROF, -1);
    explain(hdr, t, r);
    return ST_UNSCHEDULABLE;
  }
  put(r, R_STATUS, ST_BOUND);
  if (tget(t, T_KIND) >= 0) chooseDevices(hdr, t, best, r);
  else {
    put(r, R_NDEV, 0);
    put(r, R_PROF, -1);
  }
  if (doCommit != 0) commit(hdr, t, r);
  return ST_BOUND;
}

/** Place `count` task records from `tasks` in order, committing each; results at `results`. Returns the number bound. */
export function placeBatch(hdr: usize, tasks: usize, count: i32, results: usize): i32 {
  let bound = 0;
  for (let i = 0; i < count; i++) {
    bound += place(hdr, tasks + <usize>(i * TASK_STRIDE) * 4, results + <usize>(i * RES_STRIDE) * 4, 1);
  }
  return bound;
}
