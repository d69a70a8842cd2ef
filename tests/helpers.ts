// Shared test helpers: a hand-built memory-only module, a Wasi bound to it, sentinel-filled memory.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
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

/** The text of a spec file, read beside the checkout (`../shared/spec/`), as CI lays it out. */
export function specText(rel: string): string {
  return readFileSync(new URL(`../../shared/spec/${rel}`, import.meta.url), "utf8");
}

/** The function names a witx module file declares, in order. */
export function witxFunctionNames(rel: string): string[] {
  return [...specText(rel).matchAll(/\(@interface func \(export "([a-z_0-9]+)"\)/g)].map((m) => m[1]);
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

// ---- a small witx reader: s-expressions, then sizes/alignments/offsets by the witx ABI rules ----

/** A parsed witx s-expression. */
export type Sexp = string | Sexp[];

/** Parses witx text (comments dropped) into s-expressions. */
export function parse(text: string): Sexp[] {
  const tokens = text.replace(/;;[^\n]*/g, " ").match(/\(|\)|"[^"]*"|[^\s()]+/g) ?? [];
  const stack: Sexp[][] = [[]];
  for (const t of tokens) {
    if (t === "(") stack.push([]);
    else if (t === ")") {
      const done = stack.pop()!;
      stack[stack.length - 1].push(done);
    } else stack[stack.length - 1].push(t);
  }
  assert.equal(stack.length, 1, "balanced parentheses");
  return stack[0];
}

/** Size, alignment and member offsets of a witx type. */
export interface Layout {
  size: number;
  align: number;
  /** Record fields (or, for a union, "$tag" and each variant name) at their byte offsets. */
  offsets: Record<string, number>;
  /** The layouts of record fields / union variants, for nested lookups. */
  members: Record<string, Layout>;
  /** Enum cases or flag names, in order. */
  cases: string[];
}

const alignTo = (n: number, a: number) => Math.ceil(n / a) * a;

/** The typenames of one witx file, with their layouts. */
export class Witx {
  readonly types = new Map<string, Sexp>();
  constructor(rel: string) {
    for (const form of parse(specText(rel))) {
      if (Array.isArray(form) && form[0] === "typename") this.types.set(form[1] as string, form[2]);
    }
  }

  layout(t: Sexp): Layout {
    const prim = (size: number): Layout => ({ size, align: size, offsets: {}, members: {}, cases: [] });
    if (typeof t === "string") {
      const sizes: Record<string, number> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };
      if (t in sizes) return prim(sizes[t]);
      const def = this.types.get(t);
      assert.ok(def !== undefined, `unknown type ${t}`);
      return this.layout(def);
    }
    const [head, ...rest] = t;
    if (head === "handle") return prim(4);
    if (head === "@witx" && (rest[0] === "pointer" || rest[0] === "const_pointer")) return prim(4);
    if (head === "list") return { ...prim(4), size: 8 };
    if (head === "enum" || head === "flags") {
      const repr = rest[0] as Sexp[]; // (@witx tag u8) / (@witx repr u16)
      return { ...this.layout(repr[2]), cases: rest.slice(1).map((c) => (c as string).slice(1)) };
    }
    if (head === "record") {
      const out: Layout = { size: 0, align: 1, offsets: {}, members: {}, cases: [] };
      for (const f of rest as Sexp[][]) {
        assert.equal(f[0], "field");
        const name = (f[1] as string).slice(1);
        const l = this.layout(f[2]);
        out.size = alignTo(out.size, l.align);
        out.offsets[name] = out.size;
        out.members[name] = l;
        out.size += l.size;
        out.align = Math.max(out.align, l.align);
      }
      out.size = alignTo(out.size, out.align);
      return out;
    }
    if (head === "union") {
      const tagForm = rest[0] as Sexp[]; // (@witx tag $eventtype)
      assert.equal(tagForm[1], "tag");
      const tag = this.layout(tagForm[2]);
      const variants = rest.slice(1).map((v) => [(v as string).slice(1), this.layout(v)] as const);
      const maxAlign = Math.max(tag.align, ...variants.map(([, l]) => l.align));
      const payload = alignTo(tag.size, Math.max(...variants.map(([, l]) => l.align)));
      const out: Layout = {
        size: alignTo(payload + Math.max(...variants.map(([, l]) => l.size)), maxAlign),
        align: maxAlign,
        offsets: { $tag: 0 },
        members: { $tag: tag },
        cases: tag.cases,
      };
      for (const [name, l] of variants) {
        out.offsets[name] = payload;
        out.members[name] = l;
      }
      return out;
    }
    throw new Error(`unhandled witx form ${JSON.stringify(t)}`);
  }

  /** The layout of a named type. */
  of(name: string): Layout {
    return this.layout(`$${name}`);
  }
}

/** The byte offset of a dotted field path inside `l` ("u.subscription_clock.timeout"). */
export function offsetOf(l: Layout, path: string): number {
  let at = 0;
  for (const part of path.split(".")) {
    assert.ok(part in l.offsets, `no field ${part} (have ${Object.keys(l.offsets)})`);
    at += l.offsets[part];
    l = l.members[part];
  }
  return at;
}

/** How one core wasm parameter of a WASI function is used: a descriptor, a pointer, or a plain value. */
export type CoreKind = "fd" | "ptr" | "i32" | "i64";

/** A function of a witx module and its core wasm parameters (results become trailing pointers). */
export interface WitxFunction {
  name: string;
  core: CoreKind[];
}

/** The functions of `dir/module` ("preview1", "wasi_snapshot_preview1.witx"), with core signatures. */
export function witxFunctions(dir: "preview1" | "preview0", module: string): WitxFunction[] {
  const types = new Witx(`${dir}/typenames.witx`);
  const kinds = (t: Sexp): CoreKind[] => {
    if (t === "string") return ["ptr", "i32"];
    if (t === "$fd") return ["fd"];
    if (Array.isArray(t)) {
      if (t[0] === "@witx" && (t[1] === "pointer" || t[1] === "const_pointer")) return ["ptr"];
      throw new Error(`unhandled param type ${JSON.stringify(t)}`);
    }
    const def = types.types.get(t);
    if (Array.isArray(def) && def[0] === "list") return ["ptr", "i32"];
    return [types.layout(t).size === 8 ? "i64" : "i32"];
  };
  const out: WitxFunction[] = [];
  const walk = (forms: Sexp[]) => {
    for (const f of forms) {
      if (!Array.isArray(f)) continue;
      if (f[0] === "@interface" && f[1] === "func") {
        const name = (f[2] as string[])[1].replaceAll('"', "");
        const core: CoreKind[] = [];
        for (const part of f.slice(3)) {
          if (!Array.isArray(part)) continue;
          if (part[0] === "param") core.push(...kinds(part[2]));
          if (part[0] === "result") {
            const expected = part[2] as Sexp[]; // (expected [value] (error $errno))
            const value = expected.length === 3 ? expected[1] : undefined;
            if (Array.isArray(value) && value[0] === "tuple") core.push(...value.slice(1).map(() => "ptr" as const));
            else if (value !== undefined) core.push("ptr");
          }
        }
        out.push({ name, core });
      } else walk(f);
    }
  };
  walk(parse(specText(`${dir}/${module}`)));
  return out;
}
