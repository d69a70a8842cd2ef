// Sockets end to end: guests serving real clients (node:net, fetch) on 127.0.0.1 through preopened listeners, on
// Deno, Bun and Node. Each test runs its own guest on free ports and ends it; nothing may be left listening.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { MemoryFs, Wasi, type WasiOptions } from "../mod.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const modules = new Map<string, WebAssembly.Module>();
/** The compiled guest at `path` (from the repository root). */
function guest(path: string): WebAssembly.Module {
  let m = modules.get(path);
  if (m === undefined) {
    m = new WebAssembly.Module(readFileSync(ROOT + path));
    modules.set(path, m);
  }
  return m;
}
const ECHO = "tests/guests/sock_echo.wasm";
const MISUSE = "tests/guests/sock_misuse.wasm";
const HTTP = "examples/http-server/server.wasm";
const RUST_HTTP = "tests/guests/rust_http.wasm";

// deno-lint-ignore no-explicit-any
const isDeno = typeof (globalThis as any).Deno !== "undefined";

/** A guest's output as it arrives, with a way to wait for a piece of it. */
class Output {
  text = "";
  #waiters: { what: string; resolve: () => void }[] = [];
  write = (bytes: Uint8Array) => {
    this.text += new TextDecoder().decode(bytes);
    this.#waiters = this.#waiters.filter((w) => !this.text.includes(w.what) || void w.resolve());
  };
  /** Resolves once `what` was printed; fails after `ms`. */
  waitFor(what: string, ms = 10_000): Promise<void> {
    if (this.text.includes(what)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${JSON.stringify(what)} after ${ms} ms in:\n${this.text}`)),
        ms,
      );
      this.#waiters.push({ what, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

/** A guest running on its listeners. */
interface Served {
  wasi: Wasi;
  run: Promise<number>;
  port: number;
  ports: number[];
  out: Output;
  err: Output;
  base: string;
}

/** Starts `path` with `args` on listeners (default one free port on 127.0.0.1). */
async function serve(path: string, args: string[] = [], more: Partial<WasiOptions> = {}): Promise<Served> {
  const out = new Output(), err = new Output();
  const wasi = new Wasi({
    async: true,
    args: [path, ...args],
    listeners: [{ hostname: "127.0.0.1", port: 0 }],
    stdout: out.write,
    stderr: err.write,
    ...more,
  });
  const addrs = await wasi.listening();
  const { instance } = await wasi.instantiate(guest(path));
  const run = wasi.startAsync(instance);
  run.catch(() => {}); // awaited by the test; a rejection before that is not unhandled
  const port = addrs[0].port;
  return { wasi, run, port, ports: addrs.map((a) => a.port), out, err, base: `http://127.0.0.1:${port}` };
}

/** Resolves `p`, or fails after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => timer = setTimeout(() => reject(new Error(`${what}: not done in ${ms} ms`)), ms)),
  ]);
}

/** A connected node:net socket to 127.0.0.1:`port`. */
function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => resolve(s));
    s.once("error", reject);
  });
}

/** Everything `s` receives until its end (or close). */
function readAll(s: net.Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  s.on("data", (b: Buffer) => chunks.push(b));
  return new Promise((resolve, reject) => {
    s.once("end", () => resolve(Buffer.concat(chunks)));
    s.once("close", () => resolve(Buffer.concat(chunks)));
    s.once("error", reject);
  });
}

/**
 * True when nothing accepts connections on 127.0.0.1:`port` any more, within `ms` (Deno closes a listener whose
 * accept is in flight a turn of its event loop later).
 */
