/**
 * TypeScript twin of the placement kernel (`assembly/placement.ts`): the same algorithm over
 * the same Int32 columns (layout in `assembly/lib/placement-layout.ts`), line for line, so it is
 * the oracle of the differential tests and the `backend: 'ts'` fallback. It also accepts a
 * custom node scorer (a TypeScript callback), which the WebAssembly kernel cannot call.
 *
 * `h` is an Int32Array over the whole memory; every pointer is a byte offset, read as
 * `h[p >> 2]` exactly where the kernel does `load<i32>(p)`. Integer arithmetic only.
 */
import * as L from '../../assembly/lib/placement-layout.js';

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
