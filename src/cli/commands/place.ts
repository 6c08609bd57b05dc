/**
 * `hetpool place --cluster <file> --tasks <file> [--policy binpack|spread] [--seed N] [--out <file>]
 *   [--tenants <file>] [--classes <file>] [--rules <file>] [--topology <file>] [--actor <name>] [--at <s>]`:
 * one scheduling cycle of the tasks file on the cluster file; writes
 * `{ bindings, unschedulable, summary }` as JSON (stdout without --out). With tenants/classes the
 * policy plugins run (quota, budget, window admission; preemption) and the document gains `held`
 * and `preemptions`; with topology `deviceSets`; with rules `rules` (src/cli/setup.ts). Bad input
 * exits 2 with the file and field path on stderr (`hetpool: tasks.json: tasks[3].accel.milli: …`).
 */
import type { Command } from 'commander';
import { HetpoolError } from '../../model/errors.js';
import { parseCluster, parseTaskList } from '../../model/validate.js';
import { readJsonFile, writeJsonFile } from '../io.js';
import { buildWorld, deviceSetOf, heldOf, loadSource, parsers, preemptionsOf, ruleOf } from '../setup.js';

/** Re-throw a validation error of `file` with the file name in front of the field path. */
function inFile<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof HetpoolError) throw new HetpoolError(e.code, e.path ? `${file}: ${e.path}` : file, e.path ? e.message.slice(e.path.length + 2) : e.message, e.details);
    throw e;
  }
}

export interface PlaceOptions {
  cluster: string;
  tasks: string;
  policy: string;
  seed: string;
  backend: string;
  out?: string;
  tenants?: string;
  classes?: string;
  rules?: string;
  topology?: string;
  actor?: string;
  /** Clock for windows and budgets, seconds (default: now). */
  at?: string;
}

/** Run `place` and return the JSON document it writes. */
export function runPlace(o: PlaceOptions): { bindings: unknown[]; unschedulable: unknown[]; summary: Record<string, unknown>; [k: string]: unknown } {
  if (!/^\d+$/.test(o.seed) || Number(o.seed) > 0xffffffff) throw new HetpoolError('invalid-input', '--seed', `must be an integer in 0..4294967295, got "${o.seed}"`);
  if (o.backend !== 'wasm' && o.backend !== 'ts') throw new HetpoolError('invalid-input', '--backend', `must be wasm or ts, got "${o.backend}"`);
  if (o.at !== undefined && !/^\d+(\.\d+)?$/.test(o.at)) throw new HetpoolError('invalid-input', '--at', `must be seconds ≥ 0, got "${o.at}"`);
  if (o.actor !== undefined && o.tenants === undefined) throw new HetpoolError('invalid-input', '--actor', 'needs --tenants (the roles an actor holds are in the tenant file)');
  const clusterJson = readJsonFile(o.cluster);
  const tasksJson = readJsonFile(o.tasks);
  const cluster = inFile(o.cluster, () => parseCluster(clusterJson));
  const list = inFile(o.tasks, () => parseTaskList(tasksJson));
  const tenants = o.tenants !== undefined ? loadSource({ file: o.tenants }, parsers.tenants) : undefined;
  const classes = o.classes !== undefined ? loadSource({ file: o.classes }, parsers.classes) : undefined;
  const rules = o.rules !== undefined ? loadSource({ file: o.rules }, parsers.rules) : undefined;
  const topology = o.topology !== undefined ? loadSource({ file: o.topology }, parsers.topology) : undefined;
  const world = buildWorld({
    cluster, tenants, classes, rules, topology, policy: o.policy, seed: Number(o.seed), backend: o.backend,
    clock: o.at !== undefined ? Number(o.at) : Math.floor(Date.now() / 1000),
  });
  const { engine } = world;
  if (o.actor !== undefined) world.guard!.submit(o.actor, list.tasks);
  else engine.submit(list.tasks);
  const r = engine.schedule();
  const doc: { bindings: unknown[]; unschedulable: unknown[]; summary: Record<string, unknown>; [k: string]: unknown } = { bindings: r.bindings, unschedulable: r.unschedulable, summary: {} };
  const extra: Record<string, number> = {};
  if (world.policies) {
    const held = r.unschedulable.flatMap((u) => {
      const h = heldOf(u.message);
      return h ? [{ taskId: u.taskId, ...h }] : [];
    });
    const preemptions = preemptionsOf(r.events);
    doc.held = held;
    doc.preemptions = preemptions;
    // victims bound earlier (or in this cycle) that are pending again after the cycle
    doc.requeued = [...new Set(preemptions.flatMap((p) => p.victims.map((v) => v.taskId)))].filter((id) => engine.task(id)?.status === 'pending');
    extra.held = held.length;
    extra.preempted = preemptions.reduce((s, p) => s + p.victims.length, 0);
  }
  if (world.graph) {
    const sets = r.bindings.flatMap((b) => deviceSetOf(world, b) ?? []);
    doc.deviceSets = sets;
  }
  if (world.rules) {
    const running = new Set(r.bindings.map((b) => b.taskId));
    doc.rules = list.tasks.flatMap((t) => ruleOf(world, t.id, running.has(t.id) ? engine.binding(t.id)?.nodeId : undefined) ?? []);
  }
  doc.summary = {
    policy: o.policy,
    seed: Number(o.seed),
    backend: engine.backend,
    nodes: cluster.nodes.length,
    tasks: list.tasks.length,
    bound: r.bindings.length,
    unschedulable: r.unschedulable.length,
    ...extra,
    ...(world.plugins.length > 0 ? { plugins: world.plugins } : {}),
  };
  return doc;
}

export function register(program: Command): void {
  program
    .command('place')
    .description('place a task list on a cluster (one scheduling cycle) and print the bindings as JSON')
    .requiredOption('--cluster <file>', 'cluster JSON file (docs/file-format.md)')
    .requiredOption('--tasks <file>', 'tasks JSON file (docs/file-format.md)')
    .option('--policy <name>', 'scorer: binpack | spread', 'binpack')
    .option('--seed <n>', 'seed of the tie-break between equal scores', '0')
    .option('--backend <kind>', 'wasm | ts (the TypeScript twin)', 'wasm')
    .option('--out <file>', 'write the JSON here instead of stdout')
    .option('--tenants <file>', 'tenant tree with quotas, roles and budgets (as `hetpool tenants check` reads)')
    .option('--classes <file>', 'priority classes (fixtures/policies/priority.json)')
    .option('--rules <file>', 'cloud–edge placement rules (docs/placement-rules.schema.json)')
    .option('--topology <file>', 'topology vertices and links (docs/topology.md)')
    .option('--actor <name>', 'RBAC actor submitting the tasks (needs --tenants)')
    .option('--at <seconds>', 'clock for class windows and budgets, seconds (default: now)')
    .action((opts: PlaceOptions) => {
      const doc = runPlace(opts);
      if (opts.out) writeJsonFile(opts.out, doc);
      else process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    });
}
