;; async_reactor: a reactor for async mode. Exports: sleep_ms(ms) sleeps on poll_oneoff (a relative monotonic clock)
;; and returns its errno; write_hi() writes "hi\n" to fd 1 and returns the errno; add(a, b); via_js(ms) calls the host's
;; env.cb(ms), which may call back into sleep_ms (a JS frame between the guest and a waiting call); trap_after_write()
;; writes "hi\n", then traps; writev_big() writes two iovecs of 768 KiB ('a's then 'b's, apart in memory) to fd 1 in one
;; fd_write and returns the count written (or -errno).
(module
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "env" "cb" (func $cb (param i32) (result i32)))
  (memory (export "memory") 32)
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
  (func (export "trap_after_write") (drop (call $write_hi)) unreachable)
  (func (export "writev_big") (result i32) (local $e i32)
    (memory.fill (i32.const 0x10000) (i32.const 97) (i32.const 0xc0000))
    (memory.fill (i32.const 0xe0000) (i32.const 98) (i32.const 0xc0000))
    ;; iovecs at 0x200: {0x10000, 0xc0000}, {0xd0000, 0xc0000}; the count at 0x220
    (i32.store (i32.const 0x200) (i32.const 0x10000)) (i32.store (i32.const 0x204) (i32.const 0xc0000))
    (i32.store (i32.const 0x208) (i32.const 0xe0000)) (i32.store (i32.const 0x20c) (i32.const 0xc0000))
    (local.set $e (call $fd_write (i32.const 1) (i32.const 0x200) (i32.const 2) (i32.const 0x220)))
    (if (result i32) (local.get $e) (then (i32.sub (i32.const 0) (local.get $e))) (else (i32.load (i32.const 0x220))))))
