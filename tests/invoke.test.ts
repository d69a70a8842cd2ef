// The command line's --invoke helpers in-process (src/invoke.ts): export signatures read from the binary, arguments
// parsed as wasmtime parses them, results printed as wasmtime prints them. tests/cli.test.ts runs --invoke itself.

import { test } from "node:test";
import assert from "node:assert/strict";
import { exportSignatures, formatFloat, formatResult, parseArg } from "../src/invoke.ts";
import { guest } from "./guest_runner.ts";

test("exportSignatures reads every exported function's types, a re-exported import's too, and skips the rest", () => {
  const sigs = Object.fromEntries(exportSignatures(guest("invoke")));
  assert.deepEqual(sigs, {
    _initialize: { params: [], results: [] },
    initialized: { params: [], results: ["i32"] },
    add_i32: { params: ["i32", "i32"], results: ["i32"] },
    add_i64: { params: ["i64", "i64"], results: ["i64"] },
    div_f32: { params: ["f32", "f32"], results: ["f32"] },
    div_f64: { params: ["f64", "f64"], results: ["f64"] },
    swap: { params: ["i32", "i64"], results: ["i64", "i32"] },
    hello: { params: [], results: [] },
    exit: { params: ["i32"], results: [] },
    exit_import: { params: ["i32"], results: [] },
    trap: { params: [], results: [] },
    ref: { params: ["externref"], results: [] },
  });
  const reactor = exportSignatures(guest("reactor"));
  assert.deepEqual(reactor.get("add_and_print"), { params: ["i32", "i32"], results: ["i32"] });
  assert.deepEqual(reactor.get("_initialize"), { params: [], results: [] });
  assert.equal(reactor.get("memory"), undefined);
});

test("exportSignatures throws a RangeError on a truncated module", () => {
  const bytes = guest("invoke");
  assert.throws(() => exportSignatures(bytes.subarray(0, 40)), RangeError);
});

test("parseArg: integers decimal or 0x hex, signed or unsigned, within the type; the value wraps to signed", () => {
  const ok: [string, string, number | bigint][] = [
    ["i32", "0", 0],
    ["i32", "+7", 7],
    ["i32", "-2147483648", -2147483648],
    ["i32", "2147483647", 2147483647],
    ["i32", "4294967295", -1],
    ["i32", "0xffffffff", -1],
    ["i32", "0X10", 16],
    ["i32", "-0x10", -16],
    ["i32", "007", 7],
    ["i64", "-9223372036854775808", -(2n ** 63n)],
    ["i64", "18446744073709551615", -1n],
    ["i64", "0x8000000000000000", -(2n ** 63n)],
    ["i64", "12", 12n],
  ];
  for (const [t, text, v] of ok) assert.equal(parseArg(t as "i32", text), v, `${t} ${text}`);
  const bad: [string, string][] = [
    ["i32", "4294967296"],
    ["i32", "-2147483649"],
    ["i32", "0x100000000"],
    ["i32", "1.0"],
    ["i32", "1e3"],
    ["i32", ""],
    ["i32", " 1"],
    ["i32", "0x"],
    ["i32", "1_000"],
    ["i64", "18446744073709551616"],
    ["i64", "-9223372036854775809"],
  ];
  for (const [t, text] of bad) assert.equal(parseArg(t as "i32", text), undefined, `${t} ${JSON.stringify(text)}`);
});

test("parseArg: floats as Rust's from_str (decimal, exponent, inf, infinity, nan), f32 rounded; never hex", () => {
  const ok: [string, string, number][] = [
    ["f64", "1.5", 1.5],
    ["f64", "-.5", -0.5],
    ["f64", "5.", 5],
    ["f64", "1e-3", 0.001],
    ["f64", "+2E2", 200],
    ["f64", "inf", Infinity],
    ["f64", "-Infinity", -Infinity],
    ["f64", "INF", Infinity],
    ["f32", "0.1", Math.fround(0.1)],
    ["f32", "16777217", 16777216],
    ["f32", "1e39", Infinity],
  ];
  for (const [t, text, v] of ok) assert.equal(parseArg(t as "f64", text), v, `${t} ${text}`);
  assert.ok(Number.isNaN(parseArg("f64", "nan")));
  assert.ok(Number.isNaN(parseArg("f32", "-NaN")));
  assert.ok(Object.is(parseArg("f64", "-0"), -0));
  for (const text of ["0x10", "", ".", "e5", "1e", "Infinityx", " 1", "1,5", "infinite"]) {
    assert.equal(parseArg("f64", text), undefined, JSON.stringify(text));
  }
  for (const t of ["v128", "externref", "funcref", "ref"] as const) assert.equal(parseArg(t, "0"), undefined, t);
});

test("formatFloat writes Rust's Display: shortest round-trip digits, plain decimal, inf, NaN, -0", () => {
  const f64: [number, string][] = [
    [1, "1"],
    [0.1, "0.1"],
    [1 / 3, "0.3333333333333333"],
    [-2.5, "-2.5"],
    [1e21, "1000000000000000000000"],
    [1.5e300, "15" + "0".repeat(299)],
    [1e-7, "0.0000001"],
    [5e-324, "0." + "0".repeat(323) + "5"],
    [123456.789, "123456.789"],
    [Infinity, "inf"],
    [-Infinity, "-inf"],
    [NaN, "NaN"],
    [0, "0"],
    [-0, "-0"],
  ];
  for (const [x, text] of f64) assert.equal(formatFloat(x, false), text, String(x));
  const f32: [number, string][] = [
    [Math.fround(0.1), "0.1"],
    [Math.fround(1 / 3), "0.33333334"],
    [16777216, "16777216"],
    [Math.fround(3.4028234663852886e38), "340282350000000000000000000000000000000"],
    [Math.fround(1e-45), "0.000000000000000000000000000000000000000000001"],
    [Math.fround(-1.1), "-1.1"],
  ];
  for (const [x, text] of f32) assert.equal(formatFloat(x, true), text, String(x));
});

test("formatResult: integers as the signed values the engine returns, references by kind", () => {
  assert.equal(formatResult("i32", -1), "-1");
  assert.equal(formatResult("i64", -(2n ** 63n)), "-9223372036854775808");
  assert.equal(formatResult("f32", Math.fround(0.1)), "0.1");
  assert.equal(formatResult("externref", null), "<null externref>");
  assert.equal(formatResult("funcref", () => 0), "<funcref>");
});
