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
 *   index          H_IDX_TREE: 2·H_IDX_LEAVES records of IX_STRIDE words (IX_*, IXE_*, and the
 *                  per-kind / per-model-class blocks IX_KIND + b·IXK_STRIDE: IXK_*), a max-tree
 *                  over leaves of IDX_BLOCK node slots; H_DIRTY_*: leaves to recompute
 *
 * Exact decisions search the index (searchIndex) or scan every node (scanExact); both pick the
 * node a node-by-node scan picks. Sampled decisions (H_SAMPLE > 0) scan round-robin.
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
  H_IDX_ON, H_IDX_STALE, H_IDX_TREE, H_IDX_LEAVES, H_DIRTY_LIST, H_DIRTY_N, H_DIRTY_BITS, H_IDX_VISITS,
  H_IDX_ORDER, H_IDX_POS, H_IDX_SCRATCH, H_IDX_SORTED, H_IDX_FIT, H_IDX_GROUP, H_MASK_GROUPS,
  IX_GNEG, IX_GMAX, IDX_GROUPS, GROUP_WORDS, H_TIE, H_TIE_SEED, H_TIE_FILLED,
  IDX_BLOCK, IDX_BLOCK_SHIFT, IX_NONE, IX_CPU, IX_MEM, IX_FRAC, IX_WHOLE, IX_HASH, IX_ODD, IX_NCAP, IX_XCAP,
  IX_FREE, IX_STRIDE, IDX_SCALE, IDX_FULL, IDX_WHOLE_BUCKETS, IDX_BUCKETS,
  IXE_CPU, IXE_MEM, IXE_FRAC, IXE_WHOLE, IXE_HASH, IXE_NCAP, IXE_XCAP, IX_SUMC, IX_SUMF, IX_SUMW,
  H_MASK_BASE, H_MASK_WORDS, H_MASK_POP, MASK_SLOTS,
  IX_KIND, IDX_KINDS, IXK_STRIDE, IXK_FRAC, IXK_WHOLE, IXK_ANY, IXK_EFRAC, IXK_EWHOLE, IXK_EANY, IXK_NCAP,
  IXK_ENCAP, IXK_SUMF, IDX_KIND_BUCKETS, IXK_SUMW, IDX_MODEL_CLASSES, IDX_CLASS_BLOCKS, SET_WORDS,
  IX_SUMM, IXK_SUMP, IDX_PROF_CLASSES,
} from './lib/placement-layout';

/** Bumped whenever the layout or the semantics change; src/core/placement.ts checks it. */
const ABI_VERSION: i32 = 7;

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
  cTree = <usize>load<i32>(hdr + (<usize>H_IDX_TREE << 2));
  idxLeaves = load<i32>(hdr + (<usize>H_IDX_LEAVES << 2));
  cOrder = <usize>load<i32>(hdr + (<usize>H_IDX_ORDER << 2));
  cPos = <usize>load<i32>(hdr + (<usize>H_IDX_POS << 2));
  cFitFrac = <usize>load<i32>(hdr + (<usize>H_IDX_FIT << 2));
  cFitFracMem = cFitFrac + (<usize>idxLeaves << (IDX_BLOCK_SHIFT + 2));
  cFitWhole = cFitFracMem + (<usize>idxLeaves << (IDX_BLOCK_SHIFT + 2));
  cFitProf = cFitWhole + (<usize>idxLeaves << (IDX_BLOCK_SHIFT + 2));
  cGroup = <usize>load<i32>(hdr + (<usize>H_IDX_GROUP << 2));
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
  markNode(hdr, n);
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

// ── free-capacity index ─────────────────────────────────────────────────────────────────────
// A complete binary tree over leaves of IDX_BLOCK node slots; every record holds maxima over the
// eligible nodes below it (layout: IX_* in ./lib/placement-layout.ts), so a parent is the
// element-wise i32x4.max_s of its children. An exact decision walks it best-first and skips
// every record that (a) no node below can fit or (b) whose score upper bound cannot beat the
// best node found so far (on an equal bound: whose smallest tie hash cannot win the tie). The
// nodes under the leaves it reaches are checked and scored exactly as the scan does, so the
// chosen node is the scan's (highest score, then smallest tieHash). Columns change outside the
// kernel (the binding marks the leaves it touches dirty) and in commit; a decision first
// recomputes the dirty leaves and their ancestors: O(dirty · log(nodes)).

let cTree: usize = 0;
let idxLeaves: i32 = 0;
/** Leaf order: position → node slot (cOrder) and node slot → position (cPos); see H_IDX_ORDER. */
let cOrder: usize = 0;
let cPos: usize = 0;
/** Per-node fit summary by slot (H_IDX_FIT): best fractional milli free, memory free on such a device, fully free devices. */
let cFitFrac: usize = 0;
let cFitFracMem: usize = 0;
let cFitWhole: usize = 0;
let cFitProf: usize = 0;
/** Node group by slot (H_IDX_GROUP). */
let cGroup: usize = 0;
@inline function groupOf(n: i32): i32 {
  return get(cGroup, n) & (IDX_GROUPS - 1);
}

@inline function rec(v: i32): usize {
  return cTree + (<usize>v * <usize>IX_STRIDE << 2);
}
@inline function maxInto(p: usize, f: i32, v: i32): void {
  if (v > get(p, f)) put(p, f, v);
}
@inline function bitLen(x: i32): i32 {
  return x <= 0 ? 0 : 32 - <i32>clz<u32>(<u32>x);
}
/** Monotone bucket of an amount: half octaves (0, 1, 2, 3, 4, 6, 8, 12, 16, … start buckets 0..7). */
@inline function bucketKey(x: i32): i32 {
  if (x <= 1) return x <= 0 ? 0 : 1;
  const b = bitLen(x);
  return 2 * b - 2 + ((x >>> (b - 2)) & 1);
}
/** ceil(num · IDX_SCALE / cap) for cap > 0, clamped to 0 .. 2^24 (integer arithmetic). */
function ceilRatio(num: i32, cap: i32): i32 {
  if (num <= 0) return 0;
  const q: i64 = (<i64>num * <i64>IDX_SCALE + <i64>cap - 1) / <i64>cap;
  return q > 16777216 ? 16777216 : <i32>q;
}

function dimInto(p: usize, k: i32, free: i32, cap: i32): void {
  if (cap <= 0) {
    put(p, IX_ODD + k, 1);
    return;
  }
  maxInto(p, IX_NCAP + k, -cap);
  maxInto(p, IX_XCAP + k, cap);
  maxInto(p, IX_FREE + k, ceilRatio(free, cap));
}

/** Bucket b = max of buckets ≥ b (for `count` buckets from field `f`). */
function suffixMax(p: usize, f: i32, count: i32): void {
  let m = IX_NONE;
  for (let b = count - 1; b >= 0; b--) {
    const v = get(p, f + b);
    if (v > m) m = v;
    else if (v < m) put(p, f + b, m);
  }
}

/** Recompute leaf `l` from the columns of its node slots (those below `hwm`). */
function leafRecompute(l: i32, hwm: i32, seed: u32, into: i32): void {
  const p = rec(into);
  const none = i32x4.splat(IX_NONE);
  for (let w = 0; w < IX_STRIDE; w += 4) v128.store(p + (<usize>w << 2), none);
  const p0 = l << IDX_BLOCK_SHIFT;
  const ok = NF_PRESENT | NF_HEALTHY | NF_SCHEDULABLE;
  let blocks = 0;
  for (let i = p0; i < p0 + IDX_BLOCK; i++) {
    const n = get(cOrder, i);
    if (n >= hwm || (get(cNFlags, n) & ok) != ok) continue;
    const cpuFree = get(cNCpuFree, n);
    const memFree = get(cNMemFree, n);
    const cpuCap = get(cNCpuCap, n);
    const memCap = get(cNMemCap, n);
    const dFree = get(cNDmilliFree, n);
    const dCap = get(cNDmilliCap, n);
    const first = get(cNDevFirst, n);
    const count = get(cNDevCount, n);
    let frac = IX_NONE;
    let fracMem = IX_NONE;
    let whole = 0;
    let kinds = 0;
    let profs = 0;
    // every device of the node in the same kind block and model-class block: the blocks' device
    // aggregates are the node's own (kindInto need not walk the devices again)
    let uniform = count > 0;
    for (let i = 0; i < count; i++) {
      const d = first + i;
      const kd = get(cDKind, d);
      if (kd >= 0 && kd < IDX_KINDS) kinds |= 1 << kd;
      else uniform = false;
      const md = get(cDModel, d);
      if (md >= 0) kinds |= 1 << (IDX_KINDS + (md & (IDX_MODEL_CLASSES - 1)));
      else uniform = false;
      const df = get(cDFlags, d);
      if ((df & DF_HEALTHY) == 0 || (df & DF_HELD) != 0) continue;
      const milliFree = get(cDMilliFree, d);
      const used = get(cDSlicesUsed, d);
      if (get(cDMode, d) == MODE_TIME_SLICE && used < get(cDSlicesMax, d)) {
        if (milliFree > frac) frac = milliFree;
        const memFree = get(cDMemFree, d);
        if (memFree > fracMem) fracMem = memFree;
      }
      if (used == 0 && milliFree == get(cDMilliCap, d) && get(cDMemFree, d) == get(cDMemCap, d)) whole++;
      if (get(cDMode, d) == MODE_PARTITION) profs |= freeProfiles(d, milliFree, 31);
    }
    put(cFitProf, n, profs);
    put(cFitFrac, n, frac);
    put(cFitFracMem, n, fracMem);
    put(cFitWhole, n, whole);
    const hashKey = 0x7fffffff - <i32>(tieHash(seed, <u32>n) >>> 1);
    const g = groupOf(n);
    maxInto(p, IX_GNEG, -g);
    maxInto(p, IX_GMAX, g);
    const empty = cpuFree == cpuCap && memFree == memCap && (count == 0 || dFree == dCap);
    blocks |= kinds;
    if (uniform && <i32>popcnt<u32>(<u32>kinds) == 2) {
      const profs8 = (profs | (profs >>> 8) | (profs >>> 16) | (profs >>> 24)) & ((1 << IDX_PROF_CLASSES) - 1);
      for (let k = 0; k < IDX_CLASS_BLOCKS; k++) {
        if ((kinds >> k) & 1) kindFold(p + (<usize>(IX_KIND + k * IXK_STRIDE) << 2), frac, whole, profs8, empty, cpuFree, cpuCap, memFree, memCap, dFree, dCap);
      }
    } else {
      for (let k = 0; k < IDX_CLASS_BLOCKS; k++) {
        if ((kinds >> k) & 1) kindInto(p + (<usize>(IX_KIND + k * IXK_STRIDE) << 2), first, count, k, empty, cpuFree, cpuCap, memFree, memCap, dFree, dCap);
      }
    }
    if (empty) {
      maxInto(p, IXE_CPU, cpuFree);
      maxInto(p, IXE_MEM, memFree);
      maxInto(p, IXE_FRAC, frac);
      maxInto(p, IXE_WHOLE, whole);
      maxInto(p, IXE_HASH, hashKey);
      capInto(p, 0, cpuCap);
      capInto(p, 1, memCap);
      if (count > 0) capInto(p, 2, dCap);
      continue;
    }
    maxInto(p, IX_CPU, cpuFree);
    maxInto(p, IX_MEM, memFree);
    maxInto(p, IX_FRAC, frac);
    maxInto(p, IX_WHOLE, whole);
    maxInto(p, IX_HASH, hashKey);
    dimInto(p, 0, cpuFree, cpuCap);
    dimInto(p, 1, memFree, memCap);
    if (count > 0) dimInto(p, 2, dFree, dCap);
    // a node counts in buckets 0 .. its key: stored at its top bucket here, spread down to the
    // lower buckets by suffixMax once the whole leaf is in
    if (cpuCap > 0 && memCap > 0) {
      const sum2 = ceilRatio(cpuCap - cpuFree, cpuCap) + ceilRatio(memCap - memFree, memCap);
      maxInto(p, IX_SUMC + min(bucketKey(cpuFree), IDX_BUCKETS - 1), sum2);
      maxInto(p, IX_SUMM + min(bucketKey(memFree), IDX_BUCKETS - 1), sum2);
      if (count > 0 && dCap > 0) {
        const sum3 = sum2 + ceilRatio(dCap - dFree, dCap);
        maxInto(p, IX_SUMF + min(bucketKey(frac), IDX_BUCKETS - 1), sum3);
        maxInto(p, IX_SUMW + min(bitLen(whole), IDX_WHOLE_BUCKETS - 1), sum3);
      }
    }
  }
  suffixMax(p, IX_SUMC, IDX_BUCKETS);
  suffixMax(p, IX_SUMF, IDX_BUCKETS);
  suffixMax(p, IX_SUMW, IDX_WHOLE_BUCKETS);
  suffixMax(p, IX_SUMM, IDX_BUCKETS);
  // a block no node of the leaf counts in is all IX_NONE already
  for (let k = 0; k < IDX_CLASS_BLOCKS; k++) {
    if (((blocks >> k) & 1) == 0) continue;
    const pk = p + (<usize>(IX_KIND + k * IXK_STRIDE) << 2);
    suffixMax(pk, IXK_SUMF, IDX_KIND_BUCKETS);
    suffixMax(pk, IXK_SUMW, IDX_WHOLE_BUCKETS);
  }
}

