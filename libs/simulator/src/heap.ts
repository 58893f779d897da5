// Binary min-heap of (time, id) pairs in typed arrays: no allocation per push/pop.
export class EventHeap {
  #t: Float64Array;
  #id: Int32Array;
  size = 0;
  constructor(capacity = 1024) {
    this.#t = new Float64Array(Math.max(2, capacity));
    this.#id = new Int32Array(Math.max(2, capacity));
  }
  get topTime(): number {
    return this.size > 0 ? this.#t[0]! : Infinity;
  }
  get topId(): number {
    return this.#id[0]!;
  }
  push(time: number, id: number): void {
    if (this.size === this.#t.length) {
      const t = new Float64Array(this.#t.length * 2); t.set(this.#t); this.#t = t;
      const d = new Int32Array(this.#id.length * 2); d.set(this.#id); this.#id = d;
    }
    const T = this.#t, I = this.#id;
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (T[p]! <= time) break;
      T[i] = T[p]!; I[i] = I[p]!;
      i = p;
    }
    T[i] = time; I[i] = id;
  }
  /** Removes the top; read topTime/topId first. */
  pop(): void {
    const T = this.#t, I = this.#id;
    const n = --this.size;
    if (n <= 0) return;
    const time = T[n]!, id = I[n]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && T[c + 1]! < T[c]!) c++;
      if (T[c]! >= time) break;
      T[i] = T[c]!; I[i] = I[c]!;
      i = c;
    }
    T[i] = time; I[i] = id;
  }
}
