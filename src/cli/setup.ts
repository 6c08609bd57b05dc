/**
 * The engine the CLI builds from its input files (`hetpool place`, `hetpool run`): the cluster,
 * and — when given — the tenant tree (quotas, RBAC, budgets), priority classes, cloud–edge
 * placement rules and topology, wired as engine plugins over one clock:
 *
 *   tenants and/or classes → `createPolicies()` (order, admission, accounting, preemption)
 *   topology and/or rules  → `createTopologyPlugin()` (rule filter, device sets), and with rules
 *                            the rules-blended scorer (the engine then decides on its TS twin)
 *   gangs (run only)       → `createGangReservation()` (all-or-nothing, reservation, backfill)
 *
 * Each source is a file path or an inline value (inside a scenario); a validation error names
 * the file and the field path (`tenants.json: tenants[0].limit…`, `scenario.json: topology.links[2].b`).
 */
import { relative, resolve } from 'node:path';
import { createEngine, getScorer } from '../engine/index.js';
import type { Binding, Engine, EngineEvent } from '../engine/types.js';
import { HetpoolError } from '../model/errors.js';
import type { Cluster } from '../model/types.js';
import { parseCluster } from '../model/validate.js';
import { createGangReservation, type GangReservationPlugin } from '../policies/gang-reservation.js';
import { guardEngine, type GuardedEngine } from '../policies/guard.js';
import { createPolicies, type Policies } from '../policies/plugins.js';
import { PriorityRules } from '../policies/priority.js';
import { TenantTree, parseTenantFile } from '../policies/tenants.js';
import { chooseDeviceSet } from '../topology/devices.js';
import { createTopology, type TopologyGraph } from '../topology/graph.js';
import { createTopologyPlugin, type TopologyPlugin } from '../topology/plugin.js';
import { parsePlacementRules, type PlacementRules } from '../topology/rules.js';
import type { EnginePlugin } from '../engine/plugins.js';
import { readJsonFile } from './io.js';

/** The message of a HetpoolError without its `path: ` prefix. */
const bare = (e: HetpoolError): string => (e.path && e.message.startsWith(`${e.path}: `) ? e.message.slice(e.path.length + 2) : e.message);

/** Run `fn`; a HetpoolError it throws gets `prefix` in front of its path (`file: field.path`). */
export function withPrefix<T>(prefix: string, fn: () => T, sep = '.'): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof HetpoolError && prefix) throw new HetpoolError(e.code, e.path ? `${prefix}${sep}${e.path}` : prefix, bare(e), e.details);
    throw e;
  }
}

/** Where an input comes from: a file, or a value inline in a scenario file under `field`. */
export type Source = { file: string } | { inline: unknown; field: string; file: string };

/** Read and parse one input; errors name the file, and the field for inline values. */
export function loadSource<T>(src: Source, parse: (value: unknown) => T): T {
  if ('inline' in src) return withPrefix(`${src.file}: ${src.field}`, () => parse(src.inline));
  const json = readJsonFile(src.file);
  return withPrefix(src.file, () => parse(json), ': ');
}

/** A scenario field that is either inline or a path relative to the scenario file. */
export function sourceOf(value: unknown, field: string, scenarioFile: string): Source {
  if (typeof value === 'string') return { file: relative(process.cwd(), resolve(scenarioFile, '..', value)) || value };
  return { inline: value, field, file: scenarioFile };
}

/** Parsers of each input kind; each throws a HetpoolError whose path is relative to the input's root. */
export const parsers = {
  cluster: (v: unknown): Cluster => parseCluster(v),
  tenants: (v: unknown): TenantTree => new TenantTree(parseTenantFile(v)),
  classes: (v: unknown): PriorityRules => new PriorityRules((v ?? {}) as never, ''),
  rules: (v: unknown): PlacementRules => parsePlacementRules(v),
  topology: (v: unknown): TopologyGraph => createTopology(v),
};

/** Parsed inputs of a world. */
export interface WorldInputs {
  cluster: Cluster;
  tenants?: TenantTree;
  classes?: PriorityRules;
  rules?: PlacementRules;
  topology?: TopologyGraph;
  policy: string;
  seed: number;
  backend: 'wasm' | 'ts';
  /** Start of the clock, seconds. */
  clock: number;
  /** Add the gang reservation plugin (scenarios). */
  gangs?: boolean;
}

/** One engine with its plugins and the state the CLI reads back. */
export interface World {
  engine: Engine;
  clock: { t: number };
  policies?: Policies;
  tree?: TenantTree;
  graph?: TopologyGraph;
  topo?: TopologyPlugin;
  rules?: PlacementRules;
  gangs?: GangReservationPlugin;
  guard?: GuardedEngine;
  /** Names of the plugins, in order. */
  plugins: string[];
}