/** Is device d counted in class block k (k < IDX_KINDS: its kind; else its model class)? */
@inline function inBlock(d: i32, k: i32): bool {
  if (k < IDX_KINDS) return get(cDKind, d) == k;
  const m = get(cDModel, d);
  return m >= 0 && IDX_KINDS + (m & (IDX_MODEL_CLASSES - 1)) == k;
}

/**
 * Fold node n (devices first .. first+count-1, some of them in class block k) into block k at pk:
 * its kind-k fractional and whole-device fit (as leafRecompute does over all kinds), its
 * capacities, and for a loaded node its summed used ratios at its kind-k buckets.
 */
/**
 * Bit set of the profile name classes (name & classMask) with a free instance on partition device
 * d that its milli and memory free can hold: deviceStage's partition checks but the task's memory.
 */
function freeProfiles(d: i32, milliFree: i32, classMask: i32): i32 {
  const first = get(cDProfFirst, d);
  const count = get(cDProfCount, d);
  const memFree = get(cDMemFree, d);
  let bits = 0;
  for (let i = first; i < first + count; i++) {
    if (get(cPUsed, i) < get(cPMax, i) && get(cPMilli, i) <= milliFree && get(cPMem, i) <= memFree) bits |= 1 << (get(cPName, i) & classMask);
  }
  return bits;
}

function kindInto(pk: usize, first: i32, count: i32, k: i32, empty: bool, cpuFree: i32, cpuCap: i32, memFree: i32, memCap: i32, dFree: i32, dCap: i32): void {
  let frac = IX_NONE;
  let whole = 0;
  let profs = 0;
  for (let i = 0; i < count; i++) {
    const d = first + i;
    if (!inBlock(d, k)) continue;
    const df = get(cDFlags, d);
    if ((df & DF_HEALTHY) == 0 || (df & DF_HELD) != 0) continue;
    const milliFree = get(cDMilliFree, d);
    const used = get(cDSlicesUsed, d);
    if (get(cDMode, d) == MODE_TIME_SLICE && used < get(cDSlicesMax, d) && milliFree > frac) frac = milliFree;
    if (used == 0 && milliFree == get(cDMilliCap, d) && get(cDMemFree, d) == get(cDMemCap, d)) whole++;
    if (!empty && get(cDMode, d) == MODE_PARTITION) profs |= freeProfiles(d, milliFree, IDX_PROF_CLASSES - 1);
  }
  kindFold(pk, frac, whole, profs, empty, cpuFree, cpuCap, memFree, memCap, dFree, dCap);
}

/** Fold a node's block aggregates (fractional fit, whole devices, profile classes) into block pk. */
function kindFold(pk: usize, frac: i32, whole: i32, profs: i32, empty: bool, cpuFree: i32, cpuCap: i32, memFree: i32, memCap: i32, dFree: i32, dCap: i32): void {
  if (empty) {
    maxInto(pk, IXK_EFRAC, frac);
    maxInto(pk, IXK_EWHOLE, whole);
    put(pk, IXK_EANY, 1);
    if (cpuCap > 0) maxInto(pk, IXK_ENCAP, -cpuCap);
    if (memCap > 0) maxInto(pk, IXK_ENCAP + 1, -memCap);
    if (dCap > 0) maxInto(pk, IXK_ENCAP + 2, -dCap);
    return;
  }
  maxInto(pk, IXK_FRAC, frac);
  maxInto(pk, IXK_WHOLE, whole);
  put(pk, IXK_ANY, 1);
  if (cpuCap > 0) maxInto(pk, IXK_NCAP, -cpuCap);
  if (memCap > 0) maxInto(pk, IXK_NCAP + 1, -memCap);
  if (dCap > 0) maxInto(pk, IXK_NCAP + 2, -dCap);
  let sum3 = 0;
  if (cpuCap > 0 && memCap > 0 && dCap > 0) {
    sum3 = ceilRatio(cpuCap - cpuFree, cpuCap) + ceilRatio(memCap - memFree, memCap) + ceilRatio(dCap - dFree, dCap);
    maxInto(pk, IXK_SUMF + min(bucketKey(frac), IDX_KIND_BUCKETS - 1), sum3);
    maxInto(pk, IXK_SUMW + min(bitLen(whole), IDX_WHOLE_BUCKETS - 1), sum3);
  }
  while (profs != 0) {
    const c = <i32>ctz<u32>(<u32>profs);
    profs &= profs - 1;
    maxInto(pk, IXK_SUMP + c, sum3);
  }
}

function capInto(p: usize, k: i32, cap: i32): void {
  if (cap <= 0) {
    put(p, IX_ODD + k, 1);
    return;
  }
  maxInto(p, IXE_NCAP + k, -cap);
  maxInto(p, IXE_XCAP + k, cap);
}

/**
 * May record p hold something other than IX_NONE in class block k? False only when IXK_ANY and
 * IXK_EANY are both IX_NONE: a block written by leafRecompute or combine that counts no node is
 * all IX_NONE. (Memory never written, e.g. a new layout before its first rebuild, holds 0: true.)
 */
@inline function hasBlock(p: usize, k: i32): bool {
  const o = IX_KIND + k * IXK_STRIDE;
  return get(p, o + IXK_ANY) != IX_NONE || get(p, o + IXK_EANY) != IX_NONE;
}

/**
 * Record v = element-wise max of its children (SIMD: four fields per instruction), in place; true
 * = v changed. A class block neither child has is all IX_NONE (their max) and is filled rather
 * than combined: a pool of one or two device kinds and models pays for the blocks it uses.
 */
function combine(v: i32): bool {
  const p = rec(v);
  const a = rec(v << 1);
  const b = a + (<usize>IX_STRIDE << 2);
  let diff = i32x4.splat(0);
  for (let w = 0; w < IX_KIND; w += 4) {
    const o = <usize>w << 2;
    const m = i32x4.max_s(v128.load(a + o), v128.load(b + o));
    diff = v128.or(diff, v128.xor(m, v128.load(p + o)));
    v128.store(p + o, m);
  }
  for (let k = 0; k < IDX_CLASS_BLOCKS; k++) {
    const w0 = IX_KIND + k * IXK_STRIDE;
    if (!hasBlock(a, k) && !hasBlock(b, k)) {
      // every complete record keeps an absent block all IX_NONE: only a present one needs the fill
      if (!hasBlock(p, k)) continue;
      const none = i32x4.splat(IX_NONE);
      for (let w = w0; w < w0 + IXK_STRIDE; w += 4) v128.store(p + (<usize>w << 2), none);
      diff = i32x4.splat(1);
      continue;
    }
    for (let w = w0; w < w0 + IXK_STRIDE; w += 4) {
      const o = <usize>w << 2;
      const m = i32x4.max_s(v128.load(a + o), v128.load(b + o));
      diff = v128.or(diff, v128.xor(m, v128.load(p + o)));
      v128.store(p + o, m);
    }
  }
  return v128.any_true(diff);
}

/** Copy the scratch record 0 over record v unless they are equal; true = v changed. */
function replaceIfChanged(v: i32): bool {
  const p = rec(v);
  const z = rec(0);
  let diff = i32x4.splat(0);
  for (let w = 0; w < IX_KIND; w += 4) {
    const o = <usize>w << 2;
    diff = v128.or(diff, v128.xor(v128.load(p + o), v128.load(z + o)));
  }
  let present = 0;
  for (let k = 0; k < IDX_CLASS_BLOCKS; k++) {
    // two blocks that count no node are both all IX_NONE
    if (!hasBlock(p, k) && !hasBlock(z, k)) continue;
    present |= 1 << k;
    const w0 = IX_KIND + k * IXK_STRIDE;
    for (let w = w0; w < w0 + IXK_STRIDE; w += 4) {
      const o = <usize>w << 2;
      diff = v128.or(diff, v128.xor(v128.load(p + o), v128.load(z + o)));
    }
  }
  if (!v128.any_true(diff)) return false;
  memory.copy(p, z, <usize>IX_KIND << 2);
  for (let k = 0; k < IDX_CLASS_BLOCKS; k++) {
    if (((present >> k) & 1) == 0) continue;
    const o = <usize>(IX_KIND + k * IXK_STRIDE) << 2;
    memory.copy(p + o, z + o, <usize>IXK_STRIDE << 2);
  }
  return true;
}

