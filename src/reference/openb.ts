/**
 * TypeScript twin of `assembly/openb.ts`: the openb trace replay (FGD study, Weng et al., USENIX
 * ATC'23) over struct-of-arrays columns. It is the oracle of the differential tests and the
 * `--backend ts` fallback; the kernel must make the same decision for every pod (same node, same
 * GPUs). Formulas cite fixtures/openb/README.md ("the README").
 *
 * All arithmetic is integer (or integer-valued f64 below 2^53), so twin and kernel agree bit for
 * bit. The logistic function of FGD is replaced by a table of 101 thresholds computed once in
 * TypeScript (`sigmoidThresholds`): floor(100·σ(Δ/T)) ≥ k ⇔ Δ ≥ T·logit(k/100), T = 1000 in the
 * study (2000 for hetpool's policy).
 */
import { tieHash } from '../sim/random.js';

/** ABI version shared with assembly/openb.ts. */
export const OPENB_ABI = 1;

/** Policy ids, identical in the kernel. */
export const OPENB_POLICY = {
  random: 0,
  dotprod: 1,
  gpuClustering: 2,
  gpuPacking: 3,
  bestfit: 4,
  fgd: 5,
  hetpool: 6,
} as const;

/** README "Constants": MaxSpecCpu, milli-CPU (DotProd and BestFit divide by it; folded into their integer forms). */
export const MAX_SPEC_CPU = 128_000;
/** README "Constants": MaxSpecGpu, milli-GPU. */
export const MAX_SPEC_GPU = 8_000;
/** One whole GPU in milli. */
export const WHOLE_GPU = 1000;
/** hetpool: milli-CPU a GPU needs (12 cores, a G2 node's 96 cores / 8 GPUs) per milli-GPU: 12000/1000. */
export const HETPOOL_CPU_PER_GPU_RATIO = 12;
/** hetpool: weight λ of stranded GPU share against the typical-pod fragmentation. */
export const HETPOOL_STRAND_WEIGHT = 3;
/** Most GPUs on one node (GPU sets are bit masks of a node's GPUs). */
export const MAX_GPUS_PER_NODE = 16;

/**
 * The replay's state. Node, GPU, pod-class and typical-pod columns are inputs; `node*` free
 * columns, caches and the per-pod outputs are updated by `replayPods`.
 * - Pod class: a distinct (cpu, gpu milli, GPU count, allowed models); scores depend only on it.
 * - Typical pods (README "Typical-pod distribution M"): `typ*` weight the fragmentation measure
 *   that is reported; `sco*` the one the policy scores with (equal to `typ*` for FGD).
 * Weights are integer counts: F_n = Σ_m w_m·F_n(m) is kept scaled by W = Σ_m w_m.
 */
export interface OpenbState {
  nodeCount: number;
  classCount: number;
  typCount: number;
  scoCount: number;
  podCount: number;
  /** Free CPU milli per node. */
  nodeCpu: Int32Array;
  /** Free memory MiB per node. */
  nodeMem: Int32Array;
  /** GPU model id per node (0..31). */
  nodeModel: Int32Array;
  nodeGpuCount: Int32Array;
  /** Index of the node's first GPU in `gpuFree`. */
  nodeFirstGpu: Int32Array;
  /** GpuClustering keys present: bit 0 share-gpu, bit 1+log2(N) for N-gpu pods. */
  nodeKeys: Int32Array;
  /** Bumped whenever the node changes; score cache entries remember the version they saw. */
  nodeVer: Int32Array;
  /** Scaled fragmentation of each node under the reported distribution (typ*). */
  nodeFragTyp: Float64Array;
  /** Scaled fragmentation of each node under the policy's distribution (sco*). */
  nodeFragSco: Float64Array;
  /** Free share per GPU, milli. */
  gpuFree: Int32Array;
  clsCpu: Int32Array;
  clsMilli: Int32Array;
  clsNum: Int32Array;
  /** Bit mask of allowed model ids (-1 = any). */
  clsModels: Int32Array;
  typCpu: Int32Array;
  typMilli: Int32Array;
  typNum: Int32Array;
  typModels: Int32Array;
  typWeight: Int32Array;
  scoCpu: Int32Array;
  scoMilli: Int32Array;
  scoNum: Int32Array;
  scoModels: Int32Array;
  scoWeight: Int32Array;
  /** thr[k] = least scaled Δ with score ≥ k (k = 0..100); see `sigmoidThresholds`. */
  thr: Float64Array;
  /** Score per (node, class): node·classCount + class. −1 = infeasible (memory aside). */
  cacheScore: Int32Array;
  cacheVer: Int32Array;
  podClass: Int32Array;
  podMem: Int32Array;
  /** Output: chosen node or −1 (failed). */
  podNode: Int32Array;
  /** Output: mask of the node's GPUs the pod took (bit i = the node's GPU i). */
  podGpus: Int32Array;
  /** Output: scaled cluster fragmentation (reported distribution) after the pod. */
  podFrag: Float64Array;
  /** Output: used GPU milli in the cluster after the pod. */
  podUsed: Int32Array;
  /** Scalars: [0] used GPU milli, carried between calls; [1] weight of stranded GPU share in the
   * policy's fragmentation (λ·W of the policy's set; 0 = none, as in FGD). */
  scalars: Float64Array;
}

