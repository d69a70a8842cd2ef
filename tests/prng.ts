// A small seeded pseudo-random generator (mulberry32) for the fuzzer: one seed, one sequence, on every runtime.

/** A deterministic pseudo-random source (mulberry32, 32-bit state); for tests, never for secrets. */
export class Prng {
  #state: number;

  /** A generator whose whole sequence is decided by `seed` (a u32). */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next u32. */
  u32(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in `[0, n)` (n ≤ 2^32). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** An integer in `[lo, hi]`. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.u32() < p * 0x1_0000_0000;
  }

  /** One element of a non-empty list. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** A u64 as a bigint. */
  u64(): bigint {
    return (BigInt(this.u32()) << 32n) | BigInt(this.u32());
  }

  /** Fills `buf` with pseudo-random bytes. */
  fill(buf: Uint8Array): void {
    for (let i = 0; i < buf.length; i++) buf[i] = this.u32() & 0xff;
  }
}
