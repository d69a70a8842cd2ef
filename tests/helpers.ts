// Shared test helpers: a hand-built memory-only module, a Wasi bound to it, sentinel-filled memory.

import assert from "node:assert/strict";
import { Wasi, type WasiOptions } from "../mod.ts";

/** What untouched guest memory holds in every direct-call test. */
export const SENTINEL = 0xaa;
/** One wasm page. */
export const PAGE = 65536;

/** A WASI import function as the tests call it (numbers for i32, bigints for i64). */
export type Fn = (...args: (number | bigint)[]) => number;
/** An import object of one module name, callable. */
export type Imports = Record<string, Fn>;

/** Unsigned LEB128, for section sizes. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...leb(b.length), ...b];
}

/**
 * The bytes of a module that imports nothing and exports a memory of `pages` pages named
 * "memory", plus an empty `_start` function when `withStart` is set. Built by hand (no toolchain).
 */
export function memoryModule(pages = 1, withStart = false): Uint8Array<ArrayBuffer> {
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (withStart) {
    bytes.push(...section(1, [1, 0x60, 0, 0])); // type 0: [] -> []
    bytes.push(...section(3, [1, 0])); // function 0 has type 0
  }
  bytes.push(...section(5, [1, 0x00, ...leb(pages)])); // one memory, min `pages`, no max
  const exports = [...name("memory"), 0x02, 0];
  if (withStart) exports.push(...name("_start"), 0x00, 0);
  bytes.push(...section(7, [withStart ? 2 : 1, ...exports]));
  if (withStart) bytes.push(...section(10, [1, 2, 0, 0x0b])); // body: no locals, end
  return new Uint8Array(bytes);
}

/** A Wasi bound (through `initialize()`) to a real memory of `pages` pages, filled with 0xAA. */
export interface Env {
  wasi: Wasi;
  /** wasi_snapshot_preview1 */
  p1: Imports;
  /** wasi_unstable */
  p0: Imports;
  memory: WebAssembly.Memory;
  /** A fresh view of all of memory (valid until it grows). */
  u8(): Uint8Array;
  /** Memory size in bytes. */
  size: number;
}

/** Builds a Wasi with `options`, binds it to a fresh memory filled with the sentinel. */
export async function setup(options: WasiOptions = {}, pages = 1): Promise<Env> {
  const wasi = new Wasi(options);
  const { instance } = await wasi.instantiate(memoryModule(pages));
  wasi.initialize(instance);
  const memory = instance.exports.memory as WebAssembly.Memory;
  new Uint8Array(memory.buffer).fill(SENTINEL);
  const imports = wasi.getImportObject();
  return {
    wasi,
    p1: imports.wasi_snapshot_preview1 as unknown as Imports,
    p0: imports.wasi_unstable as unknown as Imports,
    memory,
    u8: () => new Uint8Array(memory.buffer),
    size: memory.buffer.byteLength,
  };
}

/** A copy of all of memory, to compare after a call that must not write. */
export function snapshot(env: Env): Uint8Array {
  return env.u8().slice();
}

/** Asserts that memory is byte for byte the snapshot (reporting the first differing offset). */
export function assertUnchanged(env: Env, before: Uint8Array, what = "memory"): void {
  const now = env.u8();
  assert.equal(now.length, before.length, `${what}: size changed`);
  for (let i = 0; i < now.length; i++) {
    if (now[i] !== before[i]) assert.fail(`${what}: byte ${i} changed from ${before[i]} to ${now[i]}`);
  }
}

/** The bytes at `p .. p+len`, as a plain array (for deepEqual with readable diffs). */
export function bytesAt(env: Env, p: number, len: number): number[] {
  return [...env.u8().subarray(p, p + len)];
}

/** Asserts that memory at `p` holds exactly `expected`, with one sentinel byte before and `after` after. */
export function assertWindow(env: Env, p: number, expected: ArrayLike<number>, after = 4): void {
  const got = bytesAt(env, p - 1, expected.length + 1 + after);
  const want = [SENTINEL, ...Array.from(expected), ...new Array(after).fill(SENTINEL)];
  assert.deepEqual(got, want);
}

/** Asserts that every byte outside the given `[start, end)` ranges still holds the sentinel. */
export function assertSentinelExcept(env: Env, ranges: [number, number][]): void {
  const u8 = env.u8();
  const inside = (i: number) => ranges.some(([a, b]) => i >= a && i < b);
  for (let i = 0; i < u8.length; i++) {
    if (!inside(i) && u8[i] !== SENTINEL) assert.fail(`byte ${i} outside the written ranges changed to ${u8[i]}`);
  }
}

function dv(env: Env): DataView {
  return new DataView(env.memory.buffer);
}
export function u8(env: Env, p: number): number {
  return env.u8()[p];
}
export function u16(env: Env, p: number): number {
  return dv(env).getUint16(p, true);
}
export function u32(env: Env, p: number): number {
  return dv(env).getUint32(p, true);
}
export function u64(env: Env, p: number): bigint {
  return dv(env).getBigUint64(p, true);
}
export function setU8(env: Env, p: number, v: number): void {
  env.u8()[p] = v;
}
export function setU16(env: Env, p: number, v: number): void {
  dv(env).setUint16(p, v, true);
}
export function setU32(env: Env, p: number, v: number): void {
  dv(env).setUint32(p, v, true);
}
export function setU64(env: Env, p: number, v: bigint): void {
  dv(env).setBigUint64(p, v, true);
}
/** Copies `bytes` (or a UTF-8 string) into memory at `p`; returns the byte length. */
export function put(env: Env, p: number, bytes: Uint8Array | string): number {
  const b = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  env.u8().set(b, p);
  return b.length;
}

/** Writes an iovec array at `p`: each `[buf, len]` as two u32. */
export function putIovecs(env: Env, p: number, iovs: readonly (readonly [number, number])[]): void {
  iovs.forEach(([buf, len], i) => {
    setU32(env, p + i * 8, buf);
    setU32(env, p + i * 8 + 4, len);
  });
}

/** Little-endian bytes of a u16/u32/u64. */
export function le(value: number | bigint, size: 1 | 2 | 4 | 8): number[] {
  let v = BigInt(value);
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    out.push(Number(v & 0xffn));
    v >>= 8n;
  }
  return out;
}

let wabtPromise: Promise<{ parseWat(name: string, text: string): WabtModule }> | undefined;
interface WabtModule {
  toBinary(o: Record<string, never>): { buffer: Uint8Array };
  destroy(): void;
}

/** Compiles WebAssembly text to bytes with the `wabt` npm package. */
export async function wat(text: string): Promise<Uint8Array<ArrayBuffer>> {
  wabtPromise ??= import("wabt").then((m) => m.default());
  const mod = (await wabtPromise).parseWat("test.wat", text);
  try {
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

/** A promise resolved after `ms` (for tests that compare timings). */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
