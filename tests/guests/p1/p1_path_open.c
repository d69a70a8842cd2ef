// p1_path_open: wasmtime's path_open programs (interesting_paths, path_open_create_existing, path_open_read_write,
// path_open_dirfd_not_dir, path_open_missing, path_open_nonblock, nofollow_errors, dangling_symlink, symlink_loop,
// symlink_create, path_exists, regular_file_isatty), re-written from docs/wasmtime-preview1-tests.md.
#include "p1_check.h"


// The raw import, for a path whose length counts a NUL byte (the <wasi/api.h> wrapper takes a C string).
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open"))) int32_t raw_path_open(
    int32_t fd, int32_t dirflags, int32_t path, int32_t path_len, int32_t oflags, int64_t base, int64_t inheriting,
    int32_t fdflags, int32_t fd_out);

PROGRAM(interesting_paths) {
  MUST(__wasi_path_create_directory(dir, "dir"));
  MUST(__wasi_path_create_directory(dir, "dir/nested"));
  CREATE_FILE(dir, "dir/nested/file");
  __wasi_fd_t fd;
  ERRNO(__wasi_path_open(dir, 0, "/dir/nested/file", 0, 0, 0, 0, &fd), E(PERM));
  fd = OPEN(dir, 0, "dir/.//nested/../../dir/nested/../nested///./file", 0, 0, 0, 0);
  MUST(__wasi_fd_close(fd));
  static const char nul[] = "dir/nested/file\0";
  ERRNO(raw_path_open(dir, 0, (int32_t)nul, sizeof nul - 1, 0, 0, 0, 0, (int32_t)&fd), E(INVAL));
  ERRNO(__wasi_path_open(dir, 0, "dir/nested/file/", 0, 0, 0, 0, &fd), E(NOTDIR), E(NOENT));
  ERRNO(__wasi_path_open(dir, 0, "dir/nested/file///", 0, 0, 0, 0, &fd), E(NOTDIR), E(NOENT));
  fd = OPEN(dir, 0, "dir/nested/", 0, 0, 0, 0);
  MUST(__wasi_fd_close(fd));
  fd = OPEN(dir, 0, "dir/nested///", 0, 0, 0, 0);
  MUST(__wasi_fd_close(fd));
  // Out through "..", back in through the preopen's own name: still out.
  char escape[256];
  snprintf(escape, sizeof escape, "dir/nested/../../../%s/dir/nested/file", p1_arg);
  ERRNO(__wasi_path_open(dir, 0, escape, 0, 0, 0, 0, &fd), E(PERM));
  MUST(__wasi_path_unlink_file(dir, "dir/nested/file"));
  MUST(__wasi_path_remove_directory(dir, "dir/nested"));
  MUST(__wasi_path_remove_directory(dir, "dir"));
}

PROGRAM(path_open_create_existing) {
  CREATE_FILE(dir, "file");
  __wasi_fd_t fd;
  ERRNO(__wasi_path_open(dir, 0, "file", OFL(CREAT) | OFL(EXCL), 0, 0, 0, &fd), E(EXIST));
  MUST(__wasi_path_unlink_file(dir, "file"));
}

