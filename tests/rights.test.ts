// Rights are capabilities (decisions.md#rights): for every right of a file or directory, a fresh fd that dropped it is
// refused with NOTCAPABLE by the call that needs it, before anything happens, and the same fd keeping it succeeds.
// On a MemoryFs, the node:fs backend (Deno, Bun, Node) and the Deno backend (Deno only).

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Errno, errnoName, type FileSystem, MemoryFs } from "../mod.ts";
import { Rights } from "../src/abi/consts.ts";
import { DenoFs } from "../src/fs/deno.ts";
import { NodeFs } from "../src/fs/node.ts";
import { newStat, openFlags } from "../src/fs/types.ts";
import { type Env, put, putIovecs, setU32, setup, u32, u64 } from "./helpers.ts";

const CREAT = 1, DIRECTORY = 2, TRUNC = 8; // $oflags
const APPEND = 1; // $fdflags
const FST_MTIM = 4; // $fstflags
const PRE = 3;
/** Guest memory: paths, a buffer, an iovec, results, a subscription and its event. */
const PA = 0x100, PB = 0x200, BUF = 0x300, IOV = 0x400, OUT = 0x410, STAT = 0x500, SUB = 0x600, EVT = 0x700;
const ALL = (1 << 30) - 1;
/** Every right but the three that open a file for writing: what a directory fd may be opened with. */
const DIR_ALL = ALL & ~(Rights.FD_WRITE | Rights.FD_ALLOCATE | Rights.FD_FILESTAT_SET_SIZE);
const dec = new TextDecoder();

interface Backend {
  name: string;
  /** A fresh backend and how to remove it. */
  make(): { fs: FileSystem; done(): void };
}

function hostBackend(name: string, ctor: new (root: string) => FileSystem): Backend {
  return {
    name,
    make() {
      const dir = mkdtempSync(join(tmpdir(), "hostcall-rights-"));
      return { fs: new ctor(dir), done: () => rmSync(dir, { recursive: true, force: true }) };
    },
  };
}

const BACKENDS: Backend[] = [{ name: "a MemoryFs", make: () => ({ fs: new MemoryFs(), done() {} }) }];
if (typeof (globalThis as { process?: { getBuiltinModule?: unknown } }).process?.getBuiltinModule === "function") {
  BACKENDS.push(hostBackend("the node:fs backend (NodeFs)", NodeFs));
}
if (typeof (globalThis as { Deno?: unknown }).Deno !== "undefined") {
  BACKENDS.push(hostBackend("the Deno backend", DenoFs));
}

/** The world: f ("hello"), d/ holding g ("inner"), e/ (empty) and ln -> g. */
function seed(fs: FileSystem): void {
  const w = (path: string, text: string) => {
    const h = fs.open(path, openFlags({ write: true, create: true }));
    assert.ok(typeof h !== "number", `seeding ${path}`);
    h.write(new TextEncoder().encode(text));
    h.close();
  };
  w("f", "hello");
  assert.equal(fs.mkdir("d"), Errno.SUCCESS);
  w("d/g", "inner");
  assert.equal(fs.mkdir("d/e"), Errno.SUCCESS);
  assert.equal(fs.symlink("g", "d/ln"), Errno.SUCCESS);
}

/** What the guest could change: every name with its type, size and content, and f's and d/g's mtimes. */
function world(fs: FileSystem): string {
  const out: string[] = [];
  const walk = (dir: string) => {
    const h = fs.open(dir, openFlags({ read: true, directory: true }));
    assert.ok(typeof h !== "number", `listing ${dir}`);
    const names: string[] = [];
    h.readdir(0n, (n) => (names.push(n), true));
    h.close();
    for (const n of names.sort()) {
      const p = dir === "" ? n : `${dir}/${n}`;
      const st = newStat();
      assert.equal(fs.stat(p, st, false), Errno.SUCCESS);
      let content = "";
      if (st.filetype === 4) {
        const f = fs.open(p, openFlags({ read: true }));
        assert.ok(typeof f !== "number");
        const b = new Uint8Array(64);
        content = dec.decode(b.subarray(0, Math.max(0, f.read(b, 0))));
        f.close();
      }
      out.push(`${p} ${st.filetype} ${st.size} ${JSON.stringify(content)} ${st.mtimNs}`);
      if (st.filetype === 3) walk(p);
    }
  };
  walk("");
  return out.join("\n");
}

