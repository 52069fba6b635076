import { compareCodePoints } from '../state/key-codec.js';

export interface HeapTimer {
  readonly timestamp: number;
  readonly encodedKey: string;
  readonly namespace: string;
}

/** Timers ordered by timestamp, then key and namespace, so that firing order is the same in every run. */
function before(a: HeapTimer, b: HeapTimer): boolean {
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp;
  const byKey = compareCodePoints(a.encodedKey, b.encodedKey);
  return byKey !== 0 ? byKey < 0 : compareCodePoints(a.namespace, b.namespace) < 0;
}

/** A binary min-heap of timers. */
export class TimerHeap<T extends HeapTimer> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  push(timer: T): void {
    const items = this.items;
    let i = items.length;
    items.push(timer);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(timer, items[parent]!)) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = timer;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && before(items[right]!, items[left]!) ? right : left;
      if (!before(items[child]!, last)) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}
