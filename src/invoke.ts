// The command line's `--invoke NAME [ARGS]`: export signatures read from the module's bytes (JS has no type
// reflection for wasm functions), arguments parsed and results printed as wasmtime does (decisions.md#cli-invoke).

/** A wasm value type: the four numbers, `v128`, or a reference type (`funcref`, `externref`, `ref` for the others). */
export type ValType = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref" | "ref";

/** The parameter and result types of a function. */
export interface Signature {
  params: ValType[];
  results: ValType[];
}

/** Value types by their one-byte encoding. */
const VALTYPES: ReadonlyMap<number, ValType> = new Map<number, ValType>([
  [0x7f, "i32"],
  [0x7e, "i64"],
  [0x7d, "f32"],
  [0x7c, "f64"],
  [0x7b, "v128"],
  [0x70, "funcref"],
  [0x6f, "externref"],
]);

/** Reads a wasm binary from `pos`: LEB128 numbers, value types, limits; a read past the end throws a RangeError. */
class Reader {
  readonly bytes: Uint8Array;
  pos = 8; // after "\0asm" and the version
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }

  byte(): number {
    if (this.pos >= this.bytes.length) throw new RangeError("the module ends too early");
    return this.bytes[this.pos++];
  }
  /** An unsigned LEB128 (a u32, or a u64 whose low 53 bits are enough here). */
  uleb(): number {
    let n = 0, scale = 1, b: number;
    do {
      b = this.byte();
      n += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    return n;
  }
  /** Skips a length-prefixed name. */
  name(): string {
    const len = this.uleb(), start = this.pos;
    this.pos += len;
    if (this.pos > this.bytes.length) throw new RangeError("the module ends too early");
    return new TextDecoder().decode(this.bytes.subarray(start, this.pos));
  }
  valtype(): ValType {
    const b = this.byte();
    const t = VALTYPES.get(b);
    if (t !== undefined) return t;
    if (b === 0x63 || b === 0x64) { // (ref null ht), (ref ht): a heap type follows, an s33
      while (this.byte() & 0x80);
      return "ref";
    }
    if (b >= 0x69 && b <= 0x74) return "ref"; // the other shorthands: anyref, eqref, nullref…
    throw new RangeError(`unknown value type 0x${b.toString(16)}`);
  }
  vec<T>(item: () => T): T[] {
    const out: T[] = [];
    for (let n = this.uleb(); n > 0; n--) out.push(item());
    return out;
  }
  limits(): void {
    const flags = this.byte();
    this.uleb();
    if (flags & 1) this.uleb();
  }
  /** One import's description after its names; the type index of a function import, else -1. */
  importDesc(): number {
    const kind = this.byte();
    if (kind === 0) return this.uleb();
    if (kind === 1) {
      this.valtype();
      this.limits();
    } else if (kind === 2) this.limits();
    else if (kind === 3) {
      this.valtype();
      this.byte();
    } else if (kind === 4) {
      this.byte();
      this.uleb();
    } else throw new RangeError(`unknown import kind ${kind}`);
    return -1;
  }
}

/**
 * The signature of every function the module exports, by export name, from its type, import, function and export
 * sections. Throws a RangeError for bytes it cannot read (a module with GC type definitions among them).
 */
export function exportSignatures(bytes: Uint8Array): Map<string, Signature> {
  const r = new Reader(bytes);
  let types: Signature[] = [];
  const funcs: number[] = []; // the type index of each function, imported ones first (the function index space)
  const out = new Map<string, Signature>();
  while (r.pos < bytes.length) {
    const id = r.byte(), size = r.uleb(), end = r.pos + size;
    if (id === 1) {
      types = r.vec(() => {
        const form = r.byte();
        if (form !== 0x60) throw new RangeError(`type form 0x${form.toString(16)} (a GC type) is not read here`);
        return { params: r.vec(() => r.valtype()), results: r.vec(() => r.valtype()) };
      });
    } else if (id === 2) {
      r.vec(() => {
        r.name();
        r.name();
        const type = r.importDesc();
        if (type >= 0) funcs.push(type);
      });
    } else if (id === 3) {
      funcs.push(...r.vec(() => r.uleb()));
    } else if (id === 7) {
      r.vec(() => {
        const name = r.name(), kind = r.byte(), index = r.uleb();
        const sig = kind === 0 ? types[funcs[index]] : undefined;
        if (sig !== undefined) out.set(name, sig);
      });
    }
    r.pos = end;
  }
  return out;
}

