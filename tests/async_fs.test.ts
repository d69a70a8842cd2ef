// The async seam (src/fs/types.ts, src/replay.ts): a FileSystem that answers with promises, in async mode. Every fs_*
// guest runs over a MemoryFs made async (every answer a promise, and a seeded mix) and must print and leave what it
// does on the synchronous MemoryFs; then the replay log's rules, call by call.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { MemoryFs, Wasi } from "../mod.ts";
import { Errno } from "../src/abi/errno.ts";
import { Filetype } from "../src/abi/consts.ts";
import {
  type AsyncFileHandle,
  type AsyncFileSystem,
  type FileHandle,
  newStat,
  openFlags,
  type Stat,
} from "../src/fs/types.ts";
import { PENDING, takeWaits } from "../src/pending.ts";
import { ReplayFs, ReplayLog } from "../src/replay.ts";
import { guest } from "./guest_runner.ts";
import { CASES, memoryView } from "./guests_fs_cases.ts";
import { asyncFs, type AsyncMode } from "./async_wrap.ts";

const MODES: [string, AsyncMode][] = [["every answer a promise", "always"], ["a seeded mix", { seed: 15 }]];

for (const c of CASES) {
  for (const [label, mode] of MODES) {
    test(`${c.guest} over an async MemoryFs (${label}): as on the MemoryFs itself`, { timeout: 120_000 }, async () => {
      const inner = new MemoryFs();
      const fs = asyncFs(inner, mode);
      const wasi = new Wasi({
        async: true,
        args: [c.guest, "/data", ...(c.args?.memory ?? [])],
        preopens: { "/data": fs },
        stdin: "null",
        stdout: "capture",
        stderr: "capture",
      });
      const { instance } = await wasi.instantiate(guest(c.guest));
      const code = await wasi.startAsync(instance);
      const want = { code: 0, stdout: c.stdout.map((l) => l + "\n").join(""), stderr: "" };
      assert.deepEqual({ code, stdout: wasi.stdoutText(), stderr: wasi.stderrText() }, want);
      c.after?.(memoryView(inner));
      assert.ok(fs.counts.promised > 0, "the backend answered with promises");
    });
  }
}

/** A call sequence as the Suspending wrapper makes it: `call` moves per WASI call, `retry` per attempt. */
class Seq {
  call = 1;
  retry = 0;
  next(): void {
    this.call++;
    this.retry = 0;
  }
}

/** Waits for what the last PENDING registered. */
async function settle(): Promise<void> {
  const w = takeWaits();
  assert.ok(w.length > 0, "PENDING registered a wait");
  await Promise.all(w);
}

/** A scripted async backend: a tree of files by path, each call counted; `slow` names the calls that answer later. */
function scripted(files: Record<string, string>, slow: Set<string>) {
  const calls: string[] = [];
  const closed: string[] = [];
  const enc = new TextEncoder();
  const answer = <T>(name: string, v: () => T): T | Promise<T> => {
    calls.push(name);
    return slow.has(name.split(" ")[0]) ? new Promise<T>((r) => setTimeout(() => r(v()), 1)) : v();
  };
  const handle = (path: string): AsyncFileHandle => {
    const data = enc.encode(files[path]);
    let at = 0;
    return {
      read: (dst: Uint8Array, pos?: number) =>
        answer(`read ${path}`, () => {
          const from = pos ?? at;
          const n = Math.max(0, Math.min(dst.length, data.length - from));
          dst.set(data.subarray(from, from + n));
          if (pos === undefined) at += n;
          return n;
        }),
      write: () => -Errno.ROFS,
      seek: () => -Errno.SPIPE,
      stat: (out: Stat) =>
        answer(`fstat ${path}`, () => {
          out.filetype = Filetype.REGULAR_FILE;
          out.size = data.length;
          return Errno.SUCCESS;
        }),
      truncate: () => Errno.ROFS,
      sync: () => Errno.SUCCESS,
      datasync: () => Errno.SUCCESS,
      close: () => {
        closed.push(path);
        return Errno.SUCCESS;
      },
      readdir: () => Errno.NOTDIR,
      setAppend: () => Errno.ROFS,
      utimes: () => Errno.ROFS,
    };
  };
  const fs: AsyncFileSystem = {
    async: true,
    open: (path: string) => answer(`open ${path}`, () => (path in files ? handle(path) : Errno.NOENT)),
    stat: (path: string, out: Stat) =>
      answer(`stat ${path}`, () => {
        if (!(path in files)) return Errno.NOENT;
        out.filetype = Filetype.REGULAR_FILE;
        out.size = files[path].length;
        return Errno.SUCCESS;
      }),
    mkdir: () => Errno.ROFS,
    rmdir: () => Errno.ROFS,
    unlink: () => Errno.ROFS,
    rename: () => Errno.ROFS,
    link: () => Errno.ROFS,
    symlink: () => Errno.ROFS,
    readlink: () => Errno.INVAL,
    utimes: () => Errno.ROFS,
  };
  return { fs, calls, closed };
}

