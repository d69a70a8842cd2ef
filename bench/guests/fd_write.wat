;; fd_write guest: run(n) writes the iovec vector chosen by setup(kind) to fd 1, n times.
;;   kind 0: 16 iovecs x 16 bytes (table at 0x100, bytes at 0x1000..0x1100, "0123456789abcde\n" each)
;;   kind 1: 1 iovec x 64 KiB    (table at 0x180, bytes at 0x10000..0x20000, 63 letters + "\n" per line)
;;   kind 2: 16 iovecs x 16 bytes apart (table at 0x200, line i at 0x2000 + 32*i, the same lines as kind 0):
;;           kind 0's lines follow one another in memory, so a host may write them as one run; these must be gathered
;; The byte count of the last call is at 0x80; run returns the OR of every errno (0 = all ok).
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (global $iovs (mut i32) (i32.const 0x100))
  (global $count (mut i32) (i32.const 16))
  (func (export "setup") (param $kind i32)
    (local $i i32)
    ;; 16 x 16: the iovec table and the sixteen lines
    (local.set $i (i32.const 0))
    (loop $iov
      (i32.store (i32.add (i32.const 0x100) (i32.mul (local.get $i) (i32.const 8)))
        (i32.add (i32.const 0x1000) (i32.mul (local.get $i) (i32.const 16))))
      (i32.store (i32.add (i32.const 0x104) (i32.mul (local.get $i) (i32.const 8))) (i32.const 16))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $iov (i32.lt_u (local.get $i) (i32.const 16))))
    (local.set $i (i32.const 0))
    (loop $line
      (i32.store8 (i32.add (i32.const 0x1000) (local.get $i))
        (select (i32.const 10)
          (i32.load8_u (i32.add (i32.const 0x40) (i32.and (local.get $i) (i32.const 15))))
          (i32.eq (i32.and (local.get $i) (i32.const 15)) (i32.const 15))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $line (i32.lt_u (local.get $i) (i32.const 256))))
    ;; 16 x 16 apart: the same sixteen lines, 16 bytes of gap after each
    (local.set $i (i32.const 0))
    (loop $apart
      (i32.store (i32.add (i32.const 0x200) (i32.mul (local.get $i) (i32.const 8)))
        (i32.add (i32.const 0x2000) (i32.mul (local.get $i) (i32.const 32))))
      (i32.store (i32.add (i32.const 0x204) (i32.mul (local.get $i) (i32.const 8))) (i32.const 16))
      (memory.copy (i32.add (i32.const 0x2000) (i32.mul (local.get $i) (i32.const 32)))
        (i32.add (i32.const 0x1000) (i32.mul (local.get $i) (i32.const 16))) (i32.const 16))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $apart (i32.lt_u (local.get $i) (i32.const 16))))
    ;; 1 x 64 KiB: one iovec over 1024 lines of 64 bytes
    (i32.store (i32.const 0x180) (i32.const 0x10000))
    (i32.store (i32.const 0x184) (i32.const 0x10000))
    (local.set $i (i32.const 0))
    (loop $big
      (i32.store8 (i32.add (i32.const 0x10000) (local.get $i))
        (select (i32.const 10)
          (i32.add (i32.const 97) (i32.rem_u (local.get $i) (i32.const 26)))
          (i32.eq (i32.and (local.get $i) (i32.const 63)) (i32.const 63))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $big (i32.lt_u (local.get $i) (i32.const 0x10000))))
    (global.set $iovs
      (select (i32.const 0x200) (select (i32.const 0x180) (i32.const 0x100) (local.get $kind))
        (i32.eq (local.get $kind) (i32.const 2))))
    (global.set $count (select (i32.const 1) (i32.const 16) (i32.eq (local.get $kind) (i32.const 1)))))
  (data (i32.const 0x40) "0123456789abcdef")
  (func (export "run") (param $n i32) (result i32)
    (local $err i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $err
          (i32.or (local.get $err)
            (call $fd_write (i32.const 1) (global.get $iovs) (global.get $count) (i32.const 0x80))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $err)))
