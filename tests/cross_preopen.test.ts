// Two preopens are one filesystem when the host says so (decisions.md#path-edges): path_rename and path_link between
// two host directories on one device work (DenoFs on Deno, NodeFs on Bun, Node and Deno's node:fs), each path still
// walked inside its own preopen under its own directory fd and rights; EXDEV where the host answers it (two devices)
// or the backends differ (a MemoryFs, two MemoryFs, a DenoFs and a NodeFs).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Errno, errnoName, type FileSystem, MemoryFs } from "../mod.ts";
import { Rights } from "../src/abi/consts.ts";
import { DenoFs } from "../src/fs/deno.ts";
import { NodeFs } from "../src/fs/node.ts";
import { guest, run } from "./guest_runner.ts";
import { type Env, put, setup, u32, u64 } from "./helpers.ts";

const ON_DENO = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const WORK = 3, OUT = 4; // the preopens "/work" and "/out", in that order
const PA = 0x100, PB = 0x200, FDP = 0x300, STAT = 0x400, BUF = 0x500;
const DIRECTORY = 2;
/** Every right but the writing ones: a directory fd that may do anything. */
const DIR_ALL = BigInt(((1 << 30) - 1) & ~(Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE));

/** Two sibling host dirs `work/` and `out/` in a temp dir, with `outside/secret.txt` beside them. */
function siblings(parent = tmpdir()): { work: string; out: string; outside: string; done(): void } {
  const tmp = mkdtempSync(join(parent, "hostcall-cross-"));
  const work = join(tmp, "work"), out = join(tmp, "out"), outside = join(tmp, "outside");
  for (const d of [work, out, outside]) mkdirSync(d);
  writeFileSync(join(outside, "secret.txt"), "SECRET");
  return { work, out, outside, done: () => rmSync(tmp, { recursive: true, force: true }) };
}

/** The guest's lines when both preopens are one host filesystem, and when they are two filesystems. */
const ONE_FS = "rename file: ok\nlink file: ok\nrename dir: ok\nsandbox ok\n";
const TWO_FS = "rename file: EXDEV\nlink file: EXDEV\nrename dir: EXDEV\nsandbox ok\n";

async function runCross(work: string | FileSystem, out: string | FileSystem): Promise<string> {
  const r = await run("fs_cross", { preopens: { "/work": work, "/out": out } }, guest("fs_cross"));
  assert.equal(r.stderr, "", "no failed check");
  assert.equal(r.code, 0);
  return r.stdout;
}

/** Where /dev/shm (a tmpfs) is another device than the temp dir: the host itself answers EXDEV between them. */
const SHM = "/dev/shm";
const twoDevices = existsSync(SHM) && statSync(SHM).dev !== statSync(tmpdir()).dev;

