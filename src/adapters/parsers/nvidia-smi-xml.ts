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
import { Metric, pushMetric, yesNo } from '../metrics.js';
import { nvidiaGpu, profilesFromInstances, setPartition, type MigInstance } from '../nvidia.js';
import { emptyInventory, isNA, lineAt, nodeIdOf, nonNegative, nonNegativeInt, parseError, quantityMiB, warnAt } from '../text.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import type { DeviceInput } from '../../model/types.js';

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

function readXml(text: string, options: ParseOptions | undefined, inv: Inventory): X {
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
    if (start < 0) parseError(options, 1, 'not nvidia-smi -q -x output: no <nvidia_smi_log> element');
    if (cut < 0) parseError(options, lineAt(text, text.length), 'truncated nvidia-smi XML: no complete <gpu> element');
    inv.warnings.push(warnAt(options, lineAt(text, cut), 'XML truncated or malformed after this line; kept the GPUs before it'));
    const head = `${text.slice(0, cut + 6)}</nvidia_smi_log>`;
    const v = XMLValidator.validate(head);
    if (v !== true) parseError(options, v.err.line ?? lineAt(text, cut), `malformed nvidia-smi XML (${v.err.msg.slice(0, 160)})`);
    try {
      doc = xml.parse(head) as X;
    } catch (e) {
      parseError(options, lineAt(text, cut), `malformed nvidia-smi XML (${(e as Error).message.split('\n')[0]})`);
    }
  }
  const log = obj(doc, 'nvidia_smi_log');
  if (!log) parseError(options, 1, 'not nvidia-smi -q -x output: no <nvidia_smi_log> element');
  return log;
}

