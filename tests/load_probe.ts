// Imports mod.ts (or the module named by a file URL in argv[2]) in a fresh process with the clocks, randomness and runtime globals watched, and prints as JSON what
// the import touched. Run by tests/edge_limits.test.ts (edge runtimes give 0 for clocks and throw for randomness at
// load, and have no Deno, Bun or process).

const touched: string[] = [];
const watched: string[] = [];

/** Replaces `obj[key]` with a function that records the call and throws (a load-time read must be seen). */
function trap(obj: object, key: string, name: string): void {
  Object.defineProperty(obj, key, {
    configurable: true,
    writable: true,
    value: () => {
      touched.push(name);
      throw new Error(`${name} called while mod.ts loads`);
    },
  });
  watched.push(name);
}

/** Records every read of a global (where the runtime lets it be redefined; Bun's `Bun` cannot be). */
function watchGlobal(name: string): void {
  const desc = Object.getOwnPropertyDescriptor(globalThis, name);
  if (desc === undefined || !desc.configurable) return;
  const read = desc.get ?? (() => desc.value);
  Object.defineProperty(globalThis, name, {
    configurable: true,
    get() {
      touched.push(name);
      return read.call(globalThis);
    },
  });
  watched.push(name);
}

// Captured before anything is replaced: what to import (argv[2], a file URL; default mod.ts) and how to print.
// deno-lint-ignore no-explicit-any
const target: string = (globalThis as any).process?.argv?.[2] ?? new URL("../mod.ts", import.meta.url).href;
const log = console.log.bind(console);
const stringify = JSON.stringify;

trap(Date, "now", "Date.now");
trap(performance, "now", "performance.now");
trap(crypto, "getRandomValues", "crypto.getRandomValues");
trap(Math, "random", "Math.random");
const RealDate = Date;
globalThis.Date = new Proxy(RealDate, {
  construct(target, args) {
    if (args.length === 0) touched.push("new Date()");
    return Reflect.construct(target, args);
  },
});
watched.push("new Date()");
for (const name of ["Deno", "Bun", "process"]) watchGlobal(name);

let error: string | null = null;
try {
  await import(target);
} catch (err) {
  error = String(err);
}
log(stringify({ touched, watched, error }));
