/**
 * Loading openb workloads: the trace's CSV files (columns found by header name, so any
 * openb-format list with extra columns or other row counts replays unchanged) and the project's
 * own JSON formats (ClusterSchema / TaskListSchema). Bad input throws one HetpoolError naming the
 * file, line and column; nothing is returned half-read.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parse } from 'csv-parse/sync';
import { HetpoolError } from '../../model/errors.js';
import { parseCluster, parseTaskList } from '../../model/validate.js';
import type { Cluster, TaskList } from '../../model/types.js';
import { MAX_NODE_GPUS, type ReplayNode, type ReplayPod } from './types.js';

const NODE_COLUMNS = ['sn', 'cpu_milli', 'memory_mib', 'gpu', 'model'] as const;
const POD_COLUMNS = ['name', 'cpu_milli', 'memory_mib', 'num_gpu', 'gpu_milli'] as const;
const GPU_COUNTS = [0, 1, 2, 4, 8];

interface Row {
  line: number;
  get(column: string): string;
}

function readCsv(text: string, file: string, required: readonly string[]): Row[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, { info: true, skip_empty_lines: true, trim: true, relax_column_count: false }) as never;
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new HetpoolError('parse-error', `${file}:${line ?? 1}`, `not valid CSV: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new HetpoolError('invalid-input', `${file}:1`, 'empty file: a header line is required');
  const header = records[0].record.map((h) => h.replace(/^\uFEFF/, ''));
  const index = new Map<string, number>();
  header.forEach((h, i) => index.set(h, i));
  for (const col of required) {
    if (!index.has(col)) throw new HetpoolError('invalid-input', `${file}:${records[0].info.lines}`, `missing column "${col}" (header: ${header.join(',')})`);
  }
  return records.slice(1).map(({ record, info }) => ({
    line: info.lines,
    get: (column: string) => {
      const i = index.get(column);
      return i === undefined ? '' : (record[i] ?? '');
    },
  }));
}

function intField(row: Row, file: string, column: string, min: number, max: number): number {
  const raw = row.get(column);
  if (!/^-?\d+$/.test(raw)) throw new HetpoolError('invalid-input', `${file}:${row.line}`, `${column}: must be an integer, got "${raw}"`);
  const v = Number(raw);
  if (v < min || v > max) throw new HetpoolError('invalid-input', `${file}:${row.line}`, `${column}: must be in ${min}..${max}, got ${v}`);
  return v;
}

/** Parse an openb node list (`sn,cpu_milli,memory_mib,gpu,model`); `file` names it in errors. */
export function parseNodeCsv(text: string, file: string): ReplayNode[] {
  const rows = readCsv(text, file, NODE_COLUMNS);
  const seen = new Map<string, number>();
  return rows.map((row) => {
    const name = row.get('sn');
    if (!name) throw new HetpoolError('invalid-input', `${file}:${row.line}`, 'sn: must be a non-empty string');
    const prev = seen.get(name);
    if (prev !== undefined) throw new HetpoolError('invalid-input', `${file}:${row.line}`, `sn: duplicate node "${name}" (also line ${prev})`);
    seen.set(name, row.line);
    const gpuCount = intField(row, file, 'gpu', 0, MAX_NODE_GPUS);
    const model = row.get('model');
    if (gpuCount > 0 && !model) throw new HetpoolError('invalid-input', `${file}:${row.line}`, 'model: must name the GPU model when gpu > 0');
    return {
      name,
      cpuMilli: intField(row, file, 'cpu_milli', 0, 2 ** 31 - 1),
      memoryMiB: intField(row, file, 'memory_mib', 0, 2 ** 31 - 1),
      gpuCount,
      model: gpuCount > 0 ? model : '',
    };
  });
}

