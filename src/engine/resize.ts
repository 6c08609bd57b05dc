/**
 * Live resize of a running task (§8g, §9.2b–c): the patch rules and the new sizes. The engine
 * (`engine.resize`) releases the task's holding, checks the resized holding on the same node and
 * devices, and either charges it or restores the old one; this module only validates and builds.
 *
 * What may change: CPU and memory always; a time-sliced share's milli (1..999) and device memory;
 * a whole-device task's device memory request (its milli stays whole). A partition instance has
 * a fixed size (resubmit with another profile), and a share cannot become whole devices in place.
 */
import { HetpoolError } from '../model/errors.js';
import type { Task } from '../model/types.js';
import { takesWholeDevices } from './encoding.js';
import type { ResizePatch, ResizeSizes } from './types.js';

const I32 = 2 ** 31 - 1;

function size(v: unknown, path: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new HetpoolError('invalid-input', path, `must be an integer in ${min}..${max}`);
  return v;
}

function onlyKeys(o: object, allowed: readonly string[], path: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new HetpoolError('invalid-input', `${path}.${k}`, `unknown field (allowed: ${allowed.join(', ')})`);
}

/** The task at its new size; a bad patch throws HetpoolError('invalid-input', 'patch.…'). */
export function resizedTask(task: Task, patch: ResizePatch): Task {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw new HetpoolError('invalid-input', 'patch', 'must be an object');
  onlyKeys(patch, ['cpuMilli', 'memoryMiB', 'accel'], 'patch');
  const cpuMilli = size(patch.cpuMilli, 'patch.cpuMilli', 0, I32) ?? task.cpuMilli;
  const memoryMiB = size(patch.memoryMiB, 'patch.memoryMiB', 0, I32) ?? task.memoryMiB;
  const p = patch.accel;
  if (p === undefined) return { ...task, cpuMilli, memoryMiB };
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw new HetpoolError('invalid-input', 'patch.accel', 'must be an object');
  onlyKeys(p, ['milli', 'memoryMiB'], 'patch.accel');
  const a = task.accel;
  if (!a) throw new HetpoolError('invalid-input', 'patch.accel', `task "${task.id}" holds no device`);
  if (a.profile) throw new HetpoolError('invalid-input', 'patch.accel', `a partition instance (${a.profile}) has a fixed size: resubmit with another profile`);
  const whole = takesWholeDevices(task);
  const milli = size(p.milli, 'patch.accel.milli', 1, 1000);
  if (whole && milli !== undefined && milli !== a.milli) throw new HetpoolError('invalid-input', 'patch.accel.milli', 'a whole-device task keeps whole devices: resubmit it to take a share');
  if (!whole && milli === 1000) throw new HetpoolError('invalid-input', 'patch.accel.milli', 'a share cannot become a whole device in place: resubmit it with milli 1000');
  const devMem = size(p.memoryMiB, 'patch.accel.memoryMiB', 0, I32);
  return { ...task, cpuMilli, memoryMiB, accel: { ...a, milli: milli ?? a.milli, memoryMiB: devMem ?? a.memoryMiB } };
}

/**
 * The devices of a holding at the task's new size: a share takes the new milli and device
 * memory; whole devices (all of their memory) and partition instances keep their amounts.
 */
export function resizedDevices<T extends { milli: number; memoryMiB: number }>(devices: readonly T[], next: Task): T[] {
  const a = next.accel;
  if (!a || a.profile || takesWholeDevices(next)) return [...devices];
  return devices.map((d) => ({ ...d, milli: a.milli, memoryMiB: a.memoryMiB }));
}

/** The sizes of a task, as the 'resized' event reports them. */
export function sizesOf(t: Task): ResizeSizes {
  return t.accel ? { cpuMilli: t.cpuMilli, memoryMiB: t.memoryMiB, accel: { milli: t.accel.milli, memoryMiB: t.accel.memoryMiB } } : { cpuMilli: t.cpuMilli, memoryMiB: t.memoryMiB };
}