/** Queue the leaf holding node slot `n` for recomputation (commit changed its columns). */
function markNode(hdr: usize, n: i32): void {
  if (cTree == 0 || n < 0 || n >= idxLeaves << IDX_BLOCK_SHIFT) return;
  const l = get(cPos, n) >> IDX_BLOCK_SHIFT;
  const bits = <usize>load<i32>(hdr + (<usize>H_DIRTY_BITS << 2));
  const w = get(bits, l >> 5);
  const bit = 1 << (l & 31);
  if ((w & bit) != 0) return;
  put(bits, l >> 5, w | bit);
  const list = <usize>load<i32>(hdr + (<usize>H_DIRTY_LIST << 2));
  const count = load<i32>(hdr + (<usize>H_DIRTY_N << 2));
  put(list, count, l);
  store<i32>(hdr + (<usize>H_DIRTY_N << 2), count + 1);
}

/**
 * Sort key of node slot n for the leaf order (32 bits, unsigned order): the device kind and model
 * of its first device (12 bits), the half-octave buckets of its CPU and memory capacity (6 bits
 * each), then its group (8 bits): nodes of one shape stay together (unconstrained tasks prune by
 * shape) and within a shape the nodes of one group (constrained tasks prune by group). Absent
 * slots and slots at or above hwm get the largest key (placed last).
 */
function shapeKey(n: i32, hwm: i32): i32 {
  if (n >= hwm || (get(cNFlags, n) & NF_PRESENT) == 0) return -1;
  let dev = 0;
  if (get(cNDevCount, n) > 0) {
    const d = get(cNDevFirst, n);
    dev = (((get(cDKind, d) + 1) & 63) << 6) | ((get(cDModel, d) + 1) & 63);
  }
  return (dev << 20) | (min(bucketKey(get(cNCpuCap, n)), 63) << 14) | (min(bucketKey(get(cNMemCap, n)), 63) << 8) | groupOf(n);
}

/** One stable counting pass of the radix sort: (keys, slots) → (keys2, slots2) by key byte `shift`. */
function radixPass(count: i32, keys: usize, slots: usize, keys2: usize, slots2: usize, hist: usize, shift: i32): void {
  memory.fill(hist, 0, 256 << 2);
  for (let i = 0; i < count; i++) {
    const b = (get(keys, i) >>> shift) & 255;
    put(hist, b, get(hist, b) + 1);
  }
  let at = 0;
  for (let b = 0; b < 256; b++) {
    const c = get(hist, b);
    put(hist, b, at);
    at += c;
  }
  for (let i = 0; i < count; i++) {
    const k = get(keys, i);
    const b = (k >>> shift) & 255;
    const j = get(hist, b);
    put(hist, b, j + 1);
    put(keys2, j, k);
    put(slots2, j, get(slots, i));
  }
}

/**
 * Lay the node slots out over the leaves grouped by shape (H_IDX_ORDER, H_IDX_POS): a stable LSD
 * radix sort of every slot position by shapeKey, so equal shapes keep slot order. Runs with every
 * full rebuild; O(slots).
 */
function sortLeafOrder(hdr: usize, hwm: i32): void {
  const count = idxLeaves << IDX_BLOCK_SHIFT;
  const scratch = <usize>load<i32>(hdr + (<usize>H_IDX_SCRATCH << 2));
  const k0 = scratch;
  const s0 = scratch + (<usize>count << 2);
  const k1 = scratch + (<usize>count << 3);
  const hist = scratch + (<usize>(3 * count) << 2);
  for (let i = 0; i < count; i++) {
    put(k0, i, shapeKey(i, hwm));
    put(s0, i, i);
  }
  radixPass(count, k0, s0, k1, cOrder, hist, 0);
  radixPass(count, k1, cOrder, k0, s0, hist, 8);
  radixPass(count, k0, s0, k1, cOrder, hist, 16);
  radixPass(count, k1, cOrder, k0, s0, hist, 24);
  for (let p = 0; p < count; p++) {
    const n = get(s0, p);
    put(cOrder, p, n);
    put(cPos, n, p);
  }
  store<i32>(hdr + (<usize>H_IDX_SORTED << 2), hwm);
}

/** Bring the index up to date with the columns: the dirty leaves and their ancestors, or everything. */
function flushIndex(hdr: usize, hwm: i32, seed: u32): void {
  const leaves = idxLeaves;
  const count = load<i32>(hdr + (<usize>H_DIRTY_N << 2));
  const bits = <usize>load<i32>(hdr + (<usize>H_DIRTY_BITS << 2));
  const list = <usize>load<i32>(hdr + (<usize>H_DIRTY_LIST << 2));
  const depth = 32 - <i32>clz<u32>(<u32>leaves);
  const sorted = load<i32>(hdr + (<usize>H_IDX_SORTED << 2));
  if (load<i32>(hdr + (<usize>H_IDX_STALE << 2)) != 0 || count * depth > leaves || hwm > sorted + (sorted >> 2) + 64) {
    sortLeafOrder(hdr, hwm);
    for (let l = 0; l < leaves; l++) leafRecompute(l, hwm, seed, leaves + l);
    for (let v = leaves - 1; v >= 1; v--) combine(v);
    for (let i = 0; i < count; i++) put(bits, get(list, i) >> 5, 0);
    store<i32>(hdr + (<usize>H_IDX_STALE << 2), 0);
  } else {
    for (let i = 0; i < count; i++) {
      const l = get(list, i);
      put(bits, l >> 5, 0);
      // recompute into the scratch record 0; stop climbing at the first record that did not change
      leafRecompute(l, hwm, seed, 0);
      if (!replaceIfChanged(leaves + l)) continue;
      let v = (leaves + l) >> 1;
      while (v >= 1 && combine(v)) v >>= 1;
    }
  }
  store<i32>(hdr + (<usize>H_DIRTY_N << 2), 0);
}

// The task being placed, unpacked for the search.
let qCpu: i32 = 0;
let qMem: i32 = 0;
let qKind: i32 = 0;
let qCount: i32 = 0;
let qMilli: i32 = 0;
let qProfile: i32 = 0;
let qWhole: bool = false;
let qMask: usize = 0;
let qDMem: i32 = 0;
/** The group set of the task's mask (H_MASK_GROUPS), 0 = none known (no pruning by group). */
let qGroups: usize = 0;
let qSpread: bool = false;
let qDims: i32 = 0;
let qDevReq: i32 = 0;
let qBucket0: i32 = 0;
let qBucket1: i32 = 0;
let qBucket2: i32 = 0;
/** Word offset of the task kind's block in a record (IX_KIND + kind · IXK_STRIDE), -1 = kind not indexed. */
let qKindAt: i32 = -1;
/** The task's bucket in the kind block (IXK_SUMF / IXK_SUMW keys). */
let qKBucket: i32 = 0;
let qHwm: i32 = 0;
let qSeed: u32 = 0;
let qTask: usize = 0;
let qHdr: usize = 0;
let bestN: i32 = -1;
let bestS: i32 = -1;
let bestH: u32 = 0;
let visits: i32 = 0;

// trunc(min(req · IDX_FULL / cap, 2 · IDX_FULL)) of the last capacity seen per dimension (one
// shape dominates most records, so most bounds need no division)
let qCap0: i32 = 0;
let qCap1: i32 = 0;
let qCap2: i32 = 0;
let qQuot0: i32 = 0;
let qQuot1: i32 = 0;
let qQuot2: i32 = 0;

function quot(k: i32, req: i32, cap: i32): i32 {
  if (k == 0 && cap == qCap0) return qQuot0;
  if (k == 1 && cap == qCap1) return qQuot1;
  if (k == 2 && cap == qCap2) return qQuot2;
  let q = <f64>req * <f64>IDX_FULL / <f64>cap;
  if (q > <f64>(2 * IDX_FULL)) q = <f64>(2 * IDX_FULL);
  const r = <i32>q;
  if (k == 0) {
    qCap0 = cap;
    qQuot0 = r;
  } else if (k == 1) {
    qCap1 = cap;
    qQuot1 = r;
  } else {
    qCap2 = cap;
    qQuot2 = r;
  }
  return r;
}

/**
 * Upper bound of dimension k's score (an integer 0..100) over the record's nodes that can fit;
 * -1 = none can. Fixed point (IDX_SCALE): spread 100·(free − req)/cap ≤ 100·free/IDX_SCALE −
 * 100·req/(largest cap); binpack, empty nodes only (used = 0): 100·req/cap ≤ 100·req/(smallest cap).
 * Empty nodes: free = cap. The f64 quotient is rounded the safe way (+2 / −1), so the bound never
 * falls below the score. Loaded nodes under binpack are bounded by sumBound.
 */
function dimBound(p: usize, k: i32, req: i32, empty: bool): i32 {
  if (qSpread) {
    const f = empty ? IDX_SCALE : get(p, IX_FREE + k);
    const cap = get(p, (empty ? IXE_XCAP : IX_XCAP) + k);
    if (f == IX_NONE || cap == IX_NONE) return -1;
    let x: i64 = <i64>f * 100 - <i64>(quot(k, req, cap) - 1);
    if (x < 0) x = 0;
    if (x > <i64>IDX_FULL) x = <i64>IDX_FULL;
    return <i32>x / IDX_SCALE;
  }
  // binpack: only empty nodes get here (used = 0); loaded ones are bounded by sumBound
  const ncap = get(p, IXE_NCAP + k);
  if (ncap == IX_NONE) return -1;
  let x: i64 = <i64>(quot(k, req, -ncap) + 2);
  if (x > <i64>IDX_FULL) x = <i64>IDX_FULL;
  return <i32>x / IDX_SCALE;
}

