/**
 * Who may evict whom, and which tasks to evict (§9.2d emergency rules, §9.1b reclaim).
 *
 * Rules (docs/policies.md has a worked example for each):
 * - R1 emergency: an urgent task (emergency class, or effective priority ≥ emergencyPriority)
 *   may evict any preemptible task of lower effective priority.
 * - R2 reclaim: a task whose queue stays within its guarantee (usage + demand ≤ guaranteed) may
 *   evict tasks of OTHER queues that run on borrowed quota, whatever their priority. This is
 *   the one documented priority inversion: lent quota is returned to its owner.
 * - R3 protection: a task of a non-preemptible class is never evicted; a task within its
 *   queue's guarantee is never evicted for a non-urgent one (R2 only reaches borrowed tasks).
 * - Cost: borrowed before guaranteed, then lowest priority, fewest victims, least work lost
 *   (the victims kernel, per node; the cheapest node wins, ties by node order).
 * Victims are evicted by the engine and requeued with their own priority: none is lost.
 */
import type { Node, Task } from '../model/types.js';
import { VictimKernel } from '../core/victims.js';
import { compareCost, selectVictimsReference, type VictimCandidate, type VictimChoice, type VictimDevice, type VictimNeed } from '../reference/victims.js';
import type { PriorityRules } from './priority.js';
import { deviceAdmits, freeCapacity, nodeAdmits, wantsWholeDevice, type PlacedTask, type Snapshot } from './snapshot.js';
import type { TenantTree } from './tenants.js';

/** Context of a preemption decision. */
export interface PreemptionContext {
  rules: PriorityRules;
  /** Without a tenant tree every task counts as borrowed (tier 0) and R2 never applies. */
  tree?: TenantTree;
  now: number;
  /** 'wasm' (default) runs the victims kernel; 'ts' the twin. */
  backend?: 'wasm' | 'ts';
  /** Extra node filter: the engine's own node constraints (taints, label selectors) and plugins'. */
  filterNode?: (node: Node) => boolean;
}

/** A preemption plan: evict `victims` on `nodeId`, then the preemptor fits on `devices`. */
export interface PreemptionPlan {
  nodeId: string;
  victims: string[];
  devices: string[];
  choice: VictimChoice;
}

const demandOf = (tree: TenantTree | undefined, t: Task): number[] => (tree ? tree.space.demandOf(t) : []);

/** Is the running task on borrowed quota (tier 0) or within its queue's guarantee (tier 1)? */
export function tierOf(victim: Task, tree: TenantTree | undefined): 0 | 1 {
  if (!tree || !tree.has(victim.tenant)) return 0;
  return tree.isBorrowing(victim.tenant, demandOf(tree, victim)) ? 0 : 1;
}

/** May `preemptor` evict `victim` (rules R1–R3)? Returns the rule that allows it, or null. */
export function evictionRule(preemptor: Task, victim: Task, ctx: PreemptionContext): 'emergency' | 'reclaim' | null {
  const { rules, tree, now } = ctx;
  if (!rules.isPreemptible(victim)) return null;
  if (rules.isUrgent(preemptor, now) && rules.effective(victim, now) < rules.effective(preemptor, now)) return 'emergency';
  if (tree && victim.tenant !== preemptor.tenant && tierOf(victim, tree) === 0 && tree.withinGuarantee(preemptor.tenant, demandOf(tree, preemptor))) return 'reclaim';
  return null;
}

let sharedKernel: VictimKernel | undefined;

/** Cheapest eviction that lets `preemptor` run, over every node it could use; null if none. */
export function planPreemption(preemptor: Task, snap: Snapshot, ctx: PreemptionContext): PreemptionPlan | null {
  const select = ctx.backend === 'ts'
    ? selectVictimsReference
    : (d: VictimDevice[], c: VictimCandidate[], n: VictimNeed) => (sharedKernel ??= new VictimKernel()).select(d, c, n);
  const a = preemptor.accel;
  const whole = wantsWholeDevice(preemptor);
  let best: PreemptionPlan | null = null;
  for (const n of freeCapacity(snap)) {
    if (!nodeAdmits(n.node, preemptor) || (ctx.filterNode && !ctx.filterNode(n.node))) continue;
    if (n.node.cpuMilli < preemptor.cpuMilli || n.node.memoryMiB < preemptor.memoryMiB) continue;
    const devices: VictimDevice[] = n.devices.map((d) => ({
      milliFree: d.milliFree, memFree: d.memFree, tasks: d.tasks, slots: d.slots, ok: deviceAdmits(d.device, preemptor),
    }));
    if (a && devices.filter((d) => d.ok).length < a.count) continue;
    const index = new Map(n.devices.map((d, i) => [d.device.id, i]));
    const cands: VictimCandidate[] = n.tasks.map((p: PlacedTask) => ({
      priority: clampI32(ctx.rules.effective(p.task, ctx.now)),
      tier: tierOf(p.task, ctx.tree),
      cpuMilli: p.task.cpuMilli,
      memoryMiB: p.task.memoryMiB,
      devices: p.devices.map((h) => index.get(h.deviceId)!).filter((i) => i !== undefined),
      milli: p.devices[0]?.milli ?? 0,
      devMemMiB: p.devices[0]?.memoryMiB ?? 0,
      work: p.startedAt === undefined ? 0 : Math.max(0, Math.min(2 ** 31 - 1, Math.floor(ctx.now - p.startedAt))),
      eligible: evictionRule(preemptor, p.task, ctx) !== null,
    }));
    const need: VictimNeed = {
      cpuFree: n.cpuFree, memFree: n.memFree, cpuMilli: preemptor.cpuMilli, memoryMiB: preemptor.memoryMiB,
      devices: a ? a.count : 0, milli: a ? a.milli : 0, devMemMiB: a ? a.memoryMiB : 0, whole: a ? whole || a.count > 1 : false,
    };
    const choice = select(devices, cands, need);
    if (!choice) continue;
    if (!best || compareCost(costKey(choice), costKey(best.choice)) < 0) {
      best = {
        nodeId: n.node.id,
        victims: choice.victims.map((i) => n.tasks[i].task.id),
        devices: choice.targetDevices.map((i) => n.devices[i].device.id),
        choice,
      };
    }
  }
  return best;
}

const costKey = (c: VictimChoice) => ({ tier: c.maxTier, prio: c.maxPriority, count: c.count, work: c.work });
const clampI32 = (x: number): number => Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, x));
