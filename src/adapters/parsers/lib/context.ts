/**
 * One parse run: where errors point (`<source>:<line>`), the warnings gathered on the way, and
 * the collection of what was read. `finish()` is the last gate before an Inventory leaves a
 * parser: every device, vertex and link is checked against the model schema and every metric
 * must be a finite, non-negative number — whatever fails is dropped with a warning, so a
 * half-read value can never reach the scheduler as NaN or a wrong number.
 */
import { HetpoolError } from '../../../model/errors.js';
import { DeviceSchema } from '../../../model/schema.js';
import { TopologyLinkSchema, TopologyVertexSchema } from '../../../model/topology.js';
import type { DeviceInput, NodeInput } from '../../../model/types.js';
import type { TopologyLinkInput, TopologyVertex } from '../../../model/topology.js';
import { MetricUnit, type MetricName } from '../../metrics.js';
import type { Inventory, MetricSample, ParseOptions, ParseWarning } from '../../types.js';

/** Metrics some vendor tools report that the shared list (src/adapters/metrics.ts) lacks. */
export const EXTRA_METRIC_UNIT = {
  /** VRAM% of tools that show no absolute memory (rocm-smi concise, hy-smi). */
  'device.memory.used.ratio': 'ratio',
  /** cnmon's "Ecc-Error" column (not split into correctable/uncorrectable). */
  'device.ecc.error.count': '1',
  /** xpu-smi stats "Reset". */
  'device.reset.count': '1',
} as const;
/** A metric name a vendor parser may emit: the shared ones plus EXTRA_METRIC_UNIT. */
export type VendorMetricName = MetricName | keyof typeof EXTRA_METRIC_UNIT;

type HealthEntry = NonNullable<Inventory['health']>[number];
type InventoryNode = Inventory['nodes'][number];

/** Node id rule shared by all parsers: the host the output names, else the caller's, else `local`. */
export function resolveNodeId(fromOutput: string | undefined, options: ParseOptions | undefined): string {
  const host = fromOutput?.trim();
  if (host && /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/.test(host)) return host;
  return options?.nodeId ?? 'local';
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
  nodeId: string;

  constructor(readonly agent: string, readonly options: ParseOptions = {}) {
    this.source = options.source ?? agent;
    this.nodeId = resolveNodeId(undefined, options);
  }

  /** `<source>:<line>` (1-based line; 0 means the input as a whole). */
  at(line: number): string {
    return line > 0 ? `${this.source}:${line}` : this.source;
  }

  warn(line: number, message: string): void {
    this.warnings.push({ at: this.at(line), message });
  }

  /** Abort: nothing usable. */
  fail(line: number, message: string): never {
    throw new HetpoolError('parse-error', this.at(line), `${this.agent}: ${message}`);
  }

  /** `<nodeId>/<local>` — the id namespace of src/model/topology.ts. */
  target(local: string): string {
    return `${this.nodeId}/${local}`;
  }

  /**
   * Record a metric (unit from the shared table) if its value is a finite number ≥ 0; a missing
   * value (N/A) is skipped silently, an impossible one with a warning.
   */
  metric(line: number, target: string, metric: VendorMetricName, value: number | undefined): void {
    if (value === undefined) return;
    if (!Number.isFinite(value) || value < 0) {
      this.warn(line, `${metric} for ${target}: impossible value ${value}, dropped`);
      return;
    }
    const unit = (MetricUnit as Record<string, string>)[metric] ?? (EXTRA_METRIC_UNIT as Record<string, string>)[metric];
    this.metrics.push({ metric, target, value, unit });
  }

  /**
   * Assemble the Inventory. Throws parse-error when nothing at all was read (`requireSomething`
   * names what was expected).
   */
  finish(requireSomething: string): Inventory {
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
    if (devices.length === 0 && !hasNodeFacts && vertices.length === 0 && links.length === 0 && this.metrics.length === 0) {
      const why = this.warnings.length ? ` (${this.warnings[0].at}: ${this.warnings[0].message})` : '';
      this.fail(0, `no ${requireSomething} found${why}`);
    }
    const node: InventoryNode = { ...this.node, id: this.nodeId };
    if (devices.length) node.devices = devices;
    const inv: Inventory = { source: `${this.agent}:${this.source}`, nodes: [node], warnings: this.warnings };
    if (vertices.length) inv.vertices = vertices;
    if (links.length) inv.links = links;
    if (this.metrics.length) inv.metrics = this.metrics;
    if (this.health.length) inv.health = this.health;
    return inv;
  }
}

/** Split text into lines (LF or CRLF); line numbers elsewhere are index + 1. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}