/** Upper bound of the score of any loaded (empty = false) or empty node below record p that fits; -1 = none fits. */
function partBound(p: usize, empty: bool): i32 {
  if (get(p, empty ? IXE_HASH : IX_HASH) == IX_NONE) return -1;
  if (get(p, empty ? IXE_CPU : IX_CPU) < qCpu || get(p, empty ? IXE_MEM : IX_MEM) < qMem) return -1;
  if (qKindAt >= 0) {
    // only nodes carrying the task's kind can fit: its block alone decides
    const pk = p + (<usize>qKindAt << 2);
    if (get(pk, empty ? IXK_EANY : IXK_ANY) <= 0) return -1;
    // loaded nodes: one must offer a free instance of a profile of the task's class
    if (qProfile >= 0 && !empty && get(pk, IXK_SUMP + (qProfile & (IDX_PROF_CLASSES - 1))) == IX_NONE) return -1;
    if (qProfile < 0) {
      if (qWhole) {
        if (get(pk, empty ? IXK_EWHOLE : IXK_WHOLE) < qCount) return -1;
      } else if (get(pk, empty ? IXK_EFRAC : IXK_FRAC) < qMilli) return -1;
    }
  } else if (qKind >= 0 && qProfile < 0) {
    if (qWhole) {
      if (get(p, empty ? IXE_WHOLE : IX_WHOLE) < qCount) return -1;
    } else if (get(p, empty ? IXE_FRAC : IX_FRAC) < qMilli) return -1;
  }
  if (get(p, IX_ODD) > 0 || get(p, IX_ODD + 1) > 0 || (qKind >= 0 && get(p, IX_ODD + 2) > 0)) return 100;
  if (!qSpread && qKindAt >= 0) return kindBound(p + (<usize>qKindAt << 2), empty);
  if (!qSpread && !empty) return sumBound(p);
  const x0 = dimBound(p, 0, qCpu, empty);
  if (x0 < 0) return -1;
  const x1 = dimBound(p, 1, qMem, empty);
  if (x1 < 0) return -1;
  let sum = x0 + x1;
  if (qKind >= 0) {
    const x2 = dimBound(p, 2, qDevReq, empty);
    if (x2 < 0) return -1;
    sum += x2;
  }
  return sum / qDims;
}

/**
 * Binpack bound from the summed ratios (IX_SUMC / IX_SUMF / IX_SUMW) over the loaded nodes of
 * record p; -1 = none can fit. A fitting node's score is ⌊Σ_k min(100, ⌊100·(used_k + req_k)/cap_k⌋) / dims⌋
 * ≤ ⌊(Σ_k 100·used_k/cap_k + Σ_k 100·req_k/cap_k) / dims⌋, with Σ_k 100·used_k/cap_k ≤ 100·sum/IDX_SCALE
 * and 100·req_k/cap_k ≤ (quot_k + 2)/IDX_SCALE at the smallest capacity (as dimBound). A clamped
 * quotient (a request above twice a capacity) gives no bound (100).
 */
function sumBound(p: usize): i32 {
  let s: i32;
  if (qKind < 0) s = min(get(p, IX_SUMC + qBucket0), get(p, IX_SUMM + qBucket1));
  else if (qProfile >= 0) s = get(p, IX_SUMF);
  else if (qWhole) s = get(p, IX_SUMW + qBucket2);
  else s = get(p, IX_SUMF + qBucket2);
  const n0 = get(p, IX_NCAP);
  const n1 = get(p, IX_NCAP + 1);
  if (s == IX_NONE || n0 == IX_NONE || n1 == IX_NONE) return -1;
  const q0 = quot(0, qCpu, -n0);
  const q1 = quot(1, qMem, -n1);
  if (q0 >= 2 * IDX_FULL || q1 >= 2 * IDX_FULL) return 100;
  let x: i64 = <i64>s * 100 + <i64>q0 + <i64>q1 + 4;
  if (qKind >= 0) {
    const n2 = get(p, IX_NCAP + 2);
    if (n2 == IX_NONE) return -1;
    const q2 = quot(2, qDevReq, -n2);
    if (q2 >= 2 * IDX_FULL) return 100;
    x += <i64>q2 + 2;
  }
  return <i32>(x / <i64>IDX_SCALE) / qDims;
}

/**
 * Binpack bound over the nodes of the task's kind below a record, from its kind block pk: loaded
 * nodes as sumBound (IXK_SUMF / IXK_SUMW at the task's bucket, IXK_NCAP), empty ones as dimBound
 * (IXK_ENCAP: used = 0, so the score is at most Σ_k 100·req_k/(smallest cap_k) / dims).
 */
function kindBound(pk: usize, empty: bool): i32 {
  const nc = empty ? IXK_ENCAP : IXK_NCAP;
  const n0 = get(pk, nc);
  const n1 = get(pk, nc + 1);
  const n2 = get(pk, nc + 2);
  if (n0 == IX_NONE || n1 == IX_NONE || n2 == IX_NONE) return -1;
  const q0 = quot(0, qCpu, -n0);
  const q1 = quot(1, qMem, -n1);
  const q2 = quot(2, qDevReq, -n2);
  if (empty) {
    let x0: i64 = <i64>(q0 + 2);
    if (x0 > <i64>IDX_FULL) x0 = <i64>IDX_FULL;
    let x1: i64 = <i64>(q1 + 2);
    if (x1 > <i64>IDX_FULL) x1 = <i64>IDX_FULL;
    let x2: i64 = <i64>(q2 + 2);
    if (x2 > <i64>IDX_FULL) x2 = <i64>IDX_FULL;
    return (<i32>x0 / IDX_SCALE + <i32>x1 / IDX_SCALE + <i32>x2 / IDX_SCALE) / qDims;
  }
  let s: i32;
  if (qProfile >= 0) s = get(pk, IXK_SUMP + (qProfile & (IDX_PROF_CLASSES - 1)));
  else if (qWhole) s = get(pk, IXK_SUMW + qKBucket);
  else s = get(pk, IXK_SUMF + qKBucket);
  if (s == IX_NONE) return -1;
  if (q0 >= 2 * IDX_FULL || q1 >= 2 * IDX_FULL || q2 >= 2 * IDX_FULL) return 100;
  const x: i64 = <i64>s * 100 + <i64>q0 + <i64>q1 + <i64>q2 + 6;
  return <i32>(x / <i64>IDX_SCALE) / qDims;
}

/** Smallest tie hash a loaded / empty node below record p can have (a lower bound). */
@inline function hashFloor(p: usize, empty: bool): u32 {
  return <u32>(0x7fffffff - get(p, empty ? IXE_HASH : IX_HASH)) << 1;
}

// bounds of the record last passed to bounds(): loaded part, empty part
let gLoaded: i32 = -1;
let gEmpty: i32 = -1;

function bounds(v: i32): void {
  gLoaded = -1;
  gEmpty = -1;
  if (v >= idxLeaves && qMask != 0) {
    // a leaf none of whose nodes the mask allows cannot fit
    const p0 = (v - idxLeaves) << IDX_BLOCK_SHIFT;
    let allowed = false;
    for (let i = p0; i < p0 + IDX_BLOCK; i++) {
      const n = get(cOrder, i);
      if (n < qHwm && nodeAllowed(qMask, n)) {
        allowed = true;
        break;
      }
    }
    if (!allowed) return;
  }
  const p = rec(v);
  if (qGroups != 0 && !groupsMeet(p)) return;
  gLoaded = partBound(p, false);
  gEmpty = partBound(p, true);
}

/** Does the record's range of node groups hold a group in which the task's mask allows a node? */
function groupsMeet(p: usize): bool {
  const g0 = -get(p, IX_GNEG);
  const g1 = get(p, IX_GMAX);
  if (g1 == IX_NONE) return false;
  for (let w = g0 >> 5; w <= g1 >> 5; w++) {
    let bits = <u32>get(qGroups, w);
    if (w == g0 >> 5) bits &= <u32>0xffffffff << (<u32>g0 & 31);
    if (w == g1 >> 5) bits &= <u32>0xffffffff >>> (31 - (<u32>g1 & 31));
    if (bits != 0) return true;
  }
  return false;
}

/** Could a part with bound b and hash floor hf beat the best node so far? */
@inline function canBeat(b: i32, hf: u32): bool {
  return b >= 0 && (b > bestS || (b == bestS && hf < bestH));
}

/** Search order key of a record: its larger part bound, then that part's hash floor. */
@inline function orderHash(p: usize, bl: i32, be: i32): u32 {
  const top = bl > be ? bl : be;
  let h: u32 = 0xffffffff;
  if (bl == top) h = hashFloor(p, false);
  if (be == top) {
    const he = hashFloor(p, true);
    if (he < h) h = he;
  }
  return h;
}

function scanLeaf(l: i32): void {
  const p0 = l << IDX_BLOCK_SHIFT;
  const ok = NF_PRESENT | NF_HEALTHY | NF_SCHEDULABLE;
  for (let i = p0; i < p0 + IDX_BLOCK; i++) {
    const n = get(cOrder, i);
    if (n >= qHwm || !nodeAllowed(qMask, n)) continue;
    if ((get(cNFlags, n) & ok) != ok || get(cNCpuFree, n) < qCpu || get(cNMemFree, n) < qMem) continue;
    // the node's fit summary (written with its leaf) must be able to serve the request
    if (qKind >= 0 && qProfile < 0) {
      if (qWhole) {
        if (get(cFitWhole, n) < qCount) continue;
      } else if (get(cFitFrac, n) < qMilli || get(cFitFracMem, n) < qDMem) continue;
    } else if (qKind >= 0 && qProfile >= 0 && ((get(cFitProf, n) >>> (qProfile & 31)) & 1) == 0) continue;
    scanCandidate(qHdr, qTask, n, qSeed);
  }
}

function explore(v: i32, bl: i32, be: i32): void {
  const p = rec(v);
  if (!canBeat(bl, hashFloor(p, false)) && !canBeat(be, hashFloor(p, true))) return;
  visits++;
  if (v >= idxLeaves) {
    scanLeaf(v - idxLeaves);
    return;
  }
  const l = v << 1;
  const r = l + 1;
  bounds(l);
  const ll = gLoaded;
  const le = gEmpty;
  bounds(r);
  const rl = gLoaded;
  const re = gEmpty;
  const lt = ll > le ? ll : le;
  const rt = rl > re ? rl : re;
  if (rt > lt || (rt == lt && orderHash(rec(r), rl, re) < orderHash(rec(l), ll, le))) {
    explore(r, rl, re);
    explore(l, ll, le);
  } else {
    explore(l, ll, le);
    explore(r, rl, re);
  }
}

/** The group set written with node mask `mask` (H_MASK_GROUPS), 0 for no mask or a mask elsewhere. */
function maskGroups(hdr: usize, mask: usize): usize {
  if (mask == 0) return 0;
  const base = <usize>load<i32>(hdr + (<usize>H_MASK_BASE << 2));
  const bytes = <usize>load<i32>(hdr + (<usize>H_MASK_WORDS << 2)) << 2;
  if (bytes == 0 || mask < base || (mask - base) % bytes != 0) return 0;
  const m = <i32>((mask - base) / bytes);
  if (m >= MASK_SLOTS) return 0;
  return <usize>load<i32>(hdr + (<usize>H_MASK_GROUPS << 2)) + (<usize>(m * GROUP_WORDS) << 2);
}

