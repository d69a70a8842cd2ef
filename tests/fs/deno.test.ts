// DenoFs: the conformance suite on a temp dir, plus what only Deno's backend must emulate (exact ns times, pread,
// lutimes, append switching, ctime) and its permission wall. Registers nothing outside Deno.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { conformance, hstat, open, stat } from "./conformance.ts";
import { Errno } from "../../src/abi/errno.ts";
import { Filetype, Whence } from "../../src/abi/consts.ts";
import { DenoFs } from "../../src/fs/deno.ts";
import { type OpenFlags, openFlags } from "../../src/fs/types.ts";

const NONE: OpenFlags = openFlags();
const RD: OpenFlags = { ...NONE, read: true };
const RW: OpenFlags = { ...NONE, read: true, write: true };
const CREATE: OpenFlags = { ...NONE, read: true, write: true, create: true };
const DIR: OpenFlags = { ...NONE, read: true, directory: true };
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Runs `body` on a DenoFs over a fresh temp dir (also given), removing the dir afterwards. */
function withFs(body: (fs: DenoFs, dir: string) => void): () => void {
  return () => {
    const dir = Deno.makeTempDirSync({ prefix: "hostcall-denofs-" });
    try {
      body(new DenoFs(dir), dir);
    } finally {
      Deno.removeSync(dir, { recursive: true });
    }
  };
}

function put(fs: DenoFs, path: string, text: string): void {
  const h = open(fs, path, { ...CREATE, truncate: true });
  assert.equal(h.write(enc.encode(text)), text.length);
  h.close();
}

