/**
 * The `hostcall` command: runs a WASI preview1 program (`wasm32-wasip1`) with flags that follow `wasmtime run`.
 * The same file runs unchanged on Deno, Bun and Node ≥ 22.18 (type stripping); stdin, stdout and stderr are the
 * guest's.
 *
 * ```sh
 * deno run --allow-read=. jsr:@hostcall/wasi/cli [options] program.wasm [args...]
 * npx bun cli.ts [options] program.wasm [args...]     # in a clone, after npm install
 * npx node cli.ts [options] program.wasm [args...]    # Node 26 from node_modules
 * ```
 *
 * Exit status: the guest's exit code (a code above 255 exits as 255); 134 after a trap, with one line
 * `Error: wasm trap: <what>`; 2 for a usage error; 70 when the host fails (unreadable or invalid program, missing
 * import, a permission Deno denied), with one line starting `hostcall:`. `--debug` adds the stack. The choices are in
 * docs/decisions.md (#cli).
 *
 * @example Run a word counter over a directory given read-only as /data
 * ```sh
 * deno run --allow-read=examples jsr:@hostcall/wasi/cli --dir-ro examples/data::/data examples/wc.wasm /data/sample.txt
 * ```
 *
 * @module
 */

import {
  type FileSystem,
  hostFs,
  MemoryFs,
  parseTraceScopes,
  readOnly,
  type TraceOptions,
  type TraceScope,
  Wasi,
  WasiExit,
} from "./mod.ts";
import { denialOf, isDenial } from "./src/fs/denial.ts";
import { groupByModule } from "./src/imports.ts";
import { onDenied as onDenoDenied } from "./src/fs/deno.ts";
import { onDenied as onNodeDenied } from "./src/fs/node.ts";
import { exportSignatures, formatResult, parseArg, type Signature } from "./src/invoke.ts";
import config from "./deno.json" with { type: "json" };

const VERSION: string = config.version;

const USAGE = "usage: hostcall [options] program.wasm [args...]   (--help lists every option)\n";

const HELP = `hostcall ${VERSION}: run a WebAssembly program built for WASI preview1 (wasm32-wasip1).

usage: hostcall [options] program.wasm [args...]
  deno run --allow-read=. jsr:@hostcall/wasi/cli [options] program.wasm [args...]
  npx bun cli.ts ...    npx node cli.ts ...   (in a clone, after npm install; node ≥ 22.18)

The program's argv[0] is its path as given; every argument after it goes to the program untouched, even one that
looks like an option. Options come before the program; "--" ends them. "--flag value" and "--flag=value" both work.

  --dir HOST[::GUEST]     give the program the host directory HOST, named GUEST inside (default: HOST itself);
                          a ":ro" suffix makes it read-only; repeatable
                            --dir .   --dir ./data::/data   --dir ./data::/data:ro
  --dir-ro HOST[::GUEST]  the same, read-only
                            --dir-ro ./assets::/assets
  --mem GUEST             an empty directory in memory, named GUEST inside, gone at exit
                            --mem /tmp
  --tcplisten HOST:PORT   listen for TCP connections on HOST:PORT and give the listener to the program, as the fd
                          after the directories (it accepts with accept()/sock_accept); port 0 picks a free port
                          (printed); repeatable; --listen is the same
                            --tcplisten 127.0.0.1:8080   --listen [::1]:0
  --env KEY=VALUE         set an environment variable for the program (it sees no other unless asked)
                            --env LANG=C
  --env KEY               pass the host's value of KEY (nothing when the host has none)
                            --env HOME
  --inherit-env           pass the host's whole environment; --env entries override it
                            --inherit-env --env TERM=dumb
  --trace[=SCOPES]        print each WASI call and its result to stderr; SCOPES is a comma list of
                          all, args, clock, fd, path, poll, proc, random, sock (default all)
                            --trace   --trace=fd,path
  --trace-out FILE        write the trace lines to FILE instead (implies --trace)
                            --trace=path --trace-out trace.log
  --invoke NAME           call the function NAME of a reactor (after its _initialize) with the arguments after the
                          program (integers in decimal or 0x hex, floats in decimal, inf or nan) and print what it
                          returns, one value a line
                            --invoke add reactor.wasm 2 40
  --debug                 print the stack with a trap or a host failure
                            --debug
  --version               print the version
  -h, --help              print this help

Exit status: the program's exit code (above 255: 255); 134 after a trap; 2 for a usage error; 70 when the host
fails (the program cannot be read, is not valid wasm, needs an import hostcall lacks, or Deno denied a permission).
On Deno, give the least permissions: --allow-read=<dirs and program> for a program that only reads,
plus --allow-write=<dirs> for one that writes, --allow-net=HOST:PORT with --tcplisten; hostcall names the flag when
Deno refuses one.
`;

