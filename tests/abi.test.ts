// The ABI tables in src/abi/ against the witx files: struct layouts computed by the witx ABI rules,
// enum and flag numbering, errno order. The spec lives beside the checkout (../shared/spec).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
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
import { offsetOf, Witx } from "./helpers.ts";

const p1 = new Witx("preview1/typenames.witx");
const p0 = new Witx("preview0/typenames.witx");

// ---- layouts ----

describe("struct layouts match the witx ABI", () => {
  test("the spec is readable at ../shared/spec beside the checkout", () => {
    assert.ok(p1.types.size > 40, `${p1.types.size} typenames in preview1`);
    assert.ok(p0.types.size > 40, `${p0.types.size} typenames in preview0`);
  });

  test("the witx reader itself computes the well-known sizes", () => {
    assert.equal(p1.of("filestat").size, 64);
    assert.equal(p0.of("filestat").size, 56);
    assert.equal(p1.of("subscription").size, 48);
    assert.equal(p0.of("subscription").size, 56);
  });

  for (const [name, witx] of [["iovec", p1], ["ciovec", p1], ["iovec", p0], ["ciovec", p0]] as const) {
    test(`IOVEC = $${name} (${witx === p1 ? "preview1" : "preview0"})`, () => {
      const l = witx.of(name);
      assert.deepEqual({ ...IOVEC }, { size: l.size, buf: l.offsets.buf, bufLen: l.offsets.buf_len });
    });
  }

  for (const [label, witx] of [["preview1", p1], ["preview0", p0]] as const) {
    test(`FDSTAT = $fdstat (${label})`, () => {
      const l = witx.of("fdstat");
      assert.deepEqual({ ...FDSTAT }, {
        size: l.size,
        filetype: l.offsets.fs_filetype,
        flags: l.offsets.fs_flags,
        rightsBase: l.offsets.fs_rights_base,
        rightsInheriting: l.offsets.fs_rights_inheriting,
      });
    });

    test(`PRESTAT = $prestat (${label})`, () => {
      const l = witx.of("prestat");
      assert.deepEqual({ ...PRESTAT }, {
        size: l.size,
        tag: l.offsets.$tag,
        nameLen: offsetOf(l, "prestat_dir.pr_name_len"),
      });
    });

    test(`DIRENT = $dirent (${label})`, () => {
      const l = witx.of("dirent");
      assert.deepEqual({ ...DIRENT }, {
        size: l.size,
        next: l.offsets.d_next,
        ino: l.offsets.d_ino,
        namlen: l.offsets.d_namlen,
        type: l.offsets.d_type,
      });
    });

    test(`EVENT = $event (${label})`, () => {
      const l = witx.of("event");
      assert.deepEqual({ ...EVENT }, {
        size: l.size,
        userdata: l.offsets.userdata,
        error: l.offsets.error,
        type: l.offsets.type,
        nbytes: offsetOf(l, "fd_readwrite.nbytes"),
        flags: offsetOf(l, "fd_readwrite.flags"),
      });
    });
  }

  for (const [label, witx, L] of [["preview1", p1, FILESTAT], ["preview0", p0, FILESTAT_P0]] as const) {
    test(`${label === "preview1" ? "FILESTAT" : "FILESTAT_P0"} = $filestat (${label})`, () => {
      const l = witx.of("filestat");
      assert.deepEqual({ ...L }, {
        size: l.size,
        dev: l.offsets.dev,
        ino: l.offsets.ino,
        filetype: l.offsets.filetype,
        nlink: l.offsets.nlink,
        nlinkSize: l.members.nlink.size,
        fileSize: l.offsets.size,
        atim: l.offsets.atim,
        mtim: l.offsets.mtim,
        ctim: l.offsets.ctim,
      });
    });
  }

  for (const [label, witx, L] of [["preview1", p1, SUBSCRIPTION], ["preview0", p0, SUBSCRIPTION_P0]] as const) {
    test(`${label === "preview1" ? "SUBSCRIPTION" : "SUBSCRIPTION_P0"} = $subscription (${label})`, () => {
      const l = witx.of("subscription");
      assert.deepEqual({ ...L }, {
        size: l.size,
        userdata: l.offsets.userdata,
        tag: offsetOf(l, "u.$tag"),
        clockId: offsetOf(l, "u.subscription_clock.id"),
        clockTimeout: offsetOf(l, "u.subscription_clock.timeout"),
        clockPrecision: offsetOf(l, "u.subscription_clock.precision"),
        clockFlags: offsetOf(l, "u.subscription_clock.flags"),
        fd: offsetOf(l, "u.subscription_fd_readwrite.file_descriptor"),
      });
    });
  }

  test("the union variants of $subscription_u follow $eventtype: clock, fd_read, fd_write", () => {
    const u = p1.of("subscription_u");
    assert.deepEqual(u.cases, ["clock", "fd_read", "fd_write"]);
    assert.equal(u.members.$tag.size, 1);
  });
});