/**
 * Thresholds for FGD's score: floor(100·σ(Δ/T)) ≥ k ⇔ Δ ≥ T·ln(k/(100−k)) (σ = logistic; the
 * study's T = 1000 milli-GPU). With fragmentation scaled by W (the weight total), thr[k] = W·T·ln(k/(100−k)).
 */
export function sigmoidThresholds(weightTotal: number, temperature = 1000): Float64Array {
  const thr = new Float64Array(101);
  thr[0] = -Infinity;
  thr[100] = Infinity; // σ < 1: 100 is unreachable (Δ ≤ 16 GPUs)
  for (let k = 1; k < 100; k++) thr[k] = weightTotal * temperature * Math.log(k / (100 - k));
  return thr;
}

/** Key bit of a GPU pod for GpuClustering: share-gpu = bit 0, N-gpu = bit 1 + log2 N. */
export function clusterKeyBit(milli: number, num: number): number {
  if (num === 0 || milli === 0) return 0;
  if (milli < WHOLE_GPU) return 1;
  let b = 1;
  let n = num;
  while (n > 1) {
    n >>= 1;
    b++;
  }
  return 1 << b;
}

/**
 * Scaled fragmentation F_n of node n (README "Fragmentation") if its free CPU were `cpuLeft` and
 * the GPUs in `mask` had `delta` milli less, under typical set `which` (0 = typ, 1 = sco).
 */
export function fragOf(s: OpenbState, which: number, n: number, cpuLeft: number, mask: number, delta: number): number {
  const first = s.nodeFirstGpu[n];
  const count = s.nodeGpuCount[n];
  const modelBit = 1 << s.nodeModel[n];
  let idle = 0;
  for (let g = 0; g < count; g++) idle += s.gpuFree[first + g] - ((mask >>> g) & 1) * delta;
  const cnt = which === 0 ? s.typCount : s.scoCount;
  const tCpu = which === 0 ? s.typCpu : s.scoCpu;
  const tMilli = which === 0 ? s.typMilli : s.scoMilli;
  const tNum = which === 0 ? s.typNum : s.scoNum;
  const tModels = which === 0 ? s.typModels : s.scoModels;
  const tWeight = which === 0 ? s.typWeight : s.scoWeight;
  let total = 0;
  for (let m = 0; m < cnt; m++) {
    const milli = tMilli[m];
    let f = idle; // cases 1, 2 and 4: all idle GPU share is a fragment for m
    if (milli !== 0 && (tModels[m] & modelBit) !== 0 && cpuLeft >= tCpu[m]) {
      let fit = 0;
      let small = 0;
      for (let g = 0; g < count; g++) {
        const r = s.gpuFree[first + g] - ((mask >>> g) & 1) * delta;
        if (r >= milli) fit++;
        else small += r;
      }
      if (fit >= tNum[m]) f = small; // case 3: only GPUs too small for m are fragments
    }
    total += tWeight[m] * f;
  }
  if (which === 1 && s.scalars[1] > 0) {
    // hetpool: GPU share the node's free CPU cannot feed at HETPOOL_CPU_PER_GPU_RATIO milli-CPU per milli-GPU.
    const stranded = idle - Math.floor(cpuLeft / HETPOOL_CPU_PER_GPU_RATIO);
    if (stranded > 0) total += s.scalars[1] * stranded;
  }
  return total;
}

