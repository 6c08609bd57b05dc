/**
 * `hetpool place` with the policy and topology inputs (--tenants, --classes, --rules, --topology,
 * --actor, --at): what the plugins decided appears in the output; bad files exit 2 naming file
 * and field. Expected values are derived by hand in the comments.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { heldOf } from '../src/cli/setup.js';

const P = 'fixtures/policies';
const S = 'fixtures/scenarios';
const tmp = mkdtempSync(join(tmpdir(), 'hetpool-place-pol-'));
const write = (name: string, value: unknown): string => {
  const f = join(tmp, name);
  writeFileSync(f, typeof value === 'string' ? value : JSON.stringify(value));
  return f;
};
const json = (args: string[]) => {
  const r = runCli(args);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
};

describe('hetpool place with tenants and classes', () => {
  it('holds tasks over quota and preempts for a queue within its guarantee', () => {
    const d = json(['place', '--cluster', `${P}/cluster.json`, '--tasks', `${P}/tasks.json`, '--tenants', `${P}/tenants.json`, '--classes', `${P}/priority.json`, '--at', '0']);
    // 8 A100s on dgx-1/dgx-2. Queue order (no classes on these tasks, priority 0): submission order.
    // ml-train's limit gpu:A100-SXM4-80GB.count 4: train-0..3 bind (dgx-1 gpu0..3 by binpack, the
    // fuller node after the first), train-4 and train-5 are held: 4 + 1 > 4.
    expect(d.held).toEqual([
      { taskId: 'train-4', kind: 'quota', reason: expect.stringMatching(/^quota: ml-train gpu:A100-SXM4-80GB\.count 4 \+ 1 > limit 4/) },
      { taskId: 'train-5', kind: 'quota', reason: expect.stringMatching(/^quota: ml-train gpu:A100-SXM4-80GB\.count 4 \+ 1 > limit 4/) },
    ]);
    // infer-0..2 (3 GPUs) and lab-0 take dgx-2's 4 GPUs. lab-1: labs-q uses 1 + 1 ≤ its guarantee
    // 4, so it may reclaim (R2); ml-infer uses 3 > its guarantee 2, so its tasks are borrowed
    // (tier 0); all cost the same, the lowest device wins: infer-0 on dgx-2 gpu0.
    expect(d.preemptions).toEqual([{ preemptor: 'lab-1', victims: [{ taskId: 'infer-0', nodeId: 'dgx-2' }] }]);
    // infer-0 was bound earlier in this cycle; it is pending again (no GPU left for it)
    expect(d.requeued).toEqual(['infer-0']);
    expect(d.bindings.find((b: { taskId: string }) => b.taskId === 'lab-1')).toMatchObject({ nodeId: 'dgx-2', devices: [{ deviceId: 'gpu0' }] });
    // ml-infer now uses 2 = its guarantee: lab-2 and lab-3 find no borrowed task to reclaim
    expect(d.unschedulable.map((u: { taskId: string }) => u.taskId)).toEqual(['train-4', 'train-5', 'lab-2', 'lab-3']);
    expect(d.summary).toMatchObject({ tasks: 13, bound: 9, unschedulable: 4, held: 2, preempted: 1, plugins: ['policy-order', 'policy-admission', 'policy-accounting', 'policy-preemption'] });
  });

  it('holds a class outside its window (14:00 with window 22:00–06:00) and admits it at 22:00', () => {
    const cluster = write('c1.json', { nodes: [{ id: 'n', cpuMilli: 8000, memoryMiB: 8192 }] });
    const tasks = write('t1.json', { tasks: [{ id: 'nightly', class: 'batch', cpuMilli: 1000 }, { id: 'web', class: 'prod', cpuMilli: 1000 }] });
    const at14 = json(['place', '--cluster', cluster, '--tasks', tasks, '--classes', `${P}/priority.json`, '--at', String(14 * 3600)]);
    expect(at14.held).toEqual([{ taskId: 'nightly', kind: 'window', reason: 'class batch starts only 22:00–06:00 (now 14:00)' }]);
    expect(at14.bindings.map((b: { taskId: string }) => b.taskId)).toEqual(['web']);
    const at22 = json(['place', '--cluster', cluster, '--tasks', tasks, '--classes', `${P}/priority.json`, '--at', String(22 * 3600)]);
    expect(at22.held).toEqual([]);
    // prod (100) before batch (10)
    expect(at22.bindings.map((b: { taskId: string }) => b.taskId)).toEqual(['web', 'nightly']);
  });

  it('checks the actor: bob (member of ml-train) may not submit for ml-infer; alice (admin of *) may', () => {
    const bad = runCli(['place', '--cluster', `${P}/cluster.json`, '--tasks', `${P}/tasks.json`, '--tenants', `${P}/tenants.json`, '--actor', 'bob']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('actor "bob" may not submit on tenant "ml-infer" (holds: member of ml-train)');
    expect(bad.stdout).toBe('');
    const ok = json(['place', '--cluster', `${P}/cluster.json`, '--tasks', `${P}/tasks.json`, '--tenants', `${P}/tenants.json`, '--actor', 'alice', '--at', '0']);
    expect(ok.summary.tasks).toBe(13);
    const noTree = runCli(['place', '--cluster', `${P}/cluster.json`, '--tasks', `${P}/tasks.json`, '--actor', 'alice']);
    expect(noTree.status).toBe(2);
    expect(noTree.stderr).toContain('--actor: needs --tenants');
  });
});

describe('hetpool place with rules and topology', () => {
  it('reports the rules that fired per task and where the task went', () => {
    const d = json(['place', '--cluster', `${S}/edge-cloud.json`, '--tasks', `${S}/edge-cloud-tasks.json`, '--rules', `${S}/rules.json`]);
    // sensor: budget 10 ms < 20 → low-latency-to-edge prefers edge (+50) → edge-1.
    // report: class analytics → require cloud → only cloud-1 eligible.
    // nightly: urgency low → batch-to-cheap-cloud: cloud-1 50 (form) + round(50·1/1) = 100,
    // edge-1 round(50·1/3) = 17. Binpack alone prefers edge-1 (25 % CPU used vs 3 % on cloud-1
    // after sensor and report), the blend ⌊(base + ⌊100·p/P⌋)/2⌋ gives edge-1 ⌊(25 + 17)/2⌋ = 21,
    // cloud-1 ⌊(3 + 100)/2⌋ = 51 → cloud-1.
    expect(d.rules).toEqual([
      { taskId: 'sensor', fired: ['low-latency-to-edge'], preferred: 'edge-1', boundTo: 'edge-1' },
      { taskId: 'report', fired: ['analytics-in-cloud'], preferred: 'cloud-1', boundTo: 'cloud-1' },
      { taskId: 'nightly', fired: ['batch-to-cheap-cloud'], preferred: 'cloud-1', boundTo: 'cloud-1' },
    ]);
    // the blended scorer is TypeScript: the engine decides on the twin
    expect(d.summary).toMatchObject({ backend: 'ts', plugins: ['topology'], bound: 3 });
  });

  it('gives a 4-GPU task one NVLink island and reports it', () => {
    const d = json(['place', '--cluster', `${S}/dgx-cluster.json`, '--tasks', `${S}/dgx-tasks.json`, '--topology', 'fixtures/topology/dgx-8gpu.json']);
    // "one" takes gpu0 (kernel: lowest free slot). Island {0–3} has 3 free GPUs, so a 4-set there
    // would cross sockets; island {4–7} is free: class 0, NVLink ×4 lanes = 800 Gbps bottleneck.
    // (The kernel alone would take gpu1..gpu4.)
    expect(d.bindings[0]).toMatchObject({ taskId: 'one', devices: [{ deviceId: 'gpu0' }] });
    expect(d.deviceSets).toEqual([{ taskId: 'quad', nodeId: 'n1', devices: ['gpu4', 'gpu5', 'gpu6', 'gpu7'], affinity: 'island', bottleneckGbps: 800 }]);
  });
});

describe('hetpool place: bad policy and topology files exit 2 naming file and field', () => {
  const base = ['place', '--cluster', `${P}/cluster.json`, '--tasks', `${P}/tasks.json`];
  it.each([
    ['--tenants', 'bad-tenants.json', { tenants: [{ id: 'q', kind: 'queue', guaranteed: { cpuMilli: 2000 }, limit: { cpuMilli: 1000 } }] }, 'bad-tenants.json: tenants[0].guaranteed'],
    ['--classes', 'bad-classes.json', { classes: [{ name: 'x', priority: 'high' }] }, 'bad-classes.json: classes[0].priority'],
    ['--rules', 'bad-rules.json', { version: 1, rules: [{ when: { urgency: 'asap' } }] }, 'bad-rules.json: rules[0].when.urgency'],
    ['--topology', 'bad-topology.json', { vertices: [{ id: 'a', kind: 'node' }], links: [{ a: 'a', b: 'leaf-9', type: 'ethernet' }] }, 'bad-topology.json: links[0].b: unknown vertex "leaf-9"'],
    ['--tenants', 'not-json.json', '{ nope', 'not-json.json: not valid JSON'],
  ])('%s %s', (flag, name, content, expected) => {
    const f = write(name, content);
    const r = runCli([...base, flag, f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(expected);
    expect(r.stdout).toBe('');
  });
});

describe('held kinds', () => {
  it('classifies the admission reasons the policies give', () => {
    // the four prefixes of src/policies (plugins.ts admission, tenants.ts, budgets.ts, priority.ts)
    expect(heldOf('not admitted: quota: q gpu.count 2 + 1 > limit 2')?.kind).toBe('quota');
    expect(heldOf('not admitted: budget: q spent 1.000 of 1 device-hours in this 24 h window (resets at 86400)')?.kind).toBe('budget');
    expect(heldOf('not admitted: class batch starts only 22:00–06:00 (now 14:00)')?.kind).toBe('window');
    expect(heldOf('not admitted: unknown priority class "x"')?.kind).toBe('class');
    expect(heldOf('not admitted: unknown tenant "default"')).toEqual({ kind: 'tenant', reason: 'unknown tenant "default"' });
    // a placement failure is not a hold
    expect(heldOf('0/2 nodes fit: no fully free gpu on 2 nodes')).toBeUndefined();
  });
});