// --- the host runtime, by feature detection ------------------------------------------------------------------------

/** Node's `fs`, the part used here (Bun and Node). */
interface NodeFsLike {
  readFileSync(path: string): Uint8Array;
  openSync(path: string, flags: string): number;
  writeSync(fd: number, buf: Uint8Array, off: number, len: number): number;
  closeSync(fd: number): void;
}

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const isDeno = typeof g.Deno?.readFileSync === "function";
const nodeFs: NodeFsLike | undefined = isDeno ? undefined : g.process?.getBuiltinModule?.("node:fs");
const utf8 = new TextEncoder();

/** The host's command-line arguments after the script. */
function hostArgs(): string[] {
  return isDeno ? [...g.Deno.args] : g.process.argv.slice(2);
}

/** Writes all of `text` synchronously to the host's fd 1 or 2 (nothing is lost at exit). */
function print(fd: 1 | 2, text: string): void {
  writeAll(fd, utf8.encode(text));
}

/** Writes all of `bytes` to fd 1 or 2 (Deno), or to any fd (Bun, Node), retrying a full non-blocking pipe. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let off = 0; off < bytes.length;) {
    try {
      if (isDeno) off += (fd === 1 ? g.Deno.stdout : g.Deno.stderr).writeSync(bytes.subarray(off));
      else off += nodeFs!.writeSync(fd, bytes, off, bytes.length - off);
    } catch (err) {
      if ((err as { code?: string }).code !== "EAGAIN") throw err; // a non-blocking pipe is full: try again
    }
  }
}

function exitHost(code: number): never {
  if (isDeno) g.Deno.exit(code);
  g.process.exit(code);
  throw new Error("unreachable: the host did not exit");
}

function readHostFile(path: string): Uint8Array {
  return isDeno ? g.Deno.readFileSync(path) : nodeFs!.readFileSync(path);
}

/** A file opened for writing (created or truncated) and a synchronous line writer over it. */
function openTraceFile(path: string): { write(line: string): void; close(): void } {
  if (isDeno) {
    const f = g.Deno.openSync(path, { write: true, create: true, truncate: true });
    return {
      write(line: string) {
        const b = utf8.encode(line + "\n");
        for (let off = 0; off < b.length;) off += f.writeSync(b.subarray(off));
      },
      close: () => f.close(),
    };
  }
  const fd = nodeFs!.openSync(path, "w");
  return { write: (line: string) => writeAll(fd, utf8.encode(line + "\n")), close: () => nodeFs!.closeSync(fd) };
}

function hostEnvVar(key: string): string | undefined {
  return isDeno ? g.Deno.env.get(key) : g.process.env[key];
}

function hostEnvAll(): Record<string, string> {
  if (isDeno) return g.Deno.env.toObject();
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(g.process.env as Record<string, string | undefined>)) {
    if (v !== undefined) out[k] = v;
  }
  return out;
}

// --- errors ----------------------------------------------------------------------------------------------------------

/** A bad command line: exit 2 with the usage. */
class UsageError extends Error {}

