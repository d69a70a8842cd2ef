// What a module imports against what it is given: missing imports named before the engine's LinkError, and the
// memory a module imports (-Wl,--import-memory, every wasm32-wasip1-threads module).

/** Most names listed per import module, and in all, in the message about missing imports. */
const PER_MODULE = 8, IN_ALL = 24;

/** The imports `module` needs that `imports` lacks, as `module.name` (with the kind when not a function). */
export function missingImports(
  module: WebAssembly.Module,
  imports: WebAssembly.Imports,
): WebAssembly.ModuleImportDescriptor[] {
  const table = imports as Record<string, Record<string, unknown> | undefined>;
  return WebAssembly.Module.imports(module).filter((d) => {
    const v = table[d.module]?.[d.name];
    switch (d.kind) {
      case "function":
        return typeof v !== "function" && (typeof v !== "object" || v === null); // a Suspending import is an object
      case "memory":
        return !(v instanceof WebAssembly.Memory);
      case "table":
        return !(v instanceof WebAssembly.Table);
      case "global":
        return v === undefined;
      default:
        return v === undefined;
    }
  });
}

/**
 * One readable line about missing imports, grouped by import module, at most 8 names per module and 24 in all:
 * `missing imports: env: host_add, host_log, memory (memory); wasi_snapshot_preview1: sock_open … and 40 more`.
 */
export function describeMissing(missing: readonly WebAssembly.ModuleImportDescriptor[]): string {
  const byModule = groupByModule(missing);
  let listed = 0;
  const parts: string[] = [];
  for (const [mod, names] of byModule) {
    const room = Math.min(PER_MODULE, IN_ALL - listed);
    if (room <= 0) break;
    const shown = names.slice(0, room);
    listed += shown.length;
    parts.push(
      `${mod}: ${shown.join(", ")}${names.length > shown.length ? ` and ${names.length - shown.length} more` : ""}`,
    );
  }
  const rest = parts.length < byModule.size ? ` (and ${byModule.size - parts.length} more modules)` : "";
  return `missing import${missing.length === 1 ? "" : "s"} (${missing.length}): ${parts.join("; ")}${rest}`;
}

/**
 * Import descriptors grouped by import module, in order, each as its name (cut at 60 characters) with its kind when it
 * is not a function: `memory (memory)`. Shared by `describeMissing` and the CLI's message.
 */
export function groupByModule(imports: readonly WebAssembly.ModuleImportDescriptor[]): Map<string, string[]> {
  const byModule = new Map<string, string[]>();
  for (const d of imports) {
    const name = (d.name.length > 60 ? d.name.slice(0, 59) + "…" : d.name) +
      (d.kind === "function" ? "" : ` (${d.kind})`);
    const names = byModule.get(d.module);
    if (names === undefined) byModule.set(d.module, [name]);
    else names.push(name);
  }
  return byModule;
}

/** The memory `module` imports, as found in `imports`; undefined when it imports none. */
export function importedMemory(
  module: WebAssembly.Module,
  imports: WebAssembly.Imports,
): WebAssembly.Memory | undefined {
  const table = imports as Record<string, Record<string, unknown> | undefined>;
  for (const d of WebAssembly.Module.imports(module)) {
    if (d.kind !== "memory") continue;
    const v = table[d.module]?.[d.name];
    if (v instanceof WebAssembly.Memory) return v;
  }
  return undefined;
}
