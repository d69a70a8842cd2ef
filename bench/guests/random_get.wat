;; random_get guest: run(n) fills memory[0x100..0x120] (32 bytes) with random bytes, n times.
;; run returns the OR of every errno (0 = all ok).
(module
  (import "wasi_snapshot_preview1" "random_get"
    (func $random_get (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (param $n i32) (result i32)
    (local $err i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $err
          (i32.or (local.get $err) (call $random_get (i32.const 0x100) (i32.const 32))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $err)))