if (typeof Deno !== "undefined") {
  conformance("DenoFs", () => {
    const dir = Deno.makeTempDirSync({ prefix: "hostcall-denofs-" });
    return { fs: new DenoFs(dir), cleanup: () => Deno.removeSync(dir, { recursive: true }) };
  });

  describe("DenoFs on Deno only", () => {
    // Not whole µs, not k/64 s: the host (ms through Deno) cannot hold these, the backend remembers them.
    const A = 1_600_000_000_123_456_789n, M = 1_500_000_000_987_654_321n;

    test(
      "utimes then stat gives the exact ns values back, by path and by handle",
      withFs((fs) => {
        put(fs, "f", "x");
        assert.equal(fs.utimes("f", A, M, true), Errno.SUCCESS);
        let s = stat(fs, "f");
        assert.equal(s.atimNs, A);
        assert.equal(s.mtimNs, M);
        const h = open(fs, "f", RW);
        assert.equal(hstat(h).mtimNs, M, "a handle on the inode sees it too");
        assert.equal(h.utimes(M + 1n, null), Errno.SUCCESS);
        s = hstat(h);
        assert.equal(s.atimNs, M + 1n);
        assert.equal(s.mtimNs, M, "null keeps the exact value, not its ms truncation");
        h.close();
        assert.equal(stat(fs, "f").atimNs, M + 1n);
      }),
    );

    test(
      "an exact time is forgotten once the host's time moves (a write), and the host's ms are reported",
      withFs((fs) => {
        put(fs, "f", "x");
        assert.equal(fs.utimes("f", A, M, false), Errno.SUCCESS);
        const h = open(fs, "f", RW);
        assert.equal(h.write(enc.encode("more")), 4);
        const s = hstat(h);
        h.close();
        assert.notEqual(s.mtimNs, M);
        assert.equal(s.mtimNs % 1_000_000n, 0n, "Deno's stat has ms precision");
        assert.ok(s.mtimNs > M);
        assert.equal(s.atimNs, A, "atime was not touched by the write");
      }),
    );

    test(
      "the host holds floor(ns / 1e6) ms of a set time, as seen by Deno.statSync",
      withFs((fs, dir) => {
        put(fs, "f", "x");
        assert.equal(fs.utimes("f", A, M, false), Errno.SUCCESS);
        const info = Deno.statSync(`${dir}/f`);
        assert.equal(info.atime!.getTime(), Number(A / 1_000_000n));
        assert.equal(info.mtime!.getTime(), Number(M / 1_000_000n));
      }),
    );

    test(
      "two DenoFs over one directory agree on exact times (the memory is per inode, not per instance)",
      withFs((fs, dir) => {
        put(fs, "f", "x");
        assert.equal(fs.utimes("f", A, M, false), Errno.SUCCESS);
        assert.equal(stat(new DenoFs(dir + "/"), "f").mtimNs, M);
      }),
    );

    test(
      "utimes without follow changes the symlink's own times (lutimes), not its target's",
      withFs((fs, dir) => {
        put(fs, "f", "x");
        assert.equal(fs.symlink("f", "l"), Errno.SUCCESS);
        const before = Deno.statSync(`${dir}/f`).mtime!.getTime();
        assert.equal(fs.utimes("l", A, M, false), Errno.SUCCESS);
        const link = Deno.lstatSync(`${dir}/l`);
        assert.equal(link.mtime!.getTime(), Number(M / 1_000_000n), "the host link's mtime changed");
        assert.equal(link.atime!.getTime(), Number(A / 1_000_000n));
        assert.equal(Deno.statSync(`${dir}/f`).mtime!.getTime(), before, "the target is untouched");
        assert.equal(stat(fs, "l", false).mtimNs, M);
        assert.notEqual(stat(fs, "f").mtimNs, M);
      }),
    );

    test(
      "pread and pwrite leave the offset, also when they fail",
      withFs((fs) => {
        const h = open(fs, "f", CREATE);
        assert.equal(h.write(enc.encode("0123456789")), 10);
        assert.equal(h.seek(4, Whence.SET), 4);
        const buf = new Uint8Array(3);
        assert.equal(h.read(buf, 1), 3);
        assert.equal(dec.decode(buf), "123");
        assert.equal(h.write(enc.encode("ab"), 20), 2);
        assert.equal(h.read(buf, -1), -Errno.INVAL);
        assert.equal(h.write(buf, -1), -Errno.INVAL);
        assert.equal(h.read(buf, 2 ** 53), 0, "past the largest offset: EOF, as Linux pread");
        assert.equal(h.write(buf, 2 ** 53), -Errno.FBIG, "past the largest offset: FBIG, as Linux pwrite");
        assert.equal(h.seek(0, Whence.CUR), 4);
        assert.equal(h.read(buf), 3);
        assert.equal(dec.decode(buf), "456");
        assert.equal(hstat(h).size, 22);
        h.close();
      }),
    );

    test(
      "after positional calls (offset restored lazily) tell, seek, read, write, setAppend use the handle's offset",
      withFs((fs, dir) => {
        const h = open(fs, "f", { ...CREATE, append: true });
        assert.equal(h.write(enc.encode("0123456789")), 10);
        assert.equal(h.setAppend(false), Errno.SUCCESS);
        assert.equal(h.seek(3, Whence.SET), 3);
        const buf = new Uint8Array(2);
        for (const p of [8, 0, 5]) assert.equal(h.read(buf, p), 2);
        assert.equal(h.seek(0, Whence.CUR), 3, "tell");
        assert.equal(h.seek(-4, Whence.CUR), -Errno.INVAL, "a failed relative seek");
        assert.equal(h.seek(0, Whence.CUR), 3, "leaves the offset");
        assert.equal(h.read(buf, 7), 2);
        assert.equal(h.seek(2, Whence.CUR), 5, "relative to the handle's offset, not the host's");
        assert.equal(h.write(enc.encode("x"), 9), 1);
        assert.equal(h.write(enc.encode("W")), 1, "a write at the handle's offset");
        assert.equal(h.read(buf, 0), 2);
        assert.equal(h.read(buf), 2, "a read at the handle's offset");
        assert.equal(dec.decode(buf), "67");
        assert.equal(h.seek(0, Whence.CUR), 8);
        h.close();
        assert.equal(Deno.readTextFileSync(`${dir}/f`), "01234W678x");
        const a = open(fs, "g", { ...CREATE, append: true });
        assert.equal(a.write(enc.encode("abcdef")), 6);
        assert.equal(a.seek(2, Whence.SET), 2);
        assert.equal(a.write(enc.encode("!"), 0), 1, "appends");
        assert.equal(a.setAppend(false), Errno.SUCCESS, "reopened without O_APPEND");
        assert.equal(a.write(enc.encode("C")), 1, "at the handle's offset 2");
        a.close();
        assert.equal(Deno.readTextFileSync(`${dir}/g`), "abCdef!");
      }),
    );

    test(
      "append: opened with it, positional writes append; turned off, the handle writes in place",
      withFs((fs, dir) => {
        put(fs, "f", "abc");
        const h = open(fs, "f", { ...RW, append: true });
        assert.equal(h.write(enc.encode("1"), 0), 1, "pwrite appends (Linux)");
        assert.equal(h.seek(0, Whence.CUR), 0, "and leaves the offset");
        assert.equal(h.setAppend(false), Errno.SUCCESS);
        assert.equal(h.write(enc.encode("A")), 1);
        assert.equal(h.setAppend(true), Errno.SUCCESS);
        assert.equal(h.write(enc.encode("2"), 0), 1, "emulated append: pwrite appends too");
        assert.equal(h.seek(0, Whence.CUR), 1);
        assert.equal(h.write(enc.encode("3")), 1);
        assert.equal(h.seek(0, Whence.CUR), 6, "an appending write moves the offset to the end");
        h.close();
        assert.equal(Deno.readTextFileSync(`${dir}/f`), "Abc123");
      }),
    );

    test(
      "append cannot be turned off once the path names another file (NOTSUP), and keeps appending",
      withFs((fs, dir) => {
        put(fs, "f", "abc");
        const h = open(fs, "f", { ...RW, append: true });
        assert.equal(fs.rename("f", "g"), Errno.SUCCESS);
        put(fs, "f", "other");
        assert.equal(h.setAppend(false), Errno.NOTSUP);
        assert.equal(h.write(enc.encode("!"), 0), 1);
        h.close();
        assert.equal(Deno.readTextFileSync(`${dir}/g`), "abc!");
        assert.equal(Deno.readTextFileSync(`${dir}/f`), "other");
      }),
    );

    test(
      "ctime is never before a write's mtime although Deno reports it in whole seconds",
      withFs((fs) => {
        const h = open(fs, "f", CREATE);
        h.write(enc.encode("x"));
        const s = hstat(h);
        h.close();
        assert.ok(s.ctimNs >= s.mtimNs, `ctime ${s.ctimNs} < mtime ${s.mtimNs}`);
        assert.ok(s.ctimNs - s.mtimNs < 1_000_000_000n);
      }),
    );

    test(
      "readdir gives a FIFO's inode and UNKNOWN filetype (lstat, since readDirSync has no type for it)",
      withFs((fs, dir) => {
        const made = new Deno.Command("mkfifo", { args: [`${dir}/p`] }).outputSync();
        assert.ok(made.success, "mkfifo");
        const h = open(fs, "", DIR);
        const got: [string, number, bigint][] = [];
        assert.equal(h.readdir(0n, (n, t, i) => (got.push([n, t, i]), true)), Errno.SUCCESS);
        h.close();
        assert.deepEqual(got, [["p", Filetype.UNKNOWN, BigInt(Deno.lstatSync(`${dir}/p`).ino!)]]);
        assert.equal(stat(fs, "p").filetype, Filetype.UNKNOWN);
      }),
    );

    test(
      "a directory handle follows its path: sync, datasync and utimes work on it",
      withFs((fs) => {
        fs.mkdir("d");
        const h = open(fs, "d", DIR);
        assert.equal(h.sync(), Errno.SUCCESS);
        assert.equal(h.datasync(), Errno.SUCCESS);
        assert.equal(h.utimes(A, M), Errno.SUCCESS);
        assert.equal(stat(fs, "d").mtimNs, M);
        assert.equal(h.truncate(0), Errno.INVAL);
        h.close();
        assert.equal(h.sync(), Errno.BADF);
      }),
    );

    test(
      "a relative root with a trailing slash works",
      withFs((_fs, dir) => {
        const cwd = Deno.cwd();
        Deno.chdir(dir);
        try {
          Deno.mkdirSync("sub");
          const rel = new DenoFs("sub/");
          put(rel, "f", "rel");
          assert.equal(Deno.readTextFileSync(`${dir}/sub/f`), "rel");
          assert.equal(stat(rel, "").filetype, Filetype.DIRECTORY);
        } finally {
          Deno.chdir(cwd);
        }
      }),
    );

    test(
      "open of a symlink is LOOP and never follows it; open without read or write gives a readless handle",
      withFs((fs) => {
        put(fs, "f", "abc");
        fs.symlink("f", "l");
        assert.equal(fs.open("l", RD), Errno.LOOP);
        assert.equal(fs.open("l", { ...RW, truncate: true }), Errno.LOOP);
        assert.equal(stat(fs, "f").size, 3);
        const h = open(fs, "f", NONE);
        assert.equal(h.read(new Uint8Array(3)), -Errno.BADF);
        assert.equal(h.write(enc.encode("x")), -Errno.BADF);
        h.close();
      }),
    );

    test("a grant missing for the root answers ACCES for every call, never an exception", () => {
      const base = Deno.makeTempDirSync({ prefix: "hostcall-denofs-perm-" });
      try {
        const allowed = `${base}/allowed`, denied = `${base}/denied`, readable = `${base}/readable`;
        for (const d of [allowed, denied, readable]) {
          Deno.mkdirSync(d);
          Deno.writeTextFileSync(`${d}/f`, "x");
          Deno.mkdirSync(`${d}/d`);
          Deno.symlinkSync("f", `${d}/l`);
        }
        const script = `${base}/probe.ts`;
        Deno.writeTextFileSync(
          script,
          PROBE.replace("DENOFS_URL", new URL("../../src/fs/deno.ts", import.meta.url).href),
        );
        const out = new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "--no-config",
            "--no-prompt",
            `--allow-read=${allowed},${readable}`,
            `--allow-write=${allowed}`,
            script,
            allowed,
            denied,
            readable,
          ],
          stdout: "piped",
          stderr: "piped",
        }).outputSync();
        const stderr = dec.decode(out.stderr);
        assert.equal(out.code, 0, `probe failed: ${stderr}`);
        const r = JSON.parse(dec.decode(out.stdout)) as Record<string, Record<string, string>>;
        for (const [op, e] of Object.entries(r.denied)) assert.equal(e, "acces", `denied: ${op}`);
        const ok = (res: Record<string, string>, except: string[]): void => {
          for (const [op, e] of Object.entries(res)) {
            if (!except.includes(op)) assert.equal(e, "success", `${op}`);
          }
        };
        // Deno allows symlinkSync only with unscoped grants: under path-scoped ones it is ACCES, even inside.
        ok(r.allowed, ["symlink"]);
        assert.equal(r.allowed.symlink, "acces");
        // Read-only grant: reads work, every change is ACCES.
        for (const op of ["stat", "lstat", "openRead", "openDir", "readdir", "readlink", "read"]) {
          assert.equal(r.readable[op], "success", `readable: ${op}`);
        }
        for (const op of ["openWrite", "create", "mkdir", "rmdir", "unlink", "rename", "link", "utimes", "lutimes"]) {
          assert.equal(r.readable[op], "acces", `readable: ${op}`);
        }
        assert.equal(Deno.readTextFileSync(`${denied}/f`), "x", "nothing changed outside the grant");
        assert.ok(Deno.statSync(`${readable}/d`).isDirectory);
      } finally {
        Deno.removeSync(base, { recursive: true });
      }
    });
  });
}

