// The connection logic both net backends share (src/net/conn.ts), over a fake socket: the receive queue, RECV_PEEK and
// RECV_WAITALL, flow control, the pending error, shutdown, the send limit, and the Hub poll_oneoff waits on.

import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Errno } from "../mod.ts";
import { BufferedConn, Hub, RECV_BUFFER, SEND_BUFFER, SEND_MAX, WAITALL_MAX } from "../src/net/conn.ts";

/** A socket that records what the connection asks of it, and lets the test play the peer. */
class Fake extends BufferedConn {
  paused = false;
  sent: Uint8Array[] = [];
  queuedBytes = 0;
  fin = false;
  closedWith: "graceful" | "abort" | null = null;

  protected pauseInput(): void {
    this.paused = true;
  }
  protected resumeInput(): void {
    this.paused = false;
  }
  protected queued(): number {
    return this.queuedBytes;
  }
  protected send(bytes: Uint8Array): void {
    this.sent.push(bytes);
    this.queuedBytes += bytes.length;
  }
  protected endOutput(): void {
    this.fin = true;
  }
  protected closeSocket(abort: boolean): void {
    this.closedWith = abort ? "abort" : "graceful";
  }
  /** The peer sends `text`. */
  give(text: string | Uint8Array): void {
    this.received(typeof text === "string" ? new TextEncoder().encode(text) : text);
  }
  end(): void {
    this.ended();
  }
  fail(e: Errno): void {
    this.failed(e);
  }
  drain(): void {
    this.queuedBytes = 0;
    this.drained();
  }
}

const AGAIN = -Errno.AGAIN;
const text = (b: Uint8Array, n: number) => new TextDecoder().decode(b.subarray(0, n));

describe("receiving", () => {
  test("a read takes what is buffered, across chunks, and nothing more", () => {
    const c = new Fake();
    const buf = new Uint8Array(8);
    assert.equal(c.read(buf, false, 1), AGAIN);
    c.give("abc");
    c.give("defgh");
    c.give("ij");
    assert.equal(c.available(), 10);
    assert.equal(c.read(buf, false, 1), 8);
    assert.equal(text(buf, 8), "abcdefgh");
    assert.equal(c.read(buf, false, 1), 2);
    assert.equal(text(buf, 2), "ij");
    assert.equal(c.read(buf, false, 1), AGAIN);
  });

  test("RECV_PEEK leaves the bytes for the next read", () => {
    const c = new Fake();
    c.give("hel");
    c.give("lo");
    const buf = new Uint8Array(4);
    assert.equal(c.read(buf, true, 1), 4);
    assert.equal(text(buf, 4), "hell");
    assert.equal(c.available(), 5);
    const all = new Uint8Array(16);
    assert.equal(c.read(all, false, 1), 5);
    assert.equal(text(all, 5), "hello");
  });

  test("RECV_WAITALL waits until the buffer is full, or returns what there is at the end of input", () => {
    const c = new Fake();
    const buf = new Uint8Array(6);
    c.give("abc");
    assert.equal(c.read(buf, false, 6), AGAIN);
    assert.equal(c.readable(6), false);
    c.give("def");
    assert.equal(c.readable(6), true);
    assert.equal(c.read(buf, false, 6), 6);
    c.give("xy");
    assert.equal(c.read(buf, false, 6), AGAIN);
    c.end();
    assert.equal(c.read(buf, false, 6), 2, "a short count at the end of input, as POSIX MSG_WAITALL");
    assert.equal(c.read(buf, false, 6), 0);
  });

  test("input stops at RECV_BUFFER and resumes once the guest took half; RECV_WAITALL of more raises the limit", () => {
    const c = new Fake();
    c.give(new Uint8Array(RECV_BUFFER - 1));
    assert.equal(c.paused, false);
    c.give(new Uint8Array(1));
    assert.equal(c.paused, true, "64 KiB buffered: the host stops reading (TCP makes the peer wait)");
    assert.equal(c.read(new Uint8Array(RECV_BUFFER / 4), false, 1), RECV_BUFFER / 4);
    assert.equal(c.paused, true);
    assert.equal(c.read(new Uint8Array(RECV_BUFFER / 4), false, 1), RECV_BUFFER / 4);
    assert.equal(c.paused, false, "resumed at half");
    const big = new Uint8Array(RECV_BUFFER * 2);
    c.give(new Uint8Array(RECV_BUFFER / 2));
    assert.equal(c.paused, true);
    assert.equal(c.read(big, false, big.length), AGAIN);
    assert.equal(c.paused, false, "a WAITALL of 128 KiB lets the buffer fill past 64 KiB");
    c.give(new Uint8Array(RECV_BUFFER));
    assert.equal(c.read(big, false, big.length), RECV_BUFFER * 2);
    const huge = new Uint8Array(WAITALL_MAX * 2);
    assert.equal(c.read(huge, false, huge.length), AGAIN);
    c.give(new Uint8Array(WAITALL_MAX));
    assert.equal(c.read(huge, false, huge.length), WAITALL_MAX, "RECV_WAITALL waits for at most WAITALL_MAX");
  });

  test("a reset is reported once, after the data before it; then reads end and writes are EPIPE", () => {
    const c = new Fake();
    c.give("last");
    c.fail(Errno.CONNRESET);
    assert.equal(c.hungUp(), true);
    const buf = new Uint8Array(16);
    assert.equal(c.read(buf, false, 1), 4);
    assert.equal(c.read(buf, false, 1), -Errno.CONNRESET);
    assert.equal(c.read(buf, false, 1), 0);
    assert.equal(c.write(buf), -Errno.PIPE);
    assert.equal(c.shutdown(true, true), Errno.NOTCONN);
  });

  test("a write is where a pending error shows when it comes first", () => {
    const c = new Fake();
    c.fail(Errno.PIPE);
    assert.equal(c.write(new Uint8Array(1)), -Errno.PIPE);
    assert.equal(c.read(new Uint8Array(1), false, 1), 0);
  });

  test("the peer's FIN ends input but not output (half-close)", () => {
    const c = new Fake();
    c.end();
    assert.equal(c.hungUp(), true);
    assert.equal(c.read(new Uint8Array(4), false, 1), 0);
    assert.equal(c.write(new TextEncoder().encode("answer")), 6);
  });
});

