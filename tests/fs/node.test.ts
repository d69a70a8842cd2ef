// NodeFs: the conformance suite on a fresh temp dir, plus what only the node:fs backend does (exact ns times over
// float-second utimes, its own offset, O_NOFOLLOW, lutimes, host O_APPEND, fd-held directories). Deno, Bun and Node.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as nfs from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { cwd } from "node:process";
import { conformance, hstat, open, stat } from "./conformance.ts";
import { Errno } from "../../src/abi/errno.ts";
import { Filetype, Whence } from "../../src/abi/consts.ts";
import { NodeFs } from "../../src/fs/node.ts";
import { type OpenFlags, openFlags } from "../../src/fs/types.ts";

const RD: OpenFlags = openFlags({ read: true });
const RW: OpenFlags = openFlags({ read: true, write: true });
const CREATE: OpenFlags = openFlags({ read: true, write: true, create: true });
const DIR: OpenFlags = openFlags({ read: true, directory: true });
const enc = new TextEncoder();
const dec = new TextDecoder();
/** Deno's node:fs keeps times in ms (DESIGN.md, "Known host gaps"); Bun and Node keep ns. */
const ON_DENO = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
/** How far the host's own time may be from an exact value set through float seconds. */
const HOST_SLACK = ON_DENO ? 1_000_000n : 1_000n;

const tempDir = (): string => nfs.mkdtempSync(join(tmpdir(), "hostcall-"));

conformance("NodeFs", () => {
  const dir = tempDir();
  return { fs: new NodeFs(dir), cleanup: () => nfs.rmSync(dir, { recursive: true, force: true }) };
});

/** Runs `body` on a NodeFs over a fresh temp dir (also given), removing the dir afterwards. */
function withFs(body: (fs: NodeFs, dir: string) => void): () => void {
  return () => {
    const dir = tempDir();
    try {
      body(new NodeFs(dir), dir);
    } finally {
      nfs.rmSync(dir, { recursive: true, force: true });
    }
  };
}

const abs = (n: bigint): bigint => (n < 0n ? -n : n);

