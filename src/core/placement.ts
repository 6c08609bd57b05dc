/**
 * Binding of the placement kernel: lays the cluster columns out in linear memory (layout in
 * assembly/lib/placement-layout.ts), and runs `place` / `placeBatch` / `explain` either in the
 * WebAssembly kernel (`build/placement.wasm`) or in its TypeScript twin over the very same
 * memory (`backend: 'ts'`, or whenever a custom TypeScript scorer is given). The engine never
 * touches memory itself: it reads and writes columns through `get`/`set` and the bitset helpers.
 */
import * as twin from '../reference/placement.js';
import { LAYOUT as L } from '../reference/placement.js';
import { instantiateKernel, LinearHeap } from './wasm.js';

/** The layout constants (assembly/lib/placement-layout.ts) as a plain object, for the engine and tools. */
export const PlacementLayout = L;

export type { NodeScoreFn } from '../reference/placement.js';

/** ABI version this binding was written for (must equal `abiVersion()` of build/placement.wasm). */
export const PLACEMENT_ABI = 7;

/** Which implementation runs the placement decisions. */
export type PlacementBackendKind = 'wasm' | 'ts';

interface PlacementExports {
  place(hdr: number, task: number, result: number, commit: number): number;
  placeBatch(hdr: number, tasks: number, count: number, results: number): number;
  explain(hdr: number, task: number, result: number): void;
  indexBounds(hdr: number, task: number, v: number, out: number): void;
}

const NODE_COLUMNS = [L.H_N_CPU_FREE, L.H_N_CPU_CAP, L.H_N_MEM_FREE, L.H_N_MEM_CAP, L.H_N_FLAGS, L.H_N_DEV_FIRST, L.H_N_DEV_COUNT, L.H_N_DMILLI_FREE, L.H_N_DMILLI_CAP];
const DEVICE_COLUMNS = [L.H_D_KIND, L.H_D_VENDOR, L.H_D_MODEL, L.H_D_PREC, L.H_D_MODE, L.H_D_MILLI_FREE, L.H_D_MILLI_CAP, L.H_D_MEM_FREE, L.H_D_MEM_CAP, L.H_D_SLICES_USED, L.H_D_SLICES_MAX, L.H_D_FLAGS, L.H_D_PROF_FIRST, L.H_D_PROF_COUNT, L.H_D_NODE];
const PROFILE_COLUMNS = [L.H_P_NAME, L.H_P_MILLI, L.H_P_MEM, L.H_P_MAX, L.H_P_USED];

/** Node constraint bitsets kept at once (a cache of distinct constraint signatures). */
export const MASK_SLOTS = L.MASK_SLOTS;
/** Vendor/model allow-set bitsets kept at once. */
export const SET_SLOTS = 64;

export interface Capacities {
  nodes: number;
  devices: number;
  profiles: number;
  tasks: number;
}

/**
 * Cluster state columns in one linear memory plus scratch task/result records. Capacities grow
 * by doubling (`reserve*`); growth re-lays everything out, so byte offsets of masks, sets, tasks
 * and results are only valid until `layoutGeneration` changes.
 */
export class PlacementState {
  readonly backend: PlacementBackendKind;
  private readonly heap: LinearHeap;
  private readonly base: number;
  private readonly kernel: PlacementExports | null;
  private readonly memory: WebAssembly.Memory;
  /** Int32 view of the whole memory (re-created after growth). */
  private h!: Int32Array;
  /** Byte offset of the header. */
  readonly hdr: number;
  cap: Capacities = { nodes: 0, devices: 0, profiles: 0, tasks: 0 };
  /** Words per node bitset (ceil(node capacity / 32)). */
  maskWords = 0;
  private maskBase = 0;
  private setBase = 0;
  private taskBase = 0;
  private resultBase = 0;
  /** Changes whenever offsets moved; holders of byte offsets must re-derive them. */
  layoutGeneration = 0;

  constructor(backend: PlacementBackendKind = 'wasm', initial: Partial<Capacities> = {}) {
    this.backend = backend;
    if (backend === 'wasm') {
      const inst = instantiateKernel<PlacementExports>('placement', PLACEMENT_ABI);
      this.kernel = inst.exports;
      this.memory = inst.memory;
      this.base = inst.heapBase;
    } else {
      this.kernel = null;
      this.memory = new WebAssembly.Memory({ initial: 1 });
      this.base = 16;
    }
    this.heap = new LinearHeap(this.memory, this.base);
    this.hdr = this.heap.reserve(L.HEADER_WORDS * 4);
    this.h = new Int32Array(this.memory.buffer);
    this.relayout({
      nodes: initial.nodes ?? 64,
      devices: initial.devices ?? 256,
      profiles: initial.profiles ?? 64,
      tasks: initial.tasks ?? 64,
    });
    this.h[(this.hdr >> 2) + L.H_NODE_HWM] = 0;
    this.h[(this.hdr >> 2) + L.H_IDX_ON] = 1;
  }

