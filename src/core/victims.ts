/**
 * Binding of the victim-selection kernel (assembly/victims.ts → build/victims.wasm). One call per
 * candidate node; columns are laid out with LinearHeap as the kernel header documents.
 */
import { HetpoolError } from '../model/errors.js';
import type { VictimCandidate, VictimChoice, VictimDevice, VictimNeed } from '../reference/victims.js';
import { LinearHeap, instantiateKernel, type KernelInstance } from './wasm.js';

/** ABI version this binding was written for (assembly/victims.ts `ABI_VERSION`). */
export const VICTIMS_ABI = 1;
/** Devices per node the kernel handles (the node schema allows at most 64). */
export const VICTIMS_MAX_DEVICES = 64;
const KEY_WORDS = 8;
const NO_FIT = -1;
/** Largest per-value magnitude accepted, so per-device sums over a node's tasks stay in i32. */
const MAX_VALUE = 2 ** 24;

interface VictimExports {
  selectVictims(
    v: number, d: number,
    devMilliFree: number, devMemFree: number, devTasks: number, devSlots: number, devOk: number,
    vPrio: number, vTier: number, vCpu: number, vMem: number, vDevLo: number, vDevHi: number,
    vMilli: number, vDevMem: number, vWork: number, vElig: number,
    cpuFree: number, memFree: number, needCpu: number, needMem: number,
    needDevs: number, needMilli: number, needDevMem: number, whole: number,
    out: number, outKey: number, scratch: number,
  ): number;
}

const int = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;

/** Check one node's victim-selection input; throws HetpoolError('invalid-input') naming the field. */
export function validateVictimInput(devices: VictimDevice[], cands: VictimCandidate[], need: VictimNeed): void {
  const bad = (path: string, msg: string): never => {
    throw new HetpoolError('invalid-input', path, msg);
  };
  if (devices.length > VICTIMS_MAX_DEVICES) bad('devices', `must have at most ${VICTIMS_MAX_DEVICES} entries`);
  devices.forEach((d, t) => {
    if (!int(d.milliFree, -MAX_VALUE, MAX_VALUE)) bad(`devices[${t}].milliFree`, 'must be an integer');
    if (!int(d.memFree, -MAX_VALUE, MAX_VALUE)) bad(`devices[${t}].memFree`, 'must be an integer');
    if (!int(d.tasks, 0, 1 << 16)) bad(`devices[${t}].tasks`, 'must be an integer ≥ 0');
    if (!int(d.slots, 0, 1 << 16)) bad(`devices[${t}].slots`, 'must be an integer ≥ 0');
  });
  const d = devices.length;
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i];
    if (!int(c.priority, -(2 ** 31), 2 ** 31 - 1)) bad(`candidates[${i}].priority`, 'must be an i32');
    if (c.tier !== 0 && c.tier !== 1) bad(`candidates[${i}].tier`, 'must be 0 (borrowed) or 1 (guaranteed)');
    if (!int(c.cpuMilli, 0, MAX_VALUE)) bad(`candidates[${i}].cpuMilli`, 'must be a non-negative integer');
    if (!int(c.memoryMiB, 0, MAX_VALUE)) bad(`candidates[${i}].memoryMiB`, 'must be a non-negative integer');
    if (!int(c.milli, 0, MAX_VALUE)) bad(`candidates[${i}].milli`, 'must be a non-negative integer');
    if (!int(c.devMemMiB, 0, MAX_VALUE)) bad(`candidates[${i}].devMemMiB`, 'must be a non-negative integer');
    if (!int(c.work, 0, 2 ** 31 - 1)) bad(`candidates[${i}].work`, 'must be a non-negative integer');
    for (let j = 0; j < c.devices.length; j++) {
      if (!int(c.devices[j], 0, d - 1)) bad(`candidates[${i}].devices[${j}]`, `must be a device index < ${d}`);
    }
  }
  for (const k of ['cpuFree', 'memFree'] as const) if (!int(need[k], -(2 ** 31), 2 ** 31 - 1)) bad(`need.${k}`, 'must be an i32');
  for (const k of ['cpuMilli', 'memoryMiB', 'milli', 'devMemMiB'] as const) if (!int(need[k], 0, 2 ** 31 - 1)) bad(`need.${k}`, 'must be a non-negative integer');
  if (!int(need.devices, 0, VICTIMS_MAX_DEVICES)) bad('need.devices', `must be an integer in 0..${VICTIMS_MAX_DEVICES}`);
  if (need.devices > 1 && !need.whole) bad('need.devices', 'must be 1 unless whole devices are needed');
}

