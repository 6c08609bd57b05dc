/**
 * The southbound adapter contract. A parser turns one agent's captured output (text) into an
 * `Inventory` fragment in the unified model; an adapter discovers (and may watch) live sources.
 * Adapters import only `src/model`.
 */
import type { DeviceInput, NodeInput } from '../model/types.js';
import type { TopologyLinkInput, TopologyVertex } from '../model/topology.js';

/** One normalised metric sample (§11.1c: vendor metrics in one format). */
export interface MetricSample {
  /** e.g. `device.utilization.ratio`, `device.memory.used.mib`, `device.temperature.celsius`, `device.power.watts`, `device.ecc.uncorrectable.count`, `device.xid.last`, `link.state` */
  metric: string;
  /** `<nodeId>/<deviceId>` or a link/vertex id. */
  target: string;
  value: number;
  unit: string;
  /** Seconds since the epoch when the source said so; absent for captured files without time. */
  timestamp?: number;
}

export interface ParseWarning {
  /** `<source>:<line>` where known. */
  at: string;
  message: string;
}

/**
 * What one agent tells us. `node` carries node-level facts the agent knows (arch and CPU from
 * lscpu, labels from Kubernetes); `devices` the accelerators it sees; `links`/`vertices` topology.
 * Several fragments for the same node id merge into one node (see merge.ts).
 */
export interface Inventory {
  source: string; // agent name + file, e.g. `nvidia-smi-xml:fixtures/agents/…`
  nodes: Array<Partial<NodeInput> & { id: string; devices?: DeviceInput[] }>;
  vertices?: TopologyVertex[];
  links?: TopologyLinkInput[];
  metrics?: MetricSample[];
  /** Devices found unhealthy by health rules, with the rule that fired. */
  health?: Array<{ target: string; health: 'healthy' | 'unhealthy' | 'unknown'; reason: string }>;
  warnings: ParseWarning[];
}

export interface ParseOptions {
  /** Name of the input for error messages (`file.txt`). */
  source?: string;
  /** Node id to give the inventory when the output does not name the host. */
  nodeId?: string;
}

/** A pure parser of one agent's output format. */
export interface AgentParser {
  /** Registry name, e.g. `nvidia-smi-xml`, `npu-smi`, `lscpu-json`. */
  readonly name: string;
  /** The command that produces this output, for docs and `hetpool discover`. */
  readonly command?: string[];
  /** Cheap check used by `--agent auto`: does this text look like this agent's output? */
  detect(text: string): boolean;
  /** Parse; throws HetpoolError('parse-error', '<source>:<line>', …) when nothing usable is found. */
  parse(text: string, options?: ParseOptions): Inventory;
}
