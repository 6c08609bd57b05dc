/**
 * One parse run, the one implementation every parser uses: where errors and warnings point
 * (`<source>:<line>`), the node id rule, and the collection of what was read. `finish()` is the
 * last gate before an Inventory leaves a parser that collects through the context: every device,
 * vertex and link is checked against the model schema and every metric must be a finite,
 * non-negative number — whatever fails is dropped with a warning, so a half-read value can never
 * reach the scheduler as NaN or a wrong number.
 */
import { HetpoolError } from '../../model/errors.js';
import { DeviceSchema } from '../../model/schema.js';
import { TopologyLinkSchema, TopologyVertexSchema } from '../../model/topology.js';
import type { DeviceInput, NodeInput } from '../../model/types.js';
import type { TopologyLinkInput, TopologyVertex } from '../../model/topology.js';
import { metricSample, type MetricName } from '../metrics.js';
import type { AgentParser, Inventory, MetricSample, ParseOptions, ParseWarning } from '../types.js';

type HealthEntry = NonNullable<Inventory['health']>[number];
type InventoryNode = Inventory['nodes'][number];

/**
 * Node id of an inventory when neither the caller nor the output names the host. Not a host
 * name on purpose (`localhost` would read as one): fragments without a node id merge into one
 * node `local`; `hetpool discover` always passes the real host name.
 */
export const DEFAULT_NODE_ID = 'local';

/** A host name an agent printed, usable as a node id (RFC 1123 characters, ≤ 253). */
const HOST = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

/**
 * Node id rule shared by all parsers of one host's agent: the caller's `options.nodeId` (so
 * `--node` puts every fragment of a discovery on one node), else the host the output names
 * (DCGM `Hostname`, CSV `hostname`, hwloc `HostName`) when it is a valid host name, else
 * `DEFAULT_NODE_ID`. Sources that describe many nodes (Kubernetes) name each node themselves.
 */
export function resolveNodeId(options: ParseOptions | undefined, fromOutput?: string): string {
  if (options?.nodeId) return options.nodeId;
  const host = fromOutput?.trim();
  if (host && HOST.test(host)) return host;
  return DEFAULT_NODE_ID;
}

/** Parse state for one run of one parser. */
export class ParseContext {
  /** The input's name for messages (`options.source`, else the parser name). */
  readonly source: string;
  readonly warnings: ParseWarning[] = [];
  readonly devices: DeviceInput[] = [];
  readonly metrics: MetricSample[] = [];
  readonly health: HealthEntry[] = [];
  readonly vertices: TopologyVertex[] = [];
  readonly links: TopologyLinkInput[] = [];
  /** Node-level facts (arch, cpuMilli, labels…) found in the output. */
  node: Partial<NodeInput> = {};
  /** The node id (see `resolveNodeId`); `nameNode` applies a host name found in the output. */
  nodeId: string;
  /** The parser's name. */
  readonly agent: string;
  private readonly parser: Pick<AgentParser, 'name' | 'group' | 'fallback'>;

  /** `parser`: the parser itself (its group/fallback mark the inventory) or just its name. */
  constructor(parser: string | Pick<AgentParser, 'name' | 'group' | 'fallback'>, readonly options: ParseOptions = {}) {
    this.parser = typeof parser === 'string' ? { name: parser } : parser;
    this.agent = this.parser.name;
    this.source = options.source ?? this.agent;
    this.nodeId = resolveNodeId(options);
  }

  /** Apply the node id rule with the host name the output printed (if any); returns the id. */
  nameNode(fromOutput: string | undefined): string {
    this.nodeId = resolveNodeId(this.options, fromOutput);
    return this.nodeId;
  }

  /** `Inventory.source`: `<agent>:<source>` (just the agent when no source was given). */
  get inventorySource(): string {
    return this.source === this.agent ? this.agent : `${this.agent}:${this.source}`;
  }

  /** `<source>:<line>` (1-based line; 0 means the input as a whole). */
  at(line: number): string {
    return line > 0 ? `${this.source}:${line}` : this.source;
  }

  /** Record a warning located at `line`. */
  warn(line: number, message: string): void {
    this.warnings.push({ at: this.at(line), message });
  }

  /** Abort: nothing usable. HetpoolError('parse-error', '<source>:<line>', message). */
  fail(line: number, message: string): never {
    throw new HetpoolError('parse-error', this.at(line), message);
  }

  /** `<nodeId>/<local>` — the id namespace of src/model/topology.ts. */
  target(local: string): string {
    return `${this.nodeId}/${local}`;
  }

  /**
   * Record a metric (unit from the shared table) if its value is a finite number ≥ 0; a missing
   * value (N/A) is skipped silently, an impossible one with a warning.
   */
  metric(line: number, target: string, metric: MetricName, value: number | undefined): void {
    if (value === undefined) return;
    const s = metricSample(metric, target, value);
    if (s) this.metrics.push(s);
    else this.warn(line, `${metric} for ${target}: impossible value ${value}, dropped`);
  }

  /** An empty inventory of this run (for parsers that assemble their own). */
  inventory(): Inventory {
    const inv: Inventory = { source: this.inventorySource, nodes: [], warnings: this.warnings };
    if (this.parser.group) inv.group = this.parser.group;
    if (this.parser.fallback) inv.fallback = true;
    return inv;
  }

  /**
   * Assemble the Inventory from what was collected. Throws parse-error when nothing at all was
   * read (`requireSomething` names what was expected) unless `allowEmpty` (an agent that says
   * "0 devices attached" has said something).
   */
  finish(requireSomething: string, options: { allowEmpty?: boolean } = {}): Inventory {
    const devices: DeviceInput[] = [];
    const seen = new Set<string>();
    for (const d of this.devices) {
      const r = DeviceSchema.safeParse(d);
      if (!r.success) {
        const i = r.error.issues[0];
        this.warn(0, `device ${d.id}: ${i.path.join('.')}: ${i.message}; device dropped`);
      } else if (seen.has(d.id)) {
        this.warn(0, `device ${d.id} appears twice; second one dropped`);
      } else {
        seen.add(d.id);
        devices.push(d);
      }
    }
    const vertices = this.vertices.filter((v) => {
      const ok = TopologyVertexSchema.safeParse(v).success;
      if (!ok) this.warn(0, `topology vertex ${v.id}: invalid, dropped`);
      return ok;
    });
    const links = this.links.filter((l) => {
      const ok = TopologyLinkSchema.safeParse(l).success;
      if (!ok) this.warn(0, `topology link ${l.a}–${l.b}: invalid, dropped`);
      return ok;
    });
    const hasNodeFacts = Object.keys(this.node).length > 0;
    if (!options.allowEmpty && devices.length === 0 && !hasNodeFacts && vertices.length === 0 && links.length === 0 && this.metrics.length === 0) {
      const why = this.warnings.length ? ` (${this.warnings[0].at}: ${this.warnings[0].message})` : '';
      this.fail(0, `${this.agent}: no ${requireSomething} found${why}`);
    }
    const node: InventoryNode = { ...this.node, id: this.nodeId };
    if (devices.length) node.devices = devices;
    const inv = this.inventory();
    inv.nodes.push(node);
    if (vertices.length) inv.vertices = vertices;
    if (links.length) inv.links = links;
    if (this.metrics.length) inv.metrics = this.metrics;
    if (this.health.length) inv.health = this.health;
    return inv;
  }
}
