/**
 * Heterogeneity-aware targets in the engine's rounds (issue 4 item 3): the Gavel max-min
 * allocation of `heterogeneityTargets` (gavel.ts, Narayanan et al. OSDI'20) turned into an engine
 * plugin that (a) orders the queue so tenants furthest below their target normalised throughput
 * go first, and (b) steers each device task toward the device models where its tenant is under
 * its target.
 *
 * Rounds. GLPK loads asynchronously (glpk.js; its solve is synchronous), so the LP is solved
 * between rounds by an explicit `await plugin.refresh(engine)` — or, after `await plugin.ready()`,
 * the synchronous `plugin.refreshNow(engine)` in a synchronous loop — once per round, never per
 * decision; `schedule()` itself never solves. Identical inputs (same device counts, demands,
 * throughputs) reuse the last solution.
 *
 * Order key (`rank`): achieved / target, ×10⁶, where achieved_j = Σ_k T[j][k]·u[j][k] (u = milli
 * of model k the tenant's running tasks hold now) and target_j = Σ_k T[j][k]·x[j][k] (x = the LP's
 * milli). 0 = furthest below target; 10⁶ = on target, also the key of a tenant without targets.
 * Kept up to date by onBind/onRelease (O(models) per bind), so a comparison is O(1).
 *
 * Steering (`filterNode`, volatile): for a task of the configured device kind whose tenant has
 * targets, the preferred models are those where the tenant's remaining target x − u covers the
 * task's own need (count × 1000, or its milli), else those where x − u > 0; none → no
 * preference. In `admit` (run it last among the plugins) the task is placed tentatively with the
 * preference and the placement discarded; if it does not fit, the preference is dropped for this
 * decision, so the preference never makes a task unschedulable that fits without it. The filter
 * works per node; on a node with several models `chooseDevices` takes preferred devices first
 * (whole devices: preferred, then others, in node order; a share: best fit among the preferred).
 * Cost: one extra tentative placement per steered decision, and the per-task node mask any
 * filterNode costs (O(nodes) per task and round). `engine.place`/`tentative()` (no admit) are
 * never steered.
 */
import type { Binding, Engine, EngineView, TaskState } from '../engine/types.js';
import type { DeviceCandidate, EnginePlugin } from '../engine/plugins.js';
import { HetpoolError } from '../model/errors.js';
import type { Node, Task } from '../model/types.js';
import { heterogeneityTargetsSync, loadGlpk, type GavelInput } from './gavel.js';

/** Default name of the plugin. */
export const HETEROGENEITY_PLUGIN_NAME = 'heterogeneity';

/** Options of `createHeterogeneityPlugin`. */
export interface HeterogeneityOptions {
  /** key (tenant or class) → device model → relative throughput of its work on one such device. */
  throughput: Record<string, Record<string, number>>;
  /** What the throughput keys name (default 'tenant'). */
  by?: 'tenant' | 'class';
  /** Device kind the targets are about (default 'gpu'). */
  kind?: string;
  /** key → weight of its equal share (default 1). */
  weights?: Record<string, number>;
  /**
   * Weight of a key not in `weights`, read at each refresh (createPolicies passes the tenant
   * tree's hierarchical share when keys are tenants and `weights` is not given); undefined → 1.
   */
  weightOf?: (key: string) => number | undefined;
  /** Plugin name (default 'heterogeneity'). */
  name?: string;
  /**
   * Steer tasks toward under-target models (default true); ordering is unaffected. `false` leaves
   * out the steering hooks altogether (admit, filterNode, chooseDevices), which keeps the engine's
   * batch placement.
   */
  steer?: boolean;
}

/** The targets of one refresh. */
export interface HeterogeneityTargets {
  /** Device models of the kind (healthy, schedulable nodes) and their counts. */
  types: Array<{ id: string; count: number }>;
  /** key → model → target milli of devices (1000 = one device full time). */
  target: Map<string, Map<string, number>>;
  /** key → normalised throughput ×1000 of the target (1000 = as good as its weighted equal share). */
  normalised: Map<string, number>;
  /** key → demand in devices (Σ count, or milli/1000 for a share, over its pending and running tasks). */
  demand: Map<string, number>;
  /** LP solves this refresh used (0 = the inputs were unchanged, the last solution reused). */
  solves: number;
}