  /** Make room for `n` node slots (doubling). */
  reserveNodes(n: number): void {
    if (n > this.cap.nodes) this.relayout({ ...this.cap, nodes: grow(this.cap.nodes, n) });
  }
  reserveDevices(n: number): void {
    if (n > this.cap.devices) this.relayout({ ...this.cap, devices: grow(this.cap.devices, n) });
  }
  reserveProfiles(n: number): void {
    if (n > this.cap.profiles) this.relayout({ ...this.cap, profiles: grow(this.cap.profiles, n) });
  }
  reserveTasks(n: number): void {
    if (n > this.cap.tasks) this.relayout({ ...this.cap, tasks: grow(this.cap.tasks, n) });
  }

  /** Re-lay every region out with new capacities, keeping column, mask and set contents. */
  private relayout(next: Capacities): void {
    const h = this.h;
    const H = this.hdr >> 2;
    const old = this.cap;
    const keep = (which: number, n: number): Int32Array | null => (n > 0 ? h.slice(h[H + which] >> 2, (h[H + which] >> 2) + n) : null);
    const saved = new Map<number, Int32Array | null>();
    for (const c of NODE_COLUMNS) saved.set(c, keep(c, old.nodes));
    for (const c of DEVICE_COLUMNS) saved.set(c, keep(c, old.devices));
    for (const c of PROFILE_COLUMNS) saved.set(c, keep(c, old.profiles));
    const oldMaskWords = this.maskWords;
    const masks = old.nodes > 0 ? h.slice(this.maskBase >> 2, (this.maskBase >> 2) + MASK_SLOTS * oldMaskWords) : null;
    const pops = old.nodes > 0 ? h.slice(h[H + L.H_MASK_POP] >> 2, (h[H + L.H_MASK_POP] >> 2) + MASK_SLOTS) : null;
    const sets = old.nodes > 0 ? h.slice(this.setBase >> 2, (this.setBase >> 2) + SET_SLOTS * L.SET_WORDS) : null;
    const groups = old.nodes > 0 ? h.slice(h[H + L.H_IDX_GROUP] >> 2, (h[H + L.H_IDX_GROUP] >> 2) + old.nodes) : null;
    const maskGroups = old.nodes > 0 ? h.slice(h[H + L.H_MASK_GROUPS] >> 2, (h[H + L.H_MASK_GROUPS] >> 2) + MASK_SLOTS * L.GROUP_WORDS) : null;

    this.heap.resetTo(this.hdr + L.HEADER_WORDS * 4);
    const offsets = new Map<number, number>();
    for (const c of NODE_COLUMNS) offsets.set(c, this.heap.reserve(next.nodes * 4));
    for (const c of DEVICE_COLUMNS) offsets.set(c, this.heap.reserve(next.devices * 4));
    for (const c of PROFILE_COLUMNS) offsets.set(c, this.heap.reserve(next.profiles * 4));
    const maskWords = Math.ceil(next.nodes / 32);
    const maskBase = this.heap.reserve(MASK_SLOTS * maskWords * 4);
    const maskPop = this.heap.reserve(MASK_SLOTS * 4);
    const setBase = this.heap.reserve(SET_SLOTS * L.SET_WORDS * 4);
    const taskBase = this.heap.reserve(next.tasks * L.TASK_STRIDE * 4);
    const resultBase = this.heap.reserve(next.tasks * L.RES_STRIDE * 4);
    // the free-capacity index: 2·leaves records (record 0 unused, 1 = root), then the dirty list and bitset
    let leaves = 1;
    while (leaves * L.IDX_BLOCK < next.nodes) leaves *= 2;
    const treeBase = this.heap.reserve(2 * leaves * L.IX_STRIDE * 4);
    const dirtyList = this.heap.reserve(leaves * 4);
    const dirtyBits = this.heap.reserve(Math.ceil(leaves / 32) * 4);
    // the leaf order (position → slot, slot → position) and the scratch of the sort that fills it
    const positions = leaves * L.IDX_BLOCK;
    const order = this.heap.reserve(positions * 4);
    const pos = this.heap.reserve(positions * 4);
    const scratch = this.heap.reserve((3 * positions + 256) * 4);
    const fit = this.heap.reserve(4 * positions * 4);
    const group = this.heap.reserve(positions * 4);
    const maskGroupBase = this.heap.reserve(MASK_SLOTS * L.GROUP_WORDS * 4);
    const ties = this.heap.reserve(positions * 4);
    // the memory may have grown: views over the old buffer are detached now
    const hw = new Int32Array(this.memory.buffer);
    hw.fill(0, (this.hdr >> 2) + L.HEADER_WORDS, this.heap.used >> 2);
    for (const [c, at] of offsets) {
      hw[H + c] = at;
      const s = saved.get(c);
      if (s) hw.set(s, at >> 2);
    }
    if (masks) for (let m = 0; m < MASK_SLOTS; m++) hw.set(masks.subarray(m * oldMaskWords, (m + 1) * oldMaskWords), (maskBase >> 2) + m * maskWords);
    if (sets) hw.set(sets, setBase >> 2);
    if (pops) hw.set(pops, maskPop >> 2);
    hw[H + L.H_MASK_BASE] = maskBase;
    hw[H + L.H_MASK_WORDS] = maskWords;
    hw[H + L.H_MASK_POP] = maskPop;
    hw[H + L.H_IDX_TREE] = treeBase;
    hw[H + L.H_IDX_LEAVES] = leaves;
    hw[H + L.H_DIRTY_LIST] = dirtyList;
    hw[H + L.H_DIRTY_BITS] = dirtyBits;
    hw[H + L.H_DIRTY_N] = 0;
    hw[H + L.H_IDX_ORDER] = order;
    hw[H + L.H_IDX_POS] = pos;
    hw[H + L.H_IDX_SCRATCH] = scratch;
    hw[H + L.H_IDX_FIT] = fit;
    hw[H + L.H_IDX_GROUP] = group;
    hw[H + L.H_MASK_GROUPS] = maskGroupBase;
    hw[H + L.H_TIE] = ties;
    hw[H + L.H_TIE_FILLED] = 0;
    if (groups) hw.set(groups, group >> 2);
    if (maskGroups) hw.set(maskGroups, maskGroupBase >> 2);
    hw[H + L.H_IDX_SORTED] = 0;
    // identity until the rebuild (due: stale) sorts it; dirty marks before that use it
    for (let p = 0; p < positions; p++) {
      hw[(order >> 2) + p] = p;
      hw[(pos >> 2) + p] = p;
    }
    hw[H + L.H_IDX_STALE] = 1;
    this.h = hw;
    this.cap = { ...next };
    this.maskWords = maskWords;
    this.maskBase = maskBase;
    this.setBase = setBase;
    this.taskBase = taskBase;
    this.resultBase = resultBase;
    this.layoutGeneration++;
  }

