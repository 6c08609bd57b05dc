/**
 * Live resize of a running task (§8g, §9.2c): change its CPU, memory, compute share or device
 * memory. The planner works over a snapshot and answers one of:
 * - `in-place`: the same node and devices have room for the growth (shrinking always does);
 * - `migrate`: the place the resized task would take elsewhere (its current holding is counted
 *   as free, since a migration releases it); the caller moves it (§8j);
 * - `refused`: a quota limit would be broken, the request is malformed, or nothing fits.
 * Quotas apply to the growth only (Δ = new − old, positive parts).
 *
 * The planner is a what-if over a snapshot (simulators, dashboards): it changes nothing. To apply
 * a resize, call `engine.resize` (or `Policies.resize`, which maps a ResizeRequest with
 * `resizePatchOf`): the engine re-checks in place on its own columns, asks the plugins'
 * `admitResize` (the same growth-only quota rule) and answers a migration target by a dry run of
 * its own kernel, so the planner's first-fit migration node may differ from the engine's.
 */
import type { Binding, Displaced, Engine, ResizePatch } from '../engine/types.js';
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

/** The engine's patch for a request (`milli`/`devMemMiB` become `accel.milli`/`accel.memoryMiB`). */
export function resizePatchOf(req: ResizeRequest): ResizePatch {
  const patch: ResizePatch = {};
  if (req.cpuMilli !== undefined) patch.cpuMilli = req.cpuMilli;
  if (req.memoryMiB !== undefined) patch.memoryMiB = req.memoryMiB;
  if (req.milli !== undefined || req.devMemMiB !== undefined) {
    patch.accel = {};
    if (req.milli !== undefined) patch.accel.milli = req.milli;
    if (req.devMemMiB !== undefined) patch.accel.memoryMiB = req.devMemMiB;
  }
  return patch;
}

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

/** Outcome of `resizeOrMigrate`. */
export type ResizeMove =
  | { kind: 'in-place'; binding: Binding }
  | { kind: 'migrated'; binding: Binding; from: string }
  | { kind: 'refused'; reason: string }
  /** The move was tried and failed; the task runs again at its old size (`binding`), or is pending (`displaced`). */
  | { kind: 'restored'; reason: string; binding?: Binding; displaced?: Displaced };

/**
 * Resize a running task, moving it when its node has no room (§9.2b–c): `engine.resize` first
 * (quotas through the plugins' `admitResize`); if that is refused with a migration target, the
 * task is evicted and placed again at its new size (the engine's state is the one the dry run saw,
 * so it lands where the answer said). Should that placement fail, the task is placed again at its
 * old size (its old resources are free again); if even that fails it stays queued and is
 * returned as displaced — never lost. The restart is the caller's concern (a checkpointing job
 * resumes, a stateless one restarts).
 */
export function resizeOrMigrate(engine: Engine, taskId: string, patch: ResizePatch): ResizeMove {
  const r = engine.resize(taskId, patch);
  if (r.ok) return { kind: 'in-place', binding: r.binding };
  if (!r.migration) return { kind: 'refused', reason: r.reason };
  const ts = engine.task(taskId)!;
  const old = ts.task;
  const from = ts.binding!.nodeId;
  const a = old.accel;
  const next: Task = {
    ...old,
    cpuMilli: patch.cpuMilli ?? old.cpuMilli,
    memoryMiB: patch.memoryMiB ?? old.memoryMiB,
    ...(a ? { accel: { ...a, milli: patch.accel?.milli ?? a.milli, memoryMiB: patch.accel?.memoryMiB ?? a.memoryMiB } } : {}),
  };
  const displaced = engine.evict(taskId, `moving to ${r.migration.nodeId} to resize`);
  const moved = engine.place(next);
  if ('nodeId' in moved) return { kind: 'migrated', binding: moved, from };
  const back = engine.place(old);
  const reason = `the move failed: ${moved.message}`;
  return 'nodeId' in back ? { kind: 'restored', reason, binding: back } : { kind: 'restored', reason, displaced };
}
