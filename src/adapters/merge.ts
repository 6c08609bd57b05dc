/**
 * Merge inventory fragments (e.g. lscpu + nvidia-smi -q -x + topo -m + mig -lgip) into valid
 * model nodes with the unified labels (§6i). Rules:
 * - Fragments are read in the order given; for a scalar field the first known value wins and a
 *   different later value is a warning (`conflict`), never a silent overwrite.
 * - Placeholders mean "this agent does not know": device model/vendor `unknown`, memory 0, and
 *   node cpu/memory absent. They never conflict and are filled by whoever knows.
 * - Health: the worst wins (unhealthy > unknown > healthy); health marks (rules that fired, failed
 *   adapters) apply to the node or device their target names (`<node>/<device>[/<sub>]`).
 * - Sharing: partition profiles by origin rank (supported > observed > nominal, see lib/nvidia.ts);
 *   a GPU that reports MIG enabled but no profiles stays whole with a warning; other devices take
 *   the caller's default sharing (exclusive unless told otherwise).
 * - One fragment per parser group and node (ibstat/ibv_devinfo/ibstatus; lscpu/proc-cpuinfo);
 *   a fallback fragment's devices (gpustack-runtime) only where no other agent reported devices.
 * - Labels: union (conflicts warned), then the unified `hetpool.io/*` labels computed from the
 *   merged node: kind, arch, vendor, model, form, device.count, precision.*, site/zone/region.
 */
import { HetpoolError } from '../model/errors.js';
import { Labels } from '../model/labels.js';
import type { TopologyLinkInput, TopologyVertex } from '../model/topology.js';
import type { DeviceInput, Health, Node, NodeInput, PartitionProfile, Sharing } from '../model/types.js';
import { parseNode } from '../model/validate.js';
import { PROFILE_ORIGIN_RANK, PROFILES_LABEL } from './lib/nvidia.js';
import type { Inventory, MetricSample, ParseWarning } from './types.js';
import { canonicalVendor, deviceVendor } from './lib/vendors.js';

/** Options of `mergeInventories`. */
export interface MergeOptions {
  /** Sharing for devices no agent partitioned (default exclusive). */
  defaultSharing?: Sharing;
  /** Form for nodes no fragment placed (default hardware). */
  defaultForm?: Node['form'];
}

/** The merged view: valid nodes, topology, metrics and every warning. */
export interface MergeResult {
  nodes: Node[];
  vertices: TopologyVertex[];
  links: TopologyLinkInput[];
  metrics: MetricSample[];
  warnings: ParseWarning[];
}

const HEALTH_RANK: Record<Health, number> = { healthy: 0, unknown: 1, unhealthy: 2 };
const worse = (a: Health | undefined, b: Health | undefined): Health | undefined => (a === undefined ? b : b === undefined ? a : HEALTH_RANK[b] > HEALTH_RANK[a] ? b : a);

type NodeAcc = Partial<NodeInput> & { id: string; devices: DeviceInput[]; origin: Record<string, string> };
const NODE_SCALARS = ['arch', 'form', 'site', 'zone', 'region', 'rack', 'cpuMilli', 'memoryMiB', 'schedulable', 'pricePerHour'] as const;

function mergeLabels(into: Record<string, string>, from: Record<string, string> | undefined, where: string, src: string, origin: Record<string, string>, warnings: ParseWarning[]): void {
  for (const [k, v] of Object.entries(from ?? {})) {
    if (!(k in into)) {
      into[k] = v;
      origin[`label:${k}`] = src;
    } else if (into[k] !== v && k !== PROFILES_LABEL) {
      warnings.push({ at: src, message: `conflict: ${where} label ${k}: "${into[k]}" (${origin[`label:${k}`] ?? '?'}) vs "${v}"; kept the first` });
    }
  }
}

