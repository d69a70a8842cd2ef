// The yosys example as an ES module worker for workerd: yosys is a wasm module binding, the tree a disk service bound
// as ASSETS and served at /tree/ (Range requests included). Bundle it with esbuild (./yosys.wasm left external); see
// README.md. Plain JavaScript, excluded from `deno check` (Deno would try to load the .wasm import).

import yosys from "./yosys.wasm";
import { handle } from "./handler.ts";

export default {
  /**
   * @param {Request} request
   * @param {{ ASSETS: { fetch(r: Request): Promise<Response> } }} env
   */
  fetch(request, env) {
    // /tree/x is the disk service's /x: the tree is the same origin's static assets.
    const assets = (r) => {
      const path = new URL(r.url).pathname.slice("/tree".length);
      return env.ASSETS.fetch(new Request(`http://assets${path}`, { headers: r.headers, signal: r.signal }));
    };
    return handle(request, { yosys, assets });
  },
};