/** The plugin with its round API. */
export interface HeterogeneityPlugin extends EnginePlugin {
  /** Recompute the targets from the engine (between rounds: before `schedule()`). */
  refresh(view: EngineView): Promise<HeterogeneityTargets>;
  /** Load the solver once; afterwards `refreshNow` works synchronously. */
  ready(): Promise<void>;
  /** `refresh` without awaiting: needs `ready()` to have resolved (else HetpoolError 'internal'). */
  refreshNow(view: EngineView): HeterogeneityTargets;
  /** One round: `refresh(engine)` then `engine.schedule()`. */
  scheduleRound(engine: Engine): Promise<ReturnType<Engine['schedule']>>;
  /** The targets of the last refresh (undefined before the first). */
  readonly targets: HeterogeneityTargets | undefined;
  /** LP solves since creation (every refresh adds its `solves`). */
  readonly solverCalls: number;
  /** Decisions where the preference was dropped because the task fitted only elsewhere. */
  readonly fallbacks: number;
  /** Order key of a task: achieved/target ×10⁶ of its key (10⁶ without targets); lower = first. */
  rank(task: Task): number;
  /** Models a task would be steered to now (null: no preference). */
  preferredModels(task: Task): string[] | null;
  /** Turn steering on or off at run time (needs `steer` not false at creation). */
  steering: boolean;
}

const ON_TARGET = 1_000_000;

