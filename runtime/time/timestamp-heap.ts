/** A min-heap of distinct timestamps (the timer heap's and the interval join's buckets, one per timestamp). */
export class TimestampHeap {
  private readonly times: number[] = [];

  get size(): number {
    return this.times.length;
  }

  /** The earliest timestamp, or undefined when empty. */
  peek(): number | undefined {
    return this.times[0];
  }

  push(timestamp: number): void {
    const times = this.times;
    let i = times.length;
    times.push(timestamp);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent]! <= timestamp) break;
      times[i] = times[parent]!;
      i = parent;
    }
    times[i] = timestamp;
  }

  /** Removes the earliest timestamp. */
  pop(): void {
    const times = this.times;
    const last = times.pop()!;
    if (times.length === 0) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= times.length) break;
      const right = left + 1;
      const child = right < times.length && times[right]! < times[left]! ? right : left;
      if (times[child]! >= last) break;
      times[i] = times[child]!;
      i = child;
    }
    times[i] = last;
  }

  clear(): void {
    this.times.length = 0;
  }
}