/** The host could not run the program: exit 70 with one line (the stack with --debug). */
class HostFailure extends Error {}

/** The errno-style text of a host fs error ("No such file or directory"), or its message. */
function reason(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const text: Record<string, string> = {
    ENOENT: "No such file or directory",
    EACCES: "Permission denied",
    EPERM: "Operation not permitted",
    EISDIR: "Is a directory",
    ENOTDIR: "Not a directory",
    ELOOP: "Too many levels of symbolic links",
  };
  if (typeof e?.code === "string" && Object.hasOwn(text, e.code)) return text[e.code];
  return firstLine(String(e?.message ?? err));
}

function firstLine(s: string): string {
  const i = s.indexOf("\n");
  return i < 0 ? s : s.slice(0, i);
}

/**
 * One line naming the flag to add for a refusal: Deno's `NotCapable` (its message: `Requires write access to "out/x",
 * run again with the --allow-write flag`) or Node's `ERR_ACCESS_DENIED` (`permission` and `resource`). `grant` picks
 * the value to suggest for a path (default: the path itself).
 */
function denialLine(err: Error, grant: (path: string) => string = (p) => p): string {
  const d = denialOf(err);
  const who = d.runtime === "node" ? "Node" : "Deno";
  if (d.access === "" || (d.runtime === "node" && (d.path === undefined || d.flag === undefined))) {
    return `hostcall: ${who} denied a permission: ${firstLine(err.message)}`;
  }
  const flag = d.flag?.split("=")[0];
  if (d.path === undefined) return `hostcall: ${who} denied ${d.access} access (run with ${flag})`;
  const value = /^--allow-(fs-)?(read|write)$/.test(flag ?? "") ? grant(d.path) : d.path;
  return `hostcall: ${who} denied ${d.access} access to ${d.path} (run with ${flag}=${value})`;
}

// --- the command line ----------------------------------------------------------------------------------------------

/** One preopen as given: a host directory (`host`) or an empty memory one (`host` undefined). */
interface Preopen {
  guest: string;
  host?: string;
  readonly: boolean;
}

interface Options {
  preopens: Preopen[];
  /** --tcplisten / --listen addresses, in order. */
  listen: { spec: string; hostname: string; port: number }[];
  /** `--env` entries in order: a value, or undefined to pass the host's. */
  env: [string, string | undefined][];
  inheritEnv: boolean;
  trace?: TraceScope[];
  traceOut?: string;
  /** `--invoke NAME`: call this export of a reactor instead of running `_start`. */
  invoke?: string;
  debug: boolean;
  help: boolean;
  version: boolean;
  program: string;
  args: string[];
}

const VALUE_FLAGS = new Set([
  "--dir",
  "--dir-ro",
  "--mem",
  "--env",
  "--trace-out",
  "--tcplisten",
  "--listen",
  "--invoke",
]);
const BOOL_FLAGS = new Set(["--inherit-env", "--debug", "--version", "--help", "-h"]);