describe("NodeFs (node:fs only)", () => {
  // Neither whole µs nor k/64 s: a float number of seconds cannot hold these, the backend remembers them.
  const A = 1_600_000_000_123_456_789n, M = 1_500_000_000_987_654_321n;

  test(
    "exact ns times round-trip through utimes and stat, by path and by handle, while the host holds a close value",
    withFs((fs, dir) => {
      nfs.writeFileSync(join(dir, "f"), "x");
      assert.equal(fs.utimes("f", A, M, true), Errno.SUCCESS);
      let s = stat(fs, "f");
      assert.equal(s.atimNs, A);
      assert.equal(s.mtimNs, M);
      const host = nfs.statSync(join(dir, "f"), { bigint: true });
      assert.notEqual(host.mtimeNs, M, "the host itself cannot hold the exact value (else this test proves nothing)");
      assert.ok(abs(host.mtimeNs - M) < HOST_SLACK, `host mtime ${host.mtimeNs} is near ${M}`);
      assert.ok(abs(host.atimeNs - A) < HOST_SLACK, `host atime ${host.atimeNs} is near ${A}`);
      const h = open(fs, "f", RW);
      assert.equal(hstat(h).mtimNs, M, "a handle on the inode sees it");
      assert.equal(h.utimes(M + 1n, null), Errno.SUCCESS);
      s = hstat(h);
      assert.equal(s.atimNs, M + 1n);
      assert.equal(s.mtimNs, M, "null keeps the exact value, not the host's rounding of it");
      assert.equal(fs.utimes("f", null, A + 7n, false), Errno.SUCCESS);
      assert.equal(stat(fs, "f", true).atimNs, M + 1n);
      assert.equal(stat(fs, "f", true).mtimNs, A + 7n);
      h.close();
    }),
  );

  test(
    "a remembered time is dropped once the host's time changes (a write, or a host-side utimes)",
    withFs((fs, dir) => {
      nfs.writeFileSync(join(dir, "f"), "x");
      assert.equal(fs.utimes("f", A, M, true), Errno.SUCCESS);
      nfs.utimesSync(join(dir, "f"), 1000, 2000.5);
      let s = stat(fs, "f");
      assert.equal(s.atimNs, 1000_000_000_000n);
      assert.equal(s.mtimNs, 2000_500_000_000n);
      assert.equal(fs.utimes("f", A, M, true), Errno.SUCCESS);
      const t0 = BigInt(Date.now()) * 1_000_000n;
      const h = open(fs, "f", RW);
      assert.equal(h.write(enc.encode("more")), 4);
      h.close();
      s = stat(fs, "f");
      assert.equal(s.atimNs, A, "the write left atime alone");
      assert.ok(s.mtimNs > t0 - 5_000_000_000n, `mtime ${s.mtimNs} is the write's, not the remembered ${M}`);
    }),
  );

  test(
    "exact times are kept per NodeFs: another instance on the same directory reports the host's value",
    withFs((fs, dir) => {
      nfs.writeFileSync(join(dir, "f"), "x");
      assert.equal(fs.utimes("f", A, M, true), Errno.SUCCESS);
      const other = stat(new NodeFs(dir), "f");
      assert.equal(other.mtimNs, nfs.statSync(join(dir, "f"), { bigint: true }).mtimeNs);
      assert.ok(abs(other.mtimNs - M) < HOST_SLACK);
    }),
  );

  test(
    "utimes without follow (lutimes) changes the symlink's times, not its target's",
    withFs((fs, dir) => {
      nfs.writeFileSync(join(dir, "f"), "x");
      nfs.symlinkSync("f", join(dir, "l"));
      nfs.utimesSync(join(dir, "f"), 1000, 1000);
      assert.equal(fs.utimes("l", 3_000_250_000_000n, 4_000_500_000_000n, false), Errno.SUCCESS);
      const link = nfs.lstatSync(join(dir, "l"), { bigint: true });
      const target = nfs.statSync(join(dir, "f"), { bigint: true });
      assert.equal(link.atimeNs, 3_000_250_000_000n);
      assert.equal(link.mtimeNs, 4_000_500_000_000n);
      assert.equal(target.atimeNs, 1_000_000_000_000n, "the target's atime is untouched (on the host)");
      assert.equal(target.mtimeNs, 1_000_000_000_000n, "the target's mtime is untouched (on the host)");
      assert.equal(fs.utimes("l", A, M, false), Errno.SUCCESS);
      assert.equal(stat(fs, "l").mtimNs, M);
      assert.equal(stat(fs, "l", true).mtimNs, 1_000_000_000_000n);
    }),
  );

  test(
    "open does not follow a final symlink (O_NOFOLLOW): LOOP, to a file, a directory, or nowhere with create",
    withFs((fs, dir) => {
      nfs.writeFileSync(join(dir, "f"), "secret");
      nfs.mkdirSync(join(dir, "d"));
      nfs.symlinkSync("f", join(dir, "lf"));
      nfs.symlinkSync("d", join(dir, "ld"));
      nfs.symlinkSync("new", join(dir, "ln"));
      assert.equal(fs.open("lf", RD), Errno.LOOP);
      assert.equal(fs.open("lf", { ...RW, truncate: true }), Errno.LOOP);
      assert.equal(fs.open("ld", DIR), Errno.LOOP);
      assert.equal(fs.open("ln", CREATE), Errno.LOOP);
      assert.equal(fs.open("ln", openFlags({ read: true, create: true })), Errno.LOOP);
      assert.equal(nfs.existsSync(join(dir, "new")), false, "nothing was created through the dangling link");
      assert.equal(nfs.readFileSync(join(dir, "f"), "utf8"), "secret", "the target was not truncated");
    }),
  );

  test(
    "positional I/O leaves the offset, and the host file holds what each call wrote",
    withFs((fs, dir) => {
      const h = open(fs, "f", CREATE);
      assert.equal(h.write(enc.encode("0123456789")), 10);
      assert.equal(h.seek(4, Whence.SET), 4);
      assert.equal(h.write(enc.encode("AB"), 1), 2);
      const buf = new Uint8Array(3);
      assert.equal(h.read(buf, 7), 3);
      assert.equal(dec.decode(buf), "789");
      assert.equal(h.seek(0, Whence.CUR), 4);
      assert.equal(h.write(enc.encode("z"), 1 << 20), 1, "a pwrite far past the end");
      assert.equal(h.seek(0, Whence.CUR), 4);
      assert.equal(h.write(enc.encode("xy")), 2, "a plain write at the offset");
      assert.equal(h.seek(0, Whence.CUR), 6);
      h.close();
      const host = nfs.readFileSync(join(dir, "f"));
      assert.equal(host.length, (1 << 20) + 1);
      assert.equal(dec.decode(host.subarray(0, 10)), "0AB3xy6789");
      assert.equal(host[1 << 20], 122);
    }),
  );

  test(
    "append mode on the host fd: every write lands at the end, even after another writer grew the file",
    withFs((fs, dir) => {
      nfs.writeFileSync(join(dir, "log"), "a");
      const h = open(fs, "log", { ...RW, append: true });
      assert.equal(h.write(enc.encode("b")), 1);
      nfs.appendFileSync(join(dir, "log"), "XYZ"); // another writer, outside the backend
      assert.equal(h.write(enc.encode("c")), 1);
      assert.equal(h.seek(0, Whence.CUR), 6, "the offset after an appending write is the end");
      assert.equal(h.seek(0, Whence.SET), 0);
      assert.equal(h.write(enc.encode("d"), 0), 1, "a positional write appends too (Linux)");
      assert.equal(h.setAppend(false), Errno.SUCCESS, "O_APPEND switched off (the inode reopened)");
      assert.equal(h.write(enc.encode("A")), 1, "writes at the offset 0 now");
      assert.equal(hstat(h).ino, nfs.statSync(join(dir, "log"), { bigint: true }).ino);
      h.close();
      assert.equal(nfs.readFileSync(join(dir, "log"), "utf8"), "AbXYZcd");
    }),
  );

  test(
    "setAppend(false) on an O_APPEND handle of an unlinked file still works (the fd, not the path, is reopened)",
    withFs((fs, dir) => {
      nfs.writeFileSync(join(dir, "f"), "0123");
      const h = open(fs, "f", { ...RW, append: true });
      nfs.unlinkSync(join(dir, "f"));
      nfs.writeFileSync(join(dir, "f"), "other file");
      assert.equal(h.setAppend(false), Errno.SUCCESS);
      assert.equal(h.write(enc.encode("X"), 1), 1);
      const buf = new Uint8Array(4);
      assert.equal(h.read(buf, 0), 4);
      assert.equal(dec.decode(buf), "0X23");
      h.close();
      assert.equal(nfs.readFileSync(join(dir, "f"), "utf8"), "other file");
    }),
  );

  test(
    "a directory handle holds an fd: its stat follows the directory through a host-side rename",
    withFs((fs, dir) => {
      nfs.mkdirSync(join(dir, "d"));
      const ino = stat(fs, "d").ino;
      const h = open(fs, "d", DIR);
      nfs.renameSync(join(dir, "d"), join(dir, "moved"));
      nfs.writeFileSync(join(dir, "d"), "a file now");
      const s = hstat(h);
      assert.equal(s.ino, ino);
      assert.equal(s.filetype, Filetype.DIRECTORY);
      assert.equal(h.sync(), Errno.SUCCESS);
      assert.equal(h.close(), Errno.SUCCESS);
    }),
  );

  test(
    "readdir gives every entry the inode lstat gives, and keeps cookie positions for entries removed since",
    withFs((fs, dir) => {
      for (const n of ["a", "b", "c"]) nfs.writeFileSync(join(dir, n), n);
      nfs.symlinkSync("a", join(dir, "l"));
      const h = open(fs, "", DIR);
      const first: string[] = [];
      assert.equal(h.readdir(0n, (n) => (first.push(n), false)), Errno.SUCCESS);
      const rest: { name: string; type: number; ino: bigint }[] = [];
      const gone = ["a", "b", "c", "l"].find((n) => n !== first[0])!;
      nfs.unlinkSync(join(dir, gone));
      assert.equal(h.readdir(1n, (name, type, ino) => (rest.push({ name, type, ino }), true)), Errno.SUCCESS);
      assert.deepEqual([...first, ...rest.map((e) => e.name)].sort(), ["a", "b", "c", "l"]);
      for (const e of rest) {
        if (e.name === gone) {
          assert.equal(e.ino, 0n, "an entry removed since the listing has no inode");
          assert.equal(e.type, e.name === "l" ? Filetype.SYMBOLIC_LINK : Filetype.REGULAR_FILE, "its dirent type");
        } else {
          assert.equal(e.ino, nfs.lstatSync(join(dir, e.name), { bigint: true }).ino, `ino of ${e.name}`);
          assert.equal(e.type, e.name === "l" ? Filetype.SYMBOLIC_LINK : Filetype.REGULAR_FILE);
        }
      }
      h.close();
    }),
  );

  test(
    "host errors map to errnos: a name too long, and an empty directory unlinked is ISDIR and stays",
    withFs((fs, dir) => {
      assert.equal(fs.open("x".repeat(300), CREATE), Errno.NAMETOOLONG);
      assert.equal(fs.mkdir("y".repeat(300)), Errno.NAMETOOLONG);
      nfs.mkdirSync(join(dir, "d"));
      assert.equal(fs.unlink("d"), Errno.ISDIR);
      assert.equal(nfs.statSync(join(dir, "d")).isDirectory(), true);
      assert.equal(fs.open("d", openFlags({ read: true, create: true, exclusive: true })), Errno.EXIST);
      assert.equal(fs.open("d", openFlags({ read: true, truncate: true })), Errno.ISDIR);
    }),
  );

  test(
    "a root given with a trailing slash, or relative to the cwd, names the same directory",
    withFs((_fs, dir) => {
      nfs.writeFileSync(join(dir, "f"), "x");
      const ino = nfs.statSync(join(dir, "f"), { bigint: true }).ino;
      assert.equal(stat(new NodeFs(dir + "//"), "f").ino, ino);
      const rel = relative(cwd(), dir);
      assert.ok(!rel.startsWith("/"), `${rel} is relative`);
      assert.equal(stat(new NodeFs(rel), "f").ino, ino);
    }),
  );

  test("the constructor throws a TypeError when the runtime has no process.getBuiltinModule", () => {
    const p = (globalThis as { process: { getBuiltinModule: unknown } }).process;
    const saved = p.getBuiltinModule;
    p.getBuiltinModule = undefined;
    try {
      assert.throws(() => new NodeFs("."), TypeError);
    } finally {
      p.getBuiltinModule = saved;
    }
    assert.ok(new NodeFs(".") instanceof NodeFs);
  });
});
