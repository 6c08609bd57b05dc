/**
 * openb trace replay kernel: the six policies of the FGD study (Weng et al., USENIX ATC'23;
 * fixtures/openb/README.md) and hetpool's own, scheduling a pod stream one pod at a time.
 * TypeScript twin: src/reference/openb.ts (same decisions, bit for bit). Binding: src/core/openb.ts.
 *
 * Memory layout. The binding reserves every column with `LinearHeap` and writes a header of i32
 * words at `hdr`:
 *
 *   hdr + 4·0 .. 4·4               counts: nodes (H_NODES), pod classes (H_CLASSES), typical pods
 *                                  reported (H_TYP), typical pods of the policy (H_SCO), arrivals
 *   hdr + 4·(H_COLS + i)           byte offset of column i, in the order of `openbColumns` (twin)
 *
 *   column          type  length          meaning
 *   COL_NODE_CPU    i32   nodes           free CPU, milli
 *   COL_NODE_MEM    i32   nodes           free memory, MiB
 *   COL_NODE_MODEL  i32   nodes           GPU model id (bit position in model masks)
 *   COL_NODE_GPUS   i32   nodes           GPU count (≤ 16)
 *   COL_NODE_FIRST  i32   nodes           index of the node's first GPU in COL_GPU_FREE
 *   COL_NODE_KEYS   i32   nodes           GpuClustering keys present (bit 0 share, 1+log2 N N-gpu)
 *   COL_NODE_VER    i32   nodes           version, bumped on change (score cache validity)
 *   COL_FRAG_TYP    f64   nodes           scaled fragmentation, reported distribution
 *   COL_FRAG_SCO    f64   nodes           scaled fragmentation, the policy's distribution
 *   COL_GPU_FREE    i32   GPUs            free share, milli
 *   COL_CLS_*       i32   classes         cpu, milli, GPU count, allowed model mask
 *   COL_TYP_*       i32   typical         cpu, milli, GPU count, model mask, weight (reported)
 *   COL_SCO_*       i32   typical         the same for the policy's distribution
 *   COL_THR         f64   101             FGD score thresholds (see twin `sigmoidThresholds`)
 *   COL_CACHE_SCORE i32   nodes·classes   score per (node, class); −1 infeasible
 *   COL_CACHE_VER   i32   nodes·classes   node version the score was computed at
 *   COL_POD_CLASS   i32   arrivals        class per arrival
 *   COL_POD_MEM     i32   arrivals        memory request per arrival
 *   COL_POD_NODE    i32   arrivals        out: node or −1
 *   COL_POD_GPUS    i32   arrivals        out: mask of the node's GPUs taken
 *   COL_POD_FRAG    f64   arrivals        out: scaled cluster fragmentation after the pod
 *   COL_POD_USED    i32   arrivals        out: used GPU milli after the pod
 *   COL_SCALARS     f64   2               [0] used GPU milli carried between calls; [1] weight of
 *                                         stranded GPU share in the policy's fragmentation (hetpool)
 *
 * No allocation, no exceptions, no Math.*: integer arithmetic (and integer-valued f64) only.
 */

const ABI_VERSION: i32 = 1;

const H_NODES: i32 = 0;
const H_CLASSES: i32 = 1;
const H_TYP: i32 = 2;
const H_SCO: i32 = 3;
const H_COLS: i32 = 5;

const COL_NODE_CPU: i32 = 0;
const COL_NODE_MEM: i32 = 1;
const COL_NODE_MODEL: i32 = 2;
const COL_NODE_GPUS: i32 = 3;
const COL_NODE_FIRST: i32 = 4;
const COL_NODE_KEYS: i32 = 5;
const COL_NODE_VER: i32 = 6;
const COL_FRAG_TYP: i32 = 7;
const COL_FRAG_SCO: i32 = 8;
const COL_GPU_FREE: i32 = 9;
const COL_CLS_CPU: i32 = 10;
const COL_CLS_MILLI: i32 = 11;
const COL_CLS_NUM: i32 = 12;
const COL_CLS_MODELS: i32 = 13;
const COL_TYP_CPU: i32 = 14; // then MILLI, NUM, MODELS, WEIGHT
const COL_SCO_CPU: i32 = 19; // then MILLI, NUM, MODELS, WEIGHT
const COL_THR: i32 = 24;
const COL_CACHE_SCORE: i32 = 25;
const COL_CACHE_VER: i32 = 26;
const COL_POD_CLASS: i32 = 27;
const COL_POD_MEM: i32 = 28;
const COL_POD_NODE: i32 = 29;
const COL_POD_GPUS: i32 = 30;
const COL_POD_FRAG: i32 = 31;
const COL_POD_USED: i32 = 32;
const COL_SCALARS: i32 = 33;