/** One right: which fd needs it (a fresh file fd on f, or a fresh directory fd on d) and the call that uses it. */
interface Row {
  /** The call, for the test's name. */
  callName: string;
  right: keyof typeof Rights;
  /** More rights dropped with it (FD_TELL goes with FD_SEEK, which implies it). */
  also?: number;
  on: "file" | "dir";
  call(env: Env, fd: number): number;
  /** What the call answers when the fd holds the right (SUCCESS unless the kind answers otherwise). */
  ok?: Errno;
}

const path = (env: Env, p: number, s: string): number => put(env, p, s);
const ROWS: Row[] = [
  { callName: "fd_read", right: "FD_READ", on: "file", call: (env, fd) => env.p1.fd_read(fd, IOV, 1, OUT) },
  { callName: "fd_write", right: "FD_WRITE", on: "file", call: (env, fd) => env.p1.fd_write(fd, IOV, 1, OUT) },
  { callName: "fd_seek", right: "FD_SEEK", on: "file", call: (env, fd) => env.p1.fd_seek(fd, 1n, 0, OUT) },
  { callName: "fd_pread", right: "FD_SEEK", on: "file", call: (env, fd) => env.p1.fd_pread(fd, IOV, 1, 0n, OUT) },
  { callName: "fd_pwrite", right: "FD_SEEK", on: "file", call: (env, fd) => env.p1.fd_pwrite(fd, IOV, 1, 0n, OUT) },
  {
    callName: "fd_tell",
    right: "FD_TELL",
    also: Rights.FD_SEEK,
    on: "file",
    call: (env, fd) => env.p1.fd_tell(fd, OUT),
  },
  {
    callName: "fd_seek",
    right: "FD_TELL",
    also: Rights.FD_SEEK,
    on: "file",
    call: (env, fd) => env.p1.fd_seek(fd, 0n, 1, OUT),
  },
  {
    callName: "fd_fdstat_set_flags",
    right: "FD_FDSTAT_SET_FLAGS",
    on: "file",
    call: (env, fd) => env.p1.fd_fdstat_set_flags(fd, APPEND),
  },
  { callName: "fd_sync", right: "FD_SYNC", on: "file", call: (env, fd) => env.p1.fd_sync(fd) },
  { callName: "fd_datasync", right: "FD_DATASYNC", on: "file", call: (env, fd) => env.p1.fd_datasync(fd) },
  { callName: "fd_advise", right: "FD_ADVISE", on: "file", call: (env, fd) => env.p1.fd_advise(fd, 0n, 1n, 0) },
  // fd_allocate is NOTSUP with the right (as wasmtime): what matters is which check comes first.
  {
    callName: "fd_allocate",
    right: "FD_ALLOCATE",
    on: "file",
    call: (env, fd) => env.p1.fd_allocate(fd, 0n, 1n),
    ok: Errno.NOTSUP,
  },
  {
    callName: "fd_filestat_get",
    right: "FD_FILESTAT_GET",
    on: "file",
    call: (env, fd) => env.p1.fd_filestat_get(fd, STAT),
  },
  {
    callName: "fd_filestat_set_size",
    right: "FD_FILESTAT_SET_SIZE",
    on: "file",
    call: (env, fd) => env.p1.fd_filestat_set_size(fd, 2n),
  },
  {
    callName: "fd_filestat_set_times",
    right: "FD_FILESTAT_SET_TIMES",
    on: "file",
    call: (env, fd) => env.p1.fd_filestat_set_times(fd, 0n, 1_000_000_000n, FST_MTIM),
  },
  {
    callName: "poll_oneoff",
    right: "POLL_FD_READWRITE",
    on: "file",
    call(env, fd) {
      env.u8().fill(0, SUB, SUB + 48);
      env.u8()[SUB + 8] = 1; // fd_read
      setU32(env, SUB + 16, fd);
      const e = env.p1.poll_oneoff(SUB, EVT, 1, OUT);
      return e !== Errno.SUCCESS ? e : env.u8()[EVT + 8] | (env.u8()[EVT + 9] << 8); // the event's error
    },
  },
  {
    callName: "fd_filestat_get",
    right: "FD_FILESTAT_GET",
    on: "dir",
    call: (env, fd) => env.p1.fd_filestat_get(fd, STAT),
  },
  {
    callName: "fd_filestat_set_times",
    right: "FD_FILESTAT_SET_TIMES",
    on: "dir",
    call: (env, fd) => env.p1.fd_filestat_set_times(fd, 0n, 1_000_000_000n, FST_MTIM),
  },
  {
    callName: "fd_readdir",
    right: "FD_READDIR",
    on: "dir",
    call: (env, fd) => env.p1.fd_readdir(fd, BUF, 256, 0n, OUT),
  },
  {
    callName: "path_open",
    right: "PATH_OPEN",
    on: "dir",
    call: (env, fd) => env.p1.path_open(fd, 0, PA, path(env, PA, "g"), 0, BigInt(Rights.FD_READ), 0n, 0, OUT),
  },
  {
    callName: "path_open",
    right: "PATH_CREATE_FILE",
    on: "dir",
    call: (env, fd) => env.p1.path_open(fd, 0, PA, path(env, PA, "new"), CREAT, BigInt(Rights.FD_WRITE), 0n, 0, OUT),
  },
  {
    callName: "path_open",
    right: "PATH_FILESTAT_SET_SIZE", // O_TRUNC (the example: the right dropped, the truncation happened)
    on: "dir",
    call: (env, fd) => env.p1.path_open(fd, 0, PA, path(env, PA, "g"), TRUNC, BigInt(Rights.FD_WRITE), 0n, 0, OUT),
  },
  {
    callName: "path_create_directory",
    right: "PATH_CREATE_DIRECTORY",
    on: "dir",
    call: (env, fd) => env.p1.path_create_directory(fd, PA, path(env, PA, "n")),
  },
  {
    callName: "path_link",
    right: "PATH_LINK_SOURCE",
    on: "dir",
    call: (env, fd) => env.p1.path_link(fd, 0, PA, path(env, PA, "g"), PRE, PB, path(env, PB, "hard")),
  },
  {
    callName: "path_link",
    right: "PATH_LINK_TARGET",
    on: "dir",
    call: (env, fd) => env.p1.path_link(PRE, 0, PA, path(env, PA, "f"), fd, PB, path(env, PB, "hard")),
  },
  {
    callName: "path_readlink",
    right: "PATH_READLINK",
    on: "dir",
    call: (env, fd) => env.p1.path_readlink(fd, PA, path(env, PA, "ln"), BUF, 64, OUT),
  },
  {
    callName: "path_rename",
    right: "PATH_RENAME_SOURCE",
    on: "dir",
    call: (env, fd) => env.p1.path_rename(fd, PA, path(env, PA, "g"), PRE, PB, path(env, PB, "moved")),
  },
  {
    callName: "path_rename",
    right: "PATH_RENAME_TARGET",
    on: "dir",
    call: (env, fd) => env.p1.path_rename(PRE, PA, path(env, PA, "f"), fd, PB, path(env, PB, "moved")),
  },
  {
    callName: "path_filestat_get",
    right: "PATH_FILESTAT_GET",
    on: "dir",
    call: (env, fd) => env.p1.path_filestat_get(fd, 0, PA, path(env, PA, "g"), STAT),
  },
  {
    callName: "path_filestat_set_times",
    right: "PATH_FILESTAT_SET_TIMES",
    on: "dir",
    call: (env, fd) => env.p1.path_filestat_set_times(fd, 0, PA, path(env, PA, "g"), 0n, 1_000_000_000n, FST_MTIM),
  },
  {
    callName: "path_symlink",
    right: "PATH_SYMLINK",
    on: "dir",
    call: (env, fd) => env.p1.path_symlink(PA, path(env, PA, "g"), fd, PB, path(env, PB, "sym")),
  },
  {
    callName: "path_remove_directory",
    right: "PATH_REMOVE_DIRECTORY",
    on: "dir",
    call: (env, fd) => env.p1.path_remove_directory(fd, PA, path(env, PA, "e")),
  },
  {
    callName: "path_unlink_file",
    right: "PATH_UNLINK_FILE",
    on: "dir",
    call: (env, fd) => env.p1.path_unlink_file(fd, PA, path(env, PA, "g")),
  },
];