describe("the replay log", () => {
  test("a retry gets the answers made before the wait from the log: each backend call is made once", async () => {
    const { fs, calls } = scripted({ a: "hello" }, new Set(["open"]));
    const seq = new Seq();
    const r = new ReplayFs(fs, new ReplayLog(seq));
    const st = newStat();
    const attempt = () => {
      const e = r.stat("a", st, false);
      if (e !== Errno.SUCCESS) return e;
      return r.open("a", openFlags({ read: true }));
    };
    assert.equal(attempt(), PENDING);
    await settle();
    seq.retry++;
    const h = attempt();
    assert.equal(typeof h, "object");
    assert.deepEqual(calls, ["stat a", "open a"]);
    const buf = new Uint8Array(8);
    seq.next();
    assert.equal((h as FileHandle).read(buf), 5);
    assert.equal(new TextDecoder().decode(buf.subarray(0, 5)), "hello");
  });

  test("a waiting read fills a buffer of the log's own, never the caller's; the retry copies the bytes over", async () => {
    const { fs } = scripted({ a: "abcdef" }, new Set(["read"]));
    const seq = new Seq();
    const r = new ReplayFs(fs, new ReplayLog(seq));
    const h = r.open("a", openFlags({ read: true })) as FileHandle;
    seq.next();
    const first = new Uint8Array(4).fill(0xaa);
    assert.equal(h.read(first), -PENDING);
    await settle();
    assert.deepEqual([...first], [0xaa, 0xaa, 0xaa, 0xaa], "the caller's buffer of the first attempt is untouched");
    seq.retry++;
    const again = new Uint8Array(4);
    assert.equal(h.read(again), 4);
    assert.equal(new TextDecoder().decode(again), "abcd");
    seq.next();
    const rest = new Uint8Array(4);
    assert.equal(h.read(rest), -PENDING);
    await settle();
    seq.retry++;
    assert.equal(h.read(rest), 2, "the offset moved once per read, not per attempt");
    assert.equal(new TextDecoder().decode(rest.subarray(0, 2)), "ef");
  });

  test("a retry asking another question than the log holds gets a live answer, never the logged one", async () => {
    const { fs, calls } = scripted({ a: "1", b: "22" }, new Set(["stat"]));
    const seq = new Seq();
    const r = new ReplayFs(fs, new ReplayLog(seq));
    const st = newStat();
    assert.equal(r.stat("a", st, false), PENDING);
    await settle();
    seq.retry++;
    assert.equal(r.stat("b", st, false), PENDING, "b was never asked: the backend is");
    await settle();
    seq.retry++;
    assert.equal(r.stat("b", st, false), Errno.SUCCESS);
    assert.equal(st.size, 2, "b's size, not a's");
    assert.deepEqual(calls, ["stat a", "stat b"]);
  });

  test("a retry that skips a call (a cache above the seam) still gets the later answers from the log", async () => {
    const { fs, calls } = scripted({ a: "x", b: "y" }, new Set(["fstat"]));
    const seq = new Seq();
    const r = new ReplayFs(fs, new ReplayLog(seq));
    let cached: FileHandle | undefined;
    const st = newStat();
    const attempt = () => {
      cached ??= r.open("a", openFlags({ read: true })) as FileHandle; // opened on the first attempt only
      return cached.stat(st);
    };
    assert.equal(attempt(), PENDING);
    await settle();
    seq.retry++;
    assert.equal(attempt(), Errno.SUCCESS);
    assert.equal(st.size, 1);
    assert.deepEqual(calls, ["open a", "fstat a"]);
  });

  test("a handle opened for a call that stopped waiting is closed, also when it arrives after the log moved on", async () => {
    const { fs, closed } = scripted({ a: "x", b: "y" }, new Set(["open"]));
    const seq = new Seq();
    const log = new ReplayLog(seq);
    const r = new ReplayFs(fs, log);
    assert.equal(r.open("a", openFlags({ read: true })), PENDING);
    await settle(); // settled, but the call is never retried (aborted)
    seq.next();
    assert.equal(r.stat("zzz", newStat(), false), Errno.NOENT); // the next call clears the log
    assert.deepEqual(closed, ["a"]);
    assert.equal(r.open("b", openFlags({ read: true })), PENDING);
    const late = takeWaits();
    log.clear(); // the guest is done while the open is still out
    await Promise.all(late);
    assert.deepEqual(closed, ["a", "b"]);
  });

  test("a promise that rejects, or answers what the seam does not allow, reads as EIO", async () => {
    const fs = {
      ...scripted({}, new Set()).fs,
      stat: () => Promise.reject(new Error("network down")),
      readlink: () => Promise.resolve(undefined as unknown as string),
    } as AsyncFileSystem;
    const seq = new Seq();
    const r = new ReplayFs(fs, new ReplayLog(seq));
    assert.equal(r.stat("a", newStat(), false), PENDING);
    await settle();
    seq.retry++;
    assert.equal(r.stat("a", newStat(), false), Errno.IO);
    seq.next();
    assert.equal(r.readlink("a"), PENDING);
    await settle();
    seq.retry++;
    assert.equal(r.readlink("a"), Errno.IO);
  });
});

