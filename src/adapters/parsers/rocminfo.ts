/**
 * AMD ROCm `rocminfo`: one `Agent N` block per HSA agent (CPUs and GPUs). GPU agents become
 * devices in the order they appear, which is the HIP device order (gpu0, gpu1, …).
 *
 * Memory: the size of the agent's first GLOBAL pool, printed in KB that are KiB
 * ("16760832(0xffc000) KB" = 16368 MiB). BDFID is bus<<8 | device<<3 | function without the PCI
 * domain, so it is kept as a label rather than guessed into a bus id.
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { ParseContext } from '../lib/context.js';
import { keyValue, splitLines } from '../lib/text.js';
import { readInt, readMemoryMiB } from '../lib/units.js';
import { canonicalVendor, stripVendorPrefix } from '../lib/vendors.js';

interface AgentBlock {
  line: number;
  fields: Map<string, string>;
  /** Sizes of GLOBAL pools in MiB, in order. */
  globalPoolsMiB: number[];
}

/** "16760832(0xffc000) KB" → 16368 (MiB). */
function poolSize(value: string): number | undefined {
  const m = /^(\d+)\s*(?:\(0x[0-9a-f]+\))?\s*([KMG]?B)$/i.exec(value.trim());
  return m ? readMemoryMiB(`${m[1]} ${m[2]}`) : undefined;
}

function readAgents(lines: string[]): AgentBlock[] {
  const agents: AgentBlock[] = [];
  let cur: AgentBlock | undefined;
  let inPool = false;
  let poolSegmentGlobal = false;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (/^Agent \d+\s*$/.test(raw.trim()) && /^\*+$/.test((lines[i - 1] ?? '').trim())) {
      cur = { line: i + 1, fields: new Map(), globalPoolsMiB: [] };
      agents.push(cur);
      inPool = false;
      continue;
    }
    if (!cur) continue;
    const indented = /^\s/.test(raw);
    if (!indented) {
      inPool = /^Pool Info:/.test(raw);
      const kv = keyValue(raw);
      if (kv && !cur.fields.has(kv[0])) cur.fields.set(kv[0], kv[1]);
      continue;
    }
    if (!inPool) continue;
    const kv = keyValue(raw);
    if (!kv) continue;
    if (kv[0] === 'Segment') poolSegmentGlobal = /^GLOBAL/.test(kv[1]);
    else if (kv[0] === 'Size' && poolSegmentGlobal) {
      const mib = poolSize(kv[1]);
      if (mib !== undefined) cur.globalPoolsMiB.push(mib);
    }
  }
  return agents;
}

/** AMD ROCm `rocminfo`. */
export const rocminfoParser: AgentParser = {
  name: 'rocminfo',
  command: ['rocminfo'],
  detect(text: string): boolean {
    return /HSA System Attributes|HSA Agents/.test(text) && /^Agent \d+\s*$/m.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext('rocminfo', options);
    const lines = splitLines(text);
    const agents = readAgents(lines);
    if (agents.length === 0) ctx.fail(1, 'no "Agent N" blocks');
    const runtime = /^ROCk module version\s+(\S+)/m.exec(text)?.[1];
    let gpuIndex = 0;
    for (const a of agents) {
      const type = a.fields.get('Device Type');
      if (type === 'CPU') {
        const name = a.fields.get('Marketing Name') ?? a.fields.get('Name');
        if (name) ctx.node.labels = { ...ctx.node.labels, 'hetpool.io/cpu.model': name };
        continue;
      }
      if (type !== 'GPU') {
        if (type === undefined) ctx.warn(a.line, 'agent without "Device Type" (truncated?), skipped');
        continue;
      }
      const id = `gpu${gpuIndex}`;
      const vendor = canonicalVendor(a.fields.get('Vendor Name'));
      if (!vendor) ctx.warn(a.line, `${id}: unknown vendor "${a.fields.get('Vendor Name') ?? ''}", assumed amd`);
      const marketing = a.fields.get('Marketing Name');
      const gfx = a.fields.get('Name');
      const memory = a.globalPoolsMiB[0];
      if (memory === undefined) ctx.warn(a.line, `${id}: no GLOBAL memory pool size; memoryMiB 0`);
      const labels: Record<string, string> = {};
      if (gfx) labels['hetpool.io/amd.gfx'] = gfx;
      const cu = readInt(a.fields.get('Compute Unit'));
      if (cu !== undefined) labels['hetpool.io/compute-units'] = String(cu);
      const bdf = readInt(a.fields.get('BDFID'));
      if (bdf !== undefined) labels['hetpool.io/pci.bdfid'] = String(bdf);
      const uuid = a.fields.get('Uuid');
      if (uuid) labels['hetpool.io/uuid'] = uuid;
      if (runtime) labels['hetpool.io/driver.version'] = runtime;
      ctx.devices.push({
        id,
        kind: 'gpu',
        vendor: vendor ?? 'amd',
        model: marketing ? stripVendorPrefix(marketing) : (gfx ?? 'unknown'),
        memoryMiB: Math.floor(memory ?? 0),
        index: gpuIndex,
        labels,
      });
      gpuIndex++;
    }
    return ctx.finish('GPU agent');
  },
};
