/**
 * `hetpool place --cluster <file> --tasks <file> [--policy binpack|spread] [--seed N] [--out <file>]`:
 * one scheduling cycle of the tasks file on the cluster file; writes
 * `{ bindings, unschedulable, summary }` as JSON (stdout without --out). Bad input exits 2 with
 * the file and field path on stderr (`hetpool: tasks.json: tasks[3].accel.milli: …`).
 */
import type { Command } from 'commander';
import { createEngine } from '../../engine/index.js';
import { HetpoolError } from '../../model/errors.js';
import { parseCluster, parseTaskList } from '../../model/validate.js';
import { readJsonFile, writeJsonFile } from '../io.js';

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
}

/** Run `place` and return the JSON document it writes. */
export function runPlace(o: PlaceOptions): { bindings: unknown[]; unschedulable: unknown[]; summary: Record<string, unknown> } {
  if (!/^\d+$/.test(o.seed) || Number(o.seed) > 0xffffffff) throw new HetpoolError('invalid-input', '--seed', `must be an integer in 0..4294967295, got "${o.seed}"`);
  if (o.backend !== 'wasm' && o.backend !== 'ts') throw new HetpoolError('invalid-input', '--backend', `must be wasm or ts, got "${o.backend}"`);
  const clusterJson = readJsonFile(o.cluster);
  const tasksJson = readJsonFile(o.tasks);
  const cluster = inFile(o.cluster, () => parseCluster(clusterJson));
  const list = inFile(o.tasks, () => parseTaskList(tasksJson));
  let engine;
  try {
    engine = createEngine({ policy: o.policy, seed: Number(o.seed), backend: o.backend });
  } catch (e) {
    if (e instanceof HetpoolError && e.path === 'policy') throw new HetpoolError(e.code, '--policy', e.message.slice(e.path.length + 2));
    throw e;
  }
  for (const n of cluster.nodes) engine.addNode(n);
  engine.submit(list.tasks);
  const r = engine.schedule();
  return {
    bindings: r.bindings,
    unschedulable: r.unschedulable,
    summary: {
      policy: o.policy,
      seed: Number(o.seed),
      backend: engine.backend,
      nodes: cluster.nodes.length,
      tasks: list.tasks.length,
      bound: r.bindings.length,
      unschedulable: r.unschedulable.length,
    },
  };
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
    .action((opts: PlaceOptions) => {
      const doc = runPlace(opts);
      if (opts.out) writeJsonFile(opts.out, doc);
      else process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    });
}
