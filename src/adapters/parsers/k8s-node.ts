/**
 * Kubernetes nodes: a labels map (`kubectl get node X -o json | jq .metadata.labels`), a Node
 * object, or a NodeList (`kubectl get nodes -o json`, `GET /api/v1/nodes`). Reads:
 * - GPU feature discovery labels: `nvidia.com/gpu.product` (hyphenated, `-MIG-<profile>` suffix
 *   under the single MIG strategy), `gpu.count`, `gpu.memory` (MiB), `gpu.family`, `mig.strategy`,
 *   `nvidia.com/mig.<profile>.count` and `.memory` (single/mixed strategy);
 * - allocatable/capacity extended resources (`nvidia.com/gpu`, `nvidia.com/mig-1g.10gb`,
 *   `huawei.com/Ascend910`, `amd.com/gpu`, …) and `cpu`/`memory` quantities;
 * - arch (`kubernetes.io/arch`), zone/region (`topology.kubernetes.io/*`), taints, unschedulable,
 *   the Ready condition (False → unhealthy, Unknown → unknown).
 */
import { parse as parseYaml } from 'yaml';
import { parseCpuQuantity, parseMemoryQuantity } from '../../model/units.js';
import type { Arch, DeviceInput, DeviceKind, NodeInput, Taint } from '../../model/types.js';
import { migMilli, nvidiaGpu, nvidiaModel, parseMigProfile, setPartition } from '../nvidia.js';
import { emptyInventory, nodeIdOf, nonNegativeInt, parseError, warnAt } from '../text.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { canonicalVendor } from '../vendors.js';

/** Extended resource name → device kind, vendor and model (model `from-name` = the resource suffix). */
const RESOURCES: Array<{ re: RegExp; kind: DeviceKind; vendor: string; model?: string }> = [
  { re: /^huawei\.com\/(Ascend\S+)$/, kind: 'npu', vendor: 'huawei' },
  { re: /^amd\.com\/gpu$/, kind: 'gpu', vendor: 'amd' },
  { re: /^hygon\.com\/dcu(num)?$/, kind: 'gpu', vendor: 'hygon', model: 'DCU' },
  { re: /^cambricon\.com\/(mlu\S*)$/, kind: 'npu', vendor: 'cambricon' },
  { re: /^iluvatar\.(ai|com)\/(gpu|vgpu)$/, kind: 'gpu', vendor: 'iluvatar' },
  { re: /^metax-tech\.com\/gpu$/, kind: 'gpu', vendor: 'metax' },
  { re: /^gpu\.intel\.com\/(i915|xe)$/, kind: 'gpu', vendor: 'intel' },
  { re: /^xilinx\.com\/fpga-(\S+)$/, kind: 'fpga', vendor: 'xilinx' },
];
const ARCH: Record<string, Arch> = { amd64: 'x86_64', x86_64: 'x86_64', arm64: 'aarch64', aarch64: 'aarch64', riscv64: 'riscv64' };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const strMap = (v: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
};