  // ── header ──────────────────────────────────────────────────────────────────────────────
  get nodeHighWater(): number {
    return this.h[(this.hdr >> 2) + L.H_NODE_HWM];
  }
  set nodeHighWater(n: number) {
    const old = this.nodeHighWater;
    this.h[(this.hdr >> 2) + L.H_NODE_HWM] = n;
    // the leaves holding slots that entered or left the range hold other nodes now
    for (let slot = Math.min(old, n); slot < Math.max(old, n); slot++) twin.markNode(this.h, this.hdr, slot);
  }
  /**
   * Exact decisions (nodesToScore 0) search the free-capacity index (default) or scan every
   * node; both choose the same node. Off is for measurements and differential tests.
   */
  setIndexing(on: boolean): void {
    this.h[(this.hdr >> 2) + L.H_IDX_ON] = on ? 1 : 0;
  }
  get indexing(): boolean {
    return this.h[(this.hdr >> 2) + L.H_IDX_ON] !== 0;
  }
  /** Index records the last decision visited (0 when it scanned): a measure of its work. */
  get indexVisits(): number {
    return this.h[(this.hdr >> 2) + L.H_IDX_VISITS];
  }
  /** Bring the index up to date now (decisions do this themselves; for tests and diagnostics). */
  flushIndex(): void {
    twin.flushIndex(this.h, this.hdr);
  }
  /** A copy of index record `v` (1 = root; leaves at indexLeaves + l), IX_STRIDE words. */
  indexRecord(v: number): Int32Array {
    const at = (this.h[(this.hdr >> 2) + L.H_IDX_TREE] >> 2) + v * L.IX_STRIDE;
    return this.h.slice(at, at + L.IX_STRIDE);
  }
  get indexLeaves(): number {
    return this.h[(this.hdr >> 2) + L.H_IDX_LEAVES];
  }
  /** The node slots of index leaf `l` in leaf order (IDX_BLOCK of them; slots ≥ the high-water mark hold no node). */
  indexLeafSlots(l: number): number[] {
    const at = (this.h[(this.hdr >> 2) + L.H_IDX_ORDER] >> 2) + l * L.IDX_BLOCK;
    return [...this.h.subarray(at, at + L.IDX_BLOCK)];
  }
  /** Score at most `nodes` fitting nodes per decision (0 = all), round-robin from `start`. */
  setSampling(nodes: number, start = 0): void {
    this.h[(this.hdr >> 2) + L.H_SAMPLE] = nodes;
    this.h[(this.hdr >> 2) + L.H_START] = start;
  }
  /** Where the next sampled scan starts. */
  get sampleStart(): number {
    return this.h[(this.hdr >> 2) + L.H_START];
  }
  setPolicy(policy: number, seed: number): void {
    this.h[(this.hdr >> 2) + L.H_POLICY] = policy;
    // the index holds tie hashes of this seed
    if (this.h[(this.hdr >> 2) + L.H_SEED] !== (seed | 0)) this.h[(this.hdr >> 2) + L.H_IDX_STALE] = 1;
    this.h[(this.hdr >> 2) + L.H_SEED] = seed | 0;
  }

