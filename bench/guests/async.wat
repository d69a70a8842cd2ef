;; async guest (a reactor): the calls async mode wraps, each in a loop; every run returns the OR of the errnos.
;;   write_loop(n)  fd_write of 16 bytes to fd 1
;;   read_loop(n)   fd_read of up to 16 bytes from fd 0
;;   poll_loop(n)   poll_oneoff on one relative clock of 0 ns (ready at once)
;;   yield_loop(n)  sched_yield
;;   sleep(ms)      poll_oneoff on one relative monotonic clock of ms milliseconds
;;   drain()        fd_read from fd 0 until end of input; returns the byte count (-1 on an error)
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $yield (result i32)))
  (memory (export "memory") 1)
  ;; 16 bytes at 0x100; the iovec {0x100, 16} at 0x80; the count at 0x88
  (data (i32.const 0x100) "0123456789abcde\n")
  (data (i32.const 0x80) "\00\01\00\00\10\00\00\00")
  (func (export "_initialize"))
  (func (export "write_loop") (param $n i32) (result i32) (local $e i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $e (i32.or (local.get $e) (call $fd_write (i32.const 1) (i32.const 0x80) (i32.const 1) (i32.const 0x88))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $e))
  (func (export "read_loop") (param $n i32) (result i32) (local $e i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $e (i32.or (local.get $e) (call $fd_read (i32.const 0) (i32.const 0x80) (i32.const 1) (i32.const 0x88))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $e))
  (func $clock (param $ns i64)
    ;; subscription at 0x200 (48 bytes): clock, monotonic, relative timeout $ns
    (memory.fill (i32.const 0x200) (i32.const 0) (i32.const 48))
    (i32.store (i32.const 0x210) (i32.const 1))
    (i64.store (i32.const 0x218) (local.get $ns)))
  (func (export "poll_loop") (param $n i32) (result i32) (local $e i32)
    (call $clock (i64.const 0))
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $e (i32.or (local.get $e) (call $poll (i32.const 0x200) (i32.const 0x300) (i32.const 1) (i32.const 0x88))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $e))
  (func (export "yield_loop") (param $n i32) (result i32) (local $e i32)
    (block $done (loop $l
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $e (i32.or (local.get $e) (call $yield)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $l)))
    (local.get $e))
  (func (export "sleep") (param $ms i32) (result i32)
    (call $clock (i64.mul (i64.extend_i32_u (local.get $ms)) (i64.const 1000000)))
    (call $poll (i32.const 0x200) (i32.const 0x300) (i32.const 1) (i32.const 0x88)))
  (func (export "drain") (result i32) (local $total i32)
    (block $done (loop $l
      (if (call $fd_read (i32.const 0) (i32.const 0x80) (i32.const 1) (i32.const 0x88)) (then (return (i32.const -1))))
      (br_if $done (i32.eqz (i32.load (i32.const 0x88))))
      (local.set $total (i32.add (local.get $total) (i32.load (i32.const 0x88))))
      (br $l)))
    (local.get $total)))
