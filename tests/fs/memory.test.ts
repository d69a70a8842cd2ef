// MemoryFs: the conformance suite, plus what only an in-memory tree can promise (exact clock, dir nlink, JS API).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno } from "../../src/abi/errno.ts";
import { Filetype, Whence } from "../../src/abi/consts.ts";
import { MemoryFiles, MemoryFs } from "../../src/fs/memory.ts";
import { type FileHandle, newStat, type OpenFlags, openFlags, type Stat } from "../../src/fs/types.ts";
import { conformance } from "./conformance.ts";

conformance("MemoryFs", () => ({ fs: new MemoryFs(), cleanup() {} }));

const NONE: OpenFlags = openFlags();
const CREATE: OpenFlags = { ...NONE, read: true, write: true, create: true };
const DIR: OpenFlags = { ...NONE, read: true, directory: true };

function open(fs: MemoryFs, path: string, flags: OpenFlags): FileHandle {
  const h = fs.open(path, flags);
  if (typeof h === "number") assert.fail(`open ${path}: ${h}`);
  return h;
}

function stat(fs: MemoryFs, path: string, follow = false): Stat {
  const s = newStat();
  assert.equal(fs.stat(path, s, follow), Errno.SUCCESS);
  return s;
}

/** A clock that returns `t` and only moves when told. */
function manualClock(): { now: () => bigint; set(t: bigint): void } {
  let t = 1_000n;
  return { now: () => t, set: (v: bigint) => void (t = v) };
}

