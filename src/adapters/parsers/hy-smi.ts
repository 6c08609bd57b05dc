/**
 * Hygon DCU `hy-smi` (the default table, a rocm-smi derivative): one row per DCU with
 * temperature, average power, power cap, VRAM% and DCU% — values carry their units ("49.0C",
 * "118.0W"). The default table names no model and shows no memory size: model is "unknown" and
 * memoryMiB 0, each with a warning (run `hy-smi --showproductname --showmeminfo vram` to fill
 * them).
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { ParseContext } from '../lib/context.js';
import { splitLines, splitWide } from '../lib/text.js';
import { readInt, readPercentRatio, readWithUnit } from '../lib/units.js';

const HEADER = /^\s*(?:DCU|HCU)\s+Temp\s+/;

/** Hygon DCU `hy-smi`. */
export const hySmiParser: AgentParser = {
  name: 'hy-smi',
  command: ['hy-smi'],
  detect(text: string): boolean {
    return /System Management Interface/.test(text) && !/ROCm System Management Interface/.test(text) && new RegExp(HEADER.source, 'm').test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext('hy-smi', options);
    const lines = splitLines(text);
    const h = lines.findIndex((l) => HEADER.test(l));
    if (h < 0) ctx.fail(1, 'no "DCU  Temp  AvgPwr …" header row');
    const names = splitWide(lines[h]).flatMap((n) => n.split(/\s+/));
    const col = (re: RegExp) => names.findIndex((n) => re.test(n));
    const cTemp = col(/^Temp$/);
    const cPower = col(/^AvgPwr$/);
    const cCap = col(/^PwrCap$/);
    const cVram = col(/^VRAM%$/);
    const cUtil = col(/^(DCU|HCU)%$/);
    const cMode = col(/^Mode$/);
    const cPerf = col(/^Perf$/);
    for (let i = h + 1; i < lines.length; i++) {
      const raw = lines[i].trim();
      if (raw === '' || /^=+/.test(raw)) {
        if (/End of SMI Log/.test(raw)) break;
        continue;
      }
      const tokens = raw.split(/\s+/);
      const index = readInt(tokens[0]);
      if (index === undefined || tokens.length !== names.length) {
        ctx.warn(i + 1, `row not understood, skipped: "${raw}"`);
        continue;
      }
      const id = `gpu${index}`;
      const target = ctx.target(id);
      const labels: Record<string, string> = {};
      if (cMode >= 0) labels['hetpool.io/hygon.mode'] = tokens[cMode];
      if (cPerf >= 0) labels['hetpool.io/perf-level'] = tokens[cPerf];
      const cap = cCap >= 0 ? readWithUnit(tokens[cCap], ['W']) : undefined;
      if (cap !== undefined) labels['hetpool.io/power.cap.watts'] = String(cap);
      ctx.devices.push({ id, kind: 'gpu', vendor: 'hygon', model: 'unknown', memoryMiB: 0, index, labels });
      ctx.metric(i + 1, target, 'device.temperature.celsius', readWithUnit(tokens[cTemp], ['C', '°C']));
      if (cPower >= 0) ctx.metric(i + 1, target, 'device.power.watts', readWithUnit(tokens[cPower], ['W']));
      if (cVram >= 0) ctx.metric(i + 1, target, 'device.memory.used.ratio', readPercentRatio(tokens[cVram]));
      if (cUtil >= 0) ctx.metric(i + 1, target, 'device.utilization.ratio', readPercentRatio(tokens[cUtil]));
    }
    if (ctx.devices.length) ctx.warn(h + 1, 'the default hy-smi table names no model and shows no memory size: model "unknown", memoryMiB 0');
    return ctx.finish('DCU');
  },
};