/** One Kubernetes node (labels + optional status/spec) → a node fragment. */
function nodeFrom(name: string | undefined, labels: Record<string, string>, o: Obj | undefined, options: ParseOptions | undefined, inv: Inventory, pos: string): Inventory['nodes'][number] {
  const id = name ?? labels['kubernetes.io/hostname'] ?? nodeIdOf(options);
  const warn = (m: string): void => { inv.warnings.push({ at: pos, message: `${id}: ${m}` }); };
  const n: Partial<NodeInput> & { id: string; devices: DeviceInput[] } = { id, devices: [] };
  const arch = ARCH[labels['kubernetes.io/arch'] ?? labels['beta.kubernetes.io/arch'] ?? ''];
  if (arch) n.arch = arch;
  const zone = labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'];
  const region = labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'];
  if (zone) n.zone = zone.slice(0, 128);
  if (region) n.region = region.slice(0, 128);
  const status = isObj(o?.status) ? (o!.status as Obj) : undefined;
  const alloc = strMap(status?.allocatable);
  const cap = strMap(status?.capacity);
  const res = { ...cap, ...alloc };
  if (res.cpu !== undefined) {
    const c = parseCpuQuantity(res.cpu);
    if (Number.isFinite(c) && c >= 0 && c <= 2 ** 31 - 1) n.cpuMilli = c;
    else warn(`unreadable cpu quantity "${res.cpu.slice(0, 20)}"`);
  }
  if (res.memory !== undefined) {
    const m = parseMemoryQuantity(res.memory);
    if (Number.isFinite(m) && m >= 0 && m <= 2 ** 31 - 1) n.memoryMiB = m;
    else warn(`unreadable memory quantity "${res.memory.slice(0, 20)}"`);
  }
  const spec = isObj(o?.spec) ? (o!.spec as Obj) : undefined;
  if (spec?.unschedulable === true) n.schedulable = false;
  if (Array.isArray(spec?.taints)) {
    const taints: Taint[] = [];
    for (const t of spec!.taints as unknown[]) {
      if (isObj(t) && typeof t.key === 'string' && t.key && (t.effect === 'NoSchedule' || t.effect === 'PreferNoSchedule' || t.effect === 'NoExecute')) {
        taints.push({ key: t.key.slice(0, 317), effect: t.effect, ...(typeof t.value === 'string' ? { value: t.value.slice(0, 253) } : {}) });
      }
    }
    if (taints.length) n.taints = taints.slice(0, 64);
  }
  const ready = Array.isArray(status?.conditions) ? (status!.conditions as unknown[]).find((c) => isObj(c) && c.type === 'Ready') as Obj | undefined : undefined;
  if (ready) n.health = ready.status === 'True' ? 'healthy' : ready.status === 'False' ? 'unhealthy' : 'unknown';
  // Keep the node's own labels, minus NFD's hundreds of feature flags.
  const keep: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels)) if (!k.startsWith('feature.node.kubernetes.io/') && k.length <= 317 && v.length <= 253) keep[k] = v;
  if (Object.keys(keep).length) n.labels = keep;

  // NVIDIA: GFD labels first, then the extended resource count.
  const product = labels['nvidia.com/gpu.product'];
  const migSuffix = product ? /-MIG-(\d+g\.\d+gb\S*)$/.exec(product) : null;
  const gfdCount = nonNegativeInt(labels['nvidia.com/gpu.count']);
  const resCount = nonNegativeInt(res['nvidia.com/gpu']);
  const migResources = Object.keys(res).filter((k) => /^nvidia\.com\/mig-\d+g\.\d+gb/.test(k));
  const count = gfdCount ?? (migSuffix || migResources.length ? undefined : resCount);
  if (gfdCount !== undefined && resCount !== undefined && !migSuffix && resCount !== gfdCount * Math.max(1, nonNegativeInt(labels['nvidia.com/gpu.replicas']) ?? 1)) {
    warn(`nvidia.com/gpu.count=${gfdCount} but allocatable nvidia.com/gpu=${resCount}`);
  }
  if (count !== undefined) {
    const mem = nonNegativeInt(labels['nvidia.com/gpu.memory']);
    const family = labels['nvidia.com/gpu.family'];
    const major = nonNegativeInt(labels['nvidia.com/gpu.compute.major']);
    const minor = nonNegativeInt(labels['nvidia.com/gpu.compute.minor']) ?? 0;
    const productName = product ? product.replace(/-MIG-.*$/, '') : undefined;
    const migProfiles = Object.keys(labels).map((k) => /^nvidia\.com\/mig\.(\d+g\.\d+gb[^.]*)\.count$/.exec(k)?.[1]).filter((p): p is string => !!p);
    for (let i = 0; i < Math.min(count, 64); i++) {
      const d = nvidiaGpu({ index: i, product: productName, memoryMiB: mem, architecture: family ? family[0].toUpperCase() + family.slice(1) : undefined, computeCap: major !== undefined ? major + minor / 10 : undefined });
      if (productName) d.model = nvidiaModel(productName);
      const profiles = migProfiles.map((p) => {
        const s = parseMigProfile(p)!;
        const pm = nonNegativeInt(labels[`nvidia.com/mig.${p}.memory`]);
        const memory = pm ?? s.gb * 1024;
        // Capacity of one GPU for this profile: by compute slices and, when known, by memory.
        const byMem = mem && memory ? Math.floor(mem / memory) : 7;
        return { name: p, milli: migMilli(s.slices), memoryMiB: memory, maxCount: Math.max(1, Math.min(Math.floor(7 / s.slices), byMem)) };
      });
      if (profiles.length) setPartition(d, profiles, labels['nvidia.com/mig.strategy'] ? 'observed' : 'nominal');
      const sharing = labels['nvidia.com/gpu.sharing-strategy'];
      const replicas = nonNegativeInt(labels['nvidia.com/gpu.replicas']);
      if (!profiles.length && (sharing === 'time-slicing' || sharing === 'mps') && replicas && replicas > 1) d.sharing = { mode: 'time-slice', maxSlices: Math.min(1024, replicas), oversubscription: 1000 };
      n.devices.push(d);
    }
    if (mem === undefined) warn('no nvidia.com/gpu.memory label; GPU memory left unknown (0)');
  } else if (migSuffix || migResources.length) {
    warn('MIG devices are advertised as separate resources; GPU count taken from nvidia.com/gpu.count is missing, so no GPU devices were created');
  }
  // Other vendors: one device per unit of the extended resource.
  for (const [k, v] of Object.entries(res)) {
    const r = RESOURCES.map((x) => ({ x, m: x.re.exec(k) })).find((y) => y.m);
    if (!r) continue;
    const c = nonNegativeInt(v);
    if (c === undefined) {
      warn(`unreadable count "${v.slice(0, 20)}" for ${k}`);
      continue;
    }
    const model = r.x.model ?? (r.m![1] && !['gpu', 'vgpu', 'i915', 'xe'].includes(r.m![1]) ? r.m![1] : labels[`${k.split('/')[0]}/gpu.product-name`] ?? labels[`${k.split('/')[0]}/gpu.product`] ?? labels[`${k.split('/')[0]}/product`] ?? 'unknown');
    for (let i = 0; i < c && n.devices.length < 64; i++) {
      n.devices.push({ id: `${r.x.kind}${n.devices.filter((d) => d.kind === r.x.kind).length}`, kind: r.x.kind, vendor: canonicalVendor(r.x.vendor), model: model.slice(0, 128), memoryMiB: 0, index: i });
    }
    if (c > 0) warn(`${k}: the resource count gives no device memory; left unknown (0)`);
  }
  return n;
}

