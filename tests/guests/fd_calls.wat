;; fd_calls: calls fd_write/fd_read/fd_fdstat_get/fd_seek/fd_tell/fd_close/fd_prestat_* on stdio, a bad fd and fd 3; prints each errno.
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_tell" (func $fd_tell (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  ;; 0 iovec+nwritten for printing, 16 digits, 64 fdstat, 96 prestat, 104 u64 out, 112 count out,
  ;; 128 dir name, 200 one iovec, 256 16 iovecs, 512 16 chunks, 1024 + 64k label k (NUL-terminated).
  (memory (export "memory") 1)

  (data (i32.const 512) "iov00 ---------\n")
  (data (i32.const 528) "iov01 ---------\n")
  (data (i32.const 544) "iov02 ---------\n")
  (data (i32.const 560) "iov03 ---------\n")
  (data (i32.const 576) "iov04 ---------\n")
  (data (i32.const 592) "iov05 ---------\n")
  (data (i32.const 608) "iov06 ---------\n")
  (data (i32.const 624) "iov07 ---------\n")
  (data (i32.const 640) "iov08 ---------\n")
  (data (i32.const 656) "iov09 ---------\n")
  (data (i32.const 672) "iov10 ---------\n")
  (data (i32.const 688) "iov11 ---------\n")
  (data (i32.const 704) "iov12 ---------\n")
  (data (i32.const 720) "iov13 ---------\n")
  (data (i32.const 736) "iov14 ---------\n")
  (data (i32.const 752) "iov15 ---------\n")

  (data (i32.const 1024) "\n") ;; label 0
  (data (i32.const 1088) "gather errno=") ;; label 1
  (data (i32.const 1152) " nwritten=") ;; label 2
  (data (i32.const 1216) "write_zero_iovs errno=") ;; label 3
  (data (i32.const 1280) "write_bad_fd errno=") ;; label 4
  (data (i32.const 1344) "write_iovs_out_of_bounds errno=") ;; label 5
  (data (i32.const 1408) "write_buf_out_of_bounds errno=") ;; label 6
  (data (i32.const 1472) "fdstat_stdout errno=") ;; label 7
  (data (i32.const 1536) " filetype=") ;; label 8
  (data (i32.const 1600) "fdstat_bad_fd errno=") ;; label 9
  (data (i32.const 1664) "seek_stdout errno=") ;; label 10
  (data (i32.const 1728) "tell_stdout errno=") ;; label 11
  (data (i32.const 1792) "read_stdout errno=") ;; label 12
  (data (i32.const 1856) "prestat_3 errno=") ;; label 13
  (data (i32.const 1920) " type=") ;; label 14
  (data (i32.const 1984) " name_len=") ;; label 15
  (data (i32.const 2048) "prestat_dir_name_3 errno=") ;; label 16
  (data (i32.const 2112) " name=") ;; label 17
  (data (i32.const 2176) "fdstat_3 errno=") ;; label 18
  (data (i32.const 2240) "prestat_4 errno=") ;; label 19
  (data (i32.const 2304) "close_bad_fd errno=") ;; label 20

  ;; Writes len bytes at ptr to stdout through the iovec at 0.
  (func $emit (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Prints label k (a NUL-terminated string at 1024 + 64k).
  (func $say (param $k i32)
    (local $p i32) (local $end i32)
    (local.set $p (i32.add (i32.const 1024) (i32.mul (local.get $k) (i32.const 64))))
    (local.set $end (local.get $p))
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (local.get $end))))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $scan)))
    (call $emit (local.get $p) (i32.sub (local.get $end) (local.get $p))))

  ;; Prints n as unsigned decimal.
  (func $num (param $n i32)
    (local $p i32)
    (local.set $p (i32.const 48))
    (loop $digit
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p) (i32.add (i32.const 48) (i32.rem_u (local.get $n) (i32.const 10))))
      (local.set $n (i32.div_u (local.get $n) (i32.const 10)))
      (br_if $digit (local.get $n)))
    (call $emit (local.get $p) (i32.sub (i32.const 48) (local.get $p))))

  ;; Prints label k, then n, then a newline.
  (func $line (param $k i32) (param $n i32)
    (call $say (local.get $k)) (call $num (local.get $n)) (call $say (i32.const 0)))

  (func (export "_start")
    (local $i i32) (local $err i32)
    ;; 16 iovecs of 16 bytes, in reverse chunk order: the output must read iov15 .. iov00.
    (loop $fill
      (i32.store (i32.add (i32.const 256) (i32.mul (local.get $i) (i32.const 8)))
                 (i32.add (i32.const 512) (i32.mul (i32.sub (i32.const 15) (local.get $i)) (i32.const 16))))
      (i32.store (i32.add (i32.const 260) (i32.mul (local.get $i) (i32.const 8))) (i32.const 16))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 16))))
    (local.set $err (call $fd_write (i32.const 1) (i32.const 256) (i32.const 16) (i32.const 112)))
    (call $say (i32.const 1)) (call $num (local.get $err))
    (call $say (i32.const 2)) (call $num (i32.load (i32.const 112))) (call $say (i32.const 0))

    ;; Zero iovecs: success, nothing written.
    (i32.store (i32.const 112) (i32.const 99))
    (local.set $err (call $fd_write (i32.const 1) (i32.const 256) (i32.const 0) (i32.const 112)))
    (call $say (i32.const 3)) (call $num (local.get $err))
    (call $say (i32.const 2)) (call $num (i32.load (i32.const 112))) (call $say (i32.const 0))

    ;; Errors: EBADF (8) for fd 99, EFAULT (21) for an iovec array or a buffer past the end of memory.
    (call $line (i32.const 4) (call $fd_write (i32.const 99) (i32.const 256) (i32.const 1) (i32.const 112)))
    (call $line (i32.const 5) (call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 112)))
    (i32.store (i32.const 200) (i32.const 65530))
    (i32.store (i32.const 204) (i32.const 100))
    (call $line (i32.const 6) (call $fd_write (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 112)))

    ;; fdstat of stdout: errno and filetype.
    (i32.store8 (i32.const 64) (i32.const 99))
    (local.set $err (call $fd_fdstat_get (i32.const 1) (i32.const 64)))
    (call $say (i32.const 7)) (call $num (local.get $err))
    (call $say (i32.const 8)) (call $num (i32.load8_u (i32.const 64))) (call $say (i32.const 0))
    (call $line (i32.const 9) (call $fd_fdstat_get (i32.const 99) (i32.const 64)))

    ;; Stdout is a stream: seek and tell are ESPIPE (70); reading it is EBADF (8).
    (call $line (i32.const 10) (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 1) (i32.const 104)))
    (call $line (i32.const 11) (call $fd_tell (i32.const 1) (i32.const 104)))
    (i32.store (i32.const 200) (i32.const 128))
    (i32.store (i32.const 204) (i32.const 16))
    (call $line (i32.const 12) (call $fd_read (i32.const 1) (i32.const 200) (i32.const 1) (i32.const 112)))

    ;; fd 3: the first preopen, if any.
    (i32.store8 (i32.const 96) (i32.const 99))
    (i32.store (i32.const 100) (i32.const 0))
    (local.set $err (call $fd_prestat_get (i32.const 3) (i32.const 96)))
    (call $say (i32.const 13)) (call $num (local.get $err))
    (call $say (i32.const 14)) (call $num (i32.load8_u (i32.const 96)))
    (call $say (i32.const 15)) (call $num (i32.load (i32.const 100))) (call $say (i32.const 0))
    (if (i32.eqz (local.get $err))
      (then
        (local.set $err (call $fd_prestat_dir_name (i32.const 3) (i32.const 128) (i32.load (i32.const 100))))
        (call $say (i32.const 16)) (call $num (local.get $err))
        (call $say (i32.const 17)) (call $emit (i32.const 128) (i32.load (i32.const 100))) (call $say (i32.const 0))
        (i32.store8 (i32.const 64) (i32.const 99))
        (local.set $err (call $fd_fdstat_get (i32.const 3) (i32.const 64)))
        (call $say (i32.const 18)) (call $num (local.get $err))
        (call $say (i32.const 8)) (call $num (i32.load8_u (i32.const 64))) (call $say (i32.const 0))))
    (call $line (i32.const 19) (call $fd_prestat_get (i32.const 4) (i32.const 96)))
    (call $line (i32.const 20) (call $fd_close (i32.const 99)))))
