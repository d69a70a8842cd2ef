;; Filesystem guest: loops over path_filestat_get, path_open + fd_close, fd_seek + fd_read 4 KiB and
;; fd_readdir, on the preopen at fd 3 (which holds sub/file.txt and big/ with 1000 entries).
;; Every loop returns the OR of its errnos (0 = all ok).
(module
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 2)
  ;; 0x80: opened fd; 0x84: the file fd kept open by setup; 0x88: the dir fd; 0x90: seek result;
  ;; 0x98: nread / bufused; 0xa0: iovec {0x1000, 4096}; 0x200: "sub/file.txt"; 0x220: "big".
  (data (i32.const 0xa0) "\00\10\00\00\00\10\00\00")
  (data (i32.const 0x200) "sub/file.txt")
  (data (i32.const 0x220) "big")

  ;; Opens sub/file.txt (read + seek) at 0x84 and big/ (readdir) at 0x88; returns the OR of errnos.
  (func (export "setup") (param i32)
    (drop (call $path_open (i32.const 3) (i32.const 1) (i32.const 0x200) (i32.const 12) (i32.const 0)
      (i64.const 0x26) (i64.const 0) (i32.const 0) (i32.const 0x84)))
    (drop (call $path_open (i32.const 3) (i32.const 1) (i32.const 0x220) (i32.const 3) (i32.const 2)
      (i64.const 0x4000) (i64.const 0) (i32.const 0) (i32.const 0x88))))

  (func (export "stat") (param $n i32) (result i32)
    (local $err i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $err (i32.or (local.get $err)
        (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 0x200) (i32.const 12) (i32.const 0x400))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $err))

  ;; rights: FD_READ | FD_SEEK | FD_TELL = 0x26
  (func (export "open_close") (param $n i32) (result i32)
    (local $err i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $err (i32.or (local.get $err)
        (call $path_open (i32.const 3) (i32.const 1) (i32.const 0x200) (i32.const 12) (i32.const 0)
          (i64.const 0x26) (i64.const 0) (i32.const 0) (i32.const 0x80))))
      (local.set $err (i32.or (local.get $err) (call $fd_close (i32.load (i32.const 0x80)))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $err))

  (func (export "seek_read") (param $n i32) (result i32)
    (local $err i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $err (i32.or (local.get $err)
        (call $fd_seek (i32.load (i32.const 0x84)) (i64.const 0) (i32.const 0) (i32.const 0x90))))
      (local.set $err (i32.or (local.get $err)
        (call $fd_read (i32.load (i32.const 0x84)) (i32.const 0xa0) (i32.const 1) (i32.const 0x98))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $err))

  ;; Reads the whole listing from cookie 0 into a 64 KiB buffer at 0x10000, n times.
  (func (export "readdir") (param $n i32) (result i32)
    (local $err i32)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $err (i32.or (local.get $err)
        (call $fd_readdir (i32.load (i32.const 0x88)) (i32.const 0x10000) (i32.const 0x10000) (i64.const 0)
          (i32.const 0x98))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $err)))