/**
 * How many nodes a node mask allows: the count written with the mask (H_MASK_POP), or a popcount
 * of its words below hwm for a mask elsewhere. Only chooses between two exact methods.
 */
function maskAllows(hdr: usize, mask: usize, hwm: i32): i32 {
  const base = <usize>load<i32>(hdr + (<usize>H_MASK_BASE << 2));
  const bytes = <usize>load<i32>(hdr + (<usize>H_MASK_WORDS << 2)) << 2;
  if (bytes > 0 && mask >= base && (mask - base) % bytes == 0) {
    const m = <i32>((mask - base) / bytes);
    if (m < MASK_SLOTS) return get(<usize>load<i32>(hdr + (<usize>H_MASK_POP << 2)), m);
  }
  return maskPopulation(mask, hwm);
}

/** Popcount of the node mask over slots below hwm (how many nodes a constrained task may use). */
function maskPopulation(mask: usize, hwm: i32): i32 {
  let pop = 0;
  const words = (hwm + 31) >> 5;
  for (let w = 0; w < words; w++) pop += <i32>popcnt<u32>(<u32>get(mask, w));
  return pop;
}

/** Bit c set = the model allow-set at `set` names a model of class c (0 = no allow-list). */
function modelClasses(set: usize): u32 {
  if (set == 0) return 0;
  let m: u32 = 0;
  for (let w = 0; w < SET_WORDS; w++) {
    const x = <u32>get(set, w);
    if (x == 0) continue;
    // a word holds ids 32w .. 32w+31; with IDX_MODEL_CLASSES = 8, class c is bits c, c+8, c+16, c+24
    for (let c = 0; c < IDX_MODEL_CLASSES; c++) if ((x & (<u32>0x01010101 << c)) != 0) m |= <u32>1 << c;
  }
  return m;
}

/** The best node by the index (-1 = none fits); same choice as the scan with H_SAMPLE = 0. */
function searchIndex(hdr: usize, t: usize, hwm: i32, seed: u32): i32 {
  flushIndex(hdr, hwm, seed);
  qHdr = hdr;
  qTask = t;
  qHwm = hwm;
  qSeed = seed;
  qCpu = tget(t, T_CPU);
  qMem = tget(t, T_MEM);
  qKind = tget(t, T_KIND);
  qCount = tget(t, T_COUNT);
  qMilli = tget(t, T_MILLI);
  qProfile = tget(t, T_PROFILE);
  qWhole = (tget(t, T_FLAGS) & TF_WHOLE) != 0;
  qMask = <usize>tget(t, T_NODEMASK);
  qDMem = tget(t, T_DMEM);
  qGroups = maskGroups(hdr, qMask);
  qSpread = cPolicy == POLICY_SPREAD;
  qDims = qKind >= 0 ? 3 : 2;
  qDevReq = 0;
  if (qProfile < 0) qDevReq = qWhole ? 1000 * qCount : qMilli;
  qBucket0 = min(bucketKey(qCpu), IDX_BUCKETS - 1);
  qBucket1 = min(bucketKey(qMem), IDX_BUCKETS - 1);
  // device dimension: a share needs one device with qMilli free; whole devices need qCount fully free ones
  qBucket2 = 0;
  if (qKind >= 0 && qProfile < 0) qBucket2 = qWhole ? bitLen(qCount) : min(bucketKey(qMilli), IDX_BUCKETS - 1);
  qKindAt = qKind >= 0 && qKind < IDX_KINDS ? IX_KIND + qKind * IXK_STRIDE : -1;
  const mc = modelClasses(<usize>tget(t, T_MODELS));
  if (qKindAt >= 0 && mc != 0 && (mc & (mc - 1)) == 0) qKindAt = IX_KIND + (IDX_KINDS + <i32>ctz<u32>(<u32>mc)) * IXK_STRIDE;
  qKBucket = 0;
  if (qKindAt >= 0 && qProfile < 0) qKBucket = qWhole ? min(bitLen(qCount), IDX_WHOLE_BUCKETS - 1) : min(bucketKey(qMilli), IDX_KIND_BUCKETS - 1);
  bestN = -1;
  bestS = -1;
  bestH = 0;
  visits = 0;
  qCap0 = 0;
  qCap1 = 0;
  qCap2 = 0;
  mCpuCap = -1;
  bounds(1);
  explore(1, gLoaded, gEmpty);
  return bestN;
}

/**
 * Diagnostics for the tests: the score upper bounds the search uses for index record v and task
 * t (after bringing the index up to date), loaded part at out, empty part at out + 4 (-1 = no
 * node of that part below v can fit). Every fitting node below v scores at most its part's bound.
 */
export function indexBounds(hdr: usize, t: usize, v: i32, out: usize): void {
  bindLayout(hdr);
  const hwm = load<i32>(hdr + (<usize>H_NODE_HWM << 2));
  const seed = <u32>load<i32>(hdr + (<usize>H_SEED << 2));
  store<i32>(out, -1);
  store<i32>(out + 4, -1);
  if (cTree == 0 || v < 1 || v >= 2 * idxLeaves) return;
  // sets the task up as a decision does (and runs it, without committing)
  searchIndex(hdr, t, hwm, seed);
  bounds(v);
  store<i32>(out, gLoaded);
  store<i32>(out + 4, gEmpty);
}

/**
 * Exact scan (H_SAMPLE = 0) of every node slot below hwm, eight slots per step, in slot order:
 *  - memo A holds the columns, flags and score of a node that passed the pre-filter; scanRun
 *    compares each step's seven columns (five for a task without a device request) with A (SIMD,
 *    nothing else) and skips the step when every lane it considers is A's twin and A cannot beat
 *    the best so far, or when A's twins cannot and no other lane passes the pre-filter. Large
 *    pools are long runs of one shape and load (the empty nodes, say), so most steps end there.
 *  - where A keeps settling little (DENSE_SHORT short runs in a row: no runs of one shape and
 *    load), scanDense scores the next DENSE_SPAN slots directly: pre-filter, a division-free
 *    bound that dismisses steps whose lanes all score below the best (scoreBelow4), score4.
 *  - other steps go to scanStep, four slots at a time: a SIMD pre-filter on the node columns
 *    (present, healthy and schedulable flags, free CPU, free memory, summed free device milli;
 *    the node mask is applied to the lanes), scores from memo A, memo B (the last node scored
 *    outside A; a run of B's shape makes B the new A) or score4 (all four lanes at once, the same
 *    f64 operations as nodeScore), and then, in slot order, devicesFit for each lane whose score
 *    and tie hash beat the best so far.
 * The choice (highest score, then smallest tieHash) is the node-by-node scan's: a node that cannot
 * win needs no fit check, and a fit check is never skipped for a node that could win. Vector
 * loads read up to 7 slots past hwm (inside linear memory: other regions follow the node
 * columns); those lanes are masked off.
 *
 * The device-milli pre-filter needs two facts the binding keeps (src/engine/engine.ts writeNode
 * and charge; the kernel's commit): H_N_DMILLI_FREE is the sum of H_D_MILLI_FREE over the node's
 * devices, none of which is negative, and every device's H_D_MILLI_CAP is at least 1000
 * (oversubscription ≥ 1000, schema). A share of m milli needs one device with m free, so the sum
 * is ≥ m; c whole devices are fully free (free = cap ≥ 1000), so the sum is ≥ 1000·c.
 */
/** Fill the tie-hash column (H_TIE) for the slots below hwm (rounded up to 8) and this seed. */
function ensureTies(hdr: usize, hwm: i32, seed: u32): void {
  cTie = <usize>load<i32>(hdr + (<usize>H_TIE << 2));
  let filled = load<i32>(hdr + (<usize>H_TIE_FILLED << 2));
  if (<u32>load<i32>(hdr + (<usize>H_TIE_SEED << 2)) != seed) {
    filled = 0;
    store<i32>(hdr + (<usize>H_TIE_SEED << 2), <i32>seed);
  }
  let upTo = (hwm + 7) & ~7;
  const cap = idxLeaves << IDX_BLOCK_SHIFT;
  if (upTo > cap) upTo = cap;
  for (let n = filled; n < upTo; n++) put(cTie, n, <i32>tieHash(seed, <u32>n));
  if (upTo > filled) store<i32>(hdr + (<usize>H_TIE_FILLED << 2), upTo);
}
let cTie: usize = 0;

function scanExact(hdr: usize, t: usize, hwm: i32, seed: u32): i32 {
  const mask = <usize>tget(t, T_NODEMASK);
  ensureTies(hdr, hwm, seed);
  scanTask(t);
  bestN = -1;
  bestS = -1;
  bestH = 0;
  sAOn = false;
  sBOn = false;
  let n = 0;
  let short = 0;
  while (n < hwm) {
    // skip the steps that memo A settles
    if (sAOn) {
      const from = n;
      n = scanRun(n, hwm, mask, seed);
      if (n >= hwm) break;
      short = n - from < DENSE_AFTER ? short + 1 : 0;
      if (short >= DENSE_SHORT) {
        // A keeps settling little (no run of one shape and load here): score a stretch directly
        n = scanDense(hdr, t, n, min(hwm, n + DENSE_SPAN), mask, seed);
        short = 0;
        continue;
      }
    }
    let lanes: i32 = hwm - n >= 8 ? 0xff : (1 << (hwm - n)) - 1;
    if (mask != 0) lanes &= (get(mask, n >> 5) >>> (n & 31)) & 0xff;
    if ((lanes & 15) != 0) scanStep(hdr, t, n, lanes & 15, seed);
    if ((lanes >> 4) != 0) scanStep(hdr, t, n + 4, lanes >> 4, seed);
    n += 8;
  }
  return bestN;
}

/** scanRun settling fewer node slots than this before a step it cannot settle, DENSE_SHORT times in a row, switches to scanDense. */
const DENSE_AFTER = 16;
const DENSE_SHORT = 8;
/** Node slots scanDense scores before the memo gets another chance (a multiple of 8). */
const DENSE_SPAN = 256;

/**
 * Steps n .. end-1 (four node slots each; n a multiple of 8) without memos, for pools that are
 * not runs of one shape and load: pre-filter, score4 of the passing lanes, and the fit check of
 * lanes that beat the best so far (scanCandidates). Returns end.
 */
