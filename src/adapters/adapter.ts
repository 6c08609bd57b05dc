/**
 * Live adapters (§6a, §6f, §6g): an adapter `discover()`s an Inventory and may `watch()` a stream
 * of add/remove/update/health events. `pollingWatch` turns any adapter into a hot-plug source by
 * diffing successive discoveries. `Discovery` runs a set of adapters: a failing adapter marks
 * the nodes and devices it reported last time `unknown` and the others carry on.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { HetpoolError, isHetpoolError } from '../model/errors.js';
import type { DeviceInput, Health } from '../model/types.js';
import type { AgentParser, Inventory, ParseOptions } from './types.js';

/** A source of inventory: a local agent, an exporter endpoint, an API server, a catalogue. */
export interface Adapter {
  readonly name: string;
  /** Read the current inventory; rejects (HetpoolError) when the source cannot be read. */
  discover(signal?: AbortSignal): Promise<Inventory>;
  /** Stream changes; adapters without push support use `pollingWatch`. */
  watch?(options?: WatchOptions): AsyncIterable<AdapterEvent>;
}

/** Options of a watch. */
export interface WatchOptions {
  /** Time between polls, ms (default 10 000). */
  intervalMs?: number;
  /** Stop after this many polls (tests and bounded runs). */
  maxPolls?: number;
  signal?: AbortSignal;
}

/** What changed between two discoveries. Device events carry the device as now seen. */
export type AdapterEvent =
  | { type: 'add'; node: string; device?: DeviceInput }
  | { type: 'remove'; node: string; device?: string }
  | { type: 'update'; node: string; device?: DeviceInput; fields: string[] }
  | { type: 'health'; target: string; health: Health; reason: string }
  | { type: 'error'; adapter: string; message: string };

const stable = (v: unknown): string => JSON.stringify(v, (_k, x) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x));

/** Events that turn inventory `prev` into `next` (hot-plug: devices added, removed, changed; health changes). */
export function diffInventories(prev: Inventory | undefined, next: Inventory): AdapterEvent[] {
  const ev: AdapterEvent[] = [];
  const pn = new Map((prev?.nodes ?? []).map((n) => [n.id, n]));
  const nn = new Map(next.nodes.map((n) => [n.id, n]));
  for (const [id, n] of nn) {
    const p = pn.get(id);
    if (!p) {
      ev.push({ type: 'add', node: id });
      for (const d of n.devices ?? []) ev.push({ type: 'add', node: id, device: d });
      continue;
    }
    const pd = new Map((p.devices ?? []).map((d) => [d.id, d]));
    const nd = new Map((n.devices ?? []).map((d) => [d.id, d]));
    for (const [did, d] of nd) {
      const old = pd.get(did);
      if (!old) ev.push({ type: 'add', node: id, device: d });
      else {
        const fields = [...new Set([...Object.keys(old), ...Object.keys(d)])].filter((k) => stable((old as Record<string, unknown>)[k]) !== stable((d as Record<string, unknown>)[k])).sort();
        if (fields.length) ev.push({ type: 'update', node: id, device: d, fields });
      }
    }
    for (const did of pd.keys()) if (!nd.has(did)) ev.push({ type: 'remove', node: id, device: did });
    const { devices: _a, ...pRest } = p;
    const { devices: _b, ...nRest } = n;
    const fields = [...new Set([...Object.keys(pRest), ...Object.keys(nRest)])].filter((k) => stable((pRest as Record<string, unknown>)[k]) !== stable((nRest as Record<string, unknown>)[k])).sort();
    if (fields.length) ev.push({ type: 'update', node: id, fields });
  }
  for (const id of pn.keys()) if (!nn.has(id)) ev.push({ type: 'remove', node: id });
  const ph = new Map((prev?.health ?? []).map((h) => [h.target, h]));
  const nh = new Map((next.health ?? []).map((h) => [h.target, h]));
  for (const [t, h] of nh) if (ph.get(t)?.health !== h.health || ph.get(t)?.reason !== h.reason) ev.push({ type: 'health', target: t, health: h.health, reason: h.reason });
  for (const [t, h] of ph) if (!nh.has(t) && h.health !== 'healthy') ev.push({ type: 'health', target: t, health: 'healthy', reason: `cleared: ${h.reason}` });
  return ev;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Watch `adapter` by polling: the first poll reports everything as added, later polls report the
 * differences. A failed poll yields one `error` event and `unknown` health for every node and
 * device of the last good inventory; the watch carries on. Ends after `maxPolls` or on abort.
 */
export async function* pollingWatch(adapter: Adapter, options: WatchOptions = {}): AsyncGenerator<AdapterEvent> {
  const interval = options.intervalMs ?? 10_000;
  let prev: Inventory | undefined;
  let failed = false;
  for (let poll = 0; options.maxPolls === undefined || poll < options.maxPolls; poll++) {
    if (options.signal?.aborted) return;
    if (poll > 0) await sleep(interval, options.signal);
    if (options.signal?.aborted) return;
    try {
      const inv = await adapter.discover(options.signal);
      let events = diffInventories(prev, inv);
      if (failed && prev) events = [...events, ...unknownMarks(prev).map((m) => ({ type: 'health' as const, target: m.target, health: 'healthy' as const, reason: `recovered: ${adapter.name} answers again` }))]
        .filter((e, i, all) => e.type !== 'health' || all.findIndex((o) => o.type === 'health' && o.target === e.target) === i);
      failed = false;
      prev = inv;
      yield* events;
    } catch (e) {
      yield { type: 'error', adapter: adapter.name, message: e instanceof Error ? e.message : String(e) };
      if (prev && !failed) for (const m of unknownMarks(prev)) yield { type: 'health', target: m.target, health: 'unknown', reason: m.reason };
      failed = true;
    }
  }
}

/** `unknown` marks for every node and device an inventory reported (its source went silent). */
function unknownMarks(inv: Inventory, why = `${inv.source}: source unavailable`): NonNullable<Inventory['health']> {
  const out: NonNullable<Inventory['health']> = [];
  for (const n of inv.nodes) {
    out.push({ target: n.id, health: 'unknown', reason: why });
    for (const d of n.devices ?? []) out.push({ target: `${n.id}/${d.id}`, health: 'unknown', reason: why });
  }
  return out;
}

/** Runs a command and returns its stdout; injectable so tests need no real agents. */
export type CommandRunner = (command: readonly string[], signal?: AbortSignal) => Promise<string>;

/** Run `command` with a timeout (default 30 s) and a 64 MiB output cap; ENOENT → HetpoolError('not-found'). */
export const runCommand = (timeoutMs = 30_000): CommandRunner => (command, signal) =>
  new Promise((resolve, reject) => {
    execFile(command[0], command.slice(1), { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, signal, encoding: 'utf8' }, (err, stdout) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') reject(new HetpoolError('not-found', command[0], 'command not found'));
        else reject(new HetpoolError('parse-error', command.join(' '), `command failed (${code ?? (err as { signal?: string }).signal ?? 'error'}): ${String(err.message).split('\n')[0].slice(0, 200)}`));
      } else resolve(stdout);
    });
  });

