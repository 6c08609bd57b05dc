/**
 * Binding of the openb replay kernel (assembly/openb.ts): lays the replay state out in the
 * kernel's linear memory with `LinearHeap`, writes the column header the kernel reads, and runs
 * the scheduling loop there. The module is compiled once per process (per worker thread); each
 * state gets its own instance, so concurrent replays never share memory.
 */
import { HetpoolError } from '../model/errors.js';
import { makeOpenbState, openbColumns, OPENB_ABI, type OpenbSizes, type OpenbState } from '../reference/openb.js';
import { compileKernel, instantiateKernel, LinearHeap } from './wasm.js';

interface OpenbExports {
  init(hdr: number): number;
  replay(hdr: number, policy: number, seed: number, from: number, to: number, frag: number): number;
}

/** Header words before the column offsets (assembly/openb.ts `H_COLS`). */
const HEADER_COUNTS = 5;
const states = new WeakMap<OpenbState, { exports: OpenbExports; hdr: number }>();

/** A replay state whose columns live in a fresh kernel instance's memory. */
export function createWasmOpenbState(z: OpenbSizes): OpenbState {
  const k = instantiateKernel<OpenbExports>('openb', OPENB_ABI, compileKernel('openb'));
  const heap = new LinearHeap(k.memory, k.heapBase);
  // Reserve everything first (memory may grow and replace the buffer), then build the views.
  const offsets = openbColumns(z).map(([, type, length]) => heap.reserve(Math.max(length, 1) * (type === 'i32' ? 4 : 8)));
  const hdr = heap.reserve((HEADER_COUNTS + offsets.length) * 4);
  const s = makeOpenbState(z, (_key, type, length, i) =>
    type === 'i32' ? new Int32Array(k.memory.buffer, offsets[i], length) : new Float64Array(k.memory.buffer, offsets[i], length),
  );
  const words = new Int32Array(k.memory.buffer, hdr, HEADER_COUNTS + offsets.length);
  words.set([z.nodeCount, z.classCount, z.typCount, z.scoCount, z.podCount]);
  words.set(offsets, HEADER_COUNTS);
  states.set(s, { exports: k.exports, hdr });
  return s;
}

function kernelOf(s: OpenbState): { exports: OpenbExports; hdr: number } {
  const k = states.get(s);
  if (!k) throw new HetpoolError('internal', 'openb', 'state was not created by createWasmOpenbState');
  return k;
}

/** Kernel `init`: fill node fragmentation caches; returns the scaled cluster fragmentation. */
export function initWasmOpenb(s: OpenbState): number {
  const k = kernelOf(s);
  return k.exports.init(k.hdr);
}

/** Kernel `replay`: schedule arrivals from..to−1; returns the scaled cluster fragmentation after them. */
export function replayWasmOpenb(s: OpenbState, policy: number, seed: number, from: number, to: number, frag: number): number {
  const k = kernelOf(s);
  return k.exports.replay(k.hdr, policy, seed | 0, from, to, frag);
}