describe("async filesystems and the Wasi options", () => {
  test("an async FileSystem preopened without async: true is a TypeError at construction", () => {
    const fs = asyncFs(new MemoryFs());
    assert.throws(
      () => new Wasi({ preopens: { "/d": fs } }),
      /options\.preopens\["\/d"\] is an async FileSystem.*async: true/,
    );
  });

  test("the calls that touch a filesystem are Suspending only when an async one is preopened", () => {
    const plain = new Wasi({ async: true, preopens: { "/d": new MemoryFs() } }).getImportObject();
    const withAsync = new Wasi({ async: true, preopens: { "/d": asyncFs(new MemoryFs()) } }).getImportObject();
    const Suspending = (WebAssembly as unknown as { Suspending: new (f: unknown) => object }).Suspending;
    // V8 makes Suspending objects; Bun makes native functions named "WebAssembly.Suspending".
    const suspends = (f: unknown) =>
      f instanceof Suspending || (typeof f === "function" && f.name === "WebAssembly.Suspending");
    for (const name of ["path_open", "fd_read", "fd_readdir", "path_filestat_get", "fd_seek"]) {
      assert.ok(!suspends(plain.wasi_snapshot_preview1[name]), `${name} stays a plain function`);
      assert.ok(suspends(withAsync.wasi_snapshot_preview1[name]), `${name} suspends`);
      assert.ok(suspends(withAsync.wasi_unstable[name]), `wasi_unstable.${name} suspends`);
    }
    for (const name of ["fd_close", "fd_prestat_get", "clock_time_get", "args_get", "fd_fdstat_get"]) {
      assert.ok(!suspends(withAsync.wasi_snapshot_preview1[name]), `${name} never waits on a backend`);
    }
  });

  test("two instances sharing one async filesystem run at once, each with its own log", async () => {
    const inner = new MemoryFs();
    const fs = asyncFs(inner, "always");
    const runOne = async (name: string) => {
      const wasi = new Wasi({
        async: true,
        args: ["fs_stdio", `/data/${name}`],
        preopens: { "/data": fs },
        stdin: "null",
        stdout: "capture",
        stderr: "capture",
      });
      const { instance } = await wasi.instantiate(guest("fs_stdio"));
      return [await wasi.startAsync(instance), wasi.stdoutText()];
    };
    inner.mkdir("one");
    inner.mkdir("two");
    const [a, b] = await Promise.all([runOne("one"), runOne("two")]);
    const want = [0, "w ok\nr ok\nr+ ok\nw+ ok\na+ ok\nerrors ok\n"];
    assert.deepEqual(a, want);
    assert.deepEqual(b, want);
  });
});
