// Starts the yosys example for tests and measurements, from Deno, Bun or Node: writes yosys's tree (from npm) into a
// temp dir, then serves it with workerd (the worker bundled by esbuild, the tree a disk service) or with deno_serve.ts.
// Always on 127.0.0.1 on free ports; stop() ends the process it started and removes the temp dir.

import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type EdgeServer, esbuildPath, serveDeno, serveWorkerd } from "../edge/servers.ts";
import { writeYosysTree, yosysWasmPath } from "./tree.ts";

const HERE = fileURLToPath(new URL(".", import.meta.url));
const START_MS = 60_000;

/** Bundles worker.js into `dir/dist/worker.js` and puts workerd.capnp and yosys.wasm beside it. */
export function bundleYosysWorker(dir: string): string {
  mkdirSync(join(dir, "dist"), { recursive: true });
  const out = join(dir, "dist", "worker.js");
  const args = [join(HERE, "worker.js"), "--bundle", "--format=esm", "--external:./yosys.wasm", `--outfile=${out}`];
  const r = spawnSync(esbuildPath(), [...args, "--log-level=warning"], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`esbuild ${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  copyFileSync(join(HERE, "workerd.capnp"), join(dir, "workerd.capnp"));
  copyFileSync(yosysWasmPath(), join(dir, "yosys.wasm"));
  return out;
}

/** Writes the tree and serves the example with workerd on a free port. */
export async function startYosysWorkerd(): Promise<EdgeServer> {
  const dir = mkdtempSync(join(tmpdir(), "hostcall-yosys-edge-"));
  try {
    bundleYosysWorker(dir);
    await writeYosysTree(join(dir, "tree"));
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return await serveWorkerd(dir, ["http"], [`--directory-path=assets=${join(dir, "tree")}`]);
}

/** Writes the tree and runs deno_serve.ts on it, on port 0. */
export async function startYosysDeno(): Promise<EdgeServer> {
  const dir = mkdtempSync(join(tmpdir(), "hostcall-yosys-deno-"));
  try {
    await writeYosysTree(dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const args = [`--allow-read=${root},${dir}`, "--allow-net=127.0.0.1", join(HERE, "deno_serve.ts"), dir, "0"];
  return await serveDeno(args, () => rmSync(dir, { recursive: true, force: true }), START_MS);
}
