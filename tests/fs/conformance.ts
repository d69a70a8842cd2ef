// One conformance suite for every FileSystem backend (memory, Deno, node:fs), identical assertions.
//
// Everything is created through the seam itself, so a backend needs no setup beyond an empty root. The expected
// errno values are Linux's (POSIX where Linux picks one of several). Times: host filesystems store ns, but Deno's
// and node's utimes take float seconds, so a value set and read back is asserted exactly only when it is a multiple
// of 1000 ns whose fraction of a second is also exact in binary (k/64 s); anything finer may come back rounded.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno, errnoName } from "../../src/abi/errno.ts";
import { Filetype, Whence } from "../../src/abi/consts.ts";
import { type FileHandle, type FileSystem, newStat, type OpenFlags, openFlags, type Stat } from "../../src/fs/types.ts";

/** A fresh, empty backend root and how to dispose of it. */
export interface FsFixture {
  /** The backend under test, rooted at an empty directory. */
  fs: FileSystem;
  /** Removes whatever the fixture created (a temp dir); called after each test. */
  cleanup(): void;
}

const NONE: OpenFlags = openFlags();
const RD: OpenFlags = { ...NONE, read: true };
const RW: OpenFlags = { ...NONE, read: true, write: true };
const WR: OpenFlags = { ...NONE, write: true };
const CREATE: OpenFlags = { ...NONE, read: true, write: true, create: true };
const DIR: OpenFlags = { ...NONE, read: true, directory: true };

// Exact times: whole µs, and the fraction of a second is k/64 (exact as a float number of seconds).
const A1 = 1_600_000_000_015_625_000n;
const M1 = 1_500_000_000_750_000_000n;
const A2 = 1_700_000_000_500_000_000n;
const M2 = 1_234_567_890_250_000_000n;
/** Slack for "plausible" times: host filesystems stamp with a coarse clock that may lag Date.now(). */
const SLACK = 5_000_000_000n;

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;
const name = (e: number): string => `${errnoName(e)} (${e})`;

/** Asserts an errno, naming both sides. */
function expectErrno(actual: number, expected: Errno, what: string): void {
  assert.equal(actual, expected, `${what}: expected ${name(expected)}, got ${name(actual)}`);
}

/** Asserts an IoResult: a count, or a negated errno. */
function expectIo(actual: number, expected: number, what: string): void {
  const show = (n: number): string => (n < 0 ? `-${name(-n)}` : String(n));
  assert.equal(actual, expected, `${what}: expected ${show(expected)}, got ${show(actual)}`);
}

export function open(fs: FileSystem, path: string, flags: OpenFlags): FileHandle {
  const h = fs.open(path, flags);
  if (typeof h === "number") assert.fail(`open(${JSON.stringify(path)}): ${name(h)}`);
  return h;
}

/** The errno `open` answers, closing a handle it should not have given. */
function openErrno(fs: FileSystem, path: string, flags: OpenFlags): number {
  const h = fs.open(path, flags);
  if (typeof h === "number") return h;
  h.close();
  return Errno.SUCCESS;
}

/** Creates (or replaces) a file holding `data`. */
function put(fs: FileSystem, path: string, data: string | Uint8Array): void {
  const b = typeof data === "string" ? bytes(data) : data;
  const h = open(fs, path, { ...WR, create: true, truncate: true });
  expectIo(h.write(b), b.length, `write ${path}`);
  expectErrno(h.close(), Errno.SUCCESS, "close");
}

/** Reads a handle from its offset to the end, in small chunks. */
function drain(h: FileHandle): Uint8Array {
  const chunks: number[] = [];
  const buf = new Uint8Array(7);
  for (;;) {
    const n = h.read(buf);
    if (n < 0) assert.fail(`read: ${name(-n)}`);
    if (n === 0) return new Uint8Array(chunks);
    chunks.push(...buf.subarray(0, n));
  }
}

function get(fs: FileSystem, path: string): string {
  const h = open(fs, path, RD);
  const s = dec.decode(drain(h));
  h.close();
  return s;
}

export function stat(fs: FileSystem, path: string, follow = false): Stat {
  const s = newStat();
  expectErrno(fs.stat(path, s, follow), Errno.SUCCESS, `stat ${path}`);
  return s;
}

export function hstat(h: FileHandle): Stat {
  const s = newStat();
  expectErrno(h.stat(s), Errno.SUCCESS, "handle stat");
  return s;
}

function exists(fs: FileSystem, path: string): boolean {
  return fs.stat(path, newStat(), false) === Errno.SUCCESS;
}

type Entry = { name: string; type: number; ino: bigint };

/** The whole listing of a directory (cookie 0, no early stop). */
function list(fs: FileSystem, path: string): Entry[] {
  const h = open(fs, path, DIR);
  const out: Entry[] = [];
  expectErrno(h.readdir(0n, (name, type, ino) => (out.push({ name, type, ino }), true)), Errno.SUCCESS, "readdir");
  h.close();
  return out;
}

const sorted = (names: string[]): string[] => [...names].sort();

function assertPlausible(t: bigint, from: bigint, what: string): void {
  assert.equal(typeof t, "bigint", `${what} is a bigint`);
  assert.ok(t >= from - SLACK && t <= nowNs() + SLACK, `${what} = ${t} is not near now (${from})`);
}