/** `kubectl … -o yaml` output starts with these keys. */
const YAML_NODE = /^(apiVersion: v1|kind: (Node|NodeList|List))\s*$/m;

/** Parse a Kubernetes labels map, Node or NodeList (JSON, or YAML from `kubectl … -o yaml`). */
export function parseK8sNodes(text: string, options?: ParseOptions): Inventory {
  const inv = emptyInventory(k8sNode.name, options);
  let doc: unknown;
  if (YAML_NODE.test(text.slice(0, 4096))) {
    // `kubectl get node(s) -o yaml`
    try {
      doc = parseYaml(text, { maxAliasCount: 100 });
    } catch (e) {
      const line = (e as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line ?? 1;
      parseError(options, line, `not YAML (${(e as Error).message.split('\n')[0].slice(0, 120)})`);
    }
  } else {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      const m = /position (\d+)/.exec((e as Error).message);
      const line = m ? text.slice(0, Number(m[1])).split('\n').length : 1;
      parseError(options, line, `not JSON (${(e as Error).message.split('\n')[0].slice(0, 120)})`);
    }
  }
  if (!isObj(doc)) parseError(options, 1, 'expected a JSON object (labels map, Node or NodeList)');
  const src = options?.source ?? 'input';
  if (doc.kind === 'NodeList' || Array.isArray(doc.items)) {
    const items = Array.isArray(doc.items) ? doc.items : [];
    items.forEach((it, i) => {
      if (!isObj(it) || !isObj(it.metadata)) {
        inv.warnings.push({ at: `${src}:items[${i}]`, message: 'not a Node object; skipped' });
        return;
      }
      const md = it.metadata as Obj;
      inv.nodes.push(nodeFrom(typeof md.name === 'string' ? md.name : undefined, strMap(md.labels), it, options, inv, `${src}:items[${i}]`));
    });
    if (!inv.nodes.length && items.length) parseError(options, 1, 'NodeList holds no readable Node');
  } else if (doc.kind === 'Node' || isObj(doc.metadata)) {
    const md = isObj(doc.metadata) ? (doc.metadata as Obj) : {};
    inv.nodes.push(nodeFrom(typeof md.name === 'string' ? md.name : undefined, strMap(md.labels), doc, options, inv, `${src}:1`));
  } else {
    const labels = strMap(doc);
    if (!Object.keys(labels).some((k) => k.includes('kubernetes.io/') || k.includes('nvidia.com/'))) parseError(options, 1, 'no Kubernetes node labels (kubernetes.io/…, nvidia.com/…) found');
    inv.nodes.push(nodeFrom(undefined, labels, undefined, options, inv, `${src}:1`));
  }
  return inv;
}

/** Parser registration for Kubernetes node labels/objects. */
export const k8sNode: AgentParser = {
  name: 'k8s-node',
  command: ['kubectl', 'get', 'nodes', '-o', 'json'],
  detect: (text) => {
    const t = text.trimStart().slice(0, 65536);
    if (/^kind: (Node|NodeList)\s*$/m.test(t) && /^apiVersion: v1\s*$/m.test(t)) return true;
    return t.startsWith('{') && (/"kind"\s*:\s*"Node(List)?"/.test(t) || /"kubernetes\.io\/(hostname|arch)"\s*:/.test(t) || /"nvidia\.com\/gpu\.(product|count)"\s*:/.test(t));
  },
  parse: parseK8sNodes,
};
