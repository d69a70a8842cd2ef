;; async_reactor: a reactor for async mode. Exports: sleep_ms(ms) sleeps on poll_oneoff (a relative monotonic clock)
;; and returns its errno; write_hi() writes "hi\n" to fd 1 and returns the errno; add(a, b); via_js(ms) calls the host's
;; env.cb(ms), which may call back into sleep_ms (a JS frame between the guest and a waiting call); trap_after_write()
;; writes "hi\n", then traps.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "cb" (func $cb (param i32) (result i32)))
  (memory (export "memory") 1)
  ;; "hi\n" at 512; its iovec at 520
  (data (i32.const 512) "hi\n")
  (func (export "_initialize"))
  (func $sleep_ms (export "sleep_ms") (param $ms i32) (result i32)
    ;; subscription at 0 (48 bytes): userdata 7, tag 0 (clock), id 1 (monotonic) at 16, timeout at 24, flags 0 at 40
    (memory.fill (i32.const 0) (i32.const 0) (i32.const 48))
    (i64.store (i32.const 0) (i64.const 7))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.mul (i64.extend_i32_u (local.get $ms)) (i64.const 1000000)))
    ;; event out at 64, nevents at 128
    (call $poll (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128)))
  (func $write_hi (export "write_hi") (result i32)
    (i32.store (i32.const 520) (i32.const 512))
    (i32.store (i32.const 524) (i32.const 3))
    (call $fd_write (i32.const 1) (i32.const 520) (i32.const 1) (i32.const 528)))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "via_js") (param $ms i32) (result i32) (call $cb (local.get $ms)))
  (func (export "trap_after_write") (drop (call $write_hi)) unreachable))
