// Filesystem hot paths on a real temp dir: Hostcall (host backend, and MemoryFs) vs Deno's node:wasi
// vs the bare Deno calls they rest on. N calls per iteration (time/iter in µs = ns per call).

import { MemoryFs } from "../src/fs/memory.ts";
import { fsFixture, type FsGuest, guestModule, N, onHostcall, onNodeWasi } from "./_harness.ts";

const mem = new MemoryFs();
mem.files.writeFile("/sub/file.txt", new Uint8Array(8192).fill(97));
mem.files.mkdir("/big", { recursive: true });
for (let i = 0; i < 1000; i++) mem.files.writeFile(`/big/entry-${String(i).padStart(4, "0")}`, new Uint8Array(0));

const fixture = fsFixture();
const root = fixture.root;
globalThis.addEventListener("unload", () => fixture.remove());
fixture.settle(); // the MemoryFs tree above is older still

const module = guestModule("fs");
const hosts: [string, FsGuest][] = [
  ["node:wasi", onNodeWasi(module, { "/": root }) as unknown as FsGuest],
  ["Hostcall", onHostcall(module, { preopens: { "/": root } }) as unknown as FsGuest],
  ["Hostcall MemoryFs", onHostcall(module, { preopens: { "/": mem } }) as unknown as FsGuest],
];
for (const [, g] of hosts) g.setup(0);

const path = fixture.file;
const buf = new Uint8Array(4096);
const file = Deno.openSync(path);
type Loop = "stat" | "open_close" | "seek_read" | "readdir";
const bare: Record<Loop, () => void> = {
  stat: () => Deno.statSync(path),
  open_close: () => Deno.openSync(path).close(),
  seek_read: () => {
    file.seekSync(0, Deno.SeekMode.Start);
    file.readSync(buf);
  },
  readdir: () => {
    for (const _ of Deno.readDirSync(`${root}/big`));
  },
};
/** The floor of fd_readdir: the listing, plus one lstat per entry for d_ino (readDirSync gives no inode). */
const listingWithInodes = () => {
  for (const e of Deno.readDirSync(`${root}/big`)) Deno.lstatSync(`${root}/big/${e.name}`);
};
const groups: [Loop, string, number][] = [
  ["stat", "path_filestat_get", N],
  ["open_close", "path_open + fd_close", N],
  ["seek_read", "fd_seek + fd_read 4 KiB", N],
  ["readdir", "fd_readdir of 1000 entries", 10],
];
for (const [fn, group, n] of groups) {
  for (const [name, g] of hosts) {
    const run = () => {
      const err = g[fn](n);
      if (err !== 0) throw new Error(`${name} ${group}: errno bits ${err}`);
    };
    run();
    Deno.bench(name, { group, baseline: name === "node:wasi" }, run);
  }
  Deno.bench(`bare Deno call`, { group }, () => {
    for (let i = 0; i < n; i++) bare[fn]();
  });
  if (fn === "readdir") {
    Deno.bench("floor: readDirSync + lstatSync per entry", { group }, () => {
      for (let i = 0; i < n; i++) listingWithInodes();
    });
  }
}
