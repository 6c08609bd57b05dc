/**
 * hwloc `lstopo --of xml` (formats 1.x, 2.x and 3.0): node facts (arch, logical CPUs, cores,
 * packages, memory, host name) and the machine's topology as vertices and links:
 *
 *   <node> ──numa── numaN ──pcie-host-bridge── hostbridge ──pcie── root port/bridge
 *          ──pcie-switch── bridge … ──pcie-switch── GPU | NIC
 *
 * A link's type names what it crosses from the child's side: `pcie-switch` when the parent is a
 * PCI-to-PCI bridge (a switch port or root port), `pcie` when the parent is the host bridge,
 * `pcie-host-bridge` between a host bridge and the NUMA node (or the whole node) it is local to.
 * Each CPU package (socket) is a `package` vertex linked to the node by `smp` and to its NUMA
 * nodes by `numa`. NUMA nodes of one machine are linked pairwise by `smp`; hwloc's relative
 * latencies (distances2 "NUMALatency", 10 = local) are the `hetpool.io/distance` label of that link.
 *
 * Only PCI devices that matter to placement are kept: GPUs/accelerators (class 03xx when a
 * compute OS device or a GPU vendor is present, 0302, 0380, 12xx) and NICs (02xx). Bridges that
 * lead to none of them are pruned. NIC vertices take the OpenFabrics name (`<node>/mlx5_0`, as
 * the ibstat/ibstatus parsers name them), else the network interface name, else the bus id.
 * hwloc's `pci_link_speed` is GB/s; 0 means unknown and gives no bandwidth.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import type { TopologyLinkInput, TopologyVertex } from '../../model/topology.js';
import { applyCpuFacts, archFrom } from '../lib/cpu.js';
import { ParseContext } from '../lib/context.js';
import { formatCpuList, normalizeBusId, readInt, readMemoryMiB, readNumber } from '../lib/units.js';
import { canonicalVendor } from '../lib/vendors.js';

interface XObj {
  type?: string;
  os_index?: string;
  nodeset?: string;
  cpuset?: string;
  local_memory?: string;
  bridge_type?: string;
  bridge_pci?: string;
  pci_busid?: string;
  pci_type?: string;
  pci_link_speed?: string;
  name?: string;
  subtype?: string;
  osdev_type?: string;
  info?: Array<{ name?: string; value?: string }>;
  object?: XObj[];
}

const ARRAYS = new Set(['object', 'info', 'distances2', 'distances', 'page_type', 'pci_locality', 'support', 'latency']);
const CPU_SIDE = new Set(['Machine', 'Package', 'Socket', 'Group', 'NUMANode', 'Die', 'L3Cache', 'L2Cache', 'L1Cache', 'Cache', 'Core', 'System']);
const GPU_VENDORS = new Set(['10de', '1002', '1ed5', '19e5', '1e3e', '1d17', '9999', 'cabc']);

const infoOf = (o: { info?: XObj['info'] }, name: string): string | undefined => o.info?.find((i) => i.name === name)?.value;

/** hwloc bitmap "0x00ff00ff" or "0x00000001,0xffffffff" (most significant word first) → set bits. */
export function bitmapBits(text: string | undefined): number[] | undefined {
  if (!text) return undefined;
  const words = text.trim().split(',');
  const bits: number[] = [];
  for (let w = 0; w < words.length; w++) {
    const m = /^0x([0-9a-f]{1,8})$/i.exec(words[w]);
    if (!m) return undefined;
    const v = Number.parseInt(m[1], 16);
    const base = (words.length - 1 - w) * 32;
    for (let b = 0; b < 32; b++) if (v & (2 ** b)) bits.push(base + b);
  }
  return bits.sort((a, b) => a - b);
}

/** OS device roles, decoded per XML format (hwloc 3.0 uses a bitmask, 1.x/2.x an enum). */
function osdevRole(o: XObj, v3: boolean): 'openfabrics' | 'network' | 'compute' | 'other' {
  const t = readInt(o.osdev_type);
  if (t === undefined) return 'other';
  if (v3) {
    if (t & 32) return 'openfabrics';
    if (t & 16) return 'network';
    if (t & 8) return 'compute';
    return 'other';
  }
  // hwloc 1.x/2.x: 0 block, 1 gpu, 2 network, 3 openfabrics, 4 dma, 5 coproc
  return t === 3 ? 'openfabrics' : t === 2 ? 'network' : t === 5 ? 'compute' : 'other';
}

