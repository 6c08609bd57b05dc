/**
 * The default `nvidia-smi` table. Each GPU is a block of three rows:
 *   |   0  NVIDIA H100 80GB HBM3          On  |   00000000:19:00.0 Off |                    0 |
 *   | N/A   27C    P0             72W /  700W |       1MiB /  81559MiB |      0%      Default |
 *   |                                         |                        |             Disabled |
 * (index, name, persistence | bus id, display | uncorrectable ECC) / (fan, temp, perf, power
 * used/cap | memory used/total | util, compute mode) / (MIG mode). A "MIG devices" table may
 * follow: `|  0    2   0   0  |  26MiB / 40448MiB | 60  0 | …` (GPU, GI, CI, MIG dev | memory |
 * SM, ECC | engines). Names longer than the column are truncated by nvidia-smi (`...`).
 */
import { withHealth } from '../health.js';
import { Metric, pushMetric } from '../metrics.js';
import { nvidiaGpu, profilesFromInstances, setPartition, type MigInstance } from '../lib/nvidia.js';
import { ParseContext } from '../lib/context.js';
import { splitLines } from '../lib/text.js';
import { readInt, wholeMiB } from '../lib/units.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import type { DeviceInput } from '../../model/types.js';

const ROW1 = /^\|\s+(\d+)\s+(.+?)\s+(On|Off)\s+\|\s+([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-7])\s+(\S+)\s+\|\s+(\S+)\s+\|\s*$/;
const ROW2 = /^\|\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*\/\s*(\S+)\s+\|\s+(\S+)\s*\/\s*(\S+)\s+\|\s+(\S+)\s+(.*?)\s*\|\s*$/;
const ROW3 = /^\|\s+\|\s+\|\s+(\S+)\s+\|\s*$/;
const MIGROW = /^\|\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\|\s+(\S+)\s*\/\s*(\S+)\s+\|\s+(\d+)\s+(\S+)\s+\|/;

/** Parse the default `nvidia-smi` table. */
export function parseNvidiaSmiTable(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(nvidiaSmiTable.name, options);
  const node = ctx.nodeId;
  const lines = splitLines(text);
  const devices = ctx.devices;
  const byIndex = new Map<number, { d: DeviceInput; product: string; line: number; mig: boolean }>();
  const instances = new Map<number, MigInstance[]>();
  const metrics = ctx.metrics;
  for (let i = 0; i < lines.length; i++) {
    const r1 = ROW1.exec(lines[i]);
    if (r1) {
      const index = readInt(r1[1]);
      if (index === undefined) continue;
      const product = r1[2].replace(/\.\.\.$/, '');
      if (r1[2].endsWith('...')) ctx.warn(i + 1, `gpu ${index}: name truncated by nvidia-smi ("${r1[2]}")`);
      const r2 = ROW2.exec(lines[i + 1] ?? '');
      const r3 = ROW3.exec(lines[i + 2] ?? '');
      const total = r2 ? wholeMiB(r2[7]) : undefined;
      if (!r2) ctx.warn(i + 2, `gpu ${index}: second row missing or unreadable (truncated?); memory left unknown (0)`);
      const mig = r3?.[1] === 'Enabled';
      const d = nvidiaGpu({ index, product, memoryMiB: total, busId: r1[4], migEnabled: r3 && r3[1] !== 'N/A' ? mig : undefined });
      devices.push(d);
      byIndex.set(index, { d, product, line: i + 1, mig });
      const t = `${node}/${d.id}`;
      if (r1[6] !== 'On' && r1[6] !== 'Off') pushMetric(metrics, Metric.eccUncorrectable, t, r1[6]);
      if (r2) {
        pushMetric(metrics, Metric.temperature, t, r2[2]);
        pushMetric(metrics, Metric.power, t, r2[4]);
        pushMetric(metrics, Metric.powerLimit, t, r2[5]);
        pushMetric(metrics, Metric.memoryUsed, t, wholeMiB(r2[6]));
        pushMetric(metrics, Metric.memoryTotal, t, total);
        pushMetric(metrics, Metric.utilization, t, r2[8], 0.01);
      }
      continue;
    }
    const m = MIGROW.exec(lines[i]);
    if (m) {
      const gpu = readInt(m[1]);
      if (gpu === undefined) continue;
      const list = instances.get(gpu) ?? [];
      list.push({ sm: readInt(m[7]), memoryMiB: wholeMiB(m[6]) });
      instances.set(gpu, list);
      const t = `${node}/gpu${gpu}/mig-gi${m[2]}`;
      pushMetric(metrics, Metric.memoryUsed, t, wholeMiB(m[5]));
      pushMetric(metrics, Metric.memoryTotal, t, wholeMiB(m[6]));
      pushMetric(metrics, Metric.eccUncorrectable, t, m[8]);
    }
  }
  if (!devices.length) ctx.fail(1, /NVIDIA-SMI/.test(text) ? 'no GPU rows found (truncated?)' : 'not the nvidia-smi table: no "| <n> <name> On|Off | <bus id>" row');
  for (const [gpu, list] of instances) {
    const e = byIndex.get(gpu);
    if (!e) continue;
    setPartition(e.d, profilesFromInstances(e.product, e.d.memoryMiB, list, (msg) => ctx.warn(e.line, msg)), 'observed');
  }
  return withHealth(ctx.finish('GPU'));
}

/** Parser registration for the default `nvidia-smi` table. */
export const nvidiaSmiTable: AgentParser = {
  name: 'nvidia-smi-table',
  command: ['nvidia-smi'],
  detect: (text) => /\|\s*NVIDIA-SMI \S+\s+Driver Version/.test(text.slice(0, 4096)),
  parse: parseNvidiaSmiTable,
};
