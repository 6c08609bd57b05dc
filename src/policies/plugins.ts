/**
 * The policies as engine plugins (src/engine/plugins.ts): queue order, admission (class window,
 * quota, budget), accounting (onBind/onRelease), and preemption. `createPolicies()` wires them
 * to one clock, one tenant tree and one budget ledger and returns them with the state they
 * share, so a caller can also read usage, refresh fair share or plan a resize.
 *
 * Queue order (one comparator, so the rules compose predictably): effective priority (class +
 * aging) descending → earliest deadline → heterogeneity rank (achieved / target normalised
 * throughput, lowest first; only with `heterogeneity`) → fair-share rank of the task's queue (most
 * under-served first; refreshed once per round, never per decision) → arrival → submission.
 * Preemption plans only on nodes `EngineView.nodeAllowed` accepts (the task's constraints and
 * every plugin's filterNode), and the engine evicts the planned victims only after a tentative
 * placement confirmed the preemptor then fits. A live resize (`Policies.resize` → `engine.resize`)
 * is admitted against the quotas (growth only) and re-charged by `onResize`.
 */
import type { Binding, Engine, EngineView, ResizePatch, ResizeResult, TaskState } from '../engine/types.js';
import type { EnginePlugin, ReleaseWhy } from '../engine/plugins.js';
import { BudgetLedger } from './budgets.js';
import { deservedShares, poolCapacity, type DeservedShares } from './fairshare.js';
import { planPreemption, type PreemptionPlan } from './preemption.js';
import { PriorityRules, type PriorityPolicyInput } from './priority.js';
import type { PlacedTask, Snapshot } from './snapshot.js';
import type { Node, Task } from '../model/types.js';
import { TenantTree, type TenantFileInput } from './tenants.js';
import { planResize, resizePatchOf, type ResizePlan, type ResizeRequest } from './resize.js';
import { HetpoolError } from '../model/errors.js';
import { createHeterogeneityPlugin, type HeterogeneityOptions, type HeterogeneityPlugin } from './heterogeneity.js';

/** Names of the plugins `createPolicies` returns (constants, so registries can refer to them). */
export const PLUGIN_NAMES = { order: 'policy-order', admission: 'policy-admission', accounting: 'policy-accounting', preemption: 'policy-preemption' } as const;

/** Things the policies report that are not engine events. */
export type PolicyEvent =
  | { type: 'deadline-miss'; taskId: string; reason: string; at: number }
  | { type: 'preemption-planned'; taskId: string; plan: PreemptionPlan; at: number };

export interface PolicyOptions {
  priority?: PriorityPolicyInput | PriorityRules;
  tenants?: TenantFileInput | TenantTree;
  /** Enforce budgets from the tenant tree (default true when a tree is given). */
  budgets?: boolean;
  /** Plan preemption when a task is unschedulable (default true). */
  preemption?: boolean;
  /** Current time in seconds (default: wall clock). The simulator passes its own clock. */
  clock?: () => number;
  /**
   * Recompute fair share (deserved shares and the queue's service order) from the engine at most
   * once per this many seconds, at admission — i.e. for the next cycle's order. Omit to refresh
   * only by calling `refreshFairShare`.
   */
  fairShareEverySeconds?: number;
  /**
   * Heterogeneity-aware targets (Gavel max-min, heterogeneity.ts): a plugin or its options. Its
   * rank orders the queue after priority and deadline, before fair share; its steering filter and
   * admit dry run are appended as the last plugin. Call `policies.heterogeneity.refresh(engine)`
   * (async) before each round.
   */
  heterogeneity?: HeterogeneityPlugin | HeterogeneityOptions;
  /** Backend of the victims and fair-share kernels (default 'wasm'). */
  backend?: 'wasm' | 'ts';
  onEvent?: (e: PolicyEvent) => void;
}

