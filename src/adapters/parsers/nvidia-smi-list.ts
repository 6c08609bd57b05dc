/**
 * `nvidia-smi -L`: one line per GPU (`GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)`) and, indented
 * below it, one per MIG device (`MIG 3g.40gb Device 0: (UUID: MIG-…)`). No memory is printed, so
 * devices carry memory 0 (unknown) for merge to fill; MIG profile names become `nominal`
 * profiles with their nominal memory (warned).
 */
import { nvidiaGpu, profilesFromInstances, setPartition, type MigInstance } from '../lib/nvidia.js';
import { ParseContext } from '../lib/context.js';
import { splitLines } from '../lib/text.js';
import { readInt } from '../lib/units.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import type { DeviceInput } from '../../model/types.js';

const GPU = /^GPU (\d+): (.+?)(?: \(UUID: ([^)\s]+)\))?\s*$/;
const MIG = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: ([^)\s]+)\)\s*$/;

/** Parse `nvidia-smi -L`. */
export function parseNvidiaSmiList(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(nvidiaSmiList.name, options);
  const devices = ctx.devices;
  const mig = new Map<DeviceInput, { line: number; product: string; inst: MigInstance[] }>();
  let cur: DeviceInput | undefined;
  splitLines(text).forEach((l, i) => {
    if (!l.trim()) return;
    const g = GPU.exec(l);
    if (g) {
      const index = readInt(g[1]);
      if (index === undefined) { cur = undefined; ctx.warn(i + 1, 'GPU index out of range; line skipped'); return; }
      cur = nvidiaGpu({ index, product: g[2], uuid: g[3] });
      devices.push(cur);
      return;
    }
    const m = MIG.exec(l);
    if (m && cur) {
      const e = mig.get(cur) ?? { line: i + 1, product: '', inst: [] };
      e.inst.push({ profile: m[1] });
      mig.set(cur, e);
      return;
    }
    ctx.warn(i + 1, `unrecognised line: ${l.trim().slice(0, 80)}`);
  });
  if (!devices.length) ctx.fail(1, 'not nvidia-smi -L output: no "GPU <n>: <name>" line');
  for (const [d, e] of mig) {
    setPartition(d, profilesFromInstances(d.model, 0, e.inst, (msg) => ctx.warn(e.line, msg)), 'nominal');
  }
  ctx.warn(1, 'nvidia-smi -L prints no memory sizes; device memory left unknown (0) for another agent to fill');
  return ctx.finish('GPU');
}

/** Parser registration for `nvidia-smi -L`. */
export const nvidiaSmiList: AgentParser = {
  name: 'nvidia-smi-list',
  command: ['nvidia-smi', '-L'],
  // Exact: every line is a GPU or MIG device line (`nvidia-smi nvlink --status` also starts with
  // "GPU 0: … (UUID: GPU-…)" lines, followed by "Link n:" lines).
  detect: (text) => {
    const head = text.length > 8192 ? text.slice(0, text.lastIndexOf('\n', 8192)) : text;
    const lines = splitLines(head).filter((l) => l.trim() !== '');
    return lines.length > 0 && /\(UUID: GPU-/.test(lines[0]) && lines.every((l) => GPU.test(l) || MIG.test(l));
  },
  parse: parseNvidiaSmiList,
};
