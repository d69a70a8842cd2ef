// Runs guest programs (tests/guests/*.wasm, examples/*.wasm) in-process through the public Wasi API.

import { readFileSync } from "node:fs";
import { Wasi, type WasiOptions } from "../mod.ts";

/** The bytes of a wasm file, by a path relative to tests/. */
export function wasmBytes(path: string): Uint8Array {
  return readFileSync(new URL(path, import.meta.url));
}

/** The bytes of tests/guests/<name>.wasm. */
export function guest(name: string): Uint8Array {
  return wasmBytes(`./guests/${name}.wasm`);
}

/** What a guest run gave: its exit code, its captured output, and the Wasi it ran on. */
export interface Run {
  code: number;
  stdout: string;
  stderr: string;
  wasi: Wasi;
}

/** Runs a command guest with stdin "null" and captured stdout/stderr unless `opts` says otherwise. */
export async function run(name: string, opts: WasiOptions = {}, bytes: Uint8Array = guest(name)): Promise<Run> {
  const wasi = new Wasi({ args: [name], stdin: "null", stdout: "capture", stderr: "capture", ...opts });
  const { instance } = await wasi.instantiate(bytes);
  const code = wasi.start(instance);
  const stdout = opts.stdout === undefined || opts.stdout === "capture" ? wasi.stdoutText() : "";
  const stderr = opts.stderr === undefined || opts.stderr === "capture" ? wasi.stderrText() : "";
  return { code, stdout, stderr, wasi };
}