/** The wired policies. */
export interface Policies {
  plugins: EnginePlugin[];
  rules: PriorityRules;
  tree?: TenantTree;
  ledger?: BudgetLedger;
  /** The heterogeneity plugin when `heterogeneity` was given (also last in `plugins`). */
  heterogeneity?: HeterogeneityPlugin;
  events: PolicyEvent[];
  /** Running tasks' start times (seconds), as seen by onBind. */
  startedAt: Map<string, number>;
  /** Recompute deserved shares and the queue's fair-share order from the engine (once per round). */
  refreshFairShare(view: EngineView, capacity: readonly number[]): DeservedShares | undefined;
  /** The engine as a planner snapshot. */
  snapshot(view: EngineView): Snapshot;
  /** Tell the policies which engine they serve (admission does it too); needed before tentative() use. */
  attach(view: EngineView): void;
  /**
   * Admission of a gang as a whole (tentative() placements bypass the admit hook): every
   * member's class, window and budget, and the members' summed demand per queue against quotas.
   * A reason to hold the gang, or null.
   */
  admitGang(members: readonly Task[]): string | null;
  /** Plan a live resize of a running task against the engine's current state and quotas (§8g); changes nothing. */
  planResize(view: EngineView, taskId: string, req: ResizeRequest): ResizePlan;
  /**
   * Apply a live resize through the engine (§8g, §9.2b–c): `engine.resize` with the quota check
   * of the admission plugin and the re-charge of the accounting plugin (both must be among the
   * engine's plugins). Refused → nothing changed, with the migration a fresh placement would take.
   */
  resize(engine: Engine, taskId: string, req: ResizeRequest): ResizeResult;
}

/**
 * Heterogeneity options keyed by tenant without weights take the tenant tree's shares: a queue's
 * weight is Π over its path of weight / Σ its siblings' weights (the H-DRF entitlement), so Gavel's
 * equal shares split the pool the way the fair-share tree does.
 */
function withTreeWeights(h: HeterogeneityOptions, tree: TenantTree | undefined): HeterogeneityOptions {
  if (!tree || h.weights !== undefined || h.weightOf !== undefined || h.by === 'class') return h;
  return {
    ...h,
    weightOf: (key) => {
      if (!tree.has(key)) return undefined;
      let w = 1;
      for (const t of tree.path(key)) w *= t.weight / (t.parent ? t.parent.children : tree.roots).reduce((s, c) => s + c.weight, 0);
      return w;
    },
  };
}

