/**
 * Semantics of time-slice sharing and compute oversubscription (§9.1d, §10.1f–g).
 *
 * A time-slice device (`sharing.mode = 'time-slice'`) accepts a new slice when, counting it:
 *   1. slices ≤ maxSlices                      (else WAIT: a slice frees when a sharer ends)
 *   2. Σ milli ≤ oversubscription              (1000 = none; 1500 = 1.5 devices of claims; else WAIT)
 *   3. Σ device memory MiB ≤ memoryMiB         (memory is never oversubscribed; else WAIT)
 * A whole-device request (exclusive, or milli = 1000) needs no sharer at all (else WAIT).
 * It is REFUSED (it can never run on this device) when: the device is not healthy; it needs
 * more memory than the device has; it asks for a fraction of an `exclusive` device; or it has
 * no profile and the device is a `partition` device.
 *
 * What is guaranteed: each sharer gets at least milli·1000 / max(1000, Σ milli) of the device's
 * time (its claim, scaled down proportionally when the claims exceed one device), and always
 * its full memory. Without oversubscription (Σ ≤ 1000) that is exactly its claim.
 */
import type { Device } from '../model/types.js';

/** A task already sharing the device. */
export interface Slice {
  milli: number;
  memoryMiB: number;
}

/** A new slice asked for. */
export interface SliceRequest {
  milli: number;
  memoryMiB: number;
  /** Whole device, no sharers (AccelRequest.exclusive, or milli = 1000 on an exclusive device). */
  exclusive?: boolean;
}

export type SliceVerdict =
  | { verdict: 'fit' }
  | { verdict: 'wait'; reason: string }
  | { verdict: 'refuse'; reason: string };

/** Milli of claims the device accepts in total: oversubscription for time-slice, else 1000. */
export function claimCapacityMilli(device: Pick<Device, 'sharing'>): number {
  return device.sharing.mode === 'time-slice' ? device.sharing.oversubscription : 1000;
}

/** Most tasks that may share the device at once. */
export function maxSlicesOf(device: Pick<Device, 'sharing'>): number {
  const s = device.sharing;
  if (s.mode === 'time-slice') return s.maxSlices;
  if (s.mode === 'partition') return s.profiles.reduce((n, p) => n + p.maxCount, 0);
  return 1;
}

/** May this request start on this device now, must it wait, or can it never run here? */
export function sliceVerdict(device: Pick<Device, 'sharing' | 'memoryMiB' | 'health'>, sharers: readonly Slice[], req: SliceRequest): SliceVerdict {
  if (device.health !== 'healthy') return { verdict: 'refuse', reason: `device is ${device.health}` };
  if (req.memoryMiB > device.memoryMiB) return { verdict: 'refuse', reason: `needs ${req.memoryMiB} MiB, the device has ${device.memoryMiB}` };
  const mode = device.sharing.mode;
  if (mode === 'partition') return { verdict: 'refuse', reason: 'a partition device takes partition-profile requests only' };
  const whole = req.exclusive === true || req.milli >= 1000;
  if (mode === 'exclusive' && !whole) return { verdict: 'refuse', reason: 'an exclusive device is only given whole' };
  if (whole) return sharers.length === 0 ? { verdict: 'fit' } : { verdict: 'wait', reason: `a whole device is needed and ${sharers.length} task(s) share it` };
  const cap = claimCapacityMilli(device);
  const slices = maxSlicesOf(device);
  if (sharers.length + 1 > slices) return { verdict: 'wait', reason: `maxSlices ${slices} reached` };
  const milli = sharers.reduce((s, x) => s + x.milli, 0) + req.milli;
  if (milli > cap) return { verdict: 'wait', reason: `compute claims ${milli} > ${cap} milli (oversubscription ${cap})` };
  const mem = sharers.reduce((s, x) => s + x.memoryMiB, 0) + req.memoryMiB;
  if (mem > device.memoryMiB) return { verdict: 'wait', reason: `device memory ${mem} > ${device.memoryMiB} MiB (never oversubscribed)` };
  return { verdict: 'fit' };
}

/**
 * The share of device time a sharer is guaranteed, milli: claim × 1000 / max(1000, Σ claims),
 * rounded down (integer). Σ of guarantees ≤ 1000 always.
 */
export function guaranteedShareMilli(claim: number, allClaims: readonly number[]): number {
  const total = allClaims.reduce((s, x) => s + x, 0);
  return Math.floor((claim * 1000) / Math.max(1000, total));
}