function mergeDevice(acc: DeviceInput & { origin?: Record<string, string> }, d: DeviceInput, where: string, src: string, warnings: ParseWarning[]): void {
  const origin = (acc.origin ??= {});
  const pick = <K extends 'model' | 'vendor' | 'memoryMiB' | 'busId' | 'index' | 'kind'>(k: K, unknown: unknown): void => {
    const v = d[k];
    if (v === undefined || v === unknown) return;
    if (acc[k] === undefined || acc[k] === unknown) {
      (acc as Record<string, unknown>)[k] = v;
      origin[k] = src;
    } else if (acc[k] !== v) {
      warnings.push({ at: src, message: `conflict: ${where} ${k}: ${JSON.stringify(acc[k])} (${origin[k] ?? '?'}) vs ${JSON.stringify(v)}; kept the first` });
    }
  };
  pick('kind', undefined);
  pick('vendor', 'unknown');
  pick('model', 'unknown');
  pick('memoryMiB', 0);
  pick('busId', undefined);
  pick('index', undefined);
  acc.health = worse(acc.health, d.health);
  if (d.throughput) acc.throughput = { ...d.throughput, ...(acc.throughput ?? {}) };
  const accRank = acc.sharing?.mode === 'partition' ? PROFILE_ORIGIN_RANK[acc.labels?.[PROFILES_LABEL] ?? 'observed'] ?? 2 : 0;
  const newRank = d.sharing?.mode === 'partition' ? PROFILE_ORIGIN_RANK[d.labels?.[PROFILES_LABEL] ?? 'observed'] ?? 2 : 0;
  if (d.sharing && d.sharing.mode !== 'exclusive') {
    if (!acc.sharing || acc.sharing.mode === 'exclusive' || (d.sharing.mode === 'partition' && newRank > accRank)) {
      acc.sharing = d.sharing;
      if (d.sharing.mode === 'partition') acc.labels = { ...(acc.labels ?? {}), [PROFILES_LABEL]: d.labels?.[PROFILES_LABEL] ?? 'observed' };
    } else if (acc.sharing.mode === 'partition' && d.sharing.mode === 'partition' && newRank === accRank) {
      // Same origin: union the profiles by name, keep the first on a clash.
      const names = new Set(acc.sharing.profiles.map((p: PartitionProfile) => p.name));
      const extra = d.sharing.profiles.filter((p) => !names.has(p.name));
      if (extra.length) acc.sharing = { mode: 'partition', profiles: [...acc.sharing.profiles, ...extra].slice(0, 32) };
    }
  }
  const labels = { ...(acc.labels ?? {}) };
  mergeLabels(labels, d.labels, where, src, origin, warnings);
  if (Object.keys(labels).length) acc.labels = labels;
}

/** Which node/device a health target names, by longest prefix. */
function applyMark(nodes: Map<string, NodeAcc>, target: string, health: Health): boolean {
  const slash = target.indexOf('/');
  const nodeId = slash < 0 ? target : target.slice(0, slash);
  const n = nodes.get(nodeId);
  if (!n) return false;
  if (slash < 0) {
    n.health = worse(n.health, health);
    return true;
  }
  const rest = target.slice(slash + 1);
  const d = n.devices.find((x) => rest === x.id || rest.startsWith(`${x.id}/`));
  if (!d) return false;
  d.health = worse(d.health, health);
  return true;
}

/**
 * The fragments merge reads, in order: a fragment of a parser group (`Inventory.group`) whose
 * nodes a fragment of the same group already covered is left out (ibstat and ibstatus report the
 * same ports); a `fallback` fragment (gpustack-runtime) gives only its node facts for nodes
 * another fragment reported devices for, since its devices repeat the vendor tool's under other
 * ids. Each omission is a warning.
 */
function usableFragments(fragments: readonly Inventory[], warnings: ParseWarning[]): Inventory[] {
  const withDevices = new Set<string>();
  for (const f of fragments) if (!f.fallback) for (const n of f.nodes) if (n.devices?.length) withDevices.add(n.id);
  const covered = new Map<string, { group: string; node: string; source: string }>();
  const out: Inventory[] = [];
  for (const f of fragments) {
    if (f.group && f.nodes.length) {
      const first = f.nodes.map((n) => covered.get(`${f.group}\u0000${n.id}`)).find((c) => c);
      if (first && f.nodes.every((n) => covered.has(`${f.group}\u0000${n.id}`))) {
        warnings.push({ at: f.source, message: `node ${first.node}: ${f.group} facts already read from ${first.source}; this fragment left out` });
        continue;
      }
      for (const n of f.nodes) if (!covered.has(`${f.group}\u0000${n.id}`)) covered.set(`${f.group}\u0000${n.id}`, { group: f.group, node: n.id, source: f.source });
    }
    if (f.fallback && f.nodes.some((n) => withDevices.has(n.id))) {
      const keep = (target: string): boolean => !withDevices.has(target.split('/')[0]);
      for (const n of f.nodes) if (withDevices.has(n.id)) warnings.push({ at: f.source, message: `node ${n.id}: devices already reported by a vendor agent; this fallback fragment's devices, topology and metrics left out` });
      out.push({
        ...f,
        nodes: f.nodes.map((n) => (withDevices.has(n.id) ? (({ devices: _d, ...rest }) => rest)(n) : n)),
        vertices: f.vertices?.filter((v) => keep(v.id)),
        links: f.links?.filter((l) => keep(l.a) && keep(l.b)),
        metrics: f.metrics?.filter((m) => keep(m.target)),
        health: f.health?.filter((h) => keep(h.target)),
      });
      continue;
    }
    out.push(f);
  }
  return out;
}

