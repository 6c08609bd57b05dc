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
  /** The parser's `group` (see AgentParser): merge keeps one fragment per group and node. */
  group?: string;
  /** From a `fallback` parser (see AgentParser): its devices count only where no other agent reported any. */
  fallback?: boolean;
}

export interface ParseOptions {
  /** Name of the input for error messages (`file.txt`). */
  source?: string;
  /**
   * Node id of the inventory. Wins over a host name the output prints (DCGM `Hostname`, CSV
   * `hostname`, hwloc `HostName`); without either the node is `local` (lib/context.ts).
   */
  nodeId?: string;
}

/** A pure parser of one agent's output format. */
export interface AgentParser {
  /** Registry name, e.g. `nvidia-smi-xml`, `npu-smi`, `lscpu-json`. */
  readonly name: string;
  /** The command that produces this output, for docs and `hetpool discover`. */
  readonly command?: string[];
  /**
   * Parsers of one group read the same facts through different tools (`cpu`: lscpu-json,
   * lscpu-text, proc-cpuinfo; `infiniband`: ibstat, ibv_devinfo, ibstatus). Discovery runs a
   * group's parsers in registry order and keeps the first that parses (`alternativeGroups`);
   * merge keeps the first fragment of a group for each node, so the facts never count twice.
   */
  readonly group?: string;
  /**
   * A cross-vendor source whose devices repeat what a vendor tool reports under its own ids
   * (gpustack-runtime): merge uses its fragment's devices and topology only for nodes no other
   * fragment reported devices for.
   */
  readonly fallback?: boolean;
  /** Cheap check used by `--agent auto`: does this text look like this agent's output only? */
  detect(text: string): boolean;
  /** Parse; throws HetpoolError('parse-error', '<source>:<line>', …) when nothing usable is found. */
  parse(text: string, options?: ParseOptions): Inventory;
}
