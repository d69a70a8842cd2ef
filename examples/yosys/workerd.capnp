# workerd config for the yosys example: the worker (dist/worker.js, bundled by esbuild; yosys.wasm beside it, a copy of
# node_modules/@yowasp/yosys/gen/yosys.core.wasm) and the tree as a read-only disk service bound as ASSETS.
# The tree's directory defaults to ./tree (relative to where workerd runs); examples/yosys/servers.ts writes it and
# passes --directory-path=assets=<dir> and --socket-addr=http=127.0.0.1:<port>.
#
#   workerd serve examples/yosys/workerd.capnp --directory-path=assets=<tree dir>

using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "yosys", worker = .yosys),
    (name = "assets", disk = (path = "tree", writable = false)),
  ],
  sockets = [(name = "http", address = "127.0.0.1:8789", http = (), service = "yosys")],
);

const yosys :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "dist/worker.js"),
    (name = "yosys.wasm", wasm = embed "yosys.wasm"),
  ],
  bindings = [(name = "ASSETS", service = "assets")],
  compatibilityDate = "2026-11-01",
);