describe("fs_cross: mv, a download put into place, a hard link and a directory between two preopens", () => {
  test(`two host directories on one device (${ON_DENO ? "DenoFs" : "NodeFs"}): renamed and linked on the host`, async () => {
    const s = siblings();
    try {
      assert.equal(await runCross(s.work, s.out), ONE_FS);
      assert.equal(readFileSync(join(s.out, "download"), "utf8"), "data");
      assert.equal(statSync(join(s.out, "download")).ino, statSync(join(s.work, "hard")).ino);
      assert.equal(readFileSync(join(s.out, "dir/sub/f"), "utf8"), "in sub");
      assert.ok(existsSync(join(s.out, "dir/sub/made_after")), "the directory fd moved along");
      assert.equal(readFileSync(join(s.outside, "secret.txt"), "utf8"), "SECRET");
      assert.equal(existsSync(join(s.work, "..", "escaped")), false);
    } finally {
      s.done();
    }
  });

  test("two NodeFs over sibling host directories (on Deno too, through its node:fs): one filesystem", async () => {
    const s = siblings();
    try {
      assert.equal(await runCross(new NodeFs(s.work), new NodeFs(s.out)), ONE_FS);
      assert.equal(readFileSync(join(s.out, "dir/sub/f"), "utf8"), "in sub");
    } finally {
      s.done();
    }
  });

  test(
    `two host directories on two devices (${tmpdir()} and ${SHM}): the host's EXDEV, nothing moved${
      twoDevices ? "" : ` (skipped: ${SHM} is missing or the same device as ${tmpdir()})`
    }`,
    { skip: !twoDevices },
    async () => {
      const a = siblings(), b = siblings(SHM);
      try {
        assert.equal(await runCross(a.work, b.out), TWO_FS);
        assert.equal(readFileSync(join(a.work, "download"), "utf8"), "data", "renamed within /work instead");
        assert.ok(existsSync(join(a.work, "dir/sub/f")));
        assert.equal(existsSync(join(b.out, "dir")), false);
      } finally {
        a.done();
        b.done();
      }
    },
  );

  test("two MemoryFs are two filesystems: EXDEV, nothing moved", async () => {
    const work = new MemoryFs(), out = new MemoryFs();
    assert.equal(await runCross(work, out), TWO_FS);
    assert.equal(new TextDecoder().decode(work.files.readFile("/dir/sub/f")), "in sub");
    assert.throws(() => out.files.readFile("/dir/sub/f"), { code: "ENOENT" });
  });

  test("a MemoryFs and a host directory: EXDEV both ways", async () => {
    const s = siblings();
    try {
      assert.equal(await runCross(new MemoryFs(), s.out), TWO_FS);
      const t = siblings();
      try {
        assert.equal(await runCross(t.work, new MemoryFs()), TWO_FS);
        assert.ok(existsSync(join(t.work, "dir/sub/f")));
      } finally {
        t.done();
      }
    } finally {
      s.done();
    }
  });

  if (ON_DENO) {
    test("a DenoFs and a NodeFs over one host (Deno): two backends, EXDEV", async () => {
      for (const [W, O] of [[DenoFs, NodeFs], [NodeFs, DenoFs]]) {
        const s = siblings();
        try {
          assert.equal(await runCross(new W(s.work), new O(s.out)), TWO_FS, `${W.name} to ${O.name}`);
        } finally {
          s.done();
        }
      }
    });
  }
});

// --- direct calls: rights on both sides, the sandbox of each side, directory fds moving across -------------------

interface Pair {
  env: Env;
  work: string;
  out: string;
  outside: string;
  done(): void;
}

async function pair(): Promise<Pair> {
  const s = siblings();
  writeFileSync(join(s.work, "f"), "file");
  mkdirSync(join(s.work, "d"));
  writeFileSync(join(s.work, "d/g"), "inner");
  const env = await setup({ preopens: { "/work": s.work, "/out": s.out } });
  return { env, ...s };
}

function rename(env: Env, from: [number, string], to: [number, string]): number {
  const a = put(env, PA, from[1]), b = put(env, PB, to[1]);
  return env.p1.path_rename(from[0], PA, a, to[0], PB, b);
}

function link(env: Env, from: [number, string], to: [number, string]): number {
  const a = put(env, PA, from[1]), b = put(env, PB, to[1]);
  return env.p1.path_link(from[0], 0, PA, a, to[0], PB, b);
}

/** Drops `right` from the base rights of `fd`. */
function drop(env: Env, fd: number, right: number): void {
  assert.equal(env.p1.fd_fdstat_get(fd, STAT), Errno.SUCCESS);
  const base = u64(env, STAT + 8) & ~BigInt(right);
  assert.equal(env.p1.fd_fdstat_set_rights(fd, base, u64(env, STAT + 16)), Errno.SUCCESS);
}