  // ── columns ─────────────────────────────────────────────────────────────────────────────
  /** Value of column `which` (an H_N_*, H_D_* or H_P_* constant) at `slot`. */
  get(which: number, slot: number): number {
    return this.h[(this.h[(this.hdr >> 2) + which] >> 2) + slot];
  }
  set(which: number, slot: number, value: number): void {
    this.touch(which, slot);
    this.h[(this.h[(this.hdr >> 2) + which] >> 2) + slot] = value;
    if (which === L.H_D_NODE) twin.markNode(this.h, this.hdr, value);
  }
  add(which: number, slot: number, delta: number): void {
    this.touch(which, slot);
    this.h[(this.h[(this.hdr >> 2) + which] >> 2) + slot] += delta;
  }
  /** A node or device column changes: queue the index leaf of its node (profiles do not enter the index). */
  private touch(which: number, slot: number): void {
    if (which < L.H_N_CPU_FREE) return;
    if (which <= L.H_N_DMILLI_CAP) twin.markNode(this.h, this.hdr, slot);
    else if (which <= L.H_D_NODE) twin.markNode(this.h, this.hdr, this.h[(this.h[(this.hdr >> 2) + L.H_D_NODE] >> 2) + slot]);
  }

  // ── bitsets ─────────────────────────────────────────────────────────────────────────────
  /** Byte offset of node mask `m` (0 ≤ m < MASK_SLOTS). */
  maskPtr(m: number): number {
    return this.maskBase + m * this.maskWords * 4;
  }
  /**
   * Node group of `slot` (0 .. IDX_GROUPS − 1; default 0). The index lays nodes out by group, and a
   * mask knows the groups of the nodes it allows, so a search prunes whole groups: give nodes that
   * constraints tell apart (architecture, form, site) different groups. Set it before writing
   * masks that cover the slot (writeMask records each mask's groups).
   */
  setNodeGroup(slot: number, group: number): void {
    const at = (this.h[(this.hdr >> 2) + L.H_IDX_GROUP] >> 2) + slot;
    const g = group & (L.IDX_GROUPS - 1);
    if (this.h[at] === g) return;
    this.h[at] = g;
    twin.markNode(this.h, this.hdr, slot);
  }
  nodeGroup(slot: number): number {
    return this.h[(this.h[(this.hdr >> 2) + L.H_IDX_GROUP] >> 2) + slot];
  }
  /** Fill node mask `m`: bit n set when `allowed(n)`, for n < node high-water mark; also its group set. */
  writeMask(m: number, allowed: (slot: number) => boolean): void {
    const at = this.maskPtr(m) >> 2;
    this.h.fill(0, at, at + this.maskWords);
    const groups = (this.h[(this.hdr >> 2) + L.H_MASK_GROUPS] >> 2) + m * L.GROUP_WORDS;
    this.h.fill(0, groups, groups + L.GROUP_WORDS);
    const groupOf = this.h[(this.hdr >> 2) + L.H_IDX_GROUP] >> 2;
    const hwm = this.nodeHighWater;
    let pop = 0;
    for (let n = 0; n < hwm; n++) {
      if (!allowed(n)) continue;
      this.h[at + (n >> 5)] |= 1 << (n & 31);
      const g = this.h[groupOf + n] & (L.IDX_GROUPS - 1);
      this.h[groups + (g >> 5)] |= 1 << (g & 31);
      pop++;
    }
    // how many nodes the mask allows: the kernel scans instead of searching the index when few
    this.h[(this.h[(this.hdr >> 2) + L.H_MASK_POP] >> 2) + m] = pop;
  }
  maskHas(m: number, n: number): boolean {
    return ((this.h[(this.maskPtr(m) >> 2) + (n >> 5)] >>> (n & 31)) & 1) === 1;
  }
  /** Byte offset of id set `s` (0 ≤ s < SET_SLOTS). */
  setPtr(s: number): number {
    return this.setBase + s * L.SET_WORDS * 4;
  }
  /** Fill id set `s` with the given interned ids (ids ≥ SET_BITS are ignored: they cannot be named). */
  writeSet(s: number, ids: Iterable<number>): void {
    const at = this.setPtr(s) >> 2;
    this.h.fill(0, at, at + L.SET_WORDS);
    for (const i of ids) if (i >= 0 && i < L.SET_BITS) this.h[at + (i >> 5)] |= 1 << (i & 31);
  }