// ---- enums and flags ----

/** `{ A: 0, B: 1, ... }` from enum cases, keys upper-cased. */
function enumValues(cases: string[]): Record<string, number> {
  return Object.fromEntries(cases.map((c, i) => [c.toUpperCase(), i]));
}
/** `{ A: 1, B: 2, C: 4, ... }` from flag names, keys upper-cased. */
function flagValues(cases: string[]): Record<string, number> {
  return Object.fromEntries(cases.map((c, i) => [c.toUpperCase(), 2 ** i]));
}

describe("enum and flag values match the witx", () => {
  test("$errno: every value in order, and errnoName gives the spec name as E<NAME> (SUCCESS for 0)", () => {
    const cases = p1.of("errno").cases;
    assert.equal(cases.length, 77);
    assert.equal(p1.of("errno").size, 2);
    const want = Object.fromEntries(cases.map((c, i) => [c === "2big" ? "TOOBIG" : c.toUpperCase(), i]));
    assert.deepEqual({ ...Errno }, want);
    cases.forEach((c, i) => assert.equal(errnoName(i), i === 0 ? "SUCCESS" : "E" + c.toUpperCase()));
    assert.equal(errnoName(Errno.NOENT), "ENOENT");
    assert.equal(errnoName(Errno.TOOBIG), "E2BIG");
    assert.equal(errnoName(Errno.NOTCAPABLE), "ENOTCAPABLE");
    assert.equal(errnoName(77), "errno(77)");
  });

  test("$errno spot checks: BADF 8, FAULT 21, INVAL 28, NOSYS 52, NOTSOCK 57, SPIPE 70, NOTCAPABLE 76", () => {
    const cases = p1.of("errno").cases;
    for (const [name, v] of [["badf", 8], ["fault", 21], ["inval", 28], ["nametoolong", 37], ["nosys", 52]] as const) {
      assert.equal(cases.indexOf(name), v);
    }
    assert.deepEqual(
      [Errno.NOTSOCK, Errno.NOTSUP, Errno.SPIPE, Errno.NOTCAPABLE],
      ["notsock", "notsup", "spipe", "notcapable"].map((n) => cases.indexOf(n)),
    );
  });

  test("$errno is the same in preview0", () => {
    assert.deepEqual(p0.of("errno").cases, p1.of("errno").cases);
  });

  test("$clockid", () => {
    assert.deepEqual({ ...ClockId }, enumValues(p1.of("clockid").cases));
    assert.equal(p1.of("clockid").size, 4);
  });

  test("$whence in preview1, and the preview0 translation table", () => {
    assert.deepEqual({ ...Whence }, enumValues(p1.of("whence").cases));
    const p0cases = p0.of("whence").cases;
    assert.deepEqual(p0cases, ["cur", "end", "set"]);
    assert.deepEqual([...WHENCE_FROM_P0], p0cases.map((c) => Whence[c.toUpperCase() as keyof typeof Whence]));
  });

  test("$filetype", () => {
    assert.deepEqual({ ...Filetype }, enumValues(p1.of("filetype").cases));
  });

  test("$eventtype, $preopentype, $advice", () => {
    assert.deepEqual({ ...EventType }, enumValues(p1.of("eventtype").cases));
    assert.deepEqual({ ...PreopenType }, enumValues(p1.of("preopentype").cases));
    assert.equal(ADVICE_MAX, p1.of("advice").cases.length - 1);
  });

  test("$fdflags, $oflags, $lookupflags, $fstflags, $eventrwflags, $riflags, $sdflags", () => {
    assert.deepEqual({ ...FdFlags }, flagValues(p1.of("fdflags").cases));
    assert.equal(FDFLAGS_ALL, 2 ** p1.of("fdflags").cases.length - 1);
    assert.deepEqual({ ...OFlags }, flagValues(p1.of("oflags").cases));
    assert.deepEqual({ ...LookupFlags }, flagValues(p1.of("lookupflags").cases));
    assert.deepEqual({ ...FstFlags }, flagValues(p1.of("fstflags").cases));
    assert.deepEqual({ ...EventRwFlags }, flagValues(p1.of("eventrwflags").cases));
    assert.deepEqual({ ...RiFlags }, flagValues(p1.of("riflags").cases));
    assert.deepEqual({ ...SdFlags }, flagValues(p1.of("sdflags").cases));
  });

  test("$subclockflags (ABSTIME is bit 0)", () => {
    assert.deepEqual(p1.of("subclockflags").cases, ["subscription_clock_abstime"]);
    assert.equal(SubclockFlags.ABSTIME, 1);
  });

  test("$rights: all 30 bits in order", () => {
    const cases = p1.of("rights").cases;
    assert.equal(cases.length, 30);
    assert.deepEqual({ ...Rights }, flagValues(cases));
    assert.equal(RIGHTS_ALL, 2 ** cases.length - 1);
  });
});
