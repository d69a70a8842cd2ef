// End to end: the yosys example (examples/yosys/) in a real workerd and on Deno.serve, each on 127.0.0.1 on a free
// port, stopped afterwards: yosys synthesizes the request body with its share/ tree fetched on demand from the same
// origin's static assets (a workerd disk service; files on Deno), fetching only what it opens, once per isolate.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { EdgeServer } from "../examples/edge/servers.ts";
import { startYosysDeno, startYosysWorkerd } from "../examples/yosys/servers.ts";
import type { SynthAnswer } from "../examples/yosys/handler.ts";
import { COUNTER_V } from "../examples/yosys/tree.ts";

const T = { timeout: 300_000 };

async function synth(url: string, body: string, query = ""): Promise<{ status: number; json: SynthAnswer }> {
  const res = await fetch(`${url}/synth${query}`, { method: "POST", body });
  const text = await res.text();
  try {
    return { status: res.status, json: JSON.parse(text) };
  } catch {
    assert.fail(`${res.status}, not JSON: ${text.slice(0, 500)}`);
  }
}

function checks(url: () => string) {
  test(
    "a counter synthesized for iCE40: the netlist's cells, and only a few files of the tree fetched",
    T,
    async () => {
      const { status, json } = await synth(url(), COUNTER_V);
      assert.equal(status, 200);
      assert.equal(json.exitCode, 0, json.stderr);
      assert.deepEqual(json.cells, { SB_CARRY: 2, SB_DFF: 4, SB_LUT4: 4 });
      assert.ok(json.fetched.requests > 5 && json.fetched.requests < 25, `${json.fetched.requests} requests`);
      assert.ok(json.fetched.bytes < 400_000, `${json.fetched.bytes} bytes of 8.5 MB`);
    },
  );

  test("the next request in the same isolate fetches nothing: the FetchFs cache serves it", T, async () => {
    const { json } = await synth(url(), COUNTER_V.replace("[3:0]", "[2:0]"));
    assert.equal(json.exitCode, 0, json.stderr);
    assert.deepEqual(json.cells, { SB_CARRY: 1, SB_DFF: 3, SB_LUT4: 3 });
    assert.deepEqual(json.fetched, { requests: 0, bytes: 0 });
  });

  test("the tree is the origin's static assets: a Range request for cells_sim.v is a 206", T, async () => {
    const res = await fetch(`${url()}/tree/share/ice40/cells_sim.v`, { headers: { range: "bytes=0-9" } });
    assert.equal(res.status, 206);
    assert.equal(res.headers.get("content-range"), "bytes 0-9/153943");
    assert.equal((await res.arrayBuffer()).byteLength, 10);
  });

  test("a design with an error: yosys's exit code and message come back, and the server goes on", T, async () => {
    const { status, json } = await synth(url(), "module top(input a); assign b = ; endmodule\n");
    assert.equal(status, 200);
    assert.notEqual(json.exitCode, 0);
    assert.match(json.stderr, /ERROR/);
    assert.deepEqual(json.cells, {});
    const health = await fetch(`${url()}/health`);
    assert.equal(await health.text(), "ok\n");
  });
}

describe("the yosys example in workerd", () => {
  let server: EdgeServer | undefined;
  before(async () => {
    server = await startYosysWorkerd();
  }, T);
  after(async () => {
    const output = server?.output() ?? "";
    await server?.stop();
    assert.doesNotMatch(output, /Uncaught|error:/i, `workerd logged an error:\n${output}`);
  });
  checks(() => server!.url);
});

describe("the yosys example on Deno.serve", () => {
  let server: EdgeServer | undefined;
  before(async () => {
    server = await startYosysDeno();
  }, T);
  after(async () => {
    await server?.stop();
  });
  checks(() => server!.url);
});
