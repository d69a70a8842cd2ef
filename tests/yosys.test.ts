// A real program with a large read-only tree, unmodified: YoWASP's yosys (npm @yowasp/yosys: a 30 MB wasm32-wasip1
// command and its share/ tree of 317 files, 8.5 MB) synthesizes a counter for iCE40 in async mode, its share/ tree
// from a FetchFs served on 127.0.0.1, its writes (temp files, the netlist) in the overlay's MemoryFs. Then the same
// with a cache smaller than one file, a server failing mid-run, and a manifest that lies.

import { after, before, beforeEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FetchFs, type FetchFsOptions, type MemoryFs, overlay, Wasi } from "../mod.ts";
import { Errno } from "../src/abi/errno.ts";
import { type FileHandle, openFlags } from "../src/fs/types.ts";
import { serveDir, type StaticServer } from "./static_server.ts";
import { COUNTER_V, writeYosysTree, yosysWasmPath } from "../examples/yosys/tree.ts";
import { workspace } from "../examples/yosys/handler.ts";

let dir = "";
let server: StaticServer;
let yosys: WebAssembly.Module;
let tree = { files: 0, bytes: 0 };
const SYNTH = "read_verilog /work/top.v; synth_ice40 -top top; write_json /work/out.json";

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "hostcall-yosys-"));
  tree = await writeYosysTree(dir);
  server = await serveDir(dir);
  yosys = await WebAssembly.compile(readFileSync(yosysWasmPath()));
}, { timeout: 300_000 });
beforeEach(() => {
  server.log.length = 0;
  server.fault = null;
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A file of a MemoryFs as text, or null when missing. */
function fileOf(fs: MemoryFs, path: string): string | null {
  try {
    return new TextDecoder().decode(fs.files.readFile(path));
  } catch {
    return null;
  }
}

/** Runs yosys -p `script` over the served tree (FetchFs with `options`) and an upper MemoryFs holding work/top.v. */
async function runYosys(script: string, options: Partial<FetchFsOptions> = {}, lower?: FetchFs) {
  const fetched = lower ?? await FetchFs.fromUrl(`${server.url}fetchfs.json`, {
    wholeFileMax: 64 << 10,
    blockSize: 64 << 10,
    ...options,
  });
  const upper = workspace(COUNTER_V);
  const wasi = new Wasi({
    async: true,
    args: ["yosys", "-q", "-p", script],
    preopens: { "/": overlay(fetched, upper) },
    stdin: "null",
    stdout: "capture",
    stderr: "capture",
    trace: { scopes: ["fd"], sink: (line) => void (/^fd_read\(.*\) = EIO/.test(line) && failedReads.push(line)) },
  });
  const failedReads: string[] = [];
  const instance = await WebAssembly.instantiate(yosys, wasi.getImportObject() as unknown as WebAssembly.Imports);
  const code = await wasi.startAsync(instance);
  return { code, stdout: wasi.stdoutText(), stderr: wasi.stderrText(), upper, fetched, failedReads };
}

/** The iCE40 cells of the netlist yosys wrote, by type. */
function cellsOf(json: string): Record<string, number> {
  const cells = JSON.parse(json).modules.top.cells as Record<string, { type: string }>;
  const out: Record<string, number> = {};
  for (const c of Object.values(cells)) out[c.type] = (out[c.type] ?? 0) + 1;
  return out;
}

const COUNTER_CELLS = { SB_CARRY: 2, SB_DFF: 4, SB_LUT4: 4 };

describe("yosys from a FetchFs", () => {
  test("synth_ice40 runs unmodified: its netlist lands in the overlay, and only the files it opens are fetched", {
    timeout: 300_000,
  }, async () => {
    const r = await runYosys(SYNTH);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
    assert.deepEqual(cellsOf(fileOf(r.upper, "work/out.json")!), COUNTER_CELLS);
    const paths = [...new Set(server.log.map((l) => l.path))];
    assert.ok(paths.includes("share/ice40/cells_sim.v") && paths.includes("share/techmap.v"), paths.join(" "));
    assert.ok(paths.every((p) => p === "fetchfs.json" || p.startsWith("share/")), paths.join(" "));
    assert.ok(paths.length < 25, `${paths.length} of ${tree.files} files fetched`);
    const s = r.fetched.stats;
    assert.equal(s.failures, 0);
    assert.ok(s.bytes < tree.bytes / 20, `${s.bytes} of ${tree.bytes} bytes fetched`);
    assert.ok(server.log.some((l) => l.range !== ""), "the large cells_sim.v came by Range");
    assert.equal(s.requests, server.log.length - 1, `one request per file or block`);
    assert.equal(fileOf(r.upper, "share/ice40/cells_sim.v"), null, "reading copied nothing up");
  });

  test("with a cache smaller than one file (4 KiB), the same netlist, and the cache never holds more", {
    timeout: 300_000,
  }, async () => {
    const r = await runYosys(SYNTH, { cacheBytes: 4096 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(cellsOf(fileOf(r.upper, "work/out.json")!), COUNTER_CELLS);
    assert.ok(r.fetched.stats.peakCached <= 4096, `peak ${r.fetched.stats.peakCached}`);
  });

  // yosys reads its libraries through C++ streams, which take a read error for the end of the file: it goes on with
  // what it got. What must hold is that the error reached it as EIO, and that the host stays up and runs it again.
  const LIB = "read_verilog -lib +/ice40/cells_sim.v; write_verilog -blackboxes /work/out.v";
  const modulesOf = (v: string) => (v.match(/^module /gm) ?? []).length;

  test(
    "a server failing mid-run (connections reset from the 2nd block of cells_sim.v on): the read is EIO in yosys, the host stays up",
    { timeout: 300_000 },
    async () => {
      const good = await runYosys(LIB);
      assert.equal(good.code, 0, good.stderr);
      assert.deepEqual(good.failedReads, []);
      const all = modulesOf(fileOf(good.upper, "work/out.v")!);
      assert.ok(all >= 50, `${all} cells in the library`);
      let failing = false;
      server.fault = (path, n) => {
        if (path === "share/ice40/cells_sim.v" && n >= 2) failing = true;
        return failing ? "reset" : null;
      };
      const r = await runYosys(LIB);
      assert.ok(r.failedReads.length >= 1, "fd_read answered EIO");
      assert.ok(r.fetched.stats.failures >= 1);
      const got = fileOf(r.upper, "work/out.v")!;
      assert.ok(modulesOf(got) < all, "it read less than the whole library");
      server.fault = null;
      const again = await runYosys(LIB);
      assert.equal(again.code, 0, again.stderr);
      assert.equal(modulesOf(fileOf(again.upper, "work/out.v")!), all);
    },
  );

  test("a manifest that lies (cells_sim.v said to be 1000 bytes longer): EIO reaches yosys; the host stays up", {
    timeout: 300_000,
  }, async () => {
    const m = JSON.parse(readFileSync(join(dir, "fetchfs.json"), "utf8"));
    m.root.entries.share.entries.ice40.entries["cells_sim.v"].size += 1000;
    const liar = new FetchFs({ base: server.url, manifest: m, wholeFileMax: 64 << 10, blockSize: 64 << 10 });
    const h = liar.open("share/ice40/cells_sim.v", openFlags({ read: true })) as FileHandle;
    const buf = new Uint8Array(100);
    assert.equal(await h.read(buf, 150_000), -Errno.IO, "the last block is shorter than the manifest says");
    const r = await runYosys(LIB, {}, liar);
    assert.ok(r.failedReads.length >= 1, "fd_read answered EIO");
    assert.ok(r.fetched.stats.failures >= 1);
  });
});
