/**
 * `lscpu` (human-readable `Field: value` lines, optionally followed by `lscpu --parse` CSV
 * sections "# CPU,Core,Socket,Node"). The CSV is used when the human part lacks the CPU count,
 * and its Node column supplies NUMA membership when no "NUMA nodeN CPU(s)" lines exist.
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { CPU_GROUP, applyCpuFacts } from '../lib/cpu.js';
import { ParseContext } from '../lib/context.js';
import { splitLines } from '../lib/text.js';
import { factsFromLscpu, type LscpuField } from '../lib/lscpu.js';
import { formatCpuList, readInt } from '../lib/units.js';

/** util-linux `lscpu` text output. */
export const lscpuTextParser: AgentParser = {
  name: 'lscpu-text',
  command: ['lscpu'],
  group: CPU_GROUP,
  detect(text: string): boolean {
    return /^(Architecture|CPU\(s\)):\s+\S/m.test(text) && /^(Thread\(s\) per core|Core\(s\) per (socket|cluster)|Model name):\s/m.test(text) && !text.trimStart().startsWith('{');
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext(lscpuTextParser, options);
    const lines = splitLines(text);
    const fields: LscpuField[] = [];
    let csvHeader: string[] | undefined;
    const csv: Array<{ line: number; row: Map<string, number> }> = [];
    lines.forEach((raw, i) => {
      const line = i + 1;
      const h = /^#\s*(CPU,[A-Za-z,]+)\s*$/.exec(raw);
      if (h) {
        // A second --parse section (--physical) repeats the CPUs; the first one is enough.
        csvHeader = csv.length ? undefined : h[1].split(',');
        return;
      }
      if (raw.startsWith('#')) return;
      if (csvHeader && /^\d/.test(raw)) {
        const vals = raw.split(',');
        const row = new Map<string, number>();
        csvHeader.forEach((k, j) => {
          const v = readInt(vals[j]);
          if (v !== undefined) row.set(k, v);
        });
        if (row.has('CPU')) csv.push({ line, row });
        else ctx.warn(line, `--parse row "${raw}" not understood; skipped`);
        return;
      }
      const m = /^\s*([^:]+?):\s*(.*)$/.exec(raw);
      if (m) fields.push({ key: m[1].trim(), value: m[2].trim(), line });
    });
    if (fields.length === 0 && csv.length === 0) ctx.fail(1, 'no "Field: value" lines and no --parse rows');
    const facts = factsFromLscpu(ctx, fields);
    if (facts.logical === undefined && csv.length) facts.logical = new Set(csv.map((r) => r.row.get('CPU'))).size;
    if (facts.numa.length === 0 && csv.some((r) => r.row.has('Node'))) {
      const byNode = new Map<number, number[]>();
      for (const r of csv) {
        const node = r.row.get('Node');
        if (node !== undefined) byNode.set(node, [...(byNode.get(node) ?? []), r.row.get('CPU') as number]);
      }
      for (const [id, cpus] of [...byNode].sort((a, b) => a[0] - b[0])) facts.numa.push({ id, cpus: formatCpuList(cpus) });
    }
    applyCpuFacts(ctx, facts);
    return ctx.finish('CPU facts');
  },
};
