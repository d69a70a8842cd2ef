// The net seam over node:net (Bun, Node; Deno's node:net too): a listening net.Server and its sockets.
//
// node:net is loaded with `process.getBuiltinModule` when a listener is made, never at import, so importing this module
// on Deno or an edge runtime loads nothing.

import { Errno } from "../abi/errno.ts";
import { BufferedConn, LINGER_MS, MAX_WAITING, netErrno, QueuedListener } from "./conn.ts";
import type { NetAddress } from "./types.ts";

// The slice of node:net used here, typed here so that nothing imports node:net statically.
/** A node:net socket. */
export interface NodeSocket {
  on(event: string, fn: (...args: never[]) => void): unknown;
  once(event: string, fn: (...args: never[]) => void): unknown;
  write(data: Uint8Array): boolean;
  end(): unknown;
  destroy(): unknown;
  resetAndDestroy?(): unknown;
  pause(): unknown;
  resume(): unknown;
  setNoDelay?(on: boolean): unknown;
  allowHalfOpen: boolean;
  readonly writableLength: number;
  readonly writableFinished: boolean;
  readonly destroyed: boolean;
}
/** A node:net server (what `net.createServer()` returns), listening. */
export interface NodeServer {
  on(event: string, fn: (...args: never[]) => void): unknown;
  once(event: string, fn: (...args: never[]) => void): unknown;
  off(event: string, fn: (...args: never[]) => void): unknown;
  listen(options: { port: number; host: string }): unknown;
  address(): { address: string; port: number } | string | null;
  close(): unknown;
  listenerCount(event: string): number;
  readonly listening: boolean;
}
interface NodeNet {
  createServer(options: { allowHalfOpen: boolean }): NodeServer;
}

/** True for a node:net Server (checked by shape: any realm, Deno's node:net too). */
export function isNodeServer(x: unknown): x is NodeServer {
  const s = x as NodeServer;
  return typeof x === "object" && x !== null && typeof s.listen === "function" && typeof s.address === "function" &&
    typeof s.on === "function" && typeof s.listenerCount === "function";
}

/** node:net, or null where the runtime has none (an edge runtime, Deno without node compat). */
export function nodeNet(): NodeNet | null {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  const net = g.process?.getBuiltinModule?.("node:net");
  return typeof net?.createServer === "function" ? net as NodeNet : null;
}

/** Creates a server listening on `hostname:port`; binding ends asynchronously, in `bound`. Throws if it cannot start. */
export function nodeListen(
  net: NodeNet,
  hostname: string,
  port: number,
): { listener: NodeListener; bound: Promise<void> } {
  const server = net.createServer({ allowHalfOpen: true });
  const listener = new NodeListener(server);
  const bound = new Promise<void>((resolve, reject) => {
    const fail = (err: Error) => reject(err);
    server.once("error", fail);
    server.once("listening", () => {
      server.off("error", fail);
      resolve();
    });
  });
  server.listen({ port, host: hostname });
  return { listener, bound };
}

/** A listening node:net server: the connections it accepts wait in a queue for the guest. */
export class NodeListener extends QueuedListener {
  readonly #server: NodeServer;
  readonly #onConnection = (socket: NodeSocket) => {
    if (this.isClosed || this.queue.length >= MAX_WAITING) {
      socket.on("error", () => {});
      socket.destroy();
      return;
    }
    this.push(new NodeConn(socket));
  };
  /** A server error after it listens (rare: node retries a failed accept itself): the listener stops. */
  readonly #onError = () => this.close();

  constructor(server: NodeServer) {
    super();
    this.#server = server;
    server.on("connection", this.#onConnection);
    server.on("error", this.#onError);
  }

  address(): NetAddress | null {
    const a = this.#server.address();
    if (typeof a === "string") return { hostname: a, port: 0 }; // a Unix socket: its path
    return a !== null && typeof a === "object" ? { hostname: a.address, port: a.port } : null;
  }
  close(): void {
    if (!this.closeQueue()) return;
    this.#server.off("connection", this.#onConnection);
    try {
      this.#server.close();
    } catch { /* not listening any more */ }
  }
}

/** One accepted node:net socket. */
class NodeConn extends BufferedConn {
  readonly #socket: NodeSocket;

  constructor(socket: NodeSocket) {
    super();
    this.#socket = socket;
    socket.allowHalfOpen = true; // the peer's FIN ends our input only: the guest may still answer (half-close)
    socket.setNoDelay?.(true); // a response written in pieces goes out now, not after the peer's delayed ACK
    socket.on("data", (b: Uint8Array) => this.received(b));
    socket.on("end", () => this.ended());
    socket.on("error", (err: unknown) => this.failed(netErrno(err)));
    socket.on("drain", () => this.drained());
    socket.on("close", () => this.failed(Errno.PIPE, false)); // closed (after an error, or both ends done): gone
    socket.resume(); // a server created with pauseOnConnect starts paused
  }

  protected pauseInput(): void {
    this.#socket.pause();
  }
  protected resumeInput(): void {
    this.#socket.resume();
  }
  protected queued(): number {
    return this.#socket.writableLength;
  }
  protected send(bytes: Uint8Array): void {
    this.#socket.write(bytes);
  }
  protected endOutput(): void {
    this.#socket.end();
  }
  protected closeSocket(abort: boolean): void {
    const s = this.#socket;
    if (s.destroyed) return;
    if (abort) {
      if (typeof s.resetAndDestroy === "function") s.resetAndDestroy();
      else s.destroy();
      return;
    }
    s.end();
    if (s.writableFinished) return void s.destroy();
    const timer = setTimeout(() => s.destroy(), LINGER_MS); // a peer that stops reading does not hold it forever
    (timer as { unref?: () => void }).unref?.();
    s.once("finish", () => {
      clearTimeout(timer);
      s.destroy();
    });
  }
}
