;; missing_import: imports a function and a memory from "env", which no WASI host provides; never runs.
(module
  (import "env" "host_add" (func $host_add (param i32 i32) (result i32)))
  (import "env" "memory" (memory 1))
  (export "memory" (memory 0))
  (func (export "_start") (drop (call $host_add (i32.const 1) (i32.const 2)))))