function scanDense(hdr: usize, t: usize, n: i32, end: i32, mask: usize, seed: u32): i32 {
  for (; n < end; n += 4) {
    let lanes: i32 = end - n >= 4 ? 15 : (1 << (end - n)) - 1;
    if (mask != 0) {
      const word = get(mask, n >> 5);
      if (word == 0 && (n & 31) == 0) {
        n += 28;
        continue;
      }
      lanes &= (word >>> (n & 31)) & 15;
      if (lanes == 0) continue;
    }
    const o = <usize>n << 2;
    const cpuF = v128.load(cNCpuFree + o);
    const memF = v128.load(cNMemFree + o);
    const dF = v128.load(cNDmilliFree + o);
    const bits = passing(v128.load(cNFlags + o), cpuF, memF, dF) & lanes;
    if (bits == 0) continue;
    const cpuC = v128.load(cNCpuCap + o);
    const memC = v128.load(cNMemCap + o);
    const dC = v128.load(cNDmilliCap + o);
    if (scanBounded && (scoreBelow4(cpuF, cpuC, memF, memC, dF, dC, bestS) & bits) == bits) continue;
    const sc = score4(cpuF, cpuC, memF, memC, dF, dC);
    const best = i32x4.splat(bestS);
    let cand = i32x4.bitmask(i32x4.gt_s(sc, best)) & bits;
    const tie = i32x4.bitmask(i32x4.eq(sc, best)) & bits;
    if (tie != 0) cand |= tie & i32x4.bitmask(i32x4.lt_u(v128.load(cTie + o), i32x4.splat(<i32>bestH)));
    if (cand != 0) scanCandidates(hdr, t, n, cand, sc, seed);
  }
  return end;
}

/**
 * Lanes (bits 0..3) whose score is surely below `best`, found without dividing. Each dimension
 * score is at most 100·u/c (u = max(0, c − free) + req for binpack, max(0, free − req) for spread;
 * c > 0), so a node with Σ 100·u/c < best·dims scores below best. Multiplied out by the
 * capacities: 100·(u0·c1·c2 + u1·c0·c2 + u2·c0·c1) < best·dims·c0·c1·c2 (a dimension without
 * capacity counts with u = 0, c = 1). Computed in f32 (no overflow: each side < 2^110), whose
 * relative error is below 8·2^−24 per side; a lane is reported only when the left side is
 * below the right side by more than 2^−16 of it, so the exact inequality holds. Needs free ≥ 0
 * (lanes with a negative free amount are never reported) and 0 ≤ req < 2^30 (scanBounded).
 */
@inline function scoreBelow4(cpuF: v128, cpuC: v128, memF: v128, memC: v128, dF: v128, dC: v128, best: i32): i32 {
  if (best <= 0) return 0;
  const zero = i32x4.splat(0);
  const one = f32x4.splat(1.0);
  const onC = i32x4.gt_s(cpuC, zero);
  const onM = i32x4.gt_s(memC, zero);
  const onD = scanDevDim ? i32x4.gt_s(dC, zero) : zero;
  let uC: v128;
  let uM: v128;
  let uD: v128;
  if (scanSpread) {
    uC = i32x4.max_s(i32x4.sub(cpuF, vCpu), zero);
    uM = i32x4.max_s(i32x4.sub(memF, vMem), zero);
    uD = i32x4.max_s(i32x4.sub(dF, vDevScore), zero);
  } else {
    uC = i32x4.add(i32x4.max_s(i32x4.sub(cpuC, cpuF), zero), vCpu);
    uM = i32x4.add(i32x4.max_s(i32x4.sub(memC, memF), zero), vMem);
    uD = i32x4.add(i32x4.max_s(i32x4.sub(dC, dF), zero), vDevScore);
  }
  const u0 = v128.and(f32x4.convert_i32x4_u(uC), onC);
  const u1 = v128.and(f32x4.convert_i32x4_u(uM), onM);
  const u2 = v128.and(f32x4.convert_i32x4_u(uD), onD);
  const c0 = v128.bitselect(f32x4.convert_i32x4_s(cpuC), one, onC);
  const c1 = v128.bitselect(f32x4.convert_i32x4_s(memC), one, onM);
  const c2 = v128.bitselect(f32x4.convert_i32x4_s(dC), one, onD);
  const dims = i32x4.sub(zero, i32x4.add(i32x4.add(onC, onM), onD));
  const c12 = f32x4.mul(c1, c2);
  const lhs = f32x4.mul(f32x4.add(f32x4.add(f32x4.mul(u0, c12), f32x4.mul(u1, f32x4.mul(c0, c2))), f32x4.mul(u2, f32x4.mul(c0, c1))), f32x4.splat(100.0));
  const rhs = f32x4.mul(f32x4.mul(f32x4.convert_i32x4_s(i32x4.mul(dims, i32x4.splat(best))), f32x4.mul(c0, c12)), f32x4.splat(<f32>(1.0 - 1.0 / 65536.0)));
  const negative = v128.or(v128.or(i32x4.lt_s(cpuF, zero), i32x4.lt_s(memF, zero)), i32x4.lt_s(dF, zero));
  return i32x4.bitmask(v128.andnot(f32x4.lt(lhs, rhs), negative));
}

/**
 * In slot order, make each lane of `cand` (node slots n .. n+3, scores sc) the best when its
 * score and tie hash still beat the best so far and its devices fit.
 */
function scanCandidates(hdr: usize, t: usize, n: i32, cand: i32, sc: v128, seed: u32): void {
  while (cand != 0) {
    const i = <i32>ctz<u32>(<u32>cand);
    cand &= cand - 1;
    const s = laneOf(sc, i);
    const node = n + i;
    const th = tieHash(seed, <u32>node);
    if (s < bestS || (s == bestS && th >= bestH)) continue;
    if (!devicesFit(hdr, t, node)) continue;
    bestN = node;
    bestS = s;
    bestH = th;
  }
}

// Memo A's columns and flags splatted, and the task's pre-filter thresholds splatted: globals,
// so that the loops read them from memory instead of keeping (or rebuilding) them in registers.
let vAFl: v128 = i32x4.splat(0);
let vACpuF: v128 = i32x4.splat(0);
let vACpuC: v128 = i32x4.splat(0);
let vAMemF: v128 = i32x4.splat(0);
let vAMemC: v128 = i32x4.splat(0);
let vADF: v128 = i32x4.splat(0);
let vADC: v128 = i32x4.splat(0);
let vOk: v128 = i32x4.splat(0);
let vCpu: v128 = i32x4.splat(0);
let vMem: v128 = i32x4.splat(0);
let vDReq: v128 = i32x4.splat(0);

/** Lanes (bits 0..3) of node slots n .. n+3 that pass the pre-filter (mask aside). */
@inline function passing(flags: v128, cpu: v128, mem: v128, dev: v128): i32 {
  return i32x4.bitmask(v128.and(
    v128.and(i32x4.eq(v128.and(flags, vOk), vOk), i32x4.ge_s(dev, vDReq)),
    v128.and(i32x4.ge_s(cpu, vCpu), i32x4.ge_s(mem, vMem)),
  ));
}

/** Lanes (bits 0..7) of node slots n .. n+7 (at byte offset o) that pass the pre-filter (mask aside). */
function passing8(o: usize): i32 {
  return passing(v128.load(cNFlags + o), v128.load(cNCpuFree + o), v128.load(cNMemFree + o), v128.load(cNDmilliFree + o)) |
    (passing(v128.load(cNFlags + o, 16), v128.load(cNCpuFree + o, 16), v128.load(cNMemFree + o, 16), v128.load(cNDmilliFree + o, 16)) << 4);
}

/** Lanes (bits 0..7) of node slots n .. n+7 whose tie hash is below h. */
@inline function hashBelow(seed: u32, n: i32, h: u32): i32 {
  const v = i32x4.splat(<i32>h);
  const o = <usize>n << 2;
  return i32x4.bitmask(i32x4.lt_u(v128.load(cTie + o), v)) | (i32x4.bitmask(i32x4.lt_u(v128.load(cTie + o, 16), v)) << 4);
}

/**
 * From step n (node slots n .. n+7, n a multiple of 8) on, the first step that memo A does not
 * settle, or hwm. A step is settled when every lane it considers has A's columns and flags (so
 * A's pre-filter result and score) and A cannot beat the best so far (below it, or tied with no
 * smaller tie hash), or when A's lanes cannot and no other lane passes the pre-filter. Reads
 * seven columns per node and calls nothing, so that its loop keeps its registers.
 */
function scanRun(n: i32, hwm: i32, mask: usize, seed: u32): i32 {
  // a task without a device request neither scores nor filters on the device columns: A's twins
  // need only match on five columns
  if (mask == 0) return scanDevDim ? scanRunAll(n, hwm, seed, true) : scanRunAll(n, hwm, seed, false);
  return scanDevDim ? scanRunMasked(n, hwm, mask, seed, true) : scanRunMasked(n, hwm, mask, seed, false);
}

/** scanRun without a node mask: whole steps only (the caller takes the last, partial one). */
function scanRunAll(n: i32, hwm: i32, seed: u32, dev: bool): i32 {
  const dead = sAScore < bestS;
  const tie = sAScore == bestS;
  const h = bestH;
  const end = hwm & ~7;
  for (; n < end; n += 8) {
    const o = <usize>n << 2;
    const a = inRunA8(o, dev);
    if (a == 0xff) {
      if (!dead && (!tie || hashBelow(seed, n, h) != 0)) return n;
    } else if (!dead || (passing8(o) & ~a) != 0) return n;
  }
  return n;
}

/** scanRun under a node mask (a zero mask word skips 32 slots). */
function scanRunMasked(n: i32, hwm: i32, mask: usize, seed: u32, dev: bool): i32 {
  const dead = sAScore < bestS;
  const tie = sAScore == bestS;
  const h = bestH;
  while (n < hwm) {
    const word = get(mask, n >> 5);
    if (word == 0 && (n & 31) == 0) {
      n += 32;
      continue;
    }
    let lanes: i32 = (word >>> (n & 31)) & 0xff;
    if (hwm - n < 8) lanes &= (1 << (hwm - n)) - 1;
    if (lanes != 0) {
      const o = <usize>n << 2;
      const a = inRunA8(o, dev) & lanes;
      if (a == lanes) {
        if (!dead && (!tie || (hashBelow(seed, n, h) & lanes) != 0)) return n;
      } else if (!dead || (passing8(o) & lanes & ~a) != 0) return n;
    }
    n += 8;
  }
  return hwm;
}

