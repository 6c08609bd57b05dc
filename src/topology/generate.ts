/**
 * A synthetic GPU fabric for scale tests and benchmarks (§9.2g: ten-thousand-node scale):
 * racks of `nodesPerRack` nodes, one leaf switch per rack, every leaf wired to every spine (two
 * switch tiers), one site. Each node: two NUMA nodes joined by an SMP link, `gpusPerNode` GPUs
 * under PCIe switches (two GPUs per switch), NVLink full meshes over islands of `islandSize`
 * GPUs, and one 400G InfiniBand NIC per NUMA node to the rack's leaf. Deterministic: same options,
 * same topology.
 */
import type { NodeInput } from '../model/types.js';
import type { Topology, TopologyLinkInput, TopologyVertex } from '../model/topology.js';
import { HetpoolError } from '../model/errors.js';

/** Shape of the generated fabric. */
export interface FabricOptions {
  nodes?: number;
  nodesPerRack?: number;
  spines?: number;
  gpusPerNode?: number;
  islandSize?: number;
  /** Leaf→spine link bandwidth, Gbps. */
  leafUplinkGbps?: number;
}

/** The generated topology plus the matching model nodes (for an engine). */
export interface GeneratedFabric {
  topology: { vertices: TopologyVertex[]; links: TopologyLinkInput[] };
  nodes: NodeInput[];
}

/** Node id of node i (zero-padded so ids sort in rack order). */
export const fabricNodeId = (i: number): string => `node-${String(i).padStart(5, '0')}`;

/** Generate the fabric; defaults: 10,000 nodes, racks of 32, 16 spines, 8 GPUs in 2 NVLink islands of 4. */
export function generateFabric(opts: FabricOptions = {}): GeneratedFabric {
  const n = opts.nodes ?? 10_000;
  const perRack = opts.nodesPerRack ?? 32;
  const spines = opts.spines ?? 16;
  const gpus = opts.gpusPerNode ?? 8;
  const island = opts.islandSize ?? 4;
  const upGbps = opts.leafUplinkGbps ?? 800;
  const check = (v: number, name: string, lo: number, hi: number): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new HetpoolError('invalid-input', `options.${name}`, `must be an integer in ${lo}..${hi}, got ${v}`);
  };
  check(n, 'nodes', 1, 1_000_000);
  check(perRack, 'nodesPerRack', 1, 1024);
  check(spines, 'spines', 0, 256);
  check(gpus, 'gpusPerNode', 0, 64);
  check(island, 'islandSize', 1, 64);
  const vertices: TopologyVertex[] = [{ id: 'site:dc1', kind: 'site' }];
  const links: TopologyLinkInput[] = [];
  for (let s = 0; s < spines; s++) {
    vertices.push({ id: `spine-${s}`, kind: 'switch', tier: 1 });
    links.push({ a: `spine-${s}`, b: 'site:dc1', type: 'ethernet', bandwidthGbps: 6400 });
  }
  const racks = Math.ceil(n / perRack);
  for (let r = 0; r < racks; r++) {
    const leaf = `leaf-${r}`;
    vertices.push({ id: leaf, kind: 'switch', tier: 0 });
    for (let s = 0; s < spines; s++) links.push({ a: leaf, b: `spine-${s}`, type: 'infiniband', bandwidthGbps: upGbps });
    if (spines === 0) links.push({ a: leaf, b: 'site:dc1', type: 'ethernet', bandwidthGbps: upGbps });
  }
  const nodes: NodeInput[] = [];
  for (let i = 0; i < n; i++) {
    const id = fabricNodeId(i);
    const leaf = `leaf-${Math.floor(i / perRack)}`;
    vertices.push({ id, kind: 'node' });
    for (const s of [0, 1]) {
      vertices.push({ id: `${id}/numa${s}`, kind: 'numa' }, { id: `${id}/mlx5_${s}`, kind: 'nic' });
      links.push(
        { a: id, b: `${id}/numa${s}`, type: 'numa' },
        { a: `${id}/numa${s}`, b: `${id}/mlx5_${s}`, type: 'nic' },
        { a: `${id}/mlx5_${s}`, b: leaf, type: 'infiniband' },
      );
    }
    links.push({ a: `${id}/numa0`, b: `${id}/numa1`, type: 'smp' });
    const switches = Math.ceil(gpus / 2);
    for (let p = 0; p < switches; p++) {
      vertices.push({ id: `${id}/pcie${p}`, kind: 'pcie-switch' });
      links.push({ a: `${id}/numa${p < switches / 2 ? 0 : 1}`, b: `${id}/pcie${p}`, type: 'pcie-host-bridge' });
    }
    for (let g = 0; g < gpus; g++) {
      vertices.push({ id: `${id}/gpu${g}`, kind: 'device' });
      links.push({ a: `${id}/pcie${g >> 1}`, b: `${id}/gpu${g}`, type: 'pcie' });
      const first = g - (g % island);
      for (let h = first; h < g; h++) links.push({ a: `${id}/gpu${h}`, b: `${id}/gpu${g}`, type: 'nvlink', lanes: 4 });
    }
    nodes.push({
      id,
      rack: leaf,
      site: 'dc1',
      cpuMilli: 128_000,
      memoryMiB: 1_048_576,
      devices: Array.from({ length: gpus }, (_, g) => ({ id: `gpu${g}`, kind: 'gpu' as const, vendor: 'nvidia', model: 'H100-SXM5-80GB', memoryMiB: 81_920, index: g })),
    });
  }
  return { topology: { vertices, links }, nodes };
}

/** Topology only, typed as the model's (validated by createTopology). */
export function generateFabricTopology(opts: FabricOptions = {}): Pick<Topology, 'vertices'> & { links: TopologyLinkInput[] } {
  return generateFabric(opts).topology;
}