/** A fresh fd: f opened for reading and writing with every file right, or d opened as a directory with every right. */
function fresh(env: Env, on: "file" | "dir"): number {
  const n = path(env, PA, on === "file" ? "f" : "d");
  const rights = BigInt(on === "file" ? ALL : DIR_ALL);
  const e = env.p1.path_open(PRE, 0, PA, n, on === "dir" ? DIRECTORY : 0, rights, rights, 0, OUT);
  assert.equal(errnoName(e), "SUCCESS", `path_open ${on}`);
  return u32(env, OUT);
}

async function world0(backend: Backend): Promise<{ env: Env; fs: FileSystem; done(): void }> {
  const { fs, done } = backend.make();
  seed(fs);
  const env = await setup({ preopens: { "/w": fs } });
  put(env, BUF, "xy");
  putIovecs(env, IOV, [[BUF, 2]]);
  return { env, fs, done };
}

for (const backend of BACKENDS) {
  describe(`rights on ${backend.name}`, () => {
    for (const row of ROWS) {
      const drop = Rights[row.right] | (row.also ?? 0);
      const what = `${row.callName} on a ${row.on} fd`;
      test(`${what}: without ${row.right} NOTCAPABLE and nothing happens; with it ${errnoName(row.ok ?? 0)}`, async () => {
        const { env, fs, done } = await world0(backend);
        try {
          const fd = fresh(env, row.on);
          assert.equal(env.p1.fd_fdstat_get(fd, STAT), Errno.SUCCESS);
          const base = u64(env, STAT + 8), inheriting = u64(env, STAT + 16);
          assert.ok((base & BigInt(drop)) !== 0n, `the fresh fd holds ${row.right}`);
          assert.equal(env.p1.fd_fdstat_set_rights(fd, base & ~BigInt(drop), inheriting), Errno.SUCCESS);
          const before = world(fs);
          assert.equal(errnoName(row.call(env, fd)), "ENOTCAPABLE", `without ${row.right}`);
          assert.equal(world(fs), before, "nothing changed");
          const kept = fresh(env, row.on);
          assert.equal(errnoName(row.call(env, kept)), errnoName(row.ok ?? Errno.SUCCESS), `with ${row.right}`);
        } finally {
          done();
        }
      });
    }

    test("a fd from path_open has the rights it asked for (within its kind), and only those work", async () => {
      const { env, done } = await world0(backend);
      try {
        const asked = Rights.FD_READ | Rights.FD_SEEK | Rights.PATH_OPEN; // PATH_OPEN is no file right
        const n = path(env, PA, "f");
        assert.equal(env.p1.path_open(PRE, 0, PA, n, 0, BigInt(asked), 0n, 0, OUT), Errno.SUCCESS);
        const fd = u32(env, OUT);
        assert.equal(env.p1.fd_fdstat_get(fd, STAT), Errno.SUCCESS);
        assert.equal(u64(env, STAT + 8), BigInt(Rights.FD_READ | Rights.FD_SEEK), "fs_rights_base");
        assert.equal(env.p1.fd_pread(fd, IOV, 1, 1n, OUT), Errno.SUCCESS);
        assert.equal(dec.decode(env.u8().subarray(BUF, BUF + 2)), "el");
        assert.equal(env.p1.fd_tell(fd, OUT), Errno.SUCCESS, "FD_SEEK implies FD_TELL");
        assert.equal(env.p1.fd_filestat_get(fd, STAT), Errno.NOTCAPABLE);
        assert.equal(env.p1.fd_advise(fd, 0n, 1n, 0), Errno.NOTCAPABLE);
        // Not open for writing: a write is what the file answers (EBADF), not a capability.
        assert.equal(env.p1.fd_write(fd, IOV, 1, OUT), Errno.BADF);
      } finally {
        done();
      }
    });

    test("asking for no rights at all gets every right of the kind the directory hands down (read-only for a file)", async () => {
      const { env, done } = await world0(backend);
      try {
        const n = path(env, PA, "f");
        assert.equal(env.p1.path_open(PRE, 0, PA, n, 0, 0n, 0n, 0, OUT), Errno.SUCCESS);
        const fd = u32(env, OUT);
        assert.equal(env.p1.fd_filestat_get(fd, STAT), Errno.SUCCESS);
        assert.equal(env.p1.fd_seek(fd, 1n, 0, OUT), Errno.SUCCESS);
        assert.equal(env.p1.fd_write(fd, IOV, 1, OUT), Errno.BADF);
        assert.equal(env.p1.fd_fdstat_get(fd, STAT), Errno.SUCCESS);
        const base = Number(u64(env, STAT + 8));
        assert.equal(base & Rights.FD_WRITE, 0, "no FD_WRITE");
        assert.notEqual(base & Rights.FD_FILESTAT_SET_TIMES, 0, "FD_FILESTAT_SET_TIMES");
        const d = path(env, PA, "d");
        assert.equal(env.p1.path_open(PRE, 0, PA, d, DIRECTORY, 0n, 0n, 0, OUT), Errno.SUCCESS);
        const dir = u32(env, OUT);
        assert.equal(env.p1.path_unlink_file(dir, PA, path(env, PA, "g")), Errno.SUCCESS);
      } finally {
        done();
      }
    });

    test("a directory hands down only its inheriting rights: without FD_WRITE, no file under it can be written, not even with APPEND or O_TRUNC", async () => {
      const { env, fs, done } = await world0(backend);
      try {
        const dir = fresh(env, "dir");
        assert.equal(env.p1.fd_fdstat_get(dir, STAT), Errno.SUCCESS);
        const inheriting = u64(env, STAT + 16) & ~BigInt(Rights.FD_WRITE);
        assert.equal(env.p1.fd_fdstat_set_rights(dir, u64(env, STAT + 8), inheriting), Errno.SUCCESS);
        const before = world(fs);
        const asked = BigInt(Rights.FD_READ | Rights.FD_WRITE);
        assert.equal(env.p1.path_open(dir, 0, PA, path(env, PA, "g"), 0, asked, 0n, 0, OUT), Errno.SUCCESS);
        const plain = u32(env, OUT);
        assert.equal(env.p1.fd_fdstat_get(plain, STAT), Errno.SUCCESS);
        assert.equal(u64(env, STAT + 8) & BigInt(Rights.FD_WRITE), 0n, "no FD_WRITE reported");
        assert.equal(env.p1.fd_write(plain, IOV, 1, OUT), Errno.BADF, "opened read-only");
        assert.equal(env.p1.path_open(dir, 0, PA, path(env, PA, "g"), 0, asked, 0n, APPEND, OUT), Errno.SUCCESS);
        const appending = u32(env, OUT);
        assert.equal(
          env.p1.fd_write(appending, IOV, 1, OUT),
          Errno.NOTCAPABLE,
          "APPEND opens for writing, not the right",
        );
        assert.equal(world(fs), before, "nothing written");
        assert.equal(env.p1.path_open(dir, 0, PA, path(env, PA, "g"), TRUNC, asked, 0n, 0, OUT), Errno.SUCCESS);
        assert.equal(
          env.p1.fd_write(u32(env, OUT), IOV, 1, OUT),
          Errno.NOTCAPABLE,
          "O_TRUNC truncates (its own right)",
        );
        const others = (w: string) => w.split("\n").filter((l) => !l.startsWith("d/g "));
        assert.deepEqual(others(world(fs)), others(before), "only d/g changed");
        assert.match(world(fs), /^d\/g 4 0 "" /m, "d/g is truncated, nothing written");
      } finally {
        done();
      }
    });

    test("a directory with no inheriting rights left hands down none (asking for FD_WRITE used to get every file right)", async () => {
      const { env, done } = await world0(backend);
      try {
        const dir = fresh(env, "dir");
        assert.equal(env.p1.fd_fdstat_get(dir, STAT), Errno.SUCCESS);
        assert.equal(env.p1.fd_fdstat_set_rights(dir, u64(env, STAT + 8), 0n), Errno.SUCCESS);
        const asked = BigInt(Rights.FD_WRITE);
        assert.equal(env.p1.path_open(dir, 0, PA, path(env, PA, "g"), 0, asked, asked, APPEND, OUT), Errno.SUCCESS);
        const fd = u32(env, OUT);
        assert.equal(env.p1.fd_fdstat_get(fd, STAT), Errno.SUCCESS);
        assert.deepEqual([u64(env, STAT + 8), u64(env, STAT + 16)], [0n, 0n], "no rights at all");
        assert.equal(env.p1.fd_write(fd, IOV, 1, OUT), Errno.NOTCAPABLE);
        assert.equal(env.p1.fd_filestat_get(fd, STAT), Errno.NOTCAPABLE);
        const sub = path(env, PA, "e");
        assert.equal(env.p1.path_open(dir, 0, PA, sub, DIRECTORY, 0n, 0n, 0, OUT), Errno.SUCCESS);
        const e = u32(env, OUT);
        assert.equal(
          env.p1.path_create_directory(e, PA, path(env, PA, "x")),
          Errno.NOTCAPABLE,
          "a sub-directory neither",
        );
      } finally {
        done();
      }
    });

    test("dropping FD_TELL alone keeps fd_tell working: FD_SEEK implies it", async () => {
      const { env, done } = await world0(backend);
      try {
        const fd = fresh(env, "file");
        assert.equal(env.p1.fd_fdstat_get(fd, STAT), Errno.SUCCESS);
        const base = u64(env, STAT + 8) & ~BigInt(Rights.FD_TELL);
        assert.equal(env.p1.fd_fdstat_set_rights(fd, base, 0n), Errno.SUCCESS);
        assert.equal(env.p1.fd_tell(fd, OUT), Errno.SUCCESS);
      } finally {
        done();
      }
    });
  });
}
