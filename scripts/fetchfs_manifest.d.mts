// Types of scripts/fetchfs_manifest.mjs, for TypeScript callers (tests).
import type { FetchFsManifest } from "../src/fs/fetch.ts";

/** The manifest of `dir` (format "hostcall-fetchfs/1"); `skip` is an absolute path left out. */
export function manifestOf(dir: string, options?: { skip?: string }): FetchFsManifest & {
  // deno-lint-ignore no-explicit-any
  root: any;
};
