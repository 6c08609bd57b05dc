/**
 * Cambricon MLU `cnmon` (default table): two rows per card —
 * `Card VF Name Firmware | Bus-Id | Util Ecc-Error` and
 * `Fan Temp Pwr:Usage/Cap | Memory-Usage | Mode Compute-Mode`.
 *
 * Memory is printed in MiB ("0 MiB/ 24576 MiB"). Published samples redact it ("xxxxx MiB"):
 * memoryMiB is then 0 with a warning, never a guess. VF "/" means the physical function; a
 * number means an SR-IOV virtual function, kept as a label.
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { ParseContext } from '../lib/context.js';
import { groupsAfterHeader, readBoxTables, splitLines } from '../lib/text.js';
import { isNotAvailable, normalizeBusId, readInt, readPercentRatio, readUsedTotal, readWithUnit } from '../lib/units.js';

/** Cambricon MLU `cnmon`. */
export const cnmonParser: AgentParser = {
  name: 'cnmon',
  command: ['cnmon'],
  detect(text: string): boolean {
    return /\|\s*CNMON v?\d/.test(text) || (/\|\s*Card\s+VF\s+Name/.test(text) && /MLU/.test(text));
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext('cnmon', options);
    const lines = splitLines(text);
    const driver = /Driver\s+v?(\d[\w.]*)/.exec(text)?.[1];
    const { header, groups } = groupsAfterHeader(readBoxTables(lines), (g) => /^Card\s+VF\s+Name/.test(g[0].cells[0] ?? ''));
    if (!header) ctx.fail(1, 'no "Card  VF  Name  Firmware | Bus-Id | …" header row');
    for (const g of groups) {
      const [r1, r2] = g;
      const head = (r1.cells[0] ?? '').split(/\s+/);
      const card = readInt(head[0]);
      if (card === undefined || head.length < 3 || r1.cells.length < 3) {
        ctx.warn(r1.line, `row not understood, skipped: "${r1.cells.join(' | ')}"`);
        continue;
      }
      const vf = head[1];
      const firmware = head.length >= 4 && /^v\d/.test(head[head.length - 1]) ? head[head.length - 1] : undefined;
      const name = head.slice(2, firmware ? -1 : undefined).join(' ');
      const id = `gpu${card}`;
      const target = ctx.target(id);
      const labels: Record<string, string> = {};
      if (firmware) labels['hetpool.io/firmware'] = firmware;
      if (driver) labels['hetpool.io/driver.version'] = driver;
      if (!isNotAvailable(vf)) labels['hetpool.io/cambricon.vf'] = vf;
      if (/x{3,}/i.test(name)) ctx.warn(r1.line, `${id}: model name "${name}" looks redacted`);
      const busId = normalizeBusId(r1.cells[1]);
      const [util, ecc] = (r1.cells[2] ?? '').split(/\s+/);
      let memory: { used?: number; total?: number } = {};
      if (!r2) ctx.warn(r1.line, `${id}: second row missing (truncated?); memory unknown`);
      else {
        memory = readUsedTotal(r2.cells[1]);
        const [mode, computeMode] = (r2.cells[2] ?? '').split(/\s+/);
        if (mode) labels['hetpool.io/cambricon.mode'] = mode;
        if (computeMode) labels['hetpool.io/compute-mode'] = computeMode;
        const m = /^(\S+)\s+(\S+)\s+(.+)$/.exec(r2.cells[0] ?? '');
        if (m) {
          ctx.metric(r2.line, target, 'device.temperature.celsius', readWithUnit(m[2], ['C']));
          const [usage, cap] = m[3].split('/');
          ctx.metric(r2.line, target, 'device.power.watts', readWithUnit(usage, ['W']));
          const capW = readWithUnit(cap, ['W']);
          if (capW !== undefined) labels['hetpool.io/power.cap.watts'] = String(capW);
        }
        ctx.metric(r2.line, target, 'device.memory.used.mib', memory.used);
      }
      if (r2 && memory.total === undefined) ctx.warn(r2.line, `${id}: memory total "${r2.cells[1] ?? ''}" not readable; memoryMiB 0`);
      ctx.metric(r1.line, target, 'device.utilization.ratio', readPercentRatio(util));
      ctx.metric(r1.line, target, 'device.ecc.error.count', readInt(ecc));
      ctx.devices.push({
        id,
        kind: 'gpu',
        vendor: 'cambricon',
        model: name || 'unknown',
        memoryMiB: Math.floor(memory.total ?? 0),
        index: card,
        ...(busId ? { busId } : {}),
        labels,
      });
    }
    return ctx.finish('MLU card');
  },
};