PROGRAM(path_open_read_write) {
  static const __wasi_fdflags_t modes[] = {0, FDFL(NONBLOCK)};
  uint8_t buf[100];
  for (size_t m = 0; m < 2; m++) {
    CREATE_FILE(dir, "file");
    __wasi_size_t n;
    __wasi_fd_t ro = OPEN(dir, 0, "file", 0, RD, 0, modes[m]);
    __wasi_fdstat_t st = FDSTAT(ro);
    CHECK(st.fs_rights_base & RIGHT(FD_READ));
    CHECK(!(st.fs_rights_base & RIGHT(FD_WRITE)));
    EQ(READ(ro, buf, 100), 0);
    memset(buf, 0, 50);
    __wasi_ciovec_t ciov = {buf, 50};
    ERRNO(__wasi_fd_write(ro, &ciov, 1, &n), E(PERM), E(BADF), E(ACCES));
    MUST(__wasi_fd_close(ro));

    __wasi_fd_t wo = OPEN(dir, 0, "file", 0, WR, 0, modes[m]);
    st = FDSTAT(wo);
    CHECK(!(st.fs_rights_base & RIGHT(FD_READ)));
    CHECK(!(st.fs_rights_base & RIGHT(FD_READDIR)));
    CHECK(st.fs_rights_base & RIGHT(FD_WRITE));
    __wasi_iovec_t iov = {buf, 100};
    ERRNO(__wasi_fd_read(wo, &iov, 1, &n), E(PERM), E(BADF), E(ACCES));
    memset(buf, 1, 50);
    EQ(WRITE(wo, buf, 50), 50);
    MUST(__wasi_fd_close(wo));

    __wasi_fd_t rw = OPEN(dir, 0, "file", 0, RW, 0, modes[m]);
    st = FDSTAT(rw);
    CHECK(st.fs_rights_base & RIGHT(FD_READ));
    CHECK(st.fs_rights_base & RIGHT(FD_WRITE));
    EQ(READ(rw, buf, 100), 50); // what the write-only fd wrote
    EQ(WRITE(rw, buf, 25), 25);
    EQ(FSTAT(rw).size, 75);
    MUST(__wasi_fd_close(rw));
    MUST(__wasi_path_unlink_file(dir, "file"));
  }
}

PROGRAM(path_open_dirfd_not_dir) {
  __wasi_fd_t file = OPEN(dir, 0, "file", OFL(CREAT), 0, 0, 0);
  __wasi_fd_t fd;
  ERRNO(__wasi_path_open(file, 0, "foo", OFL(CREAT), 0, 0, 0, &fd), E(NOTDIR));
  MUST(__wasi_fd_close(file));
}

PROGRAM(path_open_missing) {
  __wasi_fd_t fd;
  ERRNO(__wasi_path_open(dir, 0, "file", 0, 0, 0, 0, &fd), E(NOENT));
}

PROGRAM(path_open_nonblock) {
  __wasi_fd_t fd;
  MUST(__wasi_path_open(dir, 0, ".", 0, 0, 0, FDFL(NONBLOCK), &fd));
}

PROGRAM(nofollow_errors) {
  __wasi_fd_t fd;
  // A symlink to a directory.
  MUST(__wasi_path_create_directory(dir, "target"));
  MUST(__wasi_path_symlink("target", dir, "symlink"));
  ERRNO(__wasi_path_open(dir, 0, "symlink", OFL(DIRECTORY), 0, 0, 0, &fd), E(LOOP), E(NOTDIR));
  ERRNO(__wasi_path_open(dir, 0, "symlink", 0, 0, 0, 0, &fd), E(LOOP), E(ACCES));
  fd = OPEN(dir, FOLLOW, "symlink", OFL(DIRECTORY), 0, 0, 0);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "symlink"));
  MUST(__wasi_path_remove_directory(dir, "target"));
  // A symlink to a file.
  CREATE_FILE(dir, "target");
  MUST(__wasi_path_symlink("target", dir, "symlink"));
  ERRNO(__wasi_path_open(dir, 0, "symlink", OFL(DIRECTORY), 0, 0, 0, &fd), E(LOOP), E(NOTDIR));
  ERRNO(__wasi_path_open(dir, 0, "symlink", 0, 0, 0, 0, &fd), E(LOOP));
  ERRNO(__wasi_path_open(dir, FOLLOW, "symlink", OFL(DIRECTORY), 0, 0, 0, &fd), E(NOTDIR));
  MUST(__wasi_path_unlink_file(dir, "target"));
  MUST(__wasi_path_unlink_file(dir, "symlink"));
}

