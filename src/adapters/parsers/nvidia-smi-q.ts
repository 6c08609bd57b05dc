/**
 * `nvidia-smi -q` (human-readable query). The output is an indentation tree of `Key : Value`
 * lines; we build the tree once and read fields by path. Same facts as the XML form; sections
 * differ by driver (`Power Readings` → `GPU Power Readings`, `Power Draw` → `Average Power Draw`,
 * `Remapped Rows : N/A` as a leaf on GPUs without row remapping).
 */
import { withHealth } from '../health.js';
import { Metric, pushMetric } from '../metrics.js';
import { nvidiaGpu, profilesFromInstances, setPartition, pushNvidiaSmiReadings, type MigInstance } from '../lib/nvidia.js';
import { ParseContext } from '../lib/context.js';
import { splitLines } from '../lib/text.js';
import { isNotAvailable, readInt, readNumber, wholeMiB, yesNo } from '../lib/units.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';

/** One line of the tree. */
interface QNode { key: string; value?: string; line: number; indent: number; children: QNode[] }

function buildTree(text: string): QNode {
  const root: QNode = { key: '', line: 0, indent: -1, children: [] };
  const stack: QNode[] = [root];
  splitLines(text).forEach((raw, i) => {
    if (!raw.trim() || /^=+.*=+$/.test(raw.trim())) return;
    const indent = raw.length - raw.trimStart().length;
    const c = raw.indexOf(' : ');
    const n: QNode = c >= 0
      ? { key: raw.slice(0, c).trim(), value: raw.slice(c + 3).trim(), line: i + 1, indent, children: [] }
      : { key: raw.trim().replace(/\s*:$/, ''), line: i + 1, indent, children: [] };
    while (stack.length > 1 && stack[stack.length - 1].indent >= indent) stack.pop();
    stack[stack.length - 1].children.push(n);
    stack.push(n);
  });
  return root;
}

/** First descendant by key path (case-insensitive). */
function at(n: QNode | undefined, ...path: string[]): QNode | undefined {
  let cur = n;
  for (const k of path) cur = cur?.children.find((c) => c.key.toLowerCase() === k.toLowerCase());
  return cur;
}
const val = (n: QNode | undefined, ...path: string[]): string | undefined => at(n, ...path)?.value;

/** Parse `nvidia-smi -q`. */
export function parseNvidiaSmiQ(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(nvidiaSmiQ.name, options);
  const root = buildTree(text);
  const node = ctx.nodeId;
  const gpus = root.children.filter((c) => /^GPU [0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/i.test(c.key));
  if (!gpus.length) {
    if (!/NVSMI LOG|Driver Version/i.test(text)) ctx.fail(1, 'not nvidia-smi -q output: no "GPU <bus id>" section');
    if (readInt(val(root, 'Attached GPUs')) !== 0) ctx.fail(1, 'no "GPU <bus id>" section found');
  }
  const attached = readInt(val(root, 'Attached GPUs'));
  if (attached !== undefined && attached !== gpus.length) ctx.warn(at(root, 'Attached GPUs')!.line, `Attached GPUs says ${attached} but the output holds ${gpus.length} GPU section(s)`);
  const devices = ctx.devices;
  const metrics = ctx.metrics;
  gpus.forEach((g, pos) => {
    const product = val(g, 'Product Name');
    const index = readInt(val(g, 'Minor Number')) ?? pos;
    const total = wholeMiB(val(g, 'FB Memory Usage', 'Total'));
    if (total === undefined) ctx.warn(g.line, `gpu ${index}: FB Memory Usage/Total unreadable; memory left unknown (0)`);
    const mig = yesNo(val(g, 'MIG Mode', 'Current'));
    const d = nvidiaGpu({
      index, product: product && !isNotAvailable(product) ? product : undefined, memoryMiB: total,
      busId: val(g, 'PCI', 'Bus Id') ?? g.key.slice(4), uuid: val(g, 'GPU UUID'),
      architecture: val(g, 'Product Architecture'), migEnabled: mig === undefined ? undefined : mig === 1,
    });
    const t = `${node}/${d.id}`;
    if (mig === 1) {
      const migs = g.children.filter((c) => c.key === 'MIG Device');
      const inst: MigInstance[] = migs.map((m) => ({
        sm: readInt(val(m, 'Device Attributes', 'Shared', 'Multiprocessor count')),
        memoryMiB: wholeMiB(val(m, 'Shared FB Memory Usage', 'Total') ?? val(m, 'FB Memory Usage', 'Total')),
      }));
      setPartition(d, profilesFromInstances(product ?? '', total ?? 0, inst, (msg) => ctx.warn(g.line, msg)), 'observed');
      for (const m of migs) {
        const mt = `${t}/mig-gi${val(m, 'GPU Instance ID') ?? val(m, 'Index') ?? '?'}`;
        pushMetric(metrics, Metric.memoryUsed, mt, wholeMiB(val(m, 'Shared FB Memory Usage', 'Used') ?? val(m, 'FB Memory Usage', 'Used')));
        pushMetric(metrics, Metric.eccUncorrectable, mt, val(m, 'ECC Errors', 'Volatile', 'SRAM Uncorrectable'));
      }
    }
    devices.push(d);
    const pw = at(g, 'GPU Power Readings') ?? at(g, 'Power Readings');
    const vol = at(g, 'ECC Errors', 'Volatile');
    const counts = (re: RegExp) => vol?.children.filter((c) => re.test(c.key)).map((c) => readNumber(c.value ?? val(c, 'Total'))) ?? [];
    pushNvidiaSmiReadings(metrics, t, {
      utilization: val(g, 'Utilization', 'Gpu'), memoryActivity: val(g, 'Utilization', 'Memory'),
      memoryUsedMiB: wholeMiB(val(g, 'FB Memory Usage', 'Used')), memoryTotalMiB: total,
      temperature: val(g, 'Temperature', 'GPU Current Temp'), memoryTemperature: val(g, 'Temperature', 'Memory Current Temp'),
      power: val(pw, 'Power Draw') ?? val(pw, 'Average Power Draw') ?? val(pw, 'Instantaneous Power Draw'),
      powerLimit: val(pw, 'Current Power Limit') ?? val(pw, 'Power Limit'),
      eccUncorrectable: counts(/uncorrectable|double bit/i), eccCorrectable: counts(/(?<!un)correctable|single bit/i),
      retiredPagesPending: val(g, 'Retired Pages', 'Pending Page Blacklist') ?? val(g, 'Retired Pages', 'Pending'),
      remappedRowsPending: val(g, 'Remapped Rows', 'Pending'), remappedRowsFailure: val(g, 'Remapped Rows', 'Remapping Failure Occurred'),
      pcieReplays: val(g, 'PCI', 'Replays Since Reset'),
    });
  });
  return withHealth(ctx.finish('GPU'));
}

/** Parser registration for `nvidia-smi -q`. */
export const nvidiaSmiQ: AgentParser = {
  name: 'nvidia-smi-q',
  command: ['nvidia-smi', '-q'],
  detect: (text) => /=+NVSMI LOG=+/.test(text.slice(0, 2048)),
  parse: parseNvidiaSmiQ,
};
