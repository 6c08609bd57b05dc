/**
 * `hetpool generate cluster|workload`: synthetic heterogeneous clusters and task streams for
 * simulation and planning (docs/planning.md). Same seed → same output.
 */
import type { Command } from 'commander';
import { HetpoolError, parseCluster, type Cluster } from '../../model/index.js';
import { generateCluster, workloadStream, writeJsonLines, writeJsonLinesFd, isJsonLines } from '../../sim/generate/index.js';
import { readJsonFile, writeFileAtomic } from '../io.js';

/** Parse an integer option, naming it on error. */
export function intOption(name: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(v);
  if (!/^-?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) throw new HetpoolError('invalid-input', `--${name}`, `must be an integer in ${min}..${max}, got "${v}"`);
  return n;
}

/** Parse a number option, naming it on error. */
export function numOption(name: string, v: string, min: number, max = Number.MAX_VALUE): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new HetpoolError('invalid-input', `--${name}`, `must be a number in ${min}..${max}, got "${v}"`);
  return n;
}

/** Read and validate a cluster file; errors name the file and the field. */
export function readClusterFile(file: string): Cluster {
  const json = readJsonFile(file);
  try {
    return parseCluster(json);
  } catch (e) {
    if (e instanceof HetpoolError) throw new HetpoolError(e.code, `${file}: ${e.path}`, e.message.slice(e.path.length + 2), e.details);
    throw e;
  }
}

/** `name=weight,name=weight` → a record, naming the option on error. */
function weights(name: string, v: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of v.split(',')) {
    const m = /^\s*([\w.-]+)\s*=\s*([\d.]+)\s*$/.exec(part);
    if (!m) throw new HetpoolError('invalid-input', `--${name}`, `expected name=weight[,name=weight…], got "${part}"`);
    out[m[1]] = Number(m[2]);
  }
  return out;
}

/** Register `generate` with its two sub-commands. */
export function register(program: Command): void {
  const gen = program.command('generate').description('generate a synthetic heterogeneous cluster or workload (seeded, reproducible)');
  gen.command('cluster')
    .description('a cluster of CPU, GPU, NPU, FPGA and ASIC nodes across hardware, cloud and edge (JSON)')
    .requiredOption('--nodes <n>', 'number of nodes')
    .option('--seed <n>', 'random seed', '1')
    .option('--mix <shape=w,…>', 'override node-shape weights, e.g. gpu-h100=10,cpu-x86=20')
    .option('--out <file>', 'write the cluster here (default: stdout)')
    .action((o: { nodes: string; seed: string; mix?: string; out?: string }) => {
      const cluster = generateCluster({ nodes: intOption('nodes', o.nodes, 1, 1_000_000), seed: intOption('seed', o.seed, 0, 2 ** 32 - 1), mix: o.mix ? weights('mix', o.mix) : undefined });
      const text = `${JSON.stringify(cluster)}\n`;
      if (o.out) {
        writeFileAtomic(o.out, text);
        process.stderr.write(`hetpool: wrote ${cluster.nodes.length} nodes, ${cluster.nodes.reduce((a, n) => a + n.devices.length, 0)} devices to ${o.out}\n`);
      } else process.stdout.write(text);
    });
  gen.command('workload')
    .description('a task stream with Poisson arrivals, log-normal durations, tenants, priorities and accelerator requests')
    .requiredOption('--tasks <n>', 'number of tasks')
    .option('--seed <n>', 'random seed', '1')
    .option('--cluster <file>', 'draw accelerator requests from what this cluster offers')
    .option('--rate <perSecond>', 'mean arrivals per second', '1')
    .option('--diurnal <0..1>', 'day/night swing of the arrival rate', '0')
    .option('--median-duration <s>', 'median task duration, seconds', '600')
    .option('--tenants <n>', 'number of tenants', '8')
    .option('--mix <kind=w,…>', 'request mix, kinds cpu,fractional,partition,whole,multi')
    .option('--out <file>', 'write here: .jsonl = JSON Lines (streamed), .json = a task list (default: JSON Lines on stdout)')
    .action((o: { tasks: string; seed: string; cluster?: string; rate: string; diurnal: string; medianDuration: string; tenants: string; mix?: string; out?: string }) => {
      const stream = workloadStream({
        tasks: intOption('tasks', o.tasks, 0, 100_000_000),
        seed: intOption('seed', o.seed, 0, 2 ** 32 - 1),
        cluster: o.cluster ? readClusterFile(o.cluster) : undefined,
        arrivalRate: numOption('rate', o.rate, Number.MIN_VALUE),
        diurnal: numOption('diurnal', o.diurnal, 0, 1),
        medianDuration: numOption('median-duration', o.medianDuration, Number.MIN_VALUE),
        tenants: intOption('tenants', o.tenants, 1, 10_000),
        mix: o.mix ? weights('mix', o.mix) : undefined,
      });
      if (!o.out) {
        writeJsonLinesFd(1, stream);
        return;
      }
      if (isJsonLines(o.out)) {
        const n = writeJsonLines(o.out, stream);
        process.stderr.write(`hetpool: wrote ${n} tasks to ${o.out}\n`);
        return;
      }
      const tasks = [...stream];
      writeFileAtomic(o.out, `${JSON.stringify({ version: 1, tasks })}\n`);
      process.stderr.write(`hetpool: wrote ${tasks.length} tasks to ${o.out}\n`);
    });
}
