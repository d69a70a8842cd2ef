// `npm run check:spec -- DIR`: reads the official witx files in DIR and checks the project's ABI against them:
// the table the tests hold (tests/abi_facts.ts) and the implementation (src/abi/ and the import object).
// DIR holds preview1/ and preview0/, each with its typenames.witx and module witx, directly or in a witx/
// folder: the WASI repository's legacy/ folder, or a copy of it. Not part of `npm test` (which reads nothing
// outside the checkout). Exits 0 when everything matches, 1 on any mismatch, 2 when DIR cannot be read.

import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { isDeepStrictEqual } from "node:util";
import {
  ABI,
  type AbiFacts,
  type AbiFunction,
  type AbiVersion,
  type CoreKind,
  type FlagsFacts,
  type StructFacts,
  type TypeFacts,
} from "../tests/abi_facts.ts";
import { implementationChecks } from "../tests/abi_checks.ts";

// ---- a small witx reader: s-expressions, then sizes, alignments and offsets by the witx ABI rules ----

/** A parsed witx s-expression. */
type Sexp = string | Sexp[];

/** A witx file that this reader does not understand. */
class WitxError extends Error {}

/** Parses witx text (comments dropped) into s-expressions. */
function parse(text: string, file: string): Sexp[] {
  const tokens = text.replace(/;;[^\n]*/g, " ").match(/\(|\)|"[^"]*"|[^\s()]+/g) ?? [];
  const stack: Sexp[][] = [[]];
  for (const t of tokens) {
    if (t === "(") stack.push([]);
    else if (t === ")") {
      if (stack.length === 1) throw new WitxError(`${file}: unbalanced ")"`);
      const done = stack.pop()!;
      stack[stack.length - 1].push(done);
    } else stack[stack.length - 1].push(t);
  }
  if (stack.length !== 1) throw new WitxError(`${file}: unbalanced "("`);
  return stack[0];
}

/** Size, alignment and members (field or case name, offset, layout) of a witx type. */
interface Layout {
  size: number;
  align: number;
  members: [name: string, offset: number, layout: Layout][];
}

const alignTo = (n: number, a: number) => Math.ceil(n / a) * a;
const name = (s: Sexp) => (typeof s === "string" && s.startsWith("$") ? s.slice(1) : String(s));
const INTS: Record<string, number> = { u8: 1, s8: 1, u16: 2, s16: 2, u32: 4, s32: 4, u64: 8, s64: 8 };

/** The typenames of one typenames.witx, with their layouts. */
class Witx {
  readonly types = new Map<string, Sexp>();
  readonly file: string;

  constructor(file: string) {
    this.file = file;
    for (const form of parse(readFileSync(file, "utf8"), file)) {
      if (Array.isArray(form) && form[0] === "typename") this.types.set(name(form[1]), form[2]);
    }
  }

  /** The definition of a named type (`$fd` or `fd`). */
  def(t: string): Sexp {
    const d = this.types.get(name(t));
    if (d === undefined) throw new WitxError(`${this.file}: unknown type ${t}`);
    return d;
  }

  /** The cases of an enum type, in order. */
  enumCases(t: Sexp): string[] {
    const d = typeof t === "string" && !(t in INTS) ? this.def(t) : t;
    if (!Array.isArray(d) || d[0] !== "enum") throw new WitxError(`${this.file}: ${JSON.stringify(t)} is no enum`);
    return d.slice(2).map(name);
  }

