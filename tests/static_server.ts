// A static file server for tests: a host directory over HTTP on 127.0.0.1 (a free port), with Range requests, a log of
// what was asked, and faults to inject (refused connections, error statuses, bodies cut short). node:http, so it runs
// on Deno, Bun and Node alike; stop() closes it and every connection.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { readFileSync, statSync } from "node:fs";
import { join, sep } from "node:path";

/** What the server does with the n-th request (1-based) for `path`: serve it (null) or fail it. */
export type Fault = (path: string, n: number) => "reset" | "404" | "500" | "short" | "long" | "hang" | null;

/** A running server. */
export interface StaticServer {
  /** `http://127.0.0.1:<port>/`. */
  url: string;
  /** Every request: its decoded path and its Range header ("" when none). */
  log: { path: string; range: string }[];
  /** Body bytes sent. */
  bytes: number;
  /** The fault to inject, changeable while it runs. */
  fault: Fault | null;
  /** Closes the server and every connection. */
  stop(): Promise<void>;
}

/** Serves `root` (a host directory) at `http://127.0.0.1:<free port>/`. */
export async function serveDir(root: string): Promise<StaticServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => handle(req, res));
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const counts = new Map<string, number>();
  const st: StaticServer = {
    url: "",
    log: [],
    bytes: 0,
    fault: null,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  function handle(req: IncomingMessage, res: ServerResponse): void {
    let path: string;
    try {
      path = new URL(req.url ?? "/", "http://x").pathname.split("/").map(decodeURIComponent).join("/").slice(1);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const range = String(req.headers.range ?? "");
    st.log.push({ path, range });
    const n = (counts.get(path) ?? 0) + 1;
    counts.set(path, n);
    const fault = st.fault?.(path, n) ?? null;
    if (fault === "reset") return void req.socket.destroy();
    if (fault === "hang") return; // never answers: the client's timeout must end it
    if (fault === "404" || fault === "500") return void res.writeHead(Number(fault)).end();
    const file = join(root, ...path.split("/"));
    if (path.split("/").includes("..") || !file.startsWith(root + sep) && file !== root) {
      return void res.writeHead(403).end();
    }
    let data: Uint8Array;
    try {
      if (!statSync(file).isFile()) return void res.writeHead(404).end();
      data = readFileSync(file);
    } catch {
      return void res.writeHead(404).end();
    }
    let status = 200, body = data;
    const headers: Record<string, string> = { "content-type": "application/octet-stream", "accept-ranges": "bytes" };
    const m = /^bytes=(\d+)-(\d*)$/.exec(range);
    if (m !== null) {
      const start = Number(m[1]), end = Math.min(m[2] === "" ? data.length - 1 : Number(m[2]), data.length - 1);
      if (start >= data.length || end < start) {
        return void res.writeHead(416, { "content-range": `bytes */${data.length}` }).end();
      }
      status = 206;
      body = data.subarray(start, end + 1);
      headers["content-range"] = `bytes ${start}-${end}/${data.length}`;
    }
    if (fault === "long") body = new Uint8Array([...body, 0x21, 0x21]);
    headers["content-length"] = String(body.length);
    if (fault === "short") { // promise every byte, send half, then cut the connection
      res.writeHead(status, headers);
      res.write(body.subarray(0, body.length >> 1));
      st.bytes += body.length >> 1;
      setTimeout(() => req.socket.destroy(), 10);
      return;
    }
    st.bytes += body.length;
    res.writeHead(status, headers).end(body);
  }
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  st.url = `http://127.0.0.1:${typeof addr === "object" && addr !== null ? addr.port : 0}/`;
  return st;
}