/** Runs in a child Deno with path-scoped grants; prints, per root, each call's errno name. */
const PROBE = `
import { DenoFs } from "DENOFS_URL";
const [allowed, denied, readable] = Deno.args;
const RD = { read: true, write: false, create: false, exclusive: false, truncate: false, append: false, directory: false };
function name(e) { return e === 0 ? "success" : e === 2 ? "acces" : "errno" + e; }
function handle(h, then) { if (typeof h === "number") return name(h); const r = then ? then(h) : 0; h.close(); return name(r); }
function probe(root) {
  const fs = new DenoFs(root), st = {};
  const r = {};
  r.stat = name(fs.stat("f", st, true));
  r.lstat = name(fs.stat("l", st, false));
  r.openRead = handle(fs.open("f", RD));
  r.read = handle(fs.open("f", RD), (h) => { const n = h.read(new Uint8Array(4)); return n === 1 ? 0 : -n; });
  r.openDir = handle(fs.open("d", { ...RD, directory: true }));
  r.readdir = handle(fs.open("", { ...RD, directory: true }), (h) => h.readdir(0n, () => true));
  r.readlink = name(typeof fs.readlink("l") === "string" ? 0 : fs.readlink("l"));
  r.openWrite = handle(fs.open("f", { ...RD, write: true }));
  r.create = handle(fs.open("new", { ...RD, write: true, create: true }));
  r.mkdir = name(fs.mkdir("m"));
  r.utimes = name(fs.utimes("f", 1000000000n, 2000000000n, true));
  r.lutimes = name(fs.utimes("l", 1000000000n, 2000000000n, false));
  r.link = name(fs.link("f", "hard"));
  r.symlink = name(fs.symlink("f", "soft"));
  r.rename = name(fs.rename("f", "g"));
  r.unlink = name(fs.unlink(r.rename === "success" ? "g" : "f"));
  r.rmdir = name(fs.rmdir("d"));
  return r;
}
try {
  console.log(JSON.stringify({ allowed: probe(allowed), denied: probe(denied), readable: probe(readable) }));
} catch (e) {
  console.error("THREW", e);
  Deno.exit(1);
}
`;
