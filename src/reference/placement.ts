/**
 * TypeScript twin of the placement kernel (`assembly/placement.ts`): the same algorithm over
 * the same Int32 columns (layout in `assembly/lib/placement-layout.ts`), line for line, so it is
 * the oracle of the differential tests and the `backend: 'ts'` fallback. It also accepts a
 * custom node scorer (a TypeScript callback), which the WebAssembly kernel cannot call.
 *
 * The free-capacity index is maintained and searched exactly as in the kernel (the same records,
 * word for word); the kernel's SIMD steps (four-node pre-filter and shortcut, i32x4.max_s record
 * combine) are done one lane at a time here, with the same results.
 *
 * `h` is an Int32Array over the whole memory; every pointer is a byte offset, read as
 * `h[p >> 2]` exactly where the kernel does `load<i32>(p)`. Integer arithmetic only.
 */
import * as Layout from '../../assembly/lib/placement-layout.js';

/**
 * The layout constants as a plain object: module-namespace reads cost an accessor call each under
 * tsx and CommonJS bundles, and these run per decision. The one copy: src/core/placement.ts
 * exports it as `PlacementLayout` for the engine.
 */
export const LAYOUT: typeof Layout = { ...Layout };
const L = LAYOUT;

/** A custom node score 0..100 for node slot `n` and the task record at `task` (higher wins). */
export type NodeScoreFn = (n: number, task: number) => number;

const col = (h: Int32Array, hdr: number, which: number): number => h[(hdr >> 2) + which] >> 2;