/** Parse an openb pod list (`name,cpu_milli,memory_mib,num_gpu,gpu_milli[,gpu_spec,…]`). */
export function parsePodCsv(text: string, file: string): ReplayPod[] {
  const rows = readCsv(text, file, POD_COLUMNS);
  return rows.map((row) => {
    const at = `${file}:${row.line}`;
    const name = row.get('name');
    if (!name) throw new HetpoolError('invalid-input', at, 'name: must be a non-empty string');
    const numRaw = row.get('num_gpu');
    const numGpu = Number(numRaw);
    if (!/^\d+$/.test(numRaw) || !GPU_COUNTS.includes(numGpu)) throw new HetpoolError('invalid-input', at, `num_gpu: must be one of ${GPU_COUNTS.join(',')}, got "${numRaw}"`);
    const gpuMilli = intField(row, file, 'gpu_milli', 0, 1000);
    if (numGpu === 0 && gpuMilli !== 0) throw new HetpoolError('invalid-input', at, `gpu_milli: must be 0 when num_gpu is 0, got ${gpuMilli}`);
    if (numGpu > 0 && gpuMilli === 0) throw new HetpoolError('invalid-input', at, 'gpu_milli: must be in 1..1000 when num_gpu > 0, got 0');
    if (numGpu > 1 && gpuMilli !== 1000) throw new HetpoolError('invalid-input', at, `gpu_milli: must be 1000 when num_gpu > 1 (multi-GPU pods take whole GPUs), got ${gpuMilli}`);
    const spec = row.get('gpu_spec');
    return {
      name,
      cpuMilli: intField(row, file, 'cpu_milli', 0, 2 ** 31 - 1),
      memoryMiB: intField(row, file, 'memory_mib', 0, 2 ** 31 - 1),
      numGpu,
      gpuMilli,
      gpuSpec: spec ? spec.split('|').map((m) => m.trim()).filter((m) => m.length > 0) : [],
    };
  });
}

/** Nodes of a validated hetpool cluster: GPU devices only, one model per node. */
export function nodesFromCluster(cluster: Cluster, root = 'cluster'): ReplayNode[] {
  return cluster.nodes.map((node, i) => {
    const gpus = node.devices.filter((d) => d.kind === 'gpu');
    if (gpus.length > MAX_NODE_GPUS) throw new HetpoolError('invalid-input', `${root}.nodes[${i}].devices`, `at most ${MAX_NODE_GPUS} GPUs per node in the openb replay, got ${gpus.length}`);
    const model = gpus[0]?.model ?? '';
    const j = gpus.findIndex((d) => d.model !== model);
    if (j >= 0) {
      const at = node.devices.indexOf(gpus[j]);
      throw new HetpoolError('invalid-input', `${root}.nodes[${i}].devices[${at}].model`, `must be "${model}" like the node's other GPUs (the openb replay has one GPU model per node)`);
    }
    return { name: node.id, cpuMilli: node.cpuMilli, memoryMiB: node.memoryMiB, gpuCount: gpus.length, model };
  });
}

/** Pods of a validated hetpool task list: `accel` of kind gpu becomes num_gpu × gpu_milli. */
export function podsFromTaskList(list: TaskList, root = 'tasks'): ReplayPod[] {
  return list.tasks.map((task, i) => {
    const a = task.accel;
    if (a && a.kind !== 'gpu') throw new HetpoolError('invalid-input', `${root}.tasks[${i}].accel.kind`, `must be "gpu" in the openb replay, got "${a.kind}"`);
    if (a && !GPU_COUNTS.includes(a.count)) throw new HetpoolError('invalid-input', `${root}.tasks[${i}].accel.count`, `must be one of ${GPU_COUNTS.slice(1).join(',')} in the openb replay, got ${a.count}`);
    return {
      name: task.id,
      cpuMilli: task.cpuMilli,
      memoryMiB: task.memoryMiB,
      numGpu: a ? a.count : 0,
      gpuMilli: a ? a.milli : 0,
      gpuSpec: a?.models ? [...a.models] : [],
    };
  });
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new HetpoolError('invalid-input', file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HetpoolError('parse-error', file, `not valid JSON: ${(e as Error).message}`);
  }
}

const isJson = (file: string, text: string): boolean => file.toLowerCase().endsWith('.json') || /^\s*[[{]/.test(text);

/** Read a node list: openb CSV, or hetpool cluster JSON (`{ nodes: [...] }`). */
export function loadNodes(file: string): ReplayNode[] {
  const text = readText(file);
  const name = basename(file);
  if (isJson(file, text)) return nodesFromCluster(parseCluster(parseJsonText(text, file), name), name);
  return parseNodeCsv(text, name);
}

/** Read a pod list: openb CSV, or hetpool task list JSON (`{ tasks: [...] }`). */
export function loadPods(file: string): ReplayPod[] {
  const text = readText(file);
  const name = basename(file);
  if (isJson(file, text)) return podsFromTaskList(parseTaskList(parseJsonText(text, file), name), name);
  return parsePodCsv(text, name);
}
