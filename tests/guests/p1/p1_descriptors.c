// p1_descriptors: wasmtime's programs on the descriptor table and preopens (close_preopen, overwrite_preopen,
// renumber, path_open_preopen, path_open_lots, dangling_fd), re-written from docs/wasmtime-preview1-tests.md.
#include "p1_check.h"


PROGRAM(close_preopen) {
  CHECK(dir > 3); // the scratch dir is a second fd on the preopen
  MUST(__wasi_fd_close(3));
  EQ(FDSTAT(dir).fs_filetype, FT(DIRECTORY));
  __wasi_fdstat_t st;
  ERRNO(__wasi_fd_fdstat_get(3, &st), E(BADF));
}

PROGRAM(overwrite_preopen) {
  CHECK(dir > 3);
  __wasi_filestat_t old = FSTAT(dir);
  MUST(__wasi_fd_renumber(dir, 3));
  __wasi_filestat_t now = FSTAT(3);
  EQ(now.dev, old.dev);
  EQ(now.ino, old.ino);
  __wasi_fdstat_t st;
  ERRNO(__wasi_fd_fdstat_get(dir, &st), E(BADF));
}

PROGRAM(renumber) {
  CHECK(dir > 3);
  __wasi_fd_t from = OPEN(dir, 0, "file1", OFL(CREAT), RW, 0, 0);
  __wasi_fdstat_t want = FDSTAT(from);
  __wasi_fd_t to = OPEN(dir, 0, "file2", OFL(CREAT), RW, 0, 0);
  MUST(__wasi_fd_renumber(from, to));
  ERRNO(__wasi_fd_close(from), E(BADF));
  __wasi_fdstat_t got = FDSTAT(to);
  EQ(got.fs_filetype, want.fs_filetype);
  EQ(got.fs_flags, want.fs_flags);
  EQ(got.fs_rights_base, want.fs_rights_base);
  EQ(got.fs_rights_inheriting, want.fs_rights_inheriting);
  MUST(__wasi_fd_close(to));
  // The newest version: onto itself is a no-op; onto a number that is not open is BADF.
  MUST(__wasi_fd_renumber(0, 0));
  __wasi_fd_t f3 = OPEN(dir, 0, "file3", OFL(CREAT), RW, 0, 0);
  ERRNO(__wasi_fd_renumber(f3, 127), E(BADF));
  ERRNO(__wasi_fd_renumber(f3, UINT32_MAX), E(BADF));
  OPEN(dir, 0, "file4", OFL(CREAT), RW, 0, 0);
  // Renumbering over an open fd frees what was there: 2000 rounds stay far below any table limit.
  __wasi_fd_t cur = OPEN(dir, 0, "file1", 0, RD, 0, 0);
  for (int i = 0; i < 2000; i++) {
    __wasi_fd_t next = OPEN(dir, 0, "file1", 0, RD, 0, 0);
    if (next >= TABLE_LIMIT) {
      FAIL("fd %u: the table holds %d entries", next, TABLE_LIMIT);
      break;
    }
    if (!MUST(__wasi_fd_renumber(cur, next))) break;
    cur = next;
  }
  MUST(__wasi_fd_close(cur));
}

