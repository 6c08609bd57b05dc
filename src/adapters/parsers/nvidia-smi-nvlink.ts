/**
 * `nvidia-smi nvlink --status`: per GPU, one line per NVLink (`Link 3: 25 GB/s`, or
 * `Link 3: <inactive>`). Peers are not printed, so each link becomes metrics (state, bandwidth in
 * Gbit/s = GB/s × 8) on target `<node>/gpu<i>/nvlink<n>`; an inactive link is state 0, which the
 * `link-down` health rule turns into an unhealthy GPU. The GPU gets `hetpool.io/nvlink.count` and
 * `hetpool.io/nvlink.gbps` (sum of active links) labels.
 */
import { withHealth } from '../health.js';
import { Metric, pushMetric } from '../metrics.js';
import { nvidiaGpu } from '../lib/nvidia.js';
import { ParseContext } from '../lib/context.js';
import { splitLines } from '../lib/text.js';
import { readInt, readNumber } from '../lib/units.js';
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import type { DeviceInput } from '../../model/types.js';

const GPU = /^GPU (\d+): (.+?)(?: \(UUID: ([^)\s]+)\))?\s*$/;
const LINK = /^\s+Link (\d+): (.*)$/;

/** Parse `nvidia-smi nvlink --status`. */
export function parseNvlinkStatus(text: string, options?: ParseOptions): Inventory {
  const ctx: ParseContext = new ParseContext(nvidiaSmiNvlink.name, options);
  const node = ctx.nodeId;
  const devices = ctx.devices;
  const metrics = ctx.metrics;
  let cur: { d: DeviceInput; links: number; gbps: number } | undefined;
  const flush = (): void => {
    if (!cur) return;
    cur.d.labels = { ...(cur.d.labels ?? {}), 'hetpool.io/nvlink.count': String(cur.links), 'hetpool.io/nvlink.gbps': String(cur.gbps) };
  };
  splitLines(text).forEach((l, i) => {
    const g = GPU.exec(l);
    if (g) {
      flush();
      const index = readInt(g[1]);
      if (index === undefined) { cur = undefined; return; }
      const d = nvidiaGpu({ index, product: g[2], uuid: g[3] });
      devices.push(d);
      cur = { d, links: 0, gbps: 0 };
      return;
    }
    const m = LINK.exec(l);
    if (!m || !cur) {
      if (l.trim()) ctx.warn(i + 1, `unrecognised line: ${l.trim().slice(0, 80)}`);
      return;
    }
    const t = `${node}/${cur.d.id}/nvlink${m[1]}`;
    const speed = /^([\d.]+)\s*GB\/s/i.exec(m[2].trim());
    cur.links++;
    if (/inactive/i.test(m[2])) {
      pushMetric(metrics, Metric.linkState, t, 0);
    } else if (speed && readNumber(speed[1]) !== undefined) {
      const gbps = readNumber(speed[1])! * 8; // GB/s per direction → Gbit/s
      pushMetric(metrics, Metric.linkState, t, 1);
      pushMetric(metrics, Metric.linkBandwidth, t, gbps);
      cur.gbps += gbps;
    } else ctx.warn(i + 1, `link ${m[1]}: unreadable state "${m[2].trim().slice(0, 40)}"`);
  });
  flush();
  if (!devices.length) ctx.fail(1, 'not nvidia-smi nvlink --status output: no "GPU <n>: <name>" line');
  return withHealth(ctx.finish('GPU'));
}

/** Parser registration for `nvidia-smi nvlink --status`. */
export const nvidiaSmiNvlink: AgentParser = {
  name: 'nvidia-smi-nvlink',
  command: ['nvidia-smi', 'nvlink', '--status'],
  detect: (text) => /^GPU \d+: .*\n\s+Link \d+: /m.test(text.slice(0, 4096)),
  parse: parseNvlinkStatus,
};
