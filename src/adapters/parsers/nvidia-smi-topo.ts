/**
 * `nvidia-smi topo -m`: the connection matrix between GPUs and NICs plus CPU/NUMA affinity.
 * Cells → LinkType (legend printed by nvidia-smi itself):
 *   NV#  → nvlink, lanes #          PIX → pcie-switch (at most one PCIe bridge)
 *   PXB  → pcie (several bridges, no host bridge)   PHB → pcie-host-bridge
 *   NODE → numa (host bridges within one NUMA node) SYS → smp (across NUMA nodes, QPI/UPI)
 * The header may be wrapped in ANSI underline escapes and cells separated by tabs or spaces, so
 * rows are split on whitespace: first token = row name, next N tokens = the N matrix cells.
 */
import { ParseContext } from '../lib/context.js';
import { splitLines, stripAnsi } from '../lib/text.js';
import { isNotAvailable, readInt } from '../lib/units.js';
import { nvidiaGpu } from '../lib/nvidia.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import type { LinkType } from '../../model/topology.js';

/** Map one matrix cell to a link type and lane count (undefined for `X` and unknown cells). */
export function topoCell(cell: string): { type: LinkType; lanes?: number } | undefined {
  const c = cell.trim().toUpperCase();
  const nv = /^NV(\d+)$/.exec(c);
  if (nv) {
    const lanes = Number(nv[1]);
    return lanes >= 1 && lanes <= 1024 ? { type: 'nvlink', lanes } : undefined;
  }
  const map: Record<string, LinkType> = { PIX: 'pcie-switch', PXB: 'pcie', PHB: 'pcie-host-bridge', NODE: 'numa', SYS: 'smp', SOC: 'smp' };
  return map[c] ? { type: map[c] } : undefined;
}

/** Parse `nvidia-smi topo -m`. */
export function parseNvidiaSmiTopo(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(nvidiaSmiTopo.name, options);
  const node = ctx.nodeId;
  const lines = splitLines(text).map(stripAnsi);
  const hi = lines.findIndex((l) => /\bGPU0\b/.test(l) && /Affinity/i.test(l));
  if (hi < 0) ctx.fail(1, 'not nvidia-smi topo -m output: no header with GPU0 and "CPU Affinity"');
  const cols = lines[hi].trim().split(/\t+|\s{2,}/).map((c) => c.trim()).filter(Boolean);
  const ends = cols.findIndex((c) => /Affinity|NUMA ID/i.test(c));
  const names = cols.slice(0, ends < 0 ? cols.length : ends);
  const extra = ends < 0 ? [] : cols.slice(ends);
  const nicName = new Map<string, string>();
  for (const l of lines) {
    const m = /^\s*(NIC\d+):\s*(\S+)\s*$/.exec(l);
    if (m) nicName.set(m[1], m[2]);
  }
  const vid = (n: string): string => (n.startsWith('GPU') ? `${node}/gpu${n.slice(3)}` : `${node}/${nicName.get(n) ?? n.toLowerCase()}`);
  const vertices = ctx.vertices;
  for (const n of names) vertices.push({ id: vid(n), kind: n.startsWith('GPU') ? 'device' : 'nic' });
  const links = ctx.links;
  const devices = ctx.devices;
  const numa = new Set<string>();
  for (let i = hi + 1; i < lines.length; i++) {
    const l = lines[i];
    if (!l.trim()) break;
    const tok = l.trim().split(/\s+/);
    const row = tok[0];
    const r = names.indexOf(row);
    if (r < 0) {
      ctx.warn(i + 1, `row ${row.slice(0, 40)} is not in the header; skipped`);
      continue;
    }
    const cells = tok.slice(1, 1 + names.length);
    if (cells.length < names.length) ctx.warn(i + 1, `row ${row} has ${cells.length} of ${names.length} cells (truncated?)`);
    cells.forEach((cell, c) => {
      if (c <= r) return; // the matrix is symmetric: read the upper triangle once
      const t = topoCell(cell);
      if (!t) {
        if (cell.toUpperCase() !== 'X') ctx.warn(i + 1, `unknown connection "${cell.slice(0, 16)}" between ${row} and ${names[c]}`);
        return;
      }
      links.push({ a: vid(row), b: vid(names[c]), type: t.type, ...(t.lanes ? { lanes: t.lanes } : {}) });
    });
    if (!row.startsWith('GPU')) continue;
    const index = readInt(row.slice(3));
    if (index === undefined) continue;
    const d = nvidiaGpu({ index });
    const rest = tok.slice(1 + names.length);
    const labels: Record<string, string> = {};
    extra.forEach((h, k) => {
      const v = rest[k];
      if (v === undefined || isNotAvailable(v)) return;
      if (/CPU Affinity/i.test(h)) labels['hetpool.io/cpu-affinity'] = v.slice(0, 253);
      else if (/^NUMA Affinity/i.test(h) && readInt(v) !== undefined) {
        labels['hetpool.io/numa'] = v;
        numa.add(v);
        links.push({ a: vid(row), b: `${node}/numa${v}`, type: 'numa' });
      } else if (/GPU NUMA ID/i.test(h) && readInt(v) !== undefined) labels['hetpool.io/gpu-numa-id'] = v;
    });
    if (Object.keys(labels).length) d.labels = labels;
    devices.push(d);
  }
  for (const n of numa) vertices.push({ id: `${node}/numa${n}`, kind: 'numa' });
  if (!devices.length) ctx.fail(hi + 2, 'no GPU rows below the header');
  return ctx.finish('GPU');
}

/** Parser registration for `nvidia-smi topo -m`. */
export const nvidiaSmiTopo: AgentParser = {
  name: 'nvidia-smi-topo',
  command: ['nvidia-smi', 'topo', '-m'],
  detect: (text) => /\bGPU0\b.*CPU Affinity/.test(stripAnsi(text.slice(0, 4096))),
  parse: parseNvidiaSmiTopo,
};
