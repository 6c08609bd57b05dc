/**
 * The capacity plan: size the cheapest node mix with the MILP, then check it by simulation (the
 * discrete-event simulator driving the real engine over the same workload). When the simulation
 * misses the target — fragmentation, peaks of different groups that coincide, placement rules the
 * LP does not model — add headroom to the groups whose tasks waited too long or never fit (their
 * own request-shape group and their device kind, or `all` for CPU-only tasks) and solve again, for
 * a few rounds, and report every round: "LP says X, simulation says Y".
 */
import { HetpoolError, type Task } from '../../model/index.js';
import { simulate, type SimEngine, type SimulationResult } from '../des/index.js';
import { clusterOf, type PriceCatalog } from './catalog.js';
import { demandOf, requestKeyOf, type Demand, type Dims } from './demand.js';
import { sizeCluster, type Sizing } from './milp.js';

/** Options of {@link plan}. */
export interface PlanOptions {
  /** The workload; called once per pass (demand, then once per simulated round), so a file can be streamed each time. */
  workload: () => Iterable<Task>;
  catalog: PriceCatalog;
  /** Peak demand fills at most this share of capacity (default 0.9 unless targetWait is given). */
  targetAllocation?: number;
  /** Instead: p99 waiting time in seconds the simulation must meet (sizes at allocation 1). */
  targetWait?: number;
  /** With targetAllocation: the p99 wait the simulation may show and still meet it (default 0 s: placed on arrival). */
  maxWait?: number;
  /** Headroom of the first round for every group (default 0.05), and added per missed round to each group that missed (default 0.1). */
  headroom?: number;
  headroomStep?: number;
  /** At most this many rounds (default 4). */
  rounds?: number;
  /** Simulate each answer (default true). */
  simulate?: boolean;
  policy?: string;
  seed?: number;
  backend?: 'wasm' | 'ts';
  /** A fresh engine per round instead of createEngine (tests). */
  engine?: () => SimEngine;
}

/** The simulated check of one round. */
export interface PlanCheck {
  placed: number;
  failedToPlace: number;
  wait: SimulationResult['wait'];
  peak: SimulationResult['peak'];
  utilisation: SimulationResult['utilisation'];
  reasons: SimulationResult['reasons'];
  /** Request groups whose tasks waited longer than the target or never fit (most first). */
  late: Array<{ key: string; tasks: number }>;
}

/** One solve (and its check). */
export interface PlanRound {
  round: number;
  headroom: number;
  /** Extra headroom per group this round, on top of `headroom`. */
  groupHeadroom: Record<string, number>;
  sizing: Sizing;
  nodes: Array<{ type: string; count: number; pricePerHour: number }>;
  simulation?: PlanCheck;
  met?: boolean;
  /** Why the simulation missed the target. */
  missed?: string;
}

/** The plan: the demand it sized for, every round, and the answer. */
export interface PlanResult {
  target: { allocation: number; wait: number };
  tasks: number;
  demand: Array<{ key: string; tasks: number; peak: Dims }>;
  unservable: Demand['unservable'];
  rounds: PlanRound[];
  /** The last round: met the target, or the best effort after the last round. */
  answer: PlanRound;
  met: boolean | undefined;
}

