// fd_write to fd 1 on /dev/null: Hostcall vs Deno's node:wasi vs a bare Deno.stdout.writeSync of the same
// bytes (N calls per iteration), plus Hostcall's memory-only stdout modes ("null", "capture").

import { type Guest, guestModule, loop, N, onHostcall, onNodeWasi } from "./_harness.ts";
import { onceToNull, stdoutToNull } from "./_stdout.ts";

const module = guestModule("fd_write");
/**
 * [group, setup kind, where the bytes written lie in guest memory, how many] (see guests/fd_write.wat). The 16 lines
 * of the first group follow one another in memory; the "apart" group writes the same lines from 16 places, gathered.
 */
const SHAPES = [
  ["fd_write 16 iovecs × 16 B", 0, 0x1000, 256],
  ["fd_write 16 iovecs × 16 B apart", 2, 0x1000, 256],
  ["fd_write 1 iovec × 64 KiB", 1, 0x10000, 0x10000],
] as const;

function make(kind: number, host: () => Guest): Guest {
  const g = host();
  g.setup!(kind);
  return g;
}

/**
 * The floor of any host: the same guest over a minimal fd_write import that hands each iovec straight to
 * Deno.stdout.writeSync (no checks, no fd table). What Hostcall adds over it is its own cost.
 */
function onMinimalImport(): Guest {
  let dv: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));
  let u8: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  const out = Deno.stdout;
  const fd_write = (_fd: number, iovs: number, n: number, nwrittenPtr: number): number => {
    let total = 0;
    for (let p = iovs; p < iovs + n * 8; p += 8) {
      const buf = dv.getUint32(p, true), len = dv.getUint32(p + 4, true);
      total += out.writeSync(u8.subarray(buf, buf + len));
    }
    dv.setUint32(nwrittenPtr, total, true);
    return 0;
  };
  const g = new WebAssembly.Instance(module, { wasi_snapshot_preview1: { fd_write } }).exports as unknown as Guest;
  dv = new DataView(g.memory.buffer);
  u8 = new Uint8Array(g.memory.buffer);
  return g;
}

for (const [group, kind, at, size] of SHAPES) {
  const theirs = make(kind, () => onNodeWasi(module));
  const ours = make(kind, () => onHostcall(module));
  const oursNull = make(kind, () => onHostcall(module, { stdout: "null" }));
  const floor = make(kind, onMinimalImport);
  // The exact bytes the guest writes (the 16 lines are contiguous, so one view covers them).
  const bytes = ours.memory.buffer.slice(at, at + size);
  const view = new Uint8Array(ours.memory.buffer, at, size);
  if (new Uint8Array(bytes).some((b, i) => b !== view[i]) || size % 16 !== 0) throw new Error("bad guest bytes");
  const check = (g: Guest) => {
    const n = new Uint32Array(g.memory.buffer, 0x80, 1)[0];
    if (n !== size) throw new Error(`fd_write wrote ${n} bytes, expected ${size}`);
  };
  for (const g of [theirs, ours, oursNull, floor]) {
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
  // The floor writes iovec by iovec, so it is one only for the single-iovec shape (Hostcall gathers 16 into one).
  if (kind === 1) Deno.bench("floor: a minimal import → /dev/null", { group }, stdoutToNull(loop(floor)));
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
