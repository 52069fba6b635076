/**
 * A small, fast, seedable pseudo-random generator (mulberry32 over a seed mixed from an event index and a salt
 * with murmur3's finaliser). The generators reseed it for every event or row, so that any index range can be
 * produced by any split, in any order, after any restore, with identical results. It is not bit-identical to
 * Java's `Random`, so Sluice's Nexmark events follow the reference's data model and distributions but are not
 * the reference's exact events.
 */
export class Prng {
  private state = 0;

  /** Seeds from a non-negative integer index (up to 2^53) and a salt telling apart streams of the same index. */
  seed(index: number, salt = 0): this {
    const low = index >>> 0;
    const high = (index / 4294967296) >>> 0;
    this.state = mix32(low ^ mix32(high ^ mix32(salt + 0x9e3779b9)));
    return this;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number {
    return ((this.nextUint32() >>> 5) * 67108864 + (this.nextUint32() >>> 6)) / 9007199254740992;
  }

  /** A uniform integer in [0, bound), bound up to 2^53. */
  nextInt(bound: number): number {
    return bound <= 4294967296 ? Math.floor((this.nextUint32() / 4294967296) * bound) : Math.floor(this.nextDouble() * bound);
  }

  nextBoolean(): boolean {
    return (this.nextUint32() & 1) === 1;
  }
}

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
