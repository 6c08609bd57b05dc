/**
 * Binding of the topology kernels (assembly/topology.ts): lays the caller's columns into linear
 * memory with LinearHeap, calls the kernel, reads the result columns back. One instance per
 * owner; calls are synchronous and reuse the memory (reset to the heap base on every call).
 * `createTopologyKernels()` falls back to the TypeScript twin when the module is not built.
 */
import {
  type DeviceSetKey, type GangColumns, type GangKey, type GangKnobs,
  TOPOLOGY_ABI, bestDeviceSetRef, placeGangRef,
} from '../reference/topology.js';
import { HetpoolError } from '../model/errors.js';
import { LinearHeap, instantiateKernel } from './wasm.js';

/** The two topology searches, by whichever implementation backs them. */
export interface TopologyKernels {
  readonly impl: 'wasm' | 'reference';
  /** See src/reference/topology.ts `bestDeviceSetRef`. Chosen indices go to `out`. */
  bestDeviceSet(n: number, k: number, cls: Uint8Array, bw: Int32Array, lat: Int32Array, free: Uint8Array, out: Int32Array): DeviceSetKey;
  /** See src/reference/topology.ts `placeGangRef`. Candidate index per member goes to `out`. */
  placeGang(c: number, col: GangColumns, m: number, demand: Int32Array, knobs: GangKnobs, out: Int32Array): GangKey;
}

interface TopologyExports {
  bestDeviceSet(n: number, k: number, cls: number, bw: number, lat: number, free: number, out: number, scratch: number): number;
  resultClass(): number;
  resultBw(): number;
  resultLat(): number;
  placeGang(
    c: number, leaf: number, spine: number, site: number, free: number, slots: number, base: number, cum: number, deg: number,
    m: number, demand: number, maxTier: number, softTier: number, softPenalty: number, degradedPenalty: number,
    out: number, scratch: number,
  ): number;
  gangScratchBytes(c: number, m: number): number;
  gangTier(): number;
  gangCost(): number;
  gangBw(): number;
  gangBase(): number;
  DS_SCRATCH_WORDS: WebAssembly.Global;
}

const clampI32 = (v: number): number => (v > 0x7fffffff ? 0x7fffffff : v < -0x80000000 ? -0x80000000 : v | 0);

/** The WebAssembly implementation. Throws HetpoolError('wasm-abi') when build/topology.wasm is missing or stale. */
export function createWasmTopologyKernels(): TopologyKernels {
  const k = instantiateKernel<TopologyExports>('topology', TOPOLOGY_ABI);
  const ex = k.exports;
  const heap = new LinearHeap(k.memory, k.heapBase);
  const base = heap.used;
  const scratchWords = Number(ex.DS_SCRATCH_WORDS.value);
  const i32 = (src: Int32Array): number => {
    const at = heap.reserve(src.length * 4);
    new Int32Array(k.memory.buffer, at, src.length).set(src);
    return at;
  };
  const u8 = (src: Uint8Array): number => {
    const at = heap.reserve(src.length);
    new Uint8Array(k.memory.buffer, at, src.length).set(src);
    return at;
  };
  let gangKey: object | undefined;
  let gangC = -1;
  let gangTop = base;
  let gangAt = { leaf: 0, spine: 0, site: 0, cum: 0, deg: 0 };
  return {
    impl: 'wasm',
    bestDeviceSet(n, kk, cls, bw, lat, free, out) {
      if (cls.length < n * n || bw.length < n * n || lat.length < n * n || free.length < n || out.length < Math.max(0, Math.min(kk, n))) {
        throw new HetpoolError('invalid-input', 'bestDeviceSet', 'column shorter than n×n / n / k');
      }
      gangKey = undefined; // the device-set columns overwrite the resident gang columns
      heap.resetTo(base);
      const pc = u8(cls.subarray(0, n * n));
      const pb = i32(bw.subarray(0, n * n));
      const pl = i32(lat.subarray(0, n * n));
      const pf = u8(free.subarray(0, n));
      const po = heap.reserve(Math.max(1, kk) * 4);
      const ps = heap.reserve(scratchWords * 4);
      const status = ex.bestDeviceSet(n, kk, pc, pb, pl, pf, po, ps);
      if (status === 0) out.set(new Int32Array(k.memory.buffer, po, kk));
      return { status, cls: ex.resultClass(), bw: ex.resultBw(), lat: ex.resultLat() };
    },
    placeGang(c, col, m, demand, knobs, out) {
      // The fabric columns stay in linear memory while the caller passes the same fabricKey (see
      // GangColumns); the per-call columns are laid out after them.
      if (col.fabricKey === undefined || col.fabricKey !== gangKey || c !== gangC) {
        heap.resetTo(base);
        gangAt = {
          leaf: i32(col.leaf.subarray(0, c)),
          spine: i32(col.spine.subarray(0, c)),
          site: i32(col.site.subarray(0, c)),
          cum: i32(col.cum.subarray(0, c * 4)),
          deg: i32(col.deg.subarray(0, c)),
        };
        gangTop = heap.used;
        gangKey = col.fabricKey;
        gangC = c;
      } else heap.resetTo(gangTop);
      const p = {
        ...gangAt,
        free: i32(col.free.subarray(0, c)),
        slots: i32(col.slots.subarray(0, c)),
        base: i32(col.base.subarray(0, c)),
      };
      const pd = i32(demand.subarray(0, Math.max(0, m)));
      const po = heap.reserve(Math.max(1, m) * 4);
      const scratch = heap.reserve(ex.gangScratchBytes(Math.max(0, c), Math.max(1, m)));
      const status = ex.placeGang(
        c, p.leaf, p.spine, p.site, p.free, p.slots, p.base, p.cum, p.deg,
        m, pd, knobs.maxTier, knobs.softTier, clampI32(knobs.softPenalty), clampI32(knobs.degradedPenalty), po, scratch,
      );
      if (status === 0) out.set(new Int32Array(k.memory.buffer, po, m));
      return { status, tier: ex.gangTier(), cost: ex.gangCost(), bw: ex.gangBw(), base: ex.gangBase() };
    },
  };
}

/** The TypeScript twin behind the same interface. */
export function createReferenceTopologyKernels(): TopologyKernels {
  return { impl: 'reference', bestDeviceSet: bestDeviceSetRef, placeGang: placeGangRef };
}

/** WebAssembly when build/topology.wasm is present and current, else the twin. */
export function createTopologyKernels(prefer: 'wasm' | 'reference' = 'wasm'): TopologyKernels {
  if (prefer === 'reference') return createReferenceTopologyKernels();
  try {
    return createWasmTopologyKernels();
  } catch (e) {
    if (e instanceof HetpoolError && e.code === 'wasm-abi') return createReferenceTopologyKernels();
    throw e;
  }
}
