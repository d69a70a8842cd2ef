// The `listeners` option: a Deno.Listener, a listening node:net Server, or an address Hostcall listens on itself.

import { denoListen, DenoListenerSeam, isDenoListener } from "./deno.ts";
import { isNodeServer, nodeListen, NodeListener, nodeNet } from "./node.ts";
import type { NetListener } from "./types.ts";

/** An address for Hostcall to listen on (TCP). */
export interface ListenAddress {
  /** An IP address or a host name to bind; default `"127.0.0.1"` (this machine only). */
  hostname?: string;
  /** The port; 0 lets the system pick a free one (read it with `wasi.listening()`). */
  port: number;
}

/**
 * One listener given to the guest: an address Hostcall listens on (and closes when the guest ends), a `Deno.Listener`
 * (Deno), or a listening `node:net` `Server` (Bun, Node) without a `"connection"` handler of its own.
 */
export type ListenerOption = ListenAddress | { readonly addr: unknown; accept(): unknown } | {
  listen(...args: never[]): unknown;
  address(): unknown;
};

/** A listener the guest sees: its descriptor number and the address it is bound to. */
export interface ListenerAddress {
  /** The guest's fd for it (after stdio and the preopened directories). */
  fd: number;
  /** The IP address it is bound to, as the runtime reports it. */
  hostname: string;
  /** The port it is bound to. */
  port: number;
}

/** A listener made from an option, and when it is bound (at once, except for node:net listening on an address). */
export interface Opened {
  listener: NetListener;
  bound: Promise<void>;
}

/** The sentence `options.listeners[i]` errors start with. */
function where(i: number): string {
  return `options.listeners[${i}]`;
}

/** Checks the shape of `listeners[i]`; a TypeError names what is wrong. */
export function checkListener(x: unknown, i: number): void {
  if (isDenoListener(x)) return;
  if (isNodeServer(x)) {
    if (x.listening !== true) {
      throw new TypeError(
        `${where(i)}: the node:net Server is not listening yet (call listen() and wait for its "listening" event)`,
      );
    }
    if (x.listenerCount("connection") > 0) {
      throw new TypeError(
        `${where(i)}: the node:net Server already has a "connection" handler; the guest takes every connection ` +
          "(create it with net.createServer() and no handler)",
      );
    }
    return;
  }
  if (typeof x !== "object" || x === null) {
    throw new TypeError(`${where(i)} must be { hostname, port }, a Deno.Listener or a listening node:net Server`);
  }
  const { hostname, port } = x as ListenAddress;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError(`${where(i)}.port must be an integer from 0 to 65535`);
  }
  if (hostname !== undefined && (typeof hostname !== "string" || hostname === "" || hostname.includes("\0"))) {
    throw new TypeError(`${where(i)}.hostname must be a non-empty string`);
  }
}

/**
 * Opens listener `i`: wraps a given one, or listens on an address. Throws a TypeError where the runtime cannot listen
 * (workerd), an Error naming the address when it cannot be bound now (Deno and Bun bind at once).
 */
export function openListener(x: unknown, i: number): Opened {
  if (isDenoListener(x)) return { listener: new DenoListenerSeam(x), bound: Promise.resolve() };
  if (isNodeServer(x)) return { listener: new NodeListener(x), bound: Promise.resolve() };
  const { hostname = "127.0.0.1", port } = x as ListenAddress;
  // deno-lint-ignore no-explicit-any
  if ((globalThis as any).navigator?.userAgent === "Cloudflare-Workers") {
    throw cannotListen(i, "workerd's node:net servers take no connections from the network");
  }
  const listen = denoListen();
  if (listen !== null) {
    try {
      return { listener: new DenoListenerSeam(listen({ hostname, port, transport: "tcp" })), bound: Promise.resolve() };
    } catch (err) {
      throw listenError(i, hostname, port, err);
    }
  }
  const net = nodeNet();
  if (net !== null) {
    let opened: ReturnType<typeof nodeListen>;
    try {
      opened = nodeListen(net, hostname, port);
    } catch (err) {
      throw new TypeError(`${where(i)}: this runtime cannot listen for connections: ${(err as Error)?.message}`, {
        cause: err,
      });
    }
    return {
      listener: opened.listener,
      bound: opened.bound.catch((err) => Promise.reject(listenError(i, hostname, port, err))),
    };
  }
  throw cannotListen(i, "it has neither Deno.listen nor node:net");
}

/** The TypeError of a runtime that cannot listen, saying `why`. */
function cannotListen(i: number, why: string): TypeError {
  return new TypeError(
    `${where(i)}: this runtime cannot listen for connections (${why}): edge runtimes such as workerd take requests ` +
      "through a fetch handler, not sockets",
  );
}

/** Why `hostname:port` could not be bound, as one clear Error (the runtime's error is its cause). */
function listenError(i: number, hostname: string, port: number, err: unknown): Error {
  const e = err as { code?: unknown; name?: unknown; message?: unknown };
  const code = typeof e?.code === "string" ? e.code : String(e?.name);
  const reasons: Record<string, string> = {
    EADDRINUSE: "the address is in use (EADDRINUSE)",
    AddrInUse: "the address is in use (EADDRINUSE)",
    EADDRNOTAVAIL: "the address is not one of this machine's (EADDRNOTAVAIL)",
    AddrNotAvailable: "the address is not one of this machine's (EADDRNOTAVAIL)",
    EACCES: "permission denied (EACCES: a port below 1024?)",
    PermissionDenied: "permission denied (EACCES: a port below 1024?)",
    NotCapable: `Deno denied net access (run with --allow-net=${hostname}:${port})`,
    ENOTFOUND: "the host name is unknown (ENOTFOUND)",
  };
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  const reason = reasons[code] ?? String(e?.message ?? err);
  return new Error(`${where(i)}: cannot listen on ${host}:${port}: ${reason}`, { cause: err });
}