const P_RANDOM: i32 = 0;
const P_DOTPROD: i32 = 1;
const P_CLUSTERING: i32 = 2;
const P_PACKING: i32 = 3;
const P_BESTFIT: i32 = 4;
const P_FGD: i32 = 5;

const WHOLE: i32 = 1000;
const MAX_SPEC_GPU: i32 = 8000;
/** hetpool: milli-CPU per milli-GPU a GPU needs (12 cores per GPU: G2, 96 cores / 8 GPUs). */
const HETPOOL_CPU_PER_GPU_RATIO: i32 = 12;

// Column base addresses, loaded from the header at each entry.
let nodeCount: i32 = 0;
let classCount: i32 = 0;
let typCount: i32 = 0;
let scoCount: i32 = 0;
let nodeCpu: usize = 0;
let nodeMem: usize = 0;
let nodeModel: usize = 0;
let nodeGpus: usize = 0;
let nodeFirst: usize = 0;
let nodeKeys: usize = 0;
let nodeVer: usize = 0;
let fragTyp: usize = 0;
let fragSco: usize = 0;
let gpuFree: usize = 0;
let clsCpu: usize = 0;
let clsMilli: usize = 0;
let clsNum: usize = 0;
let clsModels: usize = 0;
let thr: usize = 0;
let cacheScore: usize = 0;
let cacheVer: usize = 0;
let podClass: usize = 0;
let podMem: usize = 0;
let podNode: usize = 0;
let podGpus: usize = 0;
let podFrag: usize = 0;
let podUsed: usize = 0;
let scalars: usize = 0;
let hdrAt: usize = 0;
// Typical-pod columns of the set in use (0 = reported, 1 = policy's).
let tCpu: usize = 0;
let tMilli: usize = 0;
let tNum: usize = 0;
let tModels: usize = 0;
let tWeight: usize = 0;
let tCount: i32 = 0;
// Second result of fgdScore: the GPU of a fractional pod.
let fgdGpu: i32 = -1;

export function abiVersion(): i32 {
  return ABI_VERSION;
}

export function heapBase(): usize {
  return __heap_base;
}

@inline function col(i: i32): usize {
  return <usize>load<i32>(hdrAt + (<usize>(H_COLS + i) << 2));
}
@inline function geti(base: usize, i: i32): i32 {
  return load<i32>(base + (<usize>i << 2));
}
@inline function seti(base: usize, i: i32, v: i32): void {
  store<i32>(base + (<usize>i << 2), v);
}
@inline function getf(base: usize, i: i32): f64 {
  return load<f64>(base + (<usize>i << 3));
}
@inline function setf(base: usize, i: i32, v: f64): void {
  store<f64>(base + (<usize>i << 3), v);
}

function bind(hdr: usize): void {
  hdrAt = hdr;
  nodeCount = load<i32>(hdr + (<usize>H_NODES << 2));
  classCount = load<i32>(hdr + (<usize>H_CLASSES << 2));
  typCount = load<i32>(hdr + (<usize>H_TYP << 2));
  scoCount = load<i32>(hdr + (<usize>H_SCO << 2));
  nodeCpu = col(COL_NODE_CPU);
  nodeMem = col(COL_NODE_MEM);
  nodeModel = col(COL_NODE_MODEL);
  nodeGpus = col(COL_NODE_GPUS);
  nodeFirst = col(COL_NODE_FIRST);
  nodeKeys = col(COL_NODE_KEYS);
  nodeVer = col(COL_NODE_VER);
  fragTyp = col(COL_FRAG_TYP);
  fragSco = col(COL_FRAG_SCO);
  gpuFree = col(COL_GPU_FREE);
  clsCpu = col(COL_CLS_CPU);
  clsMilli = col(COL_CLS_MILLI);
  clsNum = col(COL_CLS_NUM);
  clsModels = col(COL_CLS_MODELS);
  thr = col(COL_THR);
  cacheScore = col(COL_CACHE_SCORE);
  cacheVer = col(COL_CACHE_VER);
  podClass = col(COL_POD_CLASS);
  podMem = col(COL_POD_MEM);
  podNode = col(COL_POD_NODE);
  podGpus = col(COL_POD_GPUS);
  podFrag = col(COL_POD_FRAG);
  podUsed = col(COL_POD_USED);
  scalars = col(COL_SCALARS);
}

