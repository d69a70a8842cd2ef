// Runs the whole test suite on Deno, Bun and Node 26, one after another; fails if any runtime fails.
import { spawnSync } from "node:child_process";
import { bun, deno, need, node } from "./runtimes.mjs";

const runs = [
  ["deno", [need("deno", deno), "test", "-A", "--no-check", "tests/"]],
  ["bun", [need("bun", bun), "test", "tests/"]],
  ["node", [need("node 26", node), "--test", "--test-reporter=spec", "tests/**/*.test.ts"]],
];
const only = process.argv.slice(2);
const failed = [];
for (const [name, [bin, ...args]] of runs) {
  if (only.length > 0 && !only.includes(name)) continue;
  console.log(`\n=== tests on ${name} ===`);
  const r = spawnSync(bin, args, { stdio: "inherit" });
  if (r.status !== 0) failed.push(`${name} (exit ${r.status ?? r.signal})`);
}
if (failed.length > 0) {
  console.error(`\nTests failed on: ${failed.join(", ")}`);
  process.exit(1);
}