async function refused(port: number, ms = 2000): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      const s = await connect(port);
      s.on("error", () => {});
      s.destroy();
    } catch (err) {
      // ECONNRESET: the listening socket was going away as we connected (Deno closes it a turn later): try again
      if ((err as { code?: string }).code === "ECONNREFUSED") return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Bytes of a deterministic pattern. */
function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe("echo guest", () => {
  for (const mode of ["recv", "read"]) {
    test(`1 MiB echoed byte for byte with ${mode === "recv" ? "recv()/send()" : "read()/write()"}`, async () => {
      const g = await serve(ECHO, [mode, "2"]);
      for (const size of [1 << 20, 1]) {
        const s = await connect(g.port);
        const got = readAll(s);
        const data = pattern(size, size);
        s.end(data);
        const back = await within(got, 20_000, "echo");
        assert.equal(back.length, size);
        assert.ok(Buffer.from(data).equals(back), "the echo differs from what was sent");
      }
      assert.equal(await within(g.run, 10_000, "exit"), 0);
      assert.equal(g.out.text, "conn 0: 1048576 bytes\nconn 1: 1 bytes\ndone\n");
      assert.ok(await refused(g.port), "the listener is closed after the guest exits");
    });
  }
});

describe("misuse guest", () => {
  test("every sock_* call made wrongly, and fd_* calls on a listener and a connection, answer their errno", async () => {
    const g = await serve(MISUSE, [], { preopens: { "/dir": new MemoryFs() } });
    await g.out.waitFor("wait 1\n");
    const c1 = await connect(g.port);
    c1.end("hello");
    await g.out.waitFor("wait 2\n");
    const c2 = await connect(g.port);
    await g.out.waitFor("accept 2: SUCCESS\n"); // reset before the guest has it, a Deno accept fails instead
    c2.resetAndDestroy();
    await g.out.waitFor("wait 3\n");
    const c3 = await connect(g.port);
    c3.on("error", () => {});
    c3.destroy();
    assert.equal(await within(g.run, 10_000, "misuse guest"), 0);
    c1.destroy();
    const text = g.out.text.replace(
      /send\(after the peer closed\): (EPIPE|ECONNRESET)\n/,
      "send(after the peer closed): EPIPE\n",
    );
    assert.equal(text, EXPECTED_MISUSE, `stderr: ${g.err.text}`);
    assert.ok(await refused(g.port));
  });
});

const RIGHTS = "0x42"; // FD_READ | FD_WRITE, as wasmtime
const EXPECTED_MISUSE = `prestat_get(dir): SUCCESS
prestat_get(listener): EBADF
fdstat_get(listener): SUCCESS
listener: filetype=6 flags=0 base=${RIGHTS} inheriting=0
accept(stdin): ENOTSOCK
accept(dir): ENOTSOCK
accept(closed): EBADF
accept(bad pointer): EFAULT
accept(flags APPEND): EINVAL
recv(stdout): ENOTSOCK
recv(dir): ENOTSOCK
recv(closed): EBADF
recv(listener): EBADF
send(stdin): ENOTSOCK
send(listener): EBADF
shutdown(stderr): ENOTSOCK
shutdown(dir): ENOTSOCK
shutdown(closed): EBADF
shutdown(listener): EBADF
fd_read(listener): EBADF
fd_write(listener): EBADF
fd_pread(listener): EBADF
fd_pwrite(listener): EBADF
fd_seek(listener): EBADF
fd_tell(listener): EBADF
fd_readdir(listener): EBADF
fd_advise(listener): EBADF
fd_allocate(listener): ENOTSUP
fd_sync(listener): SUCCESS
fd_datasync(listener): SUCCESS
fd_filestat_set_size(listener): EBADF
fd_filestat_set_times(listener): EBADF
fd_prestat_dir_name(listener): ENOTDIR
path_open(listener): EBADF
path_filestat_get(listener): EBADF
fd_filestat_get(listener): SUCCESS
filestat: filetype=6 size=0 ino=0
set_flags(listener, APPEND): EINVAL
set_flags(listener, NONBLOCK): SUCCESS
accept(non-blocking, nobody waits): EAGAIN
set_flags(listener, 0): SUCCESS
wait 1
accept 1: SUCCESS
fdstat_get(conn): SUCCESS
conn: filetype=6 flags=0 base=${RIGHTS}
accept(conn): EBADF
recv(bad iovec array): EFAULT
recv(iovec outside memory): EFAULT
recv(bad datalen pointer): EFAULT
recv(bad roflags pointer): EFAULT
recv(flags 4): ENOTSUP
send(bad iovec): EFAULT
send(flags 1): ENOTSUP
shutdown(how 0): EINVAL
shutdown(how 4): EINVAL
fd_seek(conn): EBADF
set_flags(conn, APPEND): EINVAL
recv(PEEK|WAITALL 5): SUCCESS
peeked 5: hello roflags=0
recv(WAITALL 5): SUCCESS
received 5: hello
recv(at the end): SUCCESS
received 0
poll(conn at the end): SUCCESS
event: userdata=7 error=0 type=1 hangup=1
shutdown(WR): SUCCESS
shutdown(WR) again: SUCCESS
send(after shutdown WR): EPIPE
close(conn): SUCCESS
close(conn) again: EBADF
wait 2
accept 2: SUCCESS
recv(after a reset): ECONNRESET
recv(after the reset was reported): SUCCESS
received 0
close(conn 2): SUCCESS
wait 3
accept 3: SUCCESS
recv(peer closed): SUCCESS
send(after the peer closed): EPIPE
close(conn 3): SUCCESS
close(listener): SUCCESS
accept(closed listener): EBADF
`;

/** A raw HTTP/1.1 exchange on `s`: sends `request`, resolves with the first whole answer's body. */
function rawGet(s: net.Socket, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = "";
    const on = (b: Buffer) => {
      got += b.toString("latin1");
      const head = got.indexOf("\r\n\r\n");
      if (head < 0) return;
      const len = Number(/Content-Length: (\d+)/i.exec(got.slice(0, head))?.[1] ?? "0");
      if (got.length < head + 4 + len) return;
      s.off("data", on);
      resolve(got.slice(head + 4, head + 4 + len));
    };
    s.on("data", on);
    s.once("error", reject);
    s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  });
}