/** Parses the command line; options end at the program path (or "--"), and the rest belongs to the guest. */
function parse(argv: readonly string[]): Options {
  const o: Options = {
    preopens: [],
    listen: [],
    env: [],
    inheritEnv: false,
    debug: false,
    help: false,
    version: false,
    program: "",
    args: [],
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      i++;
      break;
    }
    if (!a.startsWith("-") || a === "-") break;
    const eq = a.indexOf("=");
    const flag = eq < 0 ? a : a.slice(0, eq);
    let value: string | undefined = eq < 0 ? undefined : a.slice(eq + 1);
    if (flag === "--trace") {
      o.trace = value === undefined ? ["all"] : scopes(value);
      continue;
    }
    if (BOOL_FLAGS.has(flag)) {
      if (value !== undefined) throw new UsageError(`${flag} takes no value`);
      if (flag === "--inherit-env") o.inheritEnv = true;
      else if (flag === "--debug") o.debug = true;
      else if (flag === "--version") o.version = true;
      else o.help = true;
      continue;
    }
    if (!VALUE_FLAGS.has(flag)) throw new UsageError(`unknown option ${flag}`);
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`${flag} needs a value`);
      value = argv[++i];
    }
    if (flag === "--dir" || flag === "--dir-ro") o.preopens.push(dirSpec(flag, value));
    else if (flag === "--mem") o.preopens.push({ guest: checkGuest(flag, value), readonly: false });
    else if (flag === "--env") o.env.push(envSpec(value));
    else if (flag === "--tcplisten" || flag === "--listen") o.listen.push(listenSpec(flag, value));
    else if (flag === "--invoke") o.invoke = value;
    else o.traceOut = value;
  }
  if (o.help || o.version) return o;
  if (i >= argv.length) throw new UsageError("no program given");
  o.program = argv[i];
  o.args = argv.slice(i + 1);
  if (o.traceOut !== undefined) o.trace ??= ["all"];
  const seen = new Set<string>();
  for (const p of o.preopens) {
    if (seen.has(p.guest)) throw new UsageError(`guest directory ${p.guest} given twice`);
    seen.add(p.guest);
  }
  return o;
}

function scopes(text: string): TraceScope[] {
  try {
    return parseTraceScopes(text);
  } catch (err) {
    throw new UsageError(`--trace: ${(err as Error).message}`);
  }
}

/** `HOST`, `HOST::GUEST`, either with a `:ro` suffix (wasmtime's `--dir` spelling plus read-only). */
function dirSpec(flag: string, value: string): Preopen {
  let v = value, readonly = flag === "--dir-ro";
  if (v.endsWith(":ro") && !v.endsWith("::ro")) {
    v = v.slice(0, -3);
    readonly = true;
  }
  const sep = v.indexOf("::");
  const host = sep < 0 ? v : v.slice(0, sep);
  const guest = sep < 0 ? v : v.slice(sep + 2);
  if (host === "") throw new UsageError(`${flag} ${value}: the host directory is empty`);
  return { host, guest: checkGuest(flag, guest), readonly };
}

function checkGuest(flag: string, guest: string): string {
  if (guest === "") throw new UsageError(`${flag}: the guest directory is empty`);
  return guest;
}

/** `HOST:PORT` or `[IPv6]:PORT` (wasmtime's --tcplisten spelling). */
function listenSpec(flag: string, value: string): Options["listen"][number] {
  const colon = value.lastIndexOf(":");
  let host = colon < 0 ? "" : value.slice(0, colon);
  const port = colon < 0 ? "" : value.slice(colon + 1);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (host === "" || !/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    throw new UsageError(`${flag} ${value}: expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:0`);
  }
  return { spec: value, hostname: host, port: Number(port) };
}

function envSpec(value: string): [string, string | undefined] {
  const eq = value.indexOf("=");
  const key = eq < 0 ? value : value.slice(0, eq);
  if (key === "") throw new UsageError(`--env ${value}: the variable name is empty`);
  return [key, eq < 0 ? undefined : value.slice(eq + 1)];
}

// --- traps -----------------------------------------------------------------------------------------------------------

/**
 * wasmtime's name for each trap, by the message V8 (Deno, Node) or JavaScriptCore (Bun) gives it, so one trap reads
 * the same on every runtime (decisions.md #cli). A message not listed is shown as the runtime wrote it.
 */
