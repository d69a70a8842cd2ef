// FetchFs: a read-only tree described by a JSON manifest whose file bytes are fetched on first read (async seam).

import { Errno } from "../abi/errno.ts";
import { Filetype, Whence } from "../abi/consts.ts";
import type { AsyncFileHandle, AsyncFileSystem, DirentSink, IoResult, MaybeAsync, OpenFlags, Stat } from "./types.ts";

/**
 * The manifest of a `FetchFs`: the whole tree, with no file bytes. `scripts/fetchfs_manifest.mjs <dir>` writes it for a
 * host directory. A node is a directory (`entries`), a file (`size`) or a symlink (`link`); `mtime` is in ms since the
 * epoch (default 0) and `mode` the permission bits (kept for the record: WASI preview1 has no modes).
 *
 * ```json
 * { "format": "hostcall-fetchfs/1",
 *   "root": { "mtime": 1700000000000, "entries": {
 *     "share": { "mode": 493, "entries": { "cells.v": { "size": 153943, "mode": 420 },
 *                                          "latest": { "link": "cells.v" } } } } } }
 * ```
 */
export interface FetchFsManifest {
  /** Always `"hostcall-fetchfs/1"`. */
  format: string;
  /** The tree's root directory. */
  root: ManifestNode;
}

/** One node of a manifest: exactly one of `entries` (a directory), `size` (a file) or `link` (a symlink). */
export interface ManifestNode {
  /** A directory's entries, by name. */
  entries?: Record<string, ManifestNode>;
  /** A file's size in bytes. */
  size?: number;
  /** A symlink's target (relative, staying inside the tree). */
  link?: string;
  /** Last modification, ms since the epoch. */
  mtime?: number;
  /** Permission bits (0 to 0o7777). */
  mode?: number;
}

/** Options of `new FetchFs()`. */
export interface FetchFsOptions {
  /** The tree's base URL: the file `a/b c` is fetched from `base` + `a/b%20c`. */
  base: string | URL;
  /** The manifest, parsed or as JSON text; checked at construction (a `TypeError` names what is wrong). */
  manifest: FetchFsManifest | string;
  /** How to fetch (a service binding's `fetch` at the edge); default the global `fetch`. */
  fetch?: (request: Request) => Promise<Response>;
  /** Most bytes of file data kept in memory (least recently used evicted first). Default 32 MiB. */
  cacheBytes?: number;
  /** Files up to this size are fetched whole in one request; larger ones by `Range` in blocks. Default 256 KiB. */
  wholeFileMax?: number;
  /** The block of a `Range` request into a large file. Default 256 KiB. */
  blockSize?: number;
  /** A request (headers and body) taking longer fails (EIO). Default 30 s. */
  timeoutMs?: number;
  /** Headers sent with every request (an authorization, say). */
  headers?: Record<string, string>;
}

/** What a `FetchFs` has done so far. */
export interface FetchFsStats {
  /** Requests made (one per file or run of blocks fetched). */
  requests: number;
  /** Requests sent again after a network error (at most once each). */
  retries: number;
  /** Body bytes received. */
  bytes: number;
  /** Requests that failed (the read answered an errno). */
  failures: number;
  /** Bytes in the cache now. */
  cached: number;
  /** The most bytes the cache ever held. */
  peakCached: number;
}

const FORMAT = "hostcall-fetchfs/1";
/** Most nodes one manifest may hold. */
const MAX_NODES = 1_000_000;
const NAME_MAX = 255;
const PATH_MAX = 4096;
const MAX_SYMLINKS = 40;
const utf8 = new TextEncoder();
/** Each FetchFs is its own device (away from MemoryFs's small numbers). */
let nextDev = 0x4645_0000n;

/** One node of the tree, as loaded. */
interface Node {
  ino: bigint;
  type: Filetype;
  size: number;
  mtimNs: bigint;
  nlink: bigint;
  /** A symlink's target. */
  target: string;
  /** A directory's entry names, in manifest order, and their nodes. */
  names: string[] | null;
  kids: Node[] | null;
  /** A file's URL, made at its first fetch. */
  url: string;
  /** A file's path in the tree. */
  path: string;
}

