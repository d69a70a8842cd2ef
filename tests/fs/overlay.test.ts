// overlay(lower, upper): the conformance suite over an empty lower (a FetchFs with an empty tree, and a MemoryFs), then
// what only an overlay does: copy-up, whiteouts, merged listings, over a populated lower.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno } from "../../src/abi/errno.ts";
import { Filetype } from "../../src/abi/consts.ts";
import { MemoryFs } from "../../src/fs/memory.ts";
import { FetchFs } from "../../src/fs/fetch.ts";
import { overlay } from "../../src/fs/overlay.ts";
import { readOnly } from "../../src/fs/readonly.ts";
import { type FileHandle, type FileSystem, newStat, type OpenFlags, openFlags } from "../../src/fs/types.ts";
import { conformance } from "./conformance.ts";

const EMPTY = { format: "hostcall-fetchfs/1", root: { entries: {} } };
const noFetch = () => Promise.reject(new Error("no request expected"));

conformance("overlay over an empty FetchFs", () => ({
  fs: overlay(
    new FetchFs({ base: "http://127.0.0.1:9/", manifest: EMPTY, fetch: noFetch }),
    new MemoryFs(),
  ) as unknown as FileSystem,
  cleanup() {},
}));
conformance("overlay over an empty read-only MemoryFs", () => ({
  fs: overlay(readOnly(new MemoryFs()), new MemoryFs()),
  cleanup() {},
}));

const RD: OpenFlags = openFlags({ read: true });
const RW: OpenFlags = openFlags({ read: true, write: true });
const DIR: OpenFlags = openFlags({ read: true, directory: true });
const dec = new TextDecoder();

/** A lower tree: a/f ("lower f"), a/g, a/sub/deep, top.txt, link -> a/f; then the overlay over it, read-only. */
function layered(): { fs: FileSystem; lower: MemoryFs; upper: MemoryFs } {
  const lower = new MemoryFs();
  const put = (p: string, s: string) => {
    const h = lower.open(p, openFlags({ write: true, create: true })) as FileHandle;
    h.write(new TextEncoder().encode(s));
    h.close();
  };
  lower.mkdir("a");
  lower.mkdir("a/sub");
  put("a/f", "lower f");
  put("a/g", "lower g");
  put("a/sub/deep", "deep");
  put("top.txt", "top");
  lower.symlink("a/f", "link");
  lower.utimes("a/f", 1_000_000_000n, 2_000_000_000n, false);
  const upper = new MemoryFs();
  return { fs: overlay(readOnly(lower), upper), lower, upper };
}

function read(fs: FileSystem, p: string): string {
  const h = fs.open(p, RD);
  assert.equal(typeof h, "object", `open ${p}: ${h}`);
  const buf = new Uint8Array(100);
  const n = (h as FileHandle).read(buf);
  (h as FileHandle).close();
  return dec.decode(buf.subarray(0, n));
}

function list(fs: FileSystem, p: string): string[] {
  const h = fs.open(p, DIR) as FileHandle;
  const names: string[] = [];
  assert.equal(h.readdir(0n, (n) => (names.push(n), true)), Errno.SUCCESS);
  h.close();
  return names.sort();
}

function exists(fs: FileSystem, p: string): boolean {
  return fs.stat(p, newStat(), false) === Errno.SUCCESS;
}