  layout(t: Sexp): Layout {
    const prim = (size: number): Layout => ({ size, align: size, members: [] });
    if (t === "string") return { size: 8, align: 4, members: [] }; // (pointer, length)
    if (typeof t === "string") return t in INTS ? prim(INTS[t]) : this.layout(this.def(t));
    const [head, ...rest] = t;
    if (head === "handle") return prim(4);
    if (head === "@witx" && (rest[0] === "pointer" || rest[0] === "const_pointer")) return prim(4);
    if (head === "list") return { size: 8, align: 4, members: [] }; // (pointer, count)
    if (head === "enum" || head === "flags") return this.layout((rest[0] as Sexp[])[2]); // (@witx tag u8)
    if (head === "record") {
      const out: Layout = { size: 0, align: 1, members: [] };
      for (const f of rest) {
        if (!Array.isArray(f) || f[0] !== "field") throw new WitxError(`${this.file}: odd field ${JSON.stringify(f)}`);
        const l = this.layout(f[2]);
        out.size = alignTo(out.size, l.align);
        out.members.push([name(f[1]), out.size, l]);
        out.size += l.size;
        out.align = Math.max(out.align, l.align);
      }
      out.size = alignTo(out.size, out.align);
      return out;
    }
    if (head === "union") {
      // (union (@witx tag $eventtype) $case0_type $case1_type ...): case i is the tag's enum case i. The
      // payload sits after the tag, aligned for the most-aligned case; the size is padded to the union's alignment.
      const tagForm = rest[0] as Sexp[];
      if (tagForm[0] !== "@witx" || tagForm[1] !== "tag") throw new WitxError(`${this.file}: union without a tag`);
      const tag = this.layout(tagForm[2]);
      const caseNames = this.enumCases(tagForm[2]);
      const payloads = rest.slice(1).map((v) => this.layout(v));
      if (payloads.length !== caseNames.length) {
        throw new WitxError(`${this.file}: a union of ${payloads.length} cases over ${caseNames.length} tag values`);
      }
      const align = Math.max(tag.align, ...payloads.map((l) => l.align));
      const offset = alignTo(tag.size, Math.max(1, ...payloads.map((l) => l.align)));
      return {
        size: alignTo(offset + Math.max(0, ...payloads.map((l) => l.size)), align),
        align,
        members: [["$tag", 0, tag], ...payloads.map((l, i) => [caseNames[i], offset, l] as [string, number, Layout])],
      };
    }
    throw new WitxError(`${this.file}: unhandled witx form ${JSON.stringify(t)}`);
  }

  /** Every member of `l`, depth first, as `outer.inner` → [offset, size]. */
  flatten(l: Layout, prefix = "", base = 0): [string, [number, number]][] {
    return l.members.flatMap(([n, off, m]) => [
      [prefix + n, [base + off, m.size]] as [string, [number, number]],
      ...this.flatten(m, `${prefix}${n}.`, base + off),
    ]);
  }

  /** The enums, flag sets, records and unions, in our table's form (aliases, handles and lists left out). */
  facts(): Record<string, TypeFacts> {
    const out: Record<string, TypeFacts> = {};
    for (const [n, d] of this.types) {
      if (!Array.isArray(d)) continue;
      const l = this.layout(d);
      const size = l.size as 1 | 2 | 4 | 8;
      if (d[0] === "enum") out[n] = { kind: "enum", size, cases: d.slice(2).map(name) };
      else if (d[0] === "flags") out[n] = { kind: "flags", size, bits: d.slice(2).map(name) };
      else if (d[0] === "record" || d[0] === "union") {
        out[n] = { kind: d[0], size: l.size, align: l.align, fields: Object.fromEntries(this.flatten(l)) };
      }
    }
    return out;
  }

  /** The core wasm parameter kinds of a parameter of type `t`. */
  kinds(t: Sexp): CoreKind[] {
    if (t === "string") return ["ptr", "i32"];
    if (Array.isArray(t)) {
      if (t[0] === "@witx" && (t[1] === "pointer" || t[1] === "const_pointer")) return ["ptr"];
      if (t[0] === "list") return ["ptr", "i32"];
      throw new WitxError(`${this.file}: unhandled parameter type ${JSON.stringify(t)}`);
    }
    if (t in INTS) return [INTS[t] === 8 ? "i64" : "i32"];
    const d = this.def(t);
    if (Array.isArray(d) && d[0] === "handle") return ["fd"];
    if (Array.isArray(d) && d[0] === "list") return ["ptr", "i32"];
    if (Array.isArray(d) && (d[0] === "record" || d[0] === "union")) {
      throw new WitxError(`${this.file}: a ${d[0]} passed by value (${t})`);
    }
    return [this.layout(d).size === 8 ? "i64" : "i32"];
  }
}