const TRAP_NAMES: ReadonlyMap<string, string> = new Map([
  ["unreachable", "wasm `unreachable` instruction executed"],
  ["Unreachable code should not be executed", "wasm `unreachable` instruction executed"],
  ["memory access out of bounds", "out of bounds memory access"],
  ["Out of bounds memory access", "out of bounds memory access"],
  ["divide by zero", "integer divide by zero"],
  ["remainder by zero", "integer divide by zero"],
  ["Division by zero", "integer divide by zero"],
  ["divide result unrepresentable", "integer overflow"],
  ["Integer overflow", "integer overflow"],
  ["float unrepresentable in integer range", "invalid conversion to integer"],
  ["Out of bounds Trunc operation", "invalid conversion to integer"],
  ["table index is out of bounds", "undefined element: out of bounds table access"],
  ["Out of bounds call_indirect", "undefined element: out of bounds table access"],
  ["null function", "uninitialized element"],
  ["function signature mismatch", "indirect call type mismatch"],
  ["null function or function signature mismatch", "indirect call type mismatch"],
  ["call_indirect to a signature that does not match", "indirect call type mismatch"],
  ["call_indirect to a null table entry", "uninitialized element"],
  ["Maximum call stack size exceeded", "call stack exhausted"],
]);

/** The trap's name when `err` is a trap (a RuntimeError, or the engine's stack overflow), else undefined. */
function trapName(err: unknown): string | undefined {
  const stack = err instanceof RangeError && /^Maximum call stack size exceeded\.?$/.test(err.message);
  if (!(err instanceof WebAssembly.RuntimeError) && !stack) return undefined;
  // Bun appends where it was evaluating: "Out of bounds memory access (evaluating 'start()')".
  const msg = (err as Error).message.replace(/ \(evaluating '.*'\)$/s, "").replace(/\.$/, "");
  return TRAP_NAMES.get(msg) ?? msg;
}

// --- running ---------------------------------------------------------------------------------------------------------

/** Reads and compiles the program; a HostFailure names what is wrong with it. */
async function load(path: string): Promise<{ bytes: Uint8Array; module: WebAssembly.Module }> {
  let bytes: Uint8Array;
  try {
    bytes = readHostFile(path);
  } catch (err) {
    if (isDenial(err)) throw new HostFailure(denialLine(err), { cause: err });
    throw new HostFailure(`hostcall: cannot read ${path}: ${reason(err)}`, { cause: err });
  }
  const magic = bytes[0] === 0 && bytes[1] === 0x61 && bytes[2] === 0x73 && bytes[3] === 0x6d;
  if (!magic) throw new HostFailure(`hostcall: invalid wasm: ${path} is not a WebAssembly binary (no \\0asm header)`);
  if (bytes[6] === 1 && bytes[7] === 0) { // layer 1: the component model
    throw new HostFailure(`hostcall: invalid wasm: ${path} is a component; hostcall runs core modules (wasm32-wasip1)`);
  }
  try {
    return { bytes, module: await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>) };
  } catch (err) {
    const msg = firstLine((err as Error).message).replace(/^WebAssembly\.\w+\(\): /, "");
    throw new HostFailure(`hostcall: invalid wasm: ${path}: ${msg}`, { cause: err });
  }
}

/** A function import: a function, or (async mode) a `WebAssembly.Suspending` wrapping one. */
function isImportFn(v: unknown): boolean {
  return typeof v === "function" || (typeof v === "object" && v !== null);
}

/** Fails with every import the module needs that `imports` lacks (a clear line instead of each engine's own). */
function checkImports(module: WebAssembly.Module, imports: object): void {
  const table = imports as Record<string, Record<string, unknown> | undefined>;
  const missing = WebAssembly.Module.imports(module)
    .filter((d) => d.kind !== "function" || !isImportFn(table[d.module]?.[d.name]));
  if (missing.length > 0) throw new HostFailure(missingImports(missing));
}

/** Characters of names listed per module, and modules listed, before the rest is only counted. */
const MISSING_LINE = 100, MISSING_MODULES = 8;

/**
 * The message for missing imports: a line with their count, then one line per module (at most 8) naming the first
 * few (about 100 characters) and counting the rest, so a program that needs a whole other host stays readable.
 */