/** Decodes %XX escapes as a server might, to see what a name would turn into ("" when it is not valid). */
function decoded(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

/** Why `name` cannot be an entry name, or "" when it can. */
function badName(name: string): string {
  if (name === "" || name === "." || name === "..") return "is empty, . or ..";
  if (/[/\\\0]/.test(name)) return 'holds "/", "\\" or NUL';
  const d = decoded(name);
  if (d === "." || d === ".." || /[/\\\0]/.test(d)) return "decodes to a slash, a backslash, NUL, . or ..";
  if (utf8.encode(name).length > NAME_MAX) return "is longer than 255 bytes";
  return "";
}

/** Why `target` (a symlink at `dir`/…) cannot be, or "": relative, inside the tree, no URL of its own. */
function badTarget(target: string, depthOfDir: number): string {
  if (typeof target !== "string" || target === "") return "is not a non-empty string";
  if (utf8.encode(target).length >= PATH_MAX) return "is 4096 bytes or more";
  if (target.charCodeAt(0) === 0x2f) return 'is absolute (or "//host")';
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(target)) return "is a URL";
  if (/[\\\0]/.test(target) || /[\\\0]/.test(decoded(target)) || /%2f/i.test(target)) {
    return "holds a backslash, NUL or an encoded slash";
  }
  let depth = depthOfDir;
  for (const c of target.split("/")) {
    if (c === "..") {
      if (--depth < 0) return "climbs out of the tree";
    } else if (c !== "" && c !== ".") depth++;
  }
  return "";
}

/**
 * A read-only filesystem over `fetch`: the tree (names, types, sizes, times, symlinks) comes from a manifest, so
 * `stat`, `readdir` and path walks make no request; a file's bytes are fetched on its first read (whole when small,
 * by `Range` blocks when large), kept in memory up to `cacheBytes` (least recently used evicted), and two reads wanting
 * the same bytes share one request. A failed request is an errno for the read (404 → ENOENT; a network error, a
 * timeout, any other status, a body shorter or longer than the manifest says → EIO), never a throw. Every URL is the
 * base URL plus the entry's names percent-encoded one by one: nothing leaves the base. Async: needs
 * `new Wasi({ async: true })`. See decisions.md#fetchfs.
 *
 * @example Run a program over a tree served next to it, its writes in memory
 * ```ts
 * import { FetchFs, MemoryFs, overlay, Wasi } from "@hostcall/wasi";
 * const tree = await FetchFs.fromUrl("https://example.com/tree/fetchfs.json");
 * const wasi = new Wasi({ async: true, args: ["app"], preopens: { "/": overlay(tree, new MemoryFs()) } });
 * ```
 */