/** Size the cheapest cluster for a workload and check it by simulation. */
export async function plan(options: PlanOptions): Promise<PlanResult> {
  const { catalog } = options;
  if (options.targetAllocation !== undefined && options.targetWait !== undefined) throw new HetpoolError('invalid-input', 'targetWait', 'give either a target allocation or a target wait, not both');
  if (options.targetWait !== undefined && !(options.targetWait >= 0)) throw new HetpoolError('invalid-input', 'targetWait', 'must be a number ≥ 0 (seconds)');
  const alloc = options.targetWait !== undefined ? 1 : (options.targetAllocation ?? 0.9);
  if (!(alloc > 0 && alloc <= 1)) throw new HetpoolError('invalid-input', 'targetAllocation', 'must be a number in (0, 1]');
  const wait = options.targetWait ?? options.maxWait ?? 0;
  const rounds = options.rounds ?? 4;
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20)) throw new HetpoolError('invalid-input', 'rounds', 'must be an integer in 1..20');
  const step = options.headroomStep ?? 0.1;
  if (!(step > 0)) throw new HetpoolError('invalid-input', 'headroomStep', 'must be a number > 0');
  let headroom = options.headroom ?? 0.05;
  if (!(headroom >= 0)) throw new HetpoolError('invalid-input', 'headroom', 'must be a number ≥ 0');

  const demand = demandOf(options.workload(), catalog.nodeTypes);
  const unservableKeys = new Set(demand.unservable.map((u) => u.key));
  const result: PlanResult = {
    target: { allocation: alloc, wait },
    tasks: demand.tasks,
    demand: demand.groups.map((g) => ({ key: g.key, tasks: g.tasks, peak: { ...g.peak } })),
    unservable: demand.unservable,
    rounds: [],
    answer: undefined as unknown as PlanRound,
    met: undefined,
  };
  const extra: Record<string, number> = {};
  for (let k = 1; k <= rounds; k++) {
    const sizing = await sizeCluster(demand, catalog, { targetAllocation: alloc, headroom, groupHeadroom: extra });
    const round: PlanRound = {
      round: k, headroom, groupHeadroom: { ...extra }, sizing,
      nodes: catalog.nodeTypes.map((t, i) => ({ type: t.name, count: sizing.counts[i], pricePerHour: t.pricePerHour })).filter((x) => x.count > 0),
    };
    result.rounds.push(round);
    result.answer = round;
    if (options.simulate === false) break;
    const nodes = clusterOf(catalog, sizing.counts);
    // Tasks no node type can serve are left out of the check as they were out of the sizing.
    const servable = function* (): Generator<Task> {
      for (const t of options.workload()) if (unservableKeys.size === 0 || !isUnservable(t, unservableKeys)) yield t;
    };
    // Late tasks by the groups whose capacity would have helped them: their own request shape and
    // their allowed models (or device kind), or every node (`all`) for a CPU-only task.
    const late = new Map<string, number>();
    const placedIds = new Set<string>();
    const blame = (t: Task) => {
      const a = t.accel;
      const keys = a ? [requestKeyOf(t), a.models ? `models ${a.kind} ${[...new Set(a.models)].sort().join('|')}` : `kind ${a.kind}`] : t.arch || t.form ? [requestKeyOf(t), 'all'] : ['all'];
      for (const key of keys) late.set(key, (late.get(key) ?? 0) + 1);
    };
    const onPlaced = (t: Task, w: number) => {
      placedIds.add(t.id);
      if (w > wait) blame(t);
    };
    const sim = simulate({ cluster: { nodes }, workload: servable(), policy: options.policy, seed: options.seed ?? 1, backend: options.backend, engine: options.engine?.(), sampleInterval: 0, onPlaced });
    if (sim.failedToPlace > 0) for (const t of servable()) if (!placedIds.has(t.id)) blame(t);
    round.simulation = {
      placed: sim.placed, failedToPlace: sim.failedToPlace, wait: sim.wait, peak: sim.peak, utilisation: sim.utilisation, reasons: sim.reasons.slice(0, 5),
      late: [...late].map(([key, tasks]) => ({ key, tasks })).sort((a, b) => b.tasks - a.tasks || (a.key < b.key ? -1 : 1)),
    };
    const misses: string[] = [];
    if (sim.failedToPlace > 0) misses.push(`${sim.failedToPlace} tasks never placed (${sim.reasons[0]?.reason ?? 'no reason'})`);
    if (sim.wait.p99 > wait) misses.push(`p99 wait ${fmtSeconds(sim.wait.p99)} > ${fmtSeconds(wait)}`);
    round.met = misses.length === 0;
    if (!round.met) round.missed = misses.join('; ');
    result.met = round.met;
    if (round.met) break;
    for (const key of late.keys()) extra[key] = Math.round(((extra[key] ?? 0) + step) * 1e9) / 1e9;
  }
  return result;
}

const isUnservable = (t: Task, keys: Set<string>): boolean => keys.has(requestKeyOf(t));

/** Seconds as "0 s", "42.5 s", "3.2 min", "1.5 h". */
export function fmtSeconds(s: number): string {
  if (s < 120) return `${Math.round(s * 10) / 10} s`;
  if (s < 7200) return `${Math.round(s / 6) / 10} min`;
  return `${Math.round(s / 360) / 10} h`;
}
