/**
 * Dense slot tables: string ids live in TypeScript, columns are indexed by slot. Freed slots are
 * reused, so the tables stay as small as the cluster at its largest.
 */

/** Single slots (nodes): lowest-cost reuse of freed slots, else the next new one. */
export class SlotTable {
  private free: number[] = [];
  /** One past the highest slot ever handed out. */
  highWater = 0;
  alloc(): number {
    return this.free.length > 0 ? (this.free.pop() as number) : this.highWater++;
  }
  release(slot: number): void {
    this.free.push(slot);
  }
}

/**
 * Contiguous blocks of slots (a node's devices, a device's profiles), so the kernel walks them
 * as `first .. first+count-1`. Freed blocks are kept per size and reused for the same size.
 */
export class BlockTable {
  private free = new Map<number, number[]>();
  /** One past the highest slot ever handed out. */
  top = 0;
  alloc(size: number): number {
    if (size === 0) return 0;
    const list = this.free.get(size);
    if (list && list.length > 0) return list.pop() as number;
    const at = this.top;
    this.top += size;
    return at;
  }
  release(first: number, size: number): void {
    if (size === 0) return;
    let list = this.free.get(size);
    if (!list) this.free.set(size, (list = []));
    list.push(first);
  }
}

/** Strings → dense ids (vendors, models, profile names), never freed: ids stay stable. */
export class Interner {
  private ids = new Map<string, number>();
  private names: string[] = [];
  id(name: string): number {
    let i = this.ids.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.ids.set(name, i);
      this.names.push(name);
    }
    return i;
  }
  lookup(name: string): number | undefined {
    return this.ids.get(name);
  }
  name(id: number): string {
    return this.names[id];
  }
  get size(): number {
    return this.names.length;
  }
}
