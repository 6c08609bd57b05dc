/**
 * Heterogeneous cluster generator: a valid model Cluster with the proportions of NODE_SHAPES —
 * x86_64/aarch64/riscv64; hardware/cloud/edge; NVIDIA and domestic GPUs, Ascend NPUs, FPGAs,
 * ASICs; exclusive, time-sliced and partitioned devices; sites and racks; prices; a few unhealthy
 * nodes and devices. Same options and seed → the same cluster, byte for byte.
 */
import { Labels, parseCluster, HetpoolError, type Arch, type Cluster, type DeviceInput, type Form, type NodeInput, type Sharing } from '../../model/index.js';
import { Rng } from '../random.js';
import { DEVICE_MODELS, FORM_PRICE_FACTOR, NODE_SHAPES, PRICE_PER_CORE_HOUR, PRICE_PER_GIB_HOUR, type DeviceModel, type NodeShape } from './hardware.js';

/** Options of {@link generateCluster}. */
export interface ClusterOptions {
  /** Number of nodes (1..1,000,000). */
  nodes: number;
  seed?: number;
  /** Override shape weights by shape name (0 removes a shape); unknown names are an error. */
  mix?: Record<string, number>;
  /** Probability that a device is unhealthy (default 0.005). */
  unhealthyDeviceRate?: number;
  /** Probability that a node is unhealthy (default 0.002). */
  unhealthyNodeRate?: number;
  /** Nodes per rack in hardware sites (default 32). */
  rackSize?: number;
  /** Number of sites per form (default: hardware 3, cloud 2 regions, edge 8). */
  sites?: Partial<Record<Form, number>>;
}

const pickWeighted = <K extends string>(rng: Rng, w: Partial<Record<K, number>>): K => {
  const keys = Object.keys(w) as K[];
  return rng.weighted(keys, keys.map((k) => w[k] ?? 0));
};
const pickOne = <T>(rng: Rng, a: readonly T[]): T => a[rng.int(a.length)];
const round2 = (x: number): number => Math.round(x * 100) / 100;

function checkOptions(o: ClusterOptions): void {
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > 1_000_000) throw new HetpoolError('invalid-input', 'options.nodes', 'must be an integer in 1..1000000');
  if (o.seed !== undefined && !Number.isInteger(o.seed)) throw new HetpoolError('invalid-input', 'options.seed', 'must be an integer');
  for (const k of ['unhealthyDeviceRate', 'unhealthyNodeRate'] as const) {
    const v = o[k];
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new HetpoolError('invalid-input', `options.${k}`, 'must be a number in 0..1');
  }
  if (o.rackSize !== undefined && !(Number.isInteger(o.rackSize) && o.rackSize >= 1)) throw new HetpoolError('invalid-input', 'options.rackSize', 'must be a positive integer');
  for (const [form, k] of Object.entries(o.sites ?? {})) {
    if (!['hardware', 'cloud', 'edge'].includes(form)) throw new HetpoolError('invalid-input', `options.sites.${form}`, 'must be one of hardware, cloud, edge');
    if (!(Number.isInteger(k) && k >= 1 && k <= 1000)) throw new HetpoolError('invalid-input', `options.sites.${form}`, 'must be an integer in 1..1000');
  }
  for (const [name, w] of Object.entries(o.mix ?? {})) {
    if (!NODE_SHAPES.some((s) => s.name === name)) throw new HetpoolError('invalid-input', `options.mix.${name}`, `unknown node shape (known: ${NODE_SHAPES.map((s) => s.name).join(', ')})`);
    if (!(w >= 0)) throw new HetpoolError('invalid-input', `options.mix.${name}`, 'must be a number ≥ 0');
  }
  const shapes = NODE_SHAPES.filter((s) => (o.mix?.[s.name] ?? s.weight) > 0);
  if (shapes.length === 0) throw new HetpoolError('invalid-input', 'options.mix', 'leaves no node shape with a positive weight');
}

function sharingOf(rng: Rng, m: DeviceModel): Sharing {
  const mode = pickWeighted(rng, m.sharing);
  if (mode === 'partition' && m.profiles) return { mode: 'partition', profiles: m.profiles.map((p) => ({ ...p })) };
  // Time-slice: vGPU counts as HAMi and vendor vGPU managers configure them (16 on big cards, 8 on T4-class).
  if (mode === 'timeSlice') return { mode: 'time-slice', maxSlices: m.memoryMiB >= 32 * 1024 ? 16 : 8, oversubscription: 1000 };
  return { mode: 'exclusive' };
}

