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
import type { Arch, DeviceInput, NodeInput, Taint } from '../../model/types.js';
import { migMilli, nvidiaGpu, nvidiaModel, parseMigProfile, setPartition } from '../lib/nvidia.js';
import { ParseContext } from '../lib/context.js';
import { lineAt } from '../lib/text.js';
import { readInt } from '../lib/units.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { VENDOR_KIND, type CanonicalVendor } from '../lib/vendors.js';

/**
 * Extended resource name → vendor and model (`model` fixed, else the resource suffix); the device
 * kind is the vendor's (VENDOR_KIND), so a Kubernetes fragment and the vendor tool's fragment of
 * one host name the same device alike.
 */
const RESOURCES: Array<{ re: RegExp; vendor: CanonicalVendor; model?: string }> = [
  { re: /^huawei\.com\/(Ascend\S+)$/, vendor: 'huawei' },
  { re: /^amd\.com\/gpu$/, vendor: 'amd' },
  { re: /^hygon\.com\/dcu(num)?$/, vendor: 'hygon', model: 'DCU' },
  { re: /^cambricon\.com\/(mlu\S*)$/, vendor: 'cambricon' },
  { re: /^iluvatar\.(ai|com)\/(gpu|vgpu)$/, vendor: 'iluvatar' },
  { re: /^metax-tech\.com\/gpu$/, vendor: 'metax' },
  { re: /^gpu\.intel\.com\/(i915|xe)$/, vendor: 'intel' },
  { re: /^xilinx\.com\/fpga-(\S+)$/, vendor: 'xilinx' },
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
function nodeFrom(name: string | undefined, labels: Record<string, string>, o: Obj | undefined, ctx: ParseContext, pos: string): Inventory['nodes'][number] {
  const id = name ?? labels['kubernetes.io/hostname'] ?? ctx.nodeId;
  const warn = (m: string): void => { ctx.warnings.push({ at: pos, message: `${id}: ${m}` }); };
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
  const gfdCount = readInt(labels['nvidia.com/gpu.count']);
  const resCount = readInt(res['nvidia.com/gpu']);
  const migResources = Object.keys(res).filter((k) => /^nvidia\.com\/mig-\d+g\.\d+gb/.test(k));
  const count = gfdCount ?? (migSuffix || migResources.length ? undefined : resCount);
  if (gfdCount !== undefined && resCount !== undefined && !migSuffix && resCount !== gfdCount * Math.max(1, readInt(labels['nvidia.com/gpu.replicas']) ?? 1)) {
    warn(`nvidia.com/gpu.count=${gfdCount} but allocatable nvidia.com/gpu=${resCount}`);
  }
  if (count !== undefined) {
    const mem = readInt(labels['nvidia.com/gpu.memory']);
    const family = labels['nvidia.com/gpu.family'];
    const major = readInt(labels['nvidia.com/gpu.compute.major']);
    const minor = readInt(labels['nvidia.com/gpu.compute.minor']) ?? 0;
    const productName = product ? product.replace(/-MIG-.*$/, '') : undefined;
    const migProfiles = Object.keys(labels).map((k) => /^nvidia\.com\/mig\.(\d+g\.\d+gb[^.]*)\.count$/.exec(k)?.[1]).filter((p): p is string => !!p);
    for (let i = 0; i < Math.min(count, 64); i++) {
      const d = nvidiaGpu({ index: i, product: productName, memoryMiB: mem, architecture: family ? family[0].toUpperCase() + family.slice(1) : undefined, computeCap: major !== undefined ? major + minor / 10 : undefined });
      if (productName) d.model = nvidiaModel(productName);
      const profiles = migProfiles.map((p) => {
        const s = parseMigProfile(p)!;
        const pm = readInt(labels[`nvidia.com/mig.${p}.memory`]);
        const memory = pm ?? s.gb * 1024;
        // Capacity of one GPU for this profile: by compute slices and, when known, by memory.
        const byMem = mem && memory ? Math.floor(mem / memory) : 7;
        return { name: p, milli: migMilli(s.slices), memoryMiB: memory, maxCount: Math.max(1, Math.min(Math.floor(7 / s.slices), byMem)) };
      });
      if (profiles.length) setPartition(d, profiles, labels['nvidia.com/mig.strategy'] ? 'observed' : 'nominal');
      const sharing = labels['nvidia.com/gpu.sharing-strategy'];
      const replicas = readInt(labels['nvidia.com/gpu.replicas']);
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
    const c = readInt(v);
    if (c === undefined) {
      warn(`unreadable count "${v.slice(0, 20)}" for ${k}`);
      continue;
    }
    const model = r.x.model ?? (r.m![1] && !['gpu', 'vgpu', 'i915', 'xe'].includes(r.m![1]) ? r.m![1] : labels[`${k.split('/')[0]}/gpu.product-name`] ?? labels[`${k.split('/')[0]}/gpu.product`] ?? labels[`${k.split('/')[0]}/product`] ?? 'unknown');
    const kind = VENDOR_KIND[r.x.vendor] ?? 'gpu';
    for (let i = 0; i < c && n.devices.length < 64; i++) {
      n.devices.push({ id: `${kind}${n.devices.filter((d) => d.kind === kind).length}`, kind, vendor: r.x.vendor, model: model.slice(0, 128), memoryMiB: 0, index: i });
    }
    if (c > 0) warn(`${k}: the resource count gives no device memory; left unknown (0)`);
  }
  return n;
}

/** `kubectl … -o yaml` output starts with these keys. */
const YAML_NODE = /^(apiVersion: v1|kind: (Node|NodeList|List))\s*$/m;

/** Parse a Kubernetes labels map, Node or NodeList (JSON, or YAML from `kubectl … -o yaml`). */
export function parseK8sNodes(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(k8sNode.name, options);
  const inv = ctx.inventory();
  let doc: unknown;
  if (YAML_NODE.test(text.slice(0, 4096))) {
    // `kubectl get node(s) -o yaml`
    try {
      doc = parseYaml(text, { maxAliasCount: 100 });
    } catch (e) {
      const line = (e as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line ?? 1;
      ctx.fail(line, `not YAML (${(e as Error).message.split('\n')[0].slice(0, 120)})`);
    }
  } else {
    try {
      doc = JSON.parse(text);
    } catch (e) {
      const m = /position (\d+)/.exec((e as Error).message);
      const line = m ? lineAt(text, Number(m[1])) : 1;
      ctx.fail(line, `not JSON (${(e as Error).message.split('\n')[0].slice(0, 120)})`);
    }
  }
  if (!isObj(doc)) ctx.fail(1, 'expected a JSON object (labels map, Node or NodeList)');
  const src = ctx.source;
  if (doc.kind === 'NodeList' || Array.isArray(doc.items)) {
    const items = Array.isArray(doc.items) ? doc.items : [];
    items.forEach((it, i) => {
      if (!isObj(it) || !isObj(it.metadata)) {
        inv.warnings.push({ at: `${src}:items[${i}]`, message: 'not a Node object; skipped' });
        return;
      }
      const md = it.metadata as Obj;
      inv.nodes.push(nodeFrom(typeof md.name === 'string' ? md.name : undefined, strMap(md.labels), it, ctx, `${src}:items[${i}]`));
    });
    if (!inv.nodes.length && items.length) ctx.fail(1, 'NodeList holds no readable Node');
  } else if (doc.kind === 'Node' || isObj(doc.metadata)) {
    const md = isObj(doc.metadata) ? (doc.metadata as Obj) : {};
    inv.nodes.push(nodeFrom(typeof md.name === 'string' ? md.name : undefined, strMap(md.labels), doc, ctx, `${src}:1`));
  } else {
    const labels = strMap(doc);
    if (!Object.keys(labels).some((k) => k.includes('kubernetes.io/') || k.includes('nvidia.com/'))) ctx.fail(1, 'no Kubernetes node labels (kubernetes.io/…, nvidia.com/…) found');
    inv.nodes.push(nodeFrom(undefined, labels, undefined, ctx, `${src}:1`));
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