export class FetchFs implements AsyncFileSystem {
  /** Marks the async seam. */
  readonly async = true as const;
  readonly #base: string;
  readonly #nodes = new Map<string, Node>();
  readonly #dev = nextDev++;
  readonly #fetch: (request: Request) => Promise<Response>;
  readonly #budget: number;
  readonly #whole: number;
  readonly #block: number;
  readonly #timeout: number;
  readonly #headers: Record<string, string>;
  /** Cached blocks by `ino:block`, least recently used first. */
  readonly #cache = new Map<string, Uint8Array>();
  /** Blocks being fetched, by the same key. */
  readonly #inflight = new Map<string, Promise<Uint8Array | Errno>>();
  readonly #stats: FetchFsStats = { requests: 0, retries: 0, bytes: 0, failures: 0, cached: 0, peakCached: 0 };
  /** What its handles use of it. */
  readonly #ops: Ops = {
    fill: (node, out) => this.#fill(node, out),
    readAt: (node, dst, at, n) => this.#readAt(node, dst, at, n),
  };

  /** Checks the options and the manifest (a `TypeError` names the first problem). */
  constructor(options: FetchFsOptions) {
    if (options === null || typeof options !== "object") throw new TypeError("FetchFs options must be an object");
    let base: URL;
    try {
      base = new URL(String(options.base));
    } catch {
      throw new TypeError(`FetchFs: base ${JSON.stringify(String(options.base))} is not an absolute URL`);
    }
    if (base.search !== "" || base.hash !== "") throw new TypeError("FetchFs: base must have no query or fragment");
    this.#base = base.href.endsWith("/") ? base.href : base.href + "/";
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== "function") throw new TypeError("FetchFs: no fetch function (pass options.fetch)");
    this.#fetch = options.fetch ?? ((r: Request) => globalThis.fetch(r));
    const num = (v: unknown, name: string, dflt: number): number => {
      if (v === undefined) return dflt;
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
        throw new TypeError(`FetchFs: ${name} must be a non-negative integer`);
      }
      return v;
    };
    this.#budget = num(options.cacheBytes, "cacheBytes", 32 << 20);
    this.#whole = num(options.wholeFileMax, "wholeFileMax", 256 << 10);
    // A block never larger than the cache (so a small budget still caches), nor smaller than 4 KiB.
    this.#block = Math.max(4096, Math.min(num(options.blockSize, "blockSize", 256 << 10), this.#budget));
    this.#timeout = num(options.timeoutMs, "timeoutMs", 30_000) || 30_000;
    this.#headers = { ...options.headers };
    this.#load(typeof options.manifest === "string" ? parseJson(options.manifest) : options.manifest);
  }

  /**
   * Fetches the manifest at `manifestUrl` (a `TypeError` when it cannot be had or is not valid) and returns the
   * FetchFs over it; the base URL defaults to the manifest's directory.
   */
  static async fromUrl(manifestUrl: string | URL, options: Partial<FetchFsOptions> = {}): Promise<FetchFs> {
    const url = new URL(String(manifestUrl));
    const f = options.fetch ?? ((r: Request) => globalThis.fetch(r));
    const res = await f(
      new Request(url, { headers: options.headers, signal: AbortSignal.timeout(options.timeoutMs ?? 30_000) }),
    );
    if (!res.ok) throw new TypeError(`FetchFs: the manifest at ${url} answered ${res.status}`);
    return new FetchFs({ ...options, base: options.base ?? new URL(".", url), manifest: await res.text() });
  }

  /** Requests, bytes and cache use so far (a copy). */
  get stats(): FetchFsStats {
    return { ...this.#stats };
  }

  open(path: string, flags: OpenFlags): AsyncFileHandle | Errno {
    const node = this.#find(path);
    if (typeof node === "number") {
      return flags.create && node === Errno.NOENT && this.#parentOk(path) ? Errno.ROFS : node;
    }
    if (flags.create && flags.exclusive) return Errno.EXIST;
    if (node.type === Filetype.SYMBOLIC_LINK) return Errno.LOOP; // never followed by open (the seam)
    if (node.type === Filetype.DIRECTORY) {
      if (flags.write || flags.truncate || flags.append) return Errno.ISDIR;
    } else if (flags.directory) return Errno.NOTDIR;
    if (flags.write || flags.truncate || flags.append) return Errno.ROFS;
    return new FetchHandle(this.#ops, node);
  }

  stat(path: string, out: Stat, follow: boolean): Errno {
    let node = this.#find(path);
    for (let hops = 0; follow && typeof node !== "number" && node.type === Filetype.SYMBOLIC_LINK; hops++) {
      if (hops >= MAX_SYMLINKS) return Errno.LOOP;
      node = this.#find(join(node.path, node.target));
    }
    if (typeof node === "number") return node;
    this.#fill(node, out);
    return Errno.SUCCESS;
  }

  mkdir(path: string): Errno {
    return this.#refuse(path);
  }

  rmdir(path: string): Errno {
    return this.#refuse(path);
  }

  unlink(path: string): Errno {
    return this.#refuse(path);
  }

  rename(from: string, _to: string): Errno {
    return this.#refuse(from);
  }

  link(from: string, _to: string): Errno {
    return this.#refuse(from);
  }

  symlink(_target: string, path: string): Errno {
    return this.#parentOk(path) ? Errno.ROFS : this.#refuse(path);
  }

  readlink(path: string): string | Errno {
    const node = this.#find(path);
    if (typeof node === "number") return node;
    return node.type === Filetype.SYMBOLIC_LINK ? node.target : Errno.INVAL;
  }

  utimes(path: string, _atimNs: bigint | null, _mtimNs: bigint | null, _follow: boolean): Errno {
    return this.#refuse(path);
  }

  /** Fills `out` from a node. */
  #fill(node: Node, out: Stat): void {
    out.dev = this.#dev;
    out.ino = node.ino;
    out.filetype = node.type;
    out.nlink = node.nlink;
    out.size = node.type === Filetype.DIRECTORY ? 0 : node.size;
    out.atimNs = out.mtimNs = out.ctimNs = node.mtimNs;
  }

  /**
   * Reads `n` bytes of `node` at `at` into `dst`: at once from the cache, or a promise once the missing blocks came
   * (they are read from what was fetched, so this works with a cache smaller than one block).
   */
  #readAt(node: Node, dst: Uint8Array, at: number, n: number): MaybeAsync<IoResult> {
    const blk = this.#blockOf(node), first = Math.floor(at / blk), last = Math.floor((at + n - 1) / blk);
    let hit = true;
    for (let b = first; b <= last && hit; b++) hit = this.#cache.has(`${node.ino}:${b}`);
    if (hit) {
      const blocks: Uint8Array[] = [];
      for (let b = first; b <= last; b++) blocks.push(this.#touch(`${node.ino}:${b}`));
      return copyOut(blocks, first * blk, blk, dst, at, n);
    }
    return this.#blocks(node, blk, first, last).then((blocks) =>
      typeof blocks === "number" ? -blocks : copyOut(blocks, first * blk, blk, dst, at, n)
    );
  }

  /** The block size of `node`: the whole file when it is small (and fits the cache), else the block. */
  #blockOf(node: Node): number {
    return node.size <= this.#whole && node.size <= this.#budget ? Math.max(node.size, 1) : this.#block;
  }

  /** Blocks `first`..`last` of `node`: cached, shared with a request in flight, or fetched (one request per run). */
  async #blocks(node: Node, blk: number, first: number, last: number): Promise<Uint8Array[] | Errno> {
    const parts: (Uint8Array | Promise<Uint8Array | Errno>)[] = [];
    let runStart = -1;
    const flush = (end: number) => { // blocks runStart..end-1 are missing: one request for all of them
      const from = runStart;
      if (from < 0) return;
      runStart = -1;
      const span = this.#fetchSpan(node, blk, from, end - 1);
      for (let b = from; b < end; b++) {
        const one = from === end - 1
          ? span
          : span.then((r) => (typeof r === "number" ? r : r.slice((b - from) * blk, (b - from + 1) * blk)));
        const key = `${node.ino}:${b}`;
        const settled = one.then((r) => {
          this.#inflight.delete(key);
          if (typeof r !== "number") this.#put(key, r);
          return r;
        });
        this.#inflight.set(key, settled);
        parts[b - first] = settled;
      }
    };
    for (let b = first; b <= last; b++) {
      const key = `${node.ino}:${b}`;
      const have = this.#cache.has(key) ? this.#touch(key) : this.#inflight.get(key);
      if (have !== undefined) {
        flush(b);
        parts[b - first] = have;
      } else if (runStart < 0) runStart = b;
    }
    flush(last + 1);
    const got = await Promise.all(parts);
    for (const g of got) if (typeof g === "number") return g;
    return got as Uint8Array[];
  }

  /** One request for blocks `first`..`last` of `node` (the whole file when that is one block). */
  async #fetchSpan(node: Node, blk: number, first: number, last: number): Promise<Uint8Array | Errno> {
    const start = first * blk, end = Math.min((last + 1) * blk, node.size);
    const whole = start === 0 && end === node.size;
    const r = await this.#get(node, start, end, whole);
    if (typeof r === "number") this.#stats.failures++;
    return r;
  }

  /** GETs bytes `start`..`end` (exclusive) of `node`: the whole file, or a `Range`. An errno on any failure. */
  async #get(node: Node, start: number, end: number, whole: boolean): Promise<Uint8Array | Errno> {
    const url = node.url ||= this.#urlOf(node.path);
    if (url === "") return Errno.IO;
    const headers = new Headers(this.#headers);
    if (!whole) headers.set("range", `bytes=${start}-${end - 1}`);
    let res: Response | undefined;
    this.#stats.requests++;
    for (let attempt = 0; res === undefined; attempt++) {
      if (attempt > 0) this.#stats.retries++;
      const signal = AbortSignal.timeout(this.#timeout);
      try {
        // "manual": a redirect is a failure, never a request elsewhere.
        res = await this.#fetch(new Request(url, { headers, redirect: "manual", signal }));
      } catch {
        // Refused, reset or timed out. A kept-alive connection the server closed meanwhile fails a request that never
        // reached it: such a GET is tried once more (decisions.md#fetchfs), a timeout is not.
        if (signal.aborted || attempt > 0) return Errno.IO;
      }
    }
    let from = 0; // where the body starts in the file
    if (res.status === 206 && !whole) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get("content-range") ?? "");
      if (m === null || Number(m[1]) !== start || Number(m[2]) !== end - 1 || (m[3] !== "*" && +m[3] !== node.size)) {
        return drop(res, Errno.IO);
      }
      from = start;
    } else if (res.status !== 200) {
      return drop(res, res.status === 404 || res.status === 410 ? Errno.NOENT : Errno.IO);
    }
    const body = await this.#body(res, res.status === 200 ? node.size : end - start);
    if (typeof body === "number") return body;
    return from === 0 && !whole && res.status === 200 ? body.slice(start, end) : body; // a server ignoring Range
  }

  /** Exactly `expected` body bytes, or EIO when the body is shorter or longer (it is not read past that). */
  async #body(res: Response, expected: number): Promise<Uint8Array | Errno> {
    const out = new Uint8Array(expected);
    if (res.body === null) return expected === 0 ? out : Errno.IO;
    const reader = res.body.getReader();
    let at = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        this.#stats.bytes += value.length;
        if (at + value.length > expected) {
          reader.cancel().catch(() => {});
          return Errno.IO; // longer than the manifest says
        }
        out.set(value, at);
        at += value.length;
      }
    } catch {
      return Errno.IO; // the connection failed, or the timeout hit, mid-body
    }
    return at === expected ? out : Errno.IO;
  }

  /** The URL of a file: the base plus each name percent-encoded; "" if it would not stay under the base. */
  #urlOf(path: string): string {
    const url = this.#base + path.split("/").map(encodeURIComponent).join("/");
    const u = new URL(url);
    return u.href === url && url.startsWith(this.#base) ? url : "";
  }

  /** A cached block, made the most recently used. */
  #touch(key: string): Uint8Array {
    const b = this.#cache.get(key)!;
    this.#cache.delete(key);
    this.#cache.set(key, b);
    return b;
  }

  /** Caches a block, evicting the least recently used ones; a block larger than the budget is not kept. */
  #put(key: string, bytes: Uint8Array): void {
    if (bytes.length > this.#budget || this.#cache.has(key)) return;
    const s = this.#stats;
    for (const [k, v] of this.#cache) {
      if (s.cached + bytes.length <= this.#budget) break;
      this.#cache.delete(k);
      s.cached -= v.length;
    }
    this.#cache.set(key, bytes);
    s.cached += bytes.length;
    if (s.cached > s.peakCached) s.peakCached = s.cached;
  }

  /** The node at `path`: NOENT when missing, NOTDIR when a parent is not a directory. No symlink is followed. */
  #find(path: string): Node | Errno {
    const node = this.#nodes.get(path);
    if (node !== undefined) return node;
    // Why not: the deepest existing prefix tells NOENT from NOTDIR.
    let p = path;
    for (let i = p.lastIndexOf("/"); i > 0; i = p.lastIndexOf("/")) {
      p = p.slice(0, i);
      const up = this.#nodes.get(p);
      if (up !== undefined) return up.type === Filetype.DIRECTORY ? Errno.NOENT : Errno.NOTDIR;
    }
    return Errno.NOENT;
  }

  /** A mutation at `path`: ROFS when its parent exists as a directory, else what the walk says. */
  #refuse(path: string): Errno {
    const node = this.#find(path);
    if (typeof node !== "number") return Errno.ROFS;
    return this.#parentOk(path) ? Errno.ROFS : node;
  }

  #parentOk(path: string): boolean {
    const i = path.lastIndexOf("/");
    const parent = i < 0 ? this.#nodes.get("") : this.#nodes.get(path.slice(0, i));
    return parent !== undefined && parent.type === Filetype.DIRECTORY;
  }

  /** Checks and loads the manifest: every name, target, size and time, iteratively (no recursion limit to hit). */
  #load(m: unknown): void {
    const bad = (where: string, why: string): never => {
      throw new TypeError(`FetchFs manifest: ${where === "" ? "the root" : JSON.stringify(where)} ${why}`);
    };
    if (m === null || typeof m !== "object" || (m as FetchFsManifest).format !== FORMAT) {
      bad("", `must be an object with format "${FORMAT}"`);
    }
    let ino = 0n;
    const todo: [ManifestNode, string, Node | null][] = [[(m as FetchFsManifest).root, "", null]];
    while (todo.length > 0) {
      const [raw, path, parent] = todo.pop()!;
      if (this.#nodes.size >= MAX_NODES) bad("", `has more than ${MAX_NODES} nodes`);
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) bad(path, "is not an object");
      const kinds = ["entries", "size", "link"].filter((k) => (raw as Record<string, unknown>)[k] !== undefined);
      if (kinds.length !== 1) bad(path, "must have exactly one of entries, size or link");
      const { mtime = 0, mode = 0 } = raw;
      if (typeof mtime !== "number" || !Number.isFinite(mtime) || mtime < 0 || mtime > 8.64e15) {
        bad(path, "has an mtime that is not a time in ms");
      }
      if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) bad(path, "has a mode outside 0 to 0o7777");
      const node: Node = {
        ino: ++ino,
        type: Filetype.REGULAR_FILE,
        size: 0,
        mtimNs: BigInt(Math.round(mtime * 1e3)) * 1000n,
        nlink: 1n,
        target: "",
        names: null,
        kids: null,
        url: "",
        path,
      };
      this.#nodes.set(path, node);
      if (parent !== null) {
        parent.names!.push(path.slice(path.lastIndexOf("/") + 1));
        parent.kids!.push(node);
      }
      if (raw.entries !== undefined) {
        const entries = raw.entries;
        if (entries === null || typeof entries !== "object" || Array.isArray(entries)) {
          bad(path, "entries is not an object");
        }
        node.type = Filetype.DIRECTORY;
        node.names = [];
        node.kids = [];
        node.nlink = 2n;
        const names = Object.keys(entries);
        for (let i = names.length - 1; i >= 0; i--) { // reversed onto the stack: listed in manifest order
          const name = names[i];
          const why = badName(name);
          if (why !== "") bad(path === "" ? name : `${path}/${name}`, `is not a valid name: it ${why}`);
          const child = path === "" ? name : `${path}/${name}`;
          if (utf8.encode(child).length >= PATH_MAX) bad(child, "is a path of 4096 bytes or more");
          const kid = entries[name];
          if (kid !== null && typeof kid === "object" && kid.entries !== undefined) node.nlink++;
          todo.push([kid, child, node]);
        }
      } else if (raw.size !== undefined) {
        if (typeof raw.size !== "number" || !Number.isSafeInteger(raw.size) || raw.size < 0) {
          bad(path, "has a size that is not a non-negative integer");
        }
        node.size = raw.size;
      } else {
        const why = badTarget(
          raw.link as string,
          parent === null || parent.path === "" ? 0 : parent.path.split("/").length,
        );
        if (why !== "") bad(path, `is a symlink whose target ${why}`);
        node.type = Filetype.SYMBOLIC_LINK;
        node.target = raw.link!;
        node.size = utf8.encode(node.target).length;
      }
    }
    if (this.#nodes.get("")!.type !== Filetype.DIRECTORY) bad("", "must be a directory");
  }
}

