// Rebuilds every guest program (.c with clang-14 for wasm32-wasi, .rs with Debian's rustc for wasm32-wasi, .wat with
// wabt) under tests/guests/ (p1/: the
// wasmtime parity guests), examples/, examples/edge/, examples/http-server/ and bench/guests/.
//
// Usage: node scripts/build_guests.mjs            rebuild the .wasm files in place
//        node scripts/build_guests.mjs --check    rebuild in memory and fail if a committed .wasm differs
//        node scripts/build_guests.mjs [--check] examples/edge/guest.c ...   only these sources

import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DIRS = ["tests/guests", "tests/guests/p1", "examples", "examples/edge", "examples/http-server", "bench/guests"];
const CLANG = "clang-14";
const APT = "apt-get install clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32";
// -ffile-prefix-map: __FILE__ in a guest's messages is repository-relative, so the bytes (and what a test expects a
// failing guest to print) are the same in every checkout.
const CFLAGS = [
  "--target=wasm32-wasi",
  "--sysroot=/usr",
  "-O2",
  "-Wall",
  "-Wextra",
  "-Wl,--strip-all",
  `-ffile-prefix-map=${ROOT}=`,
];
// Debian's rustc (1.63, with libstd-rust-dev-wasm32): a rustup rustc earlier in PATH has no wasm32-wasi target.
const RUSTC = "/usr/bin/rustc";
const RUST_APT = "apt-get install rustc libstd-rust-dev-wasm32";
const RUSTFLAGS = [
  "--edition",
  "2021",
  "--target",
  "wasm32-wasi",
  "-O",
  "-C",
  "strip=symbols",
  `--remap-path-prefix=${ROOT}=`,
];
/** Extra flags per C source (by file name). */
const EXTRA_CFLAGS = {
  "reactor.c": ["-mexec-model=reactor"],
};

const check = process.argv.includes("--check");

function fail(message) {
  console.error(`build_guests: ${message}`);
  process.exit(1);
}

function requireClang() {
  try {
    execFileSync(CLANG, ["--version"], { stdio: "ignore" });
  } catch {
    fail(`${CLANG} was not found on PATH. On Debian/Ubuntu: ${APT}`);
  }
}

function buildC(src, out) {
  const name = src.slice(src.lastIndexOf("/") + 1);
  const args = [...CFLAGS, ...(EXTRA_CFLAGS[name] ?? []), "-o", out, src];
  try {
    execFileSync(CLANG, args, { stdio: ["ignore", "inherit", "inherit"] });
  } catch {
    fail(`${CLANG} ${args.join(" ")} failed (missing sysroot or runtime? ${APT})`);
  }
  return readFileSync(out);
}

function buildRust(src, out) {
  try {
    execFileSync(RUSTC, [...RUSTFLAGS, "-o", out, src], { stdio: ["ignore", "inherit", "inherit"] });
  } catch {
    fail(`${RUSTC} ${[...RUSTFLAGS, "-o", out, src].join(" ")} failed (no rustc or no wasm32-wasi std? ${RUST_APT})`);
  }
  return readFileSync(out);
}

let wabt;
async function buildWat(src) {
  wabt ??= await (await import("wabt")).default();
  const mod = wabt.parseWat(src, readFileSync(src, "utf8"));
  try {
    mod.validate();
    return Buffer.from(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

const only = process.argv.slice(2).filter((a) => !a.startsWith("--")).map((f) => join(ROOT, f));
const sources = DIRS.flatMap((dir) =>
  readdirSync(join(ROOT, dir)).filter((f) => f.endsWith(".c") || f.endsWith(".rs") || f.endsWith(".wat")).sort()
    .map((f) => join(ROOT, dir, f))
).filter((f) => only.length === 0 || only.includes(f));
const unknown = only.filter((f) => !sources.includes(f));
if (unknown.length > 0) fail(`not a guest source under ${DIRS.join(", ")}: ${unknown.join(", ")}`);
if (sources.some((f) => f.endsWith(".c"))) requireClang();

const scratch = mkdtempSync(join(tmpdir(), "build_guests-"));
const stale = [];
try {
  for (const src of sources) {
    const target = src.replace(/\.(c|rs|wat)$/, ".wasm");
    const rel = target.slice(ROOT.length);
    const bytes = src.endsWith(".c")
      ? buildC(src, join(scratch, "out.wasm"))
      : src.endsWith(".rs")
      ? buildRust(src, join(scratch, "out.wasm"))
      : await buildWat(src);
    if (check) {
      let old;
      try {
        old = readFileSync(target);
      } catch {
        old = Buffer.alloc(0);
      }
      if (!old.equals(bytes)) stale.push(rel);
      console.log(`${old.equals(bytes) ? "same " : "DIFF "} ${rel}`);
    } else {
      writeFileSync(target, bytes);
      console.log(`built ${rel} (${bytes.length} bytes)`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (stale.length > 0) fail(`out of date (run node scripts/build_guests.mjs): ${stale.join(", ")}`);