PROGRAM(dangling_symlink) {
  __wasi_fd_t fd;
  MUST(__wasi_path_symlink("target", dir, "symlink"));
  ERRNO(__wasi_path_open(dir, 0, "symlink", OFL(DIRECTORY), 0, 0, 0, &fd), E(NOTDIR), E(LOOP), E(NOENT));
  ERRNO(__wasi_path_open(dir, 0, "symlink", 0, 0, 0, 0, &fd), E(LOOP), E(NOENT));
  MUST(__wasi_path_unlink_file(dir, "symlink"));
}

PROGRAM(symlink_loop) {
  __wasi_fd_t fd;
  MUST(__wasi_path_symlink("symlink", dir, "symlink"));
  ERRNO(__wasi_path_open(dir, 0, "symlink", 0, 0, 0, 0, &fd), E(LOOP));
  MUST(__wasi_path_unlink_file(dir, "symlink"));
}

PROGRAM(symlink_create) {
  // To a file.
  __wasi_fd_t fd = OPEN(dir, 0, "target", OFL(CREAT), 0, 0, 0);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_symlink("target", dir, "symlink"));
  fd = OPEN(dir, FOLLOW, "symlink", 0, 0, 0, 0);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "symlink"));
  MUST(__wasi_path_unlink_file(dir, "target"));
  // To a directory; path_unlink_file removes the link.
  MUST(__wasi_path_create_directory(dir, "target"));
  MUST(__wasi_path_symlink("target", dir, "symlink"));
  fd = OPEN(dir, FOLLOW, "symlink", OFL(DIRECTORY), 0, 0, 0);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "symlink"));
  MUST(__wasi_path_remove_directory(dir, "target"));
  // An absolute target is refused (wasmtime checks no particular errno).
  CHECK(__wasi_path_symlink("/", dir, "symlink") != E(SUCCESS));
}

PROGRAM(path_exists) {
  MUST(__wasi_path_create_directory(dir, "subdir"));
  EQ(PSTAT(dir, 0, "subdir").filetype, FT(DIRECTORY));
  EQ(PSTAT(dir, FOLLOW, "subdir").filetype, FT(DIRECTORY));
  CREATE_FILE(dir, "subdir/file");
  EQ(PSTAT(dir, 0, "subdir/file").filetype, FT(REGULAR_FILE));
  EQ(PSTAT(dir, FOLLOW, "subdir/file").filetype, FT(REGULAR_FILE));
  MUST(__wasi_path_symlink("subdir/file", dir, "link1"));
  EQ(PSTAT(dir, 0, "link1").filetype, FT(SYMBOLIC_LINK));
  EQ(PSTAT(dir, FOLLOW, "link1").filetype, FT(REGULAR_FILE));
  MUST(__wasi_path_symlink("subdir", dir, "link2"));
  EQ(PSTAT(dir, 0, "link2").filetype, FT(SYMBOLIC_LINK));
  EQ(PSTAT(dir, FOLLOW, "link2").filetype, FT(DIRECTORY));
  MUST(__wasi_path_unlink_file(dir, "link1"));
  MUST(__wasi_path_unlink_file(dir, "link2"));
  MUST(__wasi_path_unlink_file(dir, "subdir/file"));
  MUST(__wasi_path_remove_directory(dir, "subdir"));
}

PROGRAM(regular_file_isatty) {
  __wasi_fd_t fd = OPEN(dir, 0, "file", OFL(CREAT), 0, 0, 0);
  EQ(isatty((int)fd), 0);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "file"));
}

P1_MAIN(IN_SCRATCH(interesting_paths), IN_SCRATCH(path_open_create_existing), IN_SCRATCH(path_open_read_write),
        IN_SCRATCH(path_open_dirfd_not_dir), IN_SCRATCH(path_open_missing), IN_SCRATCH(path_open_nonblock),
        IN_SCRATCH(nofollow_errors), IN_SCRATCH(dangling_symlink), IN_SCRATCH(symlink_loop), IN_SCRATCH(symlink_create),
        IN_SCRATCH(path_exists), IN_SCRATCH(regular_file_isatty))
