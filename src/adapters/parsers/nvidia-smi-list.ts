/**
 * `nvidia-smi -L`: one line per GPU (`GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)`) and, indented
 * below it, one per MIG device (`MIG 3g.40gb Device 0: (UUID: MIG-…)`). No memory is printed, so
 * devices carry memory 0 (unknown) for merge to fill; MIG profile names become `nominal`
 * profiles with their nominal memory (warned).
 */
import { nvidiaGpu, profilesFromInstances, setPartition, type MigInstance } from '../nvidia.js';
import { emptyInventory, nodeIdOf, parseError, splitLines, warnAt } from '../text.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import type { DeviceInput } from '../../model/types.js';

const GPU = /^GPU (\d+): (.+?)(?: \(UUID: ([^)\s]+)\))?\s*$/;
const MIG = /^\s+MIG (\S+)\s+Device\s+(\d+): \(UUID: ([^)\s]+)\)\s*$/;

/** Parse `nvidia-smi -L`. */
export function parseNvidiaSmiList(text: string, options?: ParseOptions): Inventory {
  const inv = emptyInventory(nvidiaSmiList.name, options);
  const node = nodeIdOf(options);
  const devices: DeviceInput[] = [];
  const mig = new Map<DeviceInput, { line: number; product: string; inst: MigInstance[] }>();
  let cur: DeviceInput | undefined;
  splitLines(text).forEach((l, i) => {
    if (!l.trim()) return;
    const g = GPU.exec(l);
    if (g) {
      cur = nvidiaGpu({ index: Number(g[1]), product: g[2], uuid: g[3] });
      if (Number(g[1]) > 2 ** 31 - 1) { cur = undefined; inv.warnings.push(warnAt(options, i + 1, 'GPU index out of range; line skipped')); return; }
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
    inv.warnings.push(warnAt(options, i + 1, `unrecognised line: ${l.trim().slice(0, 80)}`));
  });
  if (!devices.length) parseError(options, 1, 'not nvidia-smi -L output: no "GPU <n>: <name>" line');
  for (const [d, e] of mig) {
    setPartition(d, profilesFromInstances(d.model, 0, e.inst, (msg) => inv.warnings.push(warnAt(options, e.line, msg))), 'nominal');
  }
  inv.warnings.push(warnAt(options, 1, 'nvidia-smi -L prints no memory sizes; device memory left unknown (0) for another agent to fill'));
  inv.nodes.push({ id: node, devices });
  return inv;
}

/** Parser registration for `nvidia-smi -L`. */
export const nvidiaSmiList: AgentParser = {
  name: 'nvidia-smi-list',
  command: ['nvidia-smi', '-L'],
  detect: (text) => /^GPU \d+: .+\(UUID: GPU-/m.test(text.slice(0, 4096)),
  parse: parseNvidiaSmiList,
};
