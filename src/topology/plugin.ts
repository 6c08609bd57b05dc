/**
 * Integration with the engine (src/engine, docs/engine.md):
 * - `createTopologyPlugin` — an EnginePlugin whose `filterNode` applies the cloud–edge rules'
 *   hard parts (require.*, latency budgets from the data source) and pins gang members to the
 *   nodes `placeGang` chose; whose `chooseDevices` gives a multi-device task the best-connected
 *   set among the devices that fit on the node the kernel chose (`chooseDeviceSet`: one NVLink
 *   island before one PCIe switch before one NUMA node …); `scorer(base)` returns an engine
 *   Scorer that blends a base scorer (binpack/spread) with the rules' preferences (formula below).
 * - `placeGang(engine, topology, plugin, gang)` — topology-aware placement of all members through
 *   the engine's `tentative()` transaction: every member binds, or none does.
 *
 * Blend (0..100 scale of the engine's scorers): with p = the node's rule points and P = the best
 * points of any eligible node for the task, score = ⌊(base + ⌊100·p / P⌋) / 2⌋; when no rule
 * gives points (P = 0) the base score is kept unchanged.
 */
import { HetpoolError } from '../model/errors.js';
import type { Node, Task, TaskInput } from '../model/types.js';
import { parseTask } from '../model/validate.js';
import type { Binding, DeviceCandidate, Engine, EnginePlugin, EngineView, Scorer, NodeResources, TaskState } from '../engine/index.js';
import { chooseDeviceSet, deviceMatrix } from './devices.js';
import { type GangPlacement, type GangRequestInput, placeGangOnTopology } from './gang.js';
import type { TopologyGraph } from './graph.js';
import {
  type PlacementRules, type PlacementRulesInput, type RuleDecision, type RuleTask, type SiteCandidate,
  decidePlacement, networkLatencyMs, parsePlacementRules, ruleTaskOf,
} from './rules.js';

/** Options of the topology plugin. */
export interface TopologyPluginOptions {
  /** Plugin name (default 'topology'). */
  name?: string;
  topology?: TopologyGraph;
  /** A rules document (validated here; errors name `rules.rules[2]…`). */
  rules?: PlacementRulesInput | unknown;
}

/** The plugin, with the handles placeGang and callers use. */
export interface TopologyPlugin extends EnginePlugin {
  /** Member task id → node id, set by placeGang while it places a gang. */
  readonly pins: Map<string, string>;
  /** Member task id → gang id of gangs placed by placeGang; a gang leaves `topology.placements` when its last member ends. */
  readonly gangOf: Map<string, string>;
  /** The rules decision for `task` over `nodes`, explained. */
  explain(task: Task, nodes: readonly Node[]): RuleDecision;
  /** An engine Scorer blending `base` with the rules' preferences; `view` gives the candidate nodes. */
  scorer(base: Scorer, view: () => EngineView | undefined, name?: string): Scorer;
}

const candidateOf = (n: Node): SiteCandidate => {
  const c: SiteCandidate = { id: n.id, form: n.form };
  if (n.site !== undefined) c.site = n.site;
  if (n.pricePerHour !== undefined) c.pricePerHour = n.pricePerHour;
  return c;
};

