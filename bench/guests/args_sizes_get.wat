;; args_sizes_get guest: run(n) stores argc at 0x10 and the argv buffer size at 0x14, n times.
;; run returns the OR of every errno (0 = all ok).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (param $n i32) (result i32)
    (local $err i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $err
          (i32.or (local.get $err) (call $args_sizes_get (i32.const 0x10) (i32.const 0x14))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $err)))