async function stats(
  base: string,
): Promise<{ requests: number; errors: number; open: number; big_sent: number; ticks: number }> {
  return await (await fetch(`${base}/stats`)).json();
}

/** Ends the HTTP guest through /exit and checks it exited 0 and left nothing listening. */
async function stop(g: Served): Promise<void> {
  assert.equal(await (await fetch(`${g.base}/exit`, { headers: { connection: "close" } })).text(), "bye\n");
  assert.equal(await within(g.run, 10_000, "exit"), 0);
  for (const p of g.ports) assert.ok(await refused(p), `port ${p} is closed after the guest exits`);
}

describe("C HTTP server guest (poll() over non-blocking sockets)", () => {
  test("100 concurrent fetch requests, GET and POST, all answered", async () => {
    const g = await serve(HTTP);
    const answers = await within(
      Promise.all(Array.from({ length: 100 }, async (_, i) => {
        const res = i % 2 === 0
          ? await fetch(`${g.base}/`)
          : await fetch(`${g.base}/echo`, { method: "POST", body: `body ${i} `.repeat(i) });
        return [res.status, await res.text()] as const;
      })),
      30_000,
      "100 requests",
    );
    answers.forEach(([status, text], i) => {
      assert.equal(status, 200);
      assert.equal(text, i % 2 === 0 ? "Hello from wasm32-wasip1!\n" : `body ${i} `.repeat(i));
    });
    const st = await stats(g.base);
    assert.equal(st.requests, 101);
    assert.equal(st.errors, 0);
    await stop(g);
  });

  test("two listeners, both served by one guest", async () => {
    const g = await serve(HTTP, [], { listeners: [{ port: 0 }, { hostname: "127.0.0.1", port: 0 }] });
    assert.equal(g.ports.length, 2);
    assert.notEqual(g.ports[0], g.ports[1]);
    for (const p of g.ports) {
      assert.equal(await (await fetch(`http://127.0.0.1:${p}/`)).text(), "Hello from wasm32-wasip1!\n");
    }
    assert.match(g.out.text, /serving on 2 listeners/);
    await stop(g);
  });

  test("clients that vanish mid-header, mid-body and by reset are dropped; the others are served", async () => {
    const g = await serve(HTTP);
    const midHeader = await connect(g.port);
    midHeader.write("GET / HT");
    const midBody = await connect(g.port);
    midBody.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789");
    const reset = await connect(g.port);
    reset.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc");
    await new Promise((r) => setTimeout(r, 50));
    midHeader.destroy();
    midBody.destroy();
    reset.resetAndDestroy();
    assert.equal(await (await fetch(`${g.base}/`)).text(), "Hello from wasm32-wasip1!\n");
    const deadline = Date.now() + 5000;
    let st = await stats(g.base);
    while (st.errors < 1 && Date.now() < deadline) st = await stats(g.base);
    assert.equal(st.errors, 1, "the reset is an error (ECONNRESET); the others ended their input cleanly");
    assert.equal(await (await fetch(`${g.base}/echo`, { method: "POST", body: "still here" })).text(), "still here");
    await stop(g);
  });

  test("a slow client sending a byte every 10 ms does not hold up fast ones", async () => {
    const g = await serve(HTTP);
    const slow = await connect(g.port);
    const slowAnswer = readAll(slow);
    const request = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let fastDone = 0;
    const sending = (async () => {
      for (const ch of request) {
        slow.write(ch);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const fast = Promise.all(Array.from({ length: 20 }, async () => {
      assert.equal(await (await fetch(`${g.base}/`)).text(), "Hello from wasm32-wasip1!\n");
      fastDone++;
    }));
    await within(fast, 10_000, "fast clients");
    assert.equal(fastDone, 20);
    const slowText = (await within(slowAnswer, 10_000, "slow client")).toString();
    await sending;
    assert.match(slowText, /^HTTP\/1.1 200 OK\r\n[^]*Hello from wasm32-wasip1!\n$/);
    await stop(g);
  });

  test("a client that stops reading a large answer holds back only the guest's writes to it", async () => {
    const g = await serve(HTTP);
    const total = 64 * 1024 * 1024;
    const s = await connect(g.port);
    s.pause();
    s.write(`GET /big?n=${total} HTTP/1.1\r\nHost: x\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 300));
    const before = await stats(g.base); // served meanwhile: the guest is not blocked
    await new Promise((r) => setTimeout(r, 200));
    const after = await stats(g.base);
    assert.ok(before.big_sent > 0, "the guest started sending");
    assert.ok(after.big_sent < total / 4, `the guest could not push it all out: ${after.big_sent} bytes sent`);
    assert.ok(after.big_sent - before.big_sent < 1024 * 1024, "the guest's writes are held back while nobody reads");
    let received = 0;
    const done = new Promise<void>((resolve) => {
      s.on("data", (b: Buffer) => {
        received += b.length;
        if (received >= total) resolve();
      });
    });
    s.resume();
    await within(done, 30_000, "the large answer");
    assert.ok(received > total, "headers and the whole body arrived");
    s.destroy();
    assert.equal((await stats(g.base)).big_sent, total);
    await stop(g);
  });

  test("an idle guest waiting in poll() costs no CPU: waits are event-driven", async () => {
    const g = await serve(HTTP);
    assert.equal(await (await fetch(`${g.base}/`)).text(), "Hello from wasm32-wasip1!\n");
    const idle = await connect(g.port); // an open connection with nothing to read
    const cpu0 = process.cpuUsage(), t0 = performance.now();
    await new Promise((r) => setTimeout(r, 600));
    const cpu = process.cpuUsage(cpu0), ms = performance.now() - t0;
    const used = (cpu.user + cpu.system) / 1000;
    assert.ok(used < ms * 0.25, `${used.toFixed(0)} ms of CPU in ${ms.toFixed(0)} ms idle`);
    const { ticks } = await stats(g.base);
    assert.ok(ticks >= 3 && ticks <= 12, `poll() timed out every 100 ms: ${ticks} ticks in ~0.6 s`);
    idle.destroy();
    await stop(g);
  });

  test("pipelined requests on one keep-alive connection are answered in order", async () => {
    const g = await serve(HTTP);
    const s = await connect(g.port);
    const answers = readAll(s);
    s.end(
      "GET / HTTP/1.1\r\nHost: x\r\n\r\n" +
        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
        "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
    );
    const text = (await within(answers, 10_000, "pipelined")).toString();
    const bodies = text.split(/HTTP\/1.1 /).slice(1).map((a) =>
      a.slice(0, 3) + " " + a.slice(a.indexOf("\r\n\r\n") + 4)
    );
    assert.deepEqual(bodies, ["200 Hello from wasm32-wasip1!\n", "200 abc", "404 not found\n"]);
    s.destroy();
    await stop(g);
  });
});

describe("Rust std HTTP server guest (TcpListener::from_raw_fd, fd_read/fd_write)", () => {
  test("answers 10 fetch requests in turn, after a non-blocking accept that is WouldBlock", async () => {
    const g = await serve(RUST_HTTP, ["10"]);
    await g.out.waitFor("ready\n");
    const answers = await within(
      Promise.all(Array.from({ length: 10 }, async (_, i) => await (await fetch(`${g.base}/n/${i}`)).text())),
      20_000,
      "10 requests",
    );
    answers.forEach((text, i) => assert.equal(text, `Hello from Rust on wasm32-wasi! You asked for /n/${i}\n`));
    assert.equal(await within(g.run, 10_000, "exit"), 0);
    assert.equal(g.out.text, "non-blocking accept: WouldBlock\nready\nserved 10\n");
    assert.equal(g.err.text, "");
    assert.ok(await refused(g.port));
  });

  test("a raw client that closes before the answer is read does not stop the server", async () => {
    const g = await serve(RUST_HTTP, ["2"]);
    const s = await connect(g.port);
    s.end("GET /gone HTTP/1.1\r\nHost: x\r\n\r\n");
    s.destroy();
    const s2 = await connect(g.port);
    assert.equal(
      await within(rawGet(s2, "/second"), 10_000, "second"),
      "Hello from Rust on wasm32-wasi! You asked for /second\n",
    );
    s2.destroy();
    assert.equal(await within(g.run, 10_000, "exit"), 0);
    assert.match(g.out.text, /served 2\n$/);
  });
});

/** How this runtime runs the CLI (as tests/cli.test.ts): `deno run -A cli.ts`, `bun cli.ts`, `node cli.ts`. */
function cliCommand(): string[] {
  // deno-lint-ignore no-explicit-any
  const d = (globalThis as any).Deno;
  return d !== undefined ? [d.execPath(), "run", "-A", ROOT + "cli.ts"] : [process.execPath, ROOT + "cli.ts"];
}

/** Runs the CLI with `args`; resolves with its exit code and output once it exits. */
function runCli(args: string[], err: Output, out = new Output()): Promise<{ code: number | null }> {
  const [bin, ...pre] = cliCommand();
  const child = spawn(bin, [...pre, ...args], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", out.write);
  child.stderr.on("data", err.write);
  const exited = new Promise<{ code: number | null }>((resolve) => child.on("exit", (code) => resolve({ code })));
  setTimeout(() => child.kill(), 60_000).unref?.(); // never outlives the test by much
  return exited;
}

describe("CLI", () => {
  test("--tcplisten and --listen serve the C HTTP guest; port 0 is printed; /exit ends it with 0", async () => {
    const err = new Output(), out = new Output();
    const exited = runCli(["--tcplisten", "127.0.0.1:0", "--listen=127.0.0.1:0", HTTP], err, out);
    await err.waitFor("(fd 4)\n", 20_000);
    const ports = [...err.text.matchAll(/^hostcall: listening on 127\.0\.0\.1:(\d+) \(fd (\d)\)$/gm)];
    assert.deepEqual(ports.map((m) => m[2]), ["3", "4"]);
    for (const [, port] of ports) {
      assert.equal(await (await fetch(`http://127.0.0.1:${port}/`)).text(), "Hello from wasm32-wasip1!\n");
    }
    assert.equal(await (await fetch(`http://127.0.0.1:${ports[0][1]}/exit`)).text(), "bye\n");
    assert.equal((await within(exited, 20_000, "the CLI")).code, 0);
    assert.equal(out.text, "serving on 2 listeners\nserved 3 requests, 0 errors\n");
    for (const [, port] of ports) assert.ok(await refused(Number(port)));
  });

  test("the Rust guest under --tcplisten", async () => {
    const err = new Output(), out = new Output();
    const exited = runCli(["--tcplisten", "127.0.0.1:0", RUST_HTTP, "1"], err, out);
    await err.waitFor("(fd 3)\n", 20_000);
    const port = /127\.0\.0\.1:(\d+)/.exec(err.text)![1];
    assert.equal(
      await (await fetch(`http://127.0.0.1:${port}/cli`)).text(),
      "Hello from Rust on wasm32-wasi! You asked for /cli\n",
    );
    assert.equal((await within(exited, 20_000, "the CLI")).code, 0);
    assert.equal(out.text, "non-blocking accept: WouldBlock\nready\nserved 1\n");
  });

  test("an address in use and a bad HOST:PORT are clear errors", async () => {
    const taken = new Wasi({ async: true, listeners: [{ port: 0 }] });
    const [{ port }] = await taken.listening();
    try {
      const err = new Output();
      assert.equal((await runCli(["--tcplisten", `127.0.0.1:${port}`, HTTP], err)).code, 70);
      assert.equal(
        err.text,
        `hostcall: --tcplisten 127.0.0.1:${port}: cannot listen on 127.0.0.1:${port}: the address is in use (EADDRINUSE)\n`,
      );
      const bad = new Output();
      assert.equal((await runCli(["--listen", "8080", HTTP], bad)).code, 2);
      assert.match(bad.text, /^hostcall: --listen 8080: expected HOST:PORT, e\.g\. 127\.0\.0\.1:8080 or \[::1\]:0\n/);
    } finally {
      await taken.close();
    }
  });
});

test("examples/http-server/serve.ts serves the guest and exits 0 after /exit", async () => {
  // deno-lint-ignore no-explicit-any
  const d = (globalThis as any).Deno;
  const script = ROOT + "examples/http-server/serve.ts";
  const [bin, ...args] = d !== undefined
    ? [d.execPath(), "run", "--allow-read=examples", "--allow-net=127.0.0.1", script, "0"]
    : [process.execPath, script, "0"];
  const child = spawn(bin, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const out = new Output(), err = new Output();
  child.stdout.on("data", out.write);
  child.stderr.on("data", err.write);
  const exited = new Promise((r) => child.on("exit", r));
  await out.waitFor("/\n", 20_000);
  const base = /^serving on (http:\/\/127\.0\.0\.1:\d+)\/\n/.exec(out.text)?.[1];
  assert.ok(base !== undefined, out.text + err.text);
  assert.equal(await (await fetch(`${base}/`)).text(), "Hello from wasm32-wasip1!\n");
  assert.equal(
    await (await fetch(`${base}/echo`, { method: "POST", body: "x".repeat(5000) })).text(),
    "x".repeat(5000),
  );
  assert.equal(await (await fetch(`${base}/exit`)).text(), "bye\n");
  assert.equal(await within(exited, 20_000, "serve.ts"), 0);
  assert.match(out.text, /serving on 1 listener\nserved 3 requests, 0 errors\n$/);
  assert.equal(err.text, "");
});

test("CLI on Deno without --allow-net names the flag to add", async () => {
  // deno-lint-ignore no-explicit-any
  const d = (globalThis as any).Deno;
  const deno = d !== undefined ? d.execPath() : ROOT + "node_modules/@deno/linux-x64-glibc/deno";
  const child = spawn(deno, ["run", "--allow-read", "cli.ts", "--tcplisten", "127.0.0.1:0", HTTP], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const err = new Output();
  child.stderr.on("data", err.write);
  const code = await within(new Promise((r) => child.on("exit", r)), 30_000, "deno");
  assert.equal(code, 70);
  assert.equal(err.text, "hostcall: Deno denied net access to 127.0.0.1:0 (run with --allow-net=127.0.0.1:0)\n");
});

describe("lifecycle", () => {
  test("an abort signal stops a guest waiting in poll(); its listener and connections are closed", async () => {
    const ac = new AbortController();
    const g = await serve(HTTP, [], { signal: ac.signal });
    const open = await connect(g.port);
    assert.equal(await (await fetch(`${g.base}/`)).text(), "Hello from wasm32-wasip1!\n");
    const closed = new Promise<void>((resolve) => open.once("close", () => resolve()));
    open.on("error", () => {});
    ac.abort(new Error("stop now"));
    await assert.rejects(within(g.run, 5000, "abort"), /stop now/);
    await within(closed, 15_000, "the open connection is closed");
    assert.ok(await refused(g.port));
  });

  test("listeners passed in are closed when the guest ends", async () => {
    let given: unknown;
    let isClosed: () => Promise<boolean>;
    if (isDeno) {
      // deno-lint-ignore no-explicit-any
      const l = (globalThis as any).Deno.listen({ hostname: "127.0.0.1", port: 0 });
      given = l;
      isClosed = async () => {
        try {
          await l.accept();
          return false;
        } catch {
          return true;
        }
      };
    } else {
      const server = net.createServer();
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
      given = server;
      isClosed = () => Promise.resolve(!server.listening);
    }
    const g = await serve(ECHO, ["recv", "1"], { listeners: [given as never] });
    const s = await connect(g.port);
    const back = readAll(s);
    s.end("ping");
    assert.equal((await back).toString(), "ping");
    assert.equal(await within(g.run, 5000, "exit"), 0);
    assert.ok(await isClosed(), "the given listener was closed");
    assert.ok(await refused(g.port));
  });

  test("a guest that traps leaves nothing listening", async () => {
    const wasi = new Wasi({ async: true, listeners: [{ port: 0 }], stdout: "null" });
    const [{ port }] = await wasi.listening();
    const { instance } = await wasi.instantiate(guest("tests/guests/trap.wasm"));
    await assert.rejects(wasi.startAsync(instance), WebAssembly.RuntimeError);
    assert.ok(await refused(port));
  });

  test("close() on a Wasi that never ran closes its listeners", async () => {
    const wasi = new Wasi({ async: true, listeners: [{ port: 0 }] });
    const [{ port, fd }] = await wasi.listening();
    assert.equal(fd, 3);
    assert.equal(await refused(port, 0), false);
    await wasi.close();
    assert.ok(await refused(port));
  });
});

describe("options", () => {
  test("listeners come after the preopened directories, in order", async () => {
    const wasi = new Wasi({
      async: true,
      preopens: { "/a": new MemoryFs(), "/b": new MemoryFs() },
      listeners: [{ port: 0 }, { port: 0 }],
    });
    const addrs = await wasi.listening();
    assert.deepEqual(addrs.map((a) => a.fd), [5, 6]);
    assert.ok(addrs.every((a) => a.hostname === "127.0.0.1" && a.port > 0));
    await wasi.close();
  });

  test("an address in use fails with a clear error (at construction on Deno and Bun, from listening() on Node)", async () => {
    const taken = new Wasi({ async: true, listeners: [{ port: 0 }] });
    const [{ port }] = await taken.listening();
    await assert.rejects(async () => {
      const w = new Wasi({ async: true, listeners: [{ port: 0 }, { hostname: "127.0.0.1", port }] });
      await w.listening();
    }, (err: Error) => {
      assert.match(
        err.message,
        new RegExp(
          `^options\\.listeners\\[1\\]: cannot listen on 127\\.0\\.0\\.1:${port}: the address is in use \\(EADDRINUSE\\)$`,
        ),
      );
      return true;
    });
    await taken.close();
  });

  test("startAsync() rejects with the bind error and never runs the guest", async () => {
    const taken = new Wasi({ async: true, listeners: [{ port: 0 }] });
    const [{ port }] = await taken.listening();
    let wasi: Wasi;
    try {
      wasi = new Wasi({ async: true, listeners: [{ hostname: "127.0.0.1", port }] });
    } catch (err) {
      assert.ok(!process.versions.node || isDeno || "bun" in process.versions, `thrown at construction: ${err}`);
      await taken.close();
      return; // Deno and Bun bind at construction: covered by the test above
    }
    const { instance } = await wasi.instantiate(guest(ECHO));
    await assert.rejects(wasi.startAsync(instance), /EADDRINUSE/);
    await taken.close();
  });

  test("bad listener options are TypeErrors naming the option", () => {
    const cases: [unknown, RegExp][] = [
      [{}, /options\.listeners\[0\]\.port must be an integer from 0 to 65535/],
      [{ port: 70000 }, /options\.listeners\[0\]\.port/],
      [{ port: 1, hostname: "" }, /options\.listeners\[0\]\.hostname must be a non-empty string/],
      [42, /options\.listeners\[0\] must be \{ hostname, port \}, a Deno\.Listener or a listening node:net Server/],
    ];
    for (const [l, re] of cases) {
      assert.throws(() => new Wasi({ async: true, listeners: [l as { port: number }] }), (e: Error) => {
        assert.ok(e instanceof TypeError);
        assert.match(e.message, re);
        return true;
      });
    }
    assert.throws(() => new Wasi({ listeners: [{ port: 0 }] }), /options\.listeners needs async: true/);

    assert.throws(
      () => new Wasi({ async: true, listeners: { port: 0 } as unknown as [] }),
      /options\.listeners must be an array/,
    );
    assert.throws(
      () => new Wasi({ async: true, maxFds: 3, listeners: [{ port: 0 }] }),
      /options\.maxFds must be an integer from 4 \(stdio, the preopens and the listeners\)/,
    );
  });

  test("the same listener given twice is refused", async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      assert.throws(
        () => new Wasi({ async: true, listeners: [server, server] as never }),
        /^TypeError: options\.listeners: the same listener is given twice \(each takes every connection\)$/,
      );
    } finally {
      server.close();
    }
  });

  test("a node:net Server that is not listening or has its own connection handler is refused", async () => {
    const idle = net.createServer();
    assert.throws(() => new Wasi({ async: true, listeners: [idle as never] }), /is not listening yet/);
    const handled = net.createServer(() => {});
    await new Promise<void>((r) => handled.listen(0, "127.0.0.1", () => r()));
    try {
      assert.throws(
        () => new Wasi({ async: true, listeners: [handled as never] }),
        /already has a "connection" handler/,
      );
    } finally {
      handled.close();
    }
  });

  test("workerd (navigator.userAgent Cloudflare-Workers), whose node:net servers are internal, refuses listeners", () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, "navigator");
    Object.defineProperty(globalThis, "navigator", { value: { userAgent: "Cloudflare-Workers" }, configurable: true });
    try {
      assert.throws(
        () => new Wasi({ async: true, listeners: [{ port: 0 }] }),
        /^TypeError: options\.listeners\[0\]: this runtime cannot listen for connections \(workerd's node:net servers take no connections from the network\)/,
      );
    } finally {
      if (saved !== undefined) Object.defineProperty(globalThis, "navigator", saved);
      else delete (globalThis as { navigator?: unknown }).navigator;
    }
  });

  test("a runtime without sockets refuses listeners at construction, naming why", () => {
    // deno-lint-ignore no-explicit-any
    const g = globalThis as any;
    const saved = { Deno: Object.getOwnPropertyDescriptor(g, "Deno"), gbm: g.process?.getBuiltinModule };
    if (saved.Deno !== undefined) Object.defineProperty(g, "Deno", { value: undefined, configurable: true });
    if (g.process !== undefined) g.process.getBuiltinModule = undefined;
    try {
      assert.throws(() => new Wasi({ async: true, listeners: [{ port: 0 }] }), (e: Error) => {
        assert.ok(e instanceof TypeError);
        assert.equal(
          e.message,
          "options.listeners[0]: this runtime cannot listen for connections (it has neither Deno.listen nor node:net): " +
            "edge runtimes such as workerd take requests through a fetch handler, not sockets",
        );
        return true;
      });
    } finally {
      if (saved.Deno !== undefined) Object.defineProperty(g, "Deno", saved.Deno);
      if (g.process !== undefined) g.process.getBuiltinModule = saved.gbm;
    }
  });
});
