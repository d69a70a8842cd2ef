// yosys from a FetchFs against yosys from a MemoryFs loaded with the whole tree first: time to first output, total
// time, bytes fetched and peak memory, as ratios. The tree is served on 127.0.0.1 by this process; each measured run
// is a child process of the same runtime (so memory figures start equal), alternating FetchFs and MemoryFs.
//
//   node26 bench/fetchfs.ts [--rounds=N]       (also: deno run -A bench/fetchfs.ts, bun bench/fetchfs.ts)
//
// A run: compile yosys (not timed), then t0; make the tree (FetchFs: fetch the manifest; MemoryFs: fetch every file,
// 8 at a time, into a MemoryFs), run `yosys -p "read_verilog; synth_ice40; write_json"` in async mode over
// overlay(tree, MemoryFs); first output = yosys's first write to stdout (its banner); peak memory = the largest RSS
// seen at any stdout write (yosys logs every pass) and at the end.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { FetchFs, type FetchFsManifest, type ManifestNode, MemoryFs, overlay, Wasi } from "../mod.ts";
import { serveDir } from "../tests/static_server.ts";
import { COUNTER_V, writeYosysTree, yosysWasmPath } from "../examples/yosys/tree.ts";
import { workspace } from "../examples/yosys/handler.ts";

const SCRIPT = "read_verilog /work/top.v; synth_ice40 -top top; write_json /work/out.json";

interface Figures {
  variant: "fetch" | "memory";
  code: number;
  firstOutputMs: number;
  totalMs: number;
  bytesFetched: number;
  requests: number;
  peakRssMiB: number;
  /** Most bytes of the tree held in memory: FetchFs's cache at its peak, or the whole loaded tree. */
  treeHeld: number;
}

/** One measured run in this process (the child side). */
async function child(variant: "fetch" | "memory", url: string): Promise<Figures> {
  const yosys = await WebAssembly.compile(readFileSync(yosysWasmPath()));
  let peak = process.memoryUsage().rss;
  const sample = () => void (peak = Math.max(peak, process.memoryUsage().rss));
  const t0 = performance.now();
  let first = 0;
  let lower: FetchFs | MemoryFs, bytes = 0, requests = 0;
  const fetched = await FetchFs.fromUrl(`${url}fetchfs.json`);
  if (variant === "fetch") lower = fetched;
  else {
    const mem = new MemoryFs();
    const files: string[] = [];
    const walk = (node: ManifestNode, path: string) => {
      if (node.entries !== undefined) {
        if (path !== "") mem.mkdir(path);
        for (const [name, kid] of Object.entries(node.entries)) walk(kid, path === "" ? name : `${path}/${name}`);
      } else if (node.size !== undefined) files.push(path);
    };
    walk(((await (await fetch(`${url}fetchfs.json`)).json()) as FetchFsManifest).root, "");
    requests++;
    for (let i = 0; i < files.length; i += 8) {
      await Promise.all(
        files.slice(i, i + 8).map(async (p) => {
          const data = new Uint8Array(
            await (await fetch(url + p.split("/").map(encodeURIComponent).join("/"))).arrayBuffer(),
          );
          mem.files.writeFile(p, data);
          bytes += data.length;
          requests++;
        }),
      );
    }
    sample();
    lower = mem;
  }
  const upper = workspace(COUNTER_V);
  const wasi = new Wasi({
    async: true,
    args: ["yosys", "-p", SCRIPT],
    preopens: { "/": overlay(lower as FetchFs, upper) },
    stdin: "null",
    stdout: () => {
      if (first === 0) first = performance.now();
      sample();
    },
    stderr: "inherit",
  });
  const instance = await WebAssembly.instantiate(yosys, wasi.getImportObject() as unknown as WebAssembly.Imports);
  const code = await wasi.startAsync(instance);
  const end = performance.now();
  sample();
  if (variant === "fetch") {
    bytes = fetched.stats.bytes;
    requests = fetched.stats.requests + 1; // and the manifest
  }
  return {
    variant,
    code,
    firstOutputMs: first - t0,
    totalMs: end - t0,
    bytesFetched: bytes,
    requests,
    peakRssMiB: peak / 2 ** 20,
    treeHeld: variant === "fetch" ? fetched.stats.peakCached : bytes,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main(): Promise<void> {
  const rounds = Number(process.argv.find((a) => a.startsWith("--rounds="))?.slice(9) ?? 3);
  const dir = mkdtempSync(join(tmpdir(), "hostcall-bench-fetchfs-"));
  const tree = await writeYosysTree(dir);
  const server = await serveDir(dir);
  const self = fileURLToPath(import.meta.url);
  const deno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
  const results: Figures[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      for (const variant of r % 2 === 0 ? ["fetch", "memory"] : ["memory", "fetch"]) {
        const args = [...(deno ? ["run", "-A"] : []), self, `--child=${variant}`, `--url=${server.url}`];
        const out = await run(process.execPath, args); // async: the server the child asks lives in this process
        const f = JSON.parse(out.trim().split("\n").pop()!) as Figures;
        if (f.code !== 0) throw new Error(`yosys exited ${f.code}`);
        results.push(f);
        console.error(JSON.stringify(f));
      }
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const pick = (v: string, k: keyof Figures) =>
    median(results.filter((x) => x.variant === v).map((x) => x[k] as number));
  const row = (k: keyof Figures, label: string, unit: string, digits = 0) => {
    const a = pick("fetch", k), b = pick("memory", k);
    console.log(
      `| ${label} | ${a.toFixed(digits)} ${unit} | ${b.toFixed(digits)} ${unit} | ${(a / b).toFixed(digits ? 3 : 3)} |`,
    );
  };
  const runtime = deno ? "deno" : "Bun" in globalThis ? "bun" : "node";
  console.log(`\nyosys synth_ice40, tree ${tree.files} files / ${tree.bytes} bytes, ${runtime}, median of ${rounds}\n`);
  console.log("| figure | FetchFs | MemoryFs (whole tree first) | FetchFs / MemoryFs |");
  console.log("| --- | ---: | ---: | ---: |");
  row("firstOutputMs", "time to first output", "ms");
  row("totalMs", "total time", "ms");
  row("bytesFetched", "bytes fetched", "B");
  row("requests", "requests", "");
  row("peakRssMiB", "peak RSS", "MiB", 1);
  row("treeHeld", "tree bytes held (peak)", "B");
}

/** Runs `bin args`, collecting its stdout, without blocking this process. */
function run(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(bin, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    c.stdout!.on("data", (d: Uint8Array) => (out += new TextDecoder().decode(d)));
    c.on("error", reject);
    c.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited ${code}`))));
  });
}

const childArg = process.argv.find((a) => a.startsWith("--child="))?.slice(8);
if (childArg === "fetch" || childArg === "memory") {
  const url = process.argv.find((a) => a.startsWith("--url="))!.slice(6);
  console.log(JSON.stringify(await child(childArg, url)));
} else {
  await main();
}
