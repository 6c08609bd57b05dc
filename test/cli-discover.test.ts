/** `hetpool discover` and `hetpool inventory` end to end (CLI run from source). */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCluster } from '../src/model/validate.js';
import { repoRoot, runCli } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'hetpool-discover-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fx = (p: string): string => join(repoRoot, 'fixtures/agents', p);

/** Run the CLI with PATH = `path` only (the CLI itself runs from process.execPath). */
function withPath<T>(path: string, f: () => T): T {
  const old = process.env.PATH;
  process.env.PATH = path;
  try {
    return f();
  } finally {
    process.env.PATH = old;
  }
}

describe('hetpool discover', () => {
  it('on this machine: a valid cluster JSON with one node and its CPU capacity', () => {
    const r = runCli(['discover', '--node', 'this-host']);
    expect(r.status, r.stderr).toBe(0);
    const c = parseCluster(JSON.parse(r.stdout));
    expect(c.nodes.map((n) => n.id)).toEqual(['this-host']);
    expect(c.nodes[0].cpuMilli).toBeGreaterThan(0);
    expect(c.nodes[0].memoryMiB).toBeGreaterThan(0);
    expect(c.nodes[0].labels?.['hetpool.io/arch']).toBe(c.nodes[0].arch);
  });

  it('with no agent at all: every tool skipped with a note, the runtime view still gives a node', () => {
    const empty = join(tmp, 'no-such-dir'); // nothing on PATH at all
    const out = join(tmp, 'out', 'cluster.json');
    const r = withPath(empty, () => runCli(['discover', '--node', 'bare', '--out', out]));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/discover: nvidia-smi not found; skipped/);
    expect(r.stderr).toMatch(/discover: lscpu not found; skipped/);
    expect(r.stderr).toMatch(/using the runtime's view of the host/);
    expect(r.stdout).toBe('');
    const c = parseCluster(JSON.parse(readFileSync(out, 'utf8')));
    expect(c.nodes[0]).toMatchObject({ id: 'bare', devices: [] });
    expect(c.nodes[0].labels?.['hetpool.io/kind']).toBe('cpu');
  });

  it('with a (fake) nvidia-smi on PATH: GPUs from -q -x and topo -m merged; a failing subcommand is skipped', () => {
    const script = [
      '#!/bin/sh',
      'case "$*" in',
      `  "-q -x") cat "${fx('nvidia-smi-xml/rtx3080-595-v13.txt')}" ;;`,
      `  "topo -m") cat "${fx('nvidia-smi-topo/h200-1gpu-590.txt')}" ;;`,
      '  "mig -lgip") echo "No MIG-enabled devices found." >&2; exit 6 ;;',
      '  *) exit 0 ;;',
      'esac',
    ].join('\n');
    const dir = mkdtempSync(join(tmp, 'bin-'));
    writeFileSync(join(dir, 'nvidia-smi'), `${script}\n`);
    chmodSync(join(dir, 'nvidia-smi'), 0o755);
    // /bin for the script's sh and cat
    const r = withPath(`${dir}:/bin:/usr/bin`, () => runCli(['discover', '--node', 'gpu-host', '--agents', 'nvidia-smi-xml,nvidia-smi-topo,nvidia-smi-mig-lgip']));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/discover: nvidia-smi mig -lgip: exit 6.*skipped/);
    const n = parseCluster(JSON.parse(r.stdout)).nodes[0];
    // <product_name>NVIDIA GeForce RTX 3080</product_name>, <total>10240 MiB</total>; topo: CPU affinity 0-23, NUMA 0
    expect(n.devices.map((d) => [d.id, d.model, d.memoryMiB, d.labels?.['hetpool.io/numa'], d.sharing.mode])).toEqual([['gpu0', 'GeForce-RTX-3080', 10240, '0', 'exclusive']]);
    expect(n.labels).toMatchObject({ 'hetpool.io/kind': 'gpu', 'hetpool.io/vendor': 'nvidia', 'hetpool.io/device.count': '1' });
  });

  it('alternatives and fallbacks: ibstat and ibstatus ports once, gpustack-runtime devices not on top of nvidia-smi', () => {
    const dir = mkdtempSync(join(tmp, 'bin-'));
    const tool = (name: string, body: string): void => {
      writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(dir, name), 0o755);
    };
    tool('ibstat', `cat "${fx('ibstat/h100-cx7-8x400-ib-all-active.txt')}"`);
    tool('ibstatus', `cat "${fx('ibstatus/a100-hdr-8port.txt')}"`);
    tool('gpustack-runtime', `cat "${fx('gpustack-runtime-json/ascend-910b2-8x-detect.txt')}"`);
    tool('nvidia-smi', `case "$*" in\n  "-q -x") cat "${fx('nvidia-smi-xml/rtx3080-595-v13.txt')}" ;;\n  *) exit 0 ;;\nesac`);
    const topo = join(tmp, 'ib-topology.json');
    const r = withPath(`${dir}:/bin:/usr/bin`, () => runCli(['discover', '--node', 'ib-host', '--topology', topo]));
    expect(r.status, r.stderr).toBe(0);
    const n = parseCluster(JSON.parse(r.stdout)).nodes[0];
    // nvidia-smi -q -x: one RTX 3080; gpustack's 8 Ascend NPUs of the same host are left out
    expect(n.devices.map((d) => [d.id, d.model])).toEqual([['gpu0', 'GeForce-RTX-3080']]);
    expect(r.stderr).toMatch(/gpustack-runtime-json.*devices already reported by a vendor agent/);
    // ibstat: 9 CAs × 1 port → 9 links; ibstatus (an alternative of ibstat) is not even run
    const t = JSON.parse(readFileSync(topo, 'utf8')) as { links: Array<{ a: string; b: string; type: string }> };
    expect(t.links.filter((l) => l.type === 'infiniband' || l.type === 'roce')).toHaveLength(9);
    expect(r.stderr).toMatch(/discover: ibstat: ok/);
    expect(r.stderr).not.toMatch(/discover: ibstatus: ok/);
  });
});