/** Registers `describe(name, ...)` with node:test: every seam method and its errnos, on `make()`'s backend. */
export function conformance(name: string, make: () => FsFixture): void {
  /** One test on a fresh fixture, cleaned up even when it fails. */
  const it = (title: string, body: (fs: FileSystem) => void): void => {
    test(title, () => {
      const f = make();
      try {
        body(f.fs);
      } finally {
        f.cleanup();
      }
    });
  };

  describe(name, () => {
    describe("open", () => {
      it("open with create makes a file; what was written reads back", (fs) => {
        const h = open(fs, "a.txt", CREATE);
        expectIo(h.write(bytes("hello, world")), 12, "write");
        expectIo(h.seek(0, Whence.SET), 0, "seek");
        assert.equal(dec.decode(drain(h)), "hello, world");
        expectErrno(h.close(), Errno.SUCCESS, "close");
        assert.equal(get(fs, "a.txt"), "hello, world");
        assert.equal(stat(fs, "a.txt").filetype, Filetype.REGULAR_FILE);
      });

      it("open of a missing path without create is NOENT", (fs) => {
        expectErrno(openErrno(fs, "missing", RD), Errno.NOENT, "open missing");
        expectErrno(openErrno(fs, "missing", RW), Errno.NOENT, "open missing for writing");
        assert.equal(exists(fs, "missing"), false);
      });

      it("open with create and exclusive on an existing file is EXIST; without exclusive it keeps the content", (fs) => {
        put(fs, "f", "keep");
        expectErrno(openErrno(fs, "f", { ...CREATE, exclusive: true }), Errno.EXIST, "create+exclusive");
        fs.mkdir("d");
        expectErrno(openErrno(fs, "d", { ...CREATE, exclusive: true }), Errno.EXIST, "create+exclusive on a dir");
        fs.symlink("f", "l");
        expectErrno(openErrno(fs, "l", { ...CREATE, exclusive: true }), Errno.EXIST, "create+exclusive on a symlink");
        open(fs, "f", CREATE).close();
        assert.equal(get(fs, "f"), "keep");
        const h = open(fs, "new", { ...CREATE, exclusive: true });
        h.close();
        assert.equal(stat(fs, "new").size, 0);
      });

      it("open never follows a final symlink: LOOP, to a file, a directory, or nowhere with create", (fs) => {
        put(fs, "f", "keep");
        fs.mkdir("d");
        fs.symlink("f", "lf");
        fs.symlink("d", "ld");
        fs.symlink("nowhere", "ln");
        expectErrno(openErrno(fs, "lf", RD), Errno.LOOP, "open a symlink to a file");
        expectErrno(openErrno(fs, "lf", { ...RW, truncate: true }), Errno.LOOP, "truncate through a symlink");
        expectErrno(openErrno(fs, "ld", DIR), Errno.LOOP, "open a symlink to a directory");
        expectErrno(openErrno(fs, "ln", CREATE), Errno.LOOP, "create through a dangling symlink");
        assert.equal(get(fs, "f"), "keep");
        assert.equal(exists(fs, "nowhere"), false);
      });

      it("open with `seen` (what the caller's lstat found) still answers for what is there now", (fs) => {
        const seenFile = { seen: Filetype.REGULAR_FILE };
        put(fs, "f", "abc");
        const h = open(fs, "f", { ...RD, ...seenFile });
        assert.equal(get(fs, "f"), "abc");
        expectErrno(h.close(), Errno.SUCCESS, "close");
        // The file went away after the caller looked: without create NOENT, with create a new empty file.
        expectErrno(openErrno(fs, "gone", { ...RD, ...seenFile }), Errno.NOENT, "open a vanished file");
        open(fs, "gone", { ...CREATE, ...seenFile }).close();
        assert.equal(stat(fs, "gone").size, 0);
        // A directory where the caller saw a file: a directory handle or NOTDIR, never a file opened for writing.
        fs.mkdir("d");
        expectErrno(openErrno(fs, "d", { ...RW, ...seenFile }), Errno.ISDIR, "open a directory for writing");
      });

      it("open under a missing parent is NOENT, with or without create", (fs) => {
        expectErrno(openErrno(fs, "no/f", RD), Errno.NOENT, "open no/f");
        expectErrno(openErrno(fs, "no/f", CREATE), Errno.NOENT, "create no/f");
        fs.mkdir("d");
        expectErrno(openErrno(fs, "d/no/f", CREATE), Errno.NOENT, "create d/no/f");
      });

      it("open under a parent that is a file is NOTDIR", (fs) => {
        put(fs, "f", "x");
        expectErrno(openErrno(fs, "f/g", RD), Errno.NOTDIR, "open f/g");
        expectErrno(openErrno(fs, "f/g", CREATE), Errno.NOTDIR, "create f/g");
      });

      it("open with the directory flag on a file is NOTDIR", (fs) => {
        put(fs, "f", "x");
        expectErrno(openErrno(fs, "f", DIR), Errno.NOTDIR, "open f as a directory");
      });

      it("open of a directory for writing or creating is ISDIR", (fs) => {
        expectErrno(fs.mkdir("d"), Errno.SUCCESS, "mkdir");
        expectErrno(openErrno(fs, "d", RW), Errno.ISDIR, "open d read-write");
        expectErrno(openErrno(fs, "d", WR), Errno.ISDIR, "open d write-only");
        expectErrno(openErrno(fs, "d", { ...RD, create: true }), Errno.ISDIR, "open d with create");
      });

      it("a directory handle, with or without the directory flag: read and write are ISDIR, stat works", (fs) => {
        fs.mkdir("d");
        for (const flags of [DIR, RD]) {
          const h = open(fs, "d", flags);
          expectIo(h.read(new Uint8Array(8)), -Errno.ISDIR, "read a directory");
          expectIo(h.read(new Uint8Array(8), 0), -Errno.ISDIR, "pread a directory");
          expectIo(h.write(bytes("x")), -Errno.ISDIR, "write a directory");
          assert.equal(hstat(h).filetype, Filetype.DIRECTORY);
          expectErrno(h.close(), Errno.SUCCESS, "close");
        }
      });

      it('open of the root "" gives a directory handle', (fs) => {
        const h = open(fs, "", DIR);
        assert.equal(hstat(h).filetype, Filetype.DIRECTORY);
        assert.equal(hstat(h).ino, stat(fs, "").ino);
        h.close();
        assert.equal(stat(fs, "").filetype, Filetype.DIRECTORY);
      });

      it("open with truncate empties the file", (fs) => {
        put(fs, "f", "some content");
        const h = open(fs, "f", { ...RW, truncate: true });
        assert.equal(hstat(h).size, 0);
        expectIo(h.read(new Uint8Array(4)), 0, "read after truncate");
        h.close();
        assert.equal(get(fs, "f"), "");
      });

      it("open without read or write still gives a handle that stats", (fs) => {
        put(fs, "f", "abc");
        const h = open(fs, "f", NONE);
        assert.equal(hstat(h).size, 3);
        expectErrno(h.close(), Errno.SUCCESS, "close");
      });
    });

    describe("handles", () => {
      it("reads and writes move the offset; seek CUR 0 reports it", (fs) => {
        const h = open(fs, "f", CREATE);
        expectIo(h.write(bytes("abc")), 3, "write abc");
        expectIo(h.seek(0, Whence.CUR), 3, "offset after write");
        expectIo(h.write(bytes("def")), 3, "write def");
        expectIo(h.seek(1, Whence.SET), 1, "seek 1");
        const buf = new Uint8Array(2);
        expectIo(h.read(buf), 2, "read 2");
        assert.equal(dec.decode(buf), "bc");
        expectIo(h.seek(0, Whence.CUR), 3, "offset after read");
        assert.equal(dec.decode(drain(h)), "def");
        h.close();
      });

      it("positional read and write leave the offset alone", (fs) => {
        const h = open(fs, "f", CREATE);
        expectIo(h.write(bytes("0123456789")), 10, "write");
        expectIo(h.seek(2, Whence.SET), 2, "seek");
        const buf = new Uint8Array(3);
        expectIo(h.read(buf, 6), 3, "pread");
        assert.equal(dec.decode(buf), "678");
        expectIo(h.seek(0, Whence.CUR), 2, "offset after pread");
        expectIo(h.write(bytes("XY"), 8), 2, "pwrite");
        expectIo(h.seek(0, Whence.CUR), 2, "offset after pwrite");
        expectIo(h.write(bytes("ab"), 12), 2, "pwrite past the end");
        expectIo(h.seek(0, Whence.CUR), 2, "offset after pwrite past the end");
        expectIo(h.read(buf), 3, "read at the offset");
        assert.equal(dec.decode(buf), "234");
        h.close();
        assert.equal(get(fs, "f"), "01234567XY\0\0ab");
      });

      it("append mode writes at the end, positional writes too; setAppend switches it", (fs) => {
        put(fs, "f", "start");
        const h = open(fs, "f", { ...RW, append: true });
        expectIo(h.write(bytes("+1")), 2, "append");
        expectIo(h.seek(0, Whence.CUR), 7, "offset after an appending write");
        expectIo(h.seek(0, Whence.SET), 0, "seek 0");
        expectIo(h.write(bytes("+2")), 2, "append after seek 0");
        expectIo(h.write(bytes("+3"), 1), 2, "positional write in append mode (Linux: appends)");
        expectErrno(h.setAppend(false), Errno.SUCCESS, "setAppend(false)");
        expectIo(h.seek(0, Whence.SET), 0, "seek 0");
        expectIo(h.write(bytes("S")), 1, "write at 0");
        expectErrno(h.setAppend(true), Errno.SUCCESS, "setAppend(true)");
        expectIo(h.write(bytes("+4")), 2, "append again");
        h.close();
        assert.equal(get(fs, "f"), "Start+1+2+3+4");
        const w = open(fs, "f", RW);
        expectErrno(w.setAppend(true), Errno.SUCCESS, "setAppend(true) on a plain handle");
        expectIo(w.write(bytes("!")), 1, "write");
        w.close();
        assert.equal(get(fs, "f"), "Start+1+2+3+4!");
      });

      it("seek SET/CUR/END return the new offset; a negative result is INVAL and leaves it", (fs) => {
        put(fs, "f", "0123456789");
        const h = open(fs, "f", RD);
        expectIo(h.seek(4, Whence.SET), 4, "SET 4");
        expectIo(h.seek(3, Whence.CUR), 7, "CUR +3");
        expectIo(h.seek(-2, Whence.CUR), 5, "CUR -2");
        expectIo(h.seek(-1, Whence.END), 9, "END -1");
        expectIo(h.seek(5, Whence.END), 15, "END +5 (past the end)");
        expectIo(h.seek(-1, Whence.SET), -Errno.INVAL, "SET -1");
        expectIo(h.seek(-16, Whence.CUR), -Errno.INVAL, "CUR below 0");
        expectIo(h.seek(-11, Whence.END), -Errno.INVAL, "END below 0");
        expectIo(h.seek(0, Whence.CUR), 15, "offset after failed seeks");
        expectIo(h.read(new Uint8Array(4)), 0, "read past the end");
        h.close();
      });

      it("a write past the end after a seek zero-fills the gap", (fs) => {
        const h = open(fs, "f", CREATE);
        expectIo(h.write(bytes("ab")), 2, "write");
        expectIo(h.seek(1000, Whence.SET), 1000, "seek 1000");
        expectIo(h.write(bytes("z")), 1, "write at 1000");
        assert.equal(hstat(h).size, 1001);
        const all = new Uint8Array(1001);
        expectIo(h.read(all, 0), 1001, "read all");
        assert.equal(all[0], 97);
        assert.equal(all[1], 98);
        assert.ok(all.subarray(2, 1000).every((b) => b === 0), "the gap reads as zeros");
        assert.equal(all[1000], 122);
        h.close();
      });

      it("read at the end returns 0; a read near it returns the rest", (fs) => {
        put(fs, "f", "12345");
        const h = open(fs, "f", RD);
        const buf = new Uint8Array(10);
        expectIo(h.read(buf), 5, "read");
        expectIo(h.read(buf), 0, "read at EOF");
        expectIo(h.read(buf, 5), 0, "pread at EOF");
        expectIo(h.read(buf, 50), 0, "pread past EOF");
        expectIo(h.read(buf, 3), 2, "pread near EOF");
        assert.equal(dec.decode(buf.subarray(0, 2)), "45");
        expectIo(h.read(new Uint8Array(0)), 0, "read of 0 bytes");
        h.close();
      });

      it("truncate shrinks and grows (zero-filled) without moving the offset", (fs) => {
        put(fs, "f", "0123456789");
        const h = open(fs, "f", RW);
        expectIo(h.seek(3, Whence.SET), 3, "seek");
        expectErrno(h.truncate(4), Errno.SUCCESS, "truncate down");
        assert.equal(hstat(h).size, 4);
        expectErrno(h.truncate(8), Errno.SUCCESS, "truncate up");
        assert.equal(hstat(h).size, 8);
        expectIo(h.seek(0, Whence.CUR), 3, "offset after truncate");
        const buf = new Uint8Array(8);
        expectIo(h.read(buf, 0), 8, "read");
        assert.deepEqual([...buf], [48, 49, 50, 51, 0, 0, 0, 0]); // the old "4567" is gone
        expectErrno(h.truncate(0), Errno.SUCCESS, "truncate to 0");
        expectIo(h.read(buf, 0), 0, "read empty");
        expectErrno(h.truncate(3), Errno.SUCCESS, "truncate up from 0");
        expectIo(h.read(buf, 0), 3, "read zeros");
        assert.deepEqual([...buf.subarray(0, 3)], [0, 0, 0]);
        h.close();
        assert.equal(stat(fs, "f").size, 3);
      });

      it("write on a read-only handle and read on a write-only handle are BADF", (fs) => {
        put(fs, "f", "abc");
        const r = open(fs, "f", RD);
        expectIo(r.write(bytes("x")), -Errno.BADF, "write read-only");
        expectIo(r.write(bytes("x"), 0), -Errno.BADF, "pwrite read-only");
        r.close();
        const w = open(fs, "f", WR);
        expectIo(w.read(new Uint8Array(2)), -Errno.BADF, "read write-only");
        expectIo(w.read(new Uint8Array(2), 0), -Errno.BADF, "pread write-only");
        w.close();
        assert.equal(get(fs, "f"), "abc");
      });

      it("truncate on a read-only handle is INVAL (Linux ftruncate)", (fs) => {
        put(fs, "f", "abc");
        const r = open(fs, "f", RD);
        expectErrno(r.truncate(1), Errno.INVAL, "truncate read-only");
        r.close();
        assert.equal(stat(fs, "f").size, 3);
      });

      it("a second close is BADF, and a closed handle answers BADF", (fs) => {
        put(fs, "f", "abc");
        const h = open(fs, "f", RW);
        expectErrno(h.close(), Errno.SUCCESS, "close");
        expectErrno(h.close(), Errno.BADF, "second close");
        expectIo(h.read(new Uint8Array(2)), -Errno.BADF, "read after close");
        expectIo(h.write(bytes("x")), -Errno.BADF, "write after close");
        expectIo(h.seek(0, Whence.SET), -Errno.BADF, "seek after close");
        expectErrno(h.stat(newStat()), Errno.BADF, "stat after close");
        const d = open(fs, "", DIR);
        expectErrno(d.close(), Errno.SUCCESS, "close dir");
        expectErrno(d.close(), Errno.BADF, "second close of a dir");
      });

      it("sync and datasync succeed on files and directories", (fs) => {
        const h = open(fs, "f", CREATE);
        h.write(bytes("x"));
        expectErrno(h.sync(), Errno.SUCCESS, "sync");
        expectErrno(h.datasync(), Errno.SUCCESS, "datasync");
        h.close();
        const d = open(fs, "", DIR);
        expectErrno(d.sync(), Errno.SUCCESS, "sync dir");
        d.close();
      });

      it("two handles on one file see each other's writes", (fs) => {
        const a = open(fs, "f", CREATE);
        const b = open(fs, "f", RW);
        expectIo(a.write(bytes("from a")), 6, "write a");
        const buf = new Uint8Array(6);
        expectIo(b.read(buf), 6, "read b");
        assert.equal(dec.decode(buf), "from a");
        expectIo(b.write(bytes("B"), 0), 1, "pwrite b");
        expectIo(a.read(buf, 0), 6, "pread a");
        assert.equal(dec.decode(buf), "Brom a");
        assert.equal(hstat(a).size, 6);
        a.close();
        b.close();
      });
    });

    describe("stat", () => {
      it("stat of a file: filetype, size, nlink 1, dev and ino, plausible ns times", (fs) => {
        const t0 = nowNs();
        put(fs, "f", "12345");
        const s = stat(fs, "f");
        assert.equal(s.filetype, Filetype.REGULAR_FILE);
        assert.equal(s.size, 5);
        assert.equal(s.nlink, 1n);
        assert.equal(typeof s.dev, "bigint");
        assert.equal(typeof s.ino, "bigint");
        assert.notEqual(s.ino, 0n);
        assertPlausible(s.atimNs, t0, "atim");
        assertPlausible(s.mtimNs, t0, "mtim");
        assertPlausible(s.ctimNs, t0, "ctim");
        assert.deepEqual(stat(fs, "f", true), s, "follow makes no difference on a file");
      });

      it("stat of a directory: DIRECTORY, nlink >= 1, same dev as its files", (fs) => {
        fs.mkdir("d");
        put(fs, "d/f", "x");
        const d = stat(fs, "d");
        assert.equal(d.filetype, Filetype.DIRECTORY);
        assert.ok(d.nlink >= 1n);
        assert.equal(d.dev, stat(fs, "d/f").dev);
        assert.equal(stat(fs, "").dev, d.dev);
      });

      it("stat of a missing path is NOENT; through a file NOTDIR", (fs) => {
        put(fs, "f", "x");
        expectErrno(fs.stat("missing", newStat(), false), Errno.NOENT, "stat missing");
        expectErrno(fs.stat("missing/x", newStat(), true), Errno.NOENT, "stat missing/x");
        expectErrno(fs.stat("f/x", newStat(), false), Errno.NOTDIR, "stat f/x");
      });

      it("inodes differ between files and between a file and a directory", (fs) => {
        put(fs, "a", "1");
        put(fs, "b", "1");
        fs.mkdir("d");
        const inos = new Set([stat(fs, "a").ino, stat(fs, "b").ino, stat(fs, "d").ino, stat(fs, "").ino]);
        assert.equal(inos.size, 4);
      });

      it("birthNs: when the object was made (0n where the host keeps none), kept through writes, utimes and renames", (fs) => {
        const t0 = nowNs();
        put(fs, "f", "abc");
        fs.mkdir("d");
        const f = stat(fs, "f"), d = stat(fs, "d");
        if (f.birthNs === 0n) assert.equal(d.birthNs, 0n, "a host that keeps no birth times: none for directories");
        else {
          assertPlausible(f.birthNs, t0, "a file's birth");
          assertPlausible(d.birthNs, t0, "a directory's birth");
        }
        const h = open(fs, "f", RW);
        expectIo(h.write(bytes("more")), 4, "write");
        assert.equal(hstat(h).birthNs, f.birthNs, "a handle's stat has it too");
        h.close();
        expectErrno(fs.utimes("f", A1, M1, false), Errno.SUCCESS, "utimes");
        expectErrno(fs.rename("f", "g"), Errno.SUCCESS, "rename the file");
        expectErrno(fs.rename("d", "e"), Errno.SUCCESS, "rename the directory");
        assert.equal(stat(fs, "g").birthNs, f.birthNs, "the file keeps its birth");
        assert.equal(stat(fs, "e").birthNs, d.birthNs, "the directory keeps its birth");
      });

      it("a handle's stat agrees with the path's", (fs) => {
        put(fs, "f", "abc");
        const h = open(fs, "f", RD);
        const a = hstat(h), b = stat(fs, "f");
        assert.equal(a.ino, b.ino);
        assert.equal(a.dev, b.dev);
        assert.equal(a.size, b.size);
        assert.equal(a.filetype, b.filetype);
        assert.equal(a.nlink, b.nlink);
        assert.equal(a.mtimNs, b.mtimNs);
        h.close();
      });

      it("mtime moves forward after a write and after a truncate", (fs) => {
        put(fs, "f", "abc");
        expectErrno(fs.utimes("f", A1, M1, false), Errno.SUCCESS, "utimes");
        assert.equal(stat(fs, "f").mtimNs, M1);
        const t0 = nowNs();
        const h = open(fs, "f", RW);
        expectIo(h.write(bytes("x")), 1, "write");
        assertPlausible(hstat(h).mtimNs, t0, "mtim after write");
        expectErrno(h.utimes(null, M1), Errno.SUCCESS, "utimes");
        expectErrno(h.truncate(1), Errno.SUCCESS, "truncate");
        assertPlausible(hstat(h).mtimNs, t0, "mtim after truncate");
        h.close();
      });
    });

    describe("utimes", () => {
      it("utimes sets exact ns values (whole µs) and null leaves a time unchanged; ctime moves", (fs) => {
        put(fs, "f", "x");
        const t0 = nowNs();
        expectErrno(fs.utimes("f", A1, M1, false), Errno.SUCCESS, "utimes both");
        let s = stat(fs, "f");
        assert.equal(s.atimNs, A1);
        assert.equal(s.mtimNs, M1);
        assertPlausible(s.ctimNs, t0, "ctim after utimes");
        expectErrno(fs.utimes("f", null, M2, true), Errno.SUCCESS, "utimes mtime only");
        s = stat(fs, "f");
        assert.equal(s.atimNs, A1);
        assert.equal(s.mtimNs, M2);
        expectErrno(fs.utimes("f", A2, null, false), Errno.SUCCESS, "utimes atime only");
        s = stat(fs, "f");
        assert.equal(s.atimNs, A2);
        assert.equal(s.mtimNs, M2);
        expectErrno(fs.utimes("f", null, null, false), Errno.SUCCESS, "utimes neither");
        s = stat(fs, "f");
        assert.equal(s.atimNs, A2);
        assert.equal(s.mtimNs, M2);
        fs.mkdir("d");
        expectErrno(fs.utimes("d", A1, M1, false), Errno.SUCCESS, "utimes on a directory");
        assert.equal(stat(fs, "d").mtimNs, M1);
      });

      it("handle utimes sets exact values and null leaves a time unchanged", (fs) => {
        put(fs, "f", "x");
        const h = open(fs, "f", RW);
        expectErrno(h.utimes(A1, M1), Errno.SUCCESS, "utimes both");
        let s = hstat(h);
        assert.equal(s.atimNs, A1);
        assert.equal(s.mtimNs, M1);
        expectErrno(h.utimes(null, M2), Errno.SUCCESS, "utimes mtime only");
        s = hstat(h);
        assert.equal(s.atimNs, A1);
        assert.equal(s.mtimNs, M2);
        expectErrno(h.utimes(A2, null), Errno.SUCCESS, "utimes atime only");
        s = stat(fs, "f");
        assert.equal(s.atimNs, A2);
        assert.equal(s.mtimNs, M2);
        h.close();
        const d = open(fs, "", DIR);
        expectErrno(d.utimes(A1, M1), Errno.SUCCESS, "utimes on a directory handle");
        assert.equal(hstat(d).atimNs, A1);
        d.close();
      });

      it("utimes without follow sets a symlink's own times; with follow its target's", (fs) => {
        put(fs, "f", "x");
        fs.symlink("f", "l");
        expectErrno(fs.utimes("f", A1, M1, false), Errno.SUCCESS, "utimes f");
        expectErrno(fs.utimes("l", A2, M2, false), Errno.SUCCESS, "utimes l without follow");
        assert.equal(stat(fs, "l").mtimNs, M2);
        assert.equal(stat(fs, "l").atimNs, A2);
        assert.equal(stat(fs, "f").mtimNs, M1, "the target is untouched");
        expectErrno(fs.utimes("l", A2, M2, true), Errno.SUCCESS, "utimes l with follow");
        assert.equal(stat(fs, "f").mtimNs, M2);
        assert.equal(stat(fs, "f").atimNs, A2);
      });

      it("utimes of a missing path is NOENT", (fs) => {
        expectErrno(fs.utimes("missing", A1, M1, false), Errno.NOENT, "utimes missing");
        expectErrno(fs.utimes("missing", null, null, true), Errno.NOENT, "utimes missing, follow");
      });
    });

    describe("link", () => {
      it("link: one inode, nlink counts the names; unlink of one keeps the other", (fs) => {
        put(fs, "a", "shared");
        expectErrno(fs.link("a", "b"), Errno.SUCCESS, "link");
        const sa = stat(fs, "a"), sb = stat(fs, "b");
        assert.equal(sa.ino, sb.ino);
        assert.equal(sa.nlink, 2n);
        assert.equal(sb.nlink, 2n);
        fs.mkdir("d");
        expectErrno(fs.link("b", "d/c"), Errno.SUCCESS, "link into a subdirectory");
        assert.equal(stat(fs, "a").nlink, 3n);
        put(fs, "d/c", "changed"); // truncating open + write through one name: all names see it
        assert.equal(get(fs, "a"), "changed");
        expectErrno(fs.unlink("a"), Errno.SUCCESS, "unlink a");
        expectErrno(fs.unlink("d/c"), Errno.SUCCESS, "unlink d/c");
        assert.equal(stat(fs, "b").nlink, 1n);
        assert.equal(get(fs, "b"), "changed");
        put(fs, "other", "changed");
        assert.notEqual(stat(fs, "other").ino, stat(fs, "b").ino);
      });

      it("link errors: existing name EXIST, missing source NOENT, directory PERM, missing parent NOENT", (fs) => {
        put(fs, "a", "1");
        put(fs, "b", "2");
        fs.mkdir("d");
        expectErrno(fs.link("a", "b"), Errno.EXIST, "link onto a file");
        expectErrno(fs.link("a", "d"), Errno.EXIST, "link onto a dir");
        expectErrno(fs.link("missing", "c"), Errno.NOENT, "link from missing");
        expectErrno(fs.link("d", "e"), Errno.PERM, "link a directory");
        expectErrno(fs.link("a", "no/c"), Errno.NOENT, "link into a missing dir");
        expectErrno(fs.link("a", "b/c"), Errno.NOTDIR, "link under a file");
        assert.equal(stat(fs, "a").nlink, 1n);
        assert.equal(get(fs, "b"), "2");
      });
    });

    describe("mkdir and rmdir", () => {
      it("mkdir creates an empty directory; an existing name is EXIST", (fs) => {
        expectErrno(fs.mkdir("d"), Errno.SUCCESS, "mkdir");
        assert.equal(stat(fs, "d").filetype, Filetype.DIRECTORY);
        assert.deepEqual(list(fs, "d"), []);
        expectErrno(fs.mkdir("d/e"), Errno.SUCCESS, "mkdir nested");
        expectErrno(fs.mkdir("d"), Errno.EXIST, "mkdir existing dir");
        put(fs, "f", "x");
        expectErrno(fs.mkdir("f"), Errno.EXIST, "mkdir over a file");
        fs.symlink("nowhere", "l");
        expectErrno(fs.mkdir("l"), Errno.EXIST, "mkdir over a dangling symlink");
      });

      it("mkdir under a missing parent is NOENT, under a file NOTDIR", (fs) => {
        put(fs, "f", "x");
        expectErrno(fs.mkdir("no/d"), Errno.NOENT, "mkdir no/d");
        expectErrno(fs.mkdir("f/d"), Errno.NOTDIR, "mkdir f/d");
      });

      it("rmdir removes an empty directory", (fs) => {
        fs.mkdir("d");
        fs.mkdir("d/e");
        expectErrno(fs.rmdir("d/e"), Errno.SUCCESS, "rmdir d/e");
        expectErrno(fs.rmdir("d"), Errno.SUCCESS, "rmdir d");
        assert.equal(exists(fs, "d"), false);
        assert.deepEqual(list(fs, ""), []);
      });

      it("rmdir errors: non-empty NOTEMPTY, file NOTDIR, symlink NOTDIR, missing NOENT", (fs) => {
        fs.mkdir("d");
        put(fs, "d/f", "x");
        fs.symlink("d", "l");
        expectErrno(fs.rmdir("d"), Errno.NOTEMPTY, "rmdir non-empty");
        expectErrno(fs.rmdir("d/f"), Errno.NOTDIR, "rmdir a file");
        expectErrno(fs.rmdir("l"), Errno.NOTDIR, "rmdir a symlink to a dir");
        expectErrno(fs.rmdir("missing"), Errno.NOENT, "rmdir missing");
        assert.equal(get(fs, "d/f"), "x");
      });

      it("rmdir of the root is BUSY and leaves it in place", (fs) => {
        expectErrno(fs.rmdir(""), Errno.BUSY, "rmdir root");
        assert.equal(stat(fs, "").filetype, Filetype.DIRECTORY);
        put(fs, "f", "still here");
        assert.equal(get(fs, "f"), "still here");
      });
    });

    describe("unlink", () => {
      it("unlink removes a file; a directory is ISDIR; a missing name NOENT", (fs) => {
        put(fs, "f", "x");
        fs.mkdir("d");
        expectErrno(fs.unlink("f"), Errno.SUCCESS, "unlink f");
        assert.equal(exists(fs, "f"), false);
        expectErrno(fs.unlink("f"), Errno.NOENT, "unlink again");
        expectErrno(fs.unlink("d"), Errno.ISDIR, "unlink a dir");
        expectErrno(fs.unlink("no/f"), Errno.NOENT, "unlink under a missing dir");
        assert.equal(stat(fs, "d").filetype, Filetype.DIRECTORY);
      });

      it("unlink of a symlink removes the link, not its target (dangling ones too)", (fs) => {
        put(fs, "f", "target");
        fs.mkdir("d");
        fs.symlink("f", "lf");
        fs.symlink("d", "ld");
        fs.symlink("nowhere", "ln");
        expectErrno(fs.unlink("lf"), Errno.SUCCESS, "unlink link to file");
        expectErrno(fs.unlink("ld"), Errno.SUCCESS, "unlink link to dir");
        expectErrno(fs.unlink("ln"), Errno.SUCCESS, "unlink dangling link");
        assert.equal(get(fs, "f"), "target");
        assert.equal(stat(fs, "d").filetype, Filetype.DIRECTORY);
        assert.deepEqual(sorted(list(fs, "").map((e) => e.name)), ["d", "f"]);
      });

      it("an unlinked open file stays readable and writable, with nlink 0", (fs) => {
        put(fs, "f", "survives");
        const h = open(fs, "f", RW);
        expectErrno(fs.unlink("f"), Errno.SUCCESS, "unlink");
        assert.equal(exists(fs, "f"), false);
        assert.equal(dec.decode(drain(h)), "survives");
        expectIo(h.write(bytes("!")), 1, "write after unlink");
        const buf = new Uint8Array(9);
        expectIo(h.read(buf, 0), 9, "pread after unlink");
        assert.equal(dec.decode(buf), "survives!");
        const s = hstat(h);
        assert.equal(s.nlink, 0n);
        assert.equal(s.size, 9);
        put(fs, "f", "new file");
        assert.notEqual(stat(fs, "f").ino, s.ino);
        expectErrno(h.close(), Errno.SUCCESS, "close");
      });
    });

    describe("rename", () => {
      it("rename moves a file, keeping its inode", (fs) => {
        put(fs, "a", "content");
        fs.mkdir("d");
        const ino = stat(fs, "a").ino;
        expectErrno(fs.rename("a", "b"), Errno.SUCCESS, "rename a b");
        expectErrno(fs.rename("b", "d/c"), Errno.SUCCESS, "rename b d/c");
        assert.equal(exists(fs, "a"), false);
        assert.equal(exists(fs, "b"), false);
        assert.equal(get(fs, "d/c"), "content");
        assert.equal(stat(fs, "d/c").ino, ino);
      });

      it("rename over an existing file replaces it", (fs) => {
        put(fs, "a", "new");
        put(fs, "b", "old");
        const ino = stat(fs, "a").ino;
        const held = open(fs, "b", RD); // the replaced file lives on for its open handle
        expectErrno(fs.rename("a", "b"), Errno.SUCCESS, "rename over a file");
        assert.equal(exists(fs, "a"), false);
        assert.equal(get(fs, "b"), "new");
        assert.equal(stat(fs, "b").ino, ino);
        assert.equal(dec.decode(drain(held)), "old");
        assert.equal(hstat(held).nlink, 0n);
        held.close();
        assert.deepEqual(list(fs, "").map((e) => e.name), ["b"]);
      });

      it("rename of a directory over an empty directory replaces it; over a non-empty one is NOTEMPTY", (fs) => {
        fs.mkdir("src");
        put(fs, "src/f", "x");
        fs.mkdir("empty");
        fs.mkdir("full");
        put(fs, "full/g", "y");
        expectErrno(fs.rename("src", "full"), Errno.NOTEMPTY, "dir over non-empty dir");
        expectErrno(fs.rename("src", "empty"), Errno.SUCCESS, "dir over empty dir");
        assert.equal(exists(fs, "src"), false);
        assert.equal(get(fs, "empty/f"), "x");
        assert.equal(get(fs, "full/g"), "y");
      });

      it("rename of a file over a directory is ISDIR; of a directory over a file NOTDIR", (fs) => {
        put(fs, "f", "x");
        fs.mkdir("d");
        expectErrno(fs.rename("f", "d"), Errno.ISDIR, "file over dir");
        expectErrno(fs.rename("d", "f"), Errno.NOTDIR, "dir over file");
        assert.equal(get(fs, "f"), "x");
        assert.equal(stat(fs, "d").filetype, Filetype.DIRECTORY);
      });

      it("rename of a directory into its own subtree is INVAL", (fs) => {
        fs.mkdir("a");
        fs.mkdir("a/b");
        expectErrno(fs.rename("a", "a/b/c"), Errno.INVAL, "a into a/b/c");
        expectErrno(fs.rename("a", "a/c"), Errno.INVAL, "a into a/c");
        expectErrno(fs.rename("a", "a/b"), Errno.INVAL, "a onto its child a/b");
        assert.equal(stat(fs, "a/b").filetype, Filetype.DIRECTORY);
      });

      it("rename to itself, or between two links of one file, succeeds and changes nothing", (fs) => {
        put(fs, "f", "x");
        fs.mkdir("d");
        fs.link("f", "g");
        expectErrno(fs.rename("f", "f"), Errno.SUCCESS, "file to itself");
        expectErrno(fs.rename("d", "d"), Errno.SUCCESS, "dir to itself");
        expectErrno(fs.rename("f", "g"), Errno.SUCCESS, "link onto another link of the same file");
        assert.equal(get(fs, "f"), "x");
        assert.equal(get(fs, "g"), "x");
        assert.equal(stat(fs, "f").nlink, 2n);
        assert.equal(stat(fs, "d").filetype, Filetype.DIRECTORY);
      });

      it("rename of a missing source is NOENT; to a missing parent NOENT; under a file NOTDIR", (fs) => {
        put(fs, "f", "x");
        expectErrno(fs.rename("missing", "g"), Errno.NOENT, "missing source");
        expectErrno(fs.rename("f", "no/g"), Errno.NOENT, "missing target parent");
        expectErrno(fs.rename("f", "f/g"), Errno.NOTDIR, "target under a file");
        assert.equal(get(fs, "f"), "x");
      });

      it("rename of a directory carries its contents", (fs) => {
        fs.mkdir("a");
        fs.mkdir("a/sub");
        put(fs, "a/sub/f", "deep");
        fs.mkdir("b");
        expectErrno(fs.rename("a", "b/moved"), Errno.SUCCESS, "rename a b/moved");
        assert.equal(get(fs, "b/moved/sub/f"), "deep");
        assert.equal(exists(fs, "a"), false);
        expectErrno(fs.rename("b/moved/sub", "up"), Errno.SUCCESS, "rename a subdir up");
        assert.equal(get(fs, "up/f"), "deep");
      });

      it("rename moves a symlink itself; its target stays verbatim and is not followed", (fs) => {
        fs.mkdir("d");
        put(fs, "d/f", "x");
        fs.symlink("../x", "d/l");
        fs.symlink("d", "ld");
        expectErrno(fs.rename("d/l", "l2"), Errno.SUCCESS, "rename a dangling symlink");
        assert.equal(fs.readlink("l2"), "../x");
        expectErrno(fs.rename("ld", "ld2"), Errno.SUCCESS, "rename a symlink to a dir");
        assert.equal(fs.readlink("ld2"), "d");
        assert.equal(stat(fs, "d").filetype, Filetype.DIRECTORY);
        assert.equal(get(fs, "d/f"), "x");
        put(fs, "file", "y");
        expectErrno(fs.rename("file", "ld2"), Errno.SUCCESS, "a file over a symlink to a dir replaces the link");
        assert.equal(stat(fs, "ld2").filetype, Filetype.REGULAR_FILE);
        assert.equal(stat(fs, "d").filetype, Filetype.DIRECTORY);
      });
    });

    describe("symlink and readlink", () => {
      it("symlink stores any target verbatim; readlink and lstat never follow it", (fs) => {
        put(fs, "x", "x");
        const targets = ["../x", "/abs", "/abs/../../etc/passwd", "a/b/c", "x", "dir/", "./x", "with space", "ünï€"];
        targets.forEach((t, i) => expectErrno(fs.symlink(t, `l${i}`), Errno.SUCCESS, `symlink ${t}`));
        targets.forEach((t, i) => {
          assert.equal(fs.readlink(`l${i}`), t);
          const s = stat(fs, `l${i}`, false);
          assert.equal(s.filetype, Filetype.SYMBOLIC_LINK);
          assert.equal(s.size, bytes(t).length, `size of the link ${t}`);
          assert.equal(s.nlink, 1n);
        });
        assert.notEqual(stat(fs, "l4").ino, stat(fs, "x").ino);
      });

      it("symlink onto an existing name is EXIST; under a missing parent NOENT; under a file NOTDIR", (fs) => {
        put(fs, "f", "x");
        fs.mkdir("d");
        fs.symlink("t", "l");
        expectErrno(fs.symlink("t", "f"), Errno.EXIST, "onto a file");
        expectErrno(fs.symlink("t", "d"), Errno.EXIST, "onto a dir");
        expectErrno(fs.symlink("t", "l"), Errno.EXIST, "onto a symlink");
        expectErrno(fs.symlink("t", "no/l"), Errno.NOENT, "under a missing dir");
        expectErrno(fs.symlink("t", "f/l"), Errno.NOTDIR, "under a file");
        assert.equal(fs.readlink("l"), "t");
        assert.equal(get(fs, "f"), "x");
      });

      it("readlink of a file or directory is INVAL; of a missing path NOENT", (fs) => {
        put(fs, "f", "x");
        fs.mkdir("d");
        expectErrno(fs.readlink("f") as number, Errno.INVAL, "readlink file");
        expectErrno(fs.readlink("d") as number, Errno.INVAL, "readlink dir");
        expectErrno(fs.readlink("missing") as number, Errno.NOENT, "readlink missing");
      });

      it("stat with follow on a symlink to a file gives the file; without, the link", (fs) => {
        put(fs, "f", "12345");
        fs.mkdir("d");
        fs.symlink("f", "lf");
        fs.symlink("d", "ld");
        const file = stat(fs, "f"), viaLink = stat(fs, "lf", true), link = stat(fs, "lf", false);
        assert.equal(viaLink.filetype, Filetype.REGULAR_FILE);
        assert.equal(viaLink.ino, file.ino);
        assert.equal(viaLink.size, 5);
        assert.equal(link.filetype, Filetype.SYMBOLIC_LINK);
        assert.notEqual(link.ino, file.ino);
        assert.equal(stat(fs, "ld", true).filetype, Filetype.DIRECTORY);
        assert.equal(stat(fs, "ld", false).filetype, Filetype.SYMBOLIC_LINK);
        fs.symlink("nowhere", "ln");
        expectErrno(fs.stat("ln", newStat(), true), Errno.NOENT, "stat follow on a dangling link");
        assert.equal(stat(fs, "ln", false).filetype, Filetype.SYMBOLIC_LINK);
      });
    });

    describe("readdir", () => {
      it("readdir lists every entry once, without . and .., with filetype and inode", (fs) => {
        put(fs, "file", "x");
        fs.mkdir("dir");
        fs.symlink("file", "link");
        put(fs, "dir/inner", "y");
        const entries = list(fs, "");
        assert.deepEqual(sorted(entries.map((e) => e.name)), ["dir", "file", "link"]);
        const by = new Map(entries.map((e) => [e.name, e]));
        assert.equal(by.get("file")!.type, Filetype.REGULAR_FILE);
        assert.equal(by.get("dir")!.type, Filetype.DIRECTORY);
        assert.equal(by.get("link")!.type, Filetype.SYMBOLIC_LINK);
        for (const e of entries) assert.equal(e.ino, stat(fs, e.name, false).ino, `ino of ${e.name}`);
        assert.deepEqual(list(fs, "dir").map((e) => e.name), ["inner"]);
      });

      it("readdir of an empty directory never calls the sink", (fs) => {
        fs.mkdir("d");
        const h = open(fs, "d", DIR);
        let calls = 0;
        expectErrno(h.readdir(0n, () => (calls++, true)), Errno.SUCCESS, "readdir");
        assert.equal(calls, 0);
        h.close();
      });

      it("readdir cookies continue the listing taken at cookie 0, even after a create", (fs) => {
        for (const n of ["a", "b", "c", "d", "e"]) put(fs, n, n);
        const h = open(fs, "", DIR);
        const first: string[] = [];
        expectErrno(h.readdir(0n, (n) => (first.push(n), first.length < 2)), Errno.SUCCESS, "readdir 0");
        assert.equal(first.length, 2);
        put(fs, "late", "x");
        const rest: string[] = [];
        expectErrno(h.readdir(2n, (n) => (rest.push(n), true)), Errno.SUCCESS, "readdir 2");
        assert.deepEqual(sorted([...first, ...rest]), ["a", "b", "c", "d", "e"]);
        const again: string[] = [];
        expectErrno(h.readdir(1n, (n) => (again.push(n), true)), Errno.SUCCESS, "readdir 1");
        assert.deepEqual(again, [first[1], ...rest], "cookie 1 restarts from the second entry of the same listing");
        const fresh: string[] = [];
        expectErrno(h.readdir(0n, (n) => (fresh.push(n), true)), Errno.SUCCESS, "readdir 0 again");
        assert.deepEqual(sorted(fresh), ["a", "b", "c", "d", "e", "late"]);
        h.close();
      });

      it("readdir stops when the sink returns false", (fs) => {
        for (const n of ["a", "b", "c"]) put(fs, n, n);
        const h = open(fs, "", DIR);
        let calls = 0;
        expectErrno(h.readdir(0n, () => (calls++, false)), Errno.SUCCESS, "readdir");
        assert.equal(calls, 1);
        h.close();
      });

      it("readdir from a cookie at or past the end lists nothing", (fs) => {
        for (const n of ["a", "b"]) put(fs, n, n);
        const h = open(fs, "", DIR);
        let calls = 0;
        expectErrno(h.readdir(0n, () => true), Errno.SUCCESS, "readdir 0");
        expectErrno(h.readdir(2n, () => (calls++, true)), Errno.SUCCESS, "readdir 2");
        expectErrno(h.readdir(1000n, () => (calls++, true)), Errno.SUCCESS, "readdir 1000");
        assert.equal(calls, 0);
        h.close();
      });

      it("readdir on a file handle is NOTDIR", (fs) => {
        put(fs, "f", "x");
        const h = open(fs, "f", RD);
        expectErrno(h.readdir(0n, () => true), Errno.NOTDIR, "readdir a file");
        h.close();
      });

      it("200 files in one directory: all listed, in cookie chunks too, each with its own inode", (fs) => {
        fs.mkdir("many");
        const want: string[] = [];
        for (let i = 0; i < 200; i++) {
          const n = `file-${String(i).padStart(3, "0")}`;
          want.push(n);
          put(fs, `many/${n}`, String(i));
        }
        const all = list(fs, "many");
        assert.deepEqual(sorted(all.map((e) => e.name)), want);
        assert.equal(new Set(all.map((e) => e.ino)).size, 200);
        const h = open(fs, "many", DIR);
        const chunked: string[] = [];
        for (let cookie = 0n;; cookie += 7n) {
          let got = 0;
          h.readdir(cookie, (n) => (chunked.push(n), ++got < 7));
          if (got < 7) break;
        }
        h.close();
        assert.deepEqual(chunked, all.map((e) => e.name), "chunks give the same order as one pass");
        assert.equal(get(fs, "many/file-123"), "123");
        assert.equal(stat(fs, "many/file-199").size, 3);
      });
    });
  });
}
