// The sandbox: every way out of a preopen we can think of, each refused with an errno, on every backend.
//
// Each test builds a fresh world: `root/` (the preopen, seeded with files and with symlinks created on the
// host side, before the guest runs) beside `outside/` (`secret.txt` holding "SECRET", and `dir/`). After the
// test, the outside world must be exactly as it was: on a host directory its metadata (inode, mode, links,
// size, atime/mtime/ctime; atime is set to the past first, so a host read shows up under relatime), the
// listings of the temp dir and of `outside/`, and the secret's content; and no "SECRET" byte may have
// reached guest memory. The backends:
// - a host temp dir, `preopens: { "/sandbox": rootDir }` (DenoFs on Deno, NodeFs on Bun and Node);
// - a MemoryFs as the preopen: it has no "outside", so only the errnos say that nothing above its root
//   can be named;
// - a MemoryFs seen through a subtree view rooted at its `root/`, with a real `outside/` beside it in the
//   same tree: MemoryFs follows symlinks itself when asked, so this catches a backend call that would.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Errno, errnoName, type FileHandle, type FileSystem, type OpenFlags, type Stat } from "../mod.ts";
import { MemoryFs } from "../src/fs/memory.ts";
import { newStat, openFlags } from "../src/fs/types.ts";
import { type Env, put, setU32, setup, u32, u8 } from "./helpers.ts";

// ---- spec numbers ----

const CREAT = 1, DIRECTORY = 2, EXCL = 4, TRUNC = 8; // $oflags
const FOLLOW = 1; // $lookupflags SYMLINK_FOLLOW
const FST_ATIM = 1, FST_MTIM = 4; // $fstflags
const FT_DIRECTORY = 3, FT_REGULAR = 4, FT_SYMLINK = 7; // $filetype
const R_FD_READ = 1n << 1n, R_FD_SEEK = 1n << 2n, R_FD_TELL = 1n << 5n, R_FD_READDIR = 1n << 14n;
const R_FD_FILESTAT_GET = 1n << 21n, R_PATH_OPEN = 1n << 13n, R_PATH_FILESTAT_GET = 1n << 18n;
/** Rights that read: a directory opened with them is a directory fd (write rights on a directory are ISDIR). */
const READ = R_FD_READ | R_FD_SEEK | R_FD_TELL | R_FD_READDIR | R_FD_FILESTAT_GET | R_PATH_OPEN |
  R_PATH_FILESTAT_GET;
/** Every right. */
const ALL = (1n << 30n) - 1n;
/** Every right but the writing ones (FD_WRITE, FD_ALLOCATE, FD_FILESTAT_SET_SIZE): a directory fd that may do anything. */
const DIR_ALL = ALL & ~((1n << 6n) | (1n << 8n) | (1n << 22n));

/** The preopen "/sandbox" is the first fd after stdio. */
const PRE = 3;
const PREOPEN_NAME = "/sandbox";

// ---- guest memory layout (one page) ----

const OUT = 64; // u32 results (fd, bufused, nread)
const IOV = 128; // one iovec
const STATBUF = 256; // a filestat (64 bytes) or fdstat
const PATH_A = 4096; // first path argument (room for 16 KiB)
const PATH_B = 20480; // second path argument (room for 16 KiB)
const BUF = 40960; // readlink / read / readdir buffer
const BUF_LEN = 8192;

// ---- the worlds ----

/** One backend's world: the preopen, the JS-side seeding of `root/`, and what outside must stay as it was. */
interface Box {
  /** What `preopens["/sandbox"]` gets. */
  preopen: string | FileSystem;
  /** An absolute path naming `outside/` from the backend's real root (a host path, or "/outside"). */
  absOutside: string;
  /** Seeding, relative to `root/`. */
  mkdir(p: string): void;
  write(p: string, data: string): void;
  symlink(target: string, p: string): void;
  /** Metadata of everything outside (compared before and after each test); "" when nothing is outside. */
  stats(): unknown;
  /** Asserts the outside listings and contents are what the box was made with. */
  checkWorld(): void;
  cleanup(): void;
}

interface Backend {
  name: string;
  make(): Box;
}