/** Create the plugin; call `await plugin.refresh(engine)` before each `schedule()` round. */
export function createHeterogeneityPlugin(opts: HeterogeneityOptions): HeterogeneityPlugin {
  if (!opts || typeof opts.throughput !== 'object' || opts.throughput === null) throw new HetpoolError('invalid-input', 'heterogeneity.throughput', 'must be an object key → model → throughput');
  for (const [key, row] of Object.entries(opts.throughput)) {
    if (typeof row !== 'object' || row === null) throw new HetpoolError('invalid-input', `heterogeneity.throughput.${key}`, 'must be an object model → throughput');
    for (const [m, v] of Object.entries(row)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new HetpoolError('invalid-input', `heterogeneity.throughput.${key}.${m}`, 'must be a finite number ≥ 0');
    }
  }
  for (const [key, w] of Object.entries(opts.weights ?? {})) {
    if (typeof w !== 'number' || !(w > 0) || !Number.isFinite(w)) throw new HetpoolError('invalid-input', `heterogeneity.weights.${key}`, 'must be a finite number > 0');
  }
  const kind = opts.kind ?? 'gpu';
  const keyOf = (t: Task): string | undefined => (opts.by === 'class' ? t.class : t.tenant);
  let targets: HeterogeneityTargets | undefined;
  let lastInput = '';
  let solverCalls = 0;
  let fallbacks = 0;
  let lastView: EngineView | undefined;
  /** key → model → milli held by running tasks. */
  const usage = new Map<string, Map<string, number>>();
  /** key → order key (achieved/target ×10⁶). */
  const ranks = new Map<string, number>();
  /**
   * The decision being steered: the task admitted last and its preferred models. The engine
   * places a task right after admitting it, so one slot suffices; bind/release/next admit clear it.
   */
  let prefId: string | undefined;
  const prefModels = new Set<string>();
  const prefOf = (id: string): Set<string> | undefined => (id === prefId ? prefModels : undefined);

  const needOf = (t: Task): number => {
    const a = t.accel;
    if (!a) return 0;
    return a.exclusive || a.milli >= 1000 ? a.count * 1000 : a.milli;
  };
  const modelOf = (nodeId: string, deviceId: string): string | undefined => lastView?.node(nodeId)?.devices.find((d) => d.id === deviceId && d.kind === kind)?.model;
  const rerank = (key: string): void => {
    const x = targets?.target.get(key);
    const T = opts.throughput[key];
    if (!x || !T) {
      ranks.delete(key);
      return;
    }
    const u = usage.get(key);
    let want = 0;
    let got = 0;
    for (const [m, milli] of x) want += (T[m] ?? 0) * milli;
    if (u) for (const [m, milli] of u) got += (T[m] ?? 0) * milli;
    ranks.set(key, want > 0 ? Math.floor((got * ON_TARGET) / want) : ON_TARGET);
  };
  const weightEntry = (key: string): { weight?: number } => {
    const w = opts.weights?.[key] ?? opts.weightOf?.(key);
    if (w === undefined) return {};
    if (!(w > 0) || !Number.isFinite(w)) throw new HetpoolError('invalid-input', `heterogeneity.weights.${key}`, `must be a finite number > 0 (got ${w})`);
    return { weight: w };
  };
  /** task id → what its binding was charged (released exactly, even if its node is gone). */
  const charged = new Map<string, { key: string; held: Array<[string, number]> }>();
  const charge = (b: Binding, ts: TaskState): void => {
    const key = keyOf(ts.task);
    if (key === undefined || ts.task.accel?.kind !== kind) return;
    let u = usage.get(key);
    if (!u) usage.set(key, (u = new Map()));
    const held: Array<[string, number]> = [];
    for (const d of b.devices) {
      const m = modelOf(b.nodeId, d.deviceId);
      if (m === undefined) continue;
      u.set(m, (u.get(m) ?? 0) + d.milli);
      held.push([m, d.milli]);
    }
    charged.set(ts.id, { key, held });
    rerank(key);
  };
  const uncharge = (id: string): void => {
    const c = charged.get(id);
    if (!c) return;
    charged.delete(id);
    const u = usage.get(c.key);
    if (u) for (const [m, milli] of c.held) u.set(m, (u.get(m) ?? 0) - milli);
    rerank(c.key);
  };

  const plugin: HeterogeneityPlugin = {
    name: opts.name ?? HETEROGENEITY_PLUGIN_NAME,
    volatileFilter: true,
    steering: opts.steer !== false,
    get targets() {
      return targets;
    },
    get solverCalls() {
      return solverCalls;
    },
    get fallbacks() {
      return fallbacks;
    },

    async ready(): Promise<void> {
      await loadGlpk();
    },

    async refresh(view: EngineView): Promise<HeterogeneityTargets> {
      await loadGlpk();
      return plugin.refreshNow(view);
    },

    async scheduleRound(engine: Engine) {
      await plugin.refresh(engine);
      return engine.schedule();
    },

    refreshNow(view: EngineView): HeterogeneityTargets {
      lastView = view;
      const counts = new Map<string, number>();
      for (const n of view.nodes()) {
        if (n.health !== 'healthy' || !n.schedulable) continue;
        for (const d of n.devices) if (d.kind === kind && d.health === 'healthy') counts.set(d.model, (counts.get(d.model) ?? 0) + 1);
      }
      const types = [...counts].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([id, count]) => ({ id, count }));
      const demand = new Map<string, number>();
      usage.clear();
      charged.clear();
      for (const s of view.tasks()) {
        const key = keyOf(s.task);
        if (key === undefined || s.task.accel?.kind !== kind || !opts.throughput[key]) continue;
        demand.set(key, (demand.get(key) ?? 0) + needOf(s.task) / 1000);
        if (s.status === 'running' && s.binding) charge(s.binding, s);
      }
      const input: GavelInput = {
        types,
        tenants: [...demand].map(([id, d]) => ({
          id, demand: d, ...weightEntry(id),
          throughput: Object.fromEntries(types.map((ty) => [ty.id, opts.throughput[id][ty.id] ?? 0])),
        })),
      };
      const sig = JSON.stringify(input);
      let solves = 0;
      if (sig !== lastInput || !targets) {
        const r = heterogeneityTargetsSync(input);
        solves = r.solves;
        solverCalls += solves;
        lastInput = sig;
        targets = { types, target: r.allocation, normalised: r.normalised, demand, solves };
      } else {
        targets = { ...targets, demand, solves: 0 };
      }
      prefId = undefined;
      ranks.clear();
      for (const key of demand.keys()) rerank(key);
      return targets;
    },

    rank(task: Task): number {
      const key = keyOf(task);
      return key === undefined ? ON_TARGET : (ranks.get(key) ?? ON_TARGET);
    },

    preferredModels(task: Task): string[] | null {
      const key = keyOf(task);
      const a = task.accel;
      if (key === undefined || !a || a.kind !== kind || !targets) return null;
      const x = targets.target.get(key);
      if (!x) return null;
      const u = usage.get(key);
      const need = needOf(task);
      const covers: string[] = [];
      const under: string[] = [];
      for (const [m, milli] of x) {
        if (a.models && !a.models.includes(m)) continue;
        const left = milli - (u?.get(m) ?? 0);
        if (left >= need) covers.push(m);
        else if (left > 0) under.push(m);
      }
      const models = covers.length > 0 ? covers : under;
      // a preference that keeps every model of the pool is no preference
      return models.length === 0 || models.length === targets.types.length ? null : models;
    },

    compare(a: TaskState, b: TaskState): number {
      // standalone order: priority first (it dominates), then furthest below target first
      return b.task.priority - a.task.priority || plugin.rank(a.task) - plugin.rank(b.task);
    },

    admit(ts: TaskState, view: EngineView): string | null {
      lastView = view;
      prefId = undefined;
      if (!plugin.steering) return null;
      const models = plugin.preferredModels(ts.task);
      const engine = view as Partial<Engine>;
      if (!models || typeof engine.tentative !== 'function' || typeof engine.invalidateFilters !== 'function') return null;
      prefId = ts.id;
      prefModels.clear();
      for (const m of models) prefModels.add(m);
      engine.invalidateFilters(ts.id);
      // dry run with the preference: keep it only if the task fits on a preferred model now
      const tx = engine.tentative();
      let fits = false;
      try {
        fits = 'nodeId' in tx.place(ts.task);
      } finally {
        tx.discard();
      }
      if (!fits) {
        prefId = undefined;
        engine.invalidateFilters(ts.id);
        fallbacks++;
      }
      return null;
    },

    filterNode(ts: TaskState, node: Node): boolean {
      const p = prefOf(ts.id);
      if (!p || !plugin.steering) return true;
      for (const d of node.devices) if (d.kind === kind && p.has(d.model)) return true;
      return false;
    },

    chooseDevices(ts: TaskState, node: Node, candidates: readonly DeviceCandidate[]): string[] | null {
      // on a node with several models, take the preferred ones first (the filter works per node)
      const p = prefOf(ts.id);
      const a = ts.task.accel;
      if (!p || !plugin.steering || !a) return null;
      const isPreferred = (c: DeviceCandidate): boolean => p.has(node.devices[c.index].model);
      if (!candidates.some(isPreferred)) return null;
      if (a.exclusive || a.milli >= 1000) {
        const picked = [...candidates.filter(isPreferred), ...candidates.filter((c) => !isPreferred(c))].slice(0, a.count);
        return picked.length === a.count ? picked.map((c) => c.deviceId) : null;
      }
      // a share: best fit among the preferred devices (fewest milli free, then lower index)
      let best: DeviceCandidate | undefined;
      for (const c of candidates) if (isPreferred(c) && (!best || c.milliFree < best.milliFree)) best = c;
      return best ? [best.deviceId] : null;
    },

    onBind(b: Binding, ts: TaskState): void {
      if (ts.id === prefId) prefId = undefined;
      charge(b, ts);
    },

    onRelease(_b: Binding, ts: TaskState): void {
      if (ts.id === prefId) prefId = undefined;
      uncharge(ts.id);
    },
  };
  if (opts.steer === false) {
    // order only: without a filter, admit or chooser the engine keeps its batch path and
    // shared masks (a filterNode costs a mask of O(nodes) per task and round)
    delete plugin.admit;
    delete plugin.filterNode;
    delete plugin.chooseDevices;
    delete plugin.volatileFilter;
    plugin.steering = false;
  }
  return plugin;
}
