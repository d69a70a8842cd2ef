// Path calls by depth on a real temp dir: path_filestat_get and path_open + fd_close on data.bin at depths 0, 2, 4
// and 8, on Hostcall vs Deno's node:wasi vs the bare Deno calls Hostcall makes (one lstat of the whole path, and the
// open and close); then Hostcall alone at each depth against its own depth 0. N calls per iteration (time/iter in µs =
// ns per call).

import { type DepthGuest, DEPTHS, fsFixture, guestModule, N, onHostcall, onNodeWasi } from "./_harness.ts";

const fixture = fsFixture();
const root = fixture.root;
globalThis.addEventListener("unload", () => fixture.remove());
fixture.settle();

const module = guestModule("depth");
function guest(g: unknown, depth: number): DepthGuest {
  const d = g as DepthGuest;
  d.setup(depth);
  return d;
}

type Loop = "stat" | "open_close";
const calls: [Loop, string][] = [["stat", "path_filestat_get"], ["open_close", "path_open + fd_close"]];

/** One bench iteration: N calls of `fn` in guest `g`, failing loudly if any did not succeed. */
function loopOf(g: DepthGuest, fn: Loop, what: string): () => void {
  const run = () => {
    const err = g[fn](N);
    if (err !== 0) throw new Error(`${what}: errno bits ${err}`);
  };
  run();
  return run;
}

for (const [fn, call] of calls) {
  for (const depth of DEPTHS) {
    const group = `${call} depth ${depth}`;
    const file = fixture.deep(depth);
    const theirs = guest(onNodeWasi(module, { "/": root }), depth);
    const ours = guest(onHostcall(module, { preopens: { "/": root } }), depth);
    Deno.bench("node:wasi", { group, baseline: true }, loopOf(theirs, fn, `node:wasi ${group}`));
    Deno.bench("Hostcall", { group }, loopOf(ours, fn, `Hostcall ${group}`));
    const bare = fn === "stat" ? () => Deno.lstatSync(file) : () => {
      Deno.lstatSync(file);
      Deno.openSync(file).close();
    };
    Deno.bench(fn === "stat" ? "bare lstat" : "bare lstat + open + close", { group }, () => {
      for (let i = 0; i < N; i++) bare();
    });
  }
  // Hostcall's own curve: the same call at each depth, against depth 0.
  for (const depth of DEPTHS) {
    const ours = guest(onHostcall(module, { preopens: { "/": root } }), depth);
    Deno.bench(
      `Hostcall depth ${depth}`,
      { group: `${call}: Hostcall by depth`, baseline: depth === 0 },
      loopOf(ours, fn, `Hostcall ${call} depth ${depth}`),
    );
  }
}
