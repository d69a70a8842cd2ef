// The net seam over Deno's own sockets: a Deno.Listener and the Deno.Conn it accepts.
//
// Only `Deno.*` is used, and only once a listener is made: importing this module elsewhere touches nothing.

import { BufferedConn, LINGER_MS, MAX_WAITING, netErrno, QueuedListener, SEND_BUFFER, Waiters } from "./conn.ts";
import type { NetAddress } from "./types.ts";

// The slice of Deno's API used here, typed here so that the module type-checks without Deno's types.
/** A Deno.Conn. */
export interface DenoConn {
  read(p: Uint8Array): Promise<number | null>;
  write(p: Uint8Array): Promise<number>;
  closeWrite(): Promise<void>;
  close(): void;
  setNoDelay?(on?: boolean): void;
}
/** A Deno.Listener (TCP). */
export interface DenoListener {
  accept(): Promise<DenoConn>;
  close(): void;
  readonly addr: { transport: string; hostname?: string; port?: number; path?: string };
}

/** True for a Deno.Listener (checked by shape). */
export function isDenoListener(x: unknown): x is DenoListener {
  const l = x as DenoListener;
  return typeof x === "object" && x !== null && typeof l.accept === "function" && typeof l.close === "function" &&
    typeof l.addr === "object" && l.addr !== null && typeof l.addr.transport === "string";
}

/** `Deno.listen`, or null off Deno. */
export function denoListen(): ((o: { hostname: string; port: number; transport: "tcp" }) => DenoListener) | null {
  // deno-lint-ignore no-explicit-any
  const d = (globalThis as any).Deno;
  return typeof d?.listen === "function" ? d.listen.bind(d) : null;
}

/** Lets a timer not keep the process alive (Deno.unrefTimer); no-op elsewhere. */
function unref(id: number): void {
  // deno-lint-ignore no-explicit-any
  (globalThis as any).Deno?.unrefTimer?.(id);
}

/** A Deno.Listener: one accept is in flight while fewer than MAX_WAITING connections wait for the guest. */
export class DenoListenerSeam extends QueuedListener {
  readonly #listener: DenoListener;

  constructor(listener: DenoListener) {
    super();
    this.#listener = listener;
    this.#acceptLoop();
  }

  address(): NetAddress | null {
    const a = this.#listener.addr;
    if (typeof a.path === "string") return { hostname: a.path, port: 0 }; // a Unix socket: its path
    return typeof a.port === "number" ? { hostname: a.hostname ?? "", port: a.port } : null;
  }
  close(): void {
    if (!this.closeQueue()) return;
    try {
      this.#listener.close(); // the accept in flight rejects
    } catch { /* closed already */ }
  }

  async #acceptLoop(): Promise<void> {
    while (!this.isClosed) {
      if (this.queue.length >= MAX_WAITING) {
        await this.room.wait();
        continue;
      }
      let conn: DenoConn;
      try {
        conn = await this.#listener.accept();
      } catch (err) {
        const name = (err as Error)?.name;
        if (name === "ConnectionAborted" || name === "ConnectionReset") continue; // a client that left while queued
        if (!this.isClosed && name !== "BadResource" && name !== "Interrupted") {
          await new Promise((r) => setTimeout(r, 100)); // out of descriptors (EMFILE)? try again a little later
          continue;
        }
        this.close(); // closed, by us or by its owner
        return;
      }
      if (this.isClosed) {
        conn.close();
        return;
      }
      this.push(new DenoConnSeam(conn));
    }
  }
}

/** Size of the one read buffer each connection reads into (the bytes are copied out per read). */
const READ_CHUNK = 64 * 1024;

/** One Deno.Conn: a read loop feeds the receive queue, a write loop drains the send queue. */
class DenoConnSeam extends BufferedConn {
  readonly #conn: DenoConn;
  readonly #resumed = new Waiters();
  #pausing = false;
  #out: Uint8Array[] = [];
  #outBytes = 0;
  #writing = false;
  #finAfter = false;
  #closeAfter = false;
  #connClosed = false;

  constructor(conn: DenoConn) {
    super();
    this.#conn = conn;
    try {
      conn.setNoDelay?.(true); // a response written in pieces goes out now, not after the peer's delayed ACK
    } catch { /* not TCP */ }
    this.#readLoop();
  }

  protected pauseInput(): void {
    this.#pausing = true;
  }
  protected resumeInput(): void {
    this.#pausing = false;
    this.#resumed.wake();
  }
  protected queued(): number {
    return this.#outBytes;
  }
  protected send(bytes: Uint8Array): void {
    this.#out.push(bytes);
    this.#outBytes += bytes.length;
    if (!this.#writing) this.#writeLoop();
  }
  protected endOutput(): void {
    this.#finAfter = true;
    if (!this.#writing) this.#writeLoop();
  }
  protected closeSocket(abort: boolean): void {
    this.#closeAfter = true;
    this.#resumed.wake();
    if (abort || !this.#writing) return this.#closeConn();
    const id = setTimeout(() => this.#closeConn(), LINGER_MS); // a peer that stops reading does not hold it forever
    unref(id as unknown as number);
  }

  #closeConn(): void {
    if (this.#connClosed) return;
    this.#connClosed = true;
    try {
      this.#conn.close(); // a read or write in flight rejects
    } catch { /* closed already */ }
  }

  async #readLoop(): Promise<void> {
    const buf = new Uint8Array(READ_CHUNK);
    try {
      for (;;) {
        while (this.#pausing && !this.#connClosed && !this.isClosed) await this.#resumed.wait();
        if (this.#connClosed || this.isClosed) return;
        const n = await this.#conn.read(buf);
        if (n === null) return this.ended();
        this.received(buf.slice(0, n));
      }
    } catch (err) {
      if (!this.#connClosed) this.failed(netErrno(err));
    }
  }

  async #writeLoop(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#out.length > 0) {
        const chunk = this.#out[0];
        for (let at = 0; at < chunk.length;) at += await this.#conn.write(at === 0 ? chunk : chunk.subarray(at));
        this.#out.shift();
        const wasFull = this.#outBytes >= SEND_BUFFER;
        this.#outBytes -= chunk.length;
        if (wasFull && this.#outBytes < SEND_BUFFER) this.drained(); // only a full queue made a writer wait
      }
      if (this.#finAfter && !this.#closeAfter) await this.#conn.closeWrite();
    } catch (err) {
      this.#out = [];
      this.#outBytes = 0;
      if (!this.#connClosed) this.failed(netErrno(err));
    } finally {
      this.#writing = false;
    }
    if (this.#closeAfter) this.#closeConn();
  }
}
