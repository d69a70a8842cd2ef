// Writes the FetchFs manifest (src/fs/fetch.ts, format "hostcall-fetchfs/1") of a host directory.
//
//   node scripts/fetchfs_manifest.mjs <dir> [--out <file>]
//
// Prints the JSON to stdout, or writes it to <file> (a file inside <dir> is left out of the manifest). Directories,
// regular files and symlinks are listed, names sorted; a symlink must be relative and stay inside <dir>, and anything
// else (a socket, a device, a name FetchFs refuses) is an error naming the path (exit 1). Also a module:
// `manifestOf(dir, { skip })` returns the manifest object.

import { lstatSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The manifest of `dir` (an object to JSON.stringify); `skip` is an absolute path left out. Throws naming a problem. */
export function manifestOf(dir, { skip } = {}) {
  const root = resolve(dir);
  const top = lstatSync(root);
  if (!top.isDirectory()) throw new Error(`${dir} is not a directory`);
  const node = (abs, rel, st, depth) => {
    const base = { mtime: Math.floor(st.mtimeMs), mode: st.mode & 0o7777 };
    if (st.isDirectory()) {
      const entries = {};
      for (const name of readdirSync(abs).sort()) {
        const a = join(abs, name);
        if (skip !== undefined && a === skip) continue;
        if (name.includes("\\") || /%(2f|5c|00)/i.test(name)) throw new Error(`${rel}${name}: a name FetchFs refuses`);
        entries[name] = node(a, `${rel}${name}/`, lstatSync(a), depth + 1);
      }
      return { ...base, entries };
    }
    if (st.isFile()) return { ...base, size: st.size };
    if (st.isSymbolicLink()) {
      const target = readlinkSync(abs);
      let d = depth - 1, climbs = false; // depth of the link's directory, then of each step of the target
      for (const c of target.split("/")) {
        d += c === ".." ? -1 : c === "" || c === "." ? 0 : 1;
        if (d < 0) climbs = true;
      }
      if (target.startsWith("/") || climbs || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(target)) {
        throw new Error(`${rel.slice(0, -1)}: the symlink's target ${JSON.stringify(target)} leaves the tree`);
      }
      return { mtime: base.mtime, link: target };
    }
    throw new Error(`${rel.slice(0, -1)}: not a file, directory or symlink`);
  };
  return { format: "hostcall-fetchfs/1", root: node(root, "", top, 0) };
}

function main(argv) {
  const args = [...argv];
  let out;
  const i = args.indexOf("--out");
  if (i >= 0) {
    out = args[i + 1];
    args.splice(i, 2);
  }
  if (args.length !== 1 || out === "") {
    process.stderr.write("usage: node scripts/fetchfs_manifest.mjs <dir> [--out <file>]\n");
    return 2;
  }
  let manifest;
  try {
    manifest = manifestOf(args[0], { skip: out === undefined ? undefined : resolve(out) });
  } catch (err) {
    process.stderr.write(`fetchfs_manifest: ${err.message}\n`);
    return 1;
  }
  const text = JSON.stringify(manifest) + "\n";
  if (out === undefined) process.stdout.write(text);
  else writeFileSync(out, text);
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
