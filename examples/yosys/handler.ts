// The yosys edge example's request handler, shared by the workerd worker (worker.js) and Deno.serve (deno_serve.ts):
// synthesizes the Verilog in the request body with YoWASP's yosys, its share/ tree fetched on demand from the same
// origin's static assets (/tree/), its writes in memory.

import { FetchFs, MemoryFs, overlay, Wasi } from "../../mod.ts";

/** What the handler needs from its server. */
export interface YosysEnv {
  /** The compiled yosys (a module binding at the edge: compiling 30 MB in a request is refused there). */
  yosys: WebAssembly.Module;
  /** Serves a request for the static tree (its path under `/tree/`); default: `fetch` to this origin. */
  assets?: (request: Request) => Promise<Response>;
}

/** The JSON answer of `/synth`. */
export interface SynthAnswer {
  /** yosys's exit code. */
  exitCode: number;
  /** The cells of the netlist, by type (empty when yosys wrote none). */
  cells: Record<string, number>;
  /** What yosys printed on stderr (its errors). */
  stderr: string;
  /** What this request fetched of the tree: requests made and bytes received (a warm isolate fetches nothing). */
  fetched: { requests: number; bytes: number };
}

/** One FetchFs per tree URL and isolate: its cache serves the requests that follow. */
const trees = new Map<string, Promise<FetchFs>>();

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const TARGETS = new Set(["ice40", "ecp5", "gowin", "xilinx", "nexus", ""]);

/**
 * Answers one request:
 * - `GET /health`: `ok`.
 * - `GET /tree/…`: the static tree (share/ and its manifest fetchfs.json), Range requests included.
 * - `POST /synth?top=top&target=ice40`: runs `yosys -p "read_verilog; synth_<target> -top <top>; write_json"` on the
 *   body, and answers a `SynthAnswer`.
 *
 * @example
 * ```ts
 * import { handle } from "./handler.ts";
 * const yosys = await WebAssembly.compile(await Deno.readFile("node_modules/@yowasp/yosys/gen/yosys.core.wasm"));
 * const res = await handle(new Request("http://127.0.0.1:8000/synth", { method: "POST", body: "module top; endmodule" }), { yosys });
 * ```
 */
/** The writable layer yosys works in: `/work/top.v` holding `source`, and an empty `/tmp`. */
export function workspace(source: Uint8Array | string): MemoryFs {
  const upper = new MemoryFs();
  upper.files.writeFile("/work/top.v", source);
  upper.files.mkdir("/tmp");
  return upper;
}

export async function handle(req: Request, env: YosysEnv): Promise<Response> {
  const url = new URL(req.url);
  if (url.pathname === "/health") return new Response("ok\n");
  const assets = env.assets ?? ((r: Request) => fetch(r));
  if (url.pathname.startsWith("/tree/")) return await assets(req);
  if (url.pathname !== "/synth" || req.method !== "POST") return new Response("not found\n", { status: 404 });
  const top = url.searchParams.get("top") ?? "top", target = url.searchParams.get("target") ?? "ice40";
  if (!NAME.test(top) || !TARGETS.has(target)) return new Response("bad top or target\n", { status: 400 });

  const base = new URL("/tree/", url).href;
  let pending = trees.get(base);
  if (pending === undefined) {
    trees.set(base, pending = FetchFs.fromUrl(`${base}fetchfs.json`, { fetch: assets, cacheBytes: 16 << 20 }));
    pending.catch(() => trees.delete(base)); // a failed manifest is fetched again by the next request
  }
  const tree = await pending;
  const before = tree.stats;

  const upper = workspace(new Uint8Array(await req.arrayBuffer()));
  const wasi = new Wasi({
    async: true,
    args: ["yosys", "-q", "-p", `read_verilog /work/top.v; synth_${target} -top ${top}; write_json /work/out.json`],
    preopens: { "/": overlay(tree, upper) },
    stdin: "null",
    stdout: "capture",
    stderr: "capture",
  });
  const instance = await WebAssembly.instantiate(env.yosys, wasi.getImportObject() as unknown as WebAssembly.Imports);
  const exitCode = await wasi.startAsync(instance);
  const after = tree.stats;
  const answer: SynthAnswer = {
    exitCode,
    cells: cellsOf(upper, top),
    stderr: wasi.stderrText(),
    fetched: { requests: after.requests - before.requests, bytes: after.bytes - before.bytes },
  };
  return Response.json(answer);
}

/** The cells of module `top` in work/out.json by type, or {} when there is none. */
function cellsOf(fs: MemoryFs, top: string): Record<string, number> {
  let bytes: Uint8Array;
  try {
    bytes = fs.files.readFile("/work/out.json");
  } catch {
    return {}; // yosys wrote none (a design error)
  }
  const out: Record<string, number> = {};
  const modules = JSON.parse(new TextDecoder().decode(bytes)).modules as Record<string, { cells: object }>;
  for (const c of Object.values(modules[top]?.cells ?? {}) as { type: string }[]) out[c.type] = (out[c.type] ?? 0) + 1;
  return out;
}