function missingImports(missing: readonly WebAssembly.ModuleImportDescriptor[]): string {
  const byModule = groupByModule(missing);
  const n = missing.length;
  let text = `hostcall: missing ${n} import${
    n === 1 ? "" : "s"
  } (hostcall gives wasi_snapshot_preview1 and wasi_unstable):`;
  let shown = 0;
  for (const [module, names] of byModule) {
    if (shown++ === MISSING_MODULES) {
      const rest = byModule.size - MISSING_MODULES;
      text += `\n  … and ${rest} more module${rest === 1 ? "" : "s"}`;
      break;
    }
    let line = `  ${module}: ${names[0]}`, i = 1;
    for (; i < names.length && line.length + names[i].length <= MISSING_LINE; i++) line += `, ${names[i]}`;
    text += "\n" + line + (i < names.length ? ` … and ${names.length - i} more` : "");
  }
  return text;
}

/** Fails unless the module exports what running it takes: `_start`, or with `--invoke` no `_start`; a memory. */
function checkExports(module: WebAssembly.Module, path: string, invoke: string | undefined): void {
  const exports = WebAssembly.Module.exports(module);
  const command = exports.some((d) => d.name === "_start" && d.kind === "function");
  if (invoke === undefined && !command) {
    throw new HostFailure(
      `hostcall: ${path} exports no _start function (a reactor or a library: call a function with --invoke NAME)`,
    );
  }
  if (invoke !== undefined && command) {
    throw new HostFailure(`hostcall: ${path} is a command (it exports _start): run it without --invoke`);
  }
  if (!exports.some((d) => d.name === "memory" && d.kind === "memory")) {
    throw new HostFailure(`hostcall: ${path} exports no memory named "memory"`);
  }
}

/** What `--invoke NAME ARGS` calls: the export's signature and the arguments as JS values. */
interface Invocation {
  name: string;
  sig: Signature;
  args: (number | bigint)[];
}

/**
 * Looks `name` up among the exports and converts `args` to its parameter types (decisions.md#cli-invoke): a missing
 * function or a type the command line cannot carry is a HostFailure, a missing or malformed argument a UsageError.
 */
function invocation(bytes: Uint8Array, path: string, name: string, args: readonly string[]): Invocation {
  let sig: Signature | undefined;
  try {
    sig = exportSignatures(bytes).get(name);
  } catch (err) {
    throw new HostFailure(`hostcall: --invoke: cannot read the function types of ${path}: ${(err as Error).message}`);
  }
  if (sig === undefined) throw new HostFailure(`hostcall: ${path} exports no function named ${JSON.stringify(name)}`);
  const odd = [...sig.params, ...sig.results].find((t) => !["i32", "i64", "f32", "f64"].includes(t));
  if (odd !== undefined) {
    throw new HostFailure(
      `hostcall: --invoke ${name}: the command line can neither give nor print ${odd === "v128" ? "a" : "an"} ${odd}`,
    );
  }
  const types = `(${sig.params.join(", ")})`;
  if (args.length < sig.params.length) {
    const n = sig.params.length;
    throw new UsageError(`--invoke ${name} takes ${n} argument${n === 1 ? "" : "s"} ${types}, ${args.length} given`);
  }
  const values = sig.params.map((t, i) => {
    const v = parseArg(t, args[i]);
    if (v === undefined) throw new UsageError(`--invoke ${name}: argument ${i + 1} is not an ${t}: ${args[i]}`);
    return v;
  });
  return { name, sig, args: values };
}

/** Runs `_initialize`, calls the function and prints its results one a line; the exit status (proc_exit's code). */
function callExport(wasi: Wasi, instance: WebAssembly.Instance, call: Invocation): number {
  try {
    wasi.initialize(instance);
    const r = (instance.exports[call.name] as (...args: unknown[]) => unknown)(...call.args);
    const values = call.sig.results.length === 1 ? [r] : call.sig.results.length === 0 ? [] : [...(r as unknown[])];
    print(1, values.map((v, i) => formatResult(call.sig.results[i], v) + "\n").join(""));
    return 0;
  } catch (err) {
    if (err instanceof WasiExit) return err.code;
    throw err;
  }
}

