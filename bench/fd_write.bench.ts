// fd_write to fd 1 on /dev/null: Hostcall vs Deno's node:wasi vs a bare Deno.stdout.writeSync of the same
// bytes (N calls per iteration), plus Hostcall's memory-only stdout modes ("null", "capture").

import { type Guest, guestModule, loop, N, onHostcall, onNodeWasi } from "./_harness.ts";
import { onceToNull, stdoutToNull } from "./_stdout.ts";

const module = guestModule("fd_write");
/** [group, setup kind, where the bytes lie in guest memory, how many] (see guests/fd_write.wat). */
const SHAPES = [
  ["fd_write 16 iovecs × 16 B", 0, 0x1000, 256],
  ["fd_write 1 iovec × 64 KiB", 1, 0x10000, 0x10000],
] as const;

function make(kind: number, host: () => Guest): Guest {
  const g = host();
  g.setup!(kind);
  return g;
}

for (const [group, kind, at, size] of SHAPES) {
  const theirs = make(kind, () => onNodeWasi(module));
  const ours = make(kind, () => onHostcall(module));
  const oursNull = make(kind, () => onHostcall(module, { stdout: "null" }));
  // The exact bytes the guest writes (the 16 lines are contiguous, so one view covers them).
  const bytes = ours.memory.buffer.slice(at, at + size);
  const view = new Uint8Array(ours.memory.buffer, at, size);
  if (new Uint8Array(bytes).some((b, i) => b !== view[i]) || size % 16 !== 0) throw new Error("bad guest bytes");
  const check = (g: Guest) => {
    const n = new Uint32Array(g.memory.buffer, 0x80, 1)[0];
    if (n !== size) throw new Error(`fd_write wrote ${n} bytes, expected ${size}`);
  };
  for (const g of [theirs, ours, oursNull]) {
    onceToNull(loop(g));
    check(g);
  }

  Deno.bench("node:wasi → /dev/null", { group, baseline: true }, stdoutToNull(loop(theirs)));
  Deno.bench('Hostcall "inherit" → /dev/null', { group }, stdoutToNull(loop(ours)));
  Deno.bench(
    `bare Deno.stdout.writeSync(${size} B) → /dev/null`,
    { group },
    stdoutToNull(() => {
      for (let i = 0; i < N; i++) Deno.stdout.writeSync(view);
    }),
  );
  Deno.bench('Hostcall stdout: "null"', { group }, stdoutToNull(loop(oursNull)));
  // "capture" keeps every byte: a fresh instance per iteration (untimed) bounds the memory held. Only the
  // small shape: 1000 × 64 KiB per iteration would measure the growth of a 64 MiB buffer, not fd_write.
  if (kind !== 0) continue;
  let fresh: Guest = ours;
  Deno.bench(
    'Hostcall stdout: "capture"',
    { group },
    stdoutToNull(() => loop(fresh)(), () => {
      fresh = make(kind, () => onHostcall(module, { stdout: "capture" }));
    }),
  );
}