describe("MemoryFs only", () => {
  test("an injected clock stamps creation exactly, and writes update mtime and ctime but not atime", () => {
    const clock = manualClock();
    const fs = new MemoryFs({ now: clock.now });
    clock.set(100n);
    const h = open(fs, "f", CREATE);
    let s = stat(fs, "f");
    assert.deepEqual([s.atimNs, s.mtimNs, s.ctimNs], [100n, 100n, 100n]);
    clock.set(200n);
    h.write(new Uint8Array([1, 2, 3]));
    s = stat(fs, "f");
    assert.deepEqual([s.atimNs, s.mtimNs, s.ctimNs], [100n, 200n, 200n]);
    clock.set(300n);
    h.read(new Uint8Array(3), 0); // noatime: reads change no time
    s = stat(fs, "f");
    assert.deepEqual([s.atimNs, s.mtimNs, s.ctimNs], [100n, 200n, 200n]);
    h.truncate(1);
    s = stat(fs, "f");
    assert.deepEqual([s.atimNs, s.mtimNs, s.ctimNs], [100n, 300n, 300n]);
    clock.set(400n);
    assert.equal(fs.utimes("f", 7n, null, false), Errno.SUCCESS);
    s = stat(fs, "f");
    assert.deepEqual([s.atimNs, s.mtimNs, s.ctimNs], [7n, 300n, 400n], "utimes sets ctime to now");
    clock.set(500n);
    assert.equal(h.utimes(null, 1n), Errno.SUCCESS);
    s = stat(fs, "f");
    assert.deepEqual([s.atimNs, s.mtimNs, s.ctimNs], [7n, 1n, 500n]);
    h.close();
  });

  test("an injected clock: link, unlink and rename change ctime; entry changes stamp the directory", () => {
    const clock = manualClock();
    const fs = new MemoryFs({ now: clock.now });
    clock.set(10n);
    fs.mkdir("d");
    clock.set(20n);
    fs.files.writeFile("d/f", "x");
    let d = stat(fs, "d");
    assert.deepEqual([d.atimNs, d.mtimNs, d.ctimNs], [10n, 20n, 20n]);
    clock.set(30n);
    fs.link("d/f", "g");
    assert.equal(stat(fs, "g").ctimNs, 30n);
    assert.equal(stat(fs, "g").mtimNs, 20n);
    assert.equal(stat(fs, "").mtimNs, 30n);
    clock.set(40n);
    fs.rename("g", "d/h");
    d = stat(fs, "d");
    assert.equal(d.mtimNs, 40n);
    assert.equal(stat(fs, "").mtimNs, 40n);
    assert.equal(stat(fs, "d/h").ctimNs, 40n);
    clock.set(50n);
    fs.unlink("d/h");
    assert.equal(stat(fs, "d/f").ctimNs, 50n);
    assert.equal(stat(fs, "d/f").nlink, 1n);
  });

  test("the default clock is the wall clock in ns, and a write stamps mtime at the write, not at the stat", async () => {
    const fs = new MemoryFs();
    const before = BigInt(Date.now()) * 1_000_000n;
    const h = open(fs, "f", CREATE);
    const c = stat(fs, "f");
    assert.ok(c.mtimNs >= before - 2_000_000n && c.mtimNs <= BigInt(Date.now() + 2) * 1_000_000n);
    await new Promise((r) => setTimeout(r, 20));
    h.write(new Uint8Array(1));
    const wrote = BigInt(Date.now()) * 1_000_000n;
    await new Promise((r) => setTimeout(r, 30));
    const s = stat(fs, "f");
    assert.ok(s.mtimNs > c.mtimNs, "mtime moved");
    assert.ok(s.mtimNs <= wrote + 2_000_000n, "stamped at the write, not 30 ms later at the stat");
    assert.equal(s.ctimNs, s.mtimNs);
    h.close();
  });

  test("inode numbers start at 1 for the root and count up; dev differs between instances", () => {
    const a = new MemoryFs(), b = new MemoryFs();
    assert.equal(stat(a, "").ino, 1n);
    a.mkdir("d");
    a.files.writeFile("f", "");
    assert.equal(stat(a, "d").ino, 2n);
    assert.equal(stat(a, "f").ino, 3n);
    assert.notEqual(stat(a, "").dev, stat(b, "").dev);
    assert.equal(stat(b, "").ino, 1n);
  });

  test("directory nlink is 2 plus its subdirectories, through mkdir, rmdir and rename", () => {
    const fs = new MemoryFs();
    const nl = (p: string) => stat(fs, p).nlink;
    assert.equal(nl(""), 2n);
    fs.mkdir("a");
    fs.mkdir("b");
    fs.files.writeFile("file", "");
    assert.equal(nl(""), 4n);
    fs.mkdir("a/x");
    fs.mkdir("a/y");
    assert.equal(nl("a"), 4n);
    assert.equal(nl("a/x"), 2n);
    fs.rename("a/x", "b/x");
    assert.deepEqual([nl("a"), nl("b"), nl("")], [3n, 3n, 4n]);
    fs.mkdir("b/z");
    fs.rename("a/y", "b/z"); // replaces the empty b/z
    assert.deepEqual([nl("a"), nl("b")], [2n, 4n]);
    const held = open(fs, "b/x", DIR);
    fs.rmdir("b/x");
    assert.equal(nl("b"), 3n);
    const s = newStat();
    held.stat(s);
    assert.equal(s.nlink, 0n, "a removed directory has no links");
    held.close();
    fs.symlink("a", "la");
    assert.equal(nl(""), 4n, "symlinks and files do not count");
  });

  test("readdir lists in insertion order; a name renamed over goes last", () => {
    const fs = new MemoryFs();
    for (const n of ["c", "a", "b"]) fs.files.writeFile(n, n);
    const names = () => {
      const h = open(fs, "", DIR);
      const out: string[] = [];
      h.readdir(0n, (n) => (out.push(n), true));
      h.close();
      return out;
    };
    assert.deepEqual(names(), ["c", "a", "b"]);
    fs.rename("c", "a");
    assert.deepEqual(names(), ["b", "a"]);
  });

  test("readdir continuing a snapshot still reports an entry removed since cookie 0", () => {
    const fs = new MemoryFs();
    for (const n of ["a", "b", "c"]) fs.files.writeFile(n, n);
    const h = open(fs, "", DIR);
    h.readdir(0n, () => false);
    fs.unlink("c");
    const rest: [string, number][] = [];
    h.readdir(1n, (n, t) => (rest.push([n, t]), true));
    assert.deepEqual(rest, [["b", Filetype.REGULAR_FILE], ["c", Filetype.REGULAR_FILE]]);
    h.close();
  });

  test("open never follows a final symlink: LOOP (like O_NOFOLLOW)", () => {
    const fs = new MemoryFs();
    fs.files.writeFile("f", "x");
    fs.symlink("f", "l");
    assert.equal(fs.open("l", { ...NONE, read: true }), Errno.LOOP);
    assert.equal(fs.open("l", CREATE), Errno.LOOP);
  });

  test("symlinks inside a path are followed within the tree; .. stops at the root; loops are LOOP", () => {
    const fs = new MemoryFs();
    fs.files.mkdir("a/b", { recursive: true });
    fs.files.writeFile("a/b/f", "deep");
    fs.symlink("a/b", "lb");
    fs.symlink("/a", "abs");
    fs.symlink("../../../../a/b", "a/up");
    fs.symlink("loop2", "loop1");
    fs.symlink("loop1", "loop2");
    assert.equal(stat(fs, "lb/f").size, 4);
    assert.equal(stat(fs, "abs/b/f").size, 4);
    assert.equal(stat(fs, "a/up", true).filetype, Filetype.DIRECTORY);
    assert.equal(fs.stat("loop1", newStat(), true), Errno.LOOP);
    assert.equal(fs.stat("loop1/x", newStat(), false), Errno.LOOP);
    assert.equal(stat(fs, "loop1").filetype, Filetype.SYMBOLIC_LINK);
    assert.equal(fs.symlink("", "empty"), Errno.NOENT);
  });

  test("root edge cases: mkdir/symlink/link onto it EXIST, unlink ISDIR, rename BUSY, readlink INVAL", () => {
    const fs = new MemoryFs();
    fs.files.writeFile("f", "");
    assert.equal(fs.mkdir(""), Errno.EXIST);
    assert.equal(fs.symlink("x", ""), Errno.EXIST);
    assert.equal(fs.link("f", ""), Errno.EXIST);
    assert.equal(fs.link("", "r"), Errno.PERM);
    assert.equal(fs.unlink(""), Errno.ISDIR);
    assert.equal(fs.rename("", "x"), Errno.BUSY);
    assert.equal(fs.rename("f", ""), Errno.BUSY);
    assert.equal(fs.readlink(""), Errno.INVAL);
    assert.equal(fs.open("", { ...NONE, read: true, write: true }), Errno.ISDIR);
  });

  test("a sparse file: truncate up allocates nothing visible, writes far out zero-fill, shrink then grow reads zeros", () => {
    const fs = new MemoryFs();
    const h = open(fs, "f", CREATE);
    assert.equal(h.truncate(1 << 30), Errno.SUCCESS); // 1 GiB: cheap, the tail reads as zeros
    const buf = new Uint8Array(64).fill(0xee);
    assert.equal(h.read(buf, (1 << 30) - 10), 10);
    assert.ok(buf.subarray(0, 10).every((b) => b === 0));
    assert.equal(buf[10], 0xee, "bytes past the count are untouched");
    assert.equal(h.truncate(0), Errno.SUCCESS);
    h.write(new Uint8Array(100).fill(7));
    assert.equal(h.truncate(10), Errno.SUCCESS);
    assert.equal(h.truncate(100), Errno.SUCCESS);
    const back = new Uint8Array(100);
    assert.equal(h.read(back, 0), 100);
    assert.ok(back.subarray(0, 10).every((b) => b === 7));
    assert.ok(back.subarray(10).every((b) => b === 0));
    h.close();
  });

  test("writes past MAX_SAFE_INTEGER are FBIG; seek there is INVAL; open with create+directory is INVAL", () => {
    const fs = new MemoryFs();
    const h = open(fs, "f", CREATE);
    assert.equal(h.write(new Uint8Array(2), Number.MAX_SAFE_INTEGER - 1), -Errno.FBIG);
    assert.equal(h.seek(Number.MAX_SAFE_INTEGER, Whence.SET), Number.MAX_SAFE_INTEGER);
    assert.equal(h.seek(1, Whence.CUR), -Errno.INVAL);
    assert.equal(h.seek(0, 9 as Whence), -Errno.INVAL);
    assert.equal(h.truncate(Number.MAX_SAFE_INTEGER + 2), Errno.FBIG);
    h.close();
    assert.equal(fs.open("newdir", { ...CREATE, directory: true }), Errno.INVAL);
  });

  test("many small writes grow the buffer by doubling and read back exactly", () => {
    const fs = new MemoryFs();
    const h = open(fs, "f", CREATE);
    const one = new Uint8Array(3);
    for (let i = 0; i < 10_000; i++) {
      one[0] = i & 0xff;
      one[1] = (i >> 8) & 0xff;
      one[2] = 0x5a;
      assert.equal(h.write(one), 3);
    }
    const all = fs.files.readFile("f");
    assert.equal(all.length, 30_000);
    for (let i = 0; i < 10_000; i++) {
      if (all[3 * i] !== (i & 0xff) || all[3 * i + 1] !== ((i >> 8) & 0xff) || all[3 * i + 2] !== 0x5a) {
        assert.fail(`record ${i} differs`);
      }
    }
    h.close();
  });
});

