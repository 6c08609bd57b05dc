/**
 * rdma-core `ibv_devinfo` (and `-v`): `hca_id: <ca>` blocks with device fields, then
 * `port: N` sub-blocks (`state: PORT_ACTIVE (4)`, `link_layer: Ethernet`; with -v also
 * `phys_state: LINK_UP (5)`, `active_width: 4X (2)`, `active_speed: 25.0 Gbps (32)`).
 * Without -v there is no rate and no physical state: the link gets no bandwidth, and an Active
 * port counts as up (IBTA: a port reaches Active only over a physical LinkUp).
 * Bandwidth with -v = lanes × per-lane speed (4X × 25.0 Gbps = 100 Gb/s).
 */
import type { AgentParser, Inventory, ParseOptions } from '../types.js';
import { ParseContext } from '../lib/context.js';
import { IB_GROUP, type IbPort, addIbPorts } from '../lib/ib.js';
import { keyValue, splitLines } from '../lib/text.js';
import { readNumber } from '../lib/units.js';

/** rdma-core `ibv_devinfo`. */
export const ibvDevinfoParser: AgentParser = {
  name: 'ibv_devinfo',
  command: ['ibv_devinfo', '-v'],
  group: IB_GROUP,
  detect(text: string): boolean {
    return /^hca_id:\s*\S+/m.test(text) && /^\s+port:\s*\d+/m.test(text);
  },
  parse(text: string, options?: ParseOptions): Inventory {
    const ctx: ParseContext = new ParseContext(ibvDevinfoParser, options);
    const ports: IbPort[] = [];
    let ca: { name: string; labels: Record<string, string> } | undefined;
    let port: (IbPort & { width?: number; speed?: number }) | undefined;
    const close = () => {
      if (port && port.width !== undefined && port.speed !== undefined) port.rateGbps = port.width * port.speed;
    };
    splitLines(text).forEach((raw, i) => {
      const h = /^hca_id:\s*(\S+)\s*$/.exec(raw);
      if (h) {
        close();
        ca = { name: h[1], labels: {} };
        port = undefined;
        return;
      }
      const kv = ca && keyValue(raw);
      if (!ca || !kv) return;
      const [k, v] = kv;
      if (k === 'port') {
        close();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) {
          ctx.warn(i + 1, `port "${v}" is not a port number; block skipped`);
          port = undefined;
          return;
        }
        port = { ca: ca.name, port: n, line: i + 1, labels: ca.labels };
        ports.push(port);
        return;
      }
      if (!port) {
        if (k === 'fw_ver') ca.labels['hetpool.io/firmware'] = v;
        else if (k === 'node_guid') ca.labels['hetpool.io/ib.node-guid'] = v;
        else if (k === 'vendor_part_id') ca.labels['hetpool.io/ib.ca-type'] = v;
        else if (k === 'board_id') ca.labels['hetpool.io/ib.board-id'] = v;
        return;
      }
      const word = v.replace(/\s*\(\d+\)\s*$/, '');
      if (k === 'state') port.state = word;
      else if (k === 'phys_state') port.physState = word.replace(/_/g, '');
      else if (k === 'link_layer') port.linkLayer = v;
      else if (k === 'active_width') port.width = readNumber(/^(\d+)X/.exec(word)?.[1]);
      else if (k === 'active_speed') port.speed = readNumber(/^(\d+(?:\.\d+)?)\s*Gbps/.exec(word)?.[1]);
    });
    close();
    if (ports.length === 0) ctx.fail(1, 'no "hca_id:" block with a "port:" section');
    addIbPorts(ctx, ports);
    return ctx.finish('HCA port');
  },
};
