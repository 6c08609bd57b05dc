/**
 * Gang reservation and EASY backfill inside the engine's cycle (§9.2a with §9.1a): the rules of
 * gang.ts (`placeGang`, `reserveForGang`, `mayBackfill`) as one engine plugin.
 *
 * - `submitGang(engine, gang)` places the members all-or-nothing in one `engine.tentative()`
 *   transaction. If they do not fit, the gang is kept (its members are not queued in the engine)
 *   and a reservation is computed: the shadow time at which, as running tasks end, `minMember`
 *   members fit, and the nodes that supply them.
 * - In every `schedule()` cycle the plugin's `admit` refreshes the reservations when something
 *   was bound or released or the clock moved, and its `filterNode` (volatile: recomputed each
 *   cycle) lets another task onto a reserved node only if it ends by the shadow time
 *   (now + duration ≤ shadowTime); unreserved nodes stay open. A backfilled task therefore never
 *   delays the gang.
 * - `retry(engine)` tries the blocked gangs again (oldest first); call it before each cycle (or
 *   when tasks end). A placed gang drops its reservation.
 *
 * Reservations assume the members have the shape of the first one (reserveForGang's rule).
 * Cost of a refresh: one snapshot of the engine (O(nodes + running tasks)) per blocked gang, only
 * on cycles after a change; the filter itself is O(reservations) per node.
 */
import type { Binding, Engine, EnginePlugin, EngineView, TaskState } from '../engine/index.js';
import { HetpoolError } from '../model/errors.js';
import type { Node, Task, TaskInput } from '../model/types.js';
import { parseTask } from '../model/validate.js';
import { mayBackfill, placeGang, reserveForGang, type GangResult, type Reservation } from './gang.js';
import type { Snapshot } from './snapshot.js';

/** A gang for `submitGang`: members are ordinary tasks placed together. */
export interface GangSpec {
  id: string;
  members: TaskInput[];
  /** Commit when at least this many members fit (default: all). */
  minMember?: number;
}

export interface GangReservationOptions {
  /** Plugin name (default 'gang-reservation'). */
  name?: string;
  /** Current time in seconds (default: wall clock); durations and shadow times use it. */
  clock?: () => number;
  /** Admission of a gang as a whole (e.g. `Policies.admitGang`); a reason keeps it blocked without a reservation. */
  admitGang?: (members: readonly Task[]) => string | null;
}

/** The plugin with its gang API. */
export interface GangReservationPlugin extends EnginePlugin {
  /** Reservations of the blocked gangs, by gang id. */
  readonly reservations: ReadonlyMap<string, Reservation>;
  /** Ids of gangs waiting for room, oldest first. */
  blocked(): string[];
  /** Place a gang now, all or nothing; if it does not fit, keep it blocked with a reservation. */
  submitGang(engine: Engine, gang: GangSpec): GangResult<Binding> & { reservation?: Reservation | null };
  /** Try every blocked gang again, oldest first; returns the ids of those placed. */
  retry(engine: Engine): string[];
  /** Forget a blocked gang (and its reservation). */
  withdraw(engine: Engine, gangId: string): boolean;
}

interface Blocked {
  spec: GangSpec;
  members: Task[];
  minMember: number;
  reason?: string;
}

