/**
 * TypeScript twin of assembly/victims.ts: the cheapest set of running tasks to evict on one node
 * so that a preemptor fits. Same algorithm and same tie-breaks as the kernel (see its header);
 * held equal by test/policies-victims.test.ts.
 */

/** One device of the node, as the preemptor sees it. */
export interface VictimDevice {
  /** Compute share still free, milli (oversubscription already applied). */
  milliFree: number;
  /** Device memory free, MiB. */
  memFree: number;
  /** Tasks sharing the device now. */
  tasks: number;
  /** Most tasks the device may hold (maxSlices; 1 for an exclusive device). */
  slots: number;
  /** The preemptor may use this device (kind, model, health match). */
  ok: boolean;
}

/** A running task on the node that eviction could free. */
export interface VictimCandidate {
  priority: number;
  /** 0 = runs on borrowed quota, 1 = within its tenant's guarantee. */
  tier: number;
  cpuMilli: number;
  memoryMiB: number;
  /** Device indices (into `devices`) the task holds. */
  devices: number[];
  /** Share and memory it holds on each of its devices. */
  milli: number;
  devMemMiB: number;
  /** Work lost if evicted (e.g. seconds run since the last checkpoint). */
  work: number;
  /** The preemption rules allow evicting it. */
  eligible: boolean;
}

/** What the preemptor needs on this node. */
export interface VictimNeed {
  cpuFree: number;
  memFree: number;
  cpuMilli: number;
  memoryMiB: number;
  /** Devices needed: 0 (none), 1 (fractional or one whole device), k (k whole devices). */
  devices: number;
  /** Per-device share (ignored when `whole`: a whole device needs 1000 and no other task). */
  milli: number;
  devMemMiB: number;
  whole: boolean;
}

/** The chosen set, cheapest first by (maxTier, maxPriority, count, work). */
export interface VictimChoice {
  victims: number[];
  maxTier: number;
  maxPriority: number;
  count: number;
  work: number;
  /** Device indices the preemptor gets (the one fractional device, or the k cleared ones). */
  targetDevices: number[];
}

const I32_MIN = -(2 ** 31);

interface Cost { tier: number; prio: number; count: number; work: number }

const costOf = (set: Iterable<number>, c: VictimCandidate[]): Cost => {
  const k: Cost = { tier: -1, prio: I32_MIN, count: 0, work: 0 };
  for (const i of set) {
    k.tier = Math.max(k.tier, c[i].tier);
    k.prio = Math.max(k.prio, c[i].priority);
    k.count++;
    k.work += c[i].work;
  }
  return k;
};

/** Lexicographic comparison of two costs: negative when `a` is cheaper. */
export function compareCost(a: Cost, b: Cost): number {
  return a.tier - b.tier || a.prio - b.prio || a.count - b.count || a.work - b.work;
}

/** Select victims on one node, or `null` when no eligible set makes the preemptor fit. */
export function selectVictimsReference(devices: VictimDevice[], cands: VictimCandidate[], need: VictimNeed): VictimChoice | null {
  // Reprieve order: eligible victims, most valuable first.
  const order = cands
    .map((_, i) => i)
    .filter((i) => cands[i].eligible)
    .sort((a, b) => cands[b].tier - cands[a].tier || cands[b].priority - cands[a].priority || cands[b].work - cands[a].work || a - b);

  const fitsWith = (removed: Set<number>, target: number[]): boolean => {
    let cpu = need.cpuFree;
    let mem = need.memFree;
    const milli = devices.map((d) => d.milliFree);
    const dmem = devices.map((d) => d.memFree);
    const tasks = devices.map((d) => d.tasks);
    for (const i of removed) {
      cpu += cands[i].cpuMilli;
      mem += cands[i].memoryMiB;
      for (const t of cands[i].devices) {
        milli[t] += cands[i].milli;
        dmem[t] += cands[i].devMemMiB;
        tasks[t]--;
      }
    }
    if (cpu < need.cpuMilli || mem < need.memoryMiB) return false;
    return target.every((t) =>
      need.whole
        ? tasks[t] <= 0 && milli[t] >= 1000 && dmem[t] >= need.devMemMiB
        : milli[t] >= need.milli && dmem[t] >= need.devMemMiB && tasks[t] < devices[t].slots,
    );
  };

  const evaluate = (target: number[]): Set<number> | null => {
    const removed = new Set(order);
    if (!fitsWith(removed, target)) return null;
    for (const i of order) {
      removed.delete(i);
      if (!fitsWith(removed, target)) removed.add(i);
    }
    return removed;
  };

  let best: { set: Set<number>; cost: Cost; target: number[] } | null = null;
  const consider = (target: number[]): void => {
    const set = evaluate(target);
    if (!set) return;
    const cost = costOf(set, cands);
    if (!best || compareCost(cost, best.cost) < 0) best = { set, cost, target };
  };

  if (need.devices === 0) consider([]);
  else if (!need.whole) {
    if (need.devices > 1) throw new RangeError('a fractional need takes exactly one device');
    devices.forEach((d, t) => {
      if (d.ok && d.slots >= 1) consider([t]);
    });
  } else {
    const clearable: Array<{ t: number; cost: Cost }> = [];
    devices.forEach((d, t) => {
      if (!d.ok) return;
      const on = cands.map((_, i) => i).filter((i) => cands[i].devices.includes(t));
      if (on.some((i) => !cands[i].eligible)) return;
      clearable.push({ t, cost: costOf(on, cands) });
    });
    clearable.sort((a, b) => compareCost(a.cost, b.cost) || a.t - b.t);
    if (clearable.length >= need.devices) consider(clearable.slice(0, need.devices).map((x) => x.t).sort((a, b) => a - b));
  }
  if (!best) return null;
  const b = best as { set: Set<number>; cost: Cost; target: number[] };
  return {
    victims: [...b.set].sort((x, y) => x - y),
    maxTier: b.cost.tier,
    maxPriority: b.cost.prio,
    count: b.cost.count,
    work: b.cost.work,
    targetDevices: b.target,
  };
}