/** GPUs of node n that a pod of class c may use: count of GPUs with free ≥ milli. */
function gpusWithRoom(s: OpenbState, n: number, milli: number): number {
  const first = s.nodeFirstGpu[n];
  let k = 0;
  for (let g = 0; g < s.nodeGpuCount[n]; g++) if (s.gpuFree[first + g] >= milli) k++;
  return k;
}

/** Mask of the first `k` fully free GPUs of node n, by index (README: whole and multi-GPU pods). */
function firstFreeMask(s: OpenbState, n: number, k: number): number {
  const first = s.nodeFirstGpu[n];
  let mask = 0;
  let got = 0;
  for (let g = 0; g < s.nodeGpuCount[n] && got < k; g++) {
    if (s.gpuFree[first + g] === WHOLE_GPU) {
      mask |= 1 << g;
      got++;
    }
  }
  return mask;
}

/** Best-fit GPU for a fractional pod: least free share ≥ milli, lowest index on ties. */
function bestFitGpu(s: OpenbState, n: number, milli: number): number {
  const first = s.nodeFirstGpu[n];
  let best = -1;
  let bestFree = WHOLE_GPU + 1;
  for (let g = 0; g < s.nodeGpuCount[n]; g++) {
    const r = s.gpuFree[first + g];
    if (r >= milli && r < bestFree) {
      bestFree = r;
      best = g;
    }
  }
  return best;
}

function nodeIdle(s: OpenbState, n: number): number {
  const first = s.nodeFirstGpu[n];
  let r = 0;
  for (let g = 0; g < s.nodeGpuCount[n]; g++) r += s.gpuFree[first + g];
  return r;
}

