/**
 * `hetpool simulate` end to end (from source, through tsx): the summary table, the JSON of every
 * run, the self-contained HTML report, both backends, the worker pool, hetpool JSON inputs and
 * errors that name the offending option or line.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const NODES = 'fixtures/openb/openb_node_list_gpu_node.csv';
const PODS = 'fixtures/openb/openb_pod_list_default.csv';
const dir = mkdtempSync(join(tmpdir(), 'cli-simulate-'));

// A small workload: 3 nodes (6 GPUs), 6 pods asking for 2.5 GPUs.
const smallNodes = join(dir, 'nodes.csv');
writeFileSync(smallNodes, 'sn,cpu_milli,memory_mib,gpu,model\na,32000,65536,2,T4\nb,16000,32768,2,T4\nc,64000,65536,2,V100\n');
const smallPods = join(dir, 'pods.csv');
writeFileSync(smallPods, 'name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\np1,4000,1024,1,500,\np2,4000,1024,1,300,T4\np3,8000,1024,0,0,\np4,2000,1024,1,1000,\np5,1000,1024,1,200,V100\np6,1000,512,0,0,\n');

describe('hetpool simulate', () => {
  it('replays the openb trace, prints the table and writes JSON and a self-contained report', () => {
    const json = join(dir, 'out.json');
    const html = join(dir, 'out.html');
    const r = runCli(['simulate', '--nodes', NODES, '--pods', PODS, '--policy', 'bestfit,hetpool', '--seeds', '42', '--workers', '1', '--json', json, '--report', html]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^policy\s+seeds\s+alloc@130% mean ± std\s+study/);
    expect(r.stdout).toMatch(/bestfit\s+1\s+\d+\.\d\d ± 0\.00\s+93\.08 ± 0\.13/);
    expect(r.stdout).toContain('1213 nodes, 8152 pods, 35 typical pods');
    const out = JSON.parse(readFileSync(json, 'utf8'));
    expect(out.runs.map((x: { policy: string; seed: number }) => `${x.policy}/${x.seed}`)).toEqual(['bestfit/42', 'hetpool/42']);
    for (const run of out.runs) {
      for (const k of ['allocationRatio', 'fragmentationAmount', 'fragmentationRatio']) expect(run[k].length).toBe(131);
      expect(run.scheduled + run.failed).toBeGreaterThan(8152); // inflated to 130% of capacity
      expect(run.decisionsPerSecond).toBeGreaterThan(0);
    }
    expect(out.summary.bestfit.published).toBe(93.08);
    expect(out.summary.hetpool.published).toBeNull();
    expect(out.summary.hetpool.mean).toBe(out.runs[1].allocationRatio[130]);
    const page = readFileSync(html, 'utf8');
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page.match(/<svg /g)?.length).toBe(6); // 4 charts + 2 heat maps
    expect(page).not.toMatch(/<script|src="http|href="http/); // readable offline
    expect(page.indexOf('<svg')).toBeLessThan(page.indexOf('<table')); // pictures first
  });

  it('gives the same numbers with the twin and the kernel, in the pool and in-process', () => {
    const runs = (backend: string, workers: string) => {
      const json = join(dir, `small-${backend}-${workers}.json`);
      const r = runCli(['simulate', '--nodes', smallNodes, '--pods', smallPods, '--policy', 'fgd,gpu-packing', '--seeds', '1-3', '--tune', '1.5', '--backend', backend, '--workers', workers, '--json', json]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`6 run(s)`);
      return JSON.parse(readFileSync(json, 'utf8')).runs;
    };
    const ts = runs('ts', '1');
    expect(ts.length).toBe(6);
    const strip = (xs: Array<Record<string, unknown>>) => xs.map(({ decisionsPerSecond: _d, ...rest }) => rest);
    expect(strip(runs('wasm', '2'))).toEqual(strip(ts));
  });

  it('accepts hetpool JSON cluster and task lists', () => {
    const cluster = join(dir, 'cluster.json');
    const gpu = (id: string) => ({ id, kind: 'gpu', vendor: 'nvidia', model: 'T4', memoryMiB: 16384 });
    writeFileSync(cluster, JSON.stringify({ nodes: [{ id: 'n1', cpuMilli: 16000, memoryMiB: 65536, devices: [gpu('g0'), gpu('g1')] }] }));
    const tasks = join(dir, 'tasks.json');
    writeFileSync(tasks, JSON.stringify({ tasks: [{ id: 't1', cpuMilli: 1000, accel: { kind: 'gpu', milli: 500 } }, { id: 't2', cpuMilli: 1000, accel: { kind: 'gpu' } }] }));
    const json = join(dir, 'fromjson.json');
    const r = runCli(['simulate', '--nodes', cluster, '--pods', tasks, '--policy', 'fgd', '--seeds', '7', '--tune', '1', '--json', json]);
    expect(r.status).toBe(0);
    // 2 GPUs = 2000 milli; the tasks ask for 1500 → inflated to ≤ tune × 2000; all placed until full
    const run = JSON.parse(readFileSync(json, 'utf8')).runs[0];
    expect(run.scheduled).toBeGreaterThanOrEqual(2);
  });

  it('rejects bad input with the option or file line named, exit code 2', () => {
    const policy = runCli(['simulate', '--nodes', smallNodes, '--pods', smallPods, '--policy', 'fgd,nope']);
    expect(policy.status).toBe(2);
    expect(policy.stderr).toContain('hetpool: --policy: unknown policy "nope"');
    const seeds = runCli(['simulate', '--nodes', smallNodes, '--pods', smallPods, '--seeds', '9-3']);
    expect(seeds.status).toBe(2);
    expect(seeds.stderr).toContain('--seeds: bad range "9-3"');
    const badPods = join(dir, 'bad.csv');
    writeFileSync(badPods, 'name,cpu_milli,memory_mib,num_gpu,gpu_milli\nok,1,1,1,100\nbad,1,1,3,1000\n');
    const line = runCli(['simulate', '--nodes', smallNodes, '--pods', badPods]);
    expect(line.status).toBe(2);
    expect(line.stderr).toContain('hetpool: bad.csv:3: num_gpu: must be one of 0,1,2,4,8, got "3"');
    const backend = runCli(['simulate', '--nodes', smallNodes, '--pods', smallPods, '--backend', 'gpu']);
    expect(backend.status).toBe(2);
    expect(backend.stderr).toContain('--backend: must be wasm or ts');
  });
});
