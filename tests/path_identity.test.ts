// The sandbox's shortcut (src/path.ts, decisions.md#sandbox-identity): a path a walk checked is found again by the
// identity (device, inode, birth time) of what the walk found, in one lstat instead of one per name. What another
// process can do between two calls (swap a checked directory for a symlink, move it out of the preopen, remove it and
// give its inode number to a directory outside) must lead the guest nowhere the walk would not, except into that same
// directory, moved; and the guest's own renames keep the paths directory fds hold as the walk gives them.
//
// Two worlds, each `root/` (the preopen) beside `outside/` (secret.txt holds "SECRET"), changed "from the host" between
// guest calls: a host temp dir (DenoFs on Deno, NodeFs on Bun and Node), its tree aged past the 2 s after which the
// sandbox trusts a birth time; and a MemoryFs holding both, the guest given `root/` (through a subtree view), whose
// clock says every inode was made long ago. Each preopen is seen through a wrapper that counts lstats.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  renameSync,
  rmdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Errno, errnoName, type FileHandle, type FileSystem, type OpenFlags, type Stat } from "../mod.ts";
import { MemoryFs } from "../src/fs/memory.ts";
import { hostFs } from "../src/fs/host.ts";
import { newStat, openFlags } from "../src/fs/types.ts";
import { forgetChecked, PathResolver } from "../src/path.ts";
import { Prng } from "./prng.ts";
import { delay, type Env, put, setU32, setup, u32 } from "./helpers.ts";

const FOLLOW = 1, DIRECTORY = 2; // $lookupflags SYMLINK_FOLLOW, $oflags DIRECTORY
const READ = (1n << 1n) | (1n << 13n) | (1n << 14n) | (1n << 18n); // FD_READ, PATH_OPEN, FD_READDIR, PATH_FILESTAT_GET
const ALL = (1n << 30n) - 1n;
const DIR_RIGHTS = ALL & ~((1n << 6n) | (1n << 8n) | (1n << 22n)); // a directory fd that may do anything
const PRE = 3;
const OUT = 64, IOV = 128, STATBUF = 256, PATH_A = 1024, PATH_B = 2048, BUF = 4096;
/** How long after its birth the sandbox trusts an object (src/path.ts), with a margin. */
const TRUST_AFTER_MS = 2100;

/** Delegates everything to `inner`, counting `stat` calls without follow (the walk's lstats). */
class Counting implements FileSystem {
  readonly inner: FileSystem;
  lstats = 0;
  /** When set: what `stat` reports for a path, instead of the truth (to forge an inode number). */
  forge: ((path: string, out: Stat) => void) | undefined;
  constructor(inner: FileSystem) {
    this.inner = inner;
  }
  stat(path: string, out: Stat, follow: boolean): Errno {
    if (!follow) this.lstats++;
    const e = this.inner.stat(path, out, follow);
    if (e === Errno.SUCCESS) this.forge?.(path, out);
    return e;
  }
  open(path: string, flags: OpenFlags): FileHandle | Errno {
    return this.inner.open(path, flags);
  }
  mkdir(path: string): Errno {
    return this.inner.mkdir(path);
  }
  rmdir(path: string): Errno {
    return this.inner.rmdir(path);
  }
  unlink(path: string): Errno {
    return this.inner.unlink(path);
  }
  rename(from: string, to: string): Errno {
    return this.inner.rename(from, to);
  }
  link(from: string, to: string): Errno {
    return this.inner.link(from, to);
  }
  symlink(target: string, path: string): Errno {
    return this.inner.symlink(target, path);
  }
  readlink(path: string): string | Errno {
    return this.inner.readlink(path);
  }
  utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): Errno {
    return this.inner.utimes(path, atimNs, mtimNs, follow);
  }
}