/** Build the engine and its plugins from parsed inputs, and add the cluster's nodes. */
export function buildWorld(w: WorldInputs): World {
  const clock = { t: w.clock };
  const now = (): number => clock.t;
  const pol = w.tenants || w.classes ? createPolicies({ clock: now, tenants: w.tenants, priority: w.classes, backend: w.backend }) : undefined;
  const topo = w.topology || w.rules ? createTopologyPlugin({ topology: w.topology, rules: w.rules }) : undefined;
  const gangs = w.gangs ? createGangReservation({ clock: now, admitGang: pol ? (m) => pol.admitGang(m) : undefined }) : undefined;
  const plugins: EnginePlugin[] = [...(pol?.plugins ?? []), ...(gangs ? [gangs] : []), ...(topo ? [topo] : [])];
  let engine: Engine | undefined;
  try {
    // rules with preferences steer the node score: the blended scorer (decisions on the TS twin)
    const scorer = topo && w.rules ? topo.scorer(getScorer(w.policy), () => engine) : undefined;
    engine = createEngine({ policy: w.policy, seed: w.seed, backend: w.backend, plugins, ...(scorer ? { scorer } : {}) });
  } catch (e) {
    if (e instanceof HetpoolError && e.path === 'policy') throw new HetpoolError(e.code, '--policy', bare(e));
    throw e;
  }
  for (const n of w.cluster.nodes) engine.addNode(n);
  if (pol) pol.attach(engine);
  return {
    engine, clock, policies: pol, tree: w.tenants, graph: w.topology, topo, rules: w.rules, gangs,
    guard: w.tenants ? guardEngine(engine, w.tenants) : undefined,
    plugins: plugins.map((p) => p.name),
  };
}

/** Why an admission plugin held a task, by kind. */
export type HeldKind = 'quota' | 'budget' | 'window' | 'class' | 'tenant' | 'other';

const NOT_ADMITTED = 'not admitted: ';

/** The admission reason of an unschedulable message, or undefined when the task was not held by admission. */
export function heldOf(message: string): { kind: HeldKind; reason: string } | undefined {
  if (!message.startsWith(NOT_ADMITTED)) return undefined;
  const reason = message.slice(NOT_ADMITTED.length);
  const kind: HeldKind = reason.startsWith('quota:') ? 'quota'
    : reason.startsWith('budget:') ? 'budget'
      : /starts only/.test(reason) ? 'window'
        : /unknown priority class/.test(reason) ? 'class'
          : /unknown tenant/.test(reason) ? 'tenant' : 'other';
  return { kind, reason };
}

/** The device set topology chose for a multi-device binding, with its interconnect class. */
export function deviceSetOf(world: World, b: Binding): { taskId: string; nodeId: string; devices: string[]; affinity?: string; bottleneckGbps?: number } | undefined {
  if (b.devices.length < 2) return undefined;
  const out: { taskId: string; nodeId: string; devices: string[]; affinity?: string; bottleneckGbps?: number } = { taskId: b.taskId, nodeId: b.nodeId, devices: b.devices.map((d) => d.deviceId) };
  const g = world.graph;
  if (g && g.slotOf(b.nodeId) !== undefined) {
    try {
      // the best set among exactly the chosen devices is that set: its class and bottleneck
      const s = chooseDeviceSet(g, b.nodeId, out.devices.length, out.devices);
      if (s) {
        out.affinity = s.affinity;
        out.bottleneckGbps = s.bottleneckGbps;
      }
    } catch {
      // devices the topology does not know: the set is reported without its class
    }
  }
  return out;
}

/** The rule decision for a bound task: which rules fired and which node the rules alone prefer. */
export function ruleOf(world: World, taskId: string, boundTo?: string): { taskId: string; fired: string[]; preferred?: string; boundTo?: string } | undefined {
  if (!world.topo || !world.rules) return undefined;
  const ts = world.engine.task(taskId);
  if (!ts) return undefined;
  const d = world.topo.explain(ts.task, world.engine.nodes());
  return { taskId, fired: d.fired, ...(d.chosen !== undefined ? { preferred: d.chosen } : {}), ...(boundTo !== undefined ? { boundTo } : {}) };
}

/** Preemptions of a list of engine events, grouped by preemptor. */
export function preemptionsOf(events: readonly EngineEvent[]): Array<{ preemptor: string; victims: Array<{ taskId: string; nodeId: string }> }> {
  const by = new Map<string, Array<{ taskId: string; nodeId: string }>>();
  for (const e of events) {
    if (e.type !== 'preempted') continue;
    const k = e.by ?? '(none)';
    if (!by.has(k)) by.set(k, []);
    by.get(k)!.push({ taskId: e.displaced.taskId, nodeId: e.displaced.nodeId });
  }
  return [...by].map(([preemptor, victims]) => ({ preemptor, victims }));
}
