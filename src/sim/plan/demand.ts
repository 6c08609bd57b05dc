/**
 * Demand of a workload for the planner: tasks are grouped by what they can run on, and each
 * group's peak concurrent demand is found by a sweep over arrivals and ends (a task holds its
 * request from `arrival` to `arrival + duration`).
 *
 * Groups: `all` (every task's CPU and memory, on any node type), one group per device kind
 * (device share of every task of that kind), one group per distinct set of allowed models
 * (every task whose allowed models lie within the set must share those models' nodes — Hall's
 * condition for the sets that occur), and one group per distinct accelerator request
 * shape (kind, models, vendors, precision, profile / fractional / whole, device count, arch, form)
 * and per architecture/form-constrained CPU-only request. A node type serves a group when it
 * could run a task of the group; the LP then asks each group's servers to cover its peak.
 * Peaks of different groups may fall at different times, so covering each separately is
 * necessary, not sufficient — the simulation check catches the rest.
 */
import type { AccelRequest, Task } from '../../model/index.js';
import { milliPerDevice, type NodeType } from './catalog.js';

/** The four dimensions the planner sizes, in base units. */
export interface Dims {
  cpuMilli: number;
  memoryMiB: number;
  deviceMilli: number;
  deviceMemoryMiB: number;
}
/** The dimensions in the order the MILP writes its rows. */
export const DIMS = ['cpuMilli', 'memoryMiB', 'deviceMilli', 'deviceMemoryMiB'] as const;

/** A set of tasks that can run on the same node types, with its peak concurrent demand. */
export interface DemandGroup {
  key: string;
  tasks: number;
  peak: Dims;
  /** True when a node type can run the group's tasks. */
  serves(t: NodeType): boolean;
  /** What one node of the type contributes to each dimension of this group. */
  supply(t: NodeType): Dims;
}

/** The demand of a workload: its groups, and tasks no node type could ever serve. */
export interface Demand {
  groups: DemandGroup[];
  tasks: number;
  /** Tasks left out of sizing because no node type of the catalogue can run them, by group key. */
  unservable: Array<{ key: string; tasks: number }>;
}

const zero = (): Dims => ({ cpuMilli: 0, memoryMiB: 0, deviceMilli: 0, deviceMemoryMiB: 0 });

function accelServes(a: AccelRequest, t: NodeType): boolean {
  const d = t.devices;
  if (!d || d.kind !== a.kind || d.count < a.count) return false;
  if (a.models && !a.models.includes(d.model)) return false;
  if (a.vendors && !a.vendors.includes(d.vendor)) return false;
  if (a.precision && !(d.throughput && a.precision in d.throughput)) return false;
  if (a.profile) return d.sharing.mode === 'partition' && d.sharing.profiles.some((p) => p.name === a.profile);
  // A share below a whole device needs a time-sliced device; a whole device may be of any mode
  // (a partition device with no instance cut is whole too — docs/engine.md).
  if (a.milli < 1000 && !a.exclusive) return d.sharing.mode === 'time-slice';
  return true;
}

const placeServes = (task: Task, t: NodeType): boolean => (!task.arch || task.arch.includes(t.arch)) && (!task.form || task.form.includes(t.form));

/** The key of the request-shape group a task belongs to (as in `Demand.unservable`). */
export function requestKeyOf(task: Task): string {
  const a = task.accel;
  const parts: string[] = [];
  if (a) {
    parts.push(a.kind);
    if (a.models) parts.push(`model=${[...a.models].sort().join('|')}`);
    if (a.vendors) parts.push(`vendor=${[...a.vendors].sort().join('|')}`);
    if (a.precision) parts.push(`precision=${a.precision}`);
    if (a.profile) parts.push(`profile=${a.profile}`);
    else if (a.milli < 1000 && !a.exclusive) parts.push('shared');
    else parts.push(`whole×${a.count}`);
  } else parts.push('cpu');
  if (task.arch) parts.push(`arch=${[...task.arch].sort().join('|')}`);
  if (task.form) parts.push(`form=${[...task.form].sort().join('|')}`);
  return parts.join(' ');
}

/** The profile of a partition request as a catalogue offers it (first type that has it). */
function profileOf(a: AccelRequest, types: readonly NodeType[]): { milli: number; memoryMiB: number; maxCount: number } | undefined {
  for (const t of types) {
    const s = t.devices?.sharing;
    if (s?.mode === 'partition') {
      const p = s.profiles.find((q) => q.name === a.profile);
      if (p) return p;
    }
  }
  return undefined;
}

interface GroupAcc {
  group: DemandGroup;
  cur: Dims;
}

/**
 * Peak concurrent demand of `tasks` per group, against the node types of a catalogue (used only
 * to decide which groups can be served and the size of partition instances).
 */