/** Instantiates the module; an engine's refusal (a limit, a link failure) is a HostFailure, a trap stays a trap. */
async function instantiate(wasi: Wasi, module: WebAssembly.Module, path: string): Promise<WebAssembly.Instance> {
  try {
    return (await wasi.instantiate(module)).instance;
  } catch (err) {
    if (trapName(err) !== undefined) throw err; // the module's start function trapped
    const msg = err instanceof Error ? firstLine(err.message).replace(/^WebAssembly\.\w+\(\): /, "") : String(err);
    throw new HostFailure(`hostcall: cannot instantiate ${path}: ${msg}`, { cause: err });
  }
}

/** The host value `--allow-read`/`--allow-write` should name for a denied path: its `--dir`, else the path. */
function grantFor(preopens: readonly Preopen[]): (path: string) => string {
  return (path) => {
    for (const p of preopens) {
      if (p.host === undefined) continue;
      let h = p.host;
      while (h.length > 1 && h.endsWith("/")) h = h.slice(0, -1);
      if (path === h || path.startsWith(h === "/" ? "/" : h + "/")) return p.host;
    }
    return path;
  };
}

/** The guest's environment: the host's (with --inherit-env), then each --env in order. */
function guestEnv(o: Options): Record<string, string> {
  try {
    const env = o.inheritEnv ? hostEnvAll() : {};
    for (const [k, v] of o.env) {
      const value = v ?? hostEnvVar(k);
      if (value !== undefined) env[k] = value;
    }
    return env;
  } catch (err) {
    if (isDenial(err)) throw new HostFailure(denialLine(err), { cause: err });
    throw err;
  }
}

/** The preopens as `Wasi` takes them, each host directory checked now (wasmtime fails on one it cannot open). */
function guestDirs(o: Options, denials: Error[]): Record<string, FileSystem> {
  const out: Record<string, FileSystem> = {};
  for (const p of o.preopens) {
    let fs: FileSystem;
    if (p.host === undefined) fs = new MemoryFs();
    else {
      try {
        fs = hostFs(p.host);
      } catch (err) {
        throw new HostFailure(`hostcall: --dir ${p.host}: ${(err as Error).message}`, { cause: err });
      }
      if (denials.length > 0) throw new HostFailure(denialLine(denials[0], grantFor(o.preopens)));
    }
    out[p.guest] = p.readonly ? readOnly(fs) : fs;
  }
  return out;
}

/**
 * Runs the command line `argv` (the arguments after the script) with the host's stdio, and returns the exit status
 * the process should have: the guest's code (at most 255), 134 after a trap, 2 for a usage error, 70 for a host
 * failure. Messages go to stderr.
 *
 * @example
 * ```ts
 * import { main } from "@hostcall/wasi/cli";
 * const status: number = await main(["--dir-ro", "data::/data", "app.wasm", "/data/input.txt"]);
 * ```
 */