/** FGD score from a scaled fragmentation decrease: largest k with Δ ≥ thr[k] (binary search). */
function sigmoidScore(s: OpenbState, delta: number): number {
  let lo = 0;
  let hi = 100;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (delta >= s.thr[mid]) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * FGD on node n for class c: the score and (in `fgdGpu`) the GPU of a fractional pod. `which`
 * picks the typical set. Equal free shares give equal n′, so only the first GPU of each free
 * value is tried (the first index wins ties anyway).
 */
let fgdGpu = -1;
function fgdScore(s: OpenbState, which: number, n: number, c: number): number {
  const cpu = s.clsCpu[c];
  const milli = s.clsMilli[c];
  const num = s.clsNum[c];
  const base = which === 0 ? s.nodeFragTyp[n] : s.nodeFragSco[n];
  const cpuLeft = s.nodeCpu[n] - cpu;
  fgdGpu = -1;
  if (milli === 0) return sigmoidScore(s, base - fragOf(s, which, n, cpuLeft, 0, 0));
  if (milli >= WHOLE_GPU) {
    const mask = firstFreeMask(s, n, num);
    return sigmoidScore(s, base - fragOf(s, which, n, cpuLeft, mask, WHOLE_GPU));
  }
  const first = s.nodeFirstGpu[n];
  const count = s.nodeGpuCount[n];
  let best = -1;
  for (let g = 0; g < count; g++) {
    const r = s.gpuFree[first + g];
    if (r < milli) continue;
    let seen = false;
    for (let h = 0; h < g; h++) if (s.gpuFree[first + h] === r) seen = true;
    if (seen) continue;
    const sc = sigmoidScore(s, base - fragOf(s, which, n, cpuLeft, 1 << g, milli));
    if (sc > best) {
      best = sc;
      fgdGpu = g;
    }
  }
  return best;
}

/** Feasibility of class c on node n, memory aside (README protocol step 5). */
export function feasible(s: OpenbState, n: number, c: number): boolean {
  if (s.nodeCpu[n] < s.clsCpu[c]) return false;
  const milli = s.clsMilli[c];
  if (milli === 0) return true;
  if ((s.clsModels[c] & (1 << s.nodeModel[n])) === 0) return false;
  return gpusWithRoom(s, n, milli) >= s.clsNum[c];
}

/** Score 0..100 of class c on node n under `policy`, or −1 when infeasible (memory aside). */
export function scoreNode(s: OpenbState, policy: number, n: number, c: number): number {
  if (!feasible(s, n, c)) return -1;
  const cpu = s.clsCpu[c];
  const milli = s.clsMilli[c];
  const num = s.clsNum[c];
  const idle = nodeIdle(s, n);
  const cpuLeft = s.nodeCpu[n];
  const demand = milli * num;
  switch (policy) {
    case OPENB_POLICY.random:
      return 0;
    case OPENB_POLICY.dotprod: {
      // floor(100·(1 − v·d/2)), v·d = cpuLeft·cpu/128000² + R·k·gpu/8000²; scaled by 128000²
      // (= 256·8000²): 100 − ceil(50·num/128000²) = 100 − ceil(num/327 680 000).
      const dot = cpuLeft * cpu + idle * demand * 256;
      return 100 - Math.floor((dot + 327_679_999) / 327_680_000);
    }
    case OPENB_POLICY.gpuClustering: {
      if (milli === 0) return 0;
      const key = clusterKeyBit(milli, num);
      const a = s.nodeKeys[n];
      const b = Math.floor((25 * (MAX_SPEC_GPU - idle)) / MAX_SPEC_GPU);
      if (a === key) return 75 + b;
      if ((a & key) !== 0) return 50 + b;
      if (a === 0) return 25 + b;
      return b;
    }
    case OPENB_POLICY.gpuPacking:
      return packingScore(s, n, milli, num);
    case OPENB_POLICY.bestfit: {
      // floor(100·(1 − [0.5·(cpuLeft−cpu)/128000 + 0.5·(R−k·gpu)/8000])) = 100 − ceil(((cpuLeft−cpu) + 16·(R−k·gpu))/2560).
      // The README min–max normalises over feasible nodes; that map is strictly increasing when the
      // raw range is ≤ 100 (it is: 0..100), so it changes no argmax and is left out.
      const x = cpuLeft - cpu + 16 * (idle - demand);
      return 100 - Math.floor((x + 2559) / 2560);
    }
    case OPENB_POLICY.fgd:
      return fgdScore(s, 0, n, c);
    default:
      return hetpoolScore(s, n, c);
  }
}

/** GpuPacking (README): prefer GPUs already in use, then nodes already in use, then small nodes. */
function packingScore(s: OpenbState, n: number, milli: number, num: number): number {
  if (milli === 0) return 0;
  const first = s.nodeFirstGpu[n];
  const count = s.nodeGpuCount[n];
  let allFree = true;
  for (let g = 0; g < count; g++) if (s.gpuFree[first + g] !== WHOLE_GPU) allFree = false;
  if (allFree) return 33 - count;
  // k GPUs with free ≥ milli in ascending free order (selection without sorting: k ≤ 16).
  let used = 0;
  let fullyFree = 0;
  let sum = 0;
  let lastFree = -1;
  let lastIdx = -1;
  while (used < num) {
    let pick = -1;
    let pickFree = WHOLE_GPU + 1;
    for (let g = 0; g < count; g++) {
      const r = s.gpuFree[first + g];
      if (r < milli) continue;
      const after = r > lastFree || (r === lastFree && g > lastIdx);
      if (after && r < pickFree) {
        pickFree = r;
        pick = g;
      }
    }
    if (pick < 0) break;
    used++;
    if (pickFree === WHOLE_GPU) fullyFree++;
    sum += Math.floor((pickFree * 100) / WHOLE_GPU);
    lastFree = pickFree;
    lastIdx = pick;
  }
  if (fullyFree > 0) return Math.max(50 - fullyFree, 33);
  return Math.max(100 - Math.floor(sum / 10), 50);
}

/**
 * hetpool's own policy: FGD whose fragmentation also counts the GPU share a node's free CPU cannot
 * feed (`fragOf` with `scalars[1]` > 0): max(0, R − cpuLeft / 12) milli-GPU, weighted λ·W, since a
 * GPU whose node has run out of CPU is lost to every pod. 12 cores per GPU is the G2 ratio (96
 * cores / 8 GPUs; half the cluster's GPUs); λ = 3 (`HETPOOL_STRAND_WEIGHT`). The logistic runs at
 * half the study's slope (σ(Δ/2000), in `thr`). docs/simulation.md has the measurements.
 */
function hetpoolScore(s: OpenbState, n: number, c: number): number {
  return fgdScore(s, 1, n, c);
}

/** The GPUs (node-local mask) a pod of class c takes on node n under `policy`. */
export function chooseGpus(s: OpenbState, policy: number, n: number, c: number, podSeed: number): number {
  const milli = s.clsMilli[c];
  const num = s.clsNum[c];
  if (milli === 0) return 0;
  if (milli >= WHOLE_GPU) return firstFreeMask(s, n, num);
  if (policy === OPENB_POLICY.random) {
    const first = s.nodeFirstGpu[n];
    let best = -1;
    let bestHash = 0;
    for (let g = 0; g < s.nodeGpuCount[n]; g++) {
      if (s.gpuFree[first + g] < milli) continue;
      const h = tieHash(podSeed, 0x10000 + g);
      if (best < 0 || h < bestHash) {
        best = g;
        bestHash = h;
      }
    }
    return 1 << best;
  }
  if (policy === OPENB_POLICY.fgd || policy === OPENB_POLICY.hetpool) {
    fgdScore(s, policy === OPENB_POLICY.fgd ? 0 : 1, n, c);
    return 1 << fgdGpu;
  }
  return 1 << bestFitGpu(s, n, milli);
}

/** Recompute node n's cached fragmentation after a change; returns the change of the reported sum. */
function refreshNode(s: OpenbState, n: number): number {
  const before = s.nodeFragTyp[n];
  s.nodeFragTyp[n] = fragOf(s, 0, n, s.nodeCpu[n], 0, 0);
  s.nodeFragSco[n] = fragOf(s, 1, n, s.nodeCpu[n], 0, 0);
  s.nodeVer[n]++;
  return s.nodeFragTyp[n] - before;
}

/** Fill every node's cached fragmentation; returns the scaled cluster fragmentation. */
export function initNodes(s: OpenbState): number {
  let total = 0;
  for (let n = 0; n < s.nodeCount; n++) {
    s.nodeFragTyp[n] = 0;
    total += refreshNode(s, n);
  }
  return total;
}

/**
 * Schedule pods `from`..`to`−1 in order, each exactly once (README protocol steps 4–7). Ties go to
 * the least `tieHash(tieHash(seed, pod), node)`: a fresh random node order per decision, as the
 * Kubernetes scheduler's selectHost does. `clusterFrag` is the scaled cluster fragmentation
 * before the first pod; the value after the last is returned.
 */
export function replayPods(s: OpenbState, policy: number, seed: number, from: number, to: number, clusterFrag: number): number {
  let frag = clusterFrag;
  let used = s.scalars[0];
  const C = s.classCount;
  for (let p = from; p < to; p++) {
    const c = s.podClass[p];
    const mem = s.podMem[p];
    const podSeed = policy === OPENB_POLICY.random ? tieHash(seed, p) : seed;
    let best = -1;
    let bestNode = -1;
    let bestHash = 0;
    for (let n = 0; n < s.nodeCount; n++) {
      if (s.nodeMem[n] < mem) continue;
      const at = n * C + c;
      if (s.cacheVer[at] !== s.nodeVer[n]) {
        s.cacheScore[at] = scoreNode(s, policy, n, c);
        s.cacheVer[at] = s.nodeVer[n];
      }
      const sc = s.cacheScore[at];
      if (sc < best) continue;
      const h = tieHash(podSeed, n);
      if (sc > best || h < bestHash) {
        best = sc;
        bestNode = n;
        bestHash = h;
      }
    }
    if (bestNode < 0) {
      s.podNode[p] = -1;
      s.podGpus[p] = 0;
    } else {
      const mask = chooseGpus(s, policy, bestNode, c, podSeed);
      const milli = s.clsMilli[c];
      const first = s.nodeFirstGpu[bestNode];
      for (let g = 0; g < s.nodeGpuCount[bestNode]; g++) {
        if (((mask >>> g) & 1) !== 0) {
          s.gpuFree[first + g] -= milli;
          used += milli;
        }
      }
      s.nodeCpu[bestNode] -= s.clsCpu[c];
      s.nodeMem[bestNode] -= mem;
      s.nodeKeys[bestNode] |= clusterKeyBit(milli, s.clsNum[c]);
      frag += refreshNode(s, bestNode);
      s.podNode[p] = bestNode;
      s.podGpus[p] = mask;
    }
    s.podFrag[p] = frag;
    s.podUsed[p] = used;
  }
  s.scalars[0] = used;
  return frag;
}

/** Sizes of an `OpenbState`. */
export interface OpenbSizes {
  nodeCount: number;
  gpuCount: number;
  classCount: number;
  typCount: number;
  scoCount: number;
  podCount: number;
}

type ColumnKey = Exclude<keyof OpenbState, 'nodeCount' | 'classCount' | 'typCount' | 'scoCount' | 'podCount'>;

/**
 * The state's columns in the order of the kernel's header (assembly/openb.ts `COL_*`): name,
 * element type and length. Both backends lay the state out from this one list.
 */
export function openbColumns(z: OpenbSizes): Array<[ColumnKey, 'i32' | 'f64', number]> {
  const N = z.nodeCount;
  return [
    ['nodeCpu', 'i32', N], ['nodeMem', 'i32', N], ['nodeModel', 'i32', N], ['nodeGpuCount', 'i32', N],
    ['nodeFirstGpu', 'i32', N], ['nodeKeys', 'i32', N], ['nodeVer', 'i32', N], ['nodeFragTyp', 'f64', N],
    ['nodeFragSco', 'f64', N], ['gpuFree', 'i32', z.gpuCount],
    ['clsCpu', 'i32', z.classCount], ['clsMilli', 'i32', z.classCount], ['clsNum', 'i32', z.classCount], ['clsModels', 'i32', z.classCount],
    ['typCpu', 'i32', z.typCount], ['typMilli', 'i32', z.typCount], ['typNum', 'i32', z.typCount], ['typModels', 'i32', z.typCount], ['typWeight', 'i32', z.typCount],
    ['scoCpu', 'i32', z.scoCount], ['scoMilli', 'i32', z.scoCount], ['scoNum', 'i32', z.scoCount], ['scoModels', 'i32', z.scoCount], ['scoWeight', 'i32', z.scoCount],
    ['thr', 'f64', 101], ['cacheScore', 'i32', N * z.classCount], ['cacheVer', 'i32', N * z.classCount],
    ['podClass', 'i32', z.podCount], ['podMem', 'i32', z.podCount], ['podNode', 'i32', z.podCount], ['podGpus', 'i32', z.podCount],
    ['podFrag', 'f64', z.podCount], ['podUsed', 'i32', z.podCount], ['scalars', 'f64', 2],
  ];
}

/** Build a state whose columns come from `column(key, type, length)` (plain arrays or wasm views). */
export function makeOpenbState(z: OpenbSizes, column: (key: string, type: 'i32' | 'f64', length: number, index: number) => Int32Array | Float64Array): OpenbState {
  const s = { nodeCount: z.nodeCount, classCount: z.classCount, typCount: z.typCount, scoCount: z.scoCount, podCount: z.podCount } as Record<string, unknown>;
  openbColumns(z).forEach(([key, type, length], i) => {
    s[key] = column(key, type, length, i);
  });
  return s as unknown as OpenbState;
}

/** A state over plain typed arrays: the twin's backend. */
export const allocOpenbState = (z: OpenbSizes): OpenbState =>
  makeOpenbState(z, (_k, type, length) => (type === 'i32' ? new Int32Array(length) : new Float64Array(length)));
