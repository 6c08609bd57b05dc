/**
 * `hetpool tenants …`: the tenant tree from the command line (§12b quotas with RBAC, §9.1b fair
 * share).
 *   tenants check <file>                          validate; print the tree with quotas and budgets
 *   tenants can <file> <actor> <action> <target>  RBAC question; a denial exits 2 with the reason
 *   tenants shares <file> --cluster <f> --tasks <f> [--backend wasm|ts] [--out <f>]
 *                                                 deserved shares (hierarchical DRF) as JSON
 * Bad input exits 2 with the file and field path (`hetpool: tenants.json: tenants[0].limit…`).
 */
import type { Command } from 'commander';
import { HetpoolError } from '../../model/errors.js';
import { parseCluster, parseTaskList } from '../../model/validate.js';
import { ActionSchema } from '../../policies/rbac.js';
import { deservedShares, poolCapacity } from '../../policies/fairshare.js';
import { TenantTree, parseTenantFile, type Tenant } from '../../policies/tenants.js';
import { readJsonFile, writeJsonFile } from '../io.js';

/** Re-throw a validation error of `file` with the file name in front of the field path. */
function inFile<T>(file: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof HetpoolError && e.code === 'invalid-input') throw new HetpoolError(e.code, e.path ? `${file}: ${e.path}` : file, e.path ? e.message.slice(e.path.length + 2) : e.message, e.details);
    throw e;
  }
}

const loadTree = (file: string): TenantTree => {
  const json = readJsonFile(file);
  return new TenantTree(inFile(file, () => parseTenantFile(json)));
};

/** Non-zero, finite entries of a dense vector as `dim=value` pairs. */
const show = (tree: TenantTree, v: number[], absent: number): string => {
  const parts = v.map((x, k) => (x !== absent && Number.isFinite(x) ? `${tree.space.dims[k]}=${x}` : '')).filter(Boolean);
  return parts.length ? parts.join(' ') : '-';
};

/** The tree as indented text lines (one per tenant). */
export function describeTree(tree: TenantTree): string[] {
  const depth = (t: Tenant): number => (t.parent ? 1 + depth(t.parent) : 0);
  return tree.all().map((t) => {
    const b = t.budget ? ` budget=${t.budget.deviceHours}dh/${t.budget.windowHours}h` : '';
    return `${'  '.repeat(depth(t))}${t.id} (${t.kind}, weight ${t.weight}) guaranteed: ${show(tree, t.guaranteed, 0)}; limit: ${show(tree, t.limit, Infinity)}${b}`;
  });
}

export interface SharesOptions {
  cluster: string;
  tasks: string;
  backend: string;
  out?: string;
}

/** Deserved shares of every tenant for the tasks on the cluster, as a JSON document. */
export function runShares(file: string, o: SharesOptions): { dims: string[]; tenants: Array<{ id: string; kind: string; deserved: Record<string, number> }>; order: string[] } {
  if (o.backend !== 'wasm' && o.backend !== 'ts') throw new HetpoolError('invalid-input', '--backend', `must be wasm or ts, got "${o.backend}"`);
  const tree = loadTree(file);
  const clusterJson = readJsonFile(o.cluster);
  const tasksJson = readJsonFile(o.tasks);
  const cluster = inFile(o.cluster, () => parseCluster(clusterJson));
  const list = inFile(o.tasks, () => parseTaskList(tasksJson));
  const s = deservedShares(tree, list.tasks, poolCapacity(cluster.nodes, tree.space), o.backend);
  return {
    dims: s.dims,
    tenants: tree.all().map((t) => ({
      id: t.id,
      kind: t.kind,
      deserved: Object.fromEntries(s.deserved.get(t.id)!.map((x, k) => [s.dims[k], x] as const).filter(([, x]) => x !== 0)),
    })),
    order: s.order,
  };
}

export function register(program: Command): void {
  const cmd = program.command('tenants').description('tenant tree: validate, ask RBAC, compute fair shares');
  cmd
    .command('check <file>')
    .description('validate a tenant file and print the tree with quotas and budgets')
    .action((file: string) => {
      const tree = loadTree(file);
      process.stdout.write(`${describeTree(tree).join('\n')}\n${tree.roles.length} role binding(s); ok\n`);
    });
  cmd
    .command('can <file> <actor> <action> <target>')
    .description(`may <actor> do <action> (${ActionSchema.options.join('|')}) on tenant <target> (or * for the pool)?`)
    .action((file: string, actor: string, action: string, target: string) => {
      const tree = loadTree(file);
      const a = ActionSchema.safeParse(action);
      if (!a.success) throw new HetpoolError('invalid-input', '<action>', `must be one of ${ActionSchema.options.join(', ')}, got "${action}"`);
      if (target !== '*' && !tree.has(target)) throw new HetpoolError('not-found', '<target>', `unknown tenant "${target}"`);
      tree.authorize(actor, a.data, target);
      process.stdout.write(`allowed: ${actor} may ${a.data} on ${target === '*' ? 'the pool' : target}\n`);
    });
  cmd
    .command('shares <file>')
    .description('deserved shares per tenant (hierarchical weighted DRF) for a task list on a cluster, as JSON')
    .requiredOption('--cluster <file>', 'cluster JSON file')
    .requiredOption('--tasks <file>', 'tasks JSON file (task.tenant names a queue)')
    .option('--backend <kind>', 'wasm | ts (the TypeScript twin)', 'wasm')
    .option('--out <file>', 'write the JSON here instead of stdout')
    .action((file: string, opts: SharesOptions) => {
      const doc = runShares(file, opts);
      if (opts.out) writeJsonFile(opts.out, doc);
      else process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    });
}
