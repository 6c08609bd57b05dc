/**
 * `lscpu -J`: `{"lscpu": [{"field": "CPU(s):", "data": "12", "children": [...]}, ...]}`. Both the
 * old flat schema and the nested one of util-linux ≥ 2.37 (`children`, section headers with
 * `data: null`) are read by walking the tree depth-first into the same field list as the text
 * parser. Line numbers point at the field's line in the JSON text.
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { CPU_GROUP, applyCpuFacts } from '../lib/cpu.js';
import { ParseContext } from '../lib/context.js';
import { splitLines } from '../lib/text.js';
import { factsFromLscpu, type LscpuField } from '../lib/lscpu.js';

/** `lscpu -J` JSON. */
export const lscpuJsonParser: AgentParser = {
  name: 'lscpu-json',
  command: ['lscpu', '-J'],
  group: CPU_GROUP,
  detect(text: string): boolean {
    return text.trimStart().startsWith('{') && /"lscpu"\s*:\s*\[/.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext(lscpuJsonParser, options);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      ctx.fail(0, `not valid JSON (${(e as Error).message})`);
    }
    const list = (doc as { lscpu?: unknown } | null)?.lscpu;
    if (!Array.isArray(list)) ctx.fail(1, 'no "lscpu" array');
    const lines = splitLines(text);
    const fields: LscpuField[] = [];
    let cursor = 0;
    const lineOf = (field: string): number => {
      const needle = JSON.stringify(field);
      for (let i = cursor; i < lines.length; i++) if (lines[i].includes(needle)) return (cursor = i) + 1;
      return 0;
    };
    const walk = (items: unknown[]) => {
      for (const it of items) {
        if (!it || typeof it !== 'object') continue;
        const { field, data, children } = it as { field?: unknown; data?: unknown; children?: unknown };
        if (typeof field === 'string') {
          const line = lineOf(field);
          if (typeof data === 'string') fields.push({ key: field.replace(/:\s*$/, '').trim(), value: data.trim(), line });
        }
        if (Array.isArray(children)) walk(children);
      }
    };
    walk(list);
    if (fields.length === 0) ctx.fail(1, 'the "lscpu" array holds no field/data pairs');
    applyCpuFacts(ctx, factsFromLscpu(ctx, fields));
    return ctx.finish('CPU facts');
  },
};