  // ── task and result records ─────────────────────────────────────────────────────────────
  taskPtr(i: number): number {
    return this.taskBase + i * L.TASK_STRIDE * 4;
  }
  resultPtr(i: number): number {
    return this.resultBase + i * L.RES_STRIDE * 4;
  }
  /** Write task record `i`; `fields` holds TASK_STRIDE values in T_* order. */
  writeTask(i: number, fields: ArrayLike<number>): void {
    this.h.set(fields, this.taskPtr(i) >> 2);
  }
  taskField(i: number, f: number): number {
    return this.h[(this.taskPtr(i) >> 2) + f];
  }
  result(i: number, f: number): number {
    return this.h[(this.resultPtr(i) >> 2) + f];
  }

  // ── decisions ───────────────────────────────────────────────────────────────────────────
  /** Place task record `i` into result record `i`; commit = charge the columns. */
  place(i: number, commit: boolean, score?: twin.NodeScoreFn): number {
    const t = this.taskPtr(i);
    const r = this.resultPtr(i);
    if (this.kernel && !score) return this.kernel.place(this.hdr, t, r, commit ? 1 : 0);
    return twin.place(this.h, this.hdr, t, r, commit, score);
  }
  /** Place task records 0..count-1 in order (each committed); returns how many were bound. */
  placeBatch(count: number, score?: twin.NodeScoreFn): number {
    if (this.kernel && !score) return this.kernel.placeBatch(this.hdr, this.taskBase, count, this.resultBase);
    return twin.placeBatch(this.h, this.hdr, this.taskBase, count, this.resultBase, score);
  }
  /** Reason counts for task record `i` into result record `i`, against the current state. */
  explain(i: number): void {
    if (this.kernel) this.kernel.explain(this.hdr, this.taskPtr(i), this.resultPtr(i));
    else twin.explain(this.h, this.hdr, this.taskPtr(i), this.resultPtr(i));
  }
  /**
   * Score upper bounds of index record `v` for task record `i`, [loaded nodes, empty nodes]
   * (-1 = none below can fit), as the search uses them (diagnostics and invariants; uses result
   * record `i` as scratch).
   */
  indexBounds(i: number, v: number): [number, number] {
    if (!this.kernel) return twin.indexBounds(this.h, this.hdr, this.taskPtr(i), v);
    const out = this.resultPtr(i);
    this.kernel.indexBounds(this.hdr, this.taskPtr(i), v, out);
    return [this.h[out >> 2], this.h[(out >> 2) + 1]];
  }
  /** The twin's verdict on one node (-1 = fits, else RS_*), for diagnostics and invariants. */
  nodeReason(i: number, n: number): number {
    return twin.nodeReason(this.h, this.hdr, this.taskPtr(i), n);
  }
  /** The twin's built-in score of node `n` for task record `i` (diagnostics and tests). */
  nodeScore(i: number, n: number): number {
    return twin.nodeScore(this.h, this.hdr, this.taskPtr(i), n);
  }
  /** The twin's device stage (DS_*) of device slot `d` for task record `i`. */
  deviceStage(i: number, d: number): number {
    return twin.deviceStage(this.h, this.hdr, this.taskPtr(i), d);
  }
  /** A copy of the used memory (header through results), for differential tests. */
  snapshot(): Int32Array {
    return this.h.slice(0, this.heap.used >> 2);
  }
}

const grow = (have: number, need: number): number => {
  let n = Math.max(16, have);
  while (n < need) n *= 2;
  return n;
};
