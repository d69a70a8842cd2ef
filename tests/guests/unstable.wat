;; unstable: a preview0 (wasi_unstable) guest: args, preview0 filestat layout (56 bytes, u32 nlink) and whence order (CUR=0 END=1 SET=2).
(module
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_unstable" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_unstable" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_close" (func $fd_close (param i32) (result i32)))
  ;; 0 iovec+nwritten for printing, 16 digits, 64 filestat (72 bytes filled with 0xAA first),
  ;; 160 u64 offset, 168 opened fd, 172 argc, 176 argv buf size, 256 argv, 512 argv buf, 1024 + 64k label k.
  (memory (export "memory") 1)
  (data (i32.const 4000) "hello.txt")

  (data (i32.const 1024) "\n") ;; label 0
  (data (i32.const 1088) "args_sizes errno=") ;; label 1
  (data (i32.const 1152) " argc=") ;; label 2
  (data (i32.const 1216) " buf_size=") ;; label 3
  (data (i32.const 1280) "args_get errno=") ;; label 4
  (data (i32.const 1344) "arg=") ;; label 5
  (data (i32.const 1408) "stdout_filestat errno=") ;; label 6
  (data (i32.const 1472) " filetype=") ;; label 7
  (data (i32.const 1536) " sentinel=") ;; label 8
  (data (i32.const 1600) "path_open errno=") ;; label 9
  (data (i32.const 1664) "seek_set_5 errno=") ;; label 10
  (data (i32.const 1728) " offset=") ;; label 11
  (data (i32.const 1792) "seek_cur_2 errno=") ;; label 12
  (data (i32.const 1856) "seek_end_minus_1 errno=") ;; label 13
  (data (i32.const 1920) "file_filestat errno=") ;; label 14
  (data (i32.const 1984) " nlink=") ;; label 15
  (data (i32.const 2048) " size=") ;; label 16
  (data (i32.const 2112) "close errno=") ;; label 17

  ;; Writes len bytes at ptr to stdout through the iovec at 0.
  (func $emit (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))

  ;; Length of the NUL-terminated string at p.
  (func $strlen (param $p i32) (result i32)
    (local $end i32)
    (local.set $end (local.get $p))
    (block $done
      (loop $scan
        (br_if $done (i32.eqz (i32.load8_u (local.get $end))))
        (local.set $end (i32.add (local.get $end) (i32.const 1)))
        (br $scan)))
    (i32.sub (local.get $end) (local.get $p)))

  ;; Prints label k (the NUL-terminated string at 1024 + 64k).
  (func $say (param $k i32)
    (local $p i32)
    (local.set $p (i32.add (i32.const 1024) (i32.mul (local.get $k) (i32.const 64))))
    (call $emit (local.get $p) (call $strlen (local.get $p))))

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

  ;; Fills the filestat buffer (64..135) with 0xAA so bytes the host must not write stay visible.
  (func $poison
    (local $p i32)
    (local.set $p (i32.const 64))
    (loop $fill
      (i64.store (local.get $p) (i64.const 0xAAAAAAAAAAAAAAAA))
      (local.set $p (i32.add (local.get $p) (i32.const 8)))
      (br_if $fill (i32.lt_u (local.get $p) (i32.const 136)))))

  ;; Prints the seek label k, errno and the new offset, then a newline.
  (func $seek (param $k i32) (param $fd i32) (param $off i64) (param $whence i32)
    (i64.store (i32.const 160) (i64.const -1))
    (call $say (local.get $k))
    (call $num (call $fd_seek (local.get $fd) (local.get $off) (local.get $whence) (i32.const 160)))
    (call $say (i32.const 11)) (call $num (i32.wrap_i64 (i64.load (i32.const 160)))) (call $say (i32.const 0)))

  (func (export "_start")
    (local $i i32) (local $err i32) (local $fd i32)
    ;; Args: sizes, then each argument.
    (local.set $err (call $args_sizes_get (i32.const 172) (i32.const 176)))
    (call $say (i32.const 1)) (call $num (local.get $err))
    (call $say (i32.const 2)) (call $num (i32.load (i32.const 172)))
    (call $say (i32.const 3)) (call $num (i32.load (i32.const 176))) (call $say (i32.const 0))
    (if (i32.or (i32.gt_u (i32.load (i32.const 172)) (i32.const 64)) (i32.gt_u (i32.load (i32.const 176)) (i32.const 512)))
      (then (unreachable))) ;; more args than the buffers hold
    (call $say (i32.const 4)) (call $num (call $args_get (i32.const 256) (i32.const 512))) (call $say (i32.const 0))
    (block $args_done
      (loop $arg
        (br_if $args_done (i32.ge_u (local.get $i) (i32.load (i32.const 172))))
        (call $say (i32.const 5))
        (call $emit (i32.load (i32.add (i32.const 256) (i32.mul (local.get $i) (i32.const 4))))
                    (call $strlen (i32.load (i32.add (i32.const 256) (i32.mul (local.get $i) (i32.const 4))))))
        (call $say (i32.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $arg)))

    ;; Filestat of stdout: filetype at 16; byte 56 (past the 56-byte preview0 struct) stays 0xAA.
    (call $poison)
    (local.set $err (call $fd_filestat_get (i32.const 1) (i32.const 64)))
    (call $say (i32.const 6)) (call $num (local.get $err))
    (call $say (i32.const 7)) (call $num (i32.load8_u (i32.const 80)))
    (call $say (i32.const 8)) (call $num (i32.load8_u (i32.const 120))) (call $say (i32.const 0))

    ;; Open hello.txt in the preopen at fd 3 (rights: read, seek, tell, filestat_get).
    (local.set $err (call $path_open (i32.const 3) (i32.const 1) (i32.const 4000) (i32.const 9) (i32.const 0)
                          (i64.const 0x200026) (i64.const 0) (i32.const 0) (i32.const 168)))
    (call $say (i32.const 9)) (call $num (local.get $err)) (call $say (i32.const 0))
    (if (i32.eqz (local.get $err))
      (then
        (local.set $fd (i32.load (i32.const 168)))
        ;; preview0 whence: SET=2, CUR=0, END=1.
        (call $seek (i32.const 10) (local.get $fd) (i64.const 5) (i32.const 2))
        (call $seek (i32.const 12) (local.get $fd) (i64.const 2) (i32.const 0))
        (call $seek (i32.const 13) (local.get $fd) (i64.const -1) (i32.const 1))
        ;; preview0 filestat: filetype@16 u8, nlink@20 u32, size@24 u64; 56 bytes in all.
        (call $poison)
        (local.set $err (call $fd_filestat_get (local.get $fd) (i32.const 64)))
        (call $say (i32.const 14)) (call $num (local.get $err))
        (call $say (i32.const 7)) (call $num (i32.load8_u (i32.const 80)))
        (call $say (i32.const 15)) (call $num (i32.load (i32.const 84)))
        (call $say (i32.const 16)) (call $num (i32.wrap_i64 (i64.load (i32.const 88))))
        (call $say (i32.const 8)) (call $num (i32.load8_u (i32.const 120))) (call $say (i32.const 0))
        (call $say (i32.const 17)) (call $num (call $fd_close (local.get $fd))) (call $say (i32.const 0))))))
