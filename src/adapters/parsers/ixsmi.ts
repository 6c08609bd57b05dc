/**
 * Iluvatar CoreX `ixsmi` (an nvidia-smi look-alike): two rows per GPU —
 * `GPU Name | Bus-Id | Clock-SM Clock-Mem` and
 * `Fan Temp Perf Pwr:Usage/Cap | Memory-Usage | GPU-Util Compute M.`.
 *
 * Memory is printed in MiB ("116MiB / 32768MiB"). A dual-die card (BI-V150) shows as two GPUs;
 * the second die reports power "N/A / N/A" because power is measured once per card — no power
 * metric is recorded for it, and no warning (it is the tool's documented behaviour).
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { ParseContext } from '../lib/context.js';
import { smiGpuRows } from '../lib/smi-table.js';
import { rowTokens, splitLines } from '../lib/text.js';
import { readPercentRatio, readUsedTotal, readWithUnit } from '../lib/units.js';
import { stripVendorPrefix } from '../lib/vendors.js';

/** Iluvatar CoreX `ixsmi`. */
export const ixsmiParser: AgentParser = {
  name: 'ixsmi',
  command: ['ixsmi'],
  detect(text: string): boolean {
    return /\|\s*IX-ML:\s*\d/.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext('ixsmi', options);
    const driver = /Driver Version:\s*(\S+)/.exec(text)?.[1];
    for (const { r2, name, index, id, target, busId } of smiGpuRows(ctx, splitLines(text), /^GPU\s+Name/, 'GPU  Name | Bus-Id | …')) {
      const labels: Record<string, string> = {};
      if (driver) labels['hetpool.io/driver.version'] = driver;
      let total: number | undefined;
      if (r2) {
        const [, temp, perf, power] = rowTokens(r2.cells[0] ?? '');
        if (perf) labels['hetpool.io/perf-state'] = perf;
        ctx.metric(r2.line, target, 'device.temperature.celsius', readWithUnit(temp, ['C']));
        const [usage, cap] = (power ?? '').split('/');
        ctx.metric(r2.line, target, 'device.power.watts', readWithUnit(usage, ['W']));
        const capW = readWithUnit(cap, ['W']);
        if (capW !== undefined) labels['hetpool.io/power.cap.watts'] = String(capW);
        const mem = readUsedTotal(r2.cells[1]);
        total = mem.total;
        ctx.metric(r2.line, target, 'device.memory.used.mib', mem.used);
        const [util, computeMode] = (r2.cells[2] ?? '').split(/\s{2,}/);
        ctx.metric(r2.line, target, 'device.utilization.ratio', readPercentRatio(util));
        if (computeMode) labels['hetpool.io/compute-mode'] = computeMode;
        if (total === undefined) ctx.warn(r2.line, `${id}: memory total "${r2.cells[1] ?? ''}" not readable; memoryMiB 0`);
      }
      ctx.devices.push({
        id,
        kind: 'gpu',
        vendor: 'iluvatar',
        model: stripVendorPrefix(name),
        memoryMiB: Math.floor(total ?? 0),
        index,
        ...(busId ? { busId } : {}),
        labels,
      });
    }
    return ctx.finish('Iluvatar GPU');
  },
};
