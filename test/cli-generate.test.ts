import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';
import { parseCluster, parseTask, parseTaskList } from '../src/model/index.js';

describe('hetpool generate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hetpool-gen-'));

  it('cluster: same seed → same bytes, a valid cluster of the asked size', () => {
    const a = runCli(['generate', 'cluster', '--nodes', '25', '--seed', '4']);
    const b = runCli(['generate', 'cluster', '--nodes', '25', '--seed', '4']);
    expect(a.status).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    expect(parseCluster(JSON.parse(a.stdout)).nodes).toHaveLength(25);
  });

  it('workload against a cluster file: JSON Lines out, every task valid and servable by kind', () => {
    const cl = join(dir, 'c.json');
    expect(runCli(['generate', 'cluster', '--nodes', '30', '--seed', '2', '--out', cl]).status).toBe(0);
    const out = join(dir, 'w.jsonl');
    const r = runCli(['generate', 'workload', '--tasks', '60', '--seed', '3', '--cluster', cl, '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('wrote 60 tasks');
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(60);
    const kinds = new Set(parseCluster(JSON.parse(readFileSync(cl, 'utf8'))).nodes.flatMap((n) => n.devices.map((d) => d.kind)));
    for (const l of lines) {
      const t = parseTask(JSON.parse(l));
      if (t.accel) expect(kinds.has(t.accel.kind)).toBe(true);
    }
    // A .json --out is a task list.
    const json = join(dir, 'w.json');
    expect(runCli(['generate', 'workload', '--tasks', '5', '--out', json]).status).toBe(0);
    expect(parseTaskList(JSON.parse(readFileSync(json, 'utf8'))).tasks).toHaveLength(5);
  });

  it('bad input exits 2 naming the option or the field', () => {
    const a = runCli(['generate', 'cluster', '--nodes', '0']);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain('--nodes');
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ version: 1, nodes: [{ id: 'n1', cpuMilli: -1, memoryMiB: 1 }] }));
    const b = runCli(['generate', 'workload', '--tasks', '3', '--cluster', bad]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain(`${bad}: nodes[0].cpuMilli`);
  });
});