/** hwloc `lstopo --of xml`. */
export const hwlocXmlParser: AgentParser = {
  name: 'hwloc-xml',
  command: ['lstopo-no-graphics', '--of', 'xml'],
  detect(text: string): boolean {
    return /<topology\b/.test(text) && /<object\s[^>]*type="(Machine|System)"/.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext('hwloc-xml', options);
    const valid = XMLValidator.validate(text);
    if (valid !== true) ctx.fail(valid.err.line, `not well-formed XML (${valid.err.msg})`);
    const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', parseAttributeValue: false, parseTagValue: false, isArray: (n) => ARRAYS.has(n) });
    const doc = parser.parse(text) as { topology?: { version?: string; object?: XObj[]; info?: XObj['info']; distances2?: Array<Record<string, unknown>> } };
    const topo = doc.topology;
    const machine = topo?.object?.[0];
    if (!topo || !machine) ctx.fail(1, 'no <topology> with a root <object>');
    const v3 = Number.parseFloat(topo.version ?? '1') >= 3;
    const node = ctx.nameNode(infoOf(topo, 'HostName') ?? infoOf(machine, 'HostName'));

    // CPU side: PUs, cores, packages, NUMA nodes.
    let pus = 0;
    let cores = 0;
    const packages: XObj[] = [];
    const numas: Array<{ os: number; bytes?: number; cpus?: string; pkg?: string }> = [];
    const walkCpu = (o: XObj, pkg?: string) => {
      if (o.type === 'PU') pus++;
      if (o.type === 'Core') cores++;
      let p = pkg;
      if (o.type === 'Package' || o.type === 'Socket') {
        packages.push(o);
        p = o.os_index;
      }
      if (o.type === 'NUMANode') {
        const os = readInt(o.os_index);
        if (os === undefined) ctx.warn(0, 'NUMANode without os_index; skipped');
        else {
          const bits = bitmapBits(o.cpuset);
          numas.push({ os, bytes: readNumber(o.local_memory), cpus: bits ? formatCpuList(bits) : undefined, pkg: p });
        }
      }
      for (const c of o.object ?? []) if (c.type !== 'Bridge' && c.type !== 'PCIDev' && c.type !== 'OSDev') walkCpu(c, p);
    };
    walkCpu(machine);
    const model = packages.map((p) => infoOf(p, 'CPUModel')).find((m) => m);
    applyCpuFacts(ctx, {
      arch: archFrom(infoOf(topo, 'Architecture') ?? infoOf(machine, 'Architecture')),
      logical: pus || undefined,
      sockets: packages.length || undefined,
      cores: cores || undefined,
      threadsPerCore: cores && pus % cores === 0 ? pus / cores : undefined,
      model,
      numa: [],
    });
    const memBytes = numas.length ? numas.reduce((s, n) => s + (n.bytes ?? 0), 0) : readNumber(machine.local_memory);
    if (memBytes !== undefined && memBytes > 0) ctx.node.memoryMiB = Math.floor(memBytes / 1024 ** 2);
    else ctx.warn(0, 'no NUMA node memory (local_memory) found; memoryMiB left unset');

    ctx.vertices.push({ id: node, kind: 'node' });
    const packageIds = new Map<string, string>();
    for (const p of packages) {
      const os = p.os_index ?? String(packageIds.size);
      if (packageIds.has(os)) continue;
      const id = ctx.target(`package${os}`);
      packageIds.set(os, id);
      const labels: Record<string, string> = {};
      const bits = bitmapBits(p.cpuset);
      if (bits) labels['hetpool.io/cpus'] = formatCpuList(bits);
      const cpuModel = infoOf(p, 'CPUModel');
      if (cpuModel) labels['hetpool.io/cpu.model'] = cpuModel.slice(0, 253);
      ctx.vertices.push({ id, kind: 'package', ...(Object.keys(labels).length ? { labels } : {}) });
      ctx.links.push({ a: node, b: id, type: 'smp' });
    }
    const numaIds = new Map<number, string>();
    for (const n of numas) {
      const id = ctx.target(`numa${n.os}`);
      numaIds.set(n.os, id);
      const labels: Record<string, string> = {};
      if (n.bytes !== undefined) labels['hetpool.io/memory.mib'] = String(Math.floor(n.bytes / 1024 ** 2));
      if (n.cpus) labels['hetpool.io/cpus'] = n.cpus;
      ctx.vertices.push({ id, kind: 'numa', labels });
      ctx.links.push({ a: node, b: id, type: 'numa' });
      const pkg = n.pkg !== undefined ? packageIds.get(n.pkg) : undefined;
      if (pkg) ctx.links.push({ a: pkg, b: id, type: 'numa' });
    }
    const smp = new Map<string, TopologyLinkInput>();
    for (let i = 0; i < numas.length; i++) {
      for (let j = i + 1; j < numas.length; j++) {
        const l: TopologyLinkInput = { a: numaIds.get(numas[i].os)!, b: numaIds.get(numas[j].os)!, type: 'smp' };
        smp.set(`${numas[i].os} ${numas[j].os}`, l);
        ctx.links.push(l);
      }
    }
    for (const d of topo.distances2 ?? []) {
      if (d.type !== 'NUMANode') continue;
      const idx = String((d.indexes as { '#text'?: string })?.['#text'] ?? '').trim().split(/\s+/).map((s) => readInt(s));
      const vals = String((d.u64values as { '#text'?: string })?.['#text'] ?? '').trim().split(/\s+/).map((s) => readInt(s));
      if (idx.some((x) => x === undefined) || vals.length !== idx.length * idx.length || vals.some((x) => x === undefined)) {
        ctx.warn(0, 'NUMA distance matrix malformed; ignored');
        continue;
      }
      // Relative latency (10 = local) on the smp link of each pair; both directions when they differ.
      const at = (i: number, j: number) => String(vals[i * idx.length + j]);
      idx.forEach((a, i) => idx.forEach((b, j) => {
        const l = smp.get(`${a} ${b}`);
        if (!l) return;
        l.labels = at(i, j) === at(j, i) ? { 'hetpool.io/distance': at(i, j) } : { [`hetpool.io/distance.numa${a}-numa${b}`]: at(i, j), [`hetpool.io/distance.numa${b}-numa${a}`]: at(j, i) };
      }));
    }

    // I/O side: the PCI tree under each CPU-side object.
    const seen = new Set(ctx.vertices.map((v) => v.id));
    const localityOf = (o: XObj): string => {
      const bits = bitmapBits(o.nodeset);
      if (bits && bits.length === 1 && numaIds.has(bits[0])) return numaIds.get(bits[0])!;
      return node;
    };
    /** Build the subtree of an I/O object; returns its vertices/links only if it leads somewhere useful. */
    const visitIo = (o: XObj, parentId: string, parentRole: 'locality' | 'host' | 'bridge', out: { v: TopologyVertex[]; l: TopologyLinkInput[] }): void => {
      const linkType = parentRole === 'locality' ? 'pcie-host-bridge' : parentRole === 'host' ? 'pcie' : 'pcie-switch';
      const speed = readNumber(o.pci_link_speed);
      const bandwidth = speed !== undefined && speed > 0 ? { bandwidthGbps: speed * 8 } : {};
      if (o.type === 'Bridge') {
        const host = o.bridge_type?.startsWith('0-') ?? !o.pci_busid;
        const m = /^([0-9a-f]{4}):\[([0-9a-f]{2})/i.exec(o.bridge_pci ?? '');
        const id = host ? ctx.target(`hostbridge-${m ? `${m[1]}:${m[2]}` : (o.os_index ?? 'x')}`) : ctx.target(`pcibridge-${normalizeBusId(o.pci_busid) ?? o.pci_busid ?? 'x'}`);
        const sub = { v: [] as TopologyVertex[], l: [] as TopologyLinkInput[] };
        for (const c of o.object ?? []) visitIo(c, id, host ? 'host' : 'bridge', sub);
        if (sub.v.length === 0) return;
        const labels: Record<string, string> = { 'hetpool.io/pcie.role': host ? 'host-bridge' : 'bridge' };
        if (o.bridge_pci) labels['hetpool.io/pcie.buses'] = o.bridge_pci;
        const bus = normalizeBusId(o.pci_busid);
        if (bus) labels['hetpool.io/busId'] = bus;
        out.v.push({ id, kind: 'pcie-switch', labels }, ...sub.v);
        out.l.push({ a: parentId, b: id, type: parentRole === 'locality' ? 'pcie-host-bridge' : linkType, ...bandwidth }, ...sub.l);
        return;
      }
      if (o.type !== 'PCIDev') return;
      const cls = /^([0-9a-f]{4})\s+\[([0-9a-f]{4}):([0-9a-f]{4})\]/i.exec(o.pci_type ?? '');
      if (!cls) return;
      const [klass, vendorId] = [cls[1].toLowerCase(), cls[2].toLowerCase()];
      const osdevs = (o.object ?? []).filter((c) => c.type === 'OSDev');
      const compute = osdevs.find((d) => osdevRole(d, v3) === 'compute' || /^(cuda|opencl|rsmi|levelzero|ve)\d/i.test(d.name ?? ''));
      const isGpu = klass === '0302' || klass === '0380' || klass.startsWith('12') || (klass.startsWith('03') && (!!compute || GPU_VENDORS.has(vendorId)));
      const isNic = klass.startsWith('02');
      if (!isGpu && !isNic) return;
      const busId = normalizeBusId(o.pci_busid);
      const labels: Record<string, string> = {};
      if (busId) labels['hetpool.io/busId'] = busId;
      const vendorName = infoOf(o, 'PCIVendor');
      const vendor = canonicalVendor(vendorName) ?? canonicalVendor(compute && infoOf(compute, 'GPUVendor'));
      if (vendor) labels['hetpool.io/vendor'] = vendor;
      else if (vendorName) labels['hetpool.io/vendor'] = vendorName.slice(0, 253);
      const model = (compute && infoOf(compute, 'GPUModel')) ?? infoOf(o, 'PCIDevice');
      if (model) labels['hetpool.io/model'] = model.slice(0, 253);
      labels['hetpool.io/pci.class'] = klass;
      let id: string;
      if (isGpu) {
        id = ctx.target(`pci-${busId ?? o.pci_busid ?? 'x'}`);
        const mem = compute && (infoOf(compute, 'CUDAGlobalMemorySize') ?? infoOf(compute, 'OpenCLGlobalMemorySize'));
        const mib = readMemoryMiB(mem);
        if (mib !== undefined) labels['hetpool.io/memory.mib'] = String(Math.floor(mib));
        if (compute?.name) labels['hetpool.io/osdev'] = compute.name;
      } else {
        const fabric = osdevs.find((d) => osdevRole(d, v3) === 'openfabrics');
        const net = osdevs.find((d) => osdevRole(d, v3) === 'network');
        id = ctx.target(fabric?.name ?? net?.name ?? `pci-${busId ?? o.pci_busid ?? 'x'}`);
        if (net?.name) labels['hetpool.io/netdev'] = net.name;
      }
      if (seen.has(id)) {
        ctx.warn(0, `PCI device ${id} appears twice; second one skipped`);
        return;
      }
      seen.add(id);
      out.v.push({ id, kind: isGpu ? 'device' : 'nic', labels });
      out.l.push({ a: parentId, b: id, type: linkType, ...bandwidth });
    };
    const walkIo = (o: XObj) => {
      for (const c of o.object ?? []) {
        if (c.type === 'Bridge' || c.type === 'PCIDev') {
          const out = { v: [] as TopologyVertex[], l: [] as TopologyLinkInput[] };
          visitIo(c, localityOf(o), c.type === 'Bridge' ? 'locality' : 'host', out);
          ctx.vertices.push(...out.v);
          ctx.links.push(...out.l);
        } else if (c.type && CPU_SIDE.has(c.type)) walkIo(c);
      }
    };
    walkIo(machine);
    return ctx.finish('hwloc topology');
  },
};