function useSet(which: i32): void {
  const b = which == 0 ? COL_TYP_CPU : COL_SCO_CPU;
  tCpu = col(b);
  tMilli = col(b + 1);
  tNum = col(b + 2);
  tModels = col(b + 3);
  tWeight = col(b + 4);
  tCount = which == 0 ? typCount : scoCount;
}

/** Same as the twin's `tieHash` (src/sim/random.ts). */
@inline function tieHash(seed: i32, key: i32): u32 {
  let h: u32 = <u32>((seed ^ 0x9e3779b9) * 0x85ebca6b) ^ <u32>((key + 0x7f4a7c15) * 0xc2b2ae35);
  h ^= h >>> 16;
  h = h * 0x7feb352d;
  h ^= h >>> 15;
  h = h * 0x846ca68b;
  h ^= h >>> 16;
  return h;
}

@inline function clusterKeyBit(milli: i32, num: i32): i32 {
  if (num == 0 || milli == 0) return 0;
  if (milli < WHOLE) return 1;
  let b = 1;
  let n = num;
  while (n > 1) {
    n >>= 1;
    b++;
  }
  return 1 << b;
}

/** Scaled F_n of node n with free CPU `cpuLeft` and `delta` less on the GPUs in `mask` (README "Fragmentation"). */
function fragOf(which: i32, n: i32, cpuLeft: i32, mask: i32, delta: i32): f64 {
  useSet(which);
  const first = geti(nodeFirst, n);
  const count = geti(nodeGpus, n);
  const modelBit = 1 << geti(nodeModel, n);
  let idle = 0;
  for (let g = 0; g < count; g++) idle += geti(gpuFree, first + g) - ((mask >>> g) & 1) * delta;
  let total: f64 = 0;
  for (let m = 0; m < tCount; m++) {
    const milli = geti(tMilli, m);
    let f = idle;
    if (milli != 0 && (geti(tModels, m) & modelBit) != 0 && cpuLeft >= geti(tCpu, m)) {
      let fit = 0;
      let small = 0;
      for (let g = 0; g < count; g++) {
        const r = geti(gpuFree, first + g) - ((mask >>> g) & 1) * delta;
        if (r >= milli) fit++;
        else small += r;
      }
      if (fit >= geti(tNum, m)) f = small;
    }
    total += <f64>geti(tWeight, m) * <f64>f;
  }
  if (which == 1 && getf(scalars, 1) > 0) {
    // hetpool: GPU share the node's free CPU cannot feed (twin: fragOf).
    const stranded = idle - cpuLeft / HETPOOL_CPU_PER_GPU_RATIO;
    if (stranded > 0) total += getf(scalars, 1) * <f64>stranded;
  }
  return total;
}

function gpusWithRoom(n: i32, milli: i32): i32 {
  const first = geti(nodeFirst, n);
  const count = geti(nodeGpus, n);
  let k = 0;
  for (let g = 0; g < count; g++) if (geti(gpuFree, first + g) >= milli) k++;
  return k;
}

function firstFreeMask(n: i32, k: i32): i32 {
  const first = geti(nodeFirst, n);
  const count = geti(nodeGpus, n);
  let mask = 0;
  let got = 0;
  for (let g = 0; g < count && got < k; g++) {
    if (geti(gpuFree, first + g) == WHOLE) {
      mask |= 1 << g;
      got++;
    }
  }
  return mask;
}

function bestFitGpu(n: i32, milli: i32): i32 {
  const first = geti(nodeFirst, n);
  const count = geti(nodeGpus, n);
  let best = -1;
  let bestFree = WHOLE + 1;
  for (let g = 0; g < count; g++) {
    const r = geti(gpuFree, first + g);
    if (r >= milli && r < bestFree) {
      bestFree = r;
      best = g;
    }
  }
  return best;
}

function nodeIdle(n: i32): i32 {
  const first = geti(nodeFirst, n);
  const count = geti(nodeGpus, n);
  let r = 0;
  for (let g = 0; g < count; g++) r += geti(gpuFree, first + g);
  return r;
}