/** Create the plugin (pass it to `createEngine({ plugins: [plugin] })`). */
export function createTopologyPlugin(opts: TopologyPluginOptions = {}): TopologyPlugin {
  const rules: PlacementRules | undefined = opts.rules ? parsePlacementRules(opts.rules, 'rules') : undefined;
  const g = opts.topology;
  const pins = new Map<string, string>();
  const ruleTasks = new WeakMap<Task, RuleTask>();
  // Network latency per (source, target), valid for one topology version.
  let latVersion = -1;
  const lat = new Map<string, number | undefined>();
  const latencyOf = (t: RuleTask, c: SiteCandidate): number | undefined => {
    if (!g || t.dataSource === undefined) return undefined;
    if (latVersion !== g.version) {
      lat.clear();
      latVersion = g.version;
    }
    const key = `${t.dataSource}\u0000${c.id}\u0000${c.site ?? ''}`;
    if (!lat.has(key)) lat.set(key, networkLatencyMs(g, t.dataSource, c));
    return lat.get(key);
  };
  const ruleTask = (task: Task): RuleTask => {
    let r = ruleTasks.get(task);
    if (!r) {
      r = ruleTaskOf(task);
      ruleTasks.set(task, r);
    }
    return r;
  };
  const decide = (task: Task, nodes: readonly Node[]): RuleDecision =>
    decidePlacement(rules ?? { version: 1, rules: [] }, ruleTask(task), nodes.map(candidateOf), g, latencyOf);
  const decisions = new WeakMap<Task, { nodes: number; d: RuleDecision; byId: Map<string, number> }>();

  const gangOf = new Map<string, string>();
  const live = new Map<string, number>();
  return {
    name: opts.name ?? 'topology',
    pins,
    gangOf,
    onBind(b: Binding): void {
      const gang = gangOf.get(b.taskId);
      if (gang !== undefined) live.set(gang, (live.get(gang) ?? 0) + 1);
    },
    onRelease(b: Binding): void {
      const gang = gangOf.get(b.taskId);
      if (gang === undefined) return;
      gangOf.delete(b.taskId);
      const left = (live.get(gang) ?? 1) - 1;
      if (left > 0) live.set(gang, left);
      else {
        live.delete(gang);
        g?.placements.delete(gang);
      }
    },
    chooseDevices(ts: TaskState, node: Node, candidates: readonly DeviceCandidate[]): string[] | null {
      // only whole multi-device tasks have an interconnect to optimise; the node must be in the
      // topology with its devices (a coarse topology from node fields knows none)
      const a = ts.task.accel;
      if (!g || !a || a.count < 2 || a.profile || g.slotOf(node.id) === undefined) return null;
      let set;
      try {
        const known = new Set(deviceMatrix(g, node.id).devices);
        const free = candidates.map((c) => c.deviceId).filter((id) => known.has(`${node.id}/${id}`));
        set = chooseDeviceSet(g, node.id, a.count, free);
      } catch {
        return null; // a node the device search cannot take (more than 64 devices): the kernel's choice stands
      }
      if (!set) return null;
      const prefix = node.id.length + 1;
      return set.devices.map((full) => full.slice(prefix));
    },
    filterNode(ts: TaskState, node: Node): boolean {
      const pin = pins.get(ts.id);
      if (pin !== undefined) return pin === node.id;
      if (!rules) return true;
      return decide(ts.task, [node]).candidates[0].eligible;
    },
    explain: decide,
    scorer(base: Scorer, view: () => EngineView | undefined, name = `${base.name}+rules`): Scorer {
      return {
        name,
        devices: base.devices ?? 'binpack',
        scoreNode(task: Task, res: NodeResources): number {
          const b = base.scoreNode(task, res);
          const v = view();
          if (!rules || !v) return b;
          let c = decisions.get(task);
          const nodes = v.nodes();
          if (!c || c.nodes !== nodes.length) {
            const d = decide(task, nodes);
            c = { nodes: nodes.length, d, byId: new Map(d.candidates.map((x) => [x.id, x.eligible ? x.score : 0])) };
            decisions.set(task, c);
          }
          const best = Math.max(0, ...c.byId.values());
          if (best <= 0) return b;
          const p = c.byId.get(res.nodeId) ?? 0;
          return Math.floor((b + Math.floor((100 * p) / best)) / 2);
        },
      };
    },
  };
}

/** A gang for the engine: its members are ordinary tasks, placed all together or not at all. */
export interface EngineGang {
  id: string;
  members: TaskInput[];
  maxTier?: GangRequestInput['maxTier'];
  soft?: GangRequestInput['soft'];
  degradedPenalty?: number;
  /** Link indices to avoid (re-placement after a link event). */
  avoidLinks?: number[];
  /** Per-node base score 0..100 (e.g. binpack/spread from the caller); default 0. */
  baseScore?: (node: Node) => number;
}

/** Outcome of placeGang. */
export type EngineGangResult =
  | { status: 'placed'; placement: Extract<GangPlacement, { status: 'placed' }>; bindings: Binding[] }
  | { status: 'unschedulable'; reason: string };

/** Devices a member needs on its node: whole devices, or one device for a fractional share. */
const demandOf = (t: Task): number => (t.accel ? (t.accel.milli === 1000 ? t.accel.count : 1) : 0);

