/**
 * infiniband-diags `ibstatus`: one `Infiniband device '<ca>' port N status:` block per port with
 * `state: 4: ACTIVE`, `phys state: 5: LinkUp`, `rate: 200 Gb/sec (4X HDR)`, `link_layer: …`.
 * See lib/ib.ts for the topology.
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { ParseContext } from '../lib/context.js';
import { IB_GROUP, type IbPort, addIbPorts } from '../lib/ib.js';
import { keyValue, splitLines } from '../lib/text.js';
import { readNumber } from '../lib/units.js';

const BLOCK = /^Infiniband device '([^']+)' port (\d+) status:\s*$/;

/** infiniband-diags `ibstatus`. */
export const ibstatusParser: AgentParser = {
  name: 'ibstatus',
  command: ['ibstatus'],
  group: IB_GROUP,
  detect(text: string): boolean {
    return /^Infiniband device '[^']+' port \d+ status:/m.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext(ibstatusParser, options);
    const ports: IbPort[] = [];
    let port: IbPort | undefined;
    splitLines(text).forEach((raw, i) => {
      const m = BLOCK.exec(raw);
      if (m) {
        port = { ca: m[1], port: Number(m[2]), line: i + 1, labels: {} };
        ports.push(port);
        return;
      }
      const kv = port && keyValue(raw);
      if (!port || !kv) return;
      const [k, v] = kv;
      // "4: ACTIVE" → "ACTIVE"; "5: LinkUp" → "LinkUp"
      const word = v.replace(/^\d+:\s*/, '');
      if (k === 'state') port.state = word;
      else if (k === 'phys state') port.physState = word;
      else if (k === 'link_layer') port.linkLayer = v;
      else if (k === 'rate') {
        const r = /^(\d+(?:\.\d+)?)\s*Gb\/sec\b\s*(?:\(([^)]*)\))?/.exec(v);
        port.rateGbps = readNumber(r?.[1]);
        if (port.rateGbps === undefined) ctx.warn(i + 1, `rate "${v}" not understood; bandwidth unknown`);
        if (r?.[2]) port.labels['hetpool.io/ib.rate'] = r[2];
      } else if (k === 'default gid' && v !== 'unknown') port.labels['hetpool.io/ib.gid'] = v;
    });
    if (ports.length === 0) ctx.fail(1, "no \"Infiniband device '<ca>' port N status:\" block");
    addIbPorts(ctx, ports);
    return ctx.finish('HCA port');
  },
};
