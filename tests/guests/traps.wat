;; traps: traps in the way the first letter of argv[1] names: u unreachable, m out-of-bounds load, d divide by zero,
;; o signed overflow, c NaN to integer, s endless recursion, i call_indirect with the wrong type; otherwise exits 0.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (type $void (func))
  (memory (export "memory") 1)
  (table 1 funcref)
  (elem (i32.const 0) $takes_i32)
  (func $takes_i32 (param i32))
  (func $recurse (call $recurse))

  (func (export "_start")
    (local $kind i32)
    ;; argc at 0, the size of the strings at 4; argv pointers at 64 (16 at most), the strings at 1024
    (drop (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (if (i32.lt_u (i32.load (i32.const 0)) (i32.const 2)) (then (return)))
    (if (i32.gt_u (i32.load (i32.const 0)) (i32.const 16)) (then (return)))
    (if (i32.gt_u (i32.load (i32.const 4)) (i32.const 60000)) (then (return)))
    (drop (call $args_get (i32.const 64) (i32.const 1024)))
    (local.set $kind (i32.load8_u (i32.load (i32.const 68))))
    (if (i32.eq (local.get $kind) (i32.const 117)) (then unreachable))
    (if (i32.eq (local.get $kind) (i32.const 109)) (then (drop (i32.load (i32.const 65536)))))
    (if (i32.eq (local.get $kind) (i32.const 100)) (then (drop (i32.div_u (local.get $kind) (i32.const 0)))))
    (if (i32.eq (local.get $kind) (i32.const 111))
      (then (drop (i32.div_s (i32.const 0x80000000) (i32.sub (i32.const 0) (i32.const 1))))))
    (if (i32.eq (local.get $kind) (i32.const 99)) (then (drop (i32.trunc_f32_s (f32.const nan)))))
    (if (i32.eq (local.get $kind) (i32.const 115)) (then (call $recurse)))
    (if (i32.eq (local.get $kind) (i32.const 105)) (then (call_indirect (type $void) (i32.const 0))))))