PROGRAM(path_open_preopen) {
  __wasi_prestat_t pre;
  MUST(__wasi_fd_prestat_get(3, &pre));
  EQ(pre.tag, __WASI_PREOPENTYPE_DIR);
  uint8_t name[256];
  MUST(__wasi_fd_prestat_dir_name(3, name, pre.u.dir.pr_name_len));
  __wasi_fdstat_t st = FDSTAT(3);
  const __wasi_rights_t dir_rights =
      RIGHT(PATH_CREATE_DIRECTORY) | RIGHT(PATH_CREATE_FILE) | RIGHT(PATH_LINK_SOURCE) | RIGHT(PATH_LINK_TARGET) |
      RIGHT(PATH_OPEN) | RIGHT(FD_READDIR) | RIGHT(PATH_READLINK) | RIGHT(PATH_RENAME_SOURCE) |
      RIGHT(PATH_RENAME_TARGET) | RIGHT(PATH_SYMLINK) | RIGHT(PATH_REMOVE_DIRECTORY) | RIGHT(PATH_UNLINK_FILE) |
      RIGHT(PATH_FILESTAT_GET) | RIGHT(PATH_FILESTAT_SET_TIMES) | RIGHT(FD_FILESTAT_GET) |
      RIGHT(FD_FILESTAT_SET_TIMES);
  const __wasi_rights_t file_rights =
      RIGHT(FD_DATASYNC) | RIGHT(FD_READ) | RIGHT(FD_SEEK) | RIGHT(FD_FDSTAT_SET_FLAGS) | RIGHT(FD_SYNC) |
      RIGHT(FD_TELL) | RIGHT(FD_WRITE) | RIGHT(FD_ADVISE) | RIGHT(FD_ALLOCATE) | RIGHT(FD_FILESTAT_GET) |
      RIGHT(FD_FILESTAT_SET_SIZE) | RIGHT(FD_FILESTAT_SET_TIMES) | RIGHT(POLL_FD_READWRITE);
  EQ(st.fs_rights_base & dir_rights, dir_rights);
  EQ(st.fs_rights_inheriting & (dir_rights | file_rights), dir_rights | file_rights);
  __wasi_fd_t fd;
  MUST(__wasi_path_open(3, 0, ".", 0, st.fs_rights_base, st.fs_rights_inheriting, 0, &fd));
  MUST(__wasi_path_open(3, 0, ".", 0, 0, 0, 0, &fd));
  MUST(__wasi_path_open(3, 0, ".", OFL(DIRECTORY), 0, 0, 0, &fd));
  MUST(__wasi_path_open(3, 0, ".", OFL(DIRECTORY), RIGHT(FD_READ), 0, 0, &fd));
  ERRNO(__wasi_path_open(3, 0, ".", OFL(DIRECTORY), RW, 0, 0, &fd), E(ISDIR));
}

PROGRAM(path_open_lots) {
  CREATE_FILE(dir, "file");
  uint8_t buf[100];
  memset(buf, 'x', sizeof buf);
  for (int i = 0; i < 2000; i++) {
    __wasi_fd_t fd = OPEN(dir, 0, "file", 0, RD, 0, 0);
    EQ(READ(fd, buf, 100), 0);
    CHECK(fd < TABLE_LIMIT);
    MUST(__wasi_fd_close(fd));
  }
  for (int i = 0; i < 2000; i++) {
    __wasi_fd_t fd = OPEN(dir, 0, "file", 0, RD, 0, 0);
    EQ(PREAD(fd, buf, 100, 0), 0);
    CHECK(fd < TABLE_LIMIT);
    MUST(__wasi_fd_close(fd));
  }
  for (int i = 0; i < 2000; i++) {
    __wasi_fd_t fd = OPEN(dir, 0, "file", 0, RW, 0, 0);
    EQ(WRITE(fd, buf, 100), 100);
    CHECK(fd < TABLE_LIMIT);
    MUST(__wasi_fd_close(fd));
  }
  for (int i = 0; i < 2000; i++) {
    __wasi_fd_t fd = OPEN(dir, 0, "file", 0, RW, 0, 0);
    EQ(PWRITE(fd, buf, 100, 0), 100);
    CHECK(fd < TABLE_LIMIT);
    MUST(__wasi_fd_close(fd));
  }
  MUST(__wasi_path_unlink_file(dir, "file"));
}

PROGRAM(dangling_fd) {
  CREATE_FILE(dir, "file");
  OPEN(dir, 0, "file", 0, 0, 0, 0); // kept open
  MUST(__wasi_path_unlink_file(dir, "file"));
  CREATE_FILE(dir, "file");
  MUST(__wasi_path_create_directory(dir, "subdir"));
  OPEN(dir, 0, "subdir", OFL(DIRECTORY), 0, 0, 0); // kept open
  MUST(__wasi_path_remove_directory(dir, "subdir"));
  MUST(__wasi_path_create_directory(dir, "subdir"));
}

P1_MAIN(IN_SCRATCH(close_preopen), IN_SCRATCH(overwrite_preopen), IN_SCRATCH(renumber), NO_SCRATCH(path_open_preopen),
        IN_SCRATCH(path_open_lots), IN_SCRATCH(dangling_fd))
