// readOnly(fs): every mutation is ROFS, on the filesystem and on the handles it opens; reads pass through.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno } from "../../src/abi/errno.ts";
import { Filetype, Whence } from "../../src/abi/consts.ts";
import { MemoryFs } from "../../src/fs/memory.ts";
import { readOnly } from "../../src/fs/readonly.ts";
import { type FileHandle, type FileSystem, newStat, type OpenFlags, openFlags } from "../../src/fs/types.ts";

const NONE: OpenFlags = openFlags();
const RD: OpenFlags = { ...NONE, read: true };

/** A seeded MemoryFs and its read-only view. */
function seeded(): { tree: MemoryFs; fs: FileSystem } {
  const tree = new MemoryFs();
  tree.files.writeFile("d/f", "content");
  tree.symlink("d/f", "l");
  tree.files.mkdir("empty", { recursive: true });
  return { tree, fs: readOnly(tree) };
}

function open(fs: FileSystem, path: string, flags: OpenFlags): FileHandle {
  const h = fs.open(path, flags);
  if (typeof h === "number") assert.fail(`open ${path}: ${h}`);
  return h;
}

describe("readOnly", () => {
  test("every path mutation is ROFS and changes nothing", () => {
    const { tree, fs } = seeded();
    const before = newStat();
    tree.stat("d/f", before, false);
    assert.equal(fs.mkdir("new"), Errno.ROFS);
    assert.equal(fs.mkdir("d"), Errno.ROFS, "ROFS even where the writable answer would be EXIST");
    assert.equal(fs.rmdir("empty"), Errno.ROFS);
    assert.equal(fs.unlink("d/f"), Errno.ROFS);
    assert.equal(fs.unlink("l"), Errno.ROFS);
    assert.equal(fs.rename("d/f", "g"), Errno.ROFS);
    assert.equal(fs.link("d/f", "g"), Errno.ROFS);
    assert.equal(fs.symlink("x", "s"), Errno.ROFS);
    assert.equal(fs.utimes("d/f", 1n, 2n, false), Errno.ROFS);
    assert.equal(fs.utimes("l", null, null, true), Errno.ROFS);
    const after = newStat();
    tree.stat("d/f", after, false);
    assert.deepEqual(after, before);
    assert.equal(new TextDecoder().decode(tree.files.readFile("d/f")), "content");
    assert.equal(tree.stat("empty", newStat(), false), Errno.SUCCESS);
    assert.equal(tree.stat("new", newStat(), false), Errno.NOENT);
  });

  test("open for writing, creating, truncating or appending is ROFS", () => {
    const { tree, fs } = seeded();
    assert.equal(fs.open("d/f", { ...RD, write: true }), Errno.ROFS);
    assert.equal(fs.open("d/f", { ...NONE, write: true }), Errno.ROFS);
    assert.equal(fs.open("new", { ...RD, create: true }), Errno.ROFS);
    assert.equal(fs.open("d/f", { ...RD, truncate: true }), Errno.ROFS);
    assert.equal(fs.open("d/f", { ...RD, append: true }), Errno.ROFS);
    assert.equal(fs.open("d/f", { ...RD, create: true, exclusive: true }), Errno.ROFS);
    assert.equal(tree.files.readFile("d/f").length, 7);
  });

  test("a handle opened for reading refuses write, truncate, utimes and setAppend(true) with ROFS", () => {
    const { tree, fs } = seeded();
    const h = open(fs, "d/f", RD);
    assert.equal(h.write(new Uint8Array([1])), -Errno.ROFS);
    assert.equal(h.write(new Uint8Array([1]), 0), -Errno.ROFS);
    assert.equal(h.truncate(0), Errno.ROFS);
    assert.equal(h.utimes(1n, 1n), Errno.ROFS);
    assert.equal(h.setAppend(true), Errno.ROFS);
    assert.equal(h.setAppend(false), Errno.SUCCESS);
    assert.equal(h.close(), Errno.SUCCESS);
    assert.equal(new TextDecoder().decode(tree.files.readFile("d/f")), "content");
  });

  test("reads, seek, stat, readlink, readdir, sync and close pass through", () => {
    const { fs } = seeded();
    const h = open(fs, "d/f", RD);
    const buf = new Uint8Array(3);
    assert.equal(h.seek(2, Whence.SET), 2);
    assert.equal(h.read(buf), 3);
    assert.equal(new TextDecoder().decode(buf), "nte");
    assert.equal(h.read(buf, 0), 3);
    assert.equal(new TextDecoder().decode(buf), "con");
    const s = newStat();
    assert.equal(h.stat(s), Errno.SUCCESS);
    assert.equal(s.size, 7);
    assert.equal(h.sync(), Errno.SUCCESS);
    assert.equal(h.datasync(), Errno.SUCCESS);
    assert.equal(h.close(), Errno.SUCCESS);
    assert.equal(h.close(), Errno.BADF, "the inner handle's answer passes through");
    assert.equal(fs.readlink("l"), "d/f");
    assert.equal(fs.stat("l", s, true), Errno.SUCCESS);
    assert.equal(s.filetype, Filetype.REGULAR_FILE);
    assert.equal(fs.stat("missing", s, false), Errno.NOENT);
    const d = open(fs, "", { ...RD, directory: true });
    const names: string[] = [];
    assert.equal(d.readdir(0n, (n) => (names.push(n), true)), Errno.SUCCESS);
    assert.deepEqual(names, ["d", "l", "empty"]);
    d.close();
  });

  test("open with neither read nor write (to stat) passes through, errors too", () => {
    const { fs } = seeded();
    const h = open(fs, "d/f", NONE);
    const s = newStat();
    assert.equal(h.stat(s), Errno.SUCCESS);
    assert.equal(s.size, 7);
    h.close();
    assert.equal(fs.open("missing", RD), Errno.NOENT);
    assert.equal(fs.open("d/f", { ...RD, directory: true }), Errno.NOTDIR);
  });
});