function sigmoidScore(delta: f64): i32 {
  let lo = 0;
  let hi = 100;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (delta >= getf(thr, mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function fgdScore(which: i32, n: i32, c: i32): i32 {
  const cpu = geti(clsCpu, c);
  const milli = geti(clsMilli, c);
  const num = geti(clsNum, c);
  const base = which == 0 ? getf(fragTyp, n) : getf(fragSco, n);
  const cpuLeft = geti(nodeCpu, n) - cpu;
  fgdGpu = -1;
  if (milli == 0) return sigmoidScore(base - fragOf(which, n, cpuLeft, 0, 0));
  if (milli >= WHOLE) return sigmoidScore(base - fragOf(which, n, cpuLeft, firstFreeMask(n, num), WHOLE));
  const first = geti(nodeFirst, n);
  const count = geti(nodeGpus, n);
  let best = -1;
  for (let g = 0; g < count; g++) {
    const r = geti(gpuFree, first + g);
    if (r < milli) continue;
    let seen = false;
    for (let h = 0; h < g; h++) if (geti(gpuFree, first + h) == r) seen = true;
    if (seen) continue;
    const sc = sigmoidScore(base - fragOf(which, n, cpuLeft, 1 << g, milli));
    if (sc > best) {
      best = sc;
      fgdGpu = g;
    }
  }
  return best;
}

function feasible(n: i32, c: i32): bool {
  if (geti(nodeCpu, n) < geti(clsCpu, c)) return false;
  const milli = geti(clsMilli, c);
  if (milli == 0) return true;
  if ((geti(clsModels, c) & (1 << geti(nodeModel, n))) == 0) return false;
  return gpusWithRoom(n, milli) >= geti(clsNum, c);
}

function packingScore(n: i32, milli: i32, num: i32): i32 {
  if (milli == 0) return 0;
  const first = geti(nodeFirst, n);
  const count = geti(nodeGpus, n);
  let allFree = true;
  for (let g = 0; g < count; g++) if (geti(gpuFree, first + g) != WHOLE) allFree = false;
  if (allFree) return 33 - count;
  let used = 0;
  let fullyFree = 0;
  let sum = 0;
  let lastFree = -1;
  let lastIdx = -1;
  while (used < num) {
    let pick = -1;
    let pickFree = WHOLE + 1;
    for (let g = 0; g < count; g++) {
      const r = geti(gpuFree, first + g);
      if (r < milli) continue;
      const after = r > lastFree || (r == lastFree && g > lastIdx);
      if (after && r < pickFree) {
        pickFree = r;
        pick = g;
      }
    }
    if (pick < 0) break;
    used++;
    if (pickFree == WHOLE) fullyFree++;
    sum += (pickFree * 100) / WHOLE;
    lastFree = pickFree;
    lastIdx = pick;
  }
  if (fullyFree > 0) return max(50 - fullyFree, 33);
  return max(100 - sum / 10, 50);
}

/** hetpool's policy: FGD over the policy's set, whose fragmentation counts stranded GPU share (twin: hetpoolScore). */
function hetpoolScore(n: i32, c: i32): i32 {
  return fgdScore(1, n, c);
}

function scoreNode(policy: i32, n: i32, c: i32): i32 {
  if (!feasible(n, c)) return -1;
  const cpu = geti(clsCpu, c);
  const milli = geti(clsMilli, c);
  const num = geti(clsNum, c);
  const idle = nodeIdle(n);
  const cpuLeft = geti(nodeCpu, n);
  const demand = milli * num;
  if (policy == P_RANDOM) return 0;
  if (policy == P_DOTPROD) {
    const dot: i64 = <i64>cpuLeft * <i64>cpu + <i64>idle * <i64>demand * 256;
    return 100 - <i32>((dot + 327_679_999) / 327_680_000);
  }
  if (policy == P_CLUSTERING) {
    if (milli == 0) return 0;
    const key = clusterKeyBit(milli, num);
    const a = geti(nodeKeys, n);
    const b = floorDiv(25 * (MAX_SPEC_GPU - idle), MAX_SPEC_GPU);
    if (a == key) return 75 + b;
    if ((a & key) != 0) return 50 + b;
    if (a == 0) return 25 + b;
    return b;
  }
  if (policy == P_PACKING) return packingScore(n, milli, num);
  if (policy == P_BESTFIT) {
    const x = cpuLeft - cpu + 16 * (idle - demand);
    return 100 - floorDiv(x + 2559, 2560);
  }
  if (policy == P_FGD) return fgdScore(0, n, c);
  return hetpoolScore(n, c);
}

/** floor(a / b) for b > 0 (i32 `/` truncates toward zero). */
@inline function floorDiv(a: i32, b: i32): i32 {
  const q = a / b;
  return q * b > a ? q - 1 : q;
}

function chooseGpus(policy: i32, n: i32, c: i32, podSeed: i32): i32 {
  const milli = geti(clsMilli, c);
  const num = geti(clsNum, c);
  if (milli == 0) return 0;
  if (milli >= WHOLE) return firstFreeMask(n, num);
  if (policy == P_RANDOM) {
    const first = geti(nodeFirst, n);
    const count = geti(nodeGpus, n);
    let best = -1;
    let bestHash: u32 = 0;
    for (let g = 0; g < count; g++) {
      if (geti(gpuFree, first + g) < milli) continue;
      const h = tieHash(podSeed, 0x10000 + g);
      if (best < 0 || h < bestHash) {
        best = g;
        bestHash = h;
      }
    }
    return 1 << best;
  }
  if (policy == P_FGD || policy > P_FGD) {
    fgdScore(policy == P_FGD ? 0 : 1, n, c);
    return 1 << fgdGpu;
  }
  return 1 << bestFitGpu(n, milli);
}

function refreshNode(n: i32): f64 {
  const before = getf(fragTyp, n);
  const cpu = geti(nodeCpu, n);
  setf(fragTyp, n, fragOf(0, n, cpu, 0, 0));
  setf(fragSco, n, fragOf(1, n, cpu, 0, 0));
  seti(nodeVer, n, geti(nodeVer, n) + 1);
  return getf(fragTyp, n) - before;
}

/** Fill every node's cached fragmentation; returns the scaled cluster fragmentation. */
export function init(hdr: usize): f64 {
  bind(hdr);
  let total: f64 = 0;
  for (let n = 0; n < nodeCount; n++) {
    setf(fragTyp, n, 0);
    total += refreshNode(n);
  }
  return total;
}

/** Schedule arrivals from..to−1 (the twin's `replayPods`); returns the scaled cluster fragmentation after them. */
export function replay(hdr: usize, policy: i32, seed: i32, from: i32, to: i32, clusterFrag: f64): f64 {
  bind(hdr);
  let frag = clusterFrag;
  let used = <i32>getf(scalars, 0);
  const C = classCount;
  for (let p = from; p < to; p++) {
    const c = geti(podClass, p);
    const mem = geti(podMem, p);
    const podSeed = policy == P_RANDOM ? <i32>tieHash(seed, p) : seed;
    let best = -1;
    let bestNode = -1;
    let bestHash: u32 = 0;
    for (let n = 0; n < nodeCount; n++) {
      if (geti(nodeMem, n) < mem) continue;
      const at = n * C + c;
      const ver = geti(nodeVer, n);
      if (geti(cacheVer, at) != ver) {
        seti(cacheScore, at, scoreNode(policy, n, c));
        seti(cacheVer, at, ver);
      }
      const sc = geti(cacheScore, at);
      if (sc < best) continue;
      const h = tieHash(podSeed, n);
      if (sc > best || h < bestHash) {
        best = sc;
        bestNode = n;
        bestHash = h;
      }
    }
    if (bestNode < 0) {
      seti(podNode, p, -1);
      seti(podGpus, p, 0);
    } else {
      const mask = chooseGpus(policy, bestNode, c, podSeed);
      const milli = geti(clsMilli, c);
      const first = geti(nodeFirst, bestNode);
      const count = geti(nodeGpus, bestNode);
      for (let g = 0; g < count; g++) {
        if (((mask >>> g) & 1) != 0) {
          seti(gpuFree, first + g, geti(gpuFree, first + g) - milli);
          used += milli;
        }
      }
      seti(nodeCpu, bestNode, geti(nodeCpu, bestNode) - geti(clsCpu, c));
      seti(nodeMem, bestNode, geti(nodeMem, bestNode) - mem);
      seti(nodeKeys, bestNode, geti(nodeKeys, bestNode) | clusterKeyBit(milli, geti(clsNum, c)));
      frag += refreshNode(bestNode);
      seti(podNode, p, bestNode);
      seti(podGpus, p, mask);
    }
    setf(podFrag, p, frag);
    seti(podUsed, p, used);
  }
  setf(scalars, 0, <f64>used);
  return frag;
}