/** The module name and functions of a module witx, with core wasm signatures (results become pointers). */
function moduleFacts(file: string, types: Witx): { module: string; functions: AbiFunction[] } {
  const forms = parse(readFileSync(file, "utf8"), file);
  const mod = forms.find((f): f is Sexp[] => Array.isArray(f) && f[0] === "module");
  if (mod === undefined) throw new WitxError(`${file}: no (module ...)`);
  const functions: AbiFunction[] = [];
  for (const f of mod) {
    if (!Array.isArray(f) || f[0] !== "@interface" || f[1] !== "func") continue;
    const params: CoreKind[] = [];
    let result: AbiFunction["result"] = "none";
    for (const part of f.slice(3)) {
      if (!Array.isArray(part)) continue;
      if (part[0] === "param") params.push(...types.kinds(part[2]));
      if (part[0] === "result") {
        // (expected [value] (error $errno)): the errno is the wasm result, the value goes through pointers.
        const expected = part[2] as Sexp[];
        if (expected[0] !== "expected") throw new WitxError(`${file}: unhandled result ${JSON.stringify(part)}`);
        const value = expected.length === 3 ? expected[1] : undefined;
        if (Array.isArray(value) && value[0] === "tuple") params.push(...value.slice(1).map(() => "ptr" as const));
        else if (value !== undefined) params.push("ptr");
        result = "errno";
      }
    }
    functions.push({ name: (f[2] as string[])[1].replaceAll('"', ""), params, result });
  }
  return { module: name(mod[1]), functions };
}

/** `dir/version/file` or `dir/version/witx/file` (the WASI repository's legacy/ layout). */
function specFile(dir: string, version: string, file: string): string {
  for (const p of [join(dir, version, file), join(dir, version, "witx", file)]) if (existsSync(p)) return p;
  throw new WitxError(`no ${version}/${file} (nor ${version}/witx/${file}) in ${dir}`);
}

/** The ABI facts of the witx in `dir`, in the table's form. */
function witxFacts(dir: string): AbiFacts {
  const version = (v: string, module: string): AbiVersion => {
    const types = new Witx(specFile(dir, v, "typenames.witx"));
    return { ...moduleFacts(specFile(dir, v, `${module}.witx`), types), types: types.facts() };
  };
  return { preview1: version("preview1", "wasi_snapshot_preview1"), preview0: version("preview0", "wasi_unstable") };
}

// ---- comparing ----

