/**
 * infiniband-diags `ibstat`: `CA '<name>'` blocks (CA type, firmware, GUIDs) with `Port N:`
 * sub-blocks (State, Physical state, Rate in Gb/s, Link layer). See lib/ib.ts for the topology.
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { ParseContext } from '../lib/context.js';
import { IB_GROUP, type IbPort, addIbPorts } from '../lib/ib.js';
import { keyValue, splitLines } from '../lib/text.js';
import { readInt, readNumber } from '../lib/units.js';

/** infiniband-diags `ibstat`. */
export const ibstatParser: AgentParser = {
  name: 'ibstat',
  command: ['ibstat'],
  group: IB_GROUP,
  detect(text: string): boolean {
    return /^CA '[^']+'\s*$/m.test(text) && /^\s+Port \d+:\s*$/m.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext(ibstatParser, options);
    const lines = splitLines(text);
    const ports: IbPort[] = [];
    let ca: { name: string; labels: Record<string, string> } | undefined;
    let port: IbPort | undefined;
    lines.forEach((raw, i) => {
      const caM = /^CA '([^']+)'\s*$/.exec(raw);
      if (caM) {
        ca = { name: caM[1], labels: {} };
        port = undefined;
        return;
      }
      if (!ca) return;
      const portM = /^\s+Port (\d+):\s*$/.exec(raw);
      if (portM) {
        port = { ca: ca.name, port: Number(portM[1]), line: i + 1, labels: ca.labels };
        ports.push(port);
        return;
      }
      const kv = keyValue(raw);
      if (!kv) return;
      const [k, v] = kv;
      if (!port) {
        if (k === 'CA type') ca.labels['hetpool.io/ib.ca-type'] = v;
        else if (k === 'Firmware version') ca.labels['hetpool.io/firmware'] = v;
        else if (k === 'Node GUID') ca.labels['hetpool.io/ib.node-guid'] = v;
        else if (k === 'Number of ports' && readInt(v) === undefined) ctx.warn(i + 1, `"Number of ports: ${v}" is not a number`);
        return;
      }
      if (k === 'State') port.state = v;
      else if (k === 'Physical state') port.physState = v;
      else if (k === 'Link layer') port.linkLayer = v;
      else if (k === 'Rate') {
        port.rateGbps = readNumber(v);
        if (port.rateGbps === undefined) ctx.warn(i + 1, `Rate "${v}" is not a number of Gb/s; bandwidth unknown`);
      }
    });
    if (ports.length === 0) ctx.fail(1, "no \"CA '<name>'\" block with a \"Port N:\" section");
    addIbPorts(ctx, ports);
    return ctx.finish('HCA port');
  },
};