/** One kernel instance (own memory) that selects victims node by node. */
export class VictimKernel {
  private readonly inst: KernelInstance<VictimExports>;
  private readonly heap: LinearHeap;
  private readonly base: number;

  constructor(module?: WebAssembly.Module) {
    this.inst = instantiateKernel<VictimExports>('victims', VICTIMS_ABI, module);
    this.heap = new LinearHeap(this.inst.memory, this.inst.heapBase);
    this.base = this.heap.used;
  }

  /** Cheapest victim set on one node, or `null` when evicting every eligible task is not enough. */
  select(devices: VictimDevice[], cands: VictimCandidate[], need: VictimNeed): VictimChoice | null {
    validateVictimInput(devices, cands, need);
    const d = devices.length;
    const v = cands.length;
    const h = this.heap;
    h.resetTo(this.base);
    const col = (words: number): number => h.reserve(4 * Math.max(1, words));
    const dMilli = col(d), dMem = col(d), dTasks = col(d), dSlots = col(d), dOk = col(d);
    const vPrio = col(v), vTier = col(v), vCpu = col(v), vMem = col(v), vLo = col(v), vHi = col(v);
    const vMilli = col(v), vDevMem = col(v), vWork = col(v), vElig = col(v);
    const out = col(v);
    const outKey = col(KEY_WORDS);
    const scratch = h.reserve(4 * (3 * v + 5 * d) + 8 + 32 * d + 16);
    const m = new Int32Array(this.inst.memory.buffer);
    devices.forEach((x, t) => {
      m[(dMilli >> 2) + t] = x.milliFree;
      m[(dMem >> 2) + t] = x.memFree;
      m[(dTasks >> 2) + t] = x.tasks;
      m[(dSlots >> 2) + t] = x.slots;
      m[(dOk >> 2) + t] = x.ok ? 1 : 0;
    });
    cands.forEach((c, i) => {
      let lo = 0;
      let hi = 0;
      for (const t of c.devices) {
        if (t < 32) lo |= 1 << t;
        else hi |= 1 << (t - 32);
      }
      m[(vPrio >> 2) + i] = c.priority;
      m[(vTier >> 2) + i] = c.tier;
      m[(vCpu >> 2) + i] = c.cpuMilli;
      m[(vMem >> 2) + i] = c.memoryMiB;
      m[(vLo >> 2) + i] = lo;
      m[(vHi >> 2) + i] = hi;
      m[(vMilli >> 2) + i] = c.milli;
      m[(vDevMem >> 2) + i] = c.devMemMiB;
      m[(vWork >> 2) + i] = c.work;
      m[(vElig >> 2) + i] = c.eligible ? 1 : 0;
    });
    const n = this.inst.exports.selectVictims(
      v, d, dMilli, dMem, dTasks, dSlots, dOk, vPrio, vTier, vCpu, vMem, vLo, vHi, vMilli, vDevMem, vWork, vElig,
      need.cpuFree, need.memFree, need.cpuMilli, need.memoryMiB, need.devices, need.milli, need.devMemMiB, need.whole ? 1 : 0,
      out, outKey, scratch,
    );
    if (n === NO_FIT) return null;
    if (n < 0) throw new HetpoolError('internal', 'victims', `kernel status ${n} after validation`);
    const r = new Int32Array(this.inst.memory.buffer);
    const k = (outKey >> 2);
    const lo = r[k + 5] >>> 0;
    const hi = r[k + 6] >>> 0;
    const targetDevices: number[] = [];
    for (let t = 0; t < d; t++) if (t < 32 ? (lo >>> t) & 1 : (hi >>> (t - 32)) & 1) targetDevices.push(t);
    return {
      victims: Array.from(r.subarray(out >> 2, (out >> 2) + n)),
      maxTier: r[k],
      maxPriority: r[k + 1],
      count: r[k + 2],
      work: (r[k + 3] >>> 0) + r[k + 4] * 2 ** 32,
      targetDevices,
    };
  }
}