/** Integer bounds: an argument may be written signed or unsigned (wasm integers have no sign). */
const INT_RANGE = { i32: [-(2n ** 31n), 2n ** 32n - 1n], i64: [-(2n ** 63n), 2n ** 64n - 1n] } as const;
const INT = /^([+-]?)(0[xX][0-9a-fA-F]+|[0-9]+)$/;
/** What Rust's `f32`/`f64` `from_str` takes (wasmtime parses floats with it): no hex, `inf`, `infinity`, `nan`. */
const FLOAT = /^[+-]?(?:inf|infinity|nan|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)$/i;

/**
 * The JS value to pass for a command-line argument `text` of type `type`: a number for i32, f32 and f64, a bigint for
 * i64. Integers are decimal or `0x` hex, with a sign, signed or unsigned. `undefined` when `text` is not one, or `type`
 * cannot be written on a command line (v128, references).
 */
export function parseArg(type: ValType, text: string): number | bigint | undefined {
  if (type === "i32" || type === "i64") {
    const m = INT.exec(text);
    if (m === null) return undefined;
    const v = m[1] === "-" ? -BigInt(m[2]) : BigInt(m[2]);
    const [lo, hi] = INT_RANGE[type];
    if (v < lo || v > hi) return undefined;
    return type === "i64" ? BigInt.asIntN(64, v) : Number(BigInt.asIntN(32, v));
  }
  if (type === "f32" || type === "f64") {
    if (!FLOAT.test(text)) return undefined;
    const body = text.replace(/^[+-]/, "").toLowerCase();
    const sign = text.startsWith("-") ? -1 : 1;
    const v = body === "nan" ? NaN : body.startsWith("inf") ? sign * Infinity : Number(text);
    return type === "f32" ? Math.fround(v) : v;
  }
  return undefined;
}

/** One result as wasmtime prints it: integers signed, floats as Rust's `Display` (shortest, never an exponent). */
export function formatResult(type: ValType, v: unknown): string {
  if (type === "f32" || type === "f64") return formatFloat(v as number, type === "f32");
  if (type === "i32" || type === "i64") return String(v);
  if (type === "v128") return String(v);
  return v === null ? `<null ${type}>` : `<${type}>`;
}

/**
 * `x` as Rust's `Display` writes an `f32` (`single`) or `f64`: the shortest digits that read back as the same value,
 * in plain decimal notation (`1000000000000000000000`, `0.0000001`), `inf`, `-inf`, `NaN`, `-0`.
 */
export function formatFloat(x: number, single: boolean): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (x === 0) return Object.is(x, -0) ? "-0" : "0";
  let exp = x.toExponential(); // the shortest digits that identify the f64
  if (single) {
    for (let p = 0; p < 9; p++) {
      const s = x.toExponential(p);
      if (Math.fround(Number(s)) === x) {
        exp = s;
        break;
      }
    }
  }
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp)!;
  const digits = m[2] + (m[3] ?? "").replace(/0+$/, "");
  const point = Number(m[4]) + 1; // where the decimal point goes in `digits`
  let text: string;
  if (point <= 0) text = "0." + "0".repeat(-point) + digits;
  else if (point >= digits.length) text = digits + "0".repeat(point - digits.length);
  else text = digits.slice(0, point) + "." + digits.slice(point);
  return m[1] + text;
}