/**
 * Place every member of `gang` on the engine, topology-aware: the topology kernel chooses the
 * nodes (lowest tier, widest bottleneck, base score), then each member is placed on its node
 * inside one `engine.tentative()` transaction; if any member does not bind, the transaction is
 * discarded and nothing changes. The engine must have been created with `plugin` among its
 * plugins (it pins members to their nodes, and its `chooseDevices` picks each multi-device
 * member's best-connected devices). Pins change a member's filter, so each pin is followed by
 * `engine.invalidateFilters(member)`: the same member ids can be placed again later.
 */
export function placeGang(engine: Engine, topology: TopologyGraph, plugin: TopologyPlugin, gang: EngineGang): EngineGangResult {
  if (!engine.tasks || typeof engine.tentative !== 'function') throw new HetpoolError('invalid-input', 'engine', 'not an engine');
  const members = gang.members.map((m, i) => parseTask(m, `gang.members[${i}]`));
  const ids = new Set<string>();
  members.forEach((m, i) => {
    if (ids.has(m.id)) throw new HetpoolError('invalid-input', `gang.members[${i}].id`, `duplicate member id "${m.id}"`);
    ids.add(m.id);
  });
  const kind = members.find((m) => m.accel)?.accel?.kind;
  // Whole devices in use, from the engine's bindings.
  const used = new Set<string>();
  for (const t of engine.tasks()) if (t.status === 'running' && t.binding) for (const d of t.binding.devices) used.add(`${t.binding.nodeId}/${d.deviceId}`);
  const candidates = engine
    .nodes()
    .filter((n) => n.health === 'healthy' && n.schedulable && topology.slotOf(n.id) !== undefined)
    .map((n) => {
      const free = n.devices.filter((d) => d.health === 'healthy' && (!kind || d.kind === kind) && !used.has(`${n.id}/${d.id}`));
      return { node: n.id, freeDevices: free.length, freeDeviceIds: free.map((d) => d.id).slice(0, 64), baseScore: Math.max(0, Math.min(100, Math.round(gang.baseScore?.(n) ?? 0))) };
    });
  const request: GangRequestInput = {
    members: members.map((m) => ({ id: m.id, devices: demandOf(m) })),
    chooseDevices: false,
    ...(gang.maxTier !== undefined ? { maxTier: gang.maxTier } : {}),
    ...(gang.soft !== undefined ? { soft: gang.soft } : {}),
    ...(gang.degradedPenalty !== undefined ? { degradedPenalty: gang.degradedPenalty } : {}),
    ...(gang.avoidLinks !== undefined ? { avoidLinks: gang.avoidLinks } : {}),
  };
  const placement = placeGangOnTopology(topology, request, candidates);
  if (placement.status !== 'placed') return placement;
  for (const m of members) plugin.gangOf.set(m.id, gang.id);
  const tx = engine.tentative();
  const bindings: Binding[] = [];
  try {
    for (let i = 0; i < members.length; i++) {
      const node = placement.members[i].node;
      plugin.pins.set(members[i].id, node);
      engine.invalidateFilters(members[i].id);
      const r = tx.place(gang.members[i]);
      if (!('nodeId' in r)) {
        tx.discard();
        for (const m of members) plugin.gangOf.delete(m.id);
        return { status: 'unschedulable', reason: `member ${members[i].id} does not fit on ${node}: ${r.message}` };
      }
      if (r.nodeId !== node) {
        // cannot happen while the pin filter holds: a broken plugin wiring, said loudly
        throw new HetpoolError('internal', 'placeGang', `member ${members[i].id} was placed on ${r.nodeId}, not ${node}: is the plugin among the engine's plugins?`);
      }
      bindings.push(r);
    }
    tx.commit();
  } catch (e) {
    for (const m of members) plugin.gangOf.delete(m.id);
    try {
      tx.discard();
    } catch {
      // already closed
    }
    throw e;
  } finally {
    for (const m of members) {
      plugin.pins.delete(m.id);
      engine.invalidateFilters(m.id); // unpinned: a requeued member may go anywhere again
    }
  }
  topology.placements.set(gang.id, { nodes: placement.nodes, devices: bindings.flatMap((b) => b.devices.map((d) => `${b.nodeId}/${d.deviceId}`)) });
  return { status: 'placed', placement, bindings };
}
