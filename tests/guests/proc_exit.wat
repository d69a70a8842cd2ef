;; proc_exit: prints "exiting\n", calls proc_exit(7); the code after it (a message, then unreachable) must never run.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "exiting\n")
  (data (i32.const 32) "proc_exit returned\n")

  ;; Writes len bytes at ptr to stdout through one iovec at 0 (nwritten at 8).
  (func $emit (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  (func (export "_start")
    (call $emit (i32.const 16) (i32.const 8))
    (call $proc_exit (i32.const 7))
    (call $emit (i32.const 32) (i32.const 19))
    unreachable))
