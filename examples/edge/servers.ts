// Starts the edge example for tests and measurements, from Deno, Bun or Node: bundles worker.js with esbuild into a
// temp dir and serves it with workerd, or runs deno_serve.ts. Always on 127.0.0.1, on free ports; stop() ends the
// process it started (and removes the temp dir).

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** How long a server may take to answer /health after it was started. */
const START_MS = 30_000;

/** A running server of the example. */
export interface EdgeServer {
  /** What serves it: "workerd" or "deno serve". */
  name: string;
  /** Its base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** workerd only: the same bundle without Node.js compatibility (no `process`, no `node:*`). */
  bareUrl?: string;
  /** What the process printed so far (stdout and stderr). */
  output(): string;
  /** Ends the process (SIGTERM, then SIGKILL after 5 s) and removes what start made; safe to call twice. */
  stop(): Promise<void>;
}

/** A binary that `npm install` put in node_modules, under the first of `candidates` that exists. */
function installed(what: string, candidates: string[]): string {
  for (const c of candidates) {
    const path = join(ROOT, "node_modules", c);
    if (existsSync(path)) return path;
  }
  throw new Error(`${what} is not installed (looked for node_modules/${candidates.join(", ")}): run npm install`);
}

const x64 = process.arch === "x64";
/** workerd from npm (`workerd`, binary in `@cloudflare/workerd-<platform>-<arch>`). */
export function workerdPath(): string {
  const arch = x64 ? "64" : "arm64";
  return installed("workerd", [`@cloudflare/workerd-${process.platform}-${arch}/bin/workerd`, ".bin/workerd"]);
}
/** esbuild from npm (`esbuild`, binary in `@esbuild/<platform>-<arch>`). */
export function esbuildPath(): string {
  return installed("esbuild", [`@esbuild/${process.platform}-${process.arch}/bin/esbuild`, ".bin/esbuild"]);
}
/** Deno from npm (`deno`, binary in `@deno/<platform>-<arch>-glibc`). */
export function denoPath(): string {
  const arch = x64 ? "x64" : "arm64";
  return installed("deno", [`@deno/${process.platform}-${arch}-glibc/deno`, ".bin/deno"]);
}

/** A port nobody listens on right now (the OS picks it; it could be taken again before it is used: callers retry). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("no port from the OS"))));
    });
  });
}

/**
 * Bundles examples/edge/worker.js (with handler.ts and Hostcall) into `dir/dist/worker.js` with esbuild, and puts
 * workerd.capnp and guest.wasm beside it, the layout workerd.capnp expects. Returns the bundle's path.
 */
export function bundleWorker(dir: string): string {
  mkdirSync(join(dir, "dist"), { recursive: true });
  const out = join(dir, "dist", "worker.js");
  const args = [join(HERE, "worker.js"), "--bundle", "--format=esm", "--external:./guest.wasm", `--outfile=${out}`];
  const r = spawnSync(esbuildPath(), [...args, "--log-level=warning"], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`esbuild ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  copyFileSync(join(HERE, "workerd.capnp"), join(dir, "workerd.capnp"));
  copyFileSync(join(HERE, "guest.wasm"), join(dir, "guest.wasm"));
  return out;
}

/** Spawns `bin args`, keeping what it prints; `done` settles when it exits. */
export function launch(
  bin: string,
  args: string[],
): { child: ChildProcess; output: () => string; done: Promise<void> } {
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const keep = (chunk: Uint8Array) => {
    if (text.length < 1 << 20) text += new TextDecoder().decode(chunk);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const done = new Promise<void>((resolve) => {
    child.on("exit", () => resolve());
    child.on("error", (err) => {
      text += `\n${err}`;
      resolve();
    });
  });
  return { child, output: () => text, done };
}

/** Ends `child` (SIGTERM; SIGKILL if it is still there after 5 s) and waits until it has exited. */
export async function end(child: ChildProcess, done: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await done;
    clearTimeout(timer);
  }
}

/** Waits until `url`/health answers "ok", or fails with what the process printed when it exits or takes too long. */
export async function ready(url: string, exited: () => boolean, output: () => string): Promise<void> {
  const deadline = Date.now() + START_MS;
  while (Date.now() < deadline) {
    if (exited()) throw new Error(`the server exited before it answered:\n${output()}`);
    try {
      const res = await fetch(`${url}/health`);
      if ((await res.text()) === "ok\n") return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no answer from ${url}/health within ${START_MS} ms:\n${output()}`);
}

/**
 * Serves `dir/workerd.capnp` with workerd, each of `sockets` on a free port of 127.0.0.1 (`extra`: more workerd
 * arguments); retries on other ports, twice, when one was taken between freePort() and workerd's bind. Resolves once
 * every socket answers /health; the server's `url` is the first socket's, `urls` all of them. stop() also removes `dir`,
 * which is removed as well when the server cannot start.
 */
export async function serveWorkerd(
  dir: string,
  sockets: readonly string[],
  extra: readonly string[] = [],
): Promise<EdgeServer & { urls: string[] }> {
  try {
    for (let attempt = 1;; attempt++) {
      const ports: number[] = [];
      for (const _ of sockets) ports.push(await freePort());
      const args = [
        "serve",
        join(dir, "workerd.capnp"),
        ...sockets.map((n, i) => `--socket-addr=${n}=127.0.0.1:${ports[i]}`),
      ];
      const p = launch(workerdPath(), [...args, ...extra]);
      const urls = ports.map((port) => `http://127.0.0.1:${port}`);
      const server = {
        name: "workerd",
        url: urls[0],
        urls,
        output: p.output,
        async stop() {
          await end(p.child, p.done);
          rmSync(dir, { recursive: true, force: true });
        },
      };
      try {
        for (const url of urls) await ready(url, () => p.child.exitCode !== null, p.output);
        return server;
      } catch (err) {
        await end(p.child, p.done);
        if (attempt >= 3 || !/address already in use|EADDRINUSE/i.test(p.output())) throw err;
      }
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** Bundles the worker into a temp dir and serves it with workerd (`http` and `bare` sockets) on free ports. */
export async function startWorkerd(): Promise<EdgeServer> {
  const dir = mkdtempSync(join(tmpdir(), "hostcall-edge-"));
  try {
    bundleWorker(dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const server = await serveWorkerd(dir, ["http", "bare"]);
  return { ...server, bareUrl: server.urls[1] };
}

/**
 * Runs `deno run ARGS` for a server that prints `listening on http://127.0.0.1:<port>/` (port 0: Deno picks a free one)
 * and waits (at most `startMs`) until it answers /health; stop() ends it and runs `cleanup` (also when it cannot start).
 */
export async function serveDeno(
  args: readonly string[],
  cleanup: () => void = () => {},
  startMs: number = START_MS,
): Promise<EdgeServer> {
  const p = launch(denoPath(), ["run", ...args]);
  const stop = async () => {
    await end(p.child, p.done);
    cleanup();
  };
  try {
    const deadline = Date.now() + startMs;
    let m: RegExpMatchArray | null = null;
    while ((m = p.output().match(/listening on (http:\/\/127\.0\.0\.1:\d+)\//)) === null) {
      if (p.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`deno serve did not start:\n${p.output()}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    await ready(m[1], () => p.child.exitCode !== null, p.output);
    return { name: "deno serve", url: m[1], output: p.output, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Runs examples/edge/deno_serve.ts with Deno on port 0 (Deno picks a free one and prints it). */
export function startDenoServe(): Promise<EdgeServer> {
  return serveDeno([`--allow-read=${HERE}`, "--allow-net=127.0.0.1", join(HERE, "deno_serve.ts"), "0"]);
}
