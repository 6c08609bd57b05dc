/**
 * `nvidia-smi -q -x` (XML, DTD nvsmi_device_v10…v13). Devices with memory, bus id, UUID, MIG
 * instances (→ partition profiles), metrics (utilisation, memory, temperature, power, ECC,
 * retired pages, remapped rows). Quirks: MIG devices carry their own `fb_memory_usage` before the
 * GPU's (read the GPU's direct child only); v12+ renames `power_readings` to
 * `gpu_power_readings` and v13 splits `power_draw` into average/instant. Truncated XML is cut
 * back to the last complete `</gpu>` with a warning.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { withHealth } from '../health.js';
import { Metric, pushMetric } from '../metrics.js';
import { nvidiaGpu, profilesFromInstances, setPartition, pushNvidiaSmiReadings, type MigInstance } from '../lib/nvidia.js';
import { ParseContext } from '../lib/context.js';
import { lineAt } from '../lib/text.js';
import { isNotAvailable, readInt, readNumber, wholeMiB, yesNo } from '../lib/units.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';

type X = Record<string, unknown>;
const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true, isArray: (n) => n === 'gpu' || n === 'mig_device' });

/** Child `k` of `o` as an object (or undefined). */
const obj = (o: unknown, k: string): X | undefined => {
  const v = o && typeof o === 'object' ? (o as X)[k] : undefined;
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as X) : undefined;
};
/** Child text at path `ks`. */
const txt = (o: unknown, ...ks: string[]): string | undefined => {
  let cur: unknown = o;
  for (const k of ks) cur = cur && typeof cur === 'object' ? (cur as X)[k] : undefined;
  return typeof cur === 'string' ? cur : typeof cur === 'number' ? String(cur) : undefined;
};

function readXml(text: string, ctx: ParseContext): X {
  let doc: X = {};
  // The parser is lenient with unclosed tags, so validate first: a truncated file must not yield
  // a half-read GPU (product "NVI", no memory).
  const valid = XMLValidator.validate(text) === true;
  if (valid) {
    try {
      doc = xml.parse(text) as X;
    } catch {
      doc = {};
    }
  }
  if (!obj(doc, 'nvidia_smi_log')) {
    const cut = text.lastIndexOf('</gpu>');
    const start = text.indexOf('<nvidia_smi_log');
    if (start < 0) ctx.fail(1, 'not nvidia-smi -q -x output: no <nvidia_smi_log> element');
    if (cut < 0) ctx.fail(lineAt(text, text.length), 'truncated nvidia-smi XML: no complete <gpu> element');
    ctx.warn(lineAt(text, cut), 'XML truncated or malformed after this line; kept the GPUs before it');
    const head = `${text.slice(0, cut + 6)}</nvidia_smi_log>`;
    const v = XMLValidator.validate(head);
    if (v !== true) ctx.fail(v.err.line ?? lineAt(text, cut), `malformed nvidia-smi XML (${v.err.msg.slice(0, 160)})`);
    try {
      doc = xml.parse(head) as X;
    } catch (e) {
      ctx.fail(lineAt(text, cut), `malformed nvidia-smi XML (${(e as Error).message.split('\n')[0]})`);
    }
  }
  const log = obj(doc, 'nvidia_smi_log');
  if (!log) ctx.fail(1, 'not nvidia-smi -q -x output: no <nvidia_smi_log> element');
  return log;
}

