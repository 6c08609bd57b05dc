/**
 * Registries of parsers and adapters by name. Duplicates are rejected loudly; an unknown name
 * fails with the list of known ones (Kubernetes scheduler framework habit). `defaultParsers()`
 * holds the core parsers (parsers/index.ts) and the vendor parsers (parsers/vendor-index.ts).
 */
import { HetpoolError } from '../model/errors.js';
import type { Adapter } from './adapter.js';
import { coreParsers } from './parsers/index.js';
import { vendorParsers } from './parsers/vendor-index.js';
import type { AgentParser } from './types.js';

/** A name → item map that refuses duplicates and explains unknown names. */
export class Registry<T extends { readonly name: string }> {
  private readonly items = new Map<string, T>();
  constructor(private readonly what: string, initial: readonly T[] = []) {
    for (const i of initial) this.register(i);
  }
  /** Add `item`; throws HetpoolError('conflict') when its name is taken. */
  register(item: T): this {
    if (!item.name || typeof item.name !== 'string') throw new HetpoolError('invalid-input', `${this.what}.name`, 'must be a non-empty string');
    if (this.items.has(item.name)) throw new HetpoolError('conflict', `${this.what}.${item.name}`, `${/^[aeiou]/.test(this.what) ? 'an' : 'a'} ${this.what} named "${item.name}" is already registered`);
    this.items.set(item.name, item);
    return this;
  }
  /** The item named `name`; throws HetpoolError('not-found') listing the known names. */
  get(name: string): T {
    const i = this.items.get(name);
    if (!i) throw new HetpoolError('not-found', this.what, `unknown ${this.what} "${name}"; known: ${this.names().join(', ') || '(none)'}`);
    return i;
  }
  has(name: string): boolean {
    return this.items.has(name);
  }
  /** Names in registration order. */
  names(): string[] {
    return [...this.items.keys()];
  }
  list(): T[] {
    return [...this.items.values()];
  }
}

/** Registry of agent output parsers. */
export class ParserRegistry extends Registry<AgentParser> {
  constructor(initial: readonly AgentParser[] = []) {
    super('parser', initial);
  }
  /** The first parser (registration order) whose `detect` accepts `text`; a throwing detect counts as no. */
  detect(text: string): AgentParser | undefined {
    return this.list().find((p) => {
      try {
        return p.detect(text);
      } catch {
        return false;
      }
    });
  }
  /**
   * Parsers that are alternatives of one another (same `group`), by group in registration order:
   * `hetpool discover` runs each group's parsers in this order and keeps the first that parses,
   * e.g. [['lscpu-json', 'lscpu-text', 'proc-cpuinfo'], ['ibstat', 'ibv_devinfo', 'ibstatus']].
   */
  alternativeGroups(): string[][] {
    const groups = new Map<string, string[]>();
    for (const p of this.list()) if (p.group) groups.set(p.group, [...(groups.get(p.group) ?? []), p.name]);
    return [...groups.values()];
  }
  /** Names of `fallback` parsers (gpustack-runtime): run them only when no vendor agent reported devices. */
  fallbacks(): string[] {
    return this.list().filter((p) => p.fallback).map((p) => p.name);
  }
  /** `detect`, or HetpoolError('parse-error', `<source>:1`) listing the known parsers. */
  detectOrThrow(text: string, source = 'input'): AgentParser {
    const p = this.detect(text);
    if (!p) throw new HetpoolError('parse-error', `${source}:1`, `no parser recognises this output; pass --agent <name> (known: ${this.names().join(', ')})`);
    return p;
  }
}

/** Registry of live adapters. */
export class AdapterRegistry extends Registry<Adapter> {
  constructor(initial: readonly Adapter[] = []) {
    super('adapter', initial);
  }
}

/** A fresh registry with every parser hetpool ships (core first, then vendor parsers). */
export const defaultParsers = (): ParserRegistry => new ParserRegistry([...coreParsers, ...vendorParsers]);