/** `fs` seen from its directory `prefix` (the MemoryFs world's preopen). */
class SubtreeFs extends Counting {
  readonly #prefix: string;
  constructor(fs: FileSystem, prefix: string) {
    super(fs);
    this.#prefix = prefix;
  }
  #p(path: string): string {
    return path === "" ? this.#prefix : `${this.#prefix}/${path}`;
  }
  override stat(path: string, out: Stat, follow: boolean): Errno {
    return super.stat(this.#p(path), out, follow);
  }
  override open(path: string, flags: OpenFlags): FileHandle | Errno {
    return super.open(this.#p(path), flags);
  }
  override mkdir(path: string): Errno {
    return super.mkdir(this.#p(path));
  }
  override rmdir(path: string): Errno {
    return super.rmdir(this.#p(path));
  }
  override unlink(path: string): Errno {
    return super.unlink(this.#p(path));
  }
  override rename(from: string, to: string): Errno {
    return super.rename(this.#p(from), this.#p(to));
  }
  override link(from: string, to: string): Errno {
    return super.link(this.#p(from), this.#p(to));
  }
  override symlink(target: string, path: string): Errno {
    return super.symlink(target, this.#p(path));
  }
  override readlink(path: string): string | Errno {
    return super.readlink(this.#p(path));
  }
  override utimes(path: string, atimNs: bigint | null, mtimNs: bigint | null, follow: boolean): Errno {
    return super.utimes(this.#p(path), atimNs, mtimNs, follow);
  }
}

/** One world: the preopen (counting), and host-side changes by paths relative to the parent of root/ and outside/. */
interface World {
  preopen: Counting;
  mkdir(p: string): void;
  write(p: string, data: string): void;
  rename(from: string, to: string): void;
  rmdir(p: string): void;
  /** A hard link `to` of file `from`. */
  link(from: string, to: string): void;
  /** Whether `p` exists (not followed). */
  exists(p: string): boolean;
  /** A symlink at `p` holding `target` verbatim. */
  symlink(target: string, p: string): void;
  /** An absolute symlink target naming `p` (on the host: its real path; in the MemoryFs: from its root). */
  abs(p: string): string;
  /** The inode number of `p` (not followed). */
  ino(p: string): bigint;
  /** Makes `p` (a directory) as if just now: younger than the sandbox trusts. */
  mkdirYoung(p: string): void;
  /** Waits until what was made so far is old enough to be trusted. */
  age(): Promise<void>;
  cleanup(): void;
}

function hostWorld(): World {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), "hostcall-identity-")));
  const at = (p: string) => join(tmp, p);
  mkdirSync(at("root"));
  mkdirSync(at("outside"));
  let made = Date.now();
  return {
    preopen: new Counting(hostFs(at("root"))),
    mkdir: (p) => (mkdirSync(at(p)), made = Date.now()),
    write: (p, data) => (writeFileSync(at(p), data), made = Date.now()),
    rename: (from, to) => renameSync(at(from), at(to)),
    rmdir: (p) => rmdirSync(at(p)),
    link: (from, to) => linkSync(at(from), at(to)),
    exists: (p) => lstatSync(at(p), { throwIfNoEntry: false }) !== undefined,
    symlink: (target, p) => symlinkSync(target, at(p)),
    abs: at,
    ino: (p) => lstatSync(at(p), { bigint: true }).ino,
    mkdirYoung: (p) => mkdirSync(at(p)),
    age: () => delay(Math.max(0, made + TRUST_AFTER_MS - Date.now())),
    cleanup: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

function memoryWorld(): World {
  const LONG_AGO = 1_700_000_000_000_000_000n;
  let now = LONG_AGO;
  const fs = new MemoryFs({ now: () => now });
  const ok = (e: Errno, what: string) => is(e, Errno.SUCCESS, what);
  const st = newStat();
  const world: World = {
    preopen: new SubtreeFs(fs, "root"),
    mkdir: (p) => ok(fs.mkdir(p), `mkdir ${p}`),
    write: (p, data) => fs.files.writeFile(p, data),
    rename: (from, to) => ok(fs.rename(from, to), `rename ${from}`),
    rmdir: (p) => ok(fs.rmdir(p), `rmdir ${p}`),
    link: (from, to) => ok(fs.link(from, to), `link ${to}`),
    exists: (p) => fs.stat(p, st, false) === Errno.SUCCESS,
    symlink: (target, p) => ok(fs.symlink(target, p), `symlink ${p}`),
    abs: (p) => `/${p}`,
    ino: (p) => (ok(fs.stat(p, st, false), `stat ${p}`), st.ino),
    mkdirYoung(p) {
      now = BigInt(Date.now()) * 1_000_000n;
      ok(fs.mkdir(p), `mkdir ${p}`);
      now = LONG_AGO;
    },
    age: () => Promise.resolve(),
    cleanup() {},
  };
  fs.files.mkdir("/root", { recursive: true });
  fs.files.mkdir("/outside", { recursive: true });
  return world;
}

// ---- guest calls ----

interface G {
  env: Env;
  w: World;
}

function is(actual: number, expected: number, what: string): void {
  assert.equal(errnoName(actual), errnoName(expected), what);
}

function open(g: G, path: string, o: { dirfd?: number; follow?: boolean; oflags?: number; rights?: bigint } = {}) {
  const len = put(g.env, PATH_A, path);
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

/** Opens `path` (following a final symlink) and reads it whole; the errno when it cannot. */
function read(g: G, path: string, dirfd = PRE): string | number {
  const { errno, fd } = open(g, path, { dirfd, follow: true });
  if (errno !== Errno.SUCCESS) return errno;
  setU32(g.env, IOV, BUF);
  setU32(g.env, IOV + 4, 256);
  is(g.env.p1.fd_read(fd, IOV, 1, OUT), Errno.SUCCESS, `fd_read ${path}`);
  g.env.p1.fd_close(fd);
  return new TextDecoder().decode(g.env.u8().slice(BUF, BUF + u32(g.env, OUT)));
}

function filestat(g: G, path: string, dirfd = PRE): number {
  const len = put(g.env, PATH_A, path);
  return g.env.p1.path_filestat_get(dirfd, FOLLOW, PATH_A, len, STATBUF);
}

/** lstats the backend saw during `fn`. */
function lstatsOf(g: G, fn: () => void): number {
  const before = g.w.preopen.lstats;
  fn();
  return g.w.preopen.lstats - before;
}

const SECRET = new TextEncoder().encode("SECRET");

function assertNoSecret(env: Env): void {
  const m = env.u8();
  outer: for (let i = 0; i + SECRET.length <= m.length; i++) {
    for (let j = 0; j < SECRET.length; j++) if (m[i + j] !== SECRET[j]) continue outer;
    assert.fail(`"SECRET" (outside/secret.txt) reached guest memory at ${i}`);
  }
}

// ---- the trees: one per test, made before the world is aged ----

/** root/<t>/a/b/c/ with file.txt ("inside <t>") in c/, and d/ in c/: depth 4 from the root to file.txt. */
function tree(w: World, t: string): void {
  for (const p of [t, `${t}/a`, `${t}/a/b`, `${t}/a/b/c`, `${t}/a/b/c/d`]) w.mkdir(`root/${p}`);
  w.write(`root/${t}/a/b/c/file.txt`, `inside ${t}`);
}

const TREES = ["count", "young", "swap", "swapin", "copy", "moved", "reuse", "forged", "links", "final", "own"];

const WORLDS: [string, () => World][] = [
  ["a host directory", hostWorld],
  ["a MemoryFs", memoryWorld],
];

for (const [name, make] of WORLDS) {
  describe(`identity shortcut on ${name}`, () => {
    let w: World;
    before(async () => {
      w = make();
      w.write("outside/secret.txt", "SECRET");
      w.mkdir("outside/dir");
      for (const t of TREES) tree(w, t);
      await w.age();
    });
    after(() => w.cleanup());
    const it = (title: string, body: (g: G) => void) =>
      test(title, async () => {
        const env = await setup({ preopens: { "/sandbox": w.preopen } });
        const g = { env, w };
        try {
          body(g);
        } finally {
          for (let fd = PRE + 1; fd < 16; fd++) env.p1.fd_close(fd);
        }
        assertNoSecret(env);
      });

    it("a path walked once is found again in one lstat: a file, its directory, a missing name in it, a directory fd", (g) => {
      const file = "count/a/b/c/file.txt";
      assert.equal(lstatsOf(g, () => is(filestat(g, file), Errno.SUCCESS, "first")), 5, "the walk: one lstat a name");
      assert.equal(lstatsOf(g, () => is(filestat(g, file), Errno.SUCCESS, "again")), 1, "the file by identity");
      assert.equal(lstatsOf(g, () => is(filestat(g, "count/a/b/c"), Errno.SUCCESS, "dir")), 1, "its directory");
      assert.equal(lstatsOf(g, () => is(filestat(g, "count/a/b/c/nope"), Errno.NOENT, "missing")), 2, "dir + name");
      const dir = open(g, "count/a/b/c", { oflags: DIRECTORY, rights: DIR_RIGHTS });
      is(dir.errno, Errno.SUCCESS, "open the directory");
      assert.equal(lstatsOf(g, () => assert.equal(read(g, "file.txt", dir.fd), "inside count")), 1, "from the fd");
      assert.equal(lstatsOf(g, () => is(filestat(g, "count/a/b/c/./file.txt"), Errno.SUCCESS, ".")), 5, "walked");
    });

    it("a directory younger than 2 s is not trusted: what is below it is walked in full", (g) => {
      g.w.mkdirYoung("root/young/a/b/c/d/new");
      const p = "young/a/b/c/d/new";
      is(filestat(g, p), Errno.SUCCESS, "first");
      assert.equal(lstatsOf(g, () => is(filestat(g, p), Errno.SUCCESS, "again")), 2, "its old directory, then it");
      assert.equal(lstatsOf(g, () => is(filestat(g, `${p}/x`), Errno.NOENT, "below")), 7, "below it: every name");
      assert.equal(lstatsOf(g, () => is(filestat(g, "young/a/b/c/d"), Errno.SUCCESS, "old")), 1, "an old one: one");
    });

    it("a checked directory swapped for a symlink leading out: the walk decides, EPERM", (g) => {
      assert.equal(read(g, "swap/a/b/c/file.txt"), "inside swap");
      is(filestat(g, "swap/a/b/c/nope"), Errno.NOENT, "a missing name: the directory is checked");
      g.w.write("outside/file.txt", "SECRET");
      g.w.rename("root/swap/a/b/c", "root/swap/a/b/c.old");
      g.w.symlink("../../../../outside", "root/swap/a/b/c");
      is(read(g, "swap/a/b/c/file.txt") as number, Errno.PERM, "the file");
      is(read(g, "swap/a/b/c/secret.txt") as number, Errno.PERM, "a name only outside has");
      is(filestat(g, "swap/a/b/c"), Errno.PERM, "the directory, followed");
      g.w.rename("root/swap/a/b", "root/swap/a/b.old");
      g.w.symlink(g.w.abs("outside"), "root/swap/a/b");
      is(read(g, "swap/a/b/c/file.txt") as number, Errno.PERM, "an absolute symlink higher up");
      assert.equal(read(g, "swap/a/b.old/c.old/file.txt"), "inside swap", "the tree itself, at its new names");
    });

    it("a checked directory swapped for a symlink inside the preopen leads where the symlink leads, never to the old one", (g) => {
      assert.equal(read(g, "swapin/a/b/c/file.txt"), "inside swapin");
      g.w.rename("root/swapin/a/b/c", "root/swapin/a/b/c.old");
      g.w.mkdir("root/swapin/other");
      g.w.write("root/swapin/other/file.txt", "the other one");
      g.w.symlink("../../other", "root/swapin/a/b/c");
      assert.equal(read(g, "swapin/a/b/c/file.txt"), "the other one");
      is(filestat(g, "swapin/a/b/c/d"), Errno.NOENT, "d/ stayed in c.old/");
    });

    it("a checked directory swapped for a symlink to a copy of the tree outside: EPERM", (g) => {
      assert.equal(read(g, "copy/a/b/c/file.txt"), "inside copy");
      for (const p of ["outside/a", "outside/a/b", "outside/a/b/c"]) g.w.mkdir(p);
      g.w.write("outside/a/b/c/file.txt", "SECRET");
      g.w.rename("root/copy/a", "root/copy/a.old");
      g.w.symlink("../../outside/a", "root/copy/a");
      is(read(g, "copy/a/b/c/file.txt") as number, Errno.PERM, "same names, other objects");
      is(filestat(g, "copy/a/b/c/d"), Errno.PERM, "a directory only the tree inside has");
    });

    it("a checked directory moved out of the preopen, a symlink at its old name: that directory's own entries stay reachable, nothing beside, above or below it", (g) => {
      assert.equal(read(g, "moved/a/b/c/file.txt"), "inside moved");
      is(filestat(g, "moved/a/b/c/d"), Errno.SUCCESS, "d/ is checked too");
      g.w.rename("root/moved/a/b", "outside/b");
      g.w.symlink(g.w.abs("outside/b"), "root/moved/a/b");
      // The residual of decisions.md#sandbox-identity: the same directory, moved, is recognised by its identity.
      assert.equal(read(g, "moved/a/b/c/file.txt"), "inside moved", "a checked file in it");
      g.w.write("outside/b/c/secret.txt", "SECRET");
      g.w.mkdir("outside/b/c/new");
      g.w.write("outside/b/c/new/secret.txt", "SECRET");
      g.w.symlink("../../secret.txt", "outside/b/c/up");
      is(filestat(g, "moved/a/b/c/secret.txt"), Errno.SUCCESS, "a name added to it since (its entries)");
      is(read(g, "moved/a/b/c/new/secret.txt") as number, Errno.PERM, "below it: not checked, walked");
      is(read(g, "moved/a/b/c/up") as number, Errno.PERM, "a symlink in it: followed by the walk");
      is(read(g, "moved/a/b/c/../../../secret.txt") as number, Errno.PERM, "above it: `..` is walked");
      is(read(g, "moved/a/b/secret.txt") as number, Errno.PERM, "b/ itself: its old name is a symlink now");
      is(filestat(g, "moved/a/b"), Errno.PERM, "the symlink, followed");
    });

    // In both: the checked directory c/d is reached again by the same names, through a symlink put at c that leads
    // to outside/x, where a directory d was made after it: lstat of reuse/a/b/c/d follows c and finds that one.
    it("a checked directory removed, and a directory outside given its inode number, is not taken for it", (g) => {
      is(filestat(g, "reuse/a/b/c/d/nope"), Errno.NOENT, "d/ is checked");
      const old = g.w.ino("root/reuse/a/b/c/d");
      g.w.mkdir("outside/x");
      g.w.rmdir("root/reuse/a/b/c/d");
      // A filesystem that reuses inode numbers (ext4 does at once) gives the next directory made the same one.
      let n = 0;
      for (; n < 50; n++) {
        g.w.mkdirYoung("outside/x/d");
        if (g.w.ino("outside/x/d") === old) break;
        g.w.rename("outside/x/d", `outside/x/d${n}`);
      }
      if (n === 50) g.w.mkdirYoung("outside/x/d"); // the number went elsewhere (another test made a directory first)
      g.w.write("outside/x/d/secret.txt", "SECRET");
      g.w.rename("root/reuse/a/b/c", "root/reuse/a/b/c.old");
      g.w.symlink(g.w.abs("outside/x"), "root/reuse/a/b/c");
      is(read(g, "reuse/a/b/c/d/secret.txt") as number, Errno.PERM, `outside/x/d (the same inode number: ${n < 50})`);
    });

    it("the same device and inode number with another birth time is another object (a forged inode number)", (g) => {
      is(filestat(g, "forged/a/b/c/nope"), Errno.NOENT, "c/ is checked");
      const st = newStat();
      assert.equal(g.w.preopen.stat("forged/a/b/c", st, false), Errno.SUCCESS);
      const { dev, ino } = st;
      g.w.mkdir("outside/y");
      g.w.mkdirYoung("outside/y/c");
      g.w.write("outside/y/c/secret.txt", "SECRET");
      g.w.rename("root/forged/a/b", "root/forged/a/b.old");
      g.w.symlink(g.w.abs("outside/y"), "root/forged/a/b");
      // The backend answers for outside/y/c (its own birth time) with c's device and inode number: a reused inode.
      g.w.preopen.forge = (path, out) => {
        if (path.endsWith("forged/a/b/c")) Object.assign(out, { dev, ino });
      };
      try {
        is(read(g, "forged/a/b/c/secret.txt") as number, Errno.PERM, "not the directory checked");
      } finally {
        g.w.preopen.forge = undefined;
      }
    });

    it("a checked file given a second name outside, and a symlink leading there: the name outside is not acted on", (g) => {
      assert.equal(read(g, "links/a/b/c/file.txt"), "inside links");
      for (const p of ["outside/h", "outside/h/c"]) g.w.mkdir(p);
      g.w.link("root/links/a/b/c/file.txt", "outside/h/c/file.txt"); // the same file, now with two names
      g.w.rename("root/links/a/b", "root/links/a/b.old");
      g.w.symlink(g.w.abs("outside/h"), "root/links/a/b");
      const len = put(g.env, PATH_A, "links/a/b/c/file.txt");
      is(g.env.p1.path_unlink_file(PRE, PATH_A, len), Errno.PERM, "path_unlink_file through the symlink");
      assert.ok(g.w.exists("outside/h/c/file.txt"), "the name outside is still there");
      is(filestat(g, "links/a/b/c/file.txt"), Errno.PERM, "nor is it looked at");
    });

    it("a symlink met after a checked directory is followed by the walk, under the wall", (g) => {
      assert.equal(read(g, "final/a/b/c/file.txt"), "inside final");
      const put2 = (target: string, at: string) => {
        const a = put(g.env, PATH_A, target), b = put(g.env, PATH_B, at);
        is(g.env.p1.path_symlink(PATH_A, a, PRE, PATH_B, b), Errno.SUCCESS, `path_symlink ${at}`);
      };
      put2("../../../../../outside/secret.txt", "final/a/b/c/out");
      put2("d/../file.txt", "final/a/b/c/in");
      is(read(g, "final/a/b/c/out") as number, Errno.PERM, "out of the preopen");
      assert.equal(read(g, "final/a/b/c/in"), "inside final", "inside");
      const dir = open(g, "final/a/b/c/d", { oflags: DIRECTORY, rights: DIR_RIGHTS });
      is(dir.errno, Errno.SUCCESS, "a directory fd on d/");
      is(read(g, "../file.txt", dir.fd) as number, Errno.PERM, "`..` from it: its wall");
      is(read(g, "../in", dir.fd) as number, Errno.PERM, "nor through a symlink beside it");
    });

    it("the guest renames a checked directory and puts a symlink at its old name: a directory fd opened through it follows the directory", (g) => {
      assert.equal(read(g, "own/a/b/c/file.txt"), "inside own");
      const rename = (from: string, to: string) => {
        const a = put(g.env, PATH_A, from), b = put(g.env, PATH_B, to);
        is(g.env.p1.path_rename(PRE, PATH_A, a, PRE, PATH_B, b), Errno.SUCCESS, `path_rename ${from}`);
      };
      rename("own/a", "own/z");
      const a = put(g.env, PATH_A, "z"), b = put(g.env, PATH_B, "own/a");
      is(g.env.p1.path_symlink(PATH_A, a, PRE, PATH_B, b), Errno.SUCCESS, "path_symlink own/a -> z");
      const dir = open(g, "own/a/b/c", { oflags: DIRECTORY, rights: DIR_RIGHTS });
      is(dir.errno, Errno.SUCCESS, "open own/a/b/c (through the symlink)");
      rename("own/z", "own/y"); // the directory fd was opened on own/z/b/c, and moves along
      assert.equal(read(g, "file.txt", dir.fd), "inside own", "the fd names the directory, now own/y/b/c");
    });
  });
}

// ---- the shortcut against the walk ----

/** `fs` with no birth times: nothing on it is ever found by identity, every path is walked in full. */
class NoBirth extends Counting {
  override stat(path: string, out: Stat, follow: boolean): Errno {
    const e = super.stat(path, out, follow);
    out.birthNs = 0n;
    return e;
  }
}

describe("identity shortcut: the answers of the full walk", () => {
  const NAMES = ["a", "b", "c", "f", "l"];
  const ODD = [".", "..", ""];
  const LONG_AGO = 1_700_000_000_000_000_000n;
  const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];
  for (const seed of SEEDS) {
    test(`seed ${seed}: random paths between random renames, removals, links and symlinks, on a MemoryFs`, () => {
      const rng = new Prng(seed);
      const mem = new MemoryFs({ now: () => LONG_AGO });
      const fs = new Counting(mem), walkOnly = new NoBirth(mem);
      const fast = new PathResolver(newStat()), slow = new PathResolver(newStat());
      const rel = (max: number, odd: number) =>
        Array.from({ length: rng.range(1, max) }, () => rng.chance(odd) ? rng.pick(ODD) : rng.pick(NAMES)).join("/");
      const create = (p: string) => {
        const h = fs.open(p, openFlags({ write: true, create: true, exclusive: true }));
        if (typeof h !== "number") h.close();
      };
      for (const d of ["a", "a/b", "a/b/c", "b", "b/a", "c", "a/b/c/a"]) fs.mkdir(d);
      for (const f of ["f", "a/f", "a/b/f", "a/b/c/f", "b/a/f"]) create(f);
      let shorter = 0;
      for (let i = 0; i < 3000; i++) {
        if (rng.chance(0.1)) {
          const p = rel(4, 0);
          const st = newStat();
          switch (rng.int(7)) {
            case 0:
              fs.mkdir(p);
              break;
            case 1:
              fs.rmdir(p);
              break;
            case 2:
              fs.unlink(p);
              break;
            case 3: {
              const wasDir = fs.stat(p, st, false) === Errno.SUCCESS && st.filetype === 3;
              // As path_rename does: a directory renamed, the paths checked under it are forgotten.
              if (fs.rename(p, rel(4, 0)) === Errno.SUCCESS && wasDir) forgetChecked(fs);
              break;
            }
            case 4:
              fs.symlink(rng.chance(0.3) ? ".." : rel(3, 0.3), p);
              break;
            case 5:
              fs.link(p, rel(4, 0));
              break;
            default:
              create(p);
          }
          continue;
        }
        const base = rng.chance(0.7) ? "" : rel(3, 0);
        const guest = rel(5, rng.chance(0.7) ? 0 : 0.2);
        const follow = rng.chance(0.5);
        const fastBefore = fs.lstats, slowBefore = walkOnly.lstats;
        const e1 = fast.resolve(fs, base, guest, follow);
        const e2 = slow.resolve(walkOnly, base, guest, follow);
        if (fs.lstats - fastBefore < walkOnly.lstats - slowBefore) shorter++;
        const what = `call ${i}: resolve(${JSON.stringify(base)}, ${JSON.stringify(guest)}, follow ${follow})`;
        is(e1, e2, what);
        if (e1 !== Errno.SUCCESS) continue;
        assert.deepEqual(
          [fast.path, fast.exists, fast.dirOnly, fast.atBase],
          [slow.path, slow.exists, slow.dirOnly, slow.atBase],
          what,
        );
        if (fast.exists) {
          assert.deepEqual([fast.stat.ino, fast.stat.filetype], [slow.stat.ino, slow.stat.filetype], what);
        }
      }
      assert.ok(shorter > 20, `the shortcut was taken (${shorter} times)`);
    });
  }
});
