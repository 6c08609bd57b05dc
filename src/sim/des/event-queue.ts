/**
 * The simulator's future-event list: a binary min-heap ordered by (time, sequence). The sequence
 * number is the insertion order, so events at the same instant pop in the order they were
 * scheduled — ties are deterministic. Columns are typed arrays that grow by doubling: pushing
 * and popping allocate nothing once the heap has reached its peak size.
 */

/** What an event does; the payload is `ref` (and `aux`) interpreted by the simulator. */
export const EventKind = {
  Arrival: 1,
  Completion: 2,
  NodeFail: 3,
  NodeRepair: 4,
  DeviceFail: 5,
  DeviceRepair: 6,
  NodeAdd: 7,
  NodeRemove: 8,
  Sample: 9,
  RandomNodeFail: 10,
  RandomDeviceFail: 11,
  RandomNodeAdd: 12,
  RandomNodeRemove: 13,
  Retry: 14,
} as const;
/** One of the EventKind codes. */
export type EventKind = (typeof EventKind)[keyof typeof EventKind];

/** A min-heap of events keyed by (time, seq). */
export class EventQueue {
  private time = new Float64Array(1024);
  private seq = new Float64Array(1024);
  private kindCol = new Uint8Array(1024);
  private refCol = new Int32Array(1024);
  private auxCol = new Int32Array(1024);
  private n = 0;
  private nextSeq = 0;
  /** Payload of the last popped event. */
  kind = 0;
  ref = 0;
  aux = 0;
  at = 0;

  get size(): number {
    return this.n;
  }

  /** Schedule an event; events with equal time pop in push order. */
  push(time: number, kind: EventKind, ref = 0, aux = 0): void {
    if (this.n === this.time.length) this.grow();
    let i = this.n++;
    const s = this.nextSeq++;
    // Sift up: move parents down until the slot for (time, s) is found.
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.time[p] < time || (this.time[p] === time && this.seq[p] < s)) break;
      this.move(p, i);
      i = p;
    }
    this.time[i] = time;
    this.seq[i] = s;
    this.kindCol[i] = kind;
    this.refCol[i] = ref;
    this.auxCol[i] = aux;
  }

  /** Time of the earliest event (Infinity when empty). */
  peekTime(): number {
    return this.n > 0 ? this.time[0] : Infinity;
  }

  /** Remove the earliest event into `at`, `kind`, `ref`, `aux`; false when empty. */
  pop(): boolean {
    if (this.n === 0) return false;
    this.at = this.time[0];
    this.kind = this.kindCol[0];
    this.ref = this.refCol[0];
    this.aux = this.auxCol[0];
    const last = --this.n;
    if (last === 0) return true;
    const t = this.time[last];
    const s = this.seq[last];
    const k = this.kindCol[last];
    const r = this.refCol[last];
    const a = this.auxCol[last];
    let i = 0;
    // Sift down the former last element from the root.
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const rr = l + 1;
      let c = l;
      if (rr < last && (this.time[rr] < this.time[l] || (this.time[rr] === this.time[l] && this.seq[rr] < this.seq[l]))) c = rr;
      if (t < this.time[c] || (t === this.time[c] && s < this.seq[c])) break;
      this.move(c, i);
      i = c;
    }
    this.time[i] = t;
    this.seq[i] = s;
    this.kindCol[i] = k;
    this.refCol[i] = r;
    this.auxCol[i] = a;
    return true;
  }

  private move(from: number, to: number): void {
    this.time[to] = this.time[from];
    this.seq[to] = this.seq[from];
    this.kindCol[to] = this.kindCol[from];
    this.refCol[to] = this.refCol[from];
    this.auxCol[to] = this.auxCol[from];
  }

  private grow(): void {
    const cap = this.time.length * 2;
    const g = <T extends Float64Array | Int32Array | Uint8Array>(a: T, mk: new (n: number) => T): T => {
      const b = new mk(cap);
      b.set(a);
      return b;
    };
    this.time = g(this.time, Float64Array);
    this.seq = g(this.seq, Float64Array);
    this.kindCol = g(this.kindCol, Uint8Array);
    this.refCol = g(this.refCol, Int32Array);
    this.auxCol = g(this.auxCol, Int32Array);
  }
}