/** An adapter that runs `parser.command` (or `command`) and parses its output. */
export function commandAdapter(parser: AgentParser, options: ParseOptions & { command?: string[]; run?: CommandRunner } = {}): Adapter {
  const command = options.command ?? parser.command;
  if (!command?.length) throw new HetpoolError('invalid-input', `parser.${parser.name}.command`, 'parser declares no command; pass options.command');
  const run = options.run ?? runCommand();
  const { command: _c, run: _r, ...parse } = options;
  return {
    name: `${parser.name}@${command.join(' ')}`,
    discover: async (signal) => parser.parse(await run(command, signal), { source: command.join(' '), ...parse }),
    watch: function (this: Adapter, w?: WatchOptions) { return pollingWatch(this, w); },
  };
}

/** An adapter that re-reads a captured file (useful for agents that write to disk). */
export function fileAdapter(parser: AgentParser, file: string, options: ParseOptions = {}): Adapter {
  return {
    name: `${parser.name}@${file}`,
    discover: async () => {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        throw new HetpoolError('invalid-input', file, `cannot read file (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      return parser.parse(text, { source: file, ...options });
    },
    watch: function (this: Adapter, w?: WatchOptions) { return pollingWatch(this, w); },
  };
}

/** Result of one discovery round. */
export interface DiscoveryRound {
  /** Good inventories, plus for each failed adapter its last inventory with every node and device `unknown`. */
  inventories: Inventory[];
  failures: Array<{ adapter: string; error: string }>;
}

/**
 * Runs several adapters together and remembers each one's last good inventory, so that an
 * adapter that fails marks what it knew as `unknown` (not gone, not healthy) while the rest of
 * the pool carries on (§6g: changes without disturbing other devices).
 */
export class Discovery {
  private readonly last = new Map<string, Inventory>();
  constructor(private readonly adapters: readonly Adapter[]) {}

  /** Discover all adapters concurrently; never rejects because one adapter failed. */
  async round(signal?: AbortSignal): Promise<DiscoveryRound> {
    const settled = await Promise.allSettled(this.adapters.map((a) => a.discover(signal)));
    const out: DiscoveryRound = { inventories: [], failures: [] };
    settled.forEach((r, i) => {
      const a = this.adapters[i];
      if (r.status === 'fulfilled') {
        this.last.set(a.name, r.value);
        out.inventories.push(r.value);
        return;
      }
      const msg = isHetpoolError(r.reason) || r.reason instanceof Error ? r.reason.message : String(r.reason);
      out.failures.push({ adapter: a.name, error: msg });
      const prev = this.last.get(a.name);
      if (!prev) return;
      const why = `adapter ${a.name} failed: ${msg}`.slice(0, 500);
      out.inventories.push({
        source: prev.source,
        nodes: prev.nodes.map((n) => ({ ...n, health: 'unknown', devices: (n.devices ?? []).map((d) => ({ ...d, health: 'unknown' as const })) })),
        vertices: prev.vertices,
        links: prev.links,
        health: unknownMarks(prev, why),
        warnings: [{ at: a.name, message: why }],
      });
    });
    return out;
  }
}