/** Build the policy plugins over one clock, tenant tree and ledger. */
export function createPolicies(opts: PolicyOptions = {}): Policies {
  const rules = opts.priority instanceof PriorityRules ? opts.priority : new PriorityRules(opts.priority ?? {});
  const tree = opts.tenants === undefined ? undefined : opts.tenants instanceof TenantTree ? opts.tenants : new TenantTree(opts.tenants);
  const ledger = tree && opts.budgets !== false ? new BudgetLedger(tree) : undefined;
  const now = opts.clock ?? (() => Date.now() / 1000);
  const het = opts.heterogeneity === undefined ? undefined : 'refresh' in opts.heterogeneity ? opts.heterogeneity : createHeterogeneityPlugin(withTreeWeights(opts.heterogeneity, tree));
  const every = opts.fairShareEverySeconds;
  if (every !== undefined && !(Number.isFinite(every) && every >= 0)) throw new HetpoolError('invalid-input', 'fairShareEverySeconds', 'must be a number ≥ 0');
  const events: PolicyEvent[] = [];
  const emit = (e: PolicyEvent): void => {
    events.push(e);
    opts.onEvent?.(e);
  };
  const firstSeen = new Map<string, number>();
  const startedAt = new Map<string, number>();
  /** Running tasks per node, kept by onBind/onRelease. */
  const byNode = new Map<string, Map<string, PlacedTask>>();
  // by dimension name: a quota edit may re-index the space while the task runs
  const charged = new Map<string, { tenant: string; named: Array<[string, number]> }>();
  const flagged = new Set<string>();
  let rank: Map<string, number> | undefined;
  let lastRefresh: number | undefined;
  /** The engine seen last (admission passes it); onBind reads device models through it. */
  let lastView: EngineView | undefined;
  const boundModel = (b: Binding): string | undefined => {
    const d = b.devices[0];
    return d && lastView?.node(b.nodeId)?.devices.find((x) => x.id === d.deviceId)?.model;
  };
  const refresh = (view: EngineView, capacity: readonly number[]): DeservedShares | undefined => {
    if (!tree) return undefined;
    const shares = deservedShares(tree, view.tasks().map((s) => s.task), capacity, opts.backend);
    rank = shares.rank;
    lastRefresh = now();
    return shares;
  };

  const seen = (ts: TaskState, t: number): number => {
    let s = firstSeen.get(ts.id);
    if (s === undefined) firstSeen.set(ts.id, (s = t));
    return s;
  };

  const order: EnginePlugin = {
    name: PLUGIN_NAMES.order,
    compare(a, b) {
      const t = now();
      const pa = rules.effective(a.task, t, seen(a, t));
      const pb = rules.effective(b.task, t, seen(b, t));
      if (pa !== pb) return pb - pa;
      const da = a.task.deadline ?? Infinity;
      const db = b.task.deadline ?? Infinity;
      if (da !== db) return da < db ? -1 : 1;
      if (het) {
        const ha = het.rank(a.task);
        const hb = het.rank(b.task);
        if (ha !== hb) return ha - hb;
      }
      if (rank) {
        const ra = rank.get(a.task.tenant) ?? Infinity;
        const rb = rank.get(b.task.tenant) ?? Infinity;
        if (ra !== rb) return ra < rb ? -1 : 1;
      }
      const aa = a.task.arrival ?? Infinity;
      const ab = b.task.arrival ?? Infinity;
      if (aa !== ab) return aa < ab ? -1 : 1;
      return a.seq - b.seq;
    },
  };

  const admission: EnginePlugin = {
    name: PLUGIN_NAMES.admission,
    admit(ts, view) {
      const t = now();
      seen(ts, t);
      if (tree && every !== undefined && (lastRefresh === undefined || t - lastRefresh >= every)) refresh(view, poolCapacity(view.nodes(), tree.space));
      const task = ts.task;
      if (task.class !== undefined && rules.policy.classes.length > 0 && !rules.classOf(task)) return `unknown priority class "${task.class}"`;
      const miss = rules.deadlineMiss(task, t);
      if (miss && !flagged.has(ts.id)) {
        flagged.add(ts.id);
        emit({ type: 'deadline-miss', taskId: ts.id, reason: miss, at: t });
      }
      const w = rules.windowHold(task, t);
      if (w) return w;
      lastView = view;
      const q = tree?.checkTask(task);
      if (q) return q;
      return ledger?.hold(task.tenant, t) ?? null;
    },
    admitResize(ts: TaskState, next: Task, _patch: ResizePatch, view: EngineView) {
      lastView = view;
      const c = charged.get(ts.id);
      if (!tree || !c || !tree.has(c.tenant)) return null;
      // quotas apply to the growth only: Δ = new − held, positive parts, on the bound model
      const held = tree.fromNamed(c.named);
      const want = tree.space.demandOf(next, ts.binding ? boundModel(ts.binding) : undefined);
      const v = tree.check(c.tenant, want.map((x, k) => Math.max(0, x - held[k])));
      if (v) return TenantTree.reason(v);
      // a larger device share spends the budget faster: refused while the budget is spent
      const share = (t: Task): number => (t.accel ? t.accel.count * t.accel.milli : 0);
      return share(next) > share(ts.task) ? (ledger?.hold(c.tenant, now()) ?? null) : null;
    },
  };

  const accounting: EnginePlugin = {
    name: PLUGIN_NAMES.accounting,
    onBind(b: Binding, ts: TaskState) {
      const t = now();
      startedAt.set(ts.id, t);
      if (tree && tree.has(ts.task.tenant)) {
        // charge the bound device's model: admission checked every model the task could land on
        const vec = tree.space.demandOf(ts.task, boundModel(b));
        tree.charge(ts.task.tenant, vec, 1);
        charged.set(ts.id, { tenant: ts.task.tenant, named: tree.named(vec) });
      }
      ledger?.start(ts.id, ts.task.tenant, b.devices.reduce((s, d) => s + d.milli, 0), t);
      let on = byNode.get(b.nodeId);
      if (!on) byNode.set(b.nodeId, (on = new Map()));
      on.set(ts.id, { task: ts.task, nodeId: b.nodeId, devices: b.devices, startedAt: t });
    },
    onResize(b: Binding, ts: TaskState, _previous: Task) {
      const t = now();
      const c = charged.get(ts.id);
      if (c && tree?.has(c.tenant)) {
        tree.charge(c.tenant, tree.fromNamed(c.named), -1);
        const vec = tree.space.demandOf(ts.task, boundModel(b));
        tree.charge(c.tenant, vec, 1);
        charged.set(ts.id, { tenant: c.tenant, named: tree.named(vec) });
      }
      // the budget meter: settle the old share up to now, meter the new one from now
      ledger?.stop(ts.id, t);
      ledger?.start(ts.id, ts.task.tenant, b.devices.reduce((s, d) => s + d.milli, 0), t);
      const p = byNode.get(b.nodeId)?.get(ts.id);
      if (p) p.task = ts.task;
      if (p) p.devices = b.devices;
    },
    onRelease(b: Binding, ts: TaskState, _why: ReleaseWhy) {
      const c = charged.get(ts.id);
      if (c && tree?.has(c.tenant)) tree.charge(c.tenant, tree.fromNamed(c.named), -1);
      charged.delete(ts.id);
      ledger?.stop(ts.id, now());
      startedAt.delete(ts.id);
      const on = byNode.get(b.nodeId);
      on?.delete(ts.id);
      if (on && on.size === 0) byNode.delete(b.nodeId);
    },
  };

  const snapshot = (view: EngineView): Snapshot => ({
    nodes: view.nodes(),
    running: view.tasks().filter((s) => s.status === 'running' && s.binding).map((s) => ({
      task: s.task, nodeId: s.binding!.nodeId, devices: s.binding!.devices, startedAt: startedAt.get(s.id),
    })),
  });

  // Eviction can only help on a node that runs something: the preemption snapshot is built from
  // the running-task index (O(running tasks)), not from every node and task of the engine.
  const busySnapshot = (view: EngineView): Snapshot => {
    const nodes: Snapshot['nodes'] = [];
    const running: Snapshot['running'] = [];
    for (const [id, on] of byNode) {
      const n = view.node(id);
      if (!n) continue;
      nodes.push(n);
      for (const p of on.values()) running.push(p);
    }
    return { nodes, running };
  };

  const preemption: EnginePlugin = {
    name: PLUGIN_NAMES.preemption,
    preempt(ts, view) {
      lastView = view;
      const t = now();
      // the engine's node rules (the task's constraints, taints, every plugin's filterNode), so
      // no eviction is planned on a node the preemptor could not use anyway
      const filterNode = (n: Node): boolean => view.nodeAllowed(ts, n.id);
      const plan = planPreemption(ts.task, busySnapshot(view), { rules, tree, now: t, backend: opts.backend, filterNode });
      if (!plan || plan.victims.length === 0) return null;
      emit({ type: 'preemption-planned', taskId: ts.id, plan, at: t });
      return plan.victims;
    },
  };

  const plugins = [order, admission, accounting];
  if (opts.preemption !== false) plugins.push(preemption);
  // last: its admit (a dry run) runs only for tasks every other plugin admitted
  if (het) plugins.push(het);
  return {
    plugins, rules, tree, ledger, events, heterogeneity: het, startedAt, snapshot,
    refreshFairShare: refresh,
    planResize(view, taskId, req) {
      return planResize(snapshot(view), taskId, req, tree);
    },
    resize(engine, taskId, req) {
      lastView = engine;
      return engine.resize(taskId, resizePatchOf(req));
    },
    attach(view) {
      lastView = view;
    },
    admitGang(members) {
      const t = now();
      const byQueue = new Map<string, Task[]>();
      for (const m of members) {
        if (m.class !== undefined && rules.policy.classes.length > 0 && !rules.classOf(m)) return `${m.id}: unknown priority class "${m.class}"`;
        const w = rules.windowHold(m, t);
        if (w) return `${m.id}: ${w}`;
        const b = ledger?.hold(m.tenant, t);
        if (b) return `${m.id}: ${b}`;
        byQueue.set(m.tenant, [...(byQueue.get(m.tenant) ?? []), m]);
      }
      if (!tree) return null;
      const sum = (vs: number[][]): number[] => vs.reduce((acc, v) => acc.map((x, k) => x + v[k]), new Array<number>(tree.space.size).fill(0));
      for (const [queue, ms] of byQueue) {
        // the members' summed demand; then, per kind:model quota, as if every member that could
        // land on that model did (the same conservative rule as TenantTree.checkTask)
        const base = tree.check(queue, sum(ms.map((m) => tree.space.demandOf(m))));
        if (base) return TenantTree.reason(base);
        for (const key of tree.space.accelKeys) {
          const [kind, model] = key.split(/:(.*)/s);
          if (model === undefined) continue;
          const could = (m: Task): boolean => m.accel?.kind === kind && m.accel.models?.length !== 1 && (!m.accel.models || m.accel.models.includes(model));
          if (!ms.some(could)) continue;
          const v = tree.check(queue, sum(ms.map((m) => tree.space.demandOf(m, could(m) ? model : undefined))));
          if (v) return `${TenantTree.reason(v)} (members could land on ${model})`;
        }
      }
      return null;
    },
  };
}