/** Tie-break hash of (seed, node slot): murmur3 fmix32 of seed ^ slot·φ (unsigned 32-bit). */
export function tieHash(seed: number, n: number): number {
  let x = (seed ^ Math.imul(n, 0x9e3779b9)) >>> 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  x = Math.imul(x, 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** Integer division of non-negative integers as the kernel's i64 division (truncation). */
const idiv = (a: number, b: number): number => (a - (a % b)) / b;

/** 1 when bit `i` is set in the bitset at byte offset `set` (offset 0 = the full set). */
function inSet(h: Int32Array, set: number, i: number): boolean {
  if (set === 0) return true;
  if (i < 0 || i >= L.SET_BITS) return false;
  return ((h[(set >> 2) + (i >> 5)] >>> (i & 31)) & 1) === 1;
}

function nodeAllowed(h: Int32Array, mask: number, n: number): boolean {
  if (mask === 0) return true;
  return ((h[(mask >> 2) + (n >> 5)] >>> (n & 31)) & 1) === 1;
}

/** The profile slot of device `d` named `name`, or -1. */
function profileSlot(h: Int32Array, hdr: number, d: number, name: number): number {
  const first = h[col(h, hdr, L.H_D_PROF_FIRST) + d];
  const count = h[col(h, hdr, L.H_D_PROF_COUNT) + d];
  const pName = col(h, hdr, L.H_P_NAME);
  for (let i = 0; i < count; i++) if (h[pName + first + i] === name) return first + i;
  return -1;
}

/** How far device `d` gets through the device checks for the task at `t` (DS_FIT = it fits). */
export function deviceStage(h: Int32Array, hdr: number, t: number, d: number): number {
  const T = t >> 2;
  if (h[col(h, hdr, L.H_D_KIND) + d] !== h[T + L.T_KIND]) return L.DS_KIND;
  if (!inSet(h, h[T + L.T_VENDORS], h[col(h, hdr, L.H_D_VENDOR) + d])) return L.DS_VENDOR;
  if (!inSet(h, h[T + L.T_MODELS], h[col(h, hdr, L.H_D_MODEL) + d])) return L.DS_MODEL;
  const prec = h[T + L.T_PREC];
  if (prec !== 0 && (h[col(h, hdr, L.H_D_PREC) + d] & prec) === 0) return L.DS_PRECISION;
  const flags = h[col(h, hdr, L.H_D_FLAGS) + d];
  if ((flags & L.DF_HEALTHY) === 0) return L.DS_UNHEALTHY;
  const mode = h[col(h, hdr, L.H_D_MODE) + d];
  const milliFree = h[col(h, hdr, L.H_D_MILLI_FREE) + d];
  const memFree = h[col(h, hdr, L.H_D_MEM_FREE) + d];
  const profile = h[T + L.T_PROFILE];
  if (profile >= 0) {
    if (mode !== L.MODE_PARTITION) return L.DS_MODE;
    const p = profileSlot(h, hdr, d, profile);
    if (p < 0) return L.DS_MODE;
    if ((flags & L.DF_HELD) !== 0) return L.DS_HELD;
    if (h[col(h, hdr, L.H_P_USED) + p] >= h[col(h, hdr, L.H_P_MAX) + p]) return L.DS_SLICES;
    if (h[col(h, hdr, L.H_P_MILLI) + p] > milliFree) return L.DS_MILLI;
    const pMem = h[col(h, hdr, L.H_P_MEM) + p];
    if (pMem > memFree || h[T + L.T_DMEM] > pMem) return L.DS_MEMORY;
    return L.DS_FIT;
  }
  if ((h[T + L.T_FLAGS] & L.TF_WHOLE) !== 0) {
    // A whole device: nothing may run on it (no held flag, no slices, all capacity free).
    if ((flags & L.DF_HELD) !== 0 || h[col(h, hdr, L.H_D_SLICES_USED) + d] !== 0) return L.DS_HELD;
    if (milliFree !== h[col(h, hdr, L.H_D_MILLI_CAP) + d] || memFree !== h[col(h, hdr, L.H_D_MEM_CAP) + d]) return L.DS_HELD;
    if (h[T + L.T_DMEM] > memFree) return L.DS_MEMORY;
    return L.DS_FIT;
  }
  // A fractional share: only time-sliced devices are shared.
  if (mode !== L.MODE_TIME_SLICE) return L.DS_MODE;
  if ((flags & L.DF_HELD) !== 0) return L.DS_HELD;
  if (h[col(h, hdr, L.H_D_SLICES_USED) + d] >= h[col(h, hdr, L.H_D_SLICES_MAX) + d]) return L.DS_SLICES;
  if (h[T + L.T_MILLI] > milliFree) return L.DS_MILLI;
  if (h[T + L.T_DMEM] > memFree) return L.DS_MEMORY;
  return L.DS_FIT;
}

/** -1 when node `n` fits the task at `t`, else the reason index (RS_*) of the first failed check. */
export function nodeReason(h: Int32Array, hdr: number, t: number, n: number): number {
  const T = t >> 2;
  const flags = h[col(h, hdr, L.H_N_FLAGS) + n];
  if ((flags & L.NF_HEALTHY) === 0) return L.RS_NODE_UNHEALTHY;
  if ((flags & L.NF_SCHEDULABLE) === 0) return L.RS_NODE_DRAINED;
  if (!nodeAllowed(h, h[T + L.T_NODEMASK], n)) return L.RS_NODE_CONSTRAINT;
  if (h[T + L.T_CPU] > h[col(h, hdr, L.H_N_CPU_FREE) + n]) return L.RS_CPU;
  if (h[T + L.T_MEM] > h[col(h, hdr, L.H_N_MEM_FREE) + n]) return L.RS_MEMORY;
  if (h[T + L.T_KIND] < 0) return -1;
  const first = h[col(h, hdr, L.H_N_DEV_FIRST) + n];
  const count = h[col(h, hdr, L.H_N_DEV_COUNT) + n];
  const need = h[T + L.T_PROFILE] >= 0 || (h[T + L.T_FLAGS] & L.TF_WHOLE) === 0 ? 1 : h[T + L.T_COUNT];
  let fit = 0;
  let best = L.DS_KIND;
  for (let i = 0; i < count; i++) {
    const s = deviceStage(h, hdr, t, first + i);
    if (s === L.DS_FIT) {
      fit++;
      if (fit >= need) return -1;
    } else if (s > best) best = s;
  }
  return fit > 0 ? L.RS_DEVICE_COUNT : L.RS_DEVICE + best;
}

/**
 * Dimension score 0..100 (Kubernetes NodeResourcesFit, pkg/scheduler/framework/plugins/noderesources):
 * binpack = MostAllocated ((cap - free + req) · 100) / cap; spread = LeastAllocated ((free - req) · 100) / cap.
 */
function dimScore(policy: number, free: number, cap: number, req: number): number {
  let s = policy === L.POLICY_SPREAD ? idiv((free - req) * 100, cap) : idiv((cap - free + req) * 100, cap);
  if (s < 0) s = 0;
  if (s > 100) s = 100;
  return s;
}

/** Built-in node score 0..100: the mean of the CPU, memory and (for accelerator tasks) device-share dimensions. */
export function nodeScore(h: Int32Array, hdr: number, t: number, n: number): number {
  const T = t >> 2;
  const policy = h[(hdr >> 2) + L.H_POLICY];
  let sum = 0;
  let dims = 0;
  const cpuCap = h[col(h, hdr, L.H_N_CPU_CAP) + n];
  if (cpuCap > 0) {
    sum += dimScore(policy, h[col(h, hdr, L.H_N_CPU_FREE) + n], cpuCap, h[T + L.T_CPU]);
    dims++;
  }
  const memCap = h[col(h, hdr, L.H_N_MEM_CAP) + n];
  if (memCap > 0) {
    sum += dimScore(policy, h[col(h, hdr, L.H_N_MEM_FREE) + n], memCap, h[T + L.T_MEM]);
    dims++;
  }
  const dCap = h[col(h, hdr, L.H_N_DMILLI_CAP) + n];
  if (h[T + L.T_KIND] >= 0 && dCap > 0) {
    let req = 0;
    if (h[T + L.T_PROFILE] < 0) req = (h[T + L.T_FLAGS] & L.TF_WHOLE) !== 0 ? 1000 * h[T + L.T_COUNT] : h[T + L.T_MILLI];
    sum += dimScore(policy, h[col(h, hdr, L.H_N_DMILLI_FREE) + n], dCap, req);
    dims++;
  }
  return dims === 0 ? 0 : idiv(sum, dims);
}

/** Choose devices on node `n` (known to fit) into the result record at `r`; binpack = best fit, spread = most free. */
function chooseDevices(h: Int32Array, hdr: number, t: number, n: number, r: number): void {
  const T = t >> 2;
  const R = r >> 2;
  const first = h[col(h, hdr, L.H_N_DEV_FIRST) + n];
  const count = h[col(h, hdr, L.H_N_DEV_COUNT) + n];
  const profile = h[T + L.T_PROFILE];
  h[R + L.R_PROF] = -1;
  if (profile < 0 && (h[T + L.T_FLAGS] & L.TF_WHOLE) !== 0) {
    const need = h[T + L.T_COUNT];
    let got = 0;
    for (let i = 0; i < count && got < need; i++) {
      if (deviceStage(h, hdr, t, first + i) === L.DS_FIT) {
        h[R + L.R_DEVS + got] = first + i;
        got++;
      }
    }
    h[R + L.R_NDEV] = got;
    return;
  }
  const spread = h[(hdr >> 2) + L.H_POLICY] === L.POLICY_SPREAD;
  const milliFree = col(h, hdr, L.H_D_MILLI_FREE);
  let best = -1;
  let bestFree = 0;
  for (let i = 0; i < count; i++) {
    const d = first + i;
    if (deviceStage(h, hdr, t, d) !== L.DS_FIT) continue;
    const free = h[milliFree + d];
    if (best < 0 || (spread ? free > bestFree : free < bestFree)) {
      best = d;
      bestFree = free;
    }
  }
  h[R + L.R_DEVS] = best;
  h[R + L.R_NDEV] = 1;
  if (profile >= 0) h[R + L.R_PROF] = profileSlot(h, hdr, best, profile);
}

/** Charge the placement in the result record at `r` to the columns. */
function commit(h: Int32Array, hdr: number, t: number, r: number): void {
  const T = t >> 2;
  const R = r >> 2;
  const n = h[R + L.R_NODE];
  markNode(h, hdr, n);
  h[col(h, hdr, L.H_N_CPU_FREE) + n] -= h[T + L.T_CPU];
  h[col(h, hdr, L.H_N_MEM_FREE) + n] -= h[T + L.T_MEM];
  if (h[T + L.T_KIND] < 0) return;
  const nDmilli = col(h, hdr, L.H_N_DMILLI_FREE);
  const dMilli = col(h, hdr, L.H_D_MILLI_FREE);
  const dMem = col(h, hdr, L.H_D_MEM_FREE);
  const dSlices = col(h, hdr, L.H_D_SLICES_USED);
  const nd = h[R + L.R_NDEV];
  const p = h[R + L.R_PROF];
  for (let i = 0; i < nd; i++) {
    const d = h[R + L.R_DEVS + i];
    h[dSlices + d] += 1;
    if (p >= 0) {
      const pm = h[col(h, hdr, L.H_P_MILLI) + p];
      h[col(h, hdr, L.H_P_USED) + p] += 1;
      h[dMilli + d] -= pm;
      h[dMem + d] -= h[col(h, hdr, L.H_P_MEM) + p];
      h[nDmilli + n] -= pm;
    } else if ((h[T + L.T_FLAGS] & L.TF_WHOLE) !== 0) {
      h[nDmilli + n] -= h[dMilli + d];
      h[dMilli + d] = 0;
      h[dMem + d] = 0;
      h[col(h, hdr, L.H_D_FLAGS) + d] |= L.DF_HELD;
    } else {
      h[dMilli + d] -= h[T + L.T_MILLI];
      h[dMem + d] -= h[T + L.T_DMEM];
      h[nDmilli + n] -= h[T + L.T_MILLI];
    }
  }
}

// ── free-capacity index (the kernel's, field for field; see assembly/placement.ts) ─────────

const bitLen = (x: number): number => (x <= 0 ? 0 : 32 - Math.clz32(x));
/** Monotone bucket of an amount: half octaves (the kernel's bucketKey). */
function bucketKey(x: number): number {
  if (x <= 1) return x <= 0 ? 0 : 1;
  const b = bitLen(x);
  return 2 * b - 2 + ((x >>> (b - 2)) & 1);
}

/** ceil(num · IDX_SCALE / cap) for cap > 0, clamped to 0 .. 2^24 (exact: the operands stay below 2^53). */
function ceilRatio(num: number, cap: number): number {
  if (num <= 0) return 0;
  const q = idiv(num * L.IDX_SCALE + cap - 1, cap);
  return q > 16777216 ? 16777216 : q;
}

function dimInto(h: Int32Array, P: number, k: number, free: number, cap: number): void {
  if (cap <= 0) {
    h[P + L.IX_ODD + k] = 1;
    return;
  }
  if (-cap > h[P + L.IX_NCAP + k]) h[P + L.IX_NCAP + k] = -cap;
  if (cap > h[P + L.IX_XCAP + k]) h[P + L.IX_XCAP + k] = cap;
  const f = ceilRatio(free, cap);
  if (f > h[P + L.IX_FREE + k]) h[P + L.IX_FREE + k] = f;
}

/** Bucket b = max of buckets ≥ b (for `count` buckets from word F). */
function suffixMax(h: Int32Array, F: number, count: number): void {
  let m = L.IX_NONE;
  for (let b = count - 1; b >= 0; b--) {
    const v = h[F + b];
    if (v > m) m = v;
    else if (v < m) h[F + b] = m;
  }
}

/** Word index of index record `v`. */
const recAt = (h: Int32Array, hdr: number, v: number): number => (h[(hdr >> 2) + L.H_IDX_TREE] >> 2) + v * L.IX_STRIDE;

/** Recompute leaf `l` from the columns of its node slots below `hwm`. */
function leafRecompute(h: Int32Array, hdr: number, l: number, hwm: number, seed: number, into: number): void {
  const P = recAt(h, hdr, into);
  h.fill(L.IX_NONE, P, P + L.IX_STRIDE);
  const p0 = l << L.IDX_BLOCK_SHIFT;
  const order = h[(hdr >> 2) + L.H_IDX_ORDER] >> 2;
  const ok = L.NF_PRESENT | L.NF_HEALTHY | L.NF_SCHEDULABLE;
  const nFlags = col(h, hdr, L.H_N_FLAGS);
  const nCpuFree = col(h, hdr, L.H_N_CPU_FREE);
  const nMemFree = col(h, hdr, L.H_N_MEM_FREE);
  const nDevFirst = col(h, hdr, L.H_N_DEV_FIRST);
  const nDevCount = col(h, hdr, L.H_N_DEV_COUNT);
  const dFlags = col(h, hdr, L.H_D_FLAGS);
  const dMilliFree = col(h, hdr, L.H_D_MILLI_FREE);
  const dMilliCap = col(h, hdr, L.H_D_MILLI_CAP);
  const dMemFree = col(h, hdr, L.H_D_MEM_FREE);
  const dMemCap = col(h, hdr, L.H_D_MEM_CAP);
  const dUsed = col(h, hdr, L.H_D_SLICES_USED);
  const dMax = col(h, hdr, L.H_D_SLICES_MAX);
  const dMode = col(h, hdr, L.H_D_MODE);
  const dKind = col(h, hdr, L.H_D_KIND);
  const dModel = col(h, hdr, L.H_D_MODEL);
  const fitFrac = h[(hdr >> 2) + L.H_IDX_FIT] >> 2;
  const fitFracMem = fitFrac + (h[(hdr >> 2) + L.H_IDX_LEAVES] << L.IDX_BLOCK_SHIFT);
  const fitWhole = fitFracMem + (h[(hdr >> 2) + L.H_IDX_LEAVES] << L.IDX_BLOCK_SHIFT);
  const fitProf = fitWhole + (h[(hdr >> 2) + L.H_IDX_LEAVES] << L.IDX_BLOCK_SHIFT);
  for (let i = p0; i < p0 + L.IDX_BLOCK; i++) {
    const n = h[order + i];
    if (n >= hwm || (h[nFlags + n] & ok) !== ok) continue;
    const cpuFree = h[nCpuFree + n];
    const memFree = h[nMemFree + n];
    const cpuCap = h[col(h, hdr, L.H_N_CPU_CAP) + n];
    const memCap = h[col(h, hdr, L.H_N_MEM_CAP) + n];
    const dFree = h[col(h, hdr, L.H_N_DMILLI_FREE) + n];
    const dCap = h[col(h, hdr, L.H_N_DMILLI_CAP) + n];
    const first = h[nDevFirst + n];
    const count = h[nDevCount + n];
    let frac = L.IX_NONE;
    let fracMem = L.IX_NONE;
    let whole = 0;
    let kinds = 0;
    let profs = 0;
    let uniform = count > 0;
    for (let i = 0; i < count; i++) {
      const d = first + i;
      const kd = h[dKind + d];
      if (kd >= 0 && kd < L.IDX_KINDS) kinds |= 1 << kd;
      else uniform = false;
      const md = h[dModel + d];
      if (md >= 0) kinds |= 1 << (L.IDX_KINDS + (md & (L.IDX_MODEL_CLASSES - 1)));
      else uniform = false;
      const df = h[dFlags + d];
      if ((df & L.DF_HEALTHY) === 0 || (df & L.DF_HELD) !== 0) continue;
      const milliFree = h[dMilliFree + d];
      const used = h[dUsed + d];
      if (h[dMode + d] === L.MODE_TIME_SLICE && used < h[dMax + d]) {
        if (milliFree > frac) frac = milliFree;
        if (h[dMemFree + d] > fracMem) fracMem = h[dMemFree + d];
      }
      if (used === 0 && milliFree === h[dMilliCap + d] && h[dMemFree + d] === h[dMemCap + d]) whole++;
      if (h[dMode + d] === L.MODE_PARTITION) profs |= freeProfiles(h, hdr, d, milliFree, 31);
    }
    h[fitProf + n] = profs;
    h[fitFrac + n] = frac;
    h[fitFracMem + n] = fracMem;
    h[fitWhole + n] = whole;
    const hashKey = 0x7fffffff - (tieHash(seed, n) >>> 1);
    const g = groupOf(h, hdr, n);
    maxAt(h, P + L.IX_GNEG, -g);
    maxAt(h, P + L.IX_GMAX, g);
    const empty = cpuFree === cpuCap && memFree === memCap && (count === 0 || dFree === dCap);
    const profs8 = (profs | (profs >>> 8) | (profs >>> 16) | (profs >>> 24)) & ((1 << L.IDX_PROF_CLASSES) - 1);
    for (let k = 0; k < L.IDX_CLASS_BLOCKS; k++) {
      if (((kinds >> k) & 1) === 0) continue;
      // one kind block and one model-class block hold every device: their aggregates are the node's (the kernel's kindFold path)
      if (uniform && popcount(kinds) === 2) kindFold(h, P + L.IX_KIND + k * L.IXK_STRIDE, frac, whole, profs8, empty, cpuFree, cpuCap, memFree, memCap, dFree, dCap);
      else kindInto(h, hdr, P + L.IX_KIND + k * L.IXK_STRIDE, first, count, k, empty, cpuFree, cpuCap, memFree, memCap, dFree, dCap);
    }
    if (empty) {
      maxAt(h, P + L.IXE_CPU, cpuFree);
      maxAt(h, P + L.IXE_MEM, memFree);
      maxAt(h, P + L.IXE_FRAC, frac);
      maxAt(h, P + L.IXE_WHOLE, whole);
      maxAt(h, P + L.IXE_HASH, hashKey);
      capInto(h, P, 0, cpuCap);
      capInto(h, P, 1, memCap);
      if (count > 0) capInto(h, P, 2, dCap);
      continue;
    }
    maxAt(h, P + L.IX_CPU, cpuFree);
    maxAt(h, P + L.IX_MEM, memFree);
    maxAt(h, P + L.IX_FRAC, frac);
    maxAt(h, P + L.IX_WHOLE, whole);
    maxAt(h, P + L.IX_HASH, hashKey);
    dimInto(h, P, 0, cpuFree, cpuCap);
    dimInto(h, P, 1, memFree, memCap);
    if (count > 0) dimInto(h, P, 2, dFree, dCap);
    // stored at the node's top bucket; suffixMax spreads it down once the whole leaf is in
    if (cpuCap > 0 && memCap > 0) {
      const sum2 = ceilRatio(cpuCap - cpuFree, cpuCap) + ceilRatio(memCap - memFree, memCap);
      maxAt(h, P + L.IX_SUMC + Math.min(bucketKey(cpuFree), L.IDX_BUCKETS - 1), sum2);
      maxAt(h, P + L.IX_SUMM + Math.min(bucketKey(memFree), L.IDX_BUCKETS - 1), sum2);
      if (count > 0 && dCap > 0) {
        const sum3 = sum2 + ceilRatio(dCap - dFree, dCap);
        maxAt(h, P + L.IX_SUMF + Math.min(bucketKey(frac), L.IDX_BUCKETS - 1), sum3);
        maxAt(h, P + L.IX_SUMW + Math.min(bitLen(whole), L.IDX_WHOLE_BUCKETS - 1), sum3);
      }
    }
  }
  suffixMax(h, P + L.IX_SUMC, L.IDX_BUCKETS);
  suffixMax(h, P + L.IX_SUMF, L.IDX_BUCKETS);
  suffixMax(h, P + L.IX_SUMW, L.IDX_WHOLE_BUCKETS);
  suffixMax(h, P + L.IX_SUMM, L.IDX_BUCKETS);
  for (let k = 0; k < L.IDX_CLASS_BLOCKS; k++) {
    // a block no node of the leaf counts in is all IX_NONE already
    if (!hasBlock(h, P, k)) continue;
    const K = P + L.IX_KIND + k * L.IXK_STRIDE;
    suffixMax(h, K + L.IXK_SUMF, L.IDX_KIND_BUCKETS);
    suffixMax(h, K + L.IXK_SUMW, L.IDX_WHOLE_BUCKETS);
  }
}

/** Is device d counted in class block k (k < IDX_KINDS: its kind; else its model class)? (the kernel's inBlock) */
function inBlock(h: Int32Array, hdr: number, d: number, k: number): boolean {
  if (k < L.IDX_KINDS) return h[col(h, hdr, L.H_D_KIND) + d] === k;
  const m = h[col(h, hdr, L.H_D_MODEL) + d];
  return m >= 0 && L.IDX_KINDS + (m & (L.IDX_MODEL_CLASSES - 1)) === k;
}

/** Fold node n (devices first .. first+count-1, some in class block k) into block k at word K (the kernel's kindInto). */
/** Profile name classes (name & classMask) with a free instance device d can hold (the kernel's freeProfiles). */
function freeProfiles(h: Int32Array, hdr: number, d: number, milliFree: number, classMask: number): number {
  const first = h[col(h, hdr, L.H_D_PROF_FIRST) + d];
  const count = h[col(h, hdr, L.H_D_PROF_COUNT) + d];
  const memFree = h[col(h, hdr, L.H_D_MEM_FREE) + d];
  let bits = 0;
  for (let i = first; i < first + count; i++) {
    if (h[col(h, hdr, L.H_P_USED) + i] < h[col(h, hdr, L.H_P_MAX) + i] && h[col(h, hdr, L.H_P_MILLI) + i] <= milliFree && h[col(h, hdr, L.H_P_MEM) + i] <= memFree) {
      bits |= 1 << (h[col(h, hdr, L.H_P_NAME) + i] & classMask);
    }
  }
  return bits;
}

function kindInto(h: Int32Array, hdr: number, K: number, first: number, count: number, k: number, empty: boolean, cpuFree: number, cpuCap: number, memFree: number, memCap: number, dFree: number, dCap: number): void {
  let frac = L.IX_NONE;
  let whole = 0;
  let profs = 0;
  const dFlags = col(h, hdr, L.H_D_FLAGS);
  const dMilliFree = col(h, hdr, L.H_D_MILLI_FREE);
  const dUsed = col(h, hdr, L.H_D_SLICES_USED);
  for (let i = 0; i < count; i++) {
    const d = first + i;
    if (!inBlock(h, hdr, d, k)) continue;
    const df = h[dFlags + d];
    if ((df & L.DF_HEALTHY) === 0 || (df & L.DF_HELD) !== 0) continue;
    const milliFree = h[dMilliFree + d];
    const used = h[dUsed + d];
    if (h[col(h, hdr, L.H_D_MODE) + d] === L.MODE_TIME_SLICE && used < h[col(h, hdr, L.H_D_SLICES_MAX) + d] && milliFree > frac) frac = milliFree;
    if (used === 0 && milliFree === h[col(h, hdr, L.H_D_MILLI_CAP) + d] && h[col(h, hdr, L.H_D_MEM_FREE) + d] === h[col(h, hdr, L.H_D_MEM_CAP) + d]) whole++;
    if (!empty && h[col(h, hdr, L.H_D_MODE) + d] === L.MODE_PARTITION) profs |= freeProfiles(h, hdr, d, milliFree, L.IDX_PROF_CLASSES - 1);
  }
  kindFold(h, K, frac, whole, profs, empty, cpuFree, cpuCap, memFree, memCap, dFree, dCap);
}

/** Popcount of a 32-bit word. */
function popcount(x: number): number {
  let c = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) c++;
  return c;
}

/** Fold a node's block aggregates into block K (the kernel's kindFold). */
function kindFold(h: Int32Array, K: number, frac: number, whole: number, profs: number, empty: boolean, cpuFree: number, cpuCap: number, memFree: number, memCap: number, dFree: number, dCap: number): void {
  if (empty) {
    maxAt(h, K + L.IXK_EFRAC, frac);
    maxAt(h, K + L.IXK_EWHOLE, whole);
    h[K + L.IXK_EANY] = 1;
    if (cpuCap > 0) maxAt(h, K + L.IXK_ENCAP, -cpuCap);
    if (memCap > 0) maxAt(h, K + L.IXK_ENCAP + 1, -memCap);
    if (dCap > 0) maxAt(h, K + L.IXK_ENCAP + 2, -dCap);
    return;
  }
  maxAt(h, K + L.IXK_FRAC, frac);
  maxAt(h, K + L.IXK_WHOLE, whole);
  h[K + L.IXK_ANY] = 1;
  if (cpuCap > 0) maxAt(h, K + L.IXK_NCAP, -cpuCap);
  if (memCap > 0) maxAt(h, K + L.IXK_NCAP + 1, -memCap);
  if (dCap > 0) maxAt(h, K + L.IXK_NCAP + 2, -dCap);
  let sum3 = 0;
  if (cpuCap > 0 && memCap > 0 && dCap > 0) {
    sum3 = ceilRatio(cpuCap - cpuFree, cpuCap) + ceilRatio(memCap - memFree, memCap) + ceilRatio(dCap - dFree, dCap);
    maxAt(h, K + L.IXK_SUMF + Math.min(bucketKey(frac), L.IDX_KIND_BUCKETS - 1), sum3);
    maxAt(h, K + L.IXK_SUMW + Math.min(bitLen(whole), L.IDX_WHOLE_BUCKETS - 1), sum3);
  }
  for (let c = 0; c < L.IDX_PROF_CLASSES; c++) if ((profs >>> c) & 1) maxAt(h, K + L.IXK_SUMP + c, sum3);
}

function capInto(h: Int32Array, P: number, k: number, cap: number): void {
  if (cap <= 0) {
    h[P + L.IX_ODD + k] = 1;
    return;
  }
  if (-cap > h[P + L.IXE_NCAP + k]) h[P + L.IXE_NCAP + k] = -cap;
  if (cap > h[P + L.IXE_XCAP + k]) h[P + L.IXE_XCAP + k] = cap;
}

function maxAt(h: Int32Array, i: number, v: number): void {
  if (v > h[i]) h[i] = v;
}

/** May the record at word P hold something other than IX_NONE in class block k? (the kernel's hasBlock) */
function hasBlock(h: Int32Array, P: number, k: number): boolean {
  const o = P + L.IX_KIND + k * L.IXK_STRIDE;
  return h[o + L.IXK_ANY] !== L.IX_NONE || h[o + L.IXK_EANY] !== L.IX_NONE;
}

/** Record v = element-wise max of its children, in place; class blocks neither child has are IX_NONE; true = v changed (the kernel's combine). */
function combine(h: Int32Array, hdr: number, v: number): boolean {
  const P = recAt(h, hdr, v);
  const A = recAt(h, hdr, 2 * v);
  const B = A + L.IX_STRIDE;
  let changed = maxRange(h, P, A, B, 0, L.IX_KIND);
  for (let k = 0; k < L.IDX_CLASS_BLOCKS; k++) {
    const w0 = L.IX_KIND + k * L.IXK_STRIDE;
    if (!hasBlock(h, A, k) && !hasBlock(h, B, k)) {
      if (hasBlock(h, P, k)) {
        h.fill(L.IX_NONE, P + w0, P + w0 + L.IXK_STRIDE);
        changed = true;
      }
      continue;
    }
    if (maxRange(h, P, A, B, w0, w0 + L.IXK_STRIDE)) changed = true;
  }
  return changed;
}

/** Words w0 .. w1 − 1 of record P = the max of records A and B there; true = one changed. */
function maxRange(h: Int32Array, P: number, A: number, B: number, w0: number, w1: number): boolean {
  let changed = false;
  for (let w = w0; w < w1; w++) {
    const m = h[A + w] > h[B + w] ? h[A + w] : h[B + w];
    if (h[P + w] !== m) {
      h[P + w] = m;
      changed = true;
    }
  }
  return changed;
}

/** Copy the scratch record 0 over record v unless they are equal; true = v changed. */
function replaceIfChanged(h: Int32Array, hdr: number, v: number): boolean {
  const P = recAt(h, hdr, v);
  const Z = recAt(h, hdr, 0);
  let same = true;
  for (let w = 0; w < L.IX_KIND && same; w++) if (h[P + w] !== h[Z + w]) same = false;
  let present = 0;
  for (let k = 0; k < L.IDX_CLASS_BLOCKS; k++) {
    // two blocks that count no node are both all IX_NONE
    if (!hasBlock(h, P, k) && !hasBlock(h, Z, k)) continue;
    present |= 1 << k;
    const w0 = L.IX_KIND + k * L.IXK_STRIDE;
    for (let w = w0; w < w0 + L.IXK_STRIDE && same; w++) if (h[P + w] !== h[Z + w]) same = false;
  }
  if (same) return false;
  h.copyWithin(P, Z, Z + L.IX_KIND);
  for (let k = 0; k < L.IDX_CLASS_BLOCKS; k++) {
    if (((present >> k) & 1) === 0) continue;
    const w0 = L.IX_KIND + k * L.IXK_STRIDE;
    h.copyWithin(P + w0, Z + w0, Z + w0 + L.IXK_STRIDE);
  }
  return true;
}

/** Queue the leaf holding node slot `n` for recomputation (its columns changed). */
export function markNode(h: Int32Array, hdr: number, n: number): void {
  const H = hdr >> 2;
  if (h[H + L.H_IDX_TREE] === 0 || n < 0 || n >= h[H + L.H_IDX_LEAVES] << L.IDX_BLOCK_SHIFT) return;
  const l = h[(h[H + L.H_IDX_POS] >> 2) + n] >> L.IDX_BLOCK_SHIFT;
  const bits = (h[H + L.H_DIRTY_BITS] >> 2) + (l >> 5);
  const bit = 1 << (l & 31);
  if ((h[bits] & bit) !== 0) return;
  h[bits] |= bit;
  h[(h[H + L.H_DIRTY_LIST] >> 2) + h[H + L.H_DIRTY_N]] = l;
  h[H + L.H_DIRTY_N] += 1;
}

/** Node group of slot n (the kernel's groupOf). */
const groupOf = (h: Int32Array, hdr: number, n: number): number => h[(h[(hdr >> 2) + L.H_IDX_GROUP] >> 2) + n] & (L.IDX_GROUPS - 1);

/** Sort key of node slot n for the leaf order, as an Int32 compared unsigned (the kernel's shapeKey). */
function shapeKey(h: Int32Array, hdr: number, n: number, hwm: number): number {
  if (n >= hwm || (h[col(h, hdr, L.H_N_FLAGS) + n] & L.NF_PRESENT) === 0) return -1;
  let dev = 0;
  if (h[col(h, hdr, L.H_N_DEV_COUNT) + n] > 0) {
    const d = h[col(h, hdr, L.H_N_DEV_FIRST) + n];
    dev = (((h[col(h, hdr, L.H_D_KIND) + d] + 1) & 63) << 6) | ((h[col(h, hdr, L.H_D_MODEL) + d] + 1) & 63);
  }
  return (dev << 20) | (Math.min(bucketKey(h[col(h, hdr, L.H_N_CPU_CAP) + n]), 63) << 14) | (Math.min(bucketKey(h[col(h, hdr, L.H_N_MEM_CAP) + n]), 63) << 8) | groupOf(h, hdr, n);
}

/** One stable counting pass of the radix sort by key byte `shift` (the kernel's radixPass; word indices). */
function radixPass(h: Int32Array, count: number, keys: number, slots: number, keys2: number, slots2: number, hist: number, shift: number): void {
  h.fill(0, hist, hist + 256);
  for (let i = 0; i < count; i++) h[hist + ((h[keys + i] >>> shift) & 255)]++;
  let at = 0;
  for (let b = 0; b < 256; b++) {
    const c = h[hist + b];
    h[hist + b] = at;
    at += c;
  }
  for (let i = 0; i < count; i++) {
    const k = h[keys + i];
    const j = h[hist + ((k >>> shift) & 255)]++;
    h[keys2 + j] = k;
    h[slots2 + j] = h[slots + i];
  }
}

/** Lay the node slots out over the leaves grouped by shape (the kernel's sortLeafOrder). */
function sortLeafOrder(h: Int32Array, hdr: number, hwm: number): void {
  const H = hdr >> 2;
  const count = h[H + L.H_IDX_LEAVES] << L.IDX_BLOCK_SHIFT;
  const order = h[H + L.H_IDX_ORDER] >> 2;
  const pos = h[H + L.H_IDX_POS] >> 2;
  const k0 = h[H + L.H_IDX_SCRATCH] >> 2;
  const s0 = k0 + count;
  const k1 = k0 + 2 * count;
  const hist = k0 + 3 * count;
  for (let i = 0; i < count; i++) {
    h[k0 + i] = shapeKey(h, hdr, i, hwm);
    h[s0 + i] = i;
  }
  radixPass(h, count, k0, s0, k1, order, hist, 0);
  radixPass(h, count, k1, order, k0, s0, hist, 8);
  radixPass(h, count, k0, s0, k1, order, hist, 16);
  radixPass(h, count, k1, order, k0, s0, hist, 24);
  for (let p = 0; p < count; p++) {
    const n = h[s0 + p];
    h[order + p] = n;
    h[pos + n] = p;
  }
  h[H + L.H_IDX_SORTED] = hwm;
}

/** Bring the index up to date with the columns: the dirty leaves and their ancestors, or everything. */
export function flushIndex(h: Int32Array, hdr: number): void {
  const H = hdr >> 2;
  const hwm = h[H + L.H_NODE_HWM];
  const seed = h[H + L.H_SEED];
  const leaves = h[H + L.H_IDX_LEAVES];
  const count = h[H + L.H_DIRTY_N];
  const bits = h[H + L.H_DIRTY_BITS] >> 2;
  const list = h[H + L.H_DIRTY_LIST] >> 2;
  const depth = 32 - Math.clz32(leaves);
  const sorted = h[H + L.H_IDX_SORTED];
  if (h[H + L.H_IDX_STALE] !== 0 || count * depth > leaves || hwm > sorted + (sorted >> 2) + 64) {
    sortLeafOrder(h, hdr, hwm);
    for (let l = 0; l < leaves; l++) leafRecompute(h, hdr, l, hwm, seed, leaves + l);
    for (let v = leaves - 1; v >= 1; v--) combine(h, hdr, v);
    for (let i = 0; i < count; i++) h[bits + (h[list + i] >> 5)] = 0;
    h[H + L.H_IDX_STALE] = 0;
  } else {
    for (let i = 0; i < count; i++) {
      const l = h[list + i];
      h[bits + (l >> 5)] = 0;
      // recompute into the scratch record 0; stop climbing at the first record that did not change
      leafRecompute(h, hdr, l, hwm, seed, 0);
      if (!replaceIfChanged(h, hdr, leaves + l)) continue;
      for (let v = (leaves + l) >> 1; v >= 1 && combine(h, hdr, v); v >>= 1);
    }
  }
  h[H + L.H_DIRTY_N] = 0;
}

/** The search state of one indexed decision (module-level scratch: no allocation per decision). */
const q = {
  h: new Int32Array(0) as Int32Array, hdr: 0, t: 0, hwm: 0, seed: 0, tree: 0, leaves: 0,
  cpu: 0, mem: 0, kind: 0, count: 0, milli: 0, profile: 0, whole: false, mask: 0, dmem: 0, groups: 0, spread: false, bucket1: 0,
  dims: 0, devReq: 0, bucket0: 0, bucket2: 0, kindAt: -1, kBucket: 0,
  bestN: -1, bestS: -1, bestH: 0, visits: 0, gLoaded: -1, gEmpty: -1,
};

/** trunc(min(req · IDX_FULL / cap, 2 · IDX_FULL)), remembered for the last capacity per dimension (the kernel's quot). */
const quotCap = [0, 0, 0];
const quotVal = [0, 0, 0];
function quot(k: number, req: number, cap: number): number {
  if (quotCap[k] === cap) return quotVal[k];
  quotCap[k] = cap;
  quotVal[k] = Math.trunc(Math.min((req * L.IDX_FULL) / cap, 2 * L.IDX_FULL));
  return quotVal[k];
}

/** Upper bound of dimension k's score (0..100) over the nodes of record P that can fit (binpack: empty ones only); -1 = none can (the kernel's dimBound). */
function dimBound(P: number, k: number, req: number, empty: boolean): number {
  const h = q.h;
  if (q.spread) {
    const f = empty ? L.IDX_SCALE : h[P + L.IX_FREE + k];
    const cap = h[P + (empty ? L.IXE_XCAP : L.IX_XCAP) + k];
    if (f === L.IX_NONE || cap === L.IX_NONE) return -1;
    let x = f * 100 - (quot(k, req, cap) - 1);
    if (x < 0) x = 0;
    if (x > L.IDX_FULL) x = L.IDX_FULL;
    return Math.trunc(x / L.IDX_SCALE);
  }
  // binpack: only empty nodes get here (used = 0); loaded ones are bounded by sumBound
  const ncap = h[P + L.IXE_NCAP + k];
  if (ncap === L.IX_NONE) return -1;
  let x = quot(k, req, -ncap) + 2;
  if (x > L.IDX_FULL) x = L.IDX_FULL;
  return Math.trunc(x / L.IDX_SCALE);
}

/** Upper bound of the score of any loaded / empty node below record P that fits; -1 = none fits. */
function partBound(P: number, empty: boolean): number {
  const h = q.h;
  if (h[P + (empty ? L.IXE_HASH : L.IX_HASH)] === L.IX_NONE) return -1;
  if (h[P + (empty ? L.IXE_CPU : L.IX_CPU)] < q.cpu || h[P + (empty ? L.IXE_MEM : L.IX_MEM)] < q.mem) return -1;
  if (q.kindAt >= 0) {
    // only nodes carrying the task's kind can fit: its block alone decides
    const K = P + q.kindAt;
    if (h[K + (empty ? L.IXK_EANY : L.IXK_ANY)] <= 0) return -1;
    // loaded nodes: one must offer a free instance of a profile of the task's class
    if (q.profile >= 0 && !empty && h[K + L.IXK_SUMP + (q.profile & (L.IDX_PROF_CLASSES - 1))] === L.IX_NONE) return -1;
    if (q.profile < 0) {
      if (q.whole) {
        if (h[K + (empty ? L.IXK_EWHOLE : L.IXK_WHOLE)] < q.count) return -1;
      } else if (h[K + (empty ? L.IXK_EFRAC : L.IXK_FRAC)] < q.milli) return -1;
    }
  } else if (q.kind >= 0 && q.profile < 0) {
    if (q.whole) {
      if (h[P + (empty ? L.IXE_WHOLE : L.IX_WHOLE)] < q.count) return -1;
    } else if (h[P + (empty ? L.IXE_FRAC : L.IX_FRAC)] < q.milli) return -1;
  }
  if (h[P + L.IX_ODD] > 0 || h[P + L.IX_ODD + 1] > 0 || (q.kind >= 0 && h[P + L.IX_ODD + 2] > 0)) return 100;
  if (!q.spread && q.kindAt >= 0) return kindBound(P + q.kindAt, empty);
  if (!q.spread && !empty) return sumBound(P);
  const x0 = dimBound(P, 0, q.cpu, empty);
  if (x0 < 0) return -1;
  const x1 = dimBound(P, 1, q.mem, empty);
  if (x1 < 0) return -1;
  let sum = x0 + x1;
  if (q.kind >= 0) {
    const x2 = dimBound(P, 2, q.devReq, empty);
    if (x2 < 0) return -1;
    sum += x2;
  }
  return idiv(sum, q.dims);
}

/** Binpack bound from the summed ratios IX_SUMC / IX_SUMF / IX_SUMW over the loaded nodes of record P; -1 = none fits (the kernel's sumBound). */
function sumBound(P: number): number {
  const h = q.h;
  let s: number;
  if (q.kind < 0) s = Math.min(h[P + L.IX_SUMC + q.bucket0], h[P + L.IX_SUMM + q.bucket1]);
  else if (q.profile >= 0) s = h[P + L.IX_SUMF];
  else if (q.whole) s = h[P + L.IX_SUMW + q.bucket2];
  else s = h[P + L.IX_SUMF + q.bucket2];
  const n0 = h[P + L.IX_NCAP];
  const n1 = h[P + L.IX_NCAP + 1];
  if (s === L.IX_NONE || n0 === L.IX_NONE || n1 === L.IX_NONE) return -1;
  const q0 = quot(0, q.cpu, -n0);
  const q1 = quot(1, q.mem, -n1);
  if (q0 >= 2 * L.IDX_FULL || q1 >= 2 * L.IDX_FULL) return 100;
  let x = s * 100 + q0 + q1 + 4;
  if (q.kind >= 0) {
    const n2 = h[P + L.IX_NCAP + 2];
    if (n2 === L.IX_NONE) return -1;
    const q2 = quot(2, q.devReq, -n2);
    if (q2 >= 2 * L.IDX_FULL) return 100;
    x += q2 + 2;
  }
  return idiv(Math.trunc(x / L.IDX_SCALE), q.dims);
}

/** Binpack bound over the nodes of the task's kind below a record, from its kind block at word K (the kernel's kindBound). */
function kindBound(K: number, empty: boolean): number {
  const h = q.h;
  const nc = empty ? L.IXK_ENCAP : L.IXK_NCAP;
  const n0 = h[K + nc];
  const n1 = h[K + nc + 1];
  const n2 = h[K + nc + 2];
  if (n0 === L.IX_NONE || n1 === L.IX_NONE || n2 === L.IX_NONE) return -1;
  const q0 = quot(0, q.cpu, -n0);
  const q1 = quot(1, q.mem, -n1);
  const q2 = quot(2, q.devReq, -n2);
  if (empty) {
    const x0 = Math.min(q0 + 2, L.IDX_FULL);
    const x1 = Math.min(q1 + 2, L.IDX_FULL);
    const x2 = Math.min(q2 + 2, L.IDX_FULL);
    return idiv(Math.trunc(x0 / L.IDX_SCALE) + Math.trunc(x1 / L.IDX_SCALE) + Math.trunc(x2 / L.IDX_SCALE), q.dims);
  }
  let s: number;
  if (q.profile >= 0) s = h[K + L.IXK_SUMP + (q.profile & (L.IDX_PROF_CLASSES - 1))];
  else if (q.whole) s = h[K + L.IXK_SUMW + q.kBucket];
  else s = h[K + L.IXK_SUMF + q.kBucket];
  if (s === L.IX_NONE) return -1;
  if (q0 >= 2 * L.IDX_FULL || q1 >= 2 * L.IDX_FULL || q2 >= 2 * L.IDX_FULL) return 100;
  const x = s * 100 + q0 + q1 + q2 + 6;
  return idiv(Math.trunc(x / L.IDX_SCALE), q.dims);
}

/** Smallest tie hash a loaded / empty node below record P can have (a lower bound, unsigned). */
const hashFloor = (P: number, empty: boolean): number => (0x7fffffff - q.h[P + (empty ? L.IXE_HASH : L.IX_HASH)]) * 2;

/** Bounds of record v: [loaded part, empty part] into q.gLoaded / q.gEmpty. */
function bounds(v: number): void {
  q.gLoaded = -1;
  q.gEmpty = -1;
  if (v >= q.leaves && q.mask !== 0) {
    // a leaf none of whose nodes the mask allows cannot fit
    const p0 = (v - q.leaves) << L.IDX_BLOCK_SHIFT;
    const order = q.h[(q.hdr >> 2) + L.H_IDX_ORDER] >> 2;
    let allowed = false;
    for (let i = p0; i < p0 + L.IDX_BLOCK && !allowed; i++) {
      const n = q.h[order + i];
      allowed = n < q.hwm && nodeAllowed(q.h, q.mask, n);
    }
    if (!allowed) return;
  }
  const P = q.tree + v * L.IX_STRIDE;
  if (q.groups !== 0 && !groupsMeet(P)) return;
  q.gLoaded = partBound(P, false);
  q.gEmpty = partBound(P, true);
}

/** Does the record's range of node groups hold a group in which the task's mask allows a node? (the kernel's groupsMeet) */
function groupsMeet(P: number): boolean {
  const h = q.h;
  const g0 = -h[P + L.IX_GNEG];
  const g1 = h[P + L.IX_GMAX];
  if (g1 === L.IX_NONE) return false;
  const G = q.groups >> 2;
  for (let g = g0; g <= g1; g++) if ((h[G + (g >> 5)] >>> (g & 31)) & 1) return true;
  return false;
}

/** The group set written with node mask `mask`, 0 for no mask or a mask elsewhere (the kernel's maskGroups). */
function maskGroups(h: Int32Array, hdr: number, mask: number): number {
  if (mask === 0) return 0;
  const H = hdr >> 2;
  const base = h[H + L.H_MASK_BASE];
  const bytes = h[H + L.H_MASK_WORDS] * 4;
  if (bytes === 0 || mask < base || (mask - base) % bytes !== 0) return 0;
  const m = (mask - base) / bytes;
  if (m >= L.MASK_SLOTS) return 0;
  return h[H + L.H_MASK_GROUPS] + m * L.GROUP_WORDS * 4;
}

const canBeat = (b: number, hf: number): boolean => b >= 0 && (b > q.bestS || (b === q.bestS && hf < q.bestH));

function orderHash(P: number, bl: number, be: number): number {
  const top = bl > be ? bl : be;
  let hh = 0xffffffff;
  if (bl === top) hh = hashFloor(P, false);
  if (be === top) hh = Math.min(hh, hashFloor(P, true));
  return hh;
}

function scanLeaf(l: number): void {
  const h = q.h;
  const p0 = l << L.IDX_BLOCK_SHIFT;
  const order = h[(q.hdr >> 2) + L.H_IDX_ORDER] >> 2;
  const ok = L.NF_PRESENT | L.NF_HEALTHY | L.NF_SCHEDULABLE;
  const fl = col(h, q.hdr, L.H_N_FLAGS);
  const cf = col(h, q.hdr, L.H_N_CPU_FREE);
  const mf = col(h, q.hdr, L.H_N_MEM_FREE);
  const fitFrac = h[(q.hdr >> 2) + L.H_IDX_FIT] >> 2;
  const fitFracMem = fitFrac + (q.leaves << L.IDX_BLOCK_SHIFT);
  const fitWhole = fitFracMem + (q.leaves << L.IDX_BLOCK_SHIFT);
  const fitProf = fitWhole + (q.leaves << L.IDX_BLOCK_SHIFT);
  for (let i = p0; i < p0 + L.IDX_BLOCK; i++) {
    const n = h[order + i];
    if (n >= q.hwm || !nodeAllowed(h, q.mask, n)) continue;
    if ((h[fl + n] & ok) !== ok || h[cf + n] < q.cpu || h[mf + n] < q.mem) continue;
    // the node's fit summary (written with its leaf) must be able to serve the request
    if (q.kind >= 0 && q.profile < 0) {
      if (q.whole) {
        if (h[fitWhole + n] < q.count) continue;
      } else if (h[fitFrac + n] < q.milli || h[fitFracMem + n] < q.dmem) continue;
    } else if (q.kind >= 0 && q.profile >= 0 && ((h[fitProf + n] >>> (q.profile & 31)) & 1) === 0) continue;
    scanCandidate(h, q.hdr, q.t, n, q.seed);
  }
}

function explore(v: number, bl: number, be: number): void {
  const P = q.tree + v * L.IX_STRIDE;
  // hash floors are compared as the kernel's u32 (a record without such nodes has bound -1 anyway)
  if (!canBeat(bl, hashFloor(P, false)) && !canBeat(be, hashFloor(P, true))) return;
  q.visits++;
  if (v >= q.leaves) {
    scanLeaf(v - q.leaves);
    return;
  }
  const l = 2 * v;
  const r = l + 1;
  bounds(l);
  const ll = q.gLoaded;
  const le = q.gEmpty;
  bounds(r);
  const rl = q.gLoaded;
  const re = q.gEmpty;
  const lt = ll > le ? ll : le;
  const rt = rl > re ? rl : re;
  if (rt > lt || (rt === lt && orderHash(q.tree + r * L.IX_STRIDE, rl, re) < orderHash(q.tree + l * L.IX_STRIDE, ll, le))) {
    explore(r, rl, re);
    explore(l, ll, le);
  } else {
    explore(l, ll, le);
    explore(r, rl, re);
  }
}

/** How many nodes a node mask allows: the count written with it, else a popcount (the kernel's maskAllows). */
function maskAllows(h: Int32Array, hdr: number, mask: number, hwm: number): number {
  const H = hdr >> 2;
  const base = h[H + L.H_MASK_BASE];
  const bytes = h[H + L.H_MASK_WORDS] * 4;
  if (bytes > 0 && mask >= base && (mask - base) % bytes === 0) {
    const m = (mask - base) / bytes;
    if (m < L.MASK_SLOTS) return h[(h[H + L.H_MASK_POP] >> 2) + m];
  }
  return maskPopulation(h, mask, hwm);
}

/** Popcount of the node mask over slots below hwm. */
function maskPopulation(h: Int32Array, mask: number, hwm: number): number {
  let pop = 0;
  const words = (hwm + 31) >> 5;
  for (let w = 0; w < words; w++) {
    let x = h[(mask >> 2) + w];
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    pop += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return pop;
}

/** Bit c set = the model allow-set at byte offset `set` names a model of class c (0 = no allow-list) (the kernel's modelClasses). */
function modelClasses(h: Int32Array, set: number): number {
  if (set === 0) return 0;
  let m = 0;
  for (let w = 0; w < L.SET_WORDS; w++) {
    const x = h[(set >> 2) + w];
    if (x === 0) continue;
    for (let c = 0; c < L.IDX_MODEL_CLASSES; c++) if ((x & (0x01010101 << c)) !== 0) m |= 1 << c;
  }
  return m;
}

/** The best node by the index (-1 = none fits); the same choice as the scan with H_SAMPLE = 0. */
function searchIndex(h: Int32Array, hdr: number, t: number, hwm: number, seed: number): number {
  flushIndex(h, hdr);
  const H = hdr >> 2;
  const T = t >> 2;
  q.h = h;
  q.hdr = hdr;
  q.t = t;
  q.hwm = hwm;
  q.seed = seed;
  q.tree = h[H + L.H_IDX_TREE] >> 2;
  q.leaves = h[H + L.H_IDX_LEAVES];
  q.cpu = h[T + L.T_CPU];
  q.mem = h[T + L.T_MEM];
  q.kind = h[T + L.T_KIND];
  q.count = h[T + L.T_COUNT];
  q.milli = h[T + L.T_MILLI];
  q.profile = h[T + L.T_PROFILE];
  q.whole = (h[T + L.T_FLAGS] & L.TF_WHOLE) !== 0;
  q.mask = h[T + L.T_NODEMASK];
  q.dmem = h[T + L.T_DMEM];
  q.groups = maskGroups(h, hdr, q.mask);
  q.spread = h[H + L.H_POLICY] === L.POLICY_SPREAD;
  q.dims = q.kind >= 0 ? 3 : 2;
  q.devReq = q.profile < 0 ? (q.whole ? 1000 * q.count : q.milli) : 0;
  q.bucket0 = Math.min(bucketKey(q.cpu), L.IDX_BUCKETS - 1);
  q.bucket1 = Math.min(bucketKey(q.mem), L.IDX_BUCKETS - 1);
  // device dimension: a share needs one device with q.milli free; whole devices need q.count fully free ones
  q.bucket2 = q.kind >= 0 && q.profile < 0 ? (q.whole ? bitLen(q.count) : Math.min(bucketKey(q.milli), L.IDX_BUCKETS - 1)) : 0;
  q.kindAt = q.kind >= 0 && q.kind < L.IDX_KINDS ? L.IX_KIND + q.kind * L.IXK_STRIDE : -1;
  const mc = modelClasses(h, h[T + L.T_MODELS]);
  if (q.kindAt >= 0 && mc !== 0 && (mc & (mc - 1)) === 0) q.kindAt = L.IX_KIND + (L.IDX_KINDS + 31 - Math.clz32(mc)) * L.IXK_STRIDE;
  q.kBucket = q.kindAt >= 0 && q.profile < 0 ? (q.whole ? Math.min(bitLen(q.count), L.IDX_WHOLE_BUCKETS - 1) : Math.min(bucketKey(q.milli), L.IDX_KIND_BUCKETS - 1)) : 0;
  q.bestN = -1;
  q.bestS = -1;
  q.bestH = 0;
  q.visits = 0;
  quotCap.fill(0);
  memoStart(h, hdr);
  bounds(1);
  explore(1, q.gLoaded, q.gEmpty);
  q.h = EMPTY;
  return q.bestN;
}
const EMPTY: Int32Array = new Int32Array(0);

/**
 * Diagnostics for the tests (the kernel's indexBounds): the score upper bounds of index record v
 * for the task at t, [loaded part, empty part] (-1 = no node of that part below v can fit).
 */
export function indexBounds(h: Int32Array, hdr: number, t: number, v: number): [number, number] {
  const H = hdr >> 2;
  if (h[H + L.H_IDX_TREE] === 0 || v < 1 || v >= 2 * h[H + L.H_IDX_LEAVES]) return [-1, -1];
  searchIndex(h, hdr, t, h[H + L.H_NODE_HWM], h[H + L.H_SEED]);
  q.h = h;
  bounds(v);
  q.h = EMPTY;
  return [q.gLoaded, q.gEmpty];
}

/** The last scored node's columns and score (the kernel's m* globals): neighbours of one shape and load reuse it. */
const memo = { cpuFree: 0, cpuCap: -1, memFree: 0, memCap: 0, dFree: 0, dCap: 0, score: 0 };
/** Word offsets of the node columns scanCandidate reads, set once per decision by memoStart. */
const nc = { cpuFree: 0, cpuCap: 0, memFree: 0, memCap: 0, dFree: 0, dCap: 0 };
function memoStart(h: Int32Array, hdr: number): void {
  memo.cpuCap = -1;
  nc.cpuFree = col(h, hdr, L.H_N_CPU_FREE);
  nc.cpuCap = col(h, hdr, L.H_N_CPU_CAP);
  nc.memFree = col(h, hdr, L.H_N_MEM_FREE);
  nc.memCap = col(h, hdr, L.H_N_MEM_CAP);
  nc.dFree = col(h, hdr, L.H_N_DMILLI_FREE);
  nc.dCap = col(h, hdr, L.H_N_DMILLI_CAP);
}

/** Node n passed the column pre-filter: score it, and check it in detail only if it could beat the best (q.best*). */
function scanCandidate(h: Int32Array, hdr: number, t: number, n: number, seed: number): void {
  const cpuFree = h[nc.cpuFree + n];
  const cpuCap = h[nc.cpuCap + n];
  const memFree = h[nc.memFree + n];
  const memCap = h[nc.memCap + n];
  const dFree = h[nc.dFree + n];
  const dCap = h[nc.dCap + n];
  let s = memo.score;
  if (cpuFree !== memo.cpuFree || cpuCap !== memo.cpuCap || memFree !== memo.memFree || memCap !== memo.memCap || dFree !== memo.dFree || dCap !== memo.dCap) {
    s = nodeScore(h, hdr, t, n);
    memo.cpuFree = cpuFree;
    memo.cpuCap = cpuCap;
    memo.memFree = memFree;
    memo.memCap = memCap;
    memo.dFree = dFree;
    memo.dCap = dCap;
    memo.score = s;
  }
  if (s < q.bestS) return;
  const th = tieHash(seed, n);
  if (s === q.bestS && th >= q.bestH) return;
  if (nodeReason(h, hdr, t, n) >= 0) return;
  q.bestN = n;
  q.bestS = s;
  q.bestH = th;
}

/**
 * Exact scan (H_SAMPLE = 0, built-in scorer) of every node, as the kernel's scanExact: a node
 * passing the column pre-filter (flags, free CPU and memory, node mask) is scored first and
 * checked in detail only when its score and tie hash could beat the best so far.
 */
function scanExact(h: Int32Array, hdr: number, t: number, hwm: number, seed: number): number {
  const ok = L.NF_PRESENT | L.NF_HEALTHY | L.NF_SCHEDULABLE;
  const T = t >> 2;
  const mask = h[T + L.T_NODEMASK];
  const cpu = h[T + L.T_CPU];
  const mem = h[T + L.T_MEM];
  const fl = col(h, hdr, L.H_N_FLAGS);
  const cf = col(h, hdr, L.H_N_CPU_FREE);
  const mf = col(h, hdr, L.H_N_MEM_FREE);
  q.bestN = -1;
  q.bestS = -1;
  q.bestH = 0;
  memoStart(h, hdr);
  for (let n = 0; n < hwm; n++) {
    if (mask !== 0) {
      const word = h[(mask >> 2) + (n >> 5)];
      if (word === 0 && (n & 31) === 0) {
        n += 31;
        continue;
      }
      if (((word >>> (n & 31)) & 1) === 0) continue;
    }
    if ((h[fl + n] & ok) !== ok || h[cf + n] < cpu || h[mf + n] < mem) continue;
    scanCandidate(h, hdr, t, n, seed);
  }
  const bestN = q.bestN;
  q.h = EMPTY;
  return bestN;
}

/** Count, for each present node, the first check it fails (R_REASONS) and the present nodes (R_TOTAL). */
export function explain(h: Int32Array, hdr: number, t: number, r: number): void {
  const R = r >> 2;
  for (let i = 0; i < L.NUM_REASONS; i++) h[R + L.R_REASONS + i] = 0;
  const hwm = h[(hdr >> 2) + L.H_NODE_HWM];
  const nFlags = col(h, hdr, L.H_N_FLAGS);
  let total = 0;
  for (let n = 0; n < hwm; n++) {
    if ((h[nFlags + n] & L.NF_PRESENT) === 0) continue;
    total++;
    const why = nodeReason(h, hdr, t, n);
    if (why >= 0) h[R + L.R_REASONS + why] += 1;
  }
  h[R + L.R_TOTAL] = total;
}

/**
 * Place the task record at `t`: filter every present node, score the ones that fit (at most
 * H_SAMPLE of them when it is > 0, scanning round-robin from H_START), take the best (ties:
 * smallest tieHash(seed, slot)), choose its devices, and when `doCommit` charge the columns. Writes the result record at `r`; returns ST_BOUND or ST_UNSCHEDULABLE (with reasons).
 */
export function place(h: Int32Array, hdr: number, t: number, r: number, doCommit: boolean, score?: NodeScoreFn): number {
  const R = r >> 2;
  const H = hdr >> 2;
  const hwm = h[H + L.H_NODE_HWM];
  const seed = h[H + L.H_SEED];
  const sample = h[H + L.H_SAMPLE];
  let start = h[H + L.H_START];
  if (start < 0 || start >= hwm) start = 0;
  const nFlags = col(h, hdr, L.H_N_FLAGS);
  let best = -1;
  let bestScore = -1;
  let bestHash = 0;
  let found = 0;
  let k = 0;
  const mask = h[(t >> 2) + L.T_NODEMASK];
  // Exact decisions search the index unless the node mask is sparse (then the scan, which skips
  // 32 excluded nodes per zero mask word, is cheaper) or a custom scorer has no score bound.
  const indexed = sample === 0 && !score && h[H + L.H_IDX_TREE] !== 0 && h[H + L.H_IDX_ON] !== 0 &&
    (mask === 0 || maskAllows(h, hdr, mask, hwm) * 8 >= hwm);
  h[H + L.H_IDX_VISITS] = 0;
  if (indexed) {
    best = searchIndex(h, hdr, t, hwm, seed);
    h[H + L.H_IDX_VISITS] = q.visits;
    k = hwm;
  } else if (sample === 0 && !score) {
    best = scanExact(h, hdr, t, hwm, seed);
    k = hwm;
  }
  while (k < hwm) {
    let n = start + k;
    if (n >= hwm) n -= hwm;
    // A zero mask word rules out 32 nodes at once (never past the wrap point or the start).
    if (mask !== 0 && (n & 31) === 0 && h[(mask >> 2) + (n >> 5)] === 0) {
      const end = n >= start ? hwm : start;
      k += end - n < 32 ? end - n : 32;
      continue;
    }
    k++;
    if ((h[nFlags + n] & L.NF_PRESENT) === 0) continue;
    if (nodeReason(h, hdr, t, n) >= 0) continue;
    const s = score ? score(n, t) : nodeScore(h, hdr, t, n);
    found++;
    if (s >= bestScore) {
      const th = tieHash(seed, n);
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
    h[H + L.H_START] = next;
  }
  h[R + L.R_NODE] = best;
  if (best < 0) {
    h[R + L.R_STATUS] = L.ST_UNSCHEDULABLE;
    h[R + L.R_NDEV] = 0;
    h[R + L.R_PROF] = -1;
    explain(h, hdr, t, r);
    return L.ST_UNSCHEDULABLE;
  }
  h[R + L.R_STATUS] = L.ST_BOUND;
  if (h[(t >> 2) + L.T_KIND] >= 0) chooseDevices(h, hdr, t, best, r);
  else {
    h[R + L.R_NDEV] = 0;
    h[R + L.R_PROF] = -1;
  }
  if (doCommit) commit(h, hdr, t, r);
  return L.ST_BOUND;
}

/** Place `count` task records from `tasks` in order, committing each; results at `results`. Returns the number bound. */
export function placeBatch(h: Int32Array, hdr: number, tasks: number, count: number, results: number, score?: NodeScoreFn): number {
  let bound = 0;
  for (let i = 0; i < count; i++) {
    bound += place(h, hdr, tasks + i * L.TASK_STRIDE * 4, results + i * L.RES_STRIDE * 4, true, score);
  }
  return bound;
}
