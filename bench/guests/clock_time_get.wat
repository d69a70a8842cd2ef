;; clock_time_get guest: run(n) reads clock $id n times into memory[8..16].
;; setup(id) picks the clock (0 realtime, 1 monotonic); run returns the OR of every errno (0 = all ok).
(module
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (global $id (mut i32) (i32.const 1))
  (func (export "setup") (param $id i32)
    (global.set $id (local.get $id)))
  (func (export "run") (param $n i32) (result i32)
    (local $err i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $err
          (i32.or (local.get $err)
            (call $clock_time_get (global.get $id) (i64.const 1) (i32.const 8))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $err)))
