/**
 * MetaX `mx-smi` (default view): a `Key : Value` preamble ("Attached GPUs : 8") and a box table
 * with two rows per GPU — `GPU NAME | Bus-id | GPU-Util` and `Temp Power | Memory-Usage |`.
 *
 * Memory is "used/total MiB" with the unit printed once ("810/65536 MiB"). The preamble's GPU
 * count is checked against the rows read, so a truncated capture is reported, not hidden.
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { ParseContext } from '../lib/context.js';
import { smiGpuRows } from '../lib/smi-table.js';
import { splitLines } from '../lib/text.js';
import { readInt, readPercentRatio, readUsedTotal, readWithUnit } from '../lib/units.js';
import { stripVendorPrefix } from '../lib/vendors.js';

/** MetaX `mx-smi`. */
export const mxSmiParser: AgentParser = {
  name: 'mx-smi',
  command: ['mx-smi'],
  detect(text: string): boolean {
    return /\bmx-smi\s+version:|MetaX System Management Interface|\|\s*MX-SMI\s+\d/.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext('mx-smi', options);
    const lines = splitLines(text);
    const kmd = /Kernel Mode Driver Version:\s*(\S+)/.exec(text)?.[1];
    const maca = /MACA Version:\s*(\S+)/.exec(text)?.[1];
    const attachedLine = lines.findIndex((l) => /^Attached GPUs\s*:/.test(l));
    const attached = attachedLine >= 0 ? readInt(lines[attachedLine].split(':')[1]) : undefined;
    for (const { r1, r2, name, index, id, target, busId } of smiGpuRows(ctx, lines, /^GPU\s+NAME/i, 'GPU  NAME | Bus-id | GPU-Util')) {
      const labels: Record<string, string> = {};
      if (kmd) labels['hetpool.io/driver.version'] = kmd;
      if (maca) labels['hetpool.io/metax.maca'] = maca;
      ctx.metric(r1.line, target, 'device.utilization.ratio', readPercentRatio(r1.cells[2]));
      let total: number | undefined;
      if (r2) {
        const [temp, power] = (r2.cells[0] ?? '').split(/\s+/);
        ctx.metric(r2.line, target, 'device.temperature.celsius', readWithUnit(temp, ['C']));
        ctx.metric(r2.line, target, 'device.power.watts', readWithUnit(power, ['W']));
        const mem = readUsedTotal(r2.cells[1]);
        total = mem.total;
        ctx.metric(r2.line, target, 'device.memory.used.mib', mem.used);
        if (total === undefined) ctx.warn(r2.line, `${id}: memory total "${r2.cells[1] ?? ''}" not readable; memoryMiB 0`);
      }
      ctx.devices.push({
        id,
        kind: 'gpu',
        vendor: 'metax',
        model: stripVendorPrefix(name),
        memoryMiB: Math.floor(total ?? 0),
        index,
        ...(busId ? { busId } : {}),
        labels,
      });
    }
    if (attached !== undefined && attached !== ctx.devices.length) {
      ctx.warn(attachedLine + 1, `"Attached GPUs : ${attached}" but ${ctx.devices.length} GPU rows read (truncated output?)`);
    }
    return ctx.finish('MetaX GPU');
  },
};
