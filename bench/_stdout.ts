// fd 1 on /dev/null for the timed part of a bench iteration, with the report kept on the real stdout.
//
// `deno bench` prints its report to stdout, and both Hostcall's "inherit" stdout and node:wasi's
// fd 1 are the process's fd 1. So the bench keeps fd 1 on the terminal (or wherever it was) and
// points it at /dev/null only between b.start() and b.end(), with dup2 through FFI (-A grants
// --allow-ffi). The report is printed by another thread when a bench ends; the first iteration of
// each redirected bench waits a moment so that the previous bench's row is out before fd 1 moves.

const libc = Deno.dlopen(
  "libc.so.6",
  {
    dup: { parameters: ["i32"], result: "i32" },
    dup2: { parameters: ["i32", "i32"], result: "i32" },
    open: { parameters: ["buffer", "i32"], result: "i32" },
  } as const,
);
const O_WRONLY = 1;
const savedStdout = libc.symbols.dup(1);
const devNull = libc.symbols.open(new TextEncoder().encode("/dev/null\0"), O_WRONLY);
if (savedStdout < 0 || devNull < 0) throw new Error("cannot dup fd 1 or open /dev/null");

function settle(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` once, now, with fd 1 on /dev/null (a check before timing). */
export function onceToNull(fn: () => void): void {
  if (libc.symbols.dup2(devNull, 1) < 0) throw new Error("dup2(/dev/null, 1) failed");
  try {
    fn();
  } finally {
    libc.symbols.dup2(savedStdout, 1);
  }
}

/**
 * A bench function timing only `fn`, with the process's fd 1 on /dev/null while it runs, and
 * `before()` (untimed) ahead of each iteration. Every bench of an fd_write group goes through it,
 * so all of them carry the same b.start()/b.end() overhead.
 */
export function stdoutToNull(fn: () => void, before?: () => void): (b: Deno.BenchContext) => void {
  let first = true;
  return (b) => {
    if (first) {
      first = false;
      settle(50);
    }
    before?.();
    if (libc.symbols.dup2(devNull, 1) < 0) throw new Error("dup2(/dev/null, 1) failed");
    try {
      b.start();
      fn();
      b.end();
    } finally {
      libc.symbols.dup2(savedStdout, 1);
    }
  };
}