/**
 * Lanes (bits 0..7) of node slots n .. n+7 (at byte offset o) with memo A's columns and flags
 * (the device columns only when `dev`). Each column is compared as it is loaded, so that no
 * loaded vector stays live.
 */
@inline function inRunA8(o: usize, dev: bool): i32 {
  let x = vAFl;
  let e0 = i32x4.eq(v128.load(cNFlags + o), x);
  let e1 = i32x4.eq(v128.load(cNFlags + o, 16), x);
  x = vACpuF;
  e0 = v128.and(e0, i32x4.eq(v128.load(cNCpuFree + o), x));
  e1 = v128.and(e1, i32x4.eq(v128.load(cNCpuFree + o, 16), x));
  x = vAMemF;
  e0 = v128.and(e0, i32x4.eq(v128.load(cNMemFree + o), x));
  e1 = v128.and(e1, i32x4.eq(v128.load(cNMemFree + o, 16), x));
  if (dev) {
    x = vADF;
    e0 = v128.and(e0, i32x4.eq(v128.load(cNDmilliFree + o), x));
    e1 = v128.and(e1, i32x4.eq(v128.load(cNDmilliFree + o, 16), x));
    x = vADC;
    e0 = v128.and(e0, i32x4.eq(v128.load(cNDmilliCap + o), x));
    e1 = v128.and(e1, i32x4.eq(v128.load(cNDmilliCap + o, 16), x));
  }
  x = vACpuC;
  e0 = v128.and(e0, i32x4.eq(v128.load(cNCpuCap + o), x));
  e1 = v128.and(e1, i32x4.eq(v128.load(cNCpuCap + o, 16), x));
  x = vAMemC;
  e0 = v128.and(e0, i32x4.eq(v128.load(cNMemCap + o), x));
  e1 = v128.and(e1, i32x4.eq(v128.load(cNMemCap + o, 16), x));
  return i32x4.bitmask(e0) | (i32x4.bitmask(e1) << 4);
}

// Memo A (the run of one shape and load being scanned; columns and flags splatted in vA*, above)
// and memo B (the last node scored outside A; columns splatted): their scores. A is always a
// node that passed the pre-filter, so every node with A's columns and flags passes it too.
let sAOn: bool = false;
let sAScore: i32 = 0;
let sBOn: bool = false;
let vBCpuF: v128 = i32x4.splat(0);
let vBCpuC: v128 = i32x4.splat(0);
let vBMemF: v128 = i32x4.splat(0);
let vBMemC: v128 = i32x4.splat(0);
let vBDF: v128 = i32x4.splat(0);
let vBDC: v128 = i32x4.splat(0);
let sBScore: i32 = 0;

/** Lanes (bits 0..3) whose columns equal the splatted ones. */
@inline function sameColumns(cpuF: v128, cpuC: v128, memF: v128, memC: v128, dF: v128, dC: v128,
  xCpuF: v128, xCpuC: v128, xMemF: v128, xMemC: v128, xDF: v128, xDC: v128): v128 {
  return v128.and(
    v128.and(v128.and(i32x4.eq(cpuF, xCpuF), i32x4.eq(cpuC, xCpuC)), v128.and(i32x4.eq(memF, xMemF), i32x4.eq(memC, xMemC))),
    v128.and(i32x4.eq(dF, xDF), i32x4.eq(dC, xDC)),
  );
}

/**
 * One step of the scan (node slots n .. n+3, lanes = the slots to consider) that memo A does not
 * settle: pre-filter, scores (memo A, memo B or score4), then the fit check of each lane that
 * could beat the best so far, in slot order.
 */
function scanStep(hdr: usize, t: usize, n: i32, lanes: i32, seed: u32): void {
  const o = <usize>n << 2;
  const flags = v128.load(cNFlags + o);
  const cpuF = v128.load(cNCpuFree + o);
  const cpuC = v128.load(cNCpuCap + o);
  const memF = v128.load(cNMemFree + o);
  const memC = v128.load(cNMemCap + o);
  const dF = v128.load(cNDmilliFree + o);
  const dC = v128.load(cNDmilliCap + o);
  const bits = passing(flags, cpuF, memF, dF) & lanes;
  if (bits == 0) return;
  let inA = i32x4.splat(0);
  let aBits = 0;
  if (sAOn) {
    inA = sameColumns(cpuF, cpuC, memF, memC, dF, dC, vACpuF, vACpuC, vAMemF, vAMemC, vADF, vADC);
    aBits = i32x4.bitmask(inA) & bits;
    if (aBits == bits && sAScore < bestS) return;
  }
  let sc = i32x4.splat(sAScore);
  if (aBits != bits) {
    let inB = i32x4.splat(0);
    let bBits = 0;
    if (sBOn) {
      inB = sameColumns(cpuF, cpuC, memF, memC, dF, dC, vBCpuF, vBCpuC, vBMemF, vBMemC, vBDF, vBDC);
      bBits = i32x4.bitmask(inB) & bits & ~aBits;
    }
    const rest = bits & ~aBits & ~bBits;
    if (rest == 0) {
      sc = v128.bitselect(sc, i32x4.splat(sBScore), inA);
      if (aBits == 0) {
        // a run of B's shape began: B becomes the run memo A (with a passing lane's flags), A becomes B
        const m = n + 31 - <i32>clz<u32>(<u32>bits);
        const c1 = vACpuF; vACpuF = vBCpuF; vBCpuF = c1;
        const c2 = vACpuC; vACpuC = vBCpuC; vBCpuC = c2;
        const c3 = vAMemF; vAMemF = vBMemF; vBMemF = c3;
        const c4 = vAMemC; vAMemC = vBMemC; vBMemC = c4;
        const c5 = vADF; vADF = vBDF; vBDF = c5;
        const c6 = vADC; vADC = vBDC; vBDC = c6;
        const c7 = sAScore; sAScore = sBScore; sBScore = c7;
        vAFl = i32x4.splat(get(cNFlags, m));
        sBOn = sAOn;
        sAOn = true;
      }
    } else {
      const s4 = score4(cpuF, cpuC, memF, memC, dF, dC);
      sc = v128.bitselect(sc, v128.bitselect(i32x4.splat(sBScore), s4, inB), inA);
      // remember the last newly scored lane (the one next to the following step)
      const i = 31 - <i32>clz<u32>(<u32>rest);
      const m = n + i;
      const ms = laneOf(s4, i);
      if (!sAOn) {
        sAOn = true;
        vAFl = i32x4.splat(get(cNFlags, m));
        vACpuF = i32x4.splat(get(cNCpuFree, m));
        vACpuC = i32x4.splat(get(cNCpuCap, m));
        vAMemF = i32x4.splat(get(cNMemFree, m));
        vAMemC = i32x4.splat(get(cNMemCap, m));
        vADF = i32x4.splat(get(cNDmilliFree, m));
        vADC = i32x4.splat(get(cNDmilliCap, m));
        sAScore = ms;
      } else {
        sBOn = true;
        vBCpuF = i32x4.splat(get(cNCpuFree, m));
        vBCpuC = i32x4.splat(get(cNCpuCap, m));
        vBMemF = i32x4.splat(get(cNMemFree, m));
        vBMemC = i32x4.splat(get(cNMemCap, m));
        vBDF = i32x4.splat(get(cNDmilliFree, m));
        vBDC = i32x4.splat(get(cNDmilliCap, m));
        sBScore = ms;
      }
    }
  }
  // lanes that could beat the best so far (a superset: the best may rise within the step)
  let cand = i32x4.bitmask(i32x4.gt_s(sc, i32x4.splat(bestS))) & bits;
  const tie = i32x4.bitmask(i32x4.eq(sc, i32x4.splat(bestS))) & bits;
  if (tie != 0) cand |= tie & i32x4.bitmask(i32x4.lt_u(v128.load(cTie + (<usize>n << 2)), i32x4.splat(<i32>bestH)));
  if (cand != 0) scanCandidates(hdr, t, n, cand, sc, seed);
}


/** Lane i (0..3) of an i32x4 (lane indices must be constants). */
@inline function laneOf(v: v128, i: i32): i32 {
  if (i < 2) return i == 0 ? i32x4.extract_lane(v, 0) : i32x4.extract_lane(v, 1);
  return i == 2 ? i32x4.extract_lane(v, 2) : i32x4.extract_lane(v, 3);
}

// The task's score inputs for score4, set by scanTask once per scan.
let scanSpread: bool = false;
let scanDevDim: bool = false;
let scanReqCpu: f64 = 0;
let scanCpu: i32 = 0;
let scanMem: i32 = 0;
let scanReqMem: f64 = 0;
let scanReqDev: f64 = 0;
/** Least summed free device milli a node needs for the task (i32.MIN_VALUE: no such bound). */
let scanDevReq: i32 = 0;
/** The requests are in 0 .. 2^30 (scoreBelow4 may bound scores). */
let scanBounded: bool = false;
/** The device request as nodeScore scores it, splatted. */
let vDevScore: v128 = i32x4.splat(0);

function scanTask(t: usize): void {
  scanSpread = cPolicy == POLICY_SPREAD;
  const kind = tget(t, T_KIND);
  const profile = tget(t, T_PROFILE);
  const whole = (tget(t, T_FLAGS) & TF_WHOLE) != 0;
  scanDevDim = kind >= 0;
  scanCpu = tget(t, T_CPU);
  scanMem = tget(t, T_MEM);
  scanReqCpu = <f64>tget(t, T_CPU);
  scanReqMem = <f64>tget(t, T_MEM);
  // as nodeScore: a whole-device task requests 1000 per device, a share its milli, a partition 0
  let req = 0;
  if (profile < 0) req = whole ? 1000 * tget(t, T_COUNT) : tget(t, T_MILLI);
  scanReqDev = <f64>req;
  scanDevReq = i32.MIN_VALUE;
  if (kind >= 0 && profile < 0) {
    if (whole) {
      const c = tget(t, T_COUNT);
      // c ≤ 0 still needs one device; beyond 2^21 devices the product would overflow (no bound)
      scanDevReq = c <= 1 ? 1000 : c < 0x200000 ? 1000 * c : i32.MIN_VALUE;
    } else scanDevReq = tget(t, T_MILLI);
  }
  vOk = i32x4.splat(NF_PRESENT | NF_HEALTHY | NF_SCHEDULABLE);
  vCpu = i32x4.splat(scanCpu);
  vMem = i32x4.splat(scanMem);
  vDReq = i32x4.splat(scanDevReq);
  vDevScore = i32x4.splat(req);
  const lim = 1 << 30;
  scanBounded = scanCpu >= 0 && scanCpu < lim && scanMem >= 0 && scanMem < lim && req >= 0 && req < lim;
}