/** Parse `nvidia-smi -q -x`. */
export function parseNvidiaSmiXml(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(nvidiaSmiXml.name, options);
  const log = readXml(text, ctx);
  const node = ctx.nodeId;
  const gpus = Array.isArray(log.gpu) ? (log.gpu as X[]) : [];
  const attached = readInt(txt(log, 'attached_gpus'));
  if (attached !== undefined && attached !== gpus.length) ctx.warn(1, `attached_gpus says ${attached} but the output holds ${gpus.length} <gpu> element(s)`);
  const devices = ctx.devices;
  const metrics = ctx.metrics;
  gpus.forEach((g, pos) => {
    const line = lineAt(text, text.indexOf(`<gpu id="${String(g['@id'] ?? '')}"`));
    const product = txt(g, 'product_name');
    const index = readInt(txt(g, 'minor_number')) ?? pos;
    const fbTotal = wholeMiB(txt(g, 'fb_memory_usage', 'total'));
    if (!product || isNotAvailable(product)) ctx.warn(line, `gpu ${index}: no product_name`);
    if (fbTotal === undefined) ctx.warn(line, `gpu ${index}: fb_memory_usage/total unreadable; memory left unknown (0)`);
    const migEnabled = yesNo(txt(g, 'mig_mode', 'current_mig'));
    const d = nvidiaGpu({
      index, product: product && !isNotAvailable(product) ? product : undefined, memoryMiB: fbTotal,
      busId: txt(g, 'pci', 'pci_bus_id') ?? (typeof g['@id'] === 'string' ? (g['@id'] as string) : undefined),
      uuid: txt(g, 'uuid'), architecture: txt(g, 'product_architecture'), migEnabled: migEnabled === undefined ? undefined : migEnabled === 1,
    });
    const migs = Array.isArray(obj(g, 'mig_devices')?.mig_device) ? (obj(g, 'mig_devices')!.mig_device as X[]) : [];
    if (migEnabled === 1) {
      const inst: MigInstance[] = migs.map((m) => ({
        sm: readInt(txt(m, 'device_attributes', 'shared', 'multiprocessor_count')),
        memoryMiB: wholeMiB(txt(m, 'fb_memory_usage', 'total')),
      }));
      setPartition(d, profilesFromInstances(product ?? '', fbTotal ?? 0, inst, (msg) => ctx.warn(line, msg)), 'observed');
      migs.forEach((m) => {
        const t = `${node}/${d.id}/mig-gi${txt(m, 'gpu_instance_id') ?? txt(m, 'index') ?? '?'}`;
        pushMetric(metrics, Metric.memoryUsed, t, wholeMiB(txt(m, 'fb_memory_usage', 'used')));
        pushMetric(metrics, Metric.memoryTotal, t, wholeMiB(txt(m, 'fb_memory_usage', 'total')));
      });
    }
    devices.push(d);
    const t = `${node}/${d.id}`;
    const pw = obj(g, 'gpu_power_readings') ?? obj(g, 'power_readings');
    const vol = obj(obj(g, 'ecc_errors'), 'volatile');
    pushNvidiaSmiReadings(metrics, t, {
      utilization: txt(g, 'utilization', 'gpu_util'), memoryActivity: txt(g, 'utilization', 'memory_util'),
      memoryUsedMiB: wholeMiB(txt(g, 'fb_memory_usage', 'used')), memoryTotalMiB: fbTotal,
      temperature: txt(g, 'temperature', 'gpu_temp'), memoryTemperature: txt(g, 'temperature', 'memory_temp'),
      power: txt(pw, 'power_draw') ?? txt(pw, 'average_power_draw') ?? txt(pw, 'instant_power_draw'),
      powerLimit: txt(pw, 'current_power_limit') ?? txt(pw, 'power_limit'),
      eccUncorrectable: ['sram_uncorrectable', 'sram_uncorrectable_parity', 'sram_uncorrectable_secded', 'dram_uncorrectable', 'double_bit', 'total']
        .map((k) => readNumber(typeof vol?.[k] === 'object' ? txt(vol, k, 'total') : txt(vol, k))),
      eccCorrectable: ['sram_correctable', 'dram_correctable'].map((k) => readNumber(txt(vol, k))),
      retiredPagesPending: txt(g, 'retired_pages', 'pending_retirement'),
      remappedRowsPending: txt(g, 'remapped_rows', 'remapped_row_pending'), remappedRowsFailure: txt(g, 'remapped_rows', 'remapped_row_failure'),
      pcieReplays: txt(g, 'pci', 'replay_counter'),
    });
  });
  if (!devices.length && attached !== 0) ctx.fail(1, 'no <gpu> element found');
  return withHealth(ctx.finish('GPU', { allowEmpty: true }));
}

/** Parser registration for `nvidia-smi -q -x`. */
export const nvidiaSmiXml: AgentParser = {
  name: 'nvidia-smi-xml',
  command: ['nvidia-smi', '-q', '-x'],
  detect: (text) => /<nvidia_smi_log\b/.test(text.slice(0, 4096)),
  parse: parseNvidiaSmiXml,
};
