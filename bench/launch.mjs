// Runs bench/run.ts on Bun or Node 26 from node_modules (npm run bench:bun / bench:node); extra arguments pass on.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { bun, deno, need, node } from "../scripts/runtimes.mjs";

const [which, ...rest] = process.argv.slice(2);
const script = fileURLToPath(new URL("./run.ts", import.meta.url));
const runs = {
  bun: () => [need("bun", bun), script],
  node: () => [need("node 26", node), "--disable-warning=ExperimentalWarning", script],
  deno: () => [need("deno", deno), "run", "-A", script],
};
if (!(which in runs)) {
  console.error("usage: node bench/launch.mjs bun|node|deno [--rounds=N] [--cpu] [--json] [filter...]");
  process.exit(2);
}
const [bin, ...args] = runs[which]();
const r = spawnSync(bin, [...args, ...rest], { stdio: "inherit" });
process.exit(r.status ?? 1);
