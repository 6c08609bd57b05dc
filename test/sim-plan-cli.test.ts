import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli.js';

describe('hetpool plan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hetpool-plan-'));
  const catalog = join(dir, 'catalog.json');
  writeFileSync(catalog, JSON.stringify({ nodeTypes: [
    { name: 'small', pricePerHour: 1, cpuMilli: 8000, memoryMiB: 32768 },
    { name: 'big', pricePerHour: 3, cpuMilli: 32000, memoryMiB: 131072 },
  ] }));
  const workload = join(dir, 'w.jsonl');
  // Five concurrent 8-core tasks: 40 cores → 1 big + 1 small = $4 (see sim-plan-milp.test.ts).
  writeFileSync(workload, Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `t${i}`, arrival: 0, duration: 60, cpuMilli: 8000, memoryMiB: 1024 })).join('\n') + '\n');

  it('prints what the LP says and what the simulation says, and writes JSON', () => {
    const out = join(dir, 'plan.json');
    const r = runCli(['plan', '--workload', workload, '--catalog', catalog, '--target-allocation', '1', '--headroom', '0', '--json', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('round 1 (headroom 0%): LP says 1 × small + 1 × big = 4.00 USD/h');
    expect(r.stdout).toContain('simulation says: placed 5/5, wait p50 0 s p99 0 s');
    expect(r.stdout).toContain('→ meets the target');
    const j = JSON.parse(readFileSync(out, 'utf8'));
    expect(j.met).toBe(true);
    expect(j.answer.sizing.counts).toEqual([1, 1]);
  });

  it('bad catalogue → exit 2 with file and field', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ nodeTypes: [{ name: 'x', pricePerHour: 'cheap', cpuMilli: 1, memoryMiB: 1 }] }));
    const r = runCli(['plan', '--workload', workload, '--catalog', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bad}: nodeTypes[0].pricePerHour`);
    const w = join(dir, 'bad.jsonl');
    writeFileSync(w, '{"id":"a","arrival":0,"duration":1}\n{"id":"b","cpuMilli":"x"}\n');
    const s = runCli(['plan', '--workload', w, '--catalog', catalog]);
    expect(s.status).toBe(2);
    expect(s.stderr).toContain(`${w}:2.cpuMilli`);
  });
});
