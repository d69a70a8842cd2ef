// A Deno.serve hello-world on 127.0.0.1:PORT (argv), the reference beside the C guest in bench/http_server.mjs.
Deno.serve(
  { hostname: "127.0.0.1", port: Number(Deno.args[0]), onListen() {} },
  () => new Response("Hello from Deno.serve!\n"),
);
