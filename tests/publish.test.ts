// What `deno publish` ships must work on JSR as published: every relative link in its Markdown reaches a published file
// (and a heading there whose anchor is the same on JSR and GitHub), and every JSDoc example imports Hostcall by its
// package name. The published files are computed from deno.json's excludes, as `deno publish` applies them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const config: { name: string; exports: Record<string, string>; exclude: string[]; publish: { exclude: string[] } } =
  JSON.parse(readFileSync(join(ROOT, "deno.json"), "utf8"));

/**
 * Files whose example still imports by a relative path, each with what will fix it. The test fails when one of them
 * no longer does, so the entry is removed then.
 */
const PENDING: Record<string, string> = {};

/** Whether repository path `path` matches a deno.json exclude entry (`dir/`, `file`, `dir/*.ext`). */
function matches(entry: string, path: string): boolean {
  const e = entry.replace(/^\.\//, "");
  if (e.endsWith("/")) return path.startsWith(e);
  if (e.includes("*")) {
    const re = new RegExp("^" + e.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*") + "$");
    return re.test(path);
  }
  return path === e || path.startsWith(e + "/");
}

/** Every file of the checkout `deno publish` would ship (the same list as its --dry-run). */
function publishedFiles(): Set<string> {
  const out = new Set<string>();
  const excludes = [...config.exclude, ...config.publish.exclude];
  const walk = (dir: string) => {
    for (const name of readdirSync(join(ROOT, dir))) {
      if (name.startsWith(".")) continue; // deno publish leaves hidden files out (.gitignore, .npmrc, .ci/)
      const path = dir === "" ? name : `${dir}/${name}`;
      if (statSync(join(ROOT, path)).isDirectory()) {
        if (!excludes.some((e) => matches(e, path + "/"))) walk(path);
      } else if (!excludes.some((e) => matches(e, path))) out.add(path);
    }
  };
  walk("");
  return out;
}

const PUBLISHED = publishedFiles();

/** The heading lines of a Markdown text, outside fenced code. */
function headings(md: string): string[] {
  const out: string[] = [];
  let fenced = false;
  for (const line of md.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    else if (!fenced && /^#{1,6} /.test(line)) out.push(line.replace(/^#+ /, ""));
  }
  return out;
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
function githubSlug(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, "").replace(/ /g, "-");
}

/** The anchor JSR (deno_doc) gives a heading: lower case, backticks dropped, spaces as hyphens; punctuation stays. */
function jsrSlug(text: string): string {
  return text.toLowerCase().replace(/`/g, "").replace(/ /g, "-");
}

/** The relative links of a Markdown text (`[text](path#anchor)`), outside fenced code. */
function links(md: string): string[] {
  let fenced = false;
  const out: string[] = [];
  for (const line of md.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    if (fenced) continue;
    for (const m of line.matchAll(/\]\(([^)\s]+)\)/g)) if (!/^[a-z]+:/.test(m[1])) out.push(m[1]);
  }
  return out;
}

test("the slug rules: GitHub drops punctuation, JSR keeps it; a heading of words has the same anchor on both", () => {
  assert.equal(githubSlug("Sleeping without Atomics.wait"), "sleeping-without-atomicswait");
  assert.equal(jsrSlug("Sleeping without Atomics.wait"), "sleeping-without-atomics.wait");
  assert.equal(jsrSlug("How many {#fd-limit}"), "how-many-{#fd-limit}");
  assert.equal(githubSlug("MemoryFs JS API"), jsrSlug("MemoryFs JS API"));
  assert.equal(githubSlug("poll_oneoff"), "poll_oneoff");
});

test("deno publish ships the README, docs/ and the edge example, and no tests, scripts or lockfile", () => {
  for (const f of ["README.md", "mod.ts", "cli.ts", "deno.json", "docs/decisions.md", "examples/edge/README.md"]) {
    assert.ok(PUBLISHED.has(f), `${f} is published`);
  }
  for (const f of ["package-lock.json", "tests/cli.test.ts", "scripts/test.mjs", "examples/wc.wasm"]) {
    assert.ok(!PUBLISHED.has(f), `${f} is not published`);
  }
});

test("every relative link in the published Markdown reaches a published file, and its anchor a heading", () => {
  let checked = 0;
  for (const file of [...PUBLISHED].filter((f) => f.endsWith(".md"))) {
    const md = readFileSync(join(ROOT, file), "utf8");
    for (const link of links(md)) {
      const [path, anchor] = link.split("#");
      const target = path === "" ? file : normalize(join(dirname(file), path)).replace(/\/$/, "");
      const where = `${file}: (${link})`;
      assert.ok(existsSync(join(ROOT, target)), `${where}: ${target} does not exist`);
      const isDir = statSync(join(ROOT, target)).isDirectory();
      const shipped = isDir ? [...PUBLISHED].some((f) => f.startsWith(target + "/")) : PUBLISHED.has(target);
      assert.ok(shipped, `${where}: ${target} is not published`);
      if (anchor !== undefined) {
        assert.ok(target.endsWith(".md"), `${where}: an anchor into a file that is not Markdown`);
        const found = headings(readFileSync(join(ROOT, target), "utf8"))
          .some((h) => githubSlug(h) === anchor && jsrSlug(h) === anchor);
        assert.ok(found, `${where}: no heading in ${target} whose anchor is #${anchor} on both JSR and GitHub`);
      }
      checked++;
    }
  }
  assert.ok(checked >= 15, `only ${checked} links checked`);
});

/** The module specifiers imported by the code blocks of the JSDoc comments in `source`. */
function exampleImports(source: string): string[] {
  const out: string[] = [];
  for (const comment of source.matchAll(/\/\*\*([^]*?)\*\//g)) {
    const text = comment[1].split("\n").map((l) => l.replace(/^\s*\* ?/, "")).join("\n");
    for (const block of text.matchAll(/```(?:ts|js|tsx|typescript)\n([^]*?)```/g)) {
      for (const m of block[1].matchAll(/^import\b[^"']*["']([^"']+)["']/gm)) out.push(m[1]);
    }
  }
  return out;
}

test("every JSDoc example of the package's modules imports Hostcall by its package name, as a JSR user would", () => {
  const names = new Set(Object.keys(config.exports).map((k) => k === "." ? config.name : config.name + k.slice(1)));
  let checked = 0;
  for (const file of [...PUBLISHED].filter((f) => f.endsWith(".ts") && !f.startsWith("examples/"))) {
    const imports = exampleImports(readFileSync(join(ROOT, file), "utf8"));
    const relativeOnes = imports.filter((s) => s.startsWith("."));
    if (Object.hasOwn(PENDING, file)) {
      assert.ok(relativeOnes.length > 0, `${file} is fixed: remove it from PENDING (${PENDING[file]})`);
      continue;
    }
    assert.deepEqual(relativeOnes, [], `${file}: examples import by a relative path`);
    for (const s of imports) {
      const bare = s.replace(/^jsr:/, "");
      if (bare.startsWith(config.name)) assert.ok(names.has(bare), `${file}: ${s} is not an export of deno.json`);
      else assert.match(s, /^node:/, `${file}: ${s}`);
      checked++;
    }
  }
  assert.ok(checked >= 12, `only ${checked} example imports checked`);
});

test("the package's own name resolves here: deno.json maps every export to a file that exists", () => {
  for (const [key, path] of Object.entries(config.exports)) {
    assert.ok(existsSync(join(ROOT, path)), `${key} -> ${path}`);
    assert.ok(PUBLISHED.has(relative(ROOT, join(ROOT, path))), `${path} is published`);
  }
});
