/**
 * Binding of the fair-share kernel (assembly/fairshare.ts → build/fairshare.wasm). Lays the
 * input columns out with LinearHeap, calls `fairShare` once per solve and copies the result
 * columns out. The layout is documented in the kernel's header; this file mirrors it.
 */
import { HetpoolError } from '../model/errors.js';
import type { FairShareInput, FairShareResult } from '../reference/fairshare.js';
import { LinearHeap, instantiateKernel, type KernelInstance } from './wasm.js';

/** ABI version this binding was written for (assembly/fairshare.ts `ABI_VERSION`). */
export const FAIRSHARE_ABI = 1;
/** Most resources one solve may carry (assembly/fairshare.ts `MAX_RES`). */
export const FAIRSHARE_MAX_RES = 64;
/** Largest `maxTasks` per leaf: the solve costs one step per granted task. */
export const FAIRSHARE_MAX_TASKS = 1_000_000;

interface FairShareExports {
  fairShare(n: number, r: number, cap: number, parent: number, weight: number, demand: number, max: number, usage: number, alloc: number, tasks: number, order: number, scratch: number): number;
}

const I32_MAX = 2 ** 31 - 1;

/** Check the shape of a solve's input; throws HetpoolError('invalid-input') naming the column. */
export function validateFairShareInput(input: FairShareInput): void {
  const n = input.parent.length;
  const r = input.cap.length;
  const bad = (path: string, msg: string): never => {
    throw new HetpoolError('invalid-input', path, msg);
  };
  if (n < 1) bad('parent', 'must list at least one tenant');
  if (r < 1 || r > FAIRSHARE_MAX_RES) bad('cap', `must have 1..${FAIRSHARE_MAX_RES} resources`);
  if (input.weight.length !== n) bad('weight', `must have ${n} entries`);
  if (input.maxTasks.length !== n) bad('maxTasks', `must have ${n} entries`);
  if (input.demand.length !== n * r) bad('demand', `must have ${n * r} entries (tenants × resources)`);
  if (input.usage.length !== n * r) bad('usage', `must have ${n * r} entries (tenants × resources)`);
  const int = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  for (let k = 0; k < r; k++) if (!int(input.cap[k], 0, I32_MAX)) bad(`cap[${k}]`, 'must be an integer in 0..2^31-1');
  for (let i = 0; i < n; i++) {
    if (!int(input.parent[i], -1, i - 1)) bad(`parent[${i}]`, `must be -1 or a tenant index < ${i}`);
    if (!int(input.weight[i], 1, I32_MAX)) bad(`weight[${i}]`, 'must be an integer ≥ 1');
    if (!int(input.maxTasks[i], 0, FAIRSHARE_MAX_TASKS)) bad(`maxTasks[${i}]`, `must be an integer in 0..${FAIRSHARE_MAX_TASKS}`);
  }
  for (let j = 0; j < n * r; j++) {
    if (!int(input.demand[j], 0, I32_MAX)) bad(`demand[${j}]`, 'must be an integer in 0..2^31-1');
    if (!int(input.usage[j], 0, I32_MAX)) bad(`usage[${j}]`, 'must be an integer in 0..2^31-1');
  }
}

/** One kernel instance (own memory) that solves fair share repeatedly. Not shared across threads. */
export class FairShareKernel {
  private readonly inst: KernelInstance<FairShareExports>;
  private readonly heap: LinearHeap;
  private readonly base: number;

  constructor(module?: WebAssembly.Module) {
    this.inst = instantiateKernel<FairShareExports>('fairshare', FAIRSHARE_ABI, module);
    this.heap = new LinearHeap(this.inst.memory, this.inst.heapBase);
    this.base = this.heap.used;
  }

  /** Solve once. Validates first; the kernel never sees malformed input. */
  solve(input: FairShareInput): FairShareResult {
    validateFairShareInput(input);
    const n = input.parent.length;
    const r = input.cap.length;
    const h = this.heap;
    h.resetTo(this.base);
    const cap = h.reserve(4 * r);
    const parent = h.reserve(4 * n);
    const weight = h.reserve(4 * n);
    const demand = h.reserve(4 * n * r);
    const max = h.reserve(4 * n);
    const usage = h.reserve(4 * n * r);
    const alloc = h.reserve(4 * n * r);
    const tasks = h.reserve(4 * n);
    const order = h.reserve(4 * n);
    const scratch = h.reserve(4 * (5 * n + 1 + r));
    const mem = new Int32Array(this.inst.memory.buffer); // after every reserve: growth replaces the buffer
    mem.set(input.cap as ArrayLike<number>, cap >> 2);
    mem.set(input.parent as ArrayLike<number>, parent >> 2);
    mem.set(input.weight as ArrayLike<number>, weight >> 2);
    mem.set(input.demand as ArrayLike<number>, demand >> 2);
    mem.set(input.maxTasks as ArrayLike<number>, max >> 2);
    mem.set(input.usage as ArrayLike<number>, usage >> 2);
    const m = this.inst.exports.fairShare(n, r, cap, parent, weight, demand, max, usage, alloc, tasks, order, scratch);
    if (m < 0) throw new HetpoolError('internal', 'fairshare', `kernel status ${m} after validation`);
    const out = new Int32Array(this.inst.memory.buffer);
    return {
      alloc: out.slice(alloc >> 2, (alloc >> 2) + n * r),
      tasks: out.slice(tasks >> 2, (tasks >> 2) + n),
      order: Array.from(out.subarray(order >> 2, (order >> 2) + m)),
    };
  }
}
