// Permission denials (Deno's permissions, Node's permission model) as one shape, for the Wasi's onDenied option and
// the command line: the guest gets EACCES, the host learns what was refused and which flag would grant it.

/** A refusal by the runtime's permission system, told to `onDenied` while the guest gets `EACCES`. */
export interface Denial {
  /** Whose permissions refused: Deno's (`--allow-*`) or Node's permission model (`--allow-fs-*`). */
  runtime: "deno" | "node";
  /** What was refused: `"read"`, `"write"`, or another kind of access the runtime names. */
  access: string;
  /** The host path refused, when the runtime names one. */
  path?: string;
  /** The flag that grants it: `--allow-write=out/x` (Deno), `--allow-fs-write=out/x` (Node); for a path, that path. */
  flag?: string;
  /** The runtime's own error (Deno's `NotCapable`, Node's `ERR_ACCESS_DENIED`). */
  error: Error;
}

/** Told of each denial (see `WasiOptions.onDenied`). */
export type DenialListener = (denial: Denial) => void;

/** Options of a host-directory backend (`hostFs`, `DenoFs`, `NodeFs`). */
export interface HostFsOptions {
  /** Told of each call the runtime's permissions refuse (the guest gets `EACCES`). */
  onDenied?: DenialListener;
}

/** True for a refusal for a missing grant: Deno's `NotCapable`, or Node's `ERR_ACCESS_DENIED`. */
export function isDenial(err: unknown): err is Error {
  return err instanceof Error &&
    (err.name === "NotCapable" || (err as { code?: unknown }).code === "ERR_ACCESS_DENIED");
}

/**
 * What a denial error says, parsed: Deno's message (`Requires write access to "out/x", run again with the
 * --allow-write flag`) or Node's `permission` (`FileSystemRead`, `FileSystemWrite`…) and `resource` properties.
 */
export function denialOf(err: Error): Denial {
  const node = err as { code?: unknown; permission?: unknown; resource?: unknown };
  if (node.code === "ERR_ACCESS_DENIED") {
    const permission = typeof node.permission === "string" ? node.permission : "";
    const access = permission === "FileSystemRead" ? "read" : permission === "FileSystemWrite" ? "write" : permission;
    const path = typeof node.resource === "string" && node.resource !== "" ? node.resource : undefined;
    const flag = access === "read" || access === "write"
      ? `--allow-fs-${access}${path === undefined ? "" : `=${path}`}`
      : undefined;
    return { runtime: "node", access, path, flag, error: err };
  }
  const m = /^Requires (\w+) access(?: to "(.*)")?, run again with the (--allow-[\w-]+) flag/.exec(err.message);
  if (m === null) return { runtime: "deno", access: "", error: err };
  const [, access, path, flag] = m;
  return { runtime: "deno", access, path, flag: path === undefined ? flag : `${flag}=${path}`, error: err };
}

/** Tells `listener` of `err` when it is a denial (a listener that throws never reaches the guest's call). */
export function tellDenial(err: Error, listener: DenialListener | undefined): void {
  if (listener === undefined) return;
  try {
    listener(denialOf(err));
  } catch { /* the host's listener failed: the guest still gets EACCES */ }
}