export function demandOf(tasks: Iterable<Task>, types: readonly NodeType[]): Demand {
  const groups = new Map<string, GroupAcc>();
  const unservable = new Map<string, number>();
  const nodeSupply = (t: NodeType): Dims => ({ cpuMilli: t.cpuMilli, memoryMiB: t.memoryMiB, deviceMilli: t.devices ? t.devices.count * milliPerDevice(t.devices.sharing) : 0, deviceMemoryMiB: t.devices ? t.devices.count * t.devices.memoryMiB : 0 });
  const all: GroupAcc = { group: { key: 'all', tasks: 0, peak: zero(), serves: () => true, supply: (t) => ({ ...nodeSupply(t), deviceMilli: 0, deviceMemoryMiB: 0 }) }, cur: zero() };
  groups.set('all', all);

  // Per task: start, end and its contribution, kept in columns so a million tasks stay compact.
  const start: number[] = [];
  const end: number[] = [];
  const cpu: number[] = [];
  const mem: number[] = [];
  const milli: number[] = [];
  const dmem: number[] = [];
  const gIds: GroupAcc[][] = [];
  const pinned: Array<AccelRequest | null> = [];
  let n = 0;

  for (const task of tasks) {
    n++;
    const key = requestKeyOf(task);
    let own = groups.get(key);
    if (!own) {
      const a = task.accel;
      const prof = a?.profile ? profileOf(a, types) : undefined;
      const t0 = task;
      const serves = (t: NodeType) => placeServes(t0, t) && (a ? accelServes(a, t) : true);
      if (!types.some(serves) || (a?.profile && !prof)) {
        unservable.set(key, (unservable.get(key) ?? 0) + 1);
        continue;
      }
      own = {
        group: {
          key, tasks: 0, peak: zero(), serves,
          supply: (t) => {
            const s = nodeSupply(t);
            if (!a) return { ...s, deviceMilli: 0, deviceMemoryMiB: 0 };
            // A partition device holds maxCount instances of the profile: that is its share and memory for this group.
            if (prof && t.devices) return { ...s, deviceMilli: t.devices.count * prof.maxCount * prof.milli, deviceMemoryMiB: t.devices.count * prof.maxCount * prof.memoryMiB };
            return s;
          },
        },
        cur: zero(),
      };
      groups.set(key, own);
    }
    const list: GroupAcc[] = [all];
    if (own !== all && key !== 'cpu') list.push(own);
    const a = task.accel;
    let m = 0;
    let dm = 0;
    if (a) {
      const kindKey = `kind ${a.kind}`;
      let kg = groups.get(kindKey);
      if (!kg) {
        const kind = a.kind;
        kg = { group: { key: kindKey, tasks: 0, peak: zero(), serves: (t) => t.devices?.kind === kind, supply: (t) => ({ cpuMilli: 0, memoryMiB: 0, deviceMilli: t.devices ? t.devices.count * milliPerDevice(t.devices.sharing) : 0, deviceMemoryMiB: t.devices ? t.devices.count * t.devices.memoryMiB : 0 }) }, cur: zero() };
        groups.set(kindKey, kg);
      }
      list.push(kg);
      if (a.profile) {
        const p = profileOf(a, types)!;
        m = p.milli;
        dm = p.memoryMiB;
      } else if (a.milli < 1000 && !a.exclusive) {
        m = a.milli;
        dm = a.memoryMiB;
      } else m = a.count * 1000; // whole devices: their memory comes with them, not sized separately
    }
    for (const g of list) g.group.tasks++;
    if (task.duration === 0) continue; // holds nothing for any length of time
    const s = task.arrival ?? 0;
    start.push(s);
    end.push(task.duration === undefined ? Infinity : s + task.duration);
    cpu.push(task.cpuMilli);
    mem.push(task.memoryMiB);
    milli.push(m);
    dmem.push(dm);
    gIds.push(list);
    pinned.push(a?.models ? a : null);
  }

  // Model-set groups: for every distinct (kind, allowed models) the tasks whose models lie within it.
  const sets = new Map<string, { kind: string; models: Set<string>; acc: GroupAcc }>();
  for (const a of pinned) {
    if (!a) continue;
    const models = [...new Set(a.models)].sort();
    const key = `models ${a.kind} ${models.join('|')}`;
    if (sets.has(key)) continue;
    const kind = a.kind;
    const ms = new Set(models);
    const acc: GroupAcc = { group: { key, tasks: 0, peak: zero(), serves: (t) => t.devices?.kind === kind && ms.has(t.devices.model), supply: nodeSupply }, cur: zero() };
    sets.set(key, { kind, models: ms, acc });
    groups.set(key, acc);
  }
  if (sets.size > 0) {
    for (let i = 0; i < pinned.length; i++) {
      const a = pinned[i];
      if (!a) continue;
      for (const s of sets.values()) if (s.kind === a.kind && a.models!.every((m) => s.models.has(m))) {
        gIds[i].push(s.acc);
        s.acc.group.tasks++;
      }
    }
  }

  // Sweep: ends before starts at the same instant (a finishing task frees room for an arriving one).
  const k = start.length;
  const byStart = Array.from({ length: k }, (_, i) => i).sort((x, y) => start[x] - start[y] || x - y);
  const byEnd = Array.from({ length: k }, (_, i) => i).sort((x, y) => end[x] - end[y] || x - y);
  const apply = (i: number, sign: number) => {
    for (const g of gIds[i]) {
      const c = g.cur;
      const isAll = g === all;
      const isKind = g.group.key.startsWith('kind ');
      if (!isKind) {
        c.cpuMilli += sign * cpu[i];
        c.memoryMiB += sign * mem[i];
      }
      if (!isAll) {
        c.deviceMilli += sign * milli[i];
        c.deviceMemoryMiB += sign * dmem[i];
      }
      if (sign > 0) {
        const p = g.group.peak;
        if (c.cpuMilli > p.cpuMilli) p.cpuMilli = c.cpuMilli;
        if (c.memoryMiB > p.memoryMiB) p.memoryMiB = c.memoryMiB;
        if (c.deviceMilli > p.deviceMilli) p.deviceMilli = c.deviceMilli;
        if (c.deviceMemoryMiB > p.deviceMemoryMiB) p.deviceMemoryMiB = c.deviceMemoryMiB;
      }
    }
  };
  let e = 0;
  for (const i of byStart) {
    while (e < k && end[byEnd[e]] <= start[i]) apply(byEnd[e++], -1);
    apply(i, 1);
  }
  return {
    groups: [...groups.values()].map((g) => g.group).filter((g) => g.tasks > 0),
    tasks: n,
    unservable: [...unservable].map(([key, tasks]) => ({ key, tasks })).sort((x, y) => y.tasks - x.tasks),
  };
}