/** Merge fragments into valid nodes (each checked with parseNode; an invalid node throws HetpoolError naming it). */
export function mergeInventories(fragments: readonly Inventory[], options: MergeOptions = {}): MergeResult {
  const warnings: ParseWarning[] = fragments.flatMap((f) => f.warnings);
  const nodes = new Map<string, NodeAcc>();
  const vertices = new Map<string, TopologyVertex>();
  const links = new Map<string, TopologyLinkInput>();
  const metrics: MetricSample[] = [];
  const used = usableFragments(fragments, warnings);
  for (const f of used) {
    for (const fn of f.nodes) {
      let acc = nodes.get(fn.id);
      if (!acc) {
        acc = { id: fn.id, devices: [], origin: {} };
        nodes.set(fn.id, acc);
      }
      for (const k of NODE_SCALARS) {
        const v = fn[k];
        if (v === undefined) continue;
        if (acc[k] === undefined) {
          (acc as Record<string, unknown>)[k] = v;
          acc.origin[k] = f.source;
        } else if (acc[k] !== v) {
          warnings.push({ at: f.source, message: `conflict: node ${fn.id} ${k}: ${JSON.stringify(acc[k])} (${acc.origin[k]}) vs ${JSON.stringify(v)}; kept the first` });
        }
      }
      acc.health = worse(acc.health, fn.health);
      if (fn.taints?.length) acc.taints = [...(acc.taints ?? []), ...fn.taints.filter((t) => !(acc!.taints ?? []).some((o) => o.key === t.key && o.effect === t.effect))];
      if (fn.labels) {
        const l = { ...(acc.labels ?? {}) };
        mergeLabels(l, fn.labels, `node ${fn.id}`, f.source, acc.origin, warnings);
        acc.labels = l;
      }
      for (const d of fn.devices ?? []) {
        const existing = acc.devices.find((x) => x.id === d.id);
        if (!existing) {
          const origin = Object.fromEntries(Object.keys(d).map((k) => [k, f.source]));
          acc.devices.push(Object.assign({ ...d, vendor: deviceVendor(d.vendor), labels: d.labels ? { ...d.labels } : undefined, sharing: d.sharing }, { origin }));
        } else mergeDevice(existing, { ...d, vendor: deviceVendor(d.vendor) }, `node ${fn.id} device ${d.id}`, f.source, warnings);
      }
    }
    for (const v of f.vertices ?? []) if (!vertices.has(v.id)) vertices.set(v.id, v);
    for (const l of f.links ?? []) {
      const key = [l.a, l.b].sort().join('\u0000') + `\u0000${l.type}`;
      if (!links.has(key)) links.set(key, l);
    }
    metrics.push(...(f.metrics ?? []));
  }
  for (const f of used) {
    for (const h of f.health ?? []) {
      if (!applyMark(nodes, h.target, h.health)) {
        if (h.health !== 'healthy') warnings.push({ at: f.source, message: `health mark for ${h.target} (${h.reason}) matches no node or device` });
        continue;
      }
      const slash = h.target.indexOf('/');
      const n = nodes.get(slash < 0 ? h.target : h.target.slice(0, slash))!;
      if (h.health !== 'healthy') {
        const d = slash < 0 ? undefined : n.devices.find((x) => { const r = h.target.slice(slash + 1); return r === x.id || r.startsWith(`${x.id}/`); });
        const l = d ? (d.labels ??= {}) : (n.labels ??= {});
        const prev = l['hetpool.io/health.reason'];
        l['hetpool.io/health.reason'] = (prev ? `${prev}; ${h.reason}` : h.reason).slice(0, 253);
      }
    }
  }
  const out: Node[] = [];
  for (const acc of nodes.values()) out.push(finishNode(acc, options, warnings, out.length));
  return { nodes: out, vertices: [...vertices.values()], links: [...links.values()], metrics, warnings };
}