describe("overlay only", () => {
  test("reads come from lower until a write copies the file up whole, with its times; lower is untouched", () => {
    const { fs, lower, upper } = layered();
    assert.equal(read(fs, "a/f"), "lower f");
    assert.equal(upper.stat("a", newStat(), false), Errno.NOENT, "reading copies nothing up");
    const h = fs.open("a/f", RW) as FileHandle;
    assert.equal(h.write(new TextEncoder().encode("UPPER")), 5);
    h.close();
    assert.equal(read(fs, "a/f"), "UPPER f");
    assert.equal(read(lower, "a/f"), "lower f");
    const st = newStat();
    assert.equal(upper.stat("a/f", st, false), Errno.SUCCESS);
    assert.equal(upper.stat("a", newStat(), false), Errno.SUCCESS, "its directory came up too");
    assert.deepEqual(list(fs, "a"), ["f", "g", "sub"], "the directory is merged");
  });

  test("a copied-up file keeps lower's times until written; a new file gets the overlay's own inode space", () => {
    const { fs } = layered();
    assert.equal(fs.utimes("a/g", null, null, false), Errno.SUCCESS); // copies up, changes nothing
    const st = newStat();
    assert.equal(fs.stat("a/f", st, false), Errno.SUCCESS);
    assert.equal(st.mtimNs, 2_000_000_000n);
    const before = st.ino;
    assert.equal(fs.utimes("a/f", 5n, 6n, false), Errno.SUCCESS);
    assert.equal(fs.stat("a/f", st, false), Errno.SUCCESS);
    assert.deepEqual([st.atimNs, st.mtimNs], [5n, 6n]);
    assert.notEqual(st.ino, before, "a copy-up is another inode (as overlayfs without xino)");
    const d = newStat();
    assert.equal(fs.stat("a", d, false), Errno.SUCCESS);
    assert.equal(d.dev, st.dev, "one device for the whole overlay");
  });

  test("unlink and rmdir of lower entries leave whiteouts: gone from stat, open and listings, lower unchanged", () => {
    const { fs, lower } = layered();
    assert.equal(fs.unlink("a/g"), Errno.SUCCESS);
    assert.equal(fs.rmdir("a/sub"), Errno.NOTEMPTY);
    assert.equal(fs.unlink("a/sub/deep"), Errno.SUCCESS);
    assert.equal(fs.rmdir("a/sub"), Errno.SUCCESS);
    assert.deepEqual(list(fs, "a"), ["f"]);
    assert.equal(fs.open("a/g", RD), Errno.NOENT);
    assert.equal(fs.stat("a/sub/deep", newStat(), false), Errno.NOENT);
    assert.ok(exists(lower, "a/g") && exists(lower, "a/sub/deep"));
    assert.equal(fs.unlink("a/g"), Errno.NOENT);
  });

  test("a directory made where one was removed hides what lower had there", () => {
    const { fs } = layered();
    assert.equal(fs.unlink("a/sub/deep"), Errno.SUCCESS);
    assert.equal(fs.rmdir("a/sub"), Errno.SUCCESS);
    assert.equal(fs.mkdir("a/sub"), Errno.SUCCESS);
    assert.deepEqual(list(fs, "a/sub"), []);
    const h = fs.open("a/sub/deep", openFlags({ write: true, create: true })) as FileHandle;
    h.close();
    assert.equal(read(fs, "a/sub/deep"), "", "a new empty file, not lower's");
  });

  test("rename of a lower file copies it up; the old name is whited out; a lower directory is EXDEV", () => {
    const { fs } = layered();
    assert.equal(fs.rename("a/f", "moved"), Errno.SUCCESS);
    assert.equal(read(fs, "moved"), "lower f");
    assert.equal(exists(fs, "a/f"), false);
    assert.equal(fs.rename("top.txt", "a/g"), Errno.SUCCESS, "over a lower file");
    assert.equal(read(fs, "a/g"), "top");
    assert.equal(exists(fs, "top.txt"), false);
    assert.equal(fs.rename("a", "b"), Errno.XDEV);
    assert.equal(fs.rename("a/g", "a/sub"), Errno.ISDIR);
  });

  test("open with truncate of a lower file gives an empty upper file without reading lower", () => {
    const { fs } = layered();
    const h = fs.open("a/f", openFlags({ write: true, truncate: true })) as FileHandle;
    h.close();
    assert.equal(read(fs, "a/f"), "");
  });

  test("symlinks of lower are followed by stat, read by readlink, and a hard link of a lower file copies it up", () => {
    const { fs } = layered();
    assert.equal(fs.readlink("link"), "a/f");
    const st = newStat();
    assert.equal(fs.stat("link", st, true), Errno.SUCCESS);
    assert.equal(st.filetype, Filetype.REGULAR_FILE);
    assert.equal(fs.link("a/f", "hard"), Errno.SUCCESS);
    const x = newStat(), y = newStat();
    fs.stat("a/f", x, false);
    fs.stat("hard", y, false);
    assert.equal(x.ino, y.ino);
    assert.equal(x.nlink, 2n);
  });

  test("the root's listing merges both layers, upper first, without duplicates", () => {
    const { fs } = layered();
    const h = fs.open("new.txt", openFlags({ write: true, create: true })) as FileHandle;
    h.close();
    const g = fs.open("top.txt", RW) as FileHandle; // copied up: listed once
    g.close();
    assert.deepEqual(list(fs, ""), ["a", "link", "new.txt", "top.txt"]);
  });

  test("overlay() refuses an async upper and what is not a filesystem", () => {
    const fetchFs = new FetchFs({ base: "http://127.0.0.1:9/", manifest: EMPTY, fetch: noFetch });
    assert.throws(() => overlay(new MemoryFs(), fetchFs as unknown as FileSystem), /upper must be synchronous/);
    assert.throws(() => overlay(null as unknown as FileSystem, new MemoryFs()), /lower must be a FileSystem/);
  });
});