describe("path_rename and path_link between two host preopens, by direct calls", () => {
  const it = (name: string, body: (p: Pair) => void) =>
    test(name, async () => {
      const p = await pair();
      try {
        body(p);
        assert.equal(readFileSync(join(p.outside, "secret.txt"), "utf8"), "SECRET");
      } finally {
        p.done();
      }
    });

  it("each side needs its own right: PATH_RENAME_SOURCE on /work, PATH_RENAME_TARGET on /out (NOTCAPABLE, nothing moved)", ({ env, work, out }) => {
    drop(env, WORK, Rights.PATH_RENAME_SOURCE);
    assert.equal(errnoName(rename(env, [WORK, "f"], [OUT, "f"])), "ENOTCAPABLE");
    assert.equal(errnoName(rename(env, [OUT, "x"], [WORK, "f2"])), "ENOENT", "/work may still be a target");
    drop(env, OUT, Rights.PATH_LINK_TARGET);
    assert.equal(errnoName(link(env, [WORK, "f"], [OUT, "f"])), "ENOTCAPABLE");
    assert.ok(existsSync(join(work, "f")));
    assert.equal(existsSync(join(out, "f")), false);
  });

  it("each path is walked inside its own preopen: ../ on either side, or a symlink leading out, is PERM", ({ env, work, out }) => {
    assert.equal(errnoName(rename(env, [WORK, "../outside/secret.txt"], [OUT, "s"])), "EPERM");
    assert.equal(errnoName(rename(env, [WORK, "f"], [OUT, "../outside/f"])), "EPERM");
    assert.equal(errnoName(link(env, [WORK, "f"], [OUT, "../work/f2"])), "EPERM");
    assert.equal(errnoName(link(env, [WORK, "../outside/secret.txt"], [OUT, "s"])), "EPERM");
    const t = put(env, PA, "../outside"), l = put(env, PB, "leads-out");
    assert.equal(env.p1.path_symlink(PA, t, WORK, PB, l), Errno.SUCCESS);
    assert.equal(errnoName(rename(env, [WORK, "leads-out/secret.txt"], [OUT, "s"])), "EPERM");
    // The symlink itself moves (its target is stored verbatim), and stays unfollowable where it lands.
    assert.equal(errnoName(rename(env, [WORK, "leads-out"], [OUT, "leads-out"])), "SUCCESS");
    const n = put(env, PA, "leads-out/secret.txt");
    assert.equal(env.p1.path_open(OUT, 1, PA, n, 0, 2n, 0n, 0, FDP), Errno.PERM);
    assert.equal(lstatSync(join(out, "leads-out")).isSymbolicLink(), true);
    assert.equal(existsSync(join(work, "f2")), false);
  });

  it("a preopen's root is neither renamed nor replaced (BUSY)", ({ env }) => {
    assert.equal(errnoName(rename(env, [WORK, "."], [OUT, "w"])), "EBUSY");
    assert.equal(errnoName(rename(env, [WORK, "d"], [OUT, "."])), "EBUSY");
  });

  it("a directory fd under a directory renamed into the other preopen moves along: its files, its listing, its wall", ({ env, out }) => {
    const d = put(env, PA, "d");
    assert.equal(env.p1.path_open(WORK, 0, PA, d, DIRECTORY, DIR_ALL, DIR_ALL, 0, FDP), Errno.SUCCESS);
    const fd = u32(env, FDP);
    assert.equal(errnoName(rename(env, [WORK, "d"], [OUT, "moved"])), "SUCCESS");
    assert.equal(env.p1.path_create_directory(WORK, PA, put(env, PA, "d")), Errno.SUCCESS, "a new d in /work");
    const g = put(env, PA, "g");
    assert.equal(env.p1.path_open(fd, 0, PA, g, 0, 2n, 0n, 0, FDP), Errno.SUCCESS, "g through the moved fd");
    assert.equal(env.p1.fd_readdir(fd, BUF, 256, 0n, FDP), Errno.SUCCESS);
    assert.ok(new TextDecoder().decode(env.u8().subarray(BUF, BUF + u32(env, FDP))).includes("g"), "lists g");
    const h = put(env, PA, "h");
    assert.equal(env.p1.path_open(fd, 0, PA, h, 1, 0n, 0n, 0, FDP), Errno.SUCCESS, "creates h");
    assert.ok(existsSync(join(out, "moved/h")), "in /out/moved");
    const up = put(env, PA, "../f");
    assert.equal(env.p1.path_open(fd, 0, PA, up, 0, 2n, 0n, 0, FDP), Errno.PERM, "nothing above the fd");
  });
});