describe("MemoryFiles: the JS-side API (MemoryFs.files)", () => {
  test("writeFile creates parents and replaces content; readFile returns a copy", () => {
    const fs = new MemoryFs();
    fs.files.writeFile("/a/b/c.txt", "héllo");
    assert.equal(new TextDecoder().decode(fs.files.readFile("a/b/c.txt")), "héllo");
    fs.files.writeFile("a/b/c.txt", new Uint8Array([1, 2]));
    const got = fs.files.readFile("/a/b/c.txt");
    assert.deepEqual([...got], [1, 2]);
    got[0] = 99;
    assert.deepEqual([...fs.files.readFile("a/b/c.txt")], [1, 2], "the copy is detached");
    assert.equal(stat(fs, "a/b").filetype, Filetype.DIRECTORY);
  });

  test("readFile follows symlinks and reads a sparse tail as zeros", () => {
    const fs = new MemoryFs();
    fs.files.writeFile("f", "ab");
    fs.symlink("f", "l");
    const h = open(fs, "f", { ...NONE, write: true });
    h.truncate(4);
    h.close();
    assert.deepEqual([...fs.files.readFile("/l")], [97, 98, 0, 0]);
  });

  test("mkdir recursive creates every level, accepts existing ones, and follows symlinks to directories", () => {
    const fs = new MemoryFs();
    fs.files.mkdir("/x/y/z", { recursive: true });
    fs.files.mkdir("x/y/z", { recursive: true });
    fs.files.mkdir("/", { recursive: true });
    fs.symlink("x", "lx");
    fs.files.mkdir("lx/y/w", { recursive: true });
    assert.equal(stat(fs, "x/y/w").filetype, Filetype.DIRECTORY);
    assert.equal(stat(fs, "x/y/z").filetype, Filetype.DIRECTORY);
  });

  test("the JS-side API throws Errors naming the call, the path and the errno, with code and errno", () => {
    const fs = new MemoryFs();
    fs.files.writeFile("f", "x");
    fs.files.mkdir("d", { recursive: true });
    const fails = (fn: () => unknown, message: RegExp, code: string, errno: number) =>
      assert.throws(fn, (err: unknown) => {
        assert.ok(err instanceof Error && !(err instanceof TypeError), `an Error, not ${err}`);
        assert.match(err.message, message);
        assert.equal((err as { code?: string }).code, code);
        assert.equal((err as { errno?: number }).errno, errno);
        return true;
      });
    fails(() => fs.files.readFile("missing"), /^MemoryFiles\.readFile\("missing"\): ENOENT$/, "ENOENT", Errno.NOENT);
    fails(() => fs.files.readFile("/d"), /^MemoryFiles\.readFile\("\/d"\): EISDIR$/, "EISDIR", Errno.ISDIR);
    fails(() => fs.files.writeFile("d", "x"), /^MemoryFiles\.writeFile\("d"\): EISDIR$/, "EISDIR", Errno.ISDIR);
    fails(() => fs.files.writeFile("/", "x"), /writeFile\("\/"\): EISDIR/, "EISDIR", Errno.ISDIR);
    fails(() => fs.files.writeFile("f/g", "x"), /ENOTDIR/, "ENOTDIR", Errno.NOTDIR);
    fails(
      () => fs.files.mkdir("f/g", { recursive: true }),
      /^MemoryFiles\.mkdir\("f\/g"\): ENOTDIR$/,
      "ENOTDIR",
      Errno.NOTDIR,
    );
    fails(() => fs.files.readdir("/f"), /^MemoryFiles\.readdir\("\/f"\): ENOTDIR$/, "ENOTDIR", Errno.NOTDIR);
    fails(() => fs.files.readdir("/nope"), /ENOENT/, "ENOENT", Errno.NOENT);
    fails(() => fs.files.stat("/nope"), /^MemoryFiles\.stat\("\/nope"\): ENOENT$/, "ENOENT", Errno.NOENT);
    fails(() => fs.files.remove("/nope"), /^MemoryFiles\.remove\("\/nope"\): ENOENT$/, "ENOENT", Errno.NOENT);
  });

  test("a bad path is a TypeError naming the call: not a string, empty, a NUL, a .. part", () => {
    const fs = new MemoryFs();
    fs.files.writeFile("/f", "x");
    const calls: [string, (p: string) => unknown][] = [
      ["writeFile", (p) => fs.files.writeFile(p, "x")],
      ["readFile", (p) => fs.files.readFile(p)],
      ["mkdir", (p) => fs.files.mkdir(p)],
      ["mkdir -p", (p) => fs.files.mkdir(p, { recursive: true })],
      ["readdir", (p) => fs.files.readdir(p)],
      ["stat", (p) => fs.files.stat(p)],
      ["remove", (p) => fs.files.remove(p)],
    ];
    for (const [name, call] of calls) {
      for (const bad of [42 as unknown as string, "", "a\0b", "../etc/passwd", "/a/../f"]) {
        assert.throws(() => call(bad), (err: unknown) => {
          assert.ok(err instanceof TypeError, `${name}(${JSON.stringify(bad)}): ${err}`);
          assert.match(err.message, new RegExp(`^MemoryFiles\\.${name === "mkdir -p" ? "mkdir" : name}\\(`));
          return true;
        });
      }
    }
    assert.throws(() => fs.files.readFile("../f"), /"\.\." is not allowed/);
    assert.throws(() => fs.files.writeFile("/g", 42 as unknown as string), TypeError);
    assert.throws(() => fs.files.mkdir("/g", null as unknown as { recursive: boolean }), TypeError);
    assert.throws(() => fs.files.remove("/f", 1 as unknown as { recursive: boolean }), TypeError);
    assert.deepEqual(fs.files.readdir("/"), ["f"], "nothing was created or removed by a refused call");
  });

  test("paths: the leading / is optional, . parts and repeated or trailing / are dropped, / is the root", () => {
    const fs = new MemoryFs();
    fs.files.writeFile("//a/./b//c.txt", "abc");
    assert.deepEqual(fs.files.readdir("/"), ["a"]);
    assert.deepEqual(fs.files.readdir("a/b/"), ["c.txt"]);
    assert.equal(new TextDecoder().decode(fs.files.readFile("/a/b/c.txt")), "abc");
    assert.equal(fs.files.stat(".").type, "directory");
  });

  test("writeFile replaces the content of a file it reaches through a symlink, and keeps its inode", () => {
    const fs = new MemoryFs();
    fs.files.writeFile("/real.txt", "a long first content");
    fs.symlink("real.txt", "link");
    const ino = fs.files.stat("/real.txt").ino;
    fs.files.writeFile("/link", "short");
    assert.equal(new TextDecoder().decode(fs.files.readFile("/real.txt")), "short");
    assert.equal(fs.files.stat("/real.txt").ino, ino);
    assert.equal(fs.files.stat("/real.txt").size, 5);
    assert.equal(stat(fs, "link").filetype, Filetype.SYMBOLIC_LINK, "the link stays a link");
  });

  test("mkdir with options: plain creates one level and refuses an existing name; recursive creates parents", () => {
    const fs = new MemoryFs();
    assert.equal(fs.files.mkdir("/out"), undefined);
    assert.equal(fs.files.stat("/out").type, "directory");
    assert.throws(() => fs.files.mkdir("/out"), /mkdir\("\/out"\): EEXIST/);
    assert.throws(() => fs.files.mkdir("/x/y"), /mkdir\("\/x\/y"\): ENOENT/);
    assert.throws(() => fs.files.mkdir("/x/y", { recursive: false }), /ENOENT/);
    fs.files.mkdir("/x/y", { recursive: true });
    fs.files.mkdir("/x/y", { recursive: true });
    assert.equal(fs.files.stat("/x/y").type, "directory");
    fs.files.writeFile("/file", "");
    assert.throws(() => fs.files.mkdir("/file", { recursive: true }), /EEXIST/, "a file at the last component");
    assert.throws(() => fs.files.mkdir("/file/sub", { recursive: true }), /ENOTDIR/, "a file on the way");
  });

  test("each name means one thing: MemoryFs has only the seam (errnos), MemoryFiles only the JS side (throws)", () => {
    const fs = new MemoryFs();
    assert.equal(fs.mkdir("d"), Errno.SUCCESS);
    assert.equal(fs.mkdir("d"), Errno.EXIST);
    assert.equal(fs.mkdir("no/such"), Errno.NOENT);
    assert.throws(() => fs.files.mkdir("/no/such"), /ENOENT/);
    const st = newStat();
    assert.equal(fs.stat("d", st, false), Errno.SUCCESS);
    assert.equal(st.filetype, Filetype.DIRECTORY);
    assert.equal(fs.files.stat("/d").type, "directory");
    for (const name of ["writeFile", "readFile", "readdir", "remove", "mkdirp"]) {
      assert.equal(name in fs, false, `MemoryFs has no ${name}`);
    }
    for (const name of ["open", "rmdir", "unlink", "rename", "link", "symlink", "readlink", "utimes"]) {
      assert.equal(name in fs.files, false, `MemoryFiles has no ${name}`);
    }
    assert.equal(fs.files.fs, fs);
    assert.ok(fs.files instanceof MemoryFiles);
    assert.equal(fs.files, fs.files, "one MemoryFiles per MemoryFs");
    const other = new MemoryFiles(fs);
    other.writeFile("/g", "x");
    assert.equal(fs.files.readFile("/g").length, 1, "new MemoryFiles(fs) is the same tree");
  });

  test("readdir lists names in creation order, through a symlinked directory too", () => {
    const fs = new MemoryFs();
    fs.files.writeFile("/d/zeta", "");
    fs.files.mkdir("/d/alpha");
    fs.files.writeFile("/d/mid", "");
    fs.symlink("d", "ld");
    assert.deepEqual(fs.files.readdir("/d"), ["zeta", "alpha", "mid"]);
    assert.deepEqual(fs.files.readdir("/ld"), ["zeta", "alpha", "mid"]);
    assert.deepEqual(fs.files.readdir("/d/alpha"), []);
    assert.deepEqual(fs.files.readdir("/"), ["d", "ld"]);
  });

  test("stat with one argument: type, size, inode, links and exact times from an injected clock", () => {
    let t = 5_000n;
    const fs = new MemoryFs({ now: () => t });
    fs.files.writeFile("/f", "12345");
    t = 6_000n;
    fs.files.writeFile("/f", "1234567");
    fs.link("f", "g");
    fs.symlink("f", "l");
    const st = fs.files.stat("/l");
    assert.deepEqual(st, {
      type: "file",
      size: 7,
      ino: 2,
      nlink: 2,
      atimeNs: 5_000n,
      mtimeNs: 6_000n,
      ctimeNs: 6_000n,
    });
    fs.files.mkdir("/d");
    assert.deepEqual(fs.files.stat("/d"), {
      type: "directory",
      size: 0,
      ino: 4,
      nlink: 2,
      atimeNs: 6_000n,
      mtimeNs: 6_000n,
      ctimeNs: 6_000n,
    });
    assert.equal(fs.files.stat("/").nlink, 3);
  });

  test("stat with one argument sees a write made through the seam with the default clock", () => {
    const fs = new MemoryFs();
    const h = open(fs, "f", CREATE);
    const before = BigInt(Date.now() - 2) * 1_000_000n;
    h.write(new Uint8Array(3));
    const st = fs.files.stat("/f");
    assert.equal(st.size, 3);
    assert.ok(st.mtimeNs >= before && st.mtimeNs <= BigInt(Date.now() + 2) * 1_000_000n, `mtime ${st.mtimeNs}`);
    h.close();
  });

  test("remove: a file, a symlink (not its target), an empty directory; a full one only when recursive", () => {
    const fs = new MemoryFs();
    fs.files.writeFile("/keep.txt", "k");
    fs.symlink("keep.txt", "link");
    fs.files.remove("/link");
    assert.deepEqual(fs.files.readdir("/"), ["keep.txt"]);
    assert.equal(new TextDecoder().decode(fs.files.readFile("/keep.txt")), "k");
    fs.files.writeFile("/t/a/b/f.txt", "x");
    fs.files.writeFile("/t/g.txt", "y");
    fs.symlink("/keep.txt", "t/a/lk");
    assert.throws(() => fs.files.remove("/t"), /MemoryFiles\.remove\("\/t"\): ENOTEMPTY$/);
    assert.deepEqual(fs.files.readdir("/t"), ["a", "g.txt"], "a refused remove changes nothing");
    fs.files.remove("/t", { recursive: true });
    assert.deepEqual(fs.files.readdir("/"), ["keep.txt"], "the tree is gone, the symlink's target stays");
    assert.equal(fs.files.stat("/").nlink, 2);
    fs.files.mkdir("/e");
    fs.files.remove("/e");
    fs.files.remove("/keep.txt");
    assert.deepEqual(fs.files.readdir("/"), []);
    assert.throws(() => fs.files.remove("/"), /remove\("\/"\): EBUSY/);
    assert.throws(() => fs.files.remove("/", { recursive: true }), /EBUSY/);
  });

  test("remove keeps a file open by a guest readable (its inode lives on), as unlink does", () => {
    const fs = new MemoryFs();
    fs.files.writeFile("/f", "still here");
    const h = open(fs, "f", { ...NONE, read: true });
    fs.files.remove("/f");
    const buf = new Uint8Array(10);
    assert.equal(h.read(buf, 0), 10);
    assert.equal(new TextDecoder().decode(buf), "still here");
    h.close();
  });
});
