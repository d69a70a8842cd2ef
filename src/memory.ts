// GuestMemory: bounds checks and little-endian reads/writes over the guest's linear memory.

const EMPTY = new Uint8Array(0);
/**
 * What a host call says when no memory was bound: the guest's exports were called before `start()`/`initialize()`, or
 * the instance was made with another Wasi's imports (node:wasi throws too; a silent EFAULT left output empty).
 */
const UNBOUND = "a WASI call reached a Wasi that has no guest memory: call wasi.start(instance) (a command) or " +
  "wasi.initialize(instance) (a reactor) before the guest's exports, on the instance made with this Wasi's imports";
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The only code that touches `memory.buffer`. Views are cached and rebuilt only when a range no
 * longer fits them, which is how growth (a detached or larger buffer) is noticed: every call checks
 * its ranges with `fits()` first, so every read and write after it sees current views.
 */
export class GuestMemory {
  #memory: WebAssembly.Memory | undefined;
  /** The cached byte view; empty until bound, and detached (length 0) after a non-shared grow. */
  bytes: Uint8Array = EMPTY;
  /** True when the memory is shared (crypto.getRandomValues refuses shared views). */
  shared = false;
  #dv: DataView = new DataView(EMPTY.buffer);

  /** Binds the instance's memory; until then every range check throws (a host call before start/initialize). */
  bind(memory: WebAssembly.Memory): void {
    this.#memory = memory;
    this.#refresh();
  }

  /** True when `ptr .. ptr+len` lies inside memory. Both are u32 values, so the sum is exact. */
  fits(ptr: number, len: number): boolean {
    if (ptr + len <= this.bytes.length) return true;
    this.#refresh();
    return ptr + len <= this.bytes.length;
  }

  #refresh(): void {
    const m = this.#memory;
    if (m === undefined) throw new Error(UNBOUND);
    const buf = m.buffer;
    if (buf === this.bytes.buffer && buf.byteLength === this.bytes.length) return;
    this.bytes = new Uint8Array(buf);
    this.shared = typeof SharedArrayBuffer !== "undefined" && buf instanceof SharedArrayBuffer;
    this.#dv = new DataView(buf);
  }

  u8(p: number): number {
    return this.bytes[p];
  }
  u16(p: number): number {
    return this.#dv.getUint16(p, true);
  }
  u32(p: number): number {
    return this.#dv.getUint32(p, true);
  }
  /** A u64 as a bigint (for offsets and timestamps, where the full range matters). */
  u64(p: number): bigint {
    return this.#dv.getBigUint64(p, true);
  }
  /** An i64 as a bigint. */
  i64(p: number): bigint {
    return this.#dv.getBigInt64(p, true);
  }
  setU8(p: number, v: number): void {
    this.bytes[p] = v;
  }
  setU16(p: number, v: number): void {
    this.#dv.setUint16(p, v, true);
  }
  setU32(p: number, v: number): void {
    this.#dv.setUint32(p, v, true);
  }
  setU64(p: number, v: bigint): void {
    this.#dv.setBigUint64(p, v, true);
  }
  /** Writes a non-negative integer below 2^53 as a u64, in two 32-bit halves (no BigInt). */
  setU64n(p: number, v: number): void {
    this.#dv.setUint32(p, v >>> 0, true);
    this.#dv.setUint32(p + 4, Math.floor(v / 0x1_0000_0000), true);
  }
  /** Zeroes `len` bytes at `p`. */
  zero(p: number, len: number): void {
    this.bytes.fill(0, p, p + len);
  }

  /** A view of guest bytes (a `subarray`, never a copy); valid until memory grows. */
  view(p: number, len: number): Uint8Array {
    const last = this.#lastView;
    // `bytes` is replaced whenever the buffer is; comparing it, not `.buffer` (a call into C++ on V8), is enough.
    if (last.byteOffset === p && last.length === len && this.#lastViewOf === this.bytes) return last;
    this.#lastViewOf = this.bytes;
    return (this.#lastView = this.bytes.subarray(p, p + len));
  }
  #lastView: Uint8Array = EMPTY;
  /** The `bytes` that `#lastView` was cut from. */
  #lastViewOf: Uint8Array = EMPTY;

  /** Decodes UTF-8 at `p`; null when the bytes are not valid UTF-8. */
  readString(p: number, len: number): string | null {
    try {
      return utf8Strict.decode(this.bytes.subarray(p, p + len));
    } catch {
      return null;
    }
  }

  /** Encodes `s` as UTF-8 at `p` into at most `max` bytes; returns the bytes written. */
  writeString(p: number, s: string, max: number): number {
    const n = s.length, bytes = this.bytes;
    if (n <= max) { // ASCII, the common case, byte by byte: a view for encodeInto costs V8 more than a short name
      let i = 0;
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        bytes[p + i++] = c;
      }
      if (i === n) return n;
    }
    return utf8.encodeInto(s, bytes.subarray(p, p + max)).written;
  }
}
