// src/abi/ and the import object against the ABI table in abi_facts.ts (names, order, arity, enum and flag
// numbering, errno order, struct layouts), and the table's own consistency. `npm run check:spec -- DIR` checks
// the same table, and src/abi/, against the official witx.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { implementationChecks } from "./abi_checks.ts";
import { ABI, type AbiVersion, PREVIEW0, PREVIEW1, type StructFacts } from "./abi_facts.ts";

describe("src/abi and the import object match the ABI table", () => {
  for (const c of implementationChecks(ABI)) {
    test(c.name, () => assert.deepEqual(c.actual, c.expected));
  }
});

describe("the ABI table holds the well-known values", () => {
  test("$errno: 77 values, BADF 8, FAULT 21, INVAL 28, NAMETOOLONG 37, NOSYS 52, SPIPE 70, NOTCAPABLE 76", () => {
    const errno = PREVIEW1.types.errno.cases;
    assert.equal(errno.length, 77);
    assert.deepEqual(
      ["badf", "fault", "inval", "nametoolong", "nosys", "spipe", "notcapable"].map((n) => errno.indexOf(n)),
      [8, 21, 28, 37, 52, 70, 76],
    );
    assert.deepEqual(PREVIEW0.types.errno, PREVIEW1.types.errno);
  });

  test("46 preview1 functions, 45 in preview0; twelve take an i64 and only proc_exit returns nothing", () => {
    assert.equal(PREVIEW1.functions.length, 46);
    assert.equal(PREVIEW0.functions.length, 45);
    const withI64 = PREVIEW1.functions.filter((f) => f.params.includes("i64")).map((f) => f.name);
    assert.deepEqual(withI64, [
      "clock_time_get",
      "fd_advise",
      "fd_allocate",
      "fd_fdstat_set_rights",
      "fd_filestat_set_size",
      "fd_filestat_set_times",
      "fd_pread",
      "fd_pwrite",
      "fd_readdir",
      "fd_seek",
      "path_filestat_set_times",
      "path_open",
    ]);
    assert.deepEqual(PREVIEW1.functions.filter((f) => f.result === "none").map((f) => f.name), ["proc_exit"]);
  });

  test("sizes: filestat 64 (preview0 56), subscription 48 (56), event 32, fdstat 24, dirent 24, prestat 8", () => {
    const t1 = PREVIEW1.types, t0 = PREVIEW0.types;
    assert.deepEqual(
      [t1.filestat.size, t0.filestat.size, t1.subscription.size, t0.subscription.size],
      [64, 56, 48, 56],
    );
    assert.deepEqual([t1.event.size, t1.fdstat.size, t1.dirent.size, t1.prestat.size], [32, 24, 24, 8]);
  });

  test("rights: 30 bits in preview1, 29 in preview0 (no sock_accept); whence is set, cur, end vs cur, end, set", () => {
    assert.equal(PREVIEW1.types.rights.bits.length, 30);
    assert.deepEqual(PREVIEW0.types.rights.bits, PREVIEW1.types.rights.bits.slice(0, 29));
    assert.deepEqual([PREVIEW1.types.whence.cases, PREVIEW0.types.whence.cases], [
      ["set", "cur", "end"],
      ["cur", "end", "set"],
    ]);
  });
});

/** The problems of one struct's entry: fields outside it, misaligned, overlapping, or out of order. */
function structProblems(name: string, s: StructFacts): string[] {
  const problems: string[] = [];
  if (s.size % s.align !== 0) problems.push(`${name}: size ${s.size} is not a multiple of align ${s.align}`);
  const top = Object.entries(s.fields).filter(([path]) => !path.includes("."));
  let end = 0;
  for (const [path, [offset, size]] of Object.entries(s.fields)) {
    if (offset + size > s.size) problems.push(`${name}.${path}: [${offset}, ${offset + size}) is outside ${s.size}`);
    if (s.kind === "record" && !path.includes(".")) {
      if (offset < end) problems.push(`${name}.${path}: at ${offset}, before the end (${end}) of the field before`);
      end = offset + size;
    }
  }
  for (const [path, [offset, size]] of top) {
    // A field is aligned to its size, or to the struct's alignment when that is smaller (a nested struct).
    if (offset % Math.min(size, s.align) !== 0) problems.push(`${name}.${path}: offset ${offset} is misaligned`);
  }
  return problems;
}

describe("the ABI table is consistent", () => {
  for (const [label, v] of [["preview1", ABI.preview1], ["preview0", ABI.preview0]] as [string, AbiVersion][]) {
    test(`${label}: every field lies inside its struct, aligned, records in increasing order`, () => {
      const problems: string[] = [];
      for (const [name, t] of Object.entries(v.types)) {
        if (t.kind === "record" || t.kind === "union") problems.push(...structProblems(name, t));
      }
      assert.deepEqual(problems, []);
    });

    test(`${label}: every enum's values and every flag set's bits fit its size`, () => {
      for (const [name, t] of Object.entries(v.types)) {
        if (t.kind === "enum") assert.ok(t.cases.length <= 2 ** (8 * t.size), name);
        if (t.kind === "flags") assert.ok(t.bits.length <= 8 * t.size, name);
        if (t.kind !== "enum" && t.kind !== "flags") continue;
        const names = t.kind === "enum" ? t.cases : t.bits;
        assert.equal(new Set(names).size, names.length, `${name}: a name appears twice`);
      }
    });

    test(`${label}: every union lists its tag and then one case per value of the tag's enum`, () => {
      const unions: [string, string][] = [["subscription_u", "eventtype"], ["prestat", "preopentype"]];
      for (const [name, tag] of unions) {
        const u = v.types[name] as StructFacts;
        const tagEnum = v.types[tag];
        assert.ok(tagEnum.kind === "enum");
        const top = Object.keys(u.fields).filter((p) => !p.includes("."));
        assert.deepEqual(top, ["$tag", ...tagEnum.cases], name);
        assert.equal(u.fields.$tag[1], tagEnum.size, `${name}: tag size`);
      }
    });

    test(`${label}: the function names are unique and every parameter kind is known`, () => {
      const names = v.functions.map((f) => f.name);
      assert.equal(new Set(names).size, names.length);
      for (const f of v.functions) {
        for (const k of f.params) assert.ok(["fd", "ptr", "i32", "i64"].includes(k), `${f.name}: ${k}`);
      }
    });
  }
});
