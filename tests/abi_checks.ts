// The implementation against an ABI table: src/abi/ (errno, enums, flags, struct layouts) and the import object
// (names, order, arity). tests/abi.test.ts runs these against tests/abi_facts.ts; `npm run check:spec` runs them
// against the facts it reads from the witx.

import { Errno, errnoName } from "../src/abi/errno.ts";
import {
  ADVICE_MAX,
  ClockId,
  EventRwFlags,
  EventType,
  FdFlags,
  FDFLAGS_ALL,
  Filetype,
  FstFlags,
  LookupFlags,
  OFlags,
  PreopenType,
  RiFlags,
  Rights,
  RIGHTS_ALL,
  SdFlags,
  SubclockFlags,
  Whence,
  WHENCE_FROM_P0,
} from "../src/abi/consts.ts";
import {
  DIRENT,
  EVENT,
  FDSTAT,
  FILESTAT,
  FILESTAT_P0,
  IOVEC,
  PRESTAT,
  SUBSCRIPTION,
  SUBSCRIPTION_P0,
} from "../src/abi/layout.ts";
import { Wasi } from "../mod.ts";
import type { AbiFacts, AbiVersion } from "./abi_facts.ts";

/** One comparison: what is compared, what the implementation has, what the ABI says. */
export interface Check {
  readonly name: string;
  readonly actual: unknown;
  readonly expected: unknown;
}

/** The cases of enum `name` (none when the table lacks it, so the comparison fails). */
function cases(v: AbiVersion, name: string): readonly string[] {
  const t = v.types[name];
  return t?.kind === "enum" ? t.cases : [];
}

/** The flag names of flag set `name`, in bit order. */
function bits(v: AbiVersion, name: string): readonly string[] {
  const t = v.types[name];
  return t?.kind === "flags" ? t.bits : [];
}

/** The offset of `path` in struct `name` (undefined when absent). */
function at(v: AbiVersion, name: string, path: string): number | undefined {
  const t = v.types[name];
  return t?.kind === "record" || t?.kind === "union" ? t.fields[path]?.[0] : undefined;
}

/** The byte size of struct `name`, or of its field `path`. */
function sizeOf(v: AbiVersion, name: string, path?: string): number | undefined {
  const t = v.types[name];
  if (t?.kind !== "record" && t?.kind !== "union") return undefined;
  return path === undefined ? t.size : t.fields[path]?.[1];
}

/** `{ REALTIME: 0, ... }`: our constant names are the spec's, upper-cased. */
const enumValues = (cs: readonly string[]) => Object.fromEntries(cs.map((c, i) => [c.toUpperCase(), i]));
/** `{ APPEND: 1, DSYNC: 2, ... }`. */
const flagValues = (bs: readonly string[]) => Object.fromEntries(bs.map((b, i) => [b.toUpperCase(), 2 ** i]));