/** The bytes of `n` at `at` from consecutive blocks starting at file offset `base`, into `dst`. */
function copyOut(blocks: Uint8Array[], base: number, blk: number, dst: Uint8Array, at: number, n: number): number {
  let done = 0;
  for (let i = 0; i < blocks.length && done < n; i++) {
    const b = blocks[i], from = at + done - (base + i * blk);
    const k = Math.min(n - done, b.length - from);
    if (k <= 0) return -Errno.IO; // a block shorter than the manifest says
    dst.set(b.subarray(from, from + k), done);
    done += k;
  }
  return done;
}

/** The path of `target` read from the symlink at `linkPath` (lexically; the manifest keeps targets inside). */
function join(linkPath: string, target: string): string {
  const parts = linkPath.split("/");
  parts.pop();
  for (const c of target.split("/")) {
    if (c === "..") parts.pop();
    else if (c !== "" && c !== ".") parts.push(c);
  }
  return parts.join("/");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new TypeError(`FetchFs manifest: not JSON (${(err as Error).message})`);
  }
}

/** Releases a response's body and answers `e`. */
function drop(res: Response, e: Errno): Errno {
  res.body?.cancel().catch(() => {});
  return e;
}

/** The FetchFs's methods its handles call. */
interface Ops {
  fill(node: Node, out: Stat): void;
  readAt(node: Node, dst: Uint8Array, at: number, n: number): MaybeAsync<IoResult>;
}

