// The conformance suite on NodeFs (node:fs), on a fresh temp dir: runs on Deno, Bun and Node alike.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NodeFs } from "../../src/fs/node.ts";
import { conformance } from "./conformance.ts";

conformance("NodeFs", () => {
  const dir = mkdtempSync(join(tmpdir(), "hostcall-nodefs-"));
  return { fs: new NodeFs(dir), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
});
