/**
 * Topology agents on real samples: hwloc XML (NUMA, PCIe tree, GPUs, NICs) and the InfiniBand
 * tools (ibstat, ibstatus, ibv_devinfo) → NIC vertices and links with type, bandwidth, state.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HetpoolError } from '../src/model/errors.js';
import { bitmapBits, hwlocXmlParser } from '../src/adapters/parsers/hwloc-xml.js';
import { ibstatParser } from '../src/adapters/parsers/ibstat.js';
import { ibstatusParser } from '../src/adapters/parsers/ibstatus.js';
import { ibvDevinfoParser } from '../src/adapters/parsers/ibv_devinfo.js';
import { ibLinkState } from '../src/adapters/lib/ib.js';

const ROOT = join(__dirname, '..', 'fixtures', 'agents');
const load = (tool: string, file: string) => readFileSync(join(ROOT, tool, file), 'utf8');

describe('hwloc XML (Supermicro X9DRG-HF, 2× E5-2650, hwloc 3.0 format)', () => {
  const inv = hwlocXmlParser.parse(load('hwloc-xml', 'supermicro-x9drg-2xe5-2650-teslam2075.txt'));
  const v = (id: string) => inv.vertices?.find((x) => x.id === id);
  const link = (a: string, b: string) => inv.links?.find((l) => l.a === a && l.b === b);
  it('names the node from HostName and reads CPU and memory facts', () => {
    // <info name="HostName" value="conan"/> names the node when the caller does not
    expect(inv.nodes[0].id).toBe('conan');
    // the caller's node id wins (hetpool discover --node puts every agent's fragment on one node)
    const named = hwlocXmlParser.parse(load('hwloc-xml', 'supermicro-x9drg-2xe5-2650-teslam2075.txt'), { nodeId: 'n7' });
    expect(named.nodes[0].id).toBe('n7');
    expect(named.vertices?.some((x) => x.id === 'n7/numa0')).toBe(true);
    // 32 <object type="PU">, 16 Core, 2 Package; <info name="Architecture" value="x86_64"/>
    // memory: NUMANode local_memory 34330173440 + 34359738368 = 68689911808 B / 1048576 = 65507.45 → 65507 MiB
    expect(inv.nodes[0]).toMatchObject({ arch: 'x86_64', cpuMilli: 32000, memoryMiB: 65507 });
    expect(inv.nodes[0].labels).toMatchObject({ 'hetpool.io/cpu.sockets': '2', 'hetpool.io/cpu.cores': '16', 'hetpool.io/cpu.model': 'Intel(R) Xeon(R) CPU E5-2650 0 @ 2.00GHz' });
  });
  it('makes package and NUMA vertices with memory, CPUs and relative distance', () => {
    // NUMANode os_index 0: local_memory 34330173440 → 32739 MiB; cpuset 0x00ff00ff → 0-7,16-23
    expect(v('conan/numa0')?.labels).toEqual({ 'hetpool.io/memory.mib': '32739', 'hetpool.io/cpus': '0-7,16-23' });
    // <u64values>10 20 20 10</u64values>: 20 both ways → one distance on the smp link; 34359738368 B = 32768 MiB
    expect(v('conan/numa1')?.labels?.['hetpool.io/memory.mib']).toBe('32768');
    expect(link('conan/numa0', 'conan/numa1')).toEqual({ a: 'conan/numa0', b: 'conan/numa1', type: 'smp', labels: { 'hetpool.io/distance': '20' } });
    // 2 <object type="Package"> (os_index 0 and 1), each holding one NUMANode
    expect(inv.vertices?.filter((x) => x.kind === 'package').map((x) => x.id)).toEqual(['conan/package0', 'conan/package1']);
    expect(v('conan/package0')?.labels?.['hetpool.io/cpu.model']).toBe('Intel(R) Xeon(R) CPU E5-2650 0 @ 2.00GHz');
    expect(link('conan', 'conan/package0')?.type).toBe('smp');
    expect(link('conan/package0', 'conan/numa0')?.type).toBe('numa');
    expect(link('conan/package1', 'conan/numa1')?.type).toBe('numa');
  });
  it('builds the PCIe tree down to GPUs and NICs', () => {
    // Package 0 (nodeset 0x1 → numa0) > Bridge 0000:[00-05] > Bridge 00:03.0 > PCIDev 03:00.0 "Tesla M2075" (class 0302)
    expect(link('conan/numa0', 'conan/hostbridge-0000:00')?.type).toBe('pcie-host-bridge');
    expect(link('conan/hostbridge-0000:00', 'conan/pcibridge-0000:00:03.0')?.type).toBe('pcie');
    expect(link('conan/pcibridge-0000:00:03.0', 'conan/pci-0000:03:00.0')?.type).toBe('pcie-switch');
    expect(v('conan/pci-0000:03:00.0')).toMatchObject({ kind: 'device', labels: { 'hetpool.io/vendor': 'nvidia', 'hetpool.io/busId': '0000:03:00.0' } });
    // 84:00.0 carries <OSDev name="cuda0"> with GPUModel "Tesla K40m", CUDAGlobalMemorySize 11796032KiB / 1024 = 11519.56 → 11519
    expect(v('conan/pci-0000:84:00.0')?.labels).toMatchObject({ 'hetpool.io/model': 'Tesla K40m', 'hetpool.io/memory.mib': '11519', 'hetpool.io/osdev': 'cuda0' });
    // ConnectX-4 with OSDev "mlx5_0" (osdev_type 48 = network|openfabrics) and "ib0" → NIC named mlx5_0
    expect(v('conan/mlx5_0')).toMatchObject({ kind: 'nic', labels: { 'hetpool.io/netdev': 'ib0', 'hetpool.io/busId': '0000:04:00.0' } });
    expect(link('conan/pcibridge-0000:80:03.0', 'conan/mlx5_0')?.type).toBe('pcie-switch');
    // I350 81:00.0 with OSDev eth0 → NIC eth0
    expect(v('conan/eth0')?.kind).toBe('nic');
  });
  it('leaves out storage, the BMC VGA and bridges that lead to neither', () => {
    // "C602 chipset 4-Port SATA Storage Control Unit" under bridge 00:11.0; Matrox MGA (102b) VGA under 00:1e.0
    expect(v('conan/pcibridge-0000:00:11.0')).toBeUndefined();
    expect(v('conan/pci-0000:05:03.0')).toBeUndefined();
    // 4 GPUs (03:00.0, 83:00.0, 84:00.0, 84:00.1 OpenCL) and 3 NICs (eth0, eth1, mlx5_0)
    expect(inv.vertices?.filter((x) => x.kind === 'device')).toHaveLength(4);
    expect(inv.vertices?.filter((x) => x.kind === 'nic')).toHaveLength(3);
  });
  it('reports malformed XML with its line', () => {
    const text = load('hwloc-xml', 'supermicro-x9drg-2xe5-2650-teslam2075.txt').replace('</object>\n', '</objekt>\n');
    try {
      hwlocXmlParser.parse(text, { source: 'bad.xml' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(HetpoolError);
      expect((e as HetpoolError).path).toMatch(/^bad\.xml:\d+$/);
    }
  });
  it('reads hwloc bitmaps, including multi-word ones', () => {
    expect(bitmapBits('0x00ff00ff')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23]);
    // second word is bits 0..31, first word bits 32..63: 0x1 → bit 32
    expect(bitmapBits('0x00000001,0x00000003')).toEqual([0, 1, 32]);
    expect(bitmapBits('zz')).toBeUndefined();
  });
});

describe('ibstat (H100, 8× CX-7 NDR + bond)', () => {
  const inv = ibstatParser.parse(load('ibstat', 'h100-cx7-8x400-ib-all-active.txt'), { nodeId: 'h1' });
  it('one NIC and one link per port, type from the link layer', () => {
    // 9 CAs: mlx5_0, _1, _4.._9, mlx5_bond_0
    expect(inv.vertices?.filter((x) => x.kind === 'nic')).toHaveLength(9);
    // "CA 'mlx5_0'" "State: Active" "Physical state: LinkUp" "Rate: 400" "Link layer: InfiniBand"
    expect(inv.links?.find((l) => l.b === 'h1/mlx5_0')).toEqual({ a: 'h1', b: 'h1/mlx5_0', type: 'infiniband', state: 'up', bandwidthGbps: 400 });
    // "CA 'mlx5_bond_0'" "Rate: 200" "Link layer: Ethernet" → roce
    expect(inv.links?.find((l) => l.b === 'h1/mlx5_bond_0')).toEqual({ a: 'h1', b: 'h1/mlx5_bond_0', type: 'roce', state: 'up', bandwidthGbps: 200 });
    expect(inv.vertices?.find((x) => x.id === 'h1/mlx5_0')?.labels).toMatchObject({ 'hetpool.io/ib.ca-type': 'MT4129', 'hetpool.io/firmware': '28.41.1000' });
    expect(inv.metrics?.find((m) => m.target === 'h1/mlx5_0' && m.metric === 'link.state')?.value).toBe(1);
  });
  it('a port that went Down with physical Polling is a down link (metric 0)', () => {
    const text = load('ibstat', 'h100-cx7-8x400-ib-all-active.txt').replace('State: Active\n                Physical state: LinkUp', 'State: Down\n                Physical state: Polling');
    const down = ibstatParser.parse(text, { nodeId: 'h1' });
    expect(down.links?.find((l) => l.b === 'h1/mlx5_0')?.state).toBe('down');
    expect(down.metrics?.find((m) => m.target === 'h1/mlx5_0' && m.metric === 'link.state')?.value).toBe(0);
  });
});

describe('ibstatus (A100, 8× HDR + 1 Ethernet)', () => {
  const inv = ibstatusParser.parse(load('ibstatus', 'a100-hdr-8port.txt'));
  it('reads rate, state and link layer', () => {
    // "state: 4: ACTIVE" "phys state: 5: LinkUp" "rate: 200 Gb/sec (4X HDR)" "link_layer: InfiniBand"
    expect(inv.links?.find((l) => l.b === 'local/mlx5_3')).toEqual({ a: 'local', b: 'local/mlx5_3', type: 'infiniband', state: 'up', bandwidthGbps: 200 });
    // mlx5_8: "rate: 40 Gb/sec (4X QDR)" "link_layer: Ethernet"
    expect(inv.links?.find((l) => l.b === 'local/mlx5_8')).toEqual({ a: 'local', b: 'local/mlx5_8', type: 'roce', state: 'up', bandwidthGbps: 40 });
    expect(inv.links).toHaveLength(9);
    expect(inv.vertices?.find((x) => x.id === 'local/mlx5_0')?.labels?.['hetpool.io/ib.rate']).toBe('4X HDR');
  });
});

describe('ibv_devinfo (CX-7 in Ethernet mode)', () => {
  it('an active Ethernet port is an up RoCE link without a rate', () => {
    const inv = ibvDevinfoParser.parse(load('ibv_devinfo', 'cx7-single-port-roce.txt'));
    // "hca_id: mlx5_1" "state: PORT_ACTIVE (4)" "link_layer: Ethernet"; no rate without -v
    expect(inv.links).toEqual([{ a: 'local', b: 'local/mlx5_1', type: 'roce', state: 'up' }]);
    // "vendor_part_id: 4129", "fw_ver: 28.43.2566"
    expect(inv.vertices?.find((x) => x.id === 'local/mlx5_1')?.labels).toMatchObject({ 'hetpool.io/ib.ca-type': '4129', 'hetpool.io/firmware': '28.43.2566' });
  });
  it('with -v fields: bandwidth = width × lane speed', () => {
    // The sample plus the -v lines ibv_devinfo -v prints for the same port; 4X × 100.0 Gbps = 400 Gb/s
    const text = load('ibv_devinfo', 'cx7-single-port-roce.txt').replace(
      'link_layer:             Ethernet',
      'link_layer:             Ethernet\n                        active_width:           4X (2)\n                        active_speed:           100.0 Gbps (128)\n                        phys_state:             LINK_UP (5)',
    );
    expect(ibvDevinfoParser.parse(text).links?.[0]).toMatchObject({ type: 'roce', state: 'up', bandwidthGbps: 400 });
  });
});

describe('port state rule', () => {
  it('maps logical × physical state', () => {
    expect(ibLinkState('Active', 'LinkUp')).toBe('up');
    expect(ibLinkState('PORT_ACTIVE', undefined)).toBe('up');
    expect(ibLinkState('Down', 'Polling')).toBe('down');
    expect(ibLinkState('Down', 'LinkUp')).toBe('down');
    expect(ibLinkState('Initializing', 'LinkUp')).toBe('degraded');
    expect(ibLinkState('INIT', 'LinkUp')).toBe('degraded');
    expect(ibLinkState('Armed', 'LinkUp')).toBe('degraded');
    expect(ibLinkState('Active', 'LinkErrorRecovery')).toBe('degraded');
    expect(ibLinkState('Active', 'Disabled')).toBe('down');
    expect(ibLinkState('???', undefined)).toBeUndefined();
  });
});
