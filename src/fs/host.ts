// The backend for a host directory, picked by feature detection: Deno's APIs on Deno, node:fs elsewhere.

import { Errno } from "../abi/errno.ts";
import { Filetype } from "../abi/consts.ts";
import { type FileSystem, newStat } from "./types.ts";
import { DenoFs } from "./deno.ts";
import { NodeFs } from "./node.ts";
import type { HostFsOptions } from "./denial.ts";

/**
 * A backend rooted at host directory `root`: `DenoFs` (permission-aware `Deno.*` APIs) on Deno,
 * `NodeFs` (node:fs) on Bun and Node. Neither module touches its runtime until constructed. Throws
 * a `TypeError` when `root` does not exist or is not a directory, or the runtime has no filesystem. `onDenied` is
 * told of each call the runtime's permissions refuse.
 *
 * @example Preopen a host directory read-only
 * ```ts
 * import { hostFs, readOnly, Wasi } from "@hostcall/wasi";
 * const wasi = new Wasi({ preopens: { "/data": readOnly(hostFs("./data")) } });
 * ```
 */
export function hostFs(root: string, options: HostFsOptions = {}): FileSystem {
  // deno-lint-ignore no-explicit-any
  const g = globalThis as any;
  let fs: FileSystem;
  if (typeof g.Deno?.openSync === "function") fs = new DenoFs(root, options);
  else if (typeof g.process?.getBuiltinModule === "function") fs = new NodeFs(root, options);
  else throw new TypeError(`no host filesystem in this runtime for ${JSON.stringify(root)}: use a MemoryFs`);
  const st = newStat();
  const e = fs.stat("", st, true);
  if (e === Errno.NOENT) throw new TypeError(`${JSON.stringify(root)} does not exist`);
  if (e === Errno.SUCCESS && st.filetype !== Filetype.DIRECTORY) {
    throw new TypeError(`${JSON.stringify(root)} is not a directory`);
  }
  return fs; // another failure (a permission denial) surfaces as an errno when the guest looks
}
