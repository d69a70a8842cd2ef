// The edge example as an ES module worker for workerd / Cloudflare Workers. The guest is a wasm module binding: the
// import gives a compiled WebAssembly.Module (workerd refuses to compile wasm from bytes inside a request).
// Bundle it (esbuild, ./guest.wasm left external) and run it with workerd.capnp: see README.md.
//
// Plain JavaScript, and excluded from `deno check` in deno.json: Deno would try to load the .wasm import as a module.

import guest from "./guest.wasm";
import { handle } from "./handler.ts";

export default {
  /** @param {Request} request */
  fetch(request) {
    return handle(request, guest);
  },
};
