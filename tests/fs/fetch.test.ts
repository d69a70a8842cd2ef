// FetchFs (src/fs/fetch.ts): the manifest's checks, the tree from the manifest with no request, bytes fetched on first
// read (whole, or by Range), the cache and its budget, shared requests, and every failure as an errno; all against a
// local server on 127.0.0.1 (tests/static_server.ts). The manifest comes from scripts/fetchfs_manifest.mjs.

import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { Errno } from "../../src/abi/errno.ts";
import { Filetype } from "../../src/abi/consts.ts";
import { FetchFs, type FetchFsOptions } from "../../src/fs/fetch.ts";
import { type AsyncFileHandle, newStat, openFlags } from "../../src/fs/types.ts";
import { serveDir, type StaticServer } from "../static_server.ts";
// @ts-types="../../scripts/fetchfs_manifest.d.mts"
import { manifestOf } from "../../scripts/fetchfs_manifest.mjs";

const SCRIPT = fileURLToPath(new URL("../../scripts/fetchfs_manifest.mjs", import.meta.url));
const RD = openFlags({ read: true });

/** Deterministic bytes: file `seed`'s byte i. */
function bytesOf(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return out;
}

let dir = "";
let server: StaticServer;
const SMALL = bytesOf(5000, 1), LARGE = bytesOf(1_000_000, 2), OTHER = bytesOf(3000, 3);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "hostcall-fetchfs-"));
  mkdirSync(join(dir, "d", "sub"), { recursive: true });
  writeFileSync(join(dir, "d", "small.bin"), SMALL);
  writeFileSync(join(dir, "d", "sub", "large.bin"), LARGE);
  writeFileSync(join(dir, "other.bin"), OTHER);
  writeFileSync(join(dir, "empty"), new Uint8Array(0));
  writeFileSync(join(dir, "a b%2541?#ü.txt"), "odd name\n");
  symlinkSync("d/small.bin", join(dir, "link"));
  server = await serveDir(dir);
});
beforeEach(() => {
  server.log.length = 0;
  server.fault = null;
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A FetchFs over the served tree, in 64 KiB blocks. */
function fetchFs(options: Partial<FetchFsOptions> = {}): FetchFs {
  return new FetchFs({
    base: server.url,
    manifest: manifestOf(dir),
    wholeFileMax: 64 << 10,
    blockSize: 64 << 10,
    ...options,
  });
}

function open(fs: FetchFs, path: string): AsyncFileHandle {
  const h = fs.open(path, RD);
  if (typeof h === "number") assert.fail(`open ${path}: ${h}`);
  return h as AsyncFileHandle;
}

/** Reads `n` bytes at `pos` (awaiting a promise), as bytes or a negated errno. */
async function pread(h: AsyncFileHandle, n: number, pos: number): Promise<Uint8Array | number> {
  const buf = new Uint8Array(n);
  const r = await h.read(buf, pos);
  return r < 0 ? r : buf.subarray(0, r);
}

/** The whole file through reads of `chunk` bytes, or the first errno. */
async function readAll(h: AsyncFileHandle, chunk = 4096): Promise<Uint8Array | number> {
  const parts: number[] = [];
  for (;;) {
    const buf = new Uint8Array(chunk);
    const n = await h.read(buf);
    if (n < 0) return n;
    if (n === 0) return new Uint8Array(parts);
    parts.push(...buf.subarray(0, n));
  }
}

describe("the manifest", () => {
  const base = { base: "http://127.0.0.1:9/t/", fetch: () => Promise.reject(new Error("no")) };
  const withEntry = (name: string, node: unknown = { size: 1 }) => ({
    format: "hostcall-fetchfs/1",
    root: { entries: { [name]: node } },
  });
  const refused: [string, unknown, RegExp][] = [
    ["a name ..", withEntry(".."), /is not a valid name/],
    ["a name .", withEntry("."), /is not a valid name/],
    ["a name with a slash", withEntry("a/b"), /is not a valid name/],
    ["a name with a backslash", withEntry("a\\b"), /is not a valid name/],
    ["a name with NUL", withEntry("a\0b"), /is not a valid name/],
    ["an encoded slash", withEntry("a%2Fb"), /decodes to a slash/],
    ["an encoded ..", withEntry("%2e%2E"), /decodes to/],
    ["an encoded NUL", withEntry("a%00"), /decodes to/],
    ["an absolute target", withEntry("l", { link: "/etc/passwd" }), /absolute/],
    ["a //host target", withEntry("l", { link: "//evil.example/x" }), /absolute/],
    ["a URL target", withEntry("l", { link: "http://evil.example/x" }), /is a URL/],
    ["a target climbing out", withEntry("l", { link: "../x" }), /climbs out/],
    ["a target with NUL", withEntry("l", { link: "a\0" }), /NUL/],
    ["a target with an encoded slash", withEntry("l", { link: "a%2f..%2f..%2fx" }), /encoded slash/],
    ["a negative size", withEntry("f", { size: -1 }), /size/],
    ["a fractional size", withEntry("f", { size: 1.5 }), /size/],
    ["two kinds in one node", withEntry("f", { size: 1, link: "x" }), /exactly one/],
    ["no kind", withEntry("f", {}), /exactly one/],
    ["a bad mtime", withEntry("f", { size: 1, mtime: "yesterday" }), /mtime/],
    ["a mode past 0o7777", withEntry("f", { size: 1, mode: 0o10000 }), /mode/],
    ["another format", { format: "other/1", root: { entries: {} } }, /format/],
    ["a root that is a file", { format: "hostcall-fetchfs/1", root: { size: 3 } }, /root/],
    ["not JSON", "{", /not JSON/],
  ];
  for (const [what, manifest, why] of refused) {
    test(`a manifest with ${what} is refused when it is read`, () => {
      assert.throws(
        () => new FetchFs({ ...base, manifest: manifest as FetchFsOptions["manifest"] }),
        (err: Error) => err instanceof TypeError && why.test(err.message),
      );
    });
  }

  test("a target with .. that stays inside the tree is kept (the sandbox walk resolves it)", () => {
    const fs = new FetchFs({
      ...base,
      manifest: {
        format: "hostcall-fetchfs/1",
        root: { entries: { d: { entries: { l: { link: "../f" } } }, f: { size: 1 } } },
      },
    });
    assert.equal(fs.readlink("d/l"), "../f");
    const st = newStat();
    assert.equal(fs.stat("d/l", st, true), Errno.SUCCESS);
    assert.equal(st.filetype, Filetype.REGULAR_FILE);
  });

  test("scripts/fetchfs_manifest.mjs prints what manifestOf gives, and refuses a symlink leaving the tree", () => {
    const deno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
    const argv = deno ? ["run", "-A", SCRIPT, dir] : [SCRIPT, dir];
    const r = spawnSync(process.execPath, argv, { encoding: "utf8", timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), manifestOf(dir));
    const bad = mkdtempSync(join(tmpdir(), "hostcall-fetchfs-bad-"));
    try {
      symlinkSync("../../etc", join(bad, "out"));
      const argvBad = deno ? ["run", "-A", SCRIPT, bad] : [SCRIPT, bad];
      const b = spawnSync(process.execPath, argvBad, { encoding: "utf8", timeout: 60_000 });
      assert.equal(b.status, 1);
      assert.match(b.stderr, /out: the symlink's target "\.\.\/\.\.\/etc" leaves the tree/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});

describe("FetchFs against a local server", () => {
  test("stat, readdir, readlink and open come from the manifest: no request", () => {
    const fs = fetchFs();
    const st = newStat();
    assert.equal(fs.stat("d/sub/large.bin", st, false), Errno.SUCCESS);
    assert.deepEqual([st.filetype, st.size], [Filetype.REGULAR_FILE, LARGE.length]);
    assert.equal(fs.stat("link", st, false), Errno.SUCCESS);
    assert.equal(st.filetype, Filetype.SYMBOLIC_LINK);
    assert.equal(fs.stat("link", st, true), Errno.SUCCESS);
    assert.equal(st.size, SMALL.length);
    assert.equal(fs.readlink("link"), "d/small.bin");
    assert.equal(fs.stat("d/missing", st, false), Errno.NOENT);
    assert.equal(fs.stat("other.bin/x", st, false), Errno.NOTDIR);
    const names: string[] = [];
    const h = fs.open("", openFlags({ read: true, directory: true })) as AsyncFileHandle;
    assert.equal(h.readdir(0n, (n) => (names.push(n), true)), Errno.SUCCESS);
    assert.deepEqual(names, ["a b%2541?#ü.txt", "d", "empty", "link", "other.bin"]);
    open(fs, "d/sub/large.bin").close();
    assert.deepEqual(server.log, []);
  });

  test("writes of every kind are EROFS; open of a symlink is ELOOP, of a file as a directory ENOTDIR", () => {
    const fs = fetchFs();
    assert.equal(fs.open("other.bin", openFlags({ write: true })), Errno.ROFS);
    assert.equal(fs.open("new", openFlags({ write: true, create: true })), Errno.ROFS);
    assert.equal(fs.mkdir("x"), Errno.ROFS);
    assert.equal(fs.unlink("other.bin"), Errno.ROFS);
    assert.equal(fs.rename("other.bin", "x"), Errno.ROFS);
    assert.equal(fs.utimes("other.bin", 1n, 1n, false), Errno.ROFS);
    assert.equal(fs.open("link", RD), Errno.LOOP);
    assert.equal(fs.open("other.bin", openFlags({ read: true, directory: true })), Errno.NOTDIR);
  });

  test("a small file is fetched whole on its first read, once; later reads come from the cache synchronously", async () => {
    const fs = fetchFs();
    const h = open(fs, "d/small.bin");
    assert.deepEqual(await readAll(h, 1000), SMALL);
    assert.deepEqual(server.log, [{ path: "d/small.bin", range: "" }]);
    const again = open(fs, "d/small.bin");
    const buf = new Uint8Array(10);
    assert.equal(again.read(buf, 100), 10, "a cached read answers a number, not a promise");
    assert.deepEqual(buf, SMALL.subarray(100, 110));
    assert.equal(server.log.length, 1);
    assert.equal(fs.stats.requests, 1);
    assert.equal(await open(fs, "empty").read(buf), 0, "an empty file needs no request");
    assert.equal(server.log.length, 1);
  });

  test("a large file is read by Range: only the blocks a read needs, each once", async () => {
    const fs = fetchFs();
    const h = open(fs, "d/sub/large.bin");
    assert.deepEqual(await pread(h, 100_000, 300_000), LARGE.subarray(300_000, 400_000));
    assert.deepEqual(server.log.map((l) => l.range), ["bytes=262144-458751"], "blocks 4-6 in one request");
    assert.deepEqual(await pread(h, 1000, 999_500), LARGE.subarray(999_500, 1_000_000), "the short last block");
    assert.deepEqual(await pread(h, 10, 400_000), LARGE.subarray(400_000, 400_010));
    assert.equal(server.log.length, 2);
    assert.ok(fs.stats.bytes < 300_000, `fetched ${fs.stats.bytes} bytes of a 1 MB file`);
  });

  test("two reads of the same bytes at once share one request", async () => {
    const fs = fetchFs();
    const [a, b] = await Promise.all([pread(open(fs, "other.bin"), 3000, 0), pread(open(fs, "other.bin"), 10, 5)]);
    assert.deepEqual(a, OTHER);
    assert.deepEqual(b, OTHER.subarray(5, 15));
    assert.equal(server.log.length, 1);
  });

  test("the cache keeps at most cacheBytes, least recently used evicted first", async () => {
    const fs = fetchFs({ cacheBytes: 9000 });
    await pread(open(fs, "d/small.bin"), 10, 0); // 5000
    await pread(open(fs, "other.bin"), 10, 0); // 3000: 8000 cached
    await pread(open(fs, "d/small.bin"), 10, 0); // a hit, now the most recent
    assert.equal(fs.stats.cached, 8000);
    await pread(open(fs, "d/sub/large.bin"), 10, 0); // a 9000-byte block (blocks never exceed the budget)
    assert.equal(fs.stats.cached, 9000, "both small files evicted");
    assert.equal(server.log.length, 3);
    await pread(open(fs, "other.bin"), 10, 0);
    assert.equal(server.log.length, 4, "an evicted file is fetched again");
    const extra = new FetchFs({ base: server.url, manifest: manifestOf(dir), cacheBytes: 6000 });
    await pread(open(extra, "d/small.bin"), 10, 0);
    await pread(open(extra, "other.bin"), 10, 0); // evicts small.bin
    assert.equal(extra.stats.cached, 3000);
    await pread(open(extra, "d/small.bin"), 10, 0);
    assert.deepEqual(server.log.map((l) => l.path).slice(-3), ["d/small.bin", "other.bin", "d/small.bin"]);
    assert.ok(extra.stats.peakCached <= 6000);
  });

  test("a budget smaller than one file: every byte still arrives, by Range, and the cache never holds more", async () => {
    const fs = fetchFs({ cacheBytes: 1000 });
    assert.deepEqual(await readAll(open(fs, "d/small.bin"), 512), SMALL);
    assert.ok(fs.stats.peakCached <= 1000);
    assert.ok(server.log.every((l) => l.range !== ""), "no whole fetch of a file larger than the budget");
    assert.ok(server.log.length <= 20, `${server.log.length} requests for 5000 bytes`);
  });

  test("a server ignoring Range (200 with the whole file) still gives the right bytes", async () => {
    const fs = fetchFs({
      fetch: (r: Request) => {
        const h = new Headers(r.headers);
        h.delete("range");
        return fetch(new Request(r.url, { headers: h }));
      },
    });
    assert.deepEqual(await pread(open(fs, "d/sub/large.bin"), 100, 70_000), LARGE.subarray(70_000, 70_100));
  });

  test("names are percent-encoded one by one: the server gets exactly the path, under the base", async () => {
    const fs = fetchFs();
    const got = await readAll(open(fs, "a b%2541?#ü.txt"));
    assert.equal(new TextDecoder().decode(got as Uint8Array), "odd name\n");
    assert.deepEqual(server.log, [{ path: "a b%2541?#ü.txt", range: "" }]);
  });

  test("FetchFs.fromUrl fetches the manifest and takes its directory as the base", async () => {
    const sub = mkdtempSync(join(dir, "m-"));
    try {
      writeFileSync(join(sub, "x.txt"), "x!");
      writeFileSync(join(sub, "fetchfs.json"), JSON.stringify(manifestOf(sub, { skip: join(sub, "fetchfs.json") })));
      const name = sub.slice(dir.length + 1);
      const fs = await FetchFs.fromUrl(`${server.url}${name}/fetchfs.json`);
      assert.equal(fs.stat("fetchfs.json", newStat(), false), Errno.NOENT, "the manifest leaves itself out");
      assert.equal(new TextDecoder().decode(await readAll(open(fs, "x.txt")) as Uint8Array), "x!");
      await assert.rejects(FetchFs.fromUrl(`${server.url}${name}/nope.json`), /answered 404/);
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  });
});

describe("FetchFs failures are errnos", () => {
  const cases: [string, StaticServer["fault"], number][] = [
    ["404 is ENOENT", () => "404", -Errno.NOENT],
    ["500 is EIO", () => "500", -Errno.IO],
    ["a reset connection is EIO", () => "reset", -Errno.IO],
    ["a body cut short is EIO", () => "short", -Errno.IO],
    ["a body longer than the manifest says is EIO", () => "long", -Errno.IO],
  ];
  for (const [what, fault, errno] of cases) {
    test(`${what}; the next read, once the server is well again, succeeds`, async () => {
      const fs = fetchFs();
      server.fault = fault;
      assert.equal(await pread(open(fs, "other.bin"), 10, 0), errno);
      assert.equal(await pread(open(fs, "d/sub/large.bin"), 10, 100_000), errno, "a Range request too");
      assert.equal(fs.stats.failures, 2);
      server.fault = null;
      assert.deepEqual(await pread(open(fs, "other.bin"), 10, 0), OTHER.subarray(0, 10));
    });
  }

  test("a connection reset once (as a kept-alive connection the server closed) is tried again, once", async () => {
    const fs = fetchFs();
    let seen = 0;
    server.fault = () => (++seen === 1 ? "reset" : null);
    assert.deepEqual(await pread(open(fs, "other.bin"), 10, 0), OTHER.subarray(0, 10));
    assert.equal(fs.stats.failures, 0);
    assert.ok(fs.stats.retries <= 1);
    assert.deepEqual(server.log.map((l) => l.path), ["other.bin", "other.bin"], "reset, then served");
  });

  test("a server that never answers is EIO after timeoutMs, with no second try", async () => {
    const fs = fetchFs({ timeoutMs: 300 });
    server.fault = () => "hang";
    const t0 = performance.now();
    assert.equal(await pread(open(fs, "other.bin"), 10, 0), -Errno.IO);
    assert.ok(performance.now() - t0 < 5000);
    assert.equal(fs.stats.retries, 0);
  });

  test("a server gone (connection refused) is EIO", async () => {
    const gone = await serveDir(dir);
    await gone.stop();
    const fs = new FetchFs({ base: gone.url, manifest: manifestOf(dir) });
    assert.equal(await pread(open(fs, "other.bin"), 10, 0), -Errno.IO);
  });

  test("a manifest that lies: a size larger or smaller than the file is EIO, a file the server lacks ENOENT", async () => {
    const m = manifestOf(dir);
    m.root.entries["other.bin"].size = 4000; // it has 3000
    m.root.entries["empty"].size = 10; // it has 0
    m.root.entries["d"].entries["small.bin"].size = 10; // it has 5000
    m.root.entries["ghost"] = { size: 5 };
    const fs = new FetchFs({ base: server.url, manifest: m });
    assert.equal(await pread(open(fs, "other.bin"), 10, 0), -Errno.IO);
    assert.equal(await pread(open(fs, "empty"), 10, 0), -Errno.IO);
    assert.equal(await pread(open(fs, "d/small.bin"), 10, 0), -Errno.IO);
    assert.equal(await pread(open(fs, "ghost"), 5, 0), -Errno.NOENT);
  });
});
