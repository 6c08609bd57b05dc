/**
 * A read-only picture of the pool that the planners (preemption, gang reservation, resize) work
 * on: nodes and where each running task sits. Built from an engine view (`fromEngineView`) or
 * by hand in tests. Free capacity is derived, never stored, so a snapshot cannot disagree with
 * itself.
 */
import { Labels } from '../model/labels.js';
import type { Device, Node, Task } from '../model/types.js';
import { claimCapacityMilli, maxSlicesOf } from './oversubscription.js';

/** One device (share) a placed task holds — the engine's BoundDevice shape. */
export interface HeldDevice {
  deviceId: string;
  milli: number;
  memoryMiB: number;
}

/** A running task and where it runs. */
export interface PlacedTask {
  task: Task;
  nodeId: string;
  devices: HeldDevice[];
  /** When it started (seconds on the caller's clock); work lost on eviction is measured from it. */
  startedAt?: number;
}

export interface Snapshot {
  nodes: Node[];
  running: PlacedTask[];
}

/** Free capacity of one device. */
export interface DeviceFree {
  device: Device;
  /** Claims still accepted: oversubscription (time-slice) or 1000, minus claims held. */
  milliFree: number;
  memFree: number;
  tasks: number;
  slots: number;
}

/** Free capacity of one node and the tasks on it. */
export interface NodeFree {
  node: Node;
  cpuFree: number;
  memFree: number;
  devices: DeviceFree[];
  tasks: PlacedTask[];
}

/** Free capacity per node, in snapshot order. O(nodes + devices + running). */
export function freeCapacity(snap: Snapshot): NodeFree[] {
  const out = new Map<string, NodeFree>();
  for (const node of snap.nodes) {
    out.set(node.id, {
      node, cpuFree: node.cpuMilli, memFree: node.memoryMiB, tasks: [],
      devices: node.devices.map((d) => ({ device: d, milliFree: claimCapacityMilli(d), memFree: d.memoryMiB, tasks: 0, slots: maxSlicesOf(d) })),
    });
  }
  for (const p of snap.running) {
    const n = out.get(p.nodeId);
    if (!n) continue;
    n.tasks.push(p);
    n.cpuFree -= p.task.cpuMilli;
    n.memFree -= p.task.memoryMiB;
    for (const h of p.devices) {
      const d = n.devices.find((x) => x.device.id === h.deviceId);
      if (!d) continue;
      d.milliFree -= h.milli;
      d.memFree -= h.memoryMiB;
      d.tasks++;
    }
  }
  return [...out.values()];
}

/** A node label, including the standard ones derived from its fields (as the engine sees them). */
function labelOf(n: Node, key: string): string | undefined {
  switch (key) {
    case Labels.arch: return n.arch;
    case Labels.form: return n.form;
    case Labels.site: return n.site;
    case Labels.zone: return n.zone;
    case Labels.region: return n.region;
    case Labels.rack: return n.rack;
    default: return n.labels?.[key];
  }
}

/**
 * Does node `n` pass the task's static constraints (health, drain, arch, form, site, selector)?
 * Taints are left to the caller (the engine's rule is passed in as a filter where it matters).
 */
export function nodeAdmits(n: Node, t: Task): boolean {
  if (n.health !== 'healthy' || !n.schedulable) return false;
  if (t.arch && !t.arch.includes(n.arch)) return false;
  if (t.form && !t.form.includes(n.form)) return false;
  if (t.site && (n.site === undefined || !t.site.includes(n.site))) return false;
  for (const [k, v] of Object.entries(t.selector ?? {})) if (labelOf(n, k) !== v) return false;
  return true;
}

/** May task `t` use device `d` (kind, vendor, model, precision, health, sharing mode)? */
export function deviceAdmits(d: Device, t: Task): boolean {
  const a = t.accel;
  if (!a || d.health !== 'healthy' || d.kind !== a.kind) return false;
  if (a.vendors && !a.vendors.includes(d.vendor)) return false;
  if (a.models && !a.models.includes(d.model)) return false;
  if (a.precision && !(d.throughput?.[a.precision] ?? 0)) return false;
  if (d.sharing.mode === 'partition') return false;
  const whole = a.exclusive || a.milli === 1000;
  return whole || d.sharing.mode === 'time-slice';
}

/** The whole-device test the planners share: exclusive, or a full 1000 milli share. */
export const wantsWholeDevice = (t: Task): boolean => !!t.accel && (t.accel.exclusive || t.accel.milli === 1000);
