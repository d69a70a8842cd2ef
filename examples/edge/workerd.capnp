# workerd config for the edge example: the same bundle in two workers, on two sockets.
#   "http" -> edge       compatibility date 2026-11-01 as is (nodejs_compat is the default there: process, node:*)
#   "bare" -> edge-bare  the same without Node.js compatibility: no process, no node:* modules
# enable_request_signal: request.signal aborts when the client goes away, which stops a streaming guest (/stream).
# The bundle is dist/worker.js (esbuild, see README.md); the guest is a wasm module, imported as "./guest.wasm".
# The ports here are defaults: override them with --socket-addr=http=127.0.0.1:PORT --socket-addr=bare=127.0.0.1:PORT.
#
#   workerd serve examples/edge/workerd.capnp

using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "edge", worker = .edge),
    (name = "edge-bare", worker = .edgeBare),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:8787", http = (), service = "edge"),
    (name = "bare", address = "127.0.0.1:8788", http = (), service = "edge-bare"),
  ],
);

const edge :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "dist/worker.js"),
    (name = "guest.wasm", wasm = embed "guest.wasm"),
  ],
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["enable_request_signal"],
);

const edgeBare :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "dist/worker.js"),
    (name = "guest.wasm", wasm = embed "guest.wasm"),
  ],
  compatibilityDate = "2026-11-01",
  compatibilityFlags = ["no_nodejs_compat", "no_nodejs_compat_v2", "enable_request_signal"],
);