describe('hetpool inventory', () => {
  it('--agent auto recognises each captured file and merges them', () => {
    const r = runCli(['inventory', '--agent', 'auto', '--node', 'h100-host',
      '--file', fx('nvidia-smi-q/h100-mig-590-idle.txt'), '--file', fx('nvidia-smi-list/h100-mig-590.txt'), '--file', fx('nvidia-smi-topo/h200-1gpu-590.txt')]);
    expect(r.status, r.stderr).toBe(0);
    const n = parseCluster(JSON.parse(r.stdout)).nodes[0];
    expect(n.id).toBe('h100-host');
    expect(n.devices[0]).toMatchObject({ id: 'gpu0', model: 'H100-80GB-HBM3', memoryMiB: 81559 });
    expect(n.devices[0].sharing.mode).toBe('partition');
    expect(r.stderr).toMatch(/warning: node h100-host: no agent reported CPU capacity/);
  });

  it('a named agent, a cloud catalogue and time-slice sharing', () => {
    const r = runCli(['inventory', '--agent', 'nvidia-smi-csv', '--file', fx('nvidia-smi-csv/rtx4080super-595-idle.txt'), '--node', 'desk', '--sharing', 'time-slice:4', '--catalog', join(repoRoot, 'fixtures/catalog/cloud.json')]);
    expect(r.status, r.stderr).toBe(0);
    const c = parseCluster(JSON.parse(r.stdout));
    expect(c.nodes.map((n) => n.id)).toEqual(['desk', 'examplecloud-gpu.a10.2xlarge-0', 'examplecloud-gpu.a10.2xlarge-1', 'examplecloud-npu.910b.8xlarge-0']);
    expect(c.nodes[0].devices[0].sharing).toEqual({ mode: 'time-slice', maxSlices: 4, oversubscription: 1000 });
  });

  it('bad input: unknown agent lists the known ones; unreadable and garbled files name themselves; exit 2', () => {
    const a = runCli(['inventory', '--agent', 'nvidia-smi-xlm', '--file', fx('nvidia-smi-q/a10-535.129.03.txt')]);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/hetpool: parser: unknown parser "nvidia-smi-xlm"; known: nvidia-smi-xml,/);
    const b = runCli(['inventory', '--file', join(tmp, 'missing.txt')]);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/missing\.txt: cannot read file \(ENOENT\)/);
    const garbled = join(tmp, 'garbled.xml');
    writeFileSync(garbled, '<?xml version="1.0"?>\n<nvidia_smi_log>\n<gpu id="0">\n<product_na');
    const c = runCli(['inventory', '--agent', 'nvidia-smi-xml', '--file', garbled]);
    expect(c.status).toBe(2);
    expect(c.stderr).toMatch(/garbled\.xml:\d+: truncated nvidia-smi XML: no complete <gpu> element/);
    expect(c.stdout).toBe('');
  });
});
