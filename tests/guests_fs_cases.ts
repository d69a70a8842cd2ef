// The filesystem guests' cases (tests/guests/fs_*.wasm): argv, what each prints, what it leaves behind, and views
// of the tree it leaves (a host dir, a MemoryFs). Shared by tests/guests_fs.test.ts and tests/async_fs.test.ts.

import assert from "node:assert/strict";
import { lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { Filetype } from "../mod.ts";
import type { MemoryFs } from "../src/fs/memory.ts";
import { newStat, openFlags } from "../src/fs/types.ts";
import { Errno } from "../src/abi/errno.ts";

// --- what a guest left behind, read back from outside the guest ------------------------------

export type Kind = "file" | "dir" | "symlink" | "missing";

/** A read-only look at the preopened tree after the guest ran; paths are relative to the preopen. */
export interface View {
  kind(path: string): Kind;
  /** The file's bytes (symlinks followed). */
  bytes(path: string): Uint8Array;
  /** The symlink's target. */
  link(path: string): string;
  /** Inode number (of a final symlink itself). */
  ino(path: string): bigint;
  /** mtime in ns (of a final symlink itself). */
  mtimeNs(path: string): bigint;
  /** Names in a directory, sorted, without "." and "..". */
  list(path: string): string[];
}

/** The host directory `root`, through node:fs. */
export function hostView(root: string): View {
  const at = (p: string) => join(root, p);
  return {
    kind(p) {
      const st = lstatSync(at(p), { throwIfNoEntry: false });
      if (st === undefined) return "missing";
      return st.isSymbolicLink() ? "symlink" : st.isDirectory() ? "dir" : st.isFile() ? "file" : "missing";
    },
    bytes: (p) => new Uint8Array(readFileSync(at(p))),
    link: (p) => readlinkSync(at(p)),
    ino: (p) => lstatSync(at(p), { bigint: true }).ino,
    mtimeNs: (p) => lstatSync(at(p), { bigint: true }).mtimeNs,
    list: (p) => readdirSync(at(p)).sort(),
  };
}

/** A MemoryFs, through its JS-side methods and the FileSystem seam. */
export function memoryView(fs: MemoryFs): View {
  const lstat = (p: string) => {
    const st = newStat();
    const e = fs.stat(p, st, false);
    return e === Errno.SUCCESS ? st : null;
  };
  return {
    kind(p) {
      const st = lstat(p);
      if (st === null) return "missing";
      return st.filetype === Filetype.SYMBOLIC_LINK
        ? "symlink"
        : st.filetype === Filetype.DIRECTORY
        ? "dir"
        : st.filetype === Filetype.REGULAR_FILE
        ? "file"
        : "missing";
    },
    bytes: (p) => fs.files.readFile(p),
    link(p) {
      const t = fs.readlink(p);
      assert.equal(typeof t, "string", `readlink ${p}`);
      return t as string;
    },
    ino: (p) => lstat(p)!.ino,
    mtimeNs: (p) => lstat(p)!.mtimNs,
    list(p) {
      const h = fs.open(p, openFlags({ read: true, directory: true }));
      assert.notEqual(typeof h, "number", `open ${p}`);
      const names: string[] = [];
      if (typeof h !== "number") {
        assert.equal(h.readdir(0n, (name) => (names.push(name), true)), Errno.SUCCESS);
        h.close();
      }
      return names.sort();
    },
  };
}

export const text = (v: View, p: string) => new TextDecoder().decode(v.bytes(p));

// --- the guests ------------------------------------------------------------------------------

export interface FsCase {
  guest: string;
  /** What the test checks, for its name. */
  does: string;
  stdout: string[];
  /** Extra argv after the base dir "/data", per backend. */
  args?: { host?: string[]; memory?: string[] };
  /** A note for the test name, per backend. */
  note?: { host?: string; memory?: string };
  /** Checks the tree the guest left behind (the same for both backends). */
  after?: (v: View) => void;
}

export const CASES: FsCase[] = [
  {
    guest: "fs_stdio",
    does: 'fopen/fread/fwrite/fseek/ftell in modes "w", "r", "r+", "w+", "a", "a+"',
    stdout: ["w ok", "r ok", "r+ ok", "w+ ok", "a+ ok", "errors ok"],
    after: (v) => {
      assert.equal(text(v, "stdio.txt"), "abXYefghij");
      assert.deepEqual(v.list(""), ["stdio.txt"]);
    },
  },
  {
    guest: "fs_pread",
    does: "pread/pwrite leave the offset unchanged; holes read as zeros; lseek EINVAL; EBADF by access mode",
    stdout: ["pwrite ok", "pread ok", "lseek ok", "ebadf ok"],
    after: (v) => assert.deepEqual(v.bytes("pread.bin"), new TextEncoder().encode("012AB56789\0\0\0\0\0Z")),
  },
  {
    guest: "fs_append",
    does: "O_APPEND writes land at the end after lseek and after another writer; F_SETFL toggles it",
    stdout: ["append after lseek ok", "append after another writer ok", "fcntl append ok", "rdwr append ok"],
    after: (v) => assert.equal(text(v, "append.txt"), "START\none\ntwo\ngrown\nthree\nend\n!"),
  },
  {
    guest: "fs_readdir",
    does: 'readdir lists ".", ".." and every entry once with its d_type; rewinddir; telldir/seekdir; fdopendir',
    stdout: [
      "empty dir ok",
      "readdir ok entries=44",
      "rewinddir ok",
      "seekdir ok",
      "fdopendir ok",
      "root dotdot ok",
      "opendir errors ok",
    ],
    after: (v) => {
      const names = v.list("rd");
      assert.equal(names.length, 42);
      assert.equal(v.kind("rd/sub"), "dir");
      assert.equal(v.link("rd/link"), "file_000");
      assert.equal(text(v, "rd/file_039"), "x");
    },
  },
  {
    guest: "fs_stat",
    does: "stat/lstat/fstat: types, sizes, dev, equal ino for hard links, nlink counts, mtime after a write",
    stdout: [
      "types ok",
      "lstat ok",
      "fstat ok",
      "nlink ok",
      "mtime after write ok",
      "dir mtime ok",
      "stat errors ok",
    ],
    after: (v) => {
      assert.equal(v.kind("st_file"), "missing");
      assert.equal(text(v, "st_hard"), "0123456789abc");
      assert.equal(v.link("st_sym"), "st_file");
      assert.equal(v.link("dangling"), "missing");
      assert.deepEqual(v.list(""), ["dangling", "st_dir", "st_hard", "st_sym"]);
    },
  },
  {
    guest: "fs_mkdir",
    does: "mkdir/rmdir/unlink: EEXIST, ENOENT, ENOTEMPTY, ENOTDIR, EISDIR, EINVAL for the preopen; unlink while open",
    stdout: ["mkdir ok", "rmdir ok", "unlink ok", "unlink while open ok", "remove ok"],
    after: (v) => {
      assert.deepEqual(v.list(""), ["dir2"]);
      assert.equal(v.kind("dir2"), "dir");
    },
  },
  {
    guest: "fs_rename",
    does: "rename over a file, over an empty dir, ENOTEMPTY over a non-empty dir, EISDIR, ENOTDIR, EINVAL, EBUSY",
    stdout: [
      "rename ok",
      "rename over file ok",
      "rename onto itself ok",
      "rename over empty dir ok",
      "rename over non-empty dir ok",
      "rename errors ok",
      "rename into itself ok",
      "rename across dirs ok",
      "rename symlink ok",
    ],
    after: (v) => {
      assert.deepEqual(v.list(""), ["d2", "d3", "ln2"]);
      assert.equal(text(v, "d2/inside"), "in");
      assert.equal(text(v, "d3/sub/moved"), "ZAA");
      assert.equal(v.link("ln2"), "d3/sub/moved");
    },
  },
  {
    guest: "fs_link",
    does: "link shares data and inode; unlinking one name keeps the others; EEXIST, ENOENT, EPERM for a dir",
    stdout: [
      "link shares data ok",
      "link truncate ok",
      "unlink one name ok",
      "link errors ok",
      "link of symlink ok",
    ],
    after: (v) => {
      assert.equal(v.kind("orig"), "missing");
      assert.equal(text(v, "alias"), "v3");
      assert.equal(v.ino("sub/third"), v.ino("alias"));
      assert.equal(v.link("sym_hard"), "alias");
      assert.equal(v.ino("sym_hard"), v.ino("sym"));
      assert.deepEqual(v.list(""), ["alias", "other", "sub", "sym", "sym_hard"]);
    },
  },
  {
    guest: "fs_symlink",
    does: "symlink targets verbatim, readlink truncation, following, dangling create, EEXIST/EINVAL/ELOOP",
    stdout: [
      "readlink verbatim ok",
      "readlink truncation ok",
      "follow ok",
      "write through link ok",
      "symlink errors ok",
      "unlink link ok",
    ],
    after: (v) => {
      const targets = ["plain", "sub/./x/../y", "../outside/of/preopen", "a//b/", "ünïcødé ✓", "."];
      targets.forEach((t, i) => assert.equal(v.link(`l${i}`), t));
      assert.equal(text(v, "target"), "T2");
      assert.equal(text(v, "created_via_link"), "C");
      assert.equal(v.kind("to_file"), "missing");
      assert.equal(v.kind("to_dir"), "missing");
      assert.equal(v.link("loop_a"), "loop_b");
    },
  },
  {
    guest: "fs_utimes",
    does: "utimensat/futimens: exact values to 1 µs, UTIME_NOW, UTIME_OMIT, AT_SYMLINK_NOFOLLOW",
    stdout: [
      "utimensat exact ok",
      "utimensat whole values ok",
      "futimens ok",
      "utime_omit ok",
      "utime_now ok",
      "dir times ok",
      "symlink times ok",
      "utimes errors ok",
    ],
    after: (v) => {
      assert.equal(v.mtimeNs("tdir"), 1_700_000_000_250_000_000n);
      assert.equal(v.mtimeNs("times.txt"), 1_700_000_000_250_000_000n);
      assert.equal(v.mtimeNs("tlink"), 1_020_202_020_000_000_000n);
    },
  },
  {
    guest: "fs_truncate",
    does:
      "ftruncate grows with zeros and shrinks, keeps the offset; truncate by path; posix_fallocate is ENOTSUP (as wasmtime)",
    stdout: [
      "grow ok",
      "shrink ok",
      "shrink then grow ok",
      "truncate by path ok",
      "fallocate ok",
      "truncate errors ok",
    ],
    after: (v) => {
      const want = new Uint8Array(32);
      want.set(new TextEncoder().encode("end"), 29);
      assert.deepEqual(v.bytes("trunc.bin"), want);
    },
  },
  {
    guest: "fs_open",
    does: "O_CREAT, O_EXCL (EEXIST, dangling symlink too), O_TRUNC, O_DIRECTORY (ENOTDIR), EISDIR, isatty ENOTTY",
    stdout: [
      "o_creat ok",
      "o_excl ok",
      "o_trunc ok",
      "o_directory ok",
      "dir for writing ok",
      "isatty ok",
      "fd reuse ok",
      "open errors ok",
    ],
    after: (v) => {
      assert.equal(text(v, "open.txt"), "new");
      assert.equal(text(v, "excl.txt"), "");
      assert.equal(v.kind("nowhere"), "missing"); // O_EXCL did not create the dangling link's target
      assert.deepEqual(v.list(""), ["dangling", "dir", "dirlink", "excl.txt", "open.txt"]);
    },
  },
  {
    guest: "fs_large",
    does: "a write at a large offset, fstat size, read back, sparse zeros, ftruncate to 0",
    stdout: ["size ok", "read back ok", "pwrite ok", "truncated ok"],
    args: { memory: [String(64 * 1024 * 1024)] },
    note: { host: "at 5 GiB", memory: "at 64 MiB: a 5 GiB offset would need a 5 GiB buffer" },
    after: (v) => assert.equal(v.bytes("large.bin").length, 0),
  },
  {
    guest: "fs_many",
    does: "200 files open at once, written interleaved, read back, all closed",
    stdout: ["open ok", "write ok", "read ok", "close ok", "reopen ok files=200"],
    after: (v) => {
      const names = v.list("many");
      assert.equal(names.length, 200);
      assert.equal(names[0], "f000");
      assert.equal(names[199], "f199");
      assert.equal(text(v, "many/f123"), "file 123\n");
    },
  },
  {
    guest: "fs_readdir_grow",
    does: "readdir while creating (then deleting) entries sees every pre-existing entry exactly once",
    stdout: ["pre-existing entries seen once ok", "final count ok", "survivors seen once ok"],
    after: (v) => {
      const names = v.list("grow");
      assert.equal(names.length, 300);
      assert.ok(names.every((n) => n.startsWith("pre_existing_entry_")));
    },
  },
  {
    guest: "fs_sync",
    does: "fsync/fdatasync succeed on files and dirs; EBADF on a closed fd",
    stdout: ["fsync file ok", "fsync stdio ok", "fsync dir ok", "fsync ebadf ok"],
    after: (v) => assert.equal(text(v, "sync.txt"), "synced\nagain\nstdio\n"),
  },
  {
    guest: "fs_errno",
    does: "errno and strerror of common failures; escapes from the preopen refused",
    stdout: [
      "open missing: No such file or directory",
      "open in missing dir: No such file or directory",
      "stat missing: No such file or directory",
      "open through a file: Not a directory",
      "open dir for writing: Is a directory",
      "mkdir existing: File exists",
      "rmdir non-empty: Directory not empty",
      "rmdir file: Not a directory",
      "unlink dir: Is a directory",
      "link dir: Operation not permitted",
      "open 256-byte name: Filename too long",
      "mkdir 256-byte name: Filename too long",
      "write read-only fd: Bad file descriptor",
      "read closed fd: Bad file descriptor",
      "fstat closed fd: Bad file descriptor",
      "lseek negative: Invalid argument",
      "open outside preopens: refused",
      "open ..: refused",
      "open dir/../..: refused",
      "mkdir ..: refused",
      "abs_link: refused",
      "abs_link: refused",
      "climb_link: refused",
      "climb_link: refused",
      "message: missing: No such file or directory",
      "errno ok",
    ],
    after: (v) => {
      // An absolute target is refused at creation (as wasmtime); a relative one is stored verbatim and
      // following it is what the sandbox refuses (decisions.md#sandbox).
      assert.equal(v.kind("abs_link"), "missing");
      assert.equal(v.link("climb_link"), "../../../../../../etc/passwd");
      assert.deepEqual(v.list(""), ["climb_link", "dir", "file"]);
    },
  },
  {
    guest: "fs_at",
    does:
      "*at calls relative to a non-preopen dir fd; a file fd as dir fd is ENOTDIR; a dir fd follows its directory through a rename",
    stdout: [
      "openat mkdirat ok",
      "dotdot from a dir fd ok",
      "at calls ok",
      "file as dir fd ok",
      "dir fd follows a rename ok",
    ],
    after: (v) => {
      assert.deepEqual(v.list(""), ["at_root.txt", "moved", "top"]);
      assert.deepEqual(v.list("moved"), ["after_rename", "f", "ln"]);
      assert.deepEqual(v.list("top"), ["sub"]);
      assert.deepEqual(v.list("top/sub"), []);
      assert.equal(text(v, "moved/f"), "at");
    },
  },
  {
    guest: "fs_cwd",
    does: 'chdir/getcwd, relative paths, ".", "..", "//", and "link/.." resolved physically',
    stdout: [
      "relative open ok",
      "chdir ok",
      "chdir errors ok",
      "dots ok",
      "symlink dotdot ok",
      "opendir cwd ok",
    ],
    after: (v) => {
      assert.equal(text(v, "rel.txt"), "relative");
      assert.equal(text(v, "a/in_a.txt"), "A");
      assert.equal(text(v, "a/b/in_b.txt"), "B");
      assert.equal(v.link("deep"), "a/b");
      assert.equal(text(v, "a/which.txt"), "parent of the target");
      assert.equal(text(v, "which.txt"), "next to the link");
    },
  },
];