/** Defaults, unified labels and validation for one merged node. */
function finishNode(acc: NodeAcc, options: MergeOptions, warnings: ParseWarning[], i: number): Node {
  const w = (m: string): void => { warnings.push({ at: `node ${acc.id}`, message: m }); };
  if (acc.cpuMilli === undefined) { w('no agent reported CPU capacity; cpuMilli set to 0 (add lscpu or /proc/cpuinfo output)'); acc.cpuMilli = 0; }
  if (acc.memoryMiB === undefined) { w('no agent reported host memory; memoryMiB set to 0'); acc.memoryMiB = 0; }
  if (acc.arch === undefined) w('no agent reported the CPU architecture; assuming x86_64');
  const arch = acc.arch ?? 'x86_64';
  const form = acc.form ?? options.defaultForm ?? 'hardware';
  const devices = acc.devices.map((d) => {
    const { origin: _o, ...dev } = d as DeviceInput & { origin?: unknown };
    if (dev.model === 'unknown') w(`device ${dev.id}: no agent reported its model`);
    if (dev.memoryMiB === 0) w(`device ${dev.id}: no agent reported its memory (0 MiB)`);
    if (!dev.sharing || dev.sharing.mode === 'exclusive') {
      if (dev.labels?.['hetpool.io/mig'] === 'enabled') w(`device ${dev.id}: MIG enabled but no agent listed its profiles; scheduled whole (add \`nvidia-smi mig -lgip\`)`);
      dev.sharing = dev.sharing ?? options.defaultSharing ?? { mode: 'exclusive' };
    }
    return dev;
  });
  const labels: Record<string, string> = { ...(acc.labels ?? {}) };
  const distinct = (xs: string[]): string => [...new Set(xs)].sort().join(',');
  labels[Labels.kind] = devices.length ? distinct(devices.map((d) => d.kind)) : 'cpu';
  labels[Labels.arch] = arch;
  labels[Labels.form] = form;
  labels[Labels.deviceCount] = String(devices.length);
  if (devices.length) {
    labels[Labels.vendor] = distinct(devices.map((d) => canonicalVendor(d.vendor) ?? 'unknown')).slice(0, 253);
    labels[Labels.model] = distinct(devices.map((d) => d.model)).slice(0, 253);
    const precisions = new Set<string>();
    for (const d of devices) {
      for (const [k, v] of Object.entries(d.labels ?? {})) if (k.startsWith('hetpool.io/precision.') && v === 'true') precisions.add(k);
      for (const p of Object.keys(d.throughput ?? {})) precisions.add(Labels.precision(p));
    }
    // A precision label on the node means every device supports it (a task may land on any).
    for (const p of precisions) if (devices.every((d) => d.labels?.[p] === 'true' || (d.throughput && p.slice('hetpool.io/precision.'.length) in d.throughput))) labels[p] = 'true';
  }
  if (acc.site) labels[Labels.site] = acc.site;
  if (acc.zone) labels[Labels.zone] = acc.zone;
  if (acc.region) labels[Labels.region] = acc.region;
  if (acc.rack) labels[Labels.rack] = acc.rack;
  const node: NodeInput = {
    id: acc.id, arch, form, cpuMilli: acc.cpuMilli, memoryMiB: acc.memoryMiB, labels, devices,
    ...(acc.site !== undefined ? { site: acc.site } : {}),
    ...(acc.zone !== undefined ? { zone: acc.zone } : {}),
    ...(acc.region !== undefined ? { region: acc.region } : {}),
    ...(acc.rack !== undefined ? { rack: acc.rack } : {}),
    ...(acc.taints ? { taints: acc.taints } : {}),
    ...(acc.health ? { health: acc.health } : {}),
    ...(acc.schedulable !== undefined ? { schedulable: acc.schedulable } : {}),
    ...(acc.pricePerHour !== undefined ? { pricePerHour: acc.pricePerHour } : {}),
  };
  try {
    return parseNode(node, `nodes[${i}]`);
  } catch (e) {
    if (e instanceof HetpoolError) throw new HetpoolError(e.code, e.path, `${e.message.slice(e.path.length + 2)} (merged node "${acc.id}")`, e.details);
    throw e;
  }
}

/** The unified cluster JSON (`{ version: 1, nodes }`) of a merge. */
export const toClusterJson = (r: MergeResult): { version: 1; nodes: Node[] } => ({ version: 1, nodes: r.nodes });