/** Create the plugin; pass it to `createEngine({ plugins })` and submit gangs through it. */
export function createGangReservation(opts: GangReservationOptions = {}): GangReservationPlugin {
  const now = opts.clock ?? (() => Date.now() / 1000);
  const blocked = new Map<string, Blocked>();
  const memberOf = new Map<string, string>();
  const reservations = new Map<string, Reservation>();
  const startedAt = new Map<string, number>();
  let dirty = true;
  let computedAt = Number.NaN;

  const snapshot = (view: EngineView): Snapshot => ({
    nodes: view.nodes(),
    running: view.tasks().filter((s) => s.status === 'running' && s.binding).map((s) => ({
      task: s.task, nodeId: s.binding!.nodeId, devices: s.binding!.devices, startedAt: startedAt.get(s.id),
    })),
  });
  const refresh = (view: EngineView): void => {
    const t = now();
    if (!dirty && t === computedAt) return;
    reservations.clear();
    if (blocked.size > 0) {
      const snap = snapshot(view);
      for (const [id, b] of blocked) {
        if (b.reason !== undefined) continue; // refused by admission: no capacity is held for it
        const r = reserveForGang(id, b.members[0], b.minMember, snap, t);
        if (r) reservations.set(id, r);
      }
    }
    dirty = false;
    computedAt = t;
  };
  const parse = (gang: GangSpec): Blocked => {
    if (!gang || typeof gang.id !== 'string' || gang.id.length === 0) throw new HetpoolError('invalid-input', 'gang.id', 'must be a non-empty string');
    if (!Array.isArray(gang.members) || gang.members.length === 0) throw new HetpoolError('invalid-input', 'gang.members', 'must be a non-empty array');
    const members = gang.members.map((m, i) => parseTask(m, `gang.members[${i}]`));
    const minMember = gang.minMember ?? members.length;
    if (!Number.isInteger(minMember) || minMember < 1 || minMember > members.length) throw new HetpoolError('invalid-input', 'gang.minMember', `must be an integer in 1..${members.length}`);
    return { spec: gang, members, minMember };
  };
  const attempt = (engine: Engine, b: Blocked): GangResult<Binding> => {
    const admit = opts.admitGang ? () => (opts.admitGang as NonNullable<GangReservationOptions['admitGang']>)(b.members) : undefined;
    // members' masks may date from an earlier attempt under other reservations
    for (const m of b.members) engine.invalidateFilters(m.id);
    const r = placeGang<Binding>(engine.tentative(), b.spec.members, b.minMember, admit);
    b.reason = r.reason;
    // A gang committed with ≥ minMember but fewer than all members: a failed tentative placement
    // queues nothing, so the members left over are queued here as ordinary pending tasks — never lost.
    if (r.committed && r.unplaced.length > 0) {
      const left = new Set(r.unplaced);
      const missing = b.spec.members.filter((m) => left.has(m.id) && !engine.task(m.id));
      if (missing.length > 0) engine.submit(missing);
    }
    return r;
  };
  const forget = (engine: Engine, id: string): void => {
    const b = blocked.get(id);
    if (!b) return;
    blocked.delete(id);
    reservations.delete(id);
    for (const m of b.members) memberOf.delete(m.id);
    dirty = true;
    engine.invalidateFilters();
  };

  return {
    name: opts.name ?? 'gang-reservation',
    volatileFilter: true,
    reservations,
    blocked: () => [...blocked.keys()],
    admit(_ts: TaskState, view: EngineView): string | null {
      refresh(view);
      return null;
    },
    filterNode(ts: TaskState, node: Node): boolean {
      if (reservations.size === 0) return true;
      // a member may use its own gang's reservation, and backfills others' like any task
      const own = memberOf.get(ts.id);
      for (const [gang, r] of reservations) if (gang !== own && !mayBackfill(ts.task, node.id, r, computedAt)) return false;
      return true;
    },
    onBind(b: Binding): void {
      startedAt.set(b.taskId, now());
      dirty = true;
    },
    onRelease(b: Binding): void {
      startedAt.delete(b.taskId);
      dirty = true;
    },
    onResize(): void {
      dirty = true;
    },
    submitGang(engine: Engine, gang: GangSpec) {
      const b = parse(gang);
      if (blocked.has(gang.id)) throw new HetpoolError('conflict', 'gang.id', `gang "${gang.id}" is already waiting`);
      for (const m of b.members) memberOf.set(m.id, gang.id); // members may use reserved nodes
      const r = attempt(engine, b);
      if (r.committed) {
        for (const m of b.members) memberOf.delete(m.id);
        return r;
      }
      blocked.set(gang.id, b);
      dirty = true;
      refresh(engine);
      engine.invalidateFilters(); // engine.place() between cycles must see the reservation too
      return { ...r, reservation: reservations.get(gang.id) ?? null };
    },
    retry(engine: Engine): string[] {
      const placed: string[] = [];
      for (const [id, b] of [...blocked]) {
        if (attempt(engine, b).committed) {
          placed.push(id);
          forget(engine, id);
        }
      }
      return placed;
    },
    withdraw(engine: Engine, gangId: string): boolean {
      const had = blocked.has(gangId);
      forget(engine, gangId);
      return had;
    },
  };
}