describe("sending", () => {
  test("writes are copied; past SEND_BUFFER queued a write is AGAIN until drained; one write takes at most SEND_MAX", () => {
    const c = new Fake();
    const src = new TextEncoder().encode("abc");
    assert.equal(c.write(src), 3);
    src[0] = 0x7a;
    assert.equal(text(c.sent[0], 3), "abc", "the queued bytes are a copy");
    assert.equal(c.write(new Uint8Array(SEND_MAX + 10)), SEND_MAX, "a short write");
    assert.ok(c.queuedBytes >= SEND_BUFFER);
    assert.equal(c.writable(), false);
    assert.equal(c.write(new Uint8Array(1)), AGAIN);
    c.drain();
    assert.equal(c.writable(), true);
    assert.equal(c.write(new Uint8Array(1)), 1);
  });

  test("shutdown: RD ends reads after what is buffered, WR sends FIN once and makes writes EPIPE; twice is fine", () => {
    const c = new Fake();
    c.give("kept");
    assert.equal(c.shutdown(true, false), Errno.SUCCESS);
    assert.equal(c.paused, true);
    c.give("dropped");
    const buf = new Uint8Array(16);
    assert.equal(c.read(buf, false, 1), 4);
    assert.equal(c.read(buf, false, 1), 0);
    assert.equal(c.shutdown(false, true), Errno.SUCCESS);
    assert.equal(c.fin, true);
    assert.equal(c.shutdown(false, true), Errno.SUCCESS);
    assert.equal(c.write(buf), -Errno.PIPE);
  });

  test("close: graceful (queued data goes out first), once; a failed connection is aborted", () => {
    const c = new Fake();
    c.close(false);
    c.close(true);
    assert.equal(c.closedWith, "graceful");
    assert.equal(c.write(new Uint8Array(1)), -Errno.PIPE);
    const d = new Fake();
    d.fail(Errno.CONNRESET);
    d.close(false);
    assert.equal(d.closedWith, "abort");
  });
});

describe("waiting", () => {
  test("whenReadable/whenWritable settle at the next event; a cancelled one is dropped", async () => {
    const c = new Fake();
    let woke = 0;
    const w1 = c.whenReadable().then(() => woke++);
    const w2 = c.whenReadable();
    (w2 as unknown as { cancel(): void }).cancel();
    c.give("x");
    await w1;
    assert.equal(woke, 1);
    let settled = false;
    w2.then(() => settled = true);
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(settled, false, "a cancelled wait is never settled");
  });

  test("the Hub: one promise shared by every socket that is not ready, woken by any of them, dropped when cancelled", async () => {
    const hub = new Hub();
    const a = new Fake(), b = new Fake();
    a.watch(hub.wake);
    b.watch(hub.wake);
    const p1 = hub.wait(), p2 = hub.wait();
    assert.equal(p1, p2, "one promise for both");
    b.give("x");
    await p1;
    const p3 = hub.wait();
    assert.notEqual(p3, p1, "a new promise after a wake");
    p3.cancel!();
    assert.notEqual(hub.wait(), p3, "cancelled by its only user: dropped");
  });
});
