// The YoWASP yosys program and its share/ tree, from the npm package @yowasp/yosys (a devDependency): where the wasm
// is, and the tree written out as files (with a FetchFs manifest) for a server to serve.

import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The package's gen/ directory (yosys.core.wasm, resources-yosys.js, share/), as `npm install` put it. */
export function yosysGen(): string {
  return fileURLToPath(new URL("../../node_modules/@yowasp/yosys/gen/", import.meta.url));
}

/** The yosys wasm (a wasm32-wasip1 command: 30 MB, 23 preview1 imports). */
export function yosysWasmPath(): string {
  return join(yosysGen(), "yosys.core.wasm");
}

/** A tree as the package ships it: names to contents (text), URLs (the large files) or subtrees. */
type Tree = { [name: string]: string | Uint8Array | URL | Tree };

/**
 * Writes the package's tree (`share/…`, 317 files, 8.5 MB) under `dir`, and the FetchFs manifest of it as
 * `dir/fetchfs.json` (by scripts/fetchfs_manifest.mjs). Returns the number of files and their bytes.
 */
export async function writeYosysTree(dir: string): Promise<{ files: number; bytes: number }> {
  const gen = yosysGen();
  const res = await import(pathToFileURL(join(gen, "resources-yosys.js")).href) as { filesystem: Tree };
  let files = 0, bytes = 0;
  const write = (at: string, tree: Tree) => {
    mkdirSync(at, { recursive: true });
    for (const [name, v] of Object.entries(tree)) {
      const p = join(at, name);
      if (typeof v === "string" || v instanceof Uint8Array || v instanceof URL) {
        const data = v instanceof URL ? readFileSync(v) : v;
        writeFileSync(p, data);
        files++;
        bytes += typeof data === "string" ? new TextEncoder().encode(data).length : data.length;
      } else write(p, v);
    }
  };
  write(dir, res.filesystem);
  // @ts-types="../../scripts/fetchfs_manifest.d.mts"
  const { manifestOf } = await import("../../scripts/fetchfs_manifest.mjs");
  const manifest = join(dir, "fetchfs.json");
  writeFileSync(manifest, JSON.stringify(manifestOf(dir, { skip: manifest })));
  return { files, bytes };
}

/** The design the examples synthesize: a 4-bit counter. */
export const COUNTER_V = "module top(input clk, output reg [3:0] q);\n  always @(posedge clk) q <= q + 1;\nendmodule\n";

/** yosys's argv for synthesizing /work/top.v for iCE40 into /work/out.json. */
export const SYNTH_ARGS = [
  "yosys",
  "-p",
  "read_verilog /work/top.v; synth_ice40 -top top; write_json /work/out.json",
];
