/**
 * Linux `/proc/cpuinfo`: one blank-line-separated block per logical CPU, with per-architecture
 * fields.
 * - x86: `model name`, `physical id` (socket), `core id`; arch x86_64 when `flags` has `lm`
 *   (long mode). Cores = distinct (physical id, core id) pairs.
 * - aarch64: no model name; cores are named from `CPU implementer` + `CPU part` (util-linux's
 *   table). big.LITTLE: every core counts towards cpuMilli; the clusters are listed in the
 *   `hetpool.io/cpu.clusters` label ("Cortex-A510×3, Cortex-A715×2, …"). Arch aarch64 when
 *   `CPU architecture: 8` (or 9) and the AArch64 feature names (`asimd`) are present.
 * - riscv64: `isa rv64…`, core name from `uarch`.
 * /proc/cpuinfo names no host and no NUMA layout.
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { CPU_GROUP, type CpuFacts, applyCpuFacts, archFrom, armCoreName, clusterSummary } from '../lib/cpu.js';
import { ParseContext } from '../lib/context.js';
import { splitLines } from '../lib/text.js';
import { readInt } from '../lib/units.js';

interface Block { line: number; f: Map<string, string> }

function readBlocks(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let cur: Block | undefined;
  lines.forEach((raw, i) => {
    if (raw.trim() === '') {
      cur = undefined;
      return;
    }
    const m = /^([^:\t]+?)\s*:\s?(.*)$/.exec(raw);
    if (!m) return;
    const key = m[1].trim();
    if (key === 'processor' || !cur) {
      cur = { line: i + 1, f: new Map() };
      blocks.push(cur);
    }
    cur.f.set(key, m[2].trim());
  });
  return blocks;
}

/** Most frequent value (ties: first seen). */
function mode(values: string[]): string | undefined {
  const c = new Map<string, number>();
  for (const v of values) c.set(v, (c.get(v) ?? 0) + 1);
  let best: string | undefined;
  for (const [v, n] of c) if (best === undefined || n > (c.get(best) as number)) best = v;
  return best;
}

/** Linux `/proc/cpuinfo`. */
export const procCpuinfoParser: AgentParser = {
  name: 'proc-cpuinfo',
  command: ['cat', '/proc/cpuinfo'],
  group: CPU_GROUP,
  detect(text: string): boolean {
    return /^processor\s*:\s*\d+/m.test(text) && /^(vendor_id|model name|CPU implementer|isa|hart|Features|flags)\s*:/m.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext(procCpuinfoParser, options);
    const all = readBlocks(splitLines(text));
    const cpus = all.filter((b) => b.f.has('processor'));
    if (cpus.length === 0) ctx.fail(1, 'no "processor : N" blocks');
    const ids = new Set<number>();
    for (const b of cpus) {
      const id = readInt(b.f.get('processor'));
      if (id === undefined) ctx.warn(b.line, `processor "${b.f.get('processor')}" is not a number; block not counted`);
      else if (ids.has(id)) ctx.warn(b.line, `processor ${id} listed twice; counted once`);
      else ids.add(id);
    }
    const facts: CpuFacts = { numa: [], logical: ids.size };
    const get = (k: string) => cpus.map((b) => b.f.get(k)).filter((v): v is string => v !== undefined && v !== '');
    const first = cpus[0].f;
    if (first.has('vendor_id') || first.has('flags')) {
      const flags = first.get('flags') ?? '';
      facts.arch = /(^|\s)lm(\s|$)/.test(flags) ? 'x86_64' : undefined;
      if (!facts.arch) ctx.warn(cpus[0].line, 'x86 CPU without the "lm" flag (32-bit); arch left unset');
      facts.model = mode(get('model name'));
      facts.vendor = mode(get('vendor_id'));
      const sockets = new Set(get('physical id'));
      if (sockets.size) facts.sockets = sockets.size;
      const cores = new Set(cpus.filter((b) => b.f.has('core id')).map((b) => `${b.f.get('physical id') ?? ''}/${b.f.get('core id')}`));
      if (cores.size) {
        facts.cores = cores.size;
        if (facts.logical && facts.logical % cores.size === 0) facts.threadsPerCore = facts.logical / cores.size;
      }
    } else if (first.has('CPU implementer')) {
      const archLevel = readInt(first.get('CPU architecture'));
      const features = first.get('Features') ?? '';
      facts.arch = archLevel !== undefined && archLevel >= 8 && /(^|\s)asimd(\s|$)/.test(features) ? 'aarch64' : undefined;
      if (!facts.arch) ctx.warn(cpus[0].line, 'ARM CPU without AArch64 features (32-bit kernel?); arch left unset');
      const names = cpus.map((b) => armCoreName(b.f.get('CPU implementer'), b.f.get('CPU part')) ?? 'unknown');
      const distinct = [...new Set(names)];
      facts.model = distinct.join(' + ');
      if (distinct.length > 1) facts.clusters = clusterSummary(names);
      facts.vendor = first.get('CPU implementer');
    } else if (first.has('isa') || first.has('hart')) {
      facts.isa = mode(get('isa'));
      facts.arch = archFrom(facts.isa);
      if (!facts.arch) ctx.warn(cpus[0].line, `ISA "${facts.isa ?? ''}" is not rv64; arch left unset`);
      const uarch = [...new Set(get('uarch'))];
      if (uarch.length) facts.model = uarch.join(' + ');
      if (uarch.length > 1) facts.clusters = clusterSummary(get('uarch'));
      facts.vendor = mode(get('mvendorid'));
    } else {
      ctx.warn(cpus[0].line, 'CPU fields of an unknown architecture; only the CPU count is read');
    }
    applyCpuFacts(ctx, facts);
    return ctx.finish('CPU facts');
  },
};
