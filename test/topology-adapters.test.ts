import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hwlocXmlParser } from '../src/adapters/parsers/hwloc-xml.js';
import { parseNvidiaSmiTopo } from '../src/adapters/parsers/nvidia-smi-topo.js';
import { chooseDeviceSet, deviceMatrix } from '../src/topology/devices.js';
import { createTopology } from '../src/topology/graph.js';

const text = (path: string): string => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), 'utf8');

// `nvidia-smi topo -m` reports pairwise path classes as direct links and no vertex for the host.
describe('topology from the nvidia-smi topo -m adapter', () => {
  it('reads the matrix classes (hand-made 4-GPU box: NV4 pair on NUMA 0, PIX pair on NUMA 1)', () => {
    const inv = parseNvidiaSmiTopo(text('topology/topo-m-4gpu.txt'), { nodeId: 'box' });
    const g = createTopology({ vertices: inv.vertices, links: inv.links });
    expect(g.slotOf('box')).toBeDefined(); // implied node vertex
    const m = deviceMatrix(g, 'box');
    expect(m.devices).toEqual(['box/gpu0', 'box/gpu1', 'box/gpu2', 'box/gpu3']);
    // (0,1) NV4 → island 0; (2,3) PIX → pcie-switch 1; (0,2) SYS → cross-socket 3.
    expect([m.cls[0 * 4 + 1], m.cls[2 * 4 + 3], m.cls[0 * 4 + 2]]).toEqual([0, 1, 3]);
    // NV4 = 4 lanes × 200 Gbps = 800 Gbps.
    expect(chooseDeviceSet(g, 'box', 2)).toMatchObject({ devices: ['box/gpu0', 'box/gpu1'], affinity: 'island', bottleneckGbps: 800 });
    // gpu1 busy: {2,3} (class 1) beats {0,2} / {0,3} (class 3).
    expect(chooseDeviceSet(g, 'box', 2, ['gpu0', 'gpu2', 'gpu3'])).toMatchObject({ devices: ['box/gpu2', 'box/gpu3'], affinity: 'pcie-switch' });
  });
  it('reads a real capture (2 × RTX 6000 Ada behind one host bridge)', () => {
    const inv = parseNvidiaSmiTopo(text('agents/nvidia-smi-topo/rtx6000ada-2gpu-2nic-cx7.txt'), { nodeId: 'ws' });
    const g = createTopology({ vertices: inv.vertices, links: inv.links });
    // GPU0–GPU1 PHB → same NUMA (class 2); the direct link is a PCIe host bridge hop: 256 Gbps by default.
    expect(chooseDeviceSet(g, 'ws', 2)).toMatchObject({ devices: ['ws/gpu0', 'ws/gpu1'], affinity: 'numa', bottleneckGbps: 256 });
  });
  it('reads an hwloc capture (Supermicro X9DRG, 2 sockets; open-mpi/hwloc test data)', () => {
    const inv = hwlocXmlParser.parse(text('agents/hwloc-xml/supermicro-x9drg-2xe5-2650-teslam2075.txt'), { nodeId: 'sm' });
    const g = createTopology({ vertices: inv.vertices ?? [], links: inv.links ?? [] });
    // PCI devices in topology order: 03:00.0 under NUMA 0; 83:00.0, 84:00.0, 84:00.1 under NUMA 1,
    // the last two behind the same PCIe bridge 80:03.0.
    expect(deviceMatrix(g, 'sm').devices).toEqual(['sm/pci-0000:03:00.0', 'sm/pci-0000:83:00.0', 'sm/pci-0000:84:00.0', 'sm/pci-0000:84:00.1']);
    // k = 2: the two functions behind one bridge (class 1), 256 Gbps, 2 + 2 µs.
    expect(chooseDeviceSet(g, 'sm', 2)).toMatchObject({ indices: [2, 3], affinity: 'pcie-switch', bottleneckGbps: 256, latencySumUs: 4 });
    // k = 3: any set with 03:00.0 crosses sockets (class 3); {83, 84.0, 84.1} stays on NUMA 1 (class 2).
    expect(chooseDeviceSet(g, 'sm', 3)).toMatchObject({ indices: [1, 2, 3], affinity: 'numa' });
  });
});
