/**
 * `hetpool inventory`: parse captured agent outputs (and remote sources) into the unified cluster
 * JSON. `--agent auto` recognises each file's format with the parsers' `detect`.
 *
 *   hetpool inventory --agent auto --file q.txt --file topo.txt --node gpu-01 [--out cluster.json]
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { HetpoolError } from '../../model/errors.js';
import type { Sharing } from '../../model/types.js';
import { mergeInventories, toClusterJson, type MergeResult } from '../../adapters/merge.js';
import { defaultParsers } from '../../adapters/registry.js';
import { catalogToInventory, parseCloudCatalog } from '../../adapters/remote/catalog.js';
import { scrapeDcgm } from '../../adapters/remote/dcgm.js';
import { edgeToInventory, parseEdgeSite } from '../../adapters/remote/edge.js';
import { listKubernetesNodes, parseKubeconfig } from '../../adapters/remote/kubernetes.js';
import type { Inventory } from '../../adapters/types.js';
import { readJsonFile, writeFileAtomic, writeJsonFile } from '../io.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** `--sharing` value → default Sharing for devices no agent partitioned. */
export function sharingOption(v: string | undefined): Sharing | undefined {
  if (v === undefined || v === 'exclusive') return v === undefined ? undefined : { mode: 'exclusive' };
  const m = /^time-slice(?::(\d+))?$/.exec(v);
  if (m) {
    const n = m[1] === undefined ? 16 : Number(m[1]);
    if (n < 1 || n > 1024) throw new HetpoolError('invalid-input', '--sharing', 'time-slice:<n> needs 1 ≤ n ≤ 1024');
    return { mode: 'time-slice', maxSlices: n, oversubscription: 1000 };
  }
  throw new HetpoolError('invalid-input', '--sharing', `must be exclusive or time-slice[:<max slices>], got "${v}"`);
}

/** Print the merge (cluster JSON to stdout or --out; topology to --topology) and its warnings to stderr. */
export function emitMerge(r: MergeResult, opts: { out?: string; topology?: string; quiet?: boolean }): void {
  const json = `${JSON.stringify(toClusterJson(r), null, 2)}\n`;
  if (opts.out) writeFileAtomic(opts.out, json);
  else process.stdout.write(json);
  if (opts.topology) writeJsonFile(opts.topology, { vertices: r.vertices, links: r.links });
  if (!opts.quiet) for (const w of r.warnings) process.stderr.write(`warning: ${w.at}: ${w.message}\n`);
  if (opts.out) process.stderr.write(`wrote ${r.nodes.length} node(s), ${r.nodes.reduce((a, n) => a + n.devices.length, 0)} device(s) to ${opts.out}\n`);
}

/** Register `hetpool inventory`. */
export function register(program: Command): void {
  program
    .command('inventory')
    .description('parse captured agent outputs (nvidia-smi, npu-smi, lscpu, DCGM, Kubernetes, …) into the unified cluster JSON')
    .option('--agent <name>', 'parser name, or auto to recognise each file', 'auto')
    .option('--file <path>', 'captured output (repeatable)', collect, [])
    .option('--node <id>', 'node id for outputs that do not name their host')
    .option('--dcgm-url <url>', 'also scrape a DCGM-exporter endpoint (repeatable)', collect, [])
    .option('--kubeconfig <file>', 'also read nodes from the Kubernetes API server of this kubeconfig (GET /api/v1/nodes)')
    .option('--catalog <file>', 'also attach the instances of a cloud catalogue (repeatable)', collect, [])
    .option('--edge <file>', 'also attach an edge site inventory (repeatable)', collect, [])
    .addOption(new Option('--sharing <mode>', 'sharing of devices no agent partitioned: exclusive | time-slice[:<n>]'))
    .option('--out <file>', 'write the cluster JSON here instead of stdout')
    .option('--topology <file>', 'write topology vertices and links here')
    .option('--timeout <ms>', 'timeout of each remote request', '10000')
    .option('--list', 'list the known parsers and exit')
    .action(async (o: { agent: string; file: string[]; node?: string; dcgmUrl: string[]; kubeconfig?: string; catalog: string[]; edge: string[]; sharing?: string; out?: string; topology?: string; timeout: string; list?: boolean }) => {
      const reg = defaultParsers();
      if (o.list) {
        for (const p of reg.list()) process.stdout.write(`${p.name.padEnd(24)} ${p.command?.join(' ') ?? ''}\n`);
        return;
      }
      const defaultSharing = sharingOption(o.sharing);
      const timeoutMs = Number(o.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new HetpoolError('invalid-input', '--timeout', 'must be a positive integer (ms)');
      if (!o.file.length && !o.dcgmUrl.length && !o.kubeconfig && !o.catalog.length && !o.edge.length) {
        throw new HetpoolError('invalid-input', '--file', 'give at least one --file (or --dcgm-url, --kubeconfig, --catalog, --edge)');
      }
      const fixed = o.agent === 'auto' ? undefined : reg.get(o.agent);
      const fragments: Inventory[] = [];
      for (const file of o.file) {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (e) {
          throw new HetpoolError('invalid-input', file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        }
        const parser = fixed ?? reg.detectOrThrow(text, file);
        fragments.push(parser.parse(text, { source: file, ...(o.node ? { nodeId: o.node } : {}) }));
      }
      for (const url of o.dcgmUrl) fragments.push(await scrapeDcgm(url, { timeoutMs, ...(o.node ? { nodeId: o.node } : {}) }));
      if (o.kubeconfig) {
        let text: string;
        try {
          text = readFileSync(o.kubeconfig, 'utf8');
        } catch (e) {
          throw new HetpoolError('invalid-input', o.kubeconfig, `cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        }
        fragments.push(await listKubernetesNodes(parseKubeconfig(text, { source: o.kubeconfig }), { timeoutMs }));
      }
      for (const f of o.catalog) fragments.push(catalogToInventory(parseCloudCatalog(readJsonFile(f), f), f));
      for (const f of o.edge) fragments.push(edgeToInventory(parseEdgeSite(readJsonFile(f), f), f));
      emitMerge(mergeInventories(fragments, { ...(defaultSharing ? { defaultSharing } : {}) }), o);
    });
}
