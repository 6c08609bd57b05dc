/**
 * Topology as plain model data (adapters produce it; src/topology builds the graph and answers
 * queries). Endpoints are ids in one namespace: `<nodeId>/<deviceId>` for a device,
 * `<nodeId>` for a node, and free-form ids for NUMA nodes, PCIe switches, NICs, switches, sites
 * (e.g. `n1/numa0`, `n1/pcie-sw1`, `n1/mlx5_0`, `leaf-3`, `spine-1`, `site:hangzhou`).
 */
import { z } from 'zod';

export const LinkTypeSchema = z.enum([
  'nvlink', 'nvswitch', 'hccs', 'xgmi', 'pcie', 'pcie-switch', 'pcie-host-bridge', 'smp', 'numa', 'nic',
  'infiniband', 'roce', 'ethernet', 'wan', 'other',
]);
export const LinkStateSchema = z.enum(['up', 'degraded', 'down']);
/** `package`: a CPU socket (hwloc Package), holding cores and usually one or more NUMA nodes. */
export const TopologyVertexKindSchema = z.enum(['device', 'node', 'numa', 'pcie-switch', 'nic', 'switch', 'rack', 'zone', 'site', 'region', 'cloud', 'package']);

export const TopologyVertexSchema = z.strictObject({
  id: z.string().min(1).max(253),
  kind: TopologyVertexKindSchema,
  /** For switches: tier in the fabric (0 = leaf/ToR, 1 = spine, 2 = core). */
  tier: z.number().int().min(0).max(8).optional(),
  labels: z.record(z.string(), z.string()).optional(),
});

export const TopologyLinkSchema = z.strictObject({
  a: z.string().min(1).max(253),
  b: z.string().min(1).max(253),
  type: LinkTypeSchema,
  /** Bandwidth per direction, Gbps. */
  bandwidthGbps: z.number().min(0).optional(),
  latencyUs: z.number().min(0).optional(),
  /** Packet loss ratio 0..1. */
  loss: z.number().min(0).max(1).optional(),
  state: LinkStateSchema.default('up'),
  /** Number of parallel lanes/links (e.g. NV12 = 12 NVLinks). */
  lanes: z.number().int().min(1).max(1024).optional(),
  /** Facts an agent reports about the link that have no field here: hops, weights, relative distances. */
  labels: z.record(z.string(), z.string()).optional(),
});

export const TopologySchema = z.strictObject({
  vertices: z.array(TopologyVertexSchema).default([]),
  links: z.array(TopologyLinkSchema).default([]),
});

export type LinkType = z.infer<typeof LinkTypeSchema>;
export type LinkState = z.infer<typeof LinkStateSchema>;
export type TopologyVertex = z.infer<typeof TopologyVertexSchema>;
export type TopologyLink = z.infer<typeof TopologyLinkSchema>;
export type TopologyLinkInput = z.input<typeof TopologyLinkSchema>;
export type Topology = z.infer<typeof TopologySchema>;
