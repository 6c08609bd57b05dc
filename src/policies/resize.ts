/**
 * Live resize of a running task (§8g, §9.2c): change its CPU, memory, compute share or device
 * memory. The planner works over a snapshot and answers one of:
 * - `in-place`: the same node and devices have room for the growth (shrinking always does);
 * - `migrate`: the place the resized task would take elsewhere (its current holding is counted
 *   as free, since a migration releases it); the caller moves it (§8j);
 * - `refused`: a quota limit would be broken, the request is malformed, or nothing fits.
 * Quotas apply to the growth only (Δ = new − old, positive parts).
 */
import type { Task } from '../model/types.js';
import { deviceAdmits, freeCapacity, nodeAdmits, wantsWholeDevice, type HeldDevice, type Snapshot } from './snapshot.js';
import { TenantTree } from './tenants.js';

/** New absolute sizes; omitted fields keep their value. */
export interface ResizeRequest {
  cpuMilli?: number;
  memoryMiB?: number;
  /** Compute share per device, milli (fractional tasks). */
  milli?: number;
  /** Device memory per device, MiB. */
  devMemMiB?: number;
}

export type ResizePlan =
  | { kind: 'in-place'; task: Task; devices: HeldDevice[] }
  | { kind: 'migrate'; task: Task; nodeId: string; devices: HeldDevice[] }
  | { kind: 'refused'; reason: string };

const isSize = (v: number | undefined, max: number): boolean => v === undefined || (Number.isInteger(v) && v >= 0 && v <= max);

/** Plan the resize of running task `taskId`. Pure: the snapshot is not changed. */
export function planResize(snap: Snapshot, taskId: string, req: ResizeRequest, tree?: TenantTree): ResizePlan {
  const placed = snap.running.find((p) => p.task.id === taskId);
  if (!placed) return { kind: 'refused', reason: `task "${taskId}" is not running` };
  if (!isSize(req.cpuMilli, 2 ** 31 - 1) || !isSize(req.memoryMiB, 2 ** 31 - 1) || !isSize(req.devMemMiB, 2 ** 31 - 1)) return { kind: 'refused', reason: 'sizes must be integers ≥ 0' };
  const old = placed.task;
  const a = old.accel;
  if ((req.milli !== undefined || req.devMemMiB !== undefined) && !a) return { kind: 'refused', reason: 'the task holds no device' };
  if (req.milli !== undefined && (!Number.isInteger(req.milli) || req.milli < 1 || req.milli > 1000)) return { kind: 'refused', reason: 'milli must be an integer in 1..1000' };
  if (a && wantsWholeDevice(old) && (req.milli ?? 1000) !== 1000) return { kind: 'refused', reason: 'a whole-device task cannot take a fractional share: resubmit it' };
  if (a && !wantsWholeDevice(old) && req.milli === 1000) return { kind: 'refused', reason: 'a fractional task cannot grow to a whole device in place: resubmit it with milli 1000' };
  const task: Task = {
    ...old,
    cpuMilli: req.cpuMilli ?? old.cpuMilli,
    memoryMiB: req.memoryMiB ?? old.memoryMiB,
    accel: a ? { ...a, milli: req.milli ?? a.milli, memoryMiB: req.devMemMiB ?? a.memoryMiB } : undefined,
  };
  if (tree && tree.has(old.tenant)) {
    const grow = tree.space.demandOf(task).map((x, k) => Math.max(0, x - tree.space.demandOf(old)[k]));
    const v = tree.check(old.tenant, grow);
    if (v) return { kind: 'refused', reason: TenantTree.reason(v) };
  }
  const dCpu = task.cpuMilli - old.cpuMilli;
  const dMem = task.memoryMiB - old.memoryMiB;
  const dMilli = a ? task.accel!.milli - a.milli : 0;
  const dDevMem = a ? task.accel!.memoryMiB - a.memoryMiB : 0;
  const held = placed.devices.map((h) => ({
    ...h,
    milli: h.milli + dMilli,
    memoryMiB: wantsWholeDevice(old) ? h.memoryMiB : h.memoryMiB + dDevMem,
  }));

  // In place: the node and each held device must have room for the growth.
  const free = freeCapacity(snap);
  const here = free.find((n) => n.node.id === placed.nodeId);
  if (here) {
    let ok = here.cpuFree >= dCpu && here.memFree >= dMem;
    for (const h of placed.devices) {
      const d = here.devices.find((x) => x.device.id === h.deviceId);
      if (!d || d.device.health !== 'healthy') ok = false;
      else if (d.milliFree < dMilli || (!wantsWholeDevice(old) && d.memFree < dDevMem)) ok = false;
    }
    if (ok) return { kind: 'in-place', task, devices: held };
  }

  // Migrate: first node (snapshot order) where the resized task fits with its old place freed.
  const without = freeCapacity({ nodes: snap.nodes, running: snap.running.filter((p) => p !== placed) });
  for (const n of without) {
    if (!nodeAdmits(n.node, task) || n.cpuFree < task.cpuMilli || n.memFree < task.memoryMiB) continue;
    if (!task.accel) return { kind: 'migrate', task, nodeId: n.node.id, devices: [] };
    const ta = task.accel;
    const whole = wantsWholeDevice(task);
    const fits = n.devices
      .filter((d) => deviceAdmits(d.device, task))
      .filter((d) => (whole ? d.tasks === 0 && d.milliFree >= 1000 : d.milliFree >= ta.milli && d.memFree >= ta.memoryMiB && d.tasks < d.slots))
      // best fit: the least free share that still fits, then device order
      .sort((x, y) => x.milliFree - y.milliFree);
    if (fits.length < ta.count) continue;
    const chosen = whole ? fits.slice(0, ta.count) : fits.slice(0, 1);
    return {
      kind: 'migrate', task, nodeId: n.node.id,
      devices: chosen.map((d) => ({ deviceId: d.device.id, milli: whole ? 1000 : ta.milli, memoryMiB: whole ? d.device.memoryMiB : ta.memoryMiB })),
    };
  }
  return { kind: 'refused', reason: 'no node has room for the new size' };
}
