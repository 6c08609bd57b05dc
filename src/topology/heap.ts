/**
 * A binary min-heap of (key, vertex) pairs in typed arrays, reused across searches so that a path
 * query allocates only when the graph outgrows it. Keys are numbers compared with `<`.
 */
export class VertexHeap {
  private keys: Float64Array;
  private vals: Int32Array;
  size = 0;
  constructor(capacity = 64) {
    this.keys = new Float64Array(capacity);
    this.vals = new Int32Array(capacity);
  }
  clear(): void {
    this.size = 0;
  }
  push(key: number, v: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2);
      k.set(this.keys);
      const x = new Int32Array(this.size * 2);
      x.set(this.vals);
      this.keys = k;
      this.vals = x;
    }
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.keys[p] <= key) break;
      this.keys[i] = this.keys[p];
      this.vals[i] = this.vals[p];
      i = p;
    }
    this.keys[i] = key;
    this.vals[i] = v;
  }
  /** Key of the minimum (valid when size > 0). */
  topKey(): number {
    return this.keys[0];
  }
  /** Remove the minimum and return its vertex. */
  pop(): number {
    const top = this.vals[0];
    const n = --this.size;
    if (n > 0) {
      const key = this.keys[n];
      const v = this.vals[n];
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && this.keys[c + 1] < this.keys[c]) c++;
        if (this.keys[c] >= key) break;
        this.keys[i] = this.keys[c];
        this.vals[i] = this.vals[c];
        i = c;
      }
      this.keys[i] = key;
      this.vals[i] = v;
    }
    return top;
  }
}
