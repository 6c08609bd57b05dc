/**
 * Gang scheduling: all-or-nothing placement of a group of tasks, with a reservation so a blocked
 * large gang is not starved and an EASY-style backfill rule for small tasks.
 *
 * - Placement: the members are placed inside one engine transaction (`tentative()`); if at least
 *   `minMember` of them are placed the transaction commits, else it is discarded and nothing
 *   changed. Members that did not fit are returned in `unplaced`; the caller queues them
 *   (`createGangReservation` does), since a failed tentative placement queues nothing.
 * - Reservation: when a gang is blocked, walk the running tasks' expected end times in order and
 *   find the first time (the shadow time) at which enough nodes could host `minMember` members;
 *   the nodes that supply them are reserved for the gang.
 * - Backfill (after Lifka's EASY backfilling, 1995): while a reservation stands, a task may start
 *   on a reserved node only if it ends by the shadow time (now + duration ≤ shadowTime); on an
 *   unreserved node it may always start. A task without a duration never backfills a reserved
 *   node. So a backfilled task can never delay the gang.
 */
import type { Task, TaskInput } from '../model/types.js';
import { deviceAdmits, freeCapacity, nodeAdmits, wantsWholeDevice, type NodeFree, type Snapshot } from './snapshot.js';

/** The engine's transaction, as the gang placer uses it (structurally the engine's `Tentative`). */
export interface GangTransaction<B> {
  place(task: TaskInput): B | { reasons: unknown[] };
  commit(): void;
  discard(): void;
}

export interface GangResult<B> {
  placed: B[];
  /** Why the gang was not admitted (quota, budget, window), when `admit` refused it. */
  reason?: string;
  /** Ids of members not placed, when the gang committed with fewer than all (the caller queues them). */
  unplaced: string[];
  committed: boolean;
}

const isBinding = <B>(x: B | { reasons: unknown[] }): x is B => !(x && typeof x === 'object' && 'reasons' in x);

/**
 * Place a gang all-or-nothing: commit when ≥ minMember members fit, else discard. `admit`
 * (e.g. `Policies.admitGang`) is asked first, since tentative placements bypass the engine's
 * admission hook; a refusal discards the transaction untouched.
 */
export function placeGang<B>(tx: GangTransaction<B>, members: readonly TaskInput[], minMember = members.length, admit?: () => string | null): GangResult<B> {
  const refused = admit?.();
  if (refused) {
    tx.discard();
    return { placed: [], unplaced: members.map((m) => m.id), committed: false, reason: refused };
  }
  const placed: B[] = [];
  const unplaced: string[] = [];
  for (const m of members) {
    const r = tx.place(m);
    if (isBinding(r)) placed.push(r);
    else unplaced.push(m.id);
  }
  if (placed.length >= minMember && placed.length > 0) {
    tx.commit();
    return { placed, unplaced, committed: true };
  }
  tx.discard();
  return { placed: [], unplaced: members.map((m) => m.id), committed: false };
}

/** Nodes held for a blocked gang until `shadowTime`. */
export interface Reservation {
  gangId: string;
  shadowTime: number;
  nodes: Set<string>;
}

/** How many copies of `member` fit in this free capacity (CPU, memory, devices). */
function copiesFit(n: NodeFree, member: Task, extra?: { cpu: number; mem: number; dev: Map<string, { milli: number; mem: number; tasks: number }> }): number {
  const cpu = n.cpuFree + (extra?.cpu ?? 0);
  const mem = n.memFree + (extra?.mem ?? 0);
  let k = Math.min(member.cpuMilli > 0 ? Math.floor(cpu / member.cpuMilli) : Infinity, member.memoryMiB > 0 ? Math.floor(mem / member.memoryMiB) : Infinity);
  const a = member.accel;
  if (a) {
    const whole = wantsWholeDevice(member);
    let slots = 0;
    for (const d of n.devices) {
      if (!deviceAdmits(d.device, member)) continue;
      const x = extra?.dev.get(d.device.id);
      const milli = d.milliFree + (x?.milli ?? 0);
      const dmem = d.memFree + (x?.mem ?? 0);
      const tasks = d.tasks - (x?.tasks ?? 0);
      if (whole) slots += tasks === 0 && milli >= 1000 ? 1 : 0;
      else slots += Math.max(0, Math.min(Math.floor(milli / a.milli), a.memoryMiB > 0 ? Math.floor(dmem / a.memoryMiB) : Infinity, d.slots - tasks));
    }
    k = Math.min(k, Math.floor(slots / a.count));
  }
  return Number.isFinite(k) ? Math.max(0, k) : 0;
}

/**
 * Reservation for a blocked gang whose members look like `member`: the earliest time at which,
 * as running tasks end (startedAt + duration), `minMember` copies fit; null if they never do.
 * Cost: O(running log running + events × devices of the touched node).
 */
export function reserveForGang(gangId: string, member: Task, minMember: number, snap: Snapshot, now: number): Reservation | null {
  const nodes = freeCapacity(snap).filter((n) => nodeAdmits(n.node, member));
  const byId = new Map(nodes.map((n) => [n.node.id, n]));
  const freed = new Map<string, { cpu: number; mem: number; dev: Map<string, { milli: number; mem: number; tasks: number }> }>();
  const fit = new Map(nodes.map((n) => [n.node.id, copiesFit(n, member)]));
  let total = [...fit.values()].reduce((s, x) => s + x, 0);
  const pick = (): Set<string> => {
    const out = new Set<string>();
    let got = 0;
    for (const [id, k] of [...fit.entries()].filter(([, k]) => k > 0).sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))) {
      if (got >= minMember) break;
      out.add(id);
      got += k;
    }
    return out;
  };
  if (total >= minMember) return { gangId, shadowTime: now, nodes: pick() };
  const ends = snap.running
    .filter((p) => byId.has(p.nodeId) && p.startedAt !== undefined && p.task.duration !== undefined)
    .map((p) => ({ p, end: Math.max(now, p.startedAt! + p.task.duration!) }))
    .sort((x, y) => x.end - y.end || (x.p.task.id < y.p.task.id ? -1 : 1));
  for (const { p, end } of ends) {
    let f = freed.get(p.nodeId);
    if (!f) freed.set(p.nodeId, (f = { cpu: 0, mem: 0, dev: new Map() }));
    f.cpu += p.task.cpuMilli;
    f.mem += p.task.memoryMiB;
    for (const h of p.devices) {
      const x = f.dev.get(h.deviceId) ?? { milli: 0, mem: 0, tasks: 0 };
      x.milli += h.milli;
      x.mem += h.memoryMiB;
      x.tasks++;
      f.dev.set(h.deviceId, x);
    }
    const k = copiesFit(byId.get(p.nodeId)!, member, f);
    total += k - fit.get(p.nodeId)!;
    fit.set(p.nodeId, k);
    if (total >= minMember) return { gangId, shadowTime: end, nodes: pick() };
  }
  return null;
}

/** EASY backfill rule: may `task` start on `nodeId` now without delaying the reservation? */
export function mayBackfill(task: Pick<Task, 'duration'>, nodeId: string, reservation: Reservation | null, now: number): boolean {
  if (!reservation || !reservation.nodes.has(nodeId)) return true;
  return task.duration !== undefined && now + task.duration <= reservation.shadowTime;
}