/**
 * One dimension's score (dimScore) for four nodes: the same f64 operations per lane (exact, see
 * dimScore), truncated with saturation and clamped to 0..100. Lanes with cap ≤ 0 are garbage
 * (the caller masks them out).
 */
@inline function dimScore4(free: v128, cap: v128, req: f64, spread: bool): v128 {
  const h = f64x2.splat(100.0);
  const r = f64x2.splat(req);
  const fLo = f64x2.convert_low_i32x4_s(free);
  const cLo = f64x2.convert_low_i32x4_s(cap);
  const fHi = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(free, free, 2, 3, 2, 3));
  const cHi = f64x2.convert_low_i32x4_s(v128.shuffle<i32>(cap, cap, 2, 3, 2, 3));
  let nLo: v128;
  let nHi: v128;
  if (spread) {
    nLo = f64x2.mul(f64x2.sub(fLo, r), h);
    nHi = f64x2.mul(f64x2.sub(fHi, r), h);
  } else {
    nLo = f64x2.mul(f64x2.add(f64x2.sub(cLo, fLo), r), h);
    nHi = f64x2.mul(f64x2.add(f64x2.sub(cHi, fHi), r), h);
  }
  const qLo = i32x4.trunc_sat_f64x2_s_zero(f64x2.div(nLo, cLo));
  const qHi = i32x4.trunc_sat_f64x2_s_zero(f64x2.div(nHi, cHi));
  const q = v128.shuffle<i32>(qLo, qHi, 0, 1, 4, 5);
  return i32x4.min_s(i32x4.max_s(q, i32x4.splat(0)), i32x4.splat(100));
}

/** nodeScore of four nodes (lanes) from their columns, for the task set by scanTask. */
function score4(cpuF: v128, cpuC: v128, memF: v128, memC: v128, dF: v128, dC: v128): v128 {
  const zero = i32x4.splat(0);
  const onC = i32x4.gt_s(cpuC, zero);
  const onM = i32x4.gt_s(memC, zero);
  let sum = i32x4.add(v128.and(dimScore4(cpuF, cpuC, scanReqCpu, scanSpread), onC), v128.and(dimScore4(memF, memC, scanReqMem, scanSpread), onM));
  let dims = i32x4.sub(zero, i32x4.add(onC, onM));
  if (scanDevDim) {
    const onD = i32x4.gt_s(dC, zero);
    sum = i32x4.add(sum, v128.and(dimScore4(dF, dC, scanReqDev, scanSpread), onD));
    dims = i32x4.sub(dims, onD);
  }
  // sum / dims for dims 0..3 and 0 ≤ sum ≤ 300: ⌊s/3⌋ = (s·21846) >> 16 for s < 32768, since
  // (3k+2)·21846 < 65536·(k+1) ⇔ k < 10922 and 3k·21846 ≥ 65536·k
  const q3 = i32x4.shr_u(i32x4.mul(sum, i32x4.splat(21846)), 16);
  const q2 = i32x4.shr_u(sum, 1);
  let q = v128.bitselect(q3, q2, i32x4.eq(dims, i32x4.splat(3)));
  q = v128.bitselect(sum, q, i32x4.eq(dims, i32x4.splat(1)));
  return v128.and(q, i32x4.ne(dims, zero));
}

/**
 * Whether node n's devices satisfy task t: exactly nodeReason(hdr, t, n) < 0 for a node that
 * passes the node checks (flags, mask, CPU, memory). Shares and whole devices test four devices
 * per step on the device columns (a node's devices are contiguous; lanes past its last device
 * read the following slots, which lie inside linear memory, and are masked off); partition
 * profiles go device by device (deviceStage). Vendor and model allow-sets are looked up only for
 * devices that pass every other check.
 */
function devicesFit(hdr: usize, t: usize, n: i32): bool {
  const kind = tget(t, T_KIND);
  if (kind < 0) return true;
  const first = get(cNDevFirst, n);
  const count = get(cNDevCount, n);
  if (tget(t, T_PROFILE) >= 0) {
    for (let i = 0; i < count; i++) if (deviceStage(hdr, t, first + i) == DS_FIT) return true;
    return false;
  }
  const whole = (tget(t, T_FLAGS) & TF_WHOLE) != 0;
  let need = whole ? tget(t, T_COUNT) : 1;
  if (need < 1) need = 1;
  if (count < need) return false;
  const vendors = <usize>tget(t, T_VENDORS);
  const models = <usize>tget(t, T_MODELS);
  const prec = tget(t, T_PREC);
  const zero = i32x4.splat(0);
  const vKind = i32x4.splat(kind);
  const vPrec = i32x4.splat(prec);
  const vDmem = i32x4.splat(tget(t, T_DMEM));
  const vMilli = i32x4.splat(tget(t, T_MILLI));
  const vHealthy = i32x4.splat(DF_HEALTHY);
  const vHeld = i32x4.splat(DF_HELD);
  const vShared = i32x4.splat(MODE_TIME_SLICE);
  // first the checks that rule out most nodes, on two columns: the kind, then for a share a
  // device with the milli free, for whole devices `need` of them with all milli free
  let quick = 0;
  for (let i = 0; i < count; i += 4) {
    const o = <usize>(first + i) << 2;
    const milliFree = v128.load(cDMilliFree + o);
    let bits = i32x4.bitmask(v128.and(i32x4.eq(v128.load(cDKind + o), vKind), whole ? i32x4.eq(milliFree, v128.load(cDMilliCap + o)) : i32x4.ge_s(milliFree, vMilli)));
    const left = count - i;
    if (left < 4) bits &= (1 << left) - 1;
    quick += <i32>popcnt<u32>(<u32>bits);
  }
  if (quick < need) return false;
  let fit = 0;
  for (let i = 0; i < count; i += 4) {
    const o = <usize>(first + i) << 2;
    const flags = v128.load(cDFlags + o);
    const memFree = v128.load(cDMemFree + o);
    const milliFree = v128.load(cDMilliFree + o);
    const used = v128.load(cDSlicesUsed + o);
    // kind, healthy, not held, device memory (deviceStage: every path checks these)
    let okv = v128.and(
      v128.and(i32x4.eq(v128.load(cDKind + o), vKind), i32x4.ge_s(memFree, vDmem)),
      v128.and(i32x4.ne(v128.and(flags, vHealthy), zero), i32x4.eq(v128.and(flags, vHeld), zero)),
    );
    if (prec != 0) okv = v128.and(okv, i32x4.ne(v128.and(v128.load(cDPrec + o), vPrec), zero));
    if (whole) {
      // nothing runs on it: no slice used, all milli and memory free
      okv = v128.and(okv, v128.and(
        i32x4.eq(used, zero),
        v128.and(i32x4.eq(milliFree, v128.load(cDMilliCap + o)), i32x4.eq(memFree, v128.load(cDMemCap + o))),
      ));
    } else {
      // a share: time-sliced, a free slice, the milli free
      okv = v128.and(okv, v128.and(
        i32x4.eq(v128.load(cDMode + o), vShared),
        v128.and(i32x4.lt_s(used, v128.load(cDSlicesMax + o)), i32x4.ge_s(milliFree, vMilli)),
      ));
    }
    let bits = i32x4.bitmask(okv);
    const left = count - i;
    if (left < 4) bits &= (1 << left) - 1;
    if (bits != 0 && (vendors != 0 || models != 0)) {
      let b = bits;
      while (b != 0) {
        const j = <i32>ctz<u32>(<u32>b);
        b &= b - 1;
        const d = first + i + j;
        if (!inSet(vendors, get(cDVendor, d)) || !inSet(models, get(cDModel, d))) bits &= ~(1 << j);
      }
    }
    fit += <i32>popcnt<u32>(<u32>bits);
    if (fit >= need) return true;
  }
  return false;
}

// The last scored node's columns and score (index leaves, scanLeaf): neighbouring nodes of one
// shape and load (common in large pools) reuse it instead of dividing again.
let mCpuFree: i32 = 0;
let mCpuCap: i32 = -1;
let mMemFree: i32 = 0;
let mMemCap: i32 = 0;
let mDFree: i32 = 0;
let mDCap: i32 = 0;
let mScore: i32 = 0;

/**
 * Score node n for task t (memo above) and make it the best when its score and tie hash beat the
 * best so far and it fits (nodeReason < 0: node checks, then devicesFit).
 */
@inline function scanCandidate(hdr: usize, t: usize, n: i32, seed: u32): void {
  const cpuFree = get(cNCpuFree, n);
  const cpuCap = get(cNCpuCap, n);
  const memFree = get(cNMemFree, n);
  const memCap = get(cNMemCap, n);
  const dFree = get(cNDmilliFree, n);
  const dCap = get(cNDmilliCap, n);
  let s = mScore;
  if (cpuFree != mCpuFree || cpuCap != mCpuCap || memFree != mMemFree || memCap != mMemCap || dFree != mDFree || dCap != mDCap) {
    s = nodeScore(hdr, t, n);
    mCpuFree = cpuFree;
    mCpuCap = cpuCap;
    mMemFree = memFree;
    mMemCap = memCap;
    mDFree = dFree;
    mDCap = dCap;
    mScore = s;
  }
  if (s < bestS) return;
  const th = tieHash(seed, <u32>n);
  if (s == bestS && th >= bestH) return;
  const flags = get(cNFlags, n);
  if ((flags & (NF_HEALTHY | NF_SCHEDULABLE)) != (NF_HEALTHY | NF_SCHEDULABLE)) return;
  if (!nodeAllowed(<usize>tget(t, T_NODEMASK), n)) return;
  if (tget(t, T_CPU) > cpuFree || tget(t, T_MEM) > memFree) return;
  if (!devicesFit(hdr, t, n)) return;
  bestN = n;
  bestS = s;
  bestH = th;
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
  // Exact decisions search the index, unless the node mask is sparse: the scan then skips 32
  // excluded nodes per zero mask word, which beats a search the mask cannot steer.
  const indexed = sample == 0 && cTree != 0 && load<i32>(hdr + (<usize>H_IDX_ON << 2)) != 0 &&
    (mask == 0 || maskAllows(hdr, mask, hwm) * 8 >= hwm);
  store<i32>(hdr + (<usize>H_IDX_VISITS << 2), 0);
  if (indexed) {
    best = searchIndex(hdr, t, hwm, seed);
    store<i32>(hdr + (<usize>H_IDX_VISITS << 2), visits);
    k = hwm;
  } else if (sample == 0) {
    best = scanExact(hdr, t, hwm, seed);
    k = hwm;
  }
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
