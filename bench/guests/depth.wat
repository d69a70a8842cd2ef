;; Path depth guest: loops path_filestat_get, or path_open + fd_close, on one of four paths under the preopen at
;; fd 3: data.bin (depth 0), d0/d1/data.bin (2), d0/d1/d2/d3/data.bin (4), d0/d1/.../d7/data.bin (8).
;; setup(depth) picks the path; every loop returns the OR of its errnos (0 = all ok).
(module
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (memory (export "memory") 1)
  ;; 0x80: opened fd; 0x100: filestat; 0x200 + 0x40 * depth: the path of that depth ("d0/" to "d{depth-1}/", then
  ;; "data.bin": 3 bytes a level).
  (data (i32.const 0x200) "data.bin")
  (data (i32.const 0x280) "d0/d1/data.bin")
  (data (i32.const 0x300) "d0/d1/d2/d3/data.bin")
  (data (i32.const 0x400) "d0/d1/d2/d3/d4/d5/d6/d7/data.bin")
  (global $ptr (mut i32) (i32.const 0x200))
  (global $len (mut i32) (i32.const 8))

  ;; Picks the path of depth 0, 2, 4 or 8.
  (func (export "setup") (param $depth i32)
    (global.set $ptr (i32.add (i32.const 0x200) (i32.mul (local.get $depth) (i32.const 0x40))))
    (global.set $len (i32.add (i32.const 8) (i32.mul (local.get $depth) (i32.const 3)))))

  (func (export "stat") (param $n i32) (result i32)
    (local $err i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $err (i32.or (local.get $err)
        (call $path_filestat_get (i32.const 3) (i32.const 1) (global.get $ptr) (global.get $len) (i32.const 0x100))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $err))

  ;; rights: FD_READ | FD_SEEK | FD_TELL = 0x26
  (func (export "open_close") (param $n i32) (result i32)
    (local $err i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $err (i32.or (local.get $err)
        (call $path_open (i32.const 3) (i32.const 1) (global.get $ptr) (global.get $len) (i32.const 0)
          (i64.const 0x26) (i64.const 0) (i32.const 0) (i32.const 0x80))))
      (local.set $err (i32.or (local.get $err) (call $fd_close (i32.load (i32.const 0x80)))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $err)))