/** Parse `nvidia-smi -q -x`. */
export function parseNvidiaSmiXml(text: string, options?: ParseOptions): Inventory {
  const inv = emptyInventory(nvidiaSmiXml.name, options);
  const log = readXml(text, options, inv);
  const node = nodeIdOf(options);
  const gpus = Array.isArray(log.gpu) ? (log.gpu as X[]) : [];
  const attached = nonNegativeInt(txt(log, 'attached_gpus'));
  if (attached !== undefined && attached !== gpus.length) inv.warnings.push(warnAt(options, 1, `attached_gpus says ${attached} but the output holds ${gpus.length} <gpu> element(s)`));
  const devices: DeviceInput[] = [];
  const metrics: NonNullable<Inventory['metrics']> = [];
  gpus.forEach((g, pos) => {
    const line = lineAt(text, text.indexOf(`<gpu id="${String(g['@id'] ?? '')}"`));
    const product = txt(g, 'product_name');
    const index = nonNegativeInt(txt(g, 'minor_number')) ?? pos;
    const fbTotal = quantityMiB(txt(g, 'fb_memory_usage', 'total'));
    if (!product || isNA(product)) inv.warnings.push(warnAt(options, line, `gpu ${index}: no product_name`));
    if (fbTotal === undefined) inv.warnings.push(warnAt(options, line, `gpu ${index}: fb_memory_usage/total unreadable; memory left unknown (0)`));
    const migEnabled = yesNo(txt(g, 'mig_mode', 'current_mig'));
    const d = nvidiaGpu({
      index, product: product && !isNA(product) ? product : undefined, memoryMiB: fbTotal,
      busId: txt(g, 'pci', 'pci_bus_id') ?? (typeof g['@id'] === 'string' ? (g['@id'] as string) : undefined),
      uuid: txt(g, 'uuid'), architecture: txt(g, 'product_architecture'), migEnabled: migEnabled === undefined ? undefined : migEnabled === 1,
    });
    const migs = Array.isArray(obj(g, 'mig_devices')?.mig_device) ? (obj(g, 'mig_devices')!.mig_device as X[]) : [];
    if (migEnabled === 1) {
      const inst: MigInstance[] = migs.map((m) => ({
        sm: nonNegativeInt(txt(m, 'device_attributes', 'shared', 'multiprocessor_count')),
        memoryMiB: quantityMiB(txt(m, 'fb_memory_usage', 'total')),
      }));
      setPartition(d, profilesFromInstances(product ?? '', fbTotal ?? 0, inst, (msg) => inv.warnings.push(warnAt(options, line, msg))), 'observed');
      migs.forEach((m) => {
        const t = `${node}/${d.id}/mig-gi${txt(m, 'gpu_instance_id') ?? txt(m, 'index') ?? '?'}`;
        pushMetric(metrics, Metric.memoryUsed, t, quantityMiB(txt(m, 'fb_memory_usage', 'used')));
        pushMetric(metrics, Metric.memoryTotal, t, quantityMiB(txt(m, 'fb_memory_usage', 'total')));
      });
    }
    devices.push(d);
    const t = `${node}/${d.id}`;
    pushMetric(metrics, Metric.utilization, t, txt(g, 'utilization', 'gpu_util'), 0.01);
    pushMetric(metrics, Metric.memoryActivity, t, txt(g, 'utilization', 'memory_util'), 0.01);
    pushMetric(metrics, Metric.memoryUsed, t, quantityMiB(txt(g, 'fb_memory_usage', 'used')));
    pushMetric(metrics, Metric.memoryTotal, t, fbTotal);
    pushMetric(metrics, Metric.temperature, t, txt(g, 'temperature', 'gpu_temp'));
    pushMetric(metrics, Metric.memoryTemperature, t, txt(g, 'temperature', 'memory_temp'));
    const pw = obj(g, 'gpu_power_readings') ?? obj(g, 'power_readings');
    pushMetric(metrics, Metric.power, t, txt(pw, 'power_draw') ?? txt(pw, 'average_power_draw') ?? txt(pw, 'instant_power_draw'));
    pushMetric(metrics, Metric.powerLimit, t, txt(pw, 'current_power_limit') ?? txt(pw, 'power_limit'));
    const vol = obj(obj(g, 'ecc_errors'), 'volatile');
    const unc = ['sram_uncorrectable', 'sram_uncorrectable_parity', 'sram_uncorrectable_secded', 'dram_uncorrectable', 'double_bit', 'total']
      .map((k) => nonNegative(typeof vol?.[k] === 'object' ? txt(vol, k, 'total') : txt(vol, k)));
    if (unc.some((v) => v !== undefined)) pushMetric(metrics, Metric.eccUncorrectable, t, unc.reduce<number>((a, v) => a + (v ?? 0), 0));
    const cor = ['sram_correctable', 'dram_correctable'].map((k) => nonNegative(txt(vol, k)));
    if (cor.some((v) => v !== undefined)) pushMetric(metrics, Metric.eccCorrectable, t, cor.reduce<number>((a, v) => a + (v ?? 0), 0));
    pushMetric(metrics, Metric.retiredPagesPending, t, yesNo(txt(g, 'retired_pages', 'pending_retirement')));
    pushMetric(metrics, Metric.remappedRowsPending, t, yesNo(txt(g, 'remapped_rows', 'remapped_row_pending')));
    pushMetric(metrics, Metric.remappedRowsFailure, t, yesNo(txt(g, 'remapped_rows', 'remapped_row_failure')));
    pushMetric(metrics, Metric.pcieReplays, t, txt(g, 'pci', 'replay_counter'));
  });
  if (!devices.length && attached !== 0) parseError(options, 1, 'no <gpu> element found');
  inv.nodes.push({ id: node, devices });
  inv.metrics = metrics;
  return withHealth(inv);
}

/** Parser registration for `nvidia-smi -q -x`. */
export const nvidiaSmiXml: AgentParser = {
  name: 'nvidia-smi-xml',
  command: ['nvidia-smi', '-q', '-x'],
  detect: (text) => /<nvidia_smi_log\b/.test(text.slice(0, 4096)),
  parse: parseNvidiaSmiXml,
};