export async function main(argv: readonly string[]): Promise<number> {
  let o: Options;
  try {
    o = parse(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    print(2, `hostcall: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (o.help) {
    print(1, HELP);
    return 0;
  }
  if (o.version) {
    print(1, `hostcall ${VERSION}\n`);
    return 0;
  }
  const denials: Error[] = [];
  onDenoDenied((err) => denials.push(err));
  onNodeDenied((err) => denials.push(err));
  let traceFile: { write(line: string): void; close(): void } | undefined;
  try {
    const { bytes, module } = await load(o.program);
    checkExports(module, o.program, o.invoke);
    const call = o.invoke === undefined ? undefined : invocation(bytes, o.program, o.invoke, o.args);
    const env = guestEnv(o);
    const preopens = guestDirs(o, denials);
    let trace: TraceOptions | undefined;
    if (o.traceOut !== undefined) {
      try {
        traceFile = openTraceFile(o.traceOut);
      } catch (err) {
        if (isDenial(err)) throw new HostFailure(denialLine(err), { cause: err });
        throw new HostFailure(`hostcall: cannot write ${o.traceOut}: ${reason(err)}`, { cause: err });
      }
      trace = { sink: traceFile.write, scopes: o.trace };
    } else if (o.trace !== undefined) trace = { scopes: o.trace };
    if (call !== undefined && o.listen.length > 0) {
      throw new UsageError("--invoke calls a reactor's export; it does not take --tcplisten/--listen");
    }
    const wasi = newWasi(o, env, preopens, trace);
    checkImports(module, wasi.getImportObject());
    let code: number;
    try {
      if (o.listen.length === 0) {
        const instance = await instantiate(wasi, module, o.program);
        code = call === undefined ? wasi.start(instance) : callExport(wasi, instance, call);
      } else {
        await listening(wasi, o);
        code = await wasi.startAsync(await instantiate(wasi, module, o.program));
      }
    } catch (err) {
      const trap = trapName(err);
      if (trap === undefined) throw err;
      print(2, `Error: wasm trap: ${trap}\n` + (o.debug ? stackOf(err) : ""));
      code = 134;
    }
    if (denials.length > 0) print(2, denialLine(denials[0], grantFor(o.preopens)) + "\n");
    return code > 255 ? 255 : code; // never 256 → 0: a failure must not read as success (decisions.md #cli)
  } catch (err) {
    if (err instanceof UsageError) {
      print(2, `hostcall: ${err.message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof HostFailure) {
      print(2, err.message + "\n" + (o.debug && err.cause !== undefined ? stackOf(err.cause) : ""));
    } else {
      const what = err instanceof Error ? `${err.name}: ${firstLine(err.message)}` : String(err);
      print(2, `hostcall: internal error: ${what}` + (o.debug ? "\n" + stackOf(err) : " (--debug shows the stack)\n"));
    }
    return 70;
  } finally {
    onDenoDenied(undefined);
    onNodeDenied(undefined);
    traceFile?.close();
  }
}

/** The Wasi for the command line: async, with the listeners, when --tcplisten was given. */
function newWasi(
  o: Options,
  env: Record<string, string>,
  preopens: Record<string, FileSystem>,
  trace: TraceOptions | undefined,
): Wasi {
  const listeners = o.listen.map(({ hostname, port }) => ({ hostname, port }));
  try {
    return new Wasi({ args: [o.program, ...o.args], env, preopens, trace, async: listeners.length > 0, listeners });
  } catch (err) {
    throw listenFailure(o, err);
  }
}

/** Waits until every listener is bound, and prints the ones asked on port 0 (nobody could know them otherwise). */
async function listening(wasi: Wasi, o: Options): Promise<void> {
  let addrs;
  try {
    addrs = await wasi.listening();
  } catch (err) {
    throw listenFailure(o, err);
  }
  addrs.forEach((a, i) => {
    const host = a.hostname.includes(":") ? `[${a.hostname}]` : a.hostname;
    if (o.listen[i].port === 0) print(2, `hostcall: listening on ${host}:${a.port} (fd ${a.fd})\n`);
  });
}

/** A listener that could not be opened, as a HostFailure naming its flag (Deno's denial names --allow-net). */
function listenFailure(o: Options, err: unknown): unknown {
  const m = err instanceof Error ? /^options\.listeners\[(\d+)\]: (.*)$/s.exec(err.message) : null;
  if (m === null) return err;
  const cause = (err as Error).cause;
  if (isDenial(cause)) return new HostFailure(denialLine(cause), { cause });
  return new HostFailure(`hostcall: --tcplisten ${o.listen[Number(m[1])].spec}: ${firstLine(m[2])}`, { cause: err });
}

function stackOf(err: unknown): string {
  const s = err instanceof Error && err.stack !== undefined ? err.stack : String(err);
  return s.endsWith("\n") ? s : s + "\n";
}

if (import.meta.main) exitHost(await main(hostArgs()));