/** Every check of src/abi/ and the import object against `abi`. */
export function implementationChecks(abi: AbiFacts): Check[] {
  const p1 = abi.preview1, p0 = abi.preview0;
  const errno = cases(p1, "errno");
  const out: Check[] = [
    {
      name: "Errno = $errno (2big is TOOBIG)",
      actual: { ...Errno },
      expected: Object.fromEntries(errno.map((c, i) => [c === "2big" ? "TOOBIG" : c.toUpperCase(), i])),
    },
    {
      name: "errnoName(n) is E + the spec name of every $errno (SUCCESS for 0), errno(n) past the last",
      actual: Array.from({ length: errno.length + 1 }, (_, i) => errnoName(i)),
      expected: [...errno.map((c, i) => i === 0 ? "SUCCESS" : `E${c.toUpperCase()}`), `errno(${errno.length})`],
    },
    { name: "ClockId = $clockid", actual: { ...ClockId }, expected: enumValues(cases(p1, "clockid")) },
    { name: "Whence = $whence (preview1)", actual: { ...Whence }, expected: enumValues(cases(p1, "whence")) },
    {
      name: "WHENCE_FROM_P0 takes preview0's $whence to preview1's",
      actual: [...WHENCE_FROM_P0],
      expected: cases(p0, "whence").map((c) => cases(p1, "whence").indexOf(c)),
    },
    { name: "Filetype = $filetype", actual: { ...Filetype }, expected: enumValues(cases(p1, "filetype")) },
    { name: "EventType = $eventtype", actual: { ...EventType }, expected: enumValues(cases(p1, "eventtype")) },
    { name: "PreopenType = $preopentype", actual: { ...PreopenType }, expected: enumValues(cases(p1, "preopentype")) },
    { name: "ADVICE_MAX = the last $advice", actual: ADVICE_MAX, expected: cases(p1, "advice").length - 1 },
    { name: "FdFlags = $fdflags", actual: { ...FdFlags }, expected: flagValues(bits(p1, "fdflags")) },
    { name: "FDFLAGS_ALL = every $fdflags bit", actual: FDFLAGS_ALL, expected: 2 ** bits(p1, "fdflags").length - 1 },
    { name: "OFlags = $oflags", actual: { ...OFlags }, expected: flagValues(bits(p1, "oflags")) },
    { name: "LookupFlags = $lookupflags", actual: { ...LookupFlags }, expected: flagValues(bits(p1, "lookupflags")) },
    { name: "FstFlags = $fstflags", actual: { ...FstFlags }, expected: flagValues(bits(p1, "fstflags")) },
    {
      name: "SubclockFlags = $subclockflags (subscription_clock_abstime is ABSTIME)",
      actual: { ...SubclockFlags },
      expected: flagValues(bits(p1, "subclockflags").map((b) => b.replace(/^subscription_clock_/, ""))),
    },
    {
      name: "EventRwFlags = $eventrwflags",
      actual: { ...EventRwFlags },
      expected: flagValues(bits(p1, "eventrwflags")),
    },
    { name: "RiFlags = $riflags", actual: { ...RiFlags }, expected: flagValues(bits(p1, "riflags")) },
    { name: "SdFlags = $sdflags", actual: { ...SdFlags }, expected: flagValues(bits(p1, "sdflags")) },
    { name: "Rights = $rights (preview1)", actual: { ...Rights }, expected: flagValues(bits(p1, "rights")) },
    { name: "RIGHTS_ALL = every $rights bit", actual: RIGHTS_ALL, expected: 2 ** bits(p1, "rights").length - 1 },
  ];

  for (const [label, v] of [["preview1", p1], ["preview0", p0]] as const) {
    for (const name of ["iovec", "ciovec"]) {
      out.push({
        name: `IOVEC = $${name} (${label})`,
        actual: { ...IOVEC },
        expected: { size: sizeOf(v, name), buf: at(v, name, "buf"), bufLen: at(v, name, "buf_len") },
      });
    }
    out.push({
      name: `FDSTAT = $fdstat (${label})`,
      actual: { ...FDSTAT },
      expected: {
        size: sizeOf(v, "fdstat"),
        filetype: at(v, "fdstat", "fs_filetype"),
        flags: at(v, "fdstat", "fs_flags"),
        rightsBase: at(v, "fdstat", "fs_rights_base"),
        rightsInheriting: at(v, "fdstat", "fs_rights_inheriting"),
      },
    }, {
      name: `PRESTAT = $prestat (${label})`,
      actual: { ...PRESTAT },
      expected: {
        size: sizeOf(v, "prestat"),
        tag: at(v, "prestat", "$tag"),
        nameLen: at(v, "prestat", "dir.pr_name_len"),
      },
    }, {
      name: `DIRENT = $dirent (${label})`,
      actual: { ...DIRENT },
      expected: {
        size: sizeOf(v, "dirent"),
        next: at(v, "dirent", "d_next"),
        ino: at(v, "dirent", "d_ino"),
        namlen: at(v, "dirent", "d_namlen"),
        type: at(v, "dirent", "d_type"),
      },
    }, {
      name: `EVENT = $event (${label})`,
      actual: { ...EVENT },
      expected: {
        size: sizeOf(v, "event"),
        userdata: at(v, "event", "userdata"),
        error: at(v, "event", "error"),
        type: at(v, "event", "type"),
        nbytes: at(v, "event", "fd_readwrite.nbytes"),
        flags: at(v, "event", "fd_readwrite.flags"),
      },
    });
  }

  for (
    const [label, v, L, name] of [["preview1", p1, FILESTAT, "FILESTAT"], [
      "preview0",
      p0,
      FILESTAT_P0,
      "FILESTAT_P0",
    ]] as const
  ) {
    out.push({
      name: `${name} = $filestat (${label})`,
      actual: { ...L },
      expected: {
        size: sizeOf(v, "filestat"),
        dev: at(v, "filestat", "dev"),
        ino: at(v, "filestat", "ino"),
        filetype: at(v, "filestat", "filetype"),
        nlink: at(v, "filestat", "nlink"),
        nlinkSize: sizeOf(v, "filestat", "nlink"),
        fileSize: at(v, "filestat", "size"),
        atim: at(v, "filestat", "atim"),
        mtim: at(v, "filestat", "mtim"),
        ctim: at(v, "filestat", "ctim"),
      },
    });
  }

  for (
    const [label, v, L, name] of [["preview1", p1, SUBSCRIPTION, "SUBSCRIPTION"], [
      "preview0",
      p0,
      SUBSCRIPTION_P0,
      "SUBSCRIPTION_P0",
    ]] as const
  ) {
    const s = (path: string) => at(v, "subscription", path);
    out.push({
      name: `${name} = $subscription (${label})`,
      actual: { ...L },
      expected: {
        size: sizeOf(v, "subscription"),
        userdata: s("userdata"),
        tag: s("u.$tag"),
        clockId: s("u.clock.id"),
        clockTimeout: s("u.clock.timeout"),
        clockPrecision: s("u.clock.precision"),
        clockFlags: s("u.clock.flags"),
        fd: s("u.fd_read.file_descriptor"),
      },
    }, {
      name: `${name}.fd also serves fd_write subscriptions (${label})`,
      actual: L.fd,
      expected: s("u.fd_write.file_descriptor"),
    });
  }

  const imports = new Wasi().getImportObject();
  for (const v of [p1, p0]) {
    const fns = imports[v.module as keyof typeof imports] ?? {};
    out.push({
      name: `the import object's ${v.module} has exactly the spec's ${v.functions.length} functions, in spec order`,
      actual: Object.keys(fns),
      expected: v.functions.map((f) => f.name),
    }, {
      name: `each ${v.module} function takes as many arguments as its core wasm signature has parameters`,
      actual: Object.fromEntries(Object.entries(fns).map(([n, f]) => [n, f.length])),
      expected: Object.fromEntries(v.functions.map((f) => [f.name, f.params.length])),
    });
  }
  return out;
}
