/**
 * `hetpool place`: a good cluster and task file give the bindings as JSON; malformed input exits
 * 2 with the file and field path on stderr.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const CLUSTER = 'fixtures/examples/cluster.json';
const TASKS = 'fixtures/examples/tasks.json';

describe('hetpool place', () => {
  it('places the example files (hand-checked bindings)', () => {
    const r = runCli(['place', '--cluster', CLUSTER, '--tasks', TASKS]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    // train-llm: 2 whole fp16 NPUs → the Ascend node; notebooks (250 milli, 10 GiB): the only untainted
    // time-sliced GPU is gpu-a100-1/gpu0; mig-infer → the MIG device; spot-batch tolerates the spot
    // taint and wants a T4 in the cloud; edge-filter → the edge FPGA.
    expect(out.bindings.map((b: { taskId: string; nodeId: string; devices: { deviceId: string }[] }) => [b.taskId, b.nodeId, b.devices.map((d) => d.deviceId).join('+')])).toEqual([
      ['train-llm', 'npu-910b-1', 'npu0+npu1'],
      ['notebook-a', 'gpu-a100-1', 'gpu0'],
      ['notebook-b', 'gpu-a100-1', 'gpu0'],
      ['mig-infer', 'gpu-a100-1', 'gpu1'],
      ['spot-batch', 'cloud-t4-1', 'gpu0'],
      ['edge-filter', 'edge-rv-1', 'fpga0'],
    ]);
    // bf16-train needs 2 whole bf16 GPUs: the A100s are shared/partitioned by now, the NPU node has
    // no GPU, the T4 node is tainted, the edge node has 4000 - 1000 = 3000 mCPU < 8000.
    expect(out.unschedulable).toEqual([{
      taskId: 'bf16-train',
      reasons: [
        { reason: 'insufficient CPU', nodes: 1 },
        { reason: 'no fully free gpu', nodes: 1 },
        { reason: 'no gpu device', nodes: 1 },
        { reason: 'untolerated taint', nodes: 1 },
      ],
      message: '0/4 nodes fit: insufficient CPU on 1 node, no fully free gpu on 1 node, no gpu device on 1 node, untolerated taint on 1 node',
    }]);
    expect(out.summary).toEqual({ policy: 'binpack', seed: 0, backend: 'wasm', nodes: 4, tasks: 7, bound: 6, unschedulable: 1 });
  });

  it('--out writes the file; the ts backend gives the same document', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetpool-place-'));
    const file = join(dir, 'out.json');
    const r = runCli(['place', '--cluster', CLUSTER, '--tasks', TASKS, '--policy', 'spread', '--seed', '7', '--backend', 'ts', '--out', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('');
    const ts = JSON.parse(readFileSync(file, 'utf8'));
    const wasm = JSON.parse(runCli(['place', '--cluster', CLUSTER, '--tasks', TASKS, '--policy', 'spread', '--seed', '7']).stdout);
    expect(ts.summary.backend).toBe('ts');
    expect({ ...ts, summary: { ...ts.summary, backend: 'wasm' } }).toEqual(wasm);
  });

  it('a bad field exits 2 and names file and path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetpool-place-'));
    const tasks = JSON.parse(readFileSync(TASKS, 'utf8'));
    tasks.tasks[3].accel.milli = 1500;
    const file = join(dir, 'tasks.json');
    writeFileSync(file, JSON.stringify(tasks));
    const r = runCli(['place', '--cluster', CLUSTER, '--tasks', file]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`hetpool: ${file}: tasks[3].accel.milli: must be an integer in 1..1000\n`);
  });

  it('missing files, invalid JSON, unknown policy and bad seed exit 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hetpool-place-'));
    writeFileSync(join(dir, 'broken.json'), '{ "nodes": [');
    const cases: [string[], RegExp][] = [
      [['--cluster', 'missing.json', '--tasks', TASKS], /^hetpool: missing\.json: cannot read file/],
      [['--cluster', join(dir, 'broken.json'), '--tasks', TASKS], /broken\.json: not valid JSON/],
      [['--cluster', CLUSTER, '--tasks', TASKS, '--policy', 'fastest'], /^hetpool: --policy: unknown scorer "fastest"/],
      [['--cluster', CLUSTER, '--tasks', TASKS, '--seed', '-3'], /^hetpool: --seed: must be an integer/],
    ];
    for (const [args, err] of cases) {
      const r = runCli(['place', ...args]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(err);
    }
  });
});