/** A host temp dir: `tmp/root/` is the preopen, `tmp/outside/{secret.txt,dir/}` is beside it. */
function hostBox(): Box {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), "hostcall-sandbox-")));
  const root = join(tmp, "root"), outside = join(tmp, "outside");
  const secret = join(outside, "secret.txt"), dir = join(outside, "dir");
  mkdirSync(root);
  mkdirSync(outside);
  mkdirSync(dir);
  writeFileSync(secret, "SECRET");
  // An atime in the past (before ctime): under relatime the next read of any of these moves it to now.
  for (const p of [secret, dir, outside]) utimesSync(p, 1000, 2000);
  const watched = [outside, secret, dir];
  return {
    preopen: root,
    absOutside: outside,
    mkdir: (p) => mkdirSync(join(root, p)),
    write: (p, data) => writeFileSync(join(root, p), data),
    symlink: (target, p) => symlinkSync(target, join(root, p)),
    stats: () =>
      watched.map((p) => {
        const s = lstatSync(p, { bigint: true });
        return {
          path: p.slice(tmp.length),
          ino: s.ino,
          mode: s.mode,
          nlink: s.nlink,
          size: s.size,
          atimeNs: s.atimeNs,
          mtimeNs: s.mtimeNs,
          ctimeNs: s.ctimeNs,
        };
      }),
    checkWorld() {
      assert.deepEqual(readdirSync(tmp).sort(), ["outside", "root"], "the temp dir holds only root/ and outside/");
      assert.deepEqual(readdirSync(outside).sort(), ["dir", "secret.txt"], "outside/ listing");
      assert.deepEqual(readdirSync(dir), [], "outside/dir/ listing");
      assert.equal(readFileSync(secret, "utf8"), "SECRET", "outside/secret.txt content");
    },
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

/** Seeding through the seam (so a MemoryFs symlink is stored exactly like a guest-visible one). */
function seamSeed(fs: MemoryFs, prefix: string): Pick<Box, "mkdir" | "write" | "symlink"> {
  const at = (p: string) => prefix + p;
  return {
    mkdir: (p) => fs.files.mkdir(at(p), { recursive: true }),
    write: (p, data) => fs.files.writeFile(at(p), data),
    symlink(target, p) {
      const e = fs.symlink(target, at(p).replace(/^\//, ""));
      assert.equal(e, Errno.SUCCESS, `seeding symlink ${p}`);
    },
  };
}

/** A MemoryFs as the preopen itself: there is nothing above its root to reach. */
function memoryBox(): Box {
  const fs = new MemoryFs();
  return {
    preopen: fs,
    absOutside: "/outside",
    ...seamSeed(fs, "/"),
    stats: () => "",
    checkWorld() {
      // Nothing the guest may not see exists; "outside" must not have been made at the root either.
      assert.equal(fs.stat("outside", newStat(), false), Errno.NOENT, "no outside/ at the MemoryFs root");
    },
    cleanup() {},
  };
}

/** `fs` seen from its directory `prefix`: every path is mapped below it, nothing else is touched. */
class SubtreeFs implements FileSystem {
  readonly #fs: FileSystem;
  readonly #prefix: string;
  constructor(fs: FileSystem, prefix: string) {
    this.#fs = fs;
    this.#prefix = prefix;
  }
  #p(path: string): string {
    return path === "" ? this.#prefix : `${this.#prefix}/${path}`;
  }
  open(path: string, flags: OpenFlags): FileHandle | Errno {
    return this.#fs.open(this.#p(path), flags);
  }
  stat(path: string, out: Stat, follow: boolean): Errno {
    return this.#fs.stat(this.#p(path), out, follow);
  }
  mkdir(path: string): Errno {
    return this.#fs.mkdir(this.#p(path));
  }
  rmdir(path: string): Errno {
    return this.#fs.rmdir(this.#p(path));
  }
  unlink(path: string): Errno {
    return this.#fs.unlink(this.#p(path));
  }
  rename(from: string, to: string): Errno {
    return this.#fs.rename(this.#p(from), this.#p(to));
  }
  link(from: string, to: string): Errno {
    return this.#fs.link(this.#p(from), this.#p(to));
  }
  symlink(target: string, path: string): Errno {
    return this.#fs.symlink(target, this.#p(path));
  }
  readlink(path: string): string | Errno {
    return this.#fs.readlink(this.#p(path));
  }
  utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): Errno {
    return this.#fs.utimes(this.#p(path), atimNs, mtimNs, follow);
  }
}

const LIST: OpenFlags = openFlags({ read: true, directory: true });

/** The entry names of directory `path` of `fs`, sorted. */
function listing(fs: FileSystem, path: string): string[] {
  const h = fs.open(path, LIST);
  if (typeof h === "number") assert.fail(`listing ${path}: ${errnoName(h)}`);
  const names: string[] = [];
  const e = h.readdir(0n, (name) => {
    names.push(name);
    return true;
  });
  assert.equal(e, Errno.SUCCESS, `readdir ${path}`);
  h.close();
  return names.sort();
}

/** A MemoryFs holding `root/` and `outside/`, with the guest given only `root/` (through SubtreeFs). */
function memorySubtreeBox(): Box {
  const fs = new MemoryFs();
  fs.files.mkdir("/root", { recursive: true });
  fs.files.writeFile("/outside/secret.txt", "SECRET");
  fs.files.mkdir("/outside/dir", { recursive: true });
  return {
    preopen: new SubtreeFs(fs, "root"),
    absOutside: "/outside",
    ...seamSeed(fs, "/root/"),
    stats: () =>
      ["outside", "outside/secret.txt", "outside/dir"].map((path) => {
        const s = newStat();
        assert.equal(fs.stat(path, s, false), Errno.SUCCESS, `stat ${path}`);
        return { path, ...s };
      }),
    checkWorld() {
      assert.deepEqual(listing(fs, ""), ["outside", "root"], "the MemoryFs root holds only root/ and outside/");
      assert.deepEqual(listing(fs, "outside"), ["dir", "secret.txt"], "outside/ listing");
      assert.deepEqual(listing(fs, "outside/dir"), [], "outside/dir/ listing");
      assert.equal(new TextDecoder().decode(fs.files.readFile("/outside/secret.txt")), "SECRET", "secret content");
    },
    cleanup() {},
  };
}

const BACKENDS: Backend[] = [
  { name: "a host directory", make: hostBox },
  { name: "a MemoryFs", make: memoryBox },
  { name: "a MemoryFs subtree with an outside", make: memorySubtreeBox },
];

/** Names at the top of the root, as seeded (fd_readdir of the preopen must list exactly these). */
const ROOT_NAMES: string[] = [];

/** The inside of every world. Host-side symlinks are made before the guest runs. */
function seed(box: Box): void {
  const names = new Set<string>();
  const top = (p: string) => names.add(p.split("/")[0]);
  const write = (p: string, s: string) => {
    top(p);
    box.write(p, s);
  };
  const mkdir = (p: string) => {
    top(p);
    box.mkdir(p);
  };
  const link = (target: string, p: string) => {
    top(p);
    box.symlink(target, p);
  };
  write("file.txt", "inside");
  mkdir("sub");
  write("sub/inner.txt", "inner");
  mkdir("a");
  mkdir("a/b");
  mkdir("in");
  link("../sub", "in/link"); // inside: in/link -> sub
  link("../outside", "link-out"); // relative, leads out
  link(box.absOutside, "link-abs"); // absolute, naming outside/
  link("/", "link-root");
  link("chain2", "chain1");
  link("../outside", "chain2");
  link("loop-b", "loop-a");
  link("loop-a", "loop-b");
  link("self", "self");
  for (let i = 0; i < 40; i++) link(`c${i + 1}`, `c${i}`); // c0 -> c1 -> ... -> c40 -> file.txt: 41 links
  link("file.txt", "c40");
  link("../outside/newfile", "dangling-out");
  link("../outside/secret.txt", "link-out-secret");
  link("../root/file.txt", "link-back-in"); // leaves the root and comes back (on the host, the same file)
  if (ROOT_NAMES.length === 0) ROOT_NAMES.push(...[...names].sort());
}

// ---- guest calls ----

interface G {
  env: Env;
  box: Box;
  backend: Backend;
}

type Path = string | Uint8Array;

/** A path for a failure message (long ones shortened). */
function show(p: Path): string {
  const s = JSON.stringify(typeof p === "string" ? p : [...p]);
  return s.length > 80 ? `${s.slice(0, 60)}... (${s.length} chars)` : s;
}

function enc(p: Path): Uint8Array {
  return typeof p === "string" ? new TextEncoder().encode(p) : p;
}

/** Asserts an errno by name (readable failures). */
function is(actual: number, expected: number, what: string): void {
  assert.equal(errnoName(actual), errnoName(expected), what);
}

/** Asserts an errno is one of `expected`. */
function isOneOf(actual: number, expected: number[], what: string): void {
  assert.ok(
    expected.includes(actual),
    `${what}: got ${errnoName(actual)}, expected one of ${expected.map(errnoName).join(", ")}`,
  );
}

interface OpenOptions {
  dirfd?: number;
  follow?: boolean;
  oflags?: number;
  rights?: bigint;
}

/** path_open; the errno and (on success) the new fd. */
function open(g: G, path: Path, o: OpenOptions = {}): { errno: number; fd: number } {
  const len = put(g.env, PATH_A, enc(path));
  setU32(g.env, OUT, 0xffffffff);
  const rights = o.rights ?? READ;
  const e = g.env.p1.path_open(
    o.dirfd ?? PRE,
    o.follow ? FOLLOW : 0,
    PATH_A,
    len,
    o.oflags ?? 0,
    rights,
    rights,
    0,
    OUT,
  );
  return { errno: e, fd: e === Errno.SUCCESS ? u32(g.env, OUT) : -1 };
}

/** path_open must fail with `expected`. */
function openFails(g: G, path: Path, expected: number, o: OpenOptions = {}): void {
  const { errno } = open(g, path, o);
  is(errno, expected, `path_open ${show(path)}`);
}

/** path_open must succeed; returns the fd. */
function openOk(g: G, path: Path, o: OpenOptions = {}): number {
  const { errno, fd } = open(g, path, o);
  is(errno, Errno.SUCCESS, `path_open ${show(path)}`);
  return fd;
}

/** Everything fd_read gives from `fd` (one read of up to BUF_LEN bytes). */
function readText(g: G, fd: number): string {
  setU32(g.env, IOV, BUF);
  setU32(g.env, IOV + 4, BUF_LEN);
  is(g.env.p1.fd_read(fd, IOV, 1, OUT), Errno.SUCCESS, "fd_read");
  const n = u32(g.env, OUT);
  return new TextDecoder().decode(g.env.u8().slice(BUF, BUF + n));
}

/** A call taking one path (create_directory, remove_directory, unlink_file). */
function onePath(g: G, call: string, path: Path, dirfd = PRE): number {
  const len = put(g.env, PATH_A, enc(path));
  return g.env.p1[call](dirfd, PATH_A, len);
}

function filestat(g: G, path: Path, follow: boolean): number {
  const len = put(g.env, PATH_A, enc(path));
  return g.env.p1.path_filestat_get(PRE, follow ? FOLLOW : 0, PATH_A, len, STATBUF);
}

function setTimes(g: G, path: Path, follow: boolean): number {
  const len = put(g.env, PATH_A, enc(path));
  return g.env.p1.path_filestat_set_times(PRE, follow ? FOLLOW : 0, PATH_A, len, 5n, 7n, FST_ATIM | FST_MTIM);
}

function rename(g: G, from: Path, to: Path): number {
  const a = put(g.env, PATH_A, enc(from)), b = put(g.env, PATH_B, enc(to));
  return g.env.p1.path_rename(PRE, PATH_A, a, PRE, PATH_B, b);
}

function link(g: G, from: Path, to: Path, follow = false): number {
  const a = put(g.env, PATH_A, enc(from)), b = put(g.env, PATH_B, enc(to));
  return g.env.p1.path_link(PRE, follow ? FOLLOW : 0, PATH_A, a, PRE, PATH_B, b);
}

function symlink(g: G, target: Path, at: Path): number {
  const a = put(g.env, PATH_A, enc(target)), b = put(g.env, PATH_B, enc(at));
  return g.env.p1.path_symlink(PATH_A, a, PRE, PATH_B, b);
}

function readlink(g: G, path: Path): { errno: number; target: string } {
  const len = put(g.env, PATH_A, enc(path));
  const e = g.env.p1.path_readlink(PRE, PATH_A, len, BUF, BUF_LEN, OUT);
  const n = e === Errno.SUCCESS ? u32(g.env, OUT) : 0;
  return { errno: e, target: new TextDecoder().decode(g.env.u8().slice(BUF, BUF + n)) };
}

/** The filetype path_filestat_get wrote (after a successful call). */
function statType(g: G): number {
  return u8(g.env, STATBUF + 16);
}

/** fd_readdir of `fd` from cookie 0: [name, type, ino] for every entry (the buffer is large enough). */
function readdir(g: G, fd: number): [string, number, bigint][] {
  is(g.env.p1.fd_readdir(fd, BUF, BUF_LEN, 0n, OUT), Errno.SUCCESS, "fd_readdir");
  const used = u32(g.env, OUT);
  assert.ok(used < BUF_LEN, "the whole listing fits");
  const dv = new DataView(g.env.memory.buffer, BUF, used);
  const out: [string, number, bigint][] = [];
  for (let p = 0; p < used;) {
    const namlen = dv.getUint32(p + 16, true);
    const name = new TextDecoder().decode(g.env.u8().slice(BUF + p + 24, BUF + p + 24 + namlen));
    out.push([name, dv.getUint8(p + 20), dv.getBigUint64(p + 8, true)]);
    p += 24 + namlen;
  }
  return out;
}

/** Does the backend root (inside) hold `p`? Seen from the guest, with path_filestat_get (no follow). */
function insideExists(g: G, p: string): boolean {
  const e = filestat(g, p, false);
  if (e === Errno.NOENT || e === Errno.NAMETOOLONG) return false;
  is(e, Errno.SUCCESS, `path_filestat_get ${show(p)}`);
  return true;
}

const SECRET = new TextEncoder().encode("SECRET");

/** Fails if the outside file's content reached guest memory. */
function assertNoSecretInMemory(env: Env): void {
  const m = env.u8();
  outer: for (let i = 0; i + SECRET.length <= m.length; i++) {
    for (let j = 0; j < SECRET.length; j++) if (m[i + j] !== SECRET[j]) continue outer;
    assert.fail(`"SECRET" (outside/secret.txt) reached guest memory at ${i}`);
  }
}

/** Runs `body` in a fresh world of `backend`, then checks that nothing outside was read or changed. */
async function inBox(backend: Backend, body: (g: G) => void | Promise<void>): Promise<void> {
  const box = backend.make();
  try {
    seed(box);
    const before = box.stats();
    const env = await setup({ preopens: { [PREOPEN_NAME]: box.preopen } });
    let failure: unknown = undefined;
    try {
      await body({ env, box, backend });
    } catch (err) {
      failure = err;
    } finally {
      for (let fd = PRE + 1; fd < 32; fd++) env.p1.fd_close(fd);
    }
    // The outside is checked even when the body failed: an escape shows as both.
    try {
      assert.deepEqual(box.stats(), before, "the outside world's metadata changed (read, written or linked)");
      box.checkWorld();
      assertNoSecretInMemory(env);
    } catch (err) {
      if (failure === undefined) throw err;
      const first = failure instanceof Error ? failure.message : String(failure);
      failure = new Error(`${first}\n  and outside the preopen: ${(err as Error).message}`, { cause: failure });
    }
    if (failure !== undefined) throw failure;
  } finally {
    box.cleanup();
  }
}

// ---- the attempts ----

for (const backend of BACKENDS) {
  describe(`sandbox on ${backend.name}`, () => {
    const it = (name: string, body: (g: G) => void | Promise<void>) => test(name, () => inBox(backend, body));

    // Controls: the world is what the tests think, so a refusal below is the sandbox, not a typo.
    it("control: file.txt, sub/../file.txt and in/link/inner.txt open inside the root", (g) => {
      for (const p of ["file.txt", "sub/../file.txt", "./a/b/../../file.txt"]) {
        assert.equal(readText(g, openOk(g, p)), "inside", p);
      }
      assert.equal(readText(g, openOk(g, "in/link/inner.txt")), "inner");
    });
    it("control: 40 chained symlinks (c1 -> ... -> c40 -> file.txt) are followed", (g) => {
      assert.equal(readText(g, openOk(g, "c1", { follow: true })), "inside");
    });
    if (backend.name === "a host directory") {
      test("control: the outside snapshot notices a host read and a host write", () => {
        const box = hostBox();
        try {
          const before = box.stats();
          readFileSync(join(box.absOutside, "secret.txt"));
          assert.notDeepEqual(
            box.stats(),
            before,
            "reading outside/secret.txt did not move its atime: this filesystem cannot show host reads",
          );
          const mid = box.stats();
          writeFileSync(join(box.absOutside, "secret.txt"), "SECRET");
          assert.notDeepEqual(box.stats(), mid, "rewriting outside/secret.txt did not change its metadata");
        } finally {
          box.cleanup();
        }
      });
    }

    // ".." above the preopen root
    it("path_open ../outside/secret.txt is PERM", (g) => openFails(g, "../outside/secret.txt", Errno.PERM));
    it("path_open a/../../outside/secret.txt is PERM", (g) => openFails(g, "a/../../outside/secret.txt", Errno.PERM));
    it("path_open ./../x is PERM", (g) => openFails(g, "./../x", Errno.PERM));
    it("path_open a/b/../../../.. (deep) is PERM", (g) => openFails(g, "a/b/../../../..", Errno.PERM));
    it("path_open .. from the preopen is PERM, . is the preopen as a directory fd", (g) => {
      openFails(g, "..", Errno.PERM);
      openFails(g, "../", Errno.PERM, { follow: true });
      const fd = openOk(g, ".");
      is(g.env.p1.fd_fdstat_get(fd, STATBUF), Errno.SUCCESS, "fd_fdstat_get");
      assert.equal(u8(g.env, STATBUF), FT_DIRECTORY, "a directory fd");
      assert.deepEqual(readdir(g, fd).map(([n]) => n).sort(), [".", "..", ...ROOT_NAMES].sort());
    });
    it("path_open ../root/file.txt (out and back in) is PERM", (g) => openFails(g, "../root/file.txt", Errno.PERM));
    it("path_open with 1300 leading ../ is PERM (2000 are NAMETOOLONG: past PATH_MAX)", (g) => {
      openFails(g, "../".repeat(1300) + "outside/secret.txt", Errno.PERM);
      openFails(g, "../".repeat(2000) + "outside/secret.txt", Errno.NAMETOOLONG);
    });

    // absolute guest paths
    it("path_open /etc/passwd (absolute) is PERM", (g) => openFails(g, "/etc/passwd", Errno.PERM));
    it("path_open / is PERM", (g) => openFails(g, "/", Errno.PERM));
    it("path_open //x is PERM", (g) => openFails(g, "//x", Errno.PERM));
    it("path_open of the preopen's own guest name /sandbox/file.txt is PERM", (g) => {
      openFails(g, `${PREOPEN_NAME}/file.txt`, Errno.PERM);
    });
    it("path_open of the outside's absolute backend path is PERM", (g) => {
      openFails(g, `${g.box.absOutside}/secret.txt`, Errno.PERM, { follow: true });
    });

    // symlinks made on the host side, before the run
    it("host symlink to ../outside: link-out/secret.txt is PERM with SYMLINK_FOLLOW", (g) => {
      openFails(g, "link-out/secret.txt", Errno.PERM, { follow: true });
    });
    it("host symlink to ../outside: link-out/secret.txt is PERM without SYMLINK_FOLLOW (a middle link is always followed)", (g) => {
      openFails(g, "link-out/secret.txt", Errno.PERM);
    });
    it("host symlink to an absolute path of outside/ is PERM", (g) => {
      openFails(g, "link-abs/secret.txt", Errno.PERM, { follow: true });
      openFails(g, "link-abs", Errno.PERM, { follow: true });
    });
    it("host symlink to / is PERM", (g) => {
      openFails(g, "link-root", Errno.PERM, { follow: true });
      openFails(g, "link-root/etc/passwd", Errno.PERM, { follow: true });
    });
    it("a chain link1 -> link2 -> ../outside is PERM", (g) => {
      openFails(g, "chain1/secret.txt", Errno.PERM, { follow: true });
    });
    it("a symlink loop a -> b -> a is LOOP", (g) => {
      openFails(g, "loop-a", Errno.LOOP, { follow: true });
      openFails(g, "loop-a/x", Errno.LOOP);
    });
    it("a self-loop is LOOP", (g) => openFails(g, "self", Errno.LOOP, { follow: true }));
    it("41 chained symlinks are LOOP", (g) => openFails(g, "c0", Errno.LOOP, { follow: true }));
    it("a symlink in the middle of a path: in/link/../../outside/secret.txt is PERM (.. is taken after the link)", (g) => {
      // in/link -> ../sub, so in/link/.. is the root and one more .. leaves it (read lexically it would be
      // "outside/secret.txt" inside the root; on the host it is tmp/outside/secret.txt).
      openFails(g, "in/link/../../outside/secret.txt", Errno.PERM, { follow: true });
    });
    it("a symlink that leaves the root and comes back (../root/file.txt) is PERM", (g) => {
      openFails(g, "link-back-in", Errno.PERM, { follow: true });
    });
    it("link-out/.. is PERM (the link is followed before .., read lexically it would be the root)", (g) => {
      openFails(g, "link-out/..", Errno.PERM);
      openFails(g, "link-out/../root/file.txt", Errno.PERM, { follow: true });
    });
    it("a symlink moved up a level (in/link -> ../sub, renamed to the root) then leads out: PERM", (g) => {
      is(rename(g, "in/link", "moved"), Errno.SUCCESS, "path_rename in/link moved");
      openFails(g, "moved/inner.txt", Errno.PERM, { follow: true });
      openFails(g, "moved", Errno.PERM, { follow: true, oflags: DIRECTORY });
    });
    it("host symlink to ../outside/secret.txt: PERM with SYMLINK_FOLLOW, LOOP without", (g) => {
      openFails(g, "link-out-secret", Errno.PERM, { follow: true });
      openFails(g, "link-out-secret", Errno.LOOP);
    });
    it("path_open O_TRUNC through a symlink to outside/secret.txt is PERM and truncates nothing", (g) => {
      openFails(g, "link-out-secret", Errno.PERM, { follow: true, oflags: TRUNC, rights: ALL });
    });

    // symlinks made by the guest
    it("path_symlink stores an outside target verbatim, and path_readlink returns it", (g) => {
      is(symlink(g, "../outside/secret.txt", "gl"), Errno.SUCCESS, "path_symlink");
      assert.deepEqual(readlink(g, "gl"), { errno: Errno.SUCCESS, target: "../outside/secret.txt" });
    });
    it("a guest symlink to ../outside/secret.txt: path_open with SYMLINK_FOLLOW is PERM", (g) => {
      is(symlink(g, "../outside/secret.txt", "gl"), Errno.SUCCESS, "path_symlink");
      openFails(g, "gl", Errno.PERM, { follow: true });
    });
    it("a guest symlink to ../outside/secret.txt: path_open without SYMLINK_FOLLOW is LOOP", (g) => {
      is(symlink(g, "../outside/secret.txt", "gl"), Errno.SUCCESS, "path_symlink");
      openFails(g, "gl", Errno.LOOP);
    });
    it("a guest symlink to ../outside/secret.txt: path_filestat_get with SYMLINK_FOLLOW is PERM", (g) => {
      is(symlink(g, "../outside/secret.txt", "gl"), Errno.SUCCESS, "path_symlink");
      is(filestat(g, "gl", true), Errno.PERM, "path_filestat_get follow");
      is(filestat(g, "gl", false), Errno.SUCCESS, "path_filestat_get of the link itself");
      assert.equal(statType(g), FT_SYMLINK);
    });
    it("a guest symlink to an absolute path is never followed (PERM)", (g) => {
      const e = symlink(g, "/etc/passwd", "gabs");
      isOneOf(e, [Errno.SUCCESS, Errno.PERM], "path_symlink /etc/passwd");
      if (e === Errno.SUCCESS) openFails(g, "gabs", Errno.PERM, { follow: true });
    });
    it("a guest symlink to . then linkdot/../../outside is PERM", (g) => {
      is(symlink(g, ".", "linkdot"), Errno.SUCCESS, "path_symlink");
      openFails(g, "linkdot/../../outside", Errno.PERM, { follow: true });
      openFails(g, "linkdot/../../outside/secret.txt", Errno.PERM);
    });
    it("path_symlink whose link path is ../outside/evil is PERM and creates nothing outside", (g) => {
      is(symlink(g, "x", "../outside/evil"), Errno.PERM, "path_symlink");
    });
    it("path_symlink whose link path goes through link-out is PERM", (g) => {
      is(symlink(g, "x", "link-out/evil"), Errno.PERM, "path_symlink");
    });
    it("path_symlink with a NUL in its target is INVAL", (g) => {
      is(symlink(g, "file.txt\0../../outside", "gnul"), Errno.INVAL, "path_symlink");
      assert.equal(insideExists(g, "gnul"), false);
    });

    // trailing slashes and dots after a file
    it("file.txt/ is NOTDIR", (g) => openFails(g, "file.txt/", Errno.NOTDIR));
    it("file.txt/.. is NOTDIR", (g) => openFails(g, "file.txt/..", Errno.NOTDIR));
    it("link-out/ is PERM, with and without SYMLINK_FOLLOW", (g) => {
      openFails(g, "link-out/", Errno.PERM, { follow: true });
      openFails(g, "link-out/", Errno.PERM);
    });

    // creating through a dangling link
    it("O_CREAT through a dangling symlink to ../outside/newfile with SYMLINK_FOLLOW is PERM and creates nothing", (g) => {
      openFails(g, "dangling-out", Errno.PERM, { follow: true, oflags: CREAT, rights: ALL });
    });
    it("O_CREAT|O_EXCL on a dangling symlink to outside without SYMLINK_FOLLOW is EXIST", (g) => {
      openFails(g, "dangling-out", Errno.EXIST, { oflags: CREAT | EXCL, rights: ALL });
    });
    it("O_CREAT on a dangling symlink to outside without SYMLINK_FOLLOW is LOOP", (g) => {
      openFails(g, "dangling-out", Errno.LOOP, { oflags: CREAT, rights: ALL });
    });
    it("O_CREAT of ../outside/new and of link-out/new is PERM", (g) => {
      openFails(g, "../outside/new", Errno.PERM, { oflags: CREAT, rights: ALL });
      openFails(g, "link-out/new", Errno.PERM, { follow: true, oflags: CREAT | EXCL, rights: ALL });
    });

    // every mutating call through a way out
    it("path_rename of file.txt to ../outside/stolen is PERM (file.txt stays)", (g) => {
      is(rename(g, "file.txt", "../outside/stolen"), Errno.PERM, "path_rename");
      assert.equal(insideExists(g, "file.txt"), true);
    });
    it("path_rename of file.txt to link-out/stolen is PERM", (g) => {
      is(rename(g, "file.txt", "link-out/stolen"), Errno.PERM, "path_rename");
      assert.equal(insideExists(g, "file.txt"), true);
    });
    it("path_rename of the directory sub to ../outside/sub is PERM", (g) => {
      is(rename(g, "sub", "../outside/sub"), Errno.PERM, "path_rename");
    });
    it("path_rename of link-out/secret.txt into the root is PERM", (g) => {
      is(rename(g, "link-out/secret.txt", "taken.txt"), Errno.PERM, "path_rename");
      is(rename(g, "../outside/secret.txt", "taken.txt"), Errno.PERM, "path_rename ..");
      assert.equal(insideExists(g, "taken.txt"), false);
    });
    it("path_link of file.txt to ../outside/hard is PERM", (g) => {
      is(link(g, "file.txt", "../outside/hard"), Errno.PERM, "path_link");
    });
    it("path_link of link-out/secret.txt (or ../outside/secret.txt) into the root is PERM", (g) => {
      is(link(g, "link-out/secret.txt", "hard"), Errno.PERM, "path_link through link-out");
      is(link(g, "../outside/secret.txt", "hard"), Errno.PERM, "path_link ..");
      assert.equal(insideExists(g, "hard"), false);
    });
    it("path_link with SYMLINK_FOLLOW is INVAL (as wasmtime: it never links through a symlink)", (g) => {
      is(link(g, "link-out-secret", "hard", true), Errno.INVAL, "path_link follow");
      assert.equal(insideExists(g, "hard"), false);
    });
    it("path_link without SYMLINK_FOLLOW of a symlink to outside links the symlink itself, still unfollowable", (g) => {
      const e = link(g, "link-out-secret", "hard");
      if (e !== Errno.SUCCESS) return; // an errno is a refusal too; the outside checks still run
      is(filestat(g, "hard", false), Errno.SUCCESS, "path_filestat_get hard");
      assert.equal(statType(g), FT_SYMLINK, "the new name is the symlink, not the outside file");
      openFails(g, "hard", Errno.PERM, { follow: true });
      assert.deepEqual(readlink(g, "hard"), { errno: Errno.SUCCESS, target: "../outside/secret.txt" });
    });
    it("path_link of a directory is PERM (no directory hard links, no loops)", (g) => {
      is(link(g, "sub", "sub-hard"), Errno.PERM, "path_link sub");
      is(link(g, "in/link", "link-hard", true), Errno.INVAL, "path_link with SYMLINK_FOLLOW");
      assert.equal(insideExists(g, "sub-hard"), false);
    });
    it("path_unlink_file of link-out/secret.txt and ../outside/secret.txt is PERM", (g) => {
      is(onePath(g, "path_unlink_file", "link-out/secret.txt"), Errno.PERM, "through link-out");
      is(onePath(g, "path_unlink_file", "../outside/secret.txt"), Errno.PERM, "..");
      is(onePath(g, "path_unlink_file", "chain1/secret.txt"), Errno.PERM, "through chain1");
    });
    it("path_unlink_file of an outside-pointing symlink removes the link, not its target", (g) => {
      is(onePath(g, "path_unlink_file", "link-out-secret"), Errno.SUCCESS, "path_unlink_file");
      assert.equal(insideExists(g, "link-out-secret"), false);
    });
    it("path_create_directory through link-out or .. is PERM", (g) => {
      is(onePath(g, "path_create_directory", "link-out/newdir"), Errno.PERM, "through link-out");
      is(onePath(g, "path_create_directory", "../outside/newdir"), Errno.PERM, "..");
      is(onePath(g, "path_create_directory", "link-abs/newdir"), Errno.PERM, "through link-abs");
    });
    it("path_remove_directory of link-out/dir and ../outside/dir is PERM", (g) => {
      is(onePath(g, "path_remove_directory", "link-out/dir"), Errno.PERM, "through link-out");
      is(onePath(g, "path_remove_directory", "../outside/dir"), Errno.PERM, "..");
      is(onePath(g, "path_remove_directory", ".."), Errno.PERM, "the preopen's parent");
    });
    it("path_filestat_set_times through an outside-pointing symlink is PERM", (g) => {
      is(setTimes(g, "link-out/secret.txt", false), Errno.PERM, "through link-out");
      is(setTimes(g, "link-out-secret", true), Errno.PERM, "following link-out-secret");
      is(setTimes(g, "../outside/secret.txt", true), Errno.PERM, "..");
    });
    it("path_filestat_set_times without SYMLINK_FOLLOW on an outside-pointing symlink sets the link, not the target", (g) => {
      is(setTimes(g, "link-out-secret", false), Errno.SUCCESS, "path_filestat_set_times on the link");
    });
    it("path_filestat_get through link-out or .. is PERM", (g) => {
      is(filestat(g, "link-out/secret.txt", true), Errno.PERM, "through link-out");
      is(filestat(g, "../outside/secret.txt", false), Errno.PERM, "..");
      is(filestat(g, "link-out", true), Errno.PERM, "following link-out");
      is(filestat(g, "..", false), Errno.PERM, "the preopen's parent");
    });
    it("path_readlink through link-out is PERM", (g) => {
      is(readlink(g, "link-out/anything").errno, Errno.PERM, "path_readlink");
    });
    it("opening link-out as a directory to fd_readdir it is refused (PERM following, LOOP/NOTDIR not)", (g) => {
      openFails(g, "link-out", Errno.PERM, { follow: true, oflags: DIRECTORY });
      const { errno } = open(g, "link-out", { oflags: DIRECTORY });
      isOneOf(errno, [Errno.LOOP, Errno.NOTDIR], "path_open link-out O_DIRECTORY without follow");
    });
    it("fd_readdir of the preopen lists only the root's entries, link-out as a symlink", (g) => {
      const entries = readdir(g, PRE);
      assert.deepEqual(entries.map(([n]) => n).sort(), [".", "..", ...ROOT_NAMES].sort());
      assert.equal(entries.find(([n]) => n === "link-out")?.[1], FT_SYMLINK);
      assert.equal(entries.find(([n]) => n === "file.txt")?.[1], FT_REGULAR);
    });
    it("fd_readdir of the preopen reports .. as the root itself (not the host parent)", (g) => {
      const entries = readdir(g, PRE);
      const dot = entries.find(([n]) => n === ".")!, dotdot = entries.find(([n]) => n === "..")!;
      assert.equal(dotdot[2], dot[2], "the inode of .. is the root's");
    });

    // bytes that are not a plain path
    it("a NUL in a path (secret\\0.txt) is INVAL", (g) => openFails(g, "secret\0.txt", Errno.INVAL));
    it("a NUL hiding an escape (file.txt\\0/../../outside/secret.txt) is INVAL", (g) => {
      openFails(g, "file.txt\0/../../outside/secret.txt", Errno.INVAL, { follow: true });
    });
    it("invalid UTF-8 (0xff 0xfe) is ILSEQ", (g) => openFails(g, new Uint8Array([0xff, 0xfe]), Errno.ILSEQ));
    it("an overlong UTF-8 slash (..\\xc0\\xaf..) is ILSEQ", (g) => {
      const dotdot = [0x2e, 0x2e], slash = [0xc0, 0xaf];
      const rest = [...new TextEncoder().encode("outside"), ...slash, ...new TextEncoder().encode("secret.txt")];
      openFails(g, new Uint8Array([...dotdot, ...slash, ...rest]), Errno.ILSEQ, { follow: true });
    });
    it("Unicode look-alikes of . and / and a backslash are plain names (NOENT)", (g) => {
      openFails(g, "\u2024\u2024/outside/secret.txt", Errno.NOENT); // ONE DOT LEADER
      openFails(g, "..\uff0foutside\uff0fsecret.txt", Errno.NOENT); // FULLWIDTH SOLIDUS
      openFails(g, "..\\outside\\secret.txt", Errno.NOENT);
      openFails(g, "...", Errno.NOENT);
    });
    it("an empty path is NOENT", (g) => openFails(g, "", Errno.NOENT));
    it("a path longer than 4096 bytes is an errno (NAMETOOLONG or NOENT)", (g) => {
      const { errno } = open(g, "x".repeat(5000));
      isOneOf(errno, [Errno.NAMETOOLONG, Errno.NOENT], "path_open of 5000 bytes");
      const { errno: deep } = open(g, "sub/" + "./".repeat(3000) + "../../outside/secret.txt");
      isOneOf(deep, [Errno.PERM, Errno.NAMETOOLONG], "a 6000-byte path ending in an escape");
    });
    it("path_open O_CREAT of a path longer than 4096 bytes is an errno, and nothing is created", (g) => {
      const { errno } = open(g, "x".repeat(5000), { oflags: CREAT, rights: ALL });
      isOneOf(errno, [Errno.NAMETOOLONG, Errno.NOENT], "path_open O_CREAT of 5000 bytes");
      assert.equal(insideExists(g, "x".repeat(5000)), false);
    });

    // descriptors
    it("fd_prestat of the preopen gives its guest name", (g) => {
      is(g.env.p1.fd_prestat_get(PRE, STATBUF), Errno.SUCCESS, "fd_prestat_get");
      assert.equal(u8(g.env, STATBUF), 0, "a directory preopen");
      assert.equal(u32(g.env, STATBUF + 4), PREOPEN_NAME.length);
      is(g.env.p1.fd_prestat_dir_name(PRE, BUF, PREOPEN_NAME.length), Errno.SUCCESS, "fd_prestat_dir_name");
      assert.equal(new TextDecoder().decode(g.env.u8().slice(BUF, BUF + PREOPEN_NAME.length)), PREOPEN_NAME);
    });
    it("a directory fd for sub cannot reach ../../outside/secret.txt (PERM)", (g) => {
      const sub = openOk(g, "sub", { oflags: DIRECTORY });
      openFails(g, "../../outside/secret.txt", Errno.PERM, { dirfd: sub, follow: true });
      openFails(g, "../..", Errno.PERM, { dirfd: sub });
      openFails(g, "../link-out/secret.txt", Errno.PERM, { dirfd: sub, follow: true });
    });

    // The wall is the directory fd: nothing above it, even inside the preopen (decisions.md#sandbox).
    it("control: a directory fd for a may use .. within its own tree (b/../b/.., then b/../../file.txt is PERM)", (g) => {
      const a = openOk(g, "a", { oflags: DIRECTORY, rights: DIR_ALL });
      is(open(g, "b/../b/..", { dirfd: a, oflags: DIRECTORY }).errno, Errno.SUCCESS, "path_open b/../b/..");
      is(onePath(g, "path_create_directory", "b/../b/c", a), Errno.SUCCESS, "path_create_directory b/../b/c");
      openFails(g, "b/../../file.txt", Errno.PERM, { dirfd: a });
    });
    it("a directory fd for sub cannot reach its parent's ../file.txt, not even out and back in (../sub/inner.txt): PERM", (g) => {
      const sub = openOk(g, "sub", { oflags: DIRECTORY, rights: DIR_ALL });
      openFails(g, "../file.txt", Errno.PERM, { dirfd: sub });
      openFails(g, "../sub/inner.txt", Errno.PERM, { dirfd: sub, follow: true });
      openFails(g, "./inner.txt/../..", Errno.NOTDIR, { dirfd: sub });
      openFails(g, "..", Errno.PERM, { dirfd: sub, oflags: DIRECTORY });
      openFails(g, "./../", Errno.PERM, { dirfd: sub, follow: true });
      assert.equal(readText(g, openOk(g, "./inner.txt", { dirfd: sub })), "inner", "control: inner.txt opens");
    });
    it("a directory fd for a/b cannot climb to a or to the root (../x, ../../file.txt): PERM", (g) => {
      const b = openOk(g, "a/b", { oflags: DIRECTORY, rights: DIR_ALL });
      openFails(g, "../../file.txt", Errno.PERM, { dirfd: b });
      openFails(g, "../b", Errno.PERM, { dirfd: b, oflags: DIRECTORY });
    });
    it("every path call from a directory fd for sub refuses ../ (PERM) and leaves the sibling untouched", (g) => {
      const sub = openOk(g, "sub", { oflags: DIRECTORY, rights: DIR_ALL });
      const p1 = g.env.p1;
      const a = (path: string) => put(g.env, PATH_A, enc(path));
      const b = (path: string) => put(g.env, PATH_B, enc(path));
      const calls: [string, () => number][] = [
        ["path_filestat_get", () => p1.path_filestat_get(sub, FOLLOW, PATH_A, a("../file.txt"), STATBUF)],
        [
          "path_filestat_set_times",
          () => p1.path_filestat_set_times(sub, 0, PATH_A, a("../file.txt"), 5n, 7n, FST_ATIM | FST_MTIM),
        ],
        ["path_create_directory", () => p1.path_create_directory(sub, PATH_A, a("../newdir"))],
        ["path_remove_directory", () => p1.path_remove_directory(sub, PATH_A, a("../a/b"))],
        ["path_unlink_file", () => p1.path_unlink_file(sub, PATH_A, a("../file.txt"))],
        ["path_readlink", () => p1.path_readlink(sub, PATH_A, a("../link-out"), BUF, BUF_LEN, OUT)],
        ["path_symlink at ../evil", () => p1.path_symlink(PATH_A, a("x"), sub, PATH_B, b("../evil"))],
        ["path_rename from ..", () => p1.path_rename(sub, PATH_A, a("../file.txt"), sub, PATH_B, b("taken"))],
        ["path_rename to ..", () => p1.path_rename(sub, PATH_A, a("inner.txt"), sub, PATH_B, b("../given"))],
        ["path_link from ..", () => p1.path_link(sub, 0, PATH_A, a("../file.txt"), sub, PATH_B, b("taken"))],
        ["path_link to ..", () => p1.path_link(sub, 0, PATH_A, a("inner.txt"), sub, PATH_B, b("../given"))],
        ["path_open O_CREAT", () => open(g, "../created", { dirfd: sub, oflags: CREAT, rights: ALL }).errno],
        ["path_open O_TRUNC", () => open(g, "../file.txt", { dirfd: sub, oflags: TRUNC, rights: ALL }).errno],
      ];
      for (const [name, call] of calls) is(call(), Errno.PERM, name);
      for (const p of ["newdir", "evil", "given", "created", "sub/taken"]) assert.equal(insideExists(g, p), false, p);
      assert.equal(insideExists(g, "a/b"), true, "a/b stays");
      assert.equal(readText(g, openOk(g, "file.txt")), "inside", "file.txt stays whole");
    });
    it("a symlink under a directory fd that climbs above it is PERM, even to a name inside the preopen", (g) => {
      g.box.symlink("../file.txt", "sub/up-file");
      g.box.symlink("..", "sub/up-dir");
      g.box.symlink(".", "sub/here");
      const sub = openOk(g, "sub", { oflags: DIRECTORY, rights: DIR_ALL });
      openFails(g, "up-file", Errno.PERM, { dirfd: sub, follow: true });
      openFails(g, "up-file", Errno.LOOP, { dirfd: sub }); // not followed: the link itself
      openFails(g, "up-dir/file.txt", Errno.PERM, { dirfd: sub });
      openFails(g, "here/../file.txt", Errno.PERM, { dirfd: sub });
      is(onePath(g, "path_unlink_file", "up-dir/file.txt", sub), Errno.PERM, "path_unlink_file through up-dir");
      assert.equal(readText(g, openOk(g, "here/inner.txt", { dirfd: sub })), "inner", "control: a link to . stays");
      assert.equal(
        readText(g, openOk(g, "sub/up-file", { follow: true })),
        "inside",
        "control: from the root it is in",
      );
    });
    it("a directory fd whose directory the guest replaced with a symlink (a/b -> ../sub) is walked again: the wall is where it leads now", (g) => {
      const b = openOk(g, "a/b", { oflags: DIRECTORY, rights: DIR_ALL });
      is(onePath(g, "path_remove_directory", "a/b"), Errno.SUCCESS, "path_remove_directory a/b");
      is(symlink(g, "../sub", "a/b"), Errno.SUCCESS, "path_symlink ../sub a/b");
      assert.equal(readText(g, openOk(g, "inner.txt", { dirfd: b })), "inner", "the fd names sub now");
      openFails(g, "../file.txt", Errno.PERM, { dirfd: b });
      openFails(g, "../a", Errno.PERM, { dirfd: b, oflags: DIRECTORY });
    });
    it("the directory fd's own directory cannot be renamed or removed through it (BUSY, INVAL): its name is above the wall", (g) => {
      const sub = openOk(g, "sub", { oflags: DIRECTORY, rights: DIR_ALL });
      const a = put(g.env, PATH_A, enc(".")), b = put(g.env, PATH_B, enc("moved"));
      is(g.env.p1.path_rename(sub, PATH_A, a, sub, PATH_B, b), Errno.BUSY, "path_rename . moved");
      is(onePath(g, "path_create_directory", "d", sub), Errno.SUCCESS, "path_create_directory d");
      const c = put(g.env, PATH_A, enc("d")), d = put(g.env, PATH_B, enc("."));
      is(g.env.p1.path_rename(sub, PATH_A, c, sub, PATH_B, d), Errno.BUSY, "path_rename d .");
      is(onePath(g, "path_remove_directory", ".", sub), Errno.INVAL, "path_remove_directory .");
      assert.equal(insideExists(g, "sub/inner.txt"), true);
    });
    it("a directory fd opened through a symlink (in/link) cannot climb out either", (g) => {
      const sub = openOk(g, "in/link", { follow: true, oflags: DIRECTORY });
      openFails(g, "../../outside/secret.txt", Errno.PERM, { dirfd: sub, follow: true });
    });
    it("a file fd cannot be a base directory (NOTDIR)", (g) => {
      const file = openOk(g, "file.txt");
      openFails(g, "../outside/secret.txt", Errno.NOTDIR, { dirfd: file, follow: true });
    });
    it("stdin cannot be a base directory (BADF, as wasmtime)", (g) => {
      openFails(g, "../outside/secret.txt", Errno.BADF, { dirfd: 0, follow: true });
    });
  });
}