const show = (v: unknown) => JSON.stringify(v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** What differs between ours and the witx's, short: the items or keys that differ, else the first position. */
function describe(ours: unknown, witx: unknown): string {
  if (Array.isArray(ours) && Array.isArray(witx)) {
    const extra = ours.filter((x) => !witx.some((y) => isDeepStrictEqual(x, y)));
    const missing = witx.filter((y) => !ours.some((x) => isDeepStrictEqual(x, y)));
    const parts: string[] = [];
    if (extra.length > 0) parts.push(`ours only: ${show(extra)}`);
    if (missing.length > 0) parts.push(`the witx only: ${show(missing)}`);
    if (parts.length === 0) {
      const i = ours.findIndex((x, j) => !isDeepStrictEqual(x, witx[j]));
      parts.push(`the same items in another order, first at [${i}]: ours ${show(ours[i])}, the witx ${show(witx[i])}`);
    }
    return parts.join("; ");
  }
  if (isObject(ours) && isObject(witx)) {
    const keys = [...new Set([...Object.keys(witx), ...Object.keys(ours)])];
    const parts = keys.filter((k) => !isDeepStrictEqual(ours[k], witx[k])).map((k) =>
      `${k}: ours ${show(ours[k]) ?? "missing"}, the witx ${show(witx[k]) ?? "missing"}`
    );
    return parts.length > 0 ? parts.join("; ") : "the same keys in another order";
  }
  return `ours ${show(ours)}, the witx ${show(witx)}`;
}

/** How the table's entry for type `n` differs from the witx's (nothing when they agree). */
function typeDiff(n: string, t: TypeFacts, s: TypeFacts): string[] {
  if (t.kind !== s.kind) return [`$${n} is a ${t.kind} in the table, a ${s.kind} in the witx`];
  const out: string[] = [];
  if (t.size !== s.size) out.push(`$${n} size: ours ${t.size}, the witx ${s.size}`);
  if (t.kind === "enum" || t.kind === "flags") {
    const tn = t.kind === "enum" ? t.cases : t.bits, sn = s.kind === "enum" ? s.cases : (s as FlagsFacts).bits;
    if (!isDeepStrictEqual(tn, sn)) out.push(`$${n} ${t.kind === "enum" ? "cases" : "bits"}: ${describe(tn, sn)}`);
    return out;
  }
  const ss = s as StructFacts;
  if (t.align !== ss.align) out.push(`$${n} align: ours ${t.align}, the witx ${ss.align}`);
  for (const f of new Set([...Object.keys(ss.fields), ...Object.keys(t.fields)])) {
    const a = t.fields[f], b = ss.fields[f];
    if (!isDeepStrictEqual(a, b)) {
      out.push(`$${n}.${f} [offset, size]: ours ${show(a) ?? "missing"}, the witx ${show(b) ?? "missing"}`);
    }
  }
  if (out.length === 0 && !isDeepStrictEqual(Object.keys(t.fields), Object.keys(ss.fields))) {
    out.push(`$${n} field order: ${describe(Object.keys(t.fields), Object.keys(ss.fields))}`);
  }
  return out;
}

/** Every difference between one version of the table and the witx. */
function tableMismatches(table: AbiVersion, spec: AbiVersion, label: string): string[] {
  const out: string[] = [];
  if (table.module !== spec.module) out.push(`module: ours ${show(table.module)}, the witx ${show(spec.module)}`);
  const tNames = table.functions.map((f) => f.name), sNames = spec.functions.map((f) => f.name);
  if (!isDeepStrictEqual(tNames, sNames)) out.push(`functions: ${describe(tNames, sNames)}`);
  for (const s of spec.functions) {
    const t = table.functions.find((f) => f.name === s.name);
    if (t !== undefined && !isDeepStrictEqual({ ...t }, { ...s })) {
      out.push(
        `${s.name}: ours (${t.params.join(" ")}) -> ${t.result}, the witx (${s.params.join(" ")}) -> ${s.result}`,
      );
    }
  }
  for (const n of Object.keys(spec.types)) if (!(n in table.types)) out.push(`$${n} is missing from the table`);
  for (const n of Object.keys(table.types)) if (!(n in spec.types)) out.push(`$${n} is not in the witx`);
  for (const [n, s] of Object.entries(spec.types)) {
    if (n in table.types) out.push(...typeDiff(n, table.types[n], s));
  }
  return out.map((line) => `${label}: ${line}`);
}

function count(v: AbiVersion, kinds: TypeFacts["kind"][]): number {
  return Object.values(v.types).filter((t) => kinds.includes(t.kind)).length;
}

function main(args: string[]): number {
  if (args.length !== 1 || args[0].startsWith("-")) {
    console.error("usage: npm run check:spec -- DIR   (DIR holds preview1/ and preview0/ with their .witx files)");
    return 2;
  }
  const dir = resolve(args[0]);
  let spec: AbiFacts;
  try {
    spec = witxFacts(dir);
  } catch (e) {
    if (!(e instanceof WitxError)) throw e;
    console.error(`check:spec: ${e.message}`);
    return 2;
  }
  console.log(`check:spec: the ABI against the witx in ${dir}`);
  for (const v of [spec.preview1, spec.preview0]) {
    console.log(
      `  ${v.module}: ${v.functions.length} functions, ${count(v, ["enum"])} enums, ${count(v, ["flags"])} flag sets, ${
        count(v, ["record", "union"])
      } records and unions`,
    );
  }
  const table = [
    ...tableMismatches(ABI.preview1, spec.preview1, "preview1"),
    ...tableMismatches(ABI.preview0, spec.preview0, "preview0"),
  ];
  const checks = implementationChecks(spec);
  const impl = checks.filter((c) => !isDeepStrictEqual(c.actual, c.expected));
  console.log(`  tests/abi_facts.ts: ${table.length === 0 ? "matches the witx" : `${table.length} mismatches`}`);
  for (const line of table) console.log(`    ${line}`);
  console.log(
    `  src/abi and the import object: ${checks.length - impl.length} of ${checks.length} checks match the witx`,
  );
  for (const c of impl) {
    console.log(`    ${c.name}: ${describe(c.actual, c.expected)}`);
  }
  const ok = table.length === 0 && impl.length === 0;
  console.log(ok ? "check:spec: OK" : "check:spec: MISMATCH");
  return ok ? 0 : 1;
}

process.exit(main(process.argv.slice(2)));
