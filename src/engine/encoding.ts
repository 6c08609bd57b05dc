/**
 * Encoding of model objects into kernel integers: device kinds, precisions and sharing modes
 * as small ids and bit masks; a task into its TASK_STRIDE-word record.
 */
import { PlacementLayout as L } from '../core/placement.js';
import type { Device, DeviceKind, Precision, Task } from '../model/types.js';

export const KIND_ID: Record<DeviceKind, number> = { gpu: 0, npu: 1, fpga: 2, asic: 3 };
export const PRECISION_BIT: Record<Precision, number> = { fp32: 1, fp16: 2, bf16: 4, int8: 8 };
/** An interned id that no device carries (a profile name no device offers). */
export const NO_SUCH_ID = 0x7fffffff;

/** Precision bits of a device: the precisions it declares a positive throughput for. */
export function precisionBits(d: Device): number {
  let bits = 0;
  for (const [p, v] of Object.entries(d.throughput ?? {})) if (typeof v === 'number' && v > 0) bits |= PRECISION_BIT[p as Precision];
  return bits;
}

/** Sharing mode id, compute capacity (milli), slice limit of a device. */
export function sharingOf(d: Device): { mode: number; milliCap: number; slicesMax: number } {
  const s = d.sharing;
  if (s.mode === 'time-slice') return { mode: L.MODE_TIME_SLICE, milliCap: s.oversubscription, slicesMax: s.maxSlices };
  if (s.mode === 'partition') return { mode: L.MODE_PARTITION, milliCap: 1000, slicesMax: s.profiles.reduce((n, p) => n + p.maxCount, 0) };
  return { mode: L.MODE_EXCLUSIVE, milliCap: 1000, slicesMax: 1 };
}

/** True when the task takes whole devices (milli 1000 or exclusive) rather than a share or a partition. */
export const takesWholeDevices = (t: Task): boolean => !!t.accel && !t.accel.profile && (t.accel.milli === 1000 || t.accel.exclusive);

/**
 * Fill `out` (TASK_STRIDE words) with the task record. Bitset offsets are supplied by the
 * caller (0 = unconstrained); `profileId` is the interned profile name or NO_SUCH_ID.
 */
export function encodeTask(out: Int32Array, t: Task, nodeMask: number, vendorSet: number, modelSet: number, profileId: number): void {
  out[L.T_CPU] = t.cpuMilli;
  out[L.T_MEM] = t.memoryMiB;
  const a = t.accel;
  out[L.T_KIND] = a ? KIND_ID[a.kind] : -1;
  out[L.T_COUNT] = a ? a.count : 0;
  out[L.T_MILLI] = a ? a.milli : 0;
  out[L.T_DMEM] = a ? a.memoryMiB : 0;
  out[L.T_PREC] = a?.precision ? PRECISION_BIT[a.precision] : 0;
  out[L.T_FLAGS] = takesWholeDevices(t) ? L.TF_WHOLE : 0;
  out[L.T_PROFILE] = a?.profile ? profileId : -1;
  out[L.T_VENDORS] = vendorSet;
  out[L.T_MODELS] = modelSet;
  out[L.T_NODEMASK] = nodeMask;
}