/** An open file or directory of a FetchFs. Reads may answer a promise (the bytes are fetched). */
class FetchHandle implements AsyncFileHandle {
  readonly #fs: Ops;
  readonly #node: Node;
  #pos = 0;
  #closed = false;

  constructor(fs: Ops, node: Node) {
    this.#fs = fs;
    this.#node = node;
  }

  read(dst: Uint8Array, pos?: number): MaybeAsync<IoResult> {
    const node = this.#node;
    if (this.#closed) return -Errno.BADF;
    if (node.type === Filetype.DIRECTORY) return -Errno.ISDIR;
    const at = pos ?? this.#pos;
    if (at < 0) return -Errno.INVAL;
    if (at >= node.size || dst.length === 0) return 0;
    const n = Math.min(dst.length, node.size - at);
    const r = this.#fs.readAt(node, dst, at, n);
    if (pos !== undefined) return r;
    if (typeof r === "number") {
      if (r > 0) this.#pos = at + r;
      return r;
    }
    return r.then((k) => {
      if (k > 0) this.#pos = at + k;
      return k;
    });
  }

  write(_src: Uint8Array, _pos?: number): IoResult {
    if (this.#closed) return -Errno.BADF;
    return this.#node.type === Filetype.DIRECTORY ? -Errno.ISDIR : -Errno.BADF; // opened read-only: never for writing
  }

  seek(offset: number, whence: Whence): IoResult {
    if (this.#closed) return -Errno.BADF;
    const base = whence === Whence.SET
      ? 0
      : whence === Whence.CUR
      ? this.#pos
      : whence === Whence.END
      ? (this.#node.type === Filetype.DIRECTORY ? 0 : this.#node.size)
      : -1;
    if (base < 0) return -Errno.INVAL;
    const to = base + offset;
    if (to < 0 || to > Number.MAX_SAFE_INTEGER) return -Errno.INVAL;
    this.#pos = to;
    return to;
  }

  stat(out: Stat): Errno {
    if (this.#closed) return Errno.BADF;
    this.#fs.fill(this.#node, out);
    return Errno.SUCCESS;
  }

  truncate(_size: number): Errno {
    return this.#closed ? Errno.BADF : Errno.INVAL; // Linux ftruncate on a read-only descriptor
  }

  sync(): Errno {
    return this.#closed ? Errno.BADF : Errno.SUCCESS;
  }

  datasync(): Errno {
    return this.#closed ? Errno.BADF : Errno.SUCCESS;
  }

  close(): Errno {
    if (this.#closed) return Errno.BADF;
    this.#closed = true;
    return Errno.SUCCESS;
  }

  readdir(cookie: bigint, out: DirentSink): Errno {
    if (this.#closed) return Errno.BADF;
    const { names, kids } = this.#node;
    if (names === null || kids === null) return Errno.NOTDIR;
    for (let i = cookie < BigInt(names.length) ? Number(cookie) : names.length; i < names.length; i++) {
      if (!out(names[i], kids[i].type, kids[i].ino)) break;
    }
    return Errno.SUCCESS;
  }

  setAppend(on: boolean): Errno {
    if (this.#closed) return Errno.BADF;
    return on ? Errno.ROFS : Errno.SUCCESS;
  }

  utimes(_atimNs: bigint | null, _mtimNs: bigint | null): Errno {
    return this.#closed ? Errno.BADF : Errno.ROFS;
  }
}
