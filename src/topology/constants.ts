/**
 * Constants of the topology model: link defaults, the degraded-link penalty and the tier scale.
 * One file so that docs/topology.md and the kernels cite the same numbers.
 */
import type { LinkType } from '../model/topology.js';

/**
 * Bandwidth per direction (Gbps, per lane where `lanes` applies) and latency (µs) assumed for a
 * link that does not state them. Sources: NVLink 4 = 25 GB/s per link per direction (NVIDIA H100
 * datasheet) = 200 Gbps; HCCS on Ascend 910B = 30 GB/s = 240 Gbps (Huawei Atlas 800T A2 spec);
 * xGMI (AMD Infinity Fabric, MI300X) = 64 GB/s ≈ 512 Gbps per link; PCIe Gen4 x16 = 32 GB/s per
 * direction ≈ 256 Gbps; InfiniBand NDR / RoCE 400GbE = 400 Gbps; WAN assumed 10 Gbps at 10 ms.
 * Latencies are order-of-magnitude figures; adapters should state measured values.
 */
export const LINK_DEFAULTS: Readonly<Record<LinkType, { gbpsPerLane: number; lanes: number; latencyUs: number }>> = {
  nvlink: { gbpsPerLane: 200, lanes: 1, latencyUs: 1 },
  nvswitch: { gbpsPerLane: 200, lanes: 18, latencyUs: 1.5 },
  hccs: { gbpsPerLane: 240, lanes: 1, latencyUs: 1 },
  xgmi: { gbpsPerLane: 512, lanes: 1, latencyUs: 1 },
  pcie: { gbpsPerLane: 256, lanes: 1, latencyUs: 2 },
  'pcie-switch': { gbpsPerLane: 256, lanes: 1, latencyUs: 2 },
  'pcie-host-bridge': { gbpsPerLane: 256, lanes: 1, latencyUs: 2 },
  smp: { gbpsPerLane: 400, lanes: 1, latencyUs: 1 },
  numa: { gbpsPerLane: 800, lanes: 1, latencyUs: 0.5 },
  nic: { gbpsPerLane: 256, lanes: 1, latencyUs: 2 },
  infiniband: { gbpsPerLane: 400, lanes: 1, latencyUs: 1 },
  roce: { gbpsPerLane: 400, lanes: 1, latencyUs: 2 },
  ethernet: { gbpsPerLane: 100, lanes: 1, latencyUs: 10 },
  wan: { gbpsPerLane: 10, lanes: 1, latencyUs: 10_000 },
  other: { gbpsPerLane: 10, lanes: 1, latencyUs: 100 },
};

/**
 * A degraded link keeps working at reduced quality: its effective bandwidth is multiplied by
 * DEGRADED_BW_NUM / DEGRADED_BW_DEN (½) and its latency by DEGRADED_LATENCY_FACTOR (2). Packet
 * loss p further scales bandwidth by (1 − p) (goodput of a lossy link, first-order). Down links
 * are never used.
 */
export const DEGRADED_BW_NUM = 1;
export const DEGRADED_BW_DEN = 2;
export const DEGRADED_LATENCY_FACTOR = 2;

/** Loss ratio above which an `up` link is reported as suspicious in link events (0.1 %). */
export const LOSS_WARN = 0.001;

/** Bandwidth (Mbps) standing for "no limit": inside one node for gangs, and a single device. */
export const BW_UNLIMITED = 0x7fffffff;

/**
 * The tiered view used for placement: how far apart two nodes are. Lower is closer.
 * UNREACHABLE means no path without down links.
 */
export const Tier = { node: 0, leaf: 1, spine: 2, site: 3, crossSite: 4, unreachable: 5 } as const;
export type TierValue = (typeof Tier)[keyof typeof Tier];
export const TIER_NAMES = ['node', 'leaf', 'spine', 'site', 'cross-site', 'unreachable'] as const;

/**
 * Affinity classes between two devices of one node (lower is better): same NVLink/NVSwitch/HCCS/
 * xGMI island < same PCIe switch < same NUMA node < across sockets. NO_PATH pairs are never
 * placed together.
 */
export const Affinity = { island: 0, pcieSwitch: 1, numa: 2, crossSocket: 3, noPath: 4 } as const;
export const AFFINITY_NAMES = ['island', 'pcie-switch', 'numa', 'cross-socket', 'no-path'] as const;