/** Sites per form: named `dc-1…`, `cloud-<region>`, `edge-1…`. */
function siteNames(o: ClusterOptions): Record<Form, string[]> {
  const n = { hardware: 3, cloud: 2, edge: 8, ...o.sites };
  const regions = ['cn-hangzhou', 'cn-beijing', 'cn-shanghai', 'cn-shenzhen', 'ap-singapore', 'eu-frankfurt', 'us-east', 'us-west'];
  const list = (k: number, f: (i: number) => string) => Array.from({ length: Math.max(1, k) }, (_, i) => f(i));
  return {
    hardware: list(n.hardware, (i) => `dc-${i + 1}`),
    cloud: list(n.cloud, (i) => `cloud-${regions[i % regions.length]}${i >= regions.length ? `-${Math.floor(i / regions.length)}` : ''}`),
    edge: list(n.edge, (i) => `edge-${i + 1}`),
  };
}

/** One generated node as model input; `index` names it and fixes its rack. */
function makeNode(rng: Rng, shape: NodeShape, index: number, width: number, sites: Record<Form, string[]>, rackSize: number, rackCounters: Map<string, number>, o: ClusterOptions): NodeInput {
  const arch = pickWeighted<Arch>(rng, shape.arch);
  const form = pickWeighted<Form>(rng, shape.form);
  const site = pickOne(rng, sites[form]);
  const cpuCores = pickOne(rng, shape.cpuCores);
  const memoryGiB = pickOne(rng, shape.memoryGiB);
  const id = `n${String(index).padStart(width, '0')}`;
  const labels: Record<string, string> = { [Labels.arch]: arch, [Labels.form]: form, [Labels.site]: site, 'hetpool.io/shape': shape.name };
  let rack: string | undefined;
  if (form === 'hardware') {
    // Racks fill in order within a site: the k-th hardware node of a site goes to rack ⌊k / rackSize⌋.
    const k = rackCounters.get(site) ?? 0;
    rackCounters.set(site, k + 1);
    rack = `${site}-r${Math.floor(k / rackSize) + 1}`;
    labels[Labels.rack] = rack;
  }
  const devices: DeviceInput[] = [];
  let price = cpuCores * PRICE_PER_CORE_HOUR + memoryGiB * PRICE_PER_GIB_HOUR;
  if (shape.device) {
    const m: DeviceModel = DEVICE_MODELS[shape.device];
    const count = pickOne(rng, shape.deviceCount ?? [1]);
    const sharing = sharingOf(rng, m);
    const devRate = o.unhealthyDeviceRate ?? 0.005;
    for (let d = 0; d < count; d++) {
      devices.push({
        id: `${m.kind}${d}`, kind: m.kind, vendor: m.vendor, model: m.model, memoryMiB: m.memoryMiB,
        throughput: { ...m.throughput }, health: rng.next() < devRate ? 'unhealthy' : 'healthy',
        sharing: sharing.mode === 'partition' ? { mode: 'partition', profiles: sharing.profiles.map((p) => ({ ...p })) } : { ...sharing },
        index: d,
      });
    }
    price += count * m.pricePerHour;
    labels[Labels.kind] = m.kind;
    labels[Labels.vendor] = m.vendor;
    labels[Labels.model] = m.model;
    labels[Labels.deviceCount] = String(count);
    for (const p of Object.keys(m.throughput)) labels[Labels.precision(p)] = 'true';
  } else {
    labels[Labels.kind] = 'cpu';
  }
  const node: NodeInput = {
    id, arch, form, site, cpuMilli: cpuCores * 1000, memoryMiB: memoryGiB * 1024, labels,
    health: rng.next() < (o.unhealthyNodeRate ?? 0.002) ? 'unhealthy' : 'healthy',
    pricePerHour: round2(price * FORM_PRICE_FACTOR[form]), devices,
  };
  if (rack) node.rack = rack;
  if (form === 'cloud') node.region = site.slice('cloud-'.length);
  // Edge boxes are tainted so only tasks that say they may run at the edge land there.
  if (form === 'edge') node.taints = [{ key: 'hetpool.io/edge', value: 'true', effect: 'PreferNoSchedule' }];
  return node;
}

/**
 * A heterogeneous cluster of `options.nodes` nodes, validated with parseCluster.
 * @example generateCluster({ nodes: 100, seed: 7 }).nodes.length // 100
 */
export function generateCluster(options: ClusterOptions): Cluster {
  checkOptions(options);
  const rng = new Rng(options.seed ?? 1);
  const shapes = NODE_SHAPES.filter((s) => (options.mix?.[s.name] ?? s.weight) > 0);
  const weights = shapes.map((s) => options.mix?.[s.name] ?? s.weight);
  const sites = siteNames(options);
  const rackCounters = new Map<string, number>();
  const width = Math.max(5, String(options.nodes - 1).length);
  const nodes: NodeInput[] = [];
  for (let i = 0; i < options.nodes; i++) nodes.push(makeNode(rng, rng.weighted(shapes, weights), i, width, sites, options.rackSize ?? 32, rackCounters, options));
  return parseCluster({ version: 1, nodes }, 'cluster');
}
