// p1_path_ops: wasmtime's programs on path_link, path_rename, path_symlink, path_readlink, path_remove_directory,
// path_unlink_file and path_filestat_* (path_link, path_rename, path_rename_dir_trailing_slashes,
// path_symlink_trailing_slashes, readlink, remove_directory, remove_nonempty_directory, unlink_file_trailing_slashes,
// path_filestat, symlink_filestat), re-written from docs/wasmtime-preview1-tests.md.
#include "p1_check.h"


// Two fds on one inode report the same filestat and fdstat.
static void same_file(__wasi_fd_t a, __wasi_fd_t b) {
  __wasi_filestat_t x = FSTAT(a), y = FSTAT(b);
  EQ(x.dev, y.dev);
  EQ(x.ino, y.ino);
  EQ(x.atim, y.atim);
  EQ(x.ctim, y.ctim);
  EQ(x.mtim, y.mtim);
  EQ(x.size, y.size);
  EQ(x.nlink, y.nlink);
  EQ(x.filetype, y.filetype);
  __wasi_fdstat_t s = FDSTAT(a), t = FDSTAT(b);
  EQ(s.fs_flags, t.fs_flags);
  EQ(s.fs_filetype, t.fs_filetype);
  EQ(s.fs_rights_base, t.fs_rights_base);
  EQ(s.fs_rights_inheriting, t.fs_rights_inheriting);
}

PROGRAM(path_link) {
  CREATE_FILE(dir, "file");
  __wasi_fd_t file = OPEN(dir, 0, "file", 0, 0, 0, 0);
  MUST(__wasi_path_link(dir, 0, "file", dir, "link"));
  __wasi_fd_t link = OPEN(dir, 0, "link", 0, 0, 0, 0);
  same_file(file, link);
  MUST(__wasi_fd_close(link));
  MUST(__wasi_path_unlink_file(dir, "link"));
  // Into another directory fd.
  MUST(__wasi_path_create_directory(dir, "subdir"));
  __wasi_fd_t sub = OPEN(dir, 0, "subdir", OFL(DIRECTORY), 0, 0, 0);
  MUST(__wasi_path_link(dir, 0, "file", sub, "link"));
  link = OPEN(sub, 0, "link", 0, 0, 0, 0);
  same_file(file, link);
  MUST(__wasi_fd_close(link));
  MUST(__wasi_path_unlink_file(sub, "link"));
  MUST(__wasi_fd_close(sub));
  MUST(__wasi_path_remove_directory(dir, "subdir"));
  // The new name exists: a file, the source itself, a directory.
  CREATE_FILE(dir, "link");
  ERRNO(__wasi_path_link(dir, 0, "file", dir, "link"), E(EXIST));
  MUST(__wasi_path_unlink_file(dir, "link"));
  ERRNO(__wasi_path_link(dir, 0, "file", dir, "file"), E(EXIST));
  MUST(__wasi_path_create_directory(dir, "link"));
  ERRNO(__wasi_path_link(dir, 0, "file", dir, "link"), E(EXIST));
  MUST(__wasi_path_remove_directory(dir, "link"));
  // A directory cannot be linked.
  MUST(__wasi_path_create_directory(dir, "subdir"));
  sub = OPEN(dir, 0, "subdir", OFL(DIRECTORY), 0, 0, 0);
  ERRNO(__wasi_path_link(dir, 0, "subdir", dir, "link"), E(PERM), E(ACCES));
  MUST(__wasi_fd_close(sub));
  MUST(__wasi_path_remove_directory(dir, "subdir"));
  // A trailing slash on the new name.
  ERRNO(__wasi_path_link(dir, 0, "file", dir, "link/"), E(NOENT));
  // Symlinks: a dangling one and a loop are linked as themselves; a dangling one is in the way; FOLLOW is INVAL.
  MUST(__wasi_path_symlink("target", dir, "symlink"));
  MUST(__wasi_path_link(dir, 0, "symlink", dir, "link"));
  MUST(__wasi_path_unlink_file(dir, "symlink"));
  MUST(__wasi_path_unlink_file(dir, "link"));
  MUST(__wasi_path_symlink("symlink", dir, "symlink"));
  MUST(__wasi_path_link(dir, 0, "symlink", dir, "link"));
  MUST(__wasi_path_unlink_file(dir, "symlink"));
  MUST(__wasi_path_unlink_file(dir, "link"));
  MUST(__wasi_path_symlink("target", dir, "symlink"));
  ERRNO(__wasi_path_link(dir, 0, "file", dir, "symlink"), E(EXIST));
  MUST(__wasi_path_unlink_file(dir, "symlink"));
  MUST(__wasi_path_symlink("target", dir, "symlink"));
  ERRNO(__wasi_path_link(dir, FOLLOW, "symlink", dir, "link"), E(INVAL));
  MUST(__wasi_path_unlink_file(dir, "file"));
}

PROGRAM(path_rename) {
  __wasi_fd_t fd;
  // A directory to a new name.
  MUST(__wasi_path_create_directory(dir, "source"));
  MUST(__wasi_path_rename(dir, "source", dir, "target"));
  ERRNO(__wasi_path_open(dir, 0, "source", OFL(DIRECTORY), 0, 0, 0, &fd), E(NOENT));
  fd = OPEN(dir, 0, "target", OFL(DIRECTORY), 0, 0, 0);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_remove_directory(dir, "target"));
  // A directory onto an empty one.
  MUST(__wasi_path_create_directory(dir, "source"));
  MUST(__wasi_path_create_directory(dir, "target"));
  MUST(__wasi_path_rename(dir, "source", dir, "target"));
  ERRNO(__wasi_path_open(dir, 0, "source", OFL(DIRECTORY), 0, 0, 0, &fd), E(NOENT));
  fd = OPEN(dir, 0, "target", OFL(DIRECTORY), 0, 0, 0);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_remove_directory(dir, "target"));
  // A directory onto a non-empty one.
  MUST(__wasi_path_create_directory(dir, "source"));
  MUST(__wasi_path_create_directory(dir, "target"));
  CREATE_FILE(dir, "target/file");
  ERRNO(__wasi_path_rename(dir, "source", dir, "target"), E(NOTEMPTY));
  // A directory onto a file (wasmtime's RENAME_DIR_ONTO_FILE is off by default).
  ERRNO(__wasi_path_rename(dir, "source", dir, "target/file"), E(NOTDIR));
  MUST(__wasi_path_unlink_file(dir, "target/file"));
  MUST(__wasi_path_remove_directory(dir, "source"));
  MUST(__wasi_path_remove_directory(dir, "target"));
  // A file to a new name.
  CREATE_FILE(dir, "source");
  MUST(__wasi_path_rename(dir, "source", dir, "target"));
  ERRNO(__wasi_path_open(dir, 0, "source", 0, 0, 0, 0, &fd), E(NOENT));
  fd = OPEN(dir, 0, "target", 0, 0, 0, 0);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "target"));
  // A file onto a file: replaced.
  CREATE_FILE(dir, "source");
  CREATE_FILE(dir, "target");
  MUST(__wasi_path_rename(dir, "source", dir, "target"));
  ERRNO(__wasi_path_open(dir, 0, "source", 0, 0, 0, 0, &fd), E(NOENT));
  fd = OPEN(dir, 0, "target", 0, 0, 0, 0);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "target"));
  // A file onto an empty directory.
  CREATE_FILE(dir, "source");
  MUST(__wasi_path_create_directory(dir, "target"));
  ERRNO(__wasi_path_rename(dir, "source", dir, "target"), E(ISDIR));
  MUST(__wasi_path_remove_directory(dir, "target"));
  MUST(__wasi_path_unlink_file(dir, "source"));
}

PROGRAM(path_rename_dir_trailing_slashes) {
  MUST(__wasi_path_create_directory(dir, "source"));
  MUST(__wasi_path_rename(dir, "source/", dir, "target"));
  MUST(__wasi_path_rename(dir, "target", dir, "source/"));
  MUST(__wasi_path_rename(dir, "source/", dir, "target/"));
  MUST(__wasi_path_rename(dir, "target", dir, "source"));
  MUST(__wasi_path_remove_directory(dir, "source"));
}

PROGRAM(path_symlink_trailing_slashes) {
  // Nothing there.
  ERRNO(__wasi_path_symlink("source", dir, "target/"), E(NOENT));
  MUST(__wasi_path_symlink("source", dir, "target"));
  MUST(__wasi_path_unlink_file(dir, "target"));
  // A directory there, with or without the slash.
  MUST(__wasi_path_create_directory(dir, "target"));
  ERRNO(__wasi_path_symlink("source", dir, "target/"), E(EXIST));
  MUST(__wasi_path_remove_directory(dir, "target"));
  MUST(__wasi_path_create_directory(dir, "target"));
  ERRNO(__wasi_path_symlink("source", dir, "target"), E(EXIST));
  MUST(__wasi_path_remove_directory(dir, "target"));
  // A file there.
  CREATE_FILE(dir, "target");
  ERRNO(__wasi_path_symlink("source", dir, "target/"), E(NOTDIR));
  MUST(__wasi_path_unlink_file(dir, "target"));
  CREATE_FILE(dir, "target");
  ERRNO(__wasi_path_symlink("source", dir, "target"), E(EXIST));
  MUST(__wasi_path_unlink_file(dir, "target"));
}

PROGRAM(readlink) {
  CREATE_FILE(dir, "target");
  MUST(__wasi_path_symlink("target", dir, "symlink"));
  uint8_t buf[32] = {0};
  __wasi_size_t n = 0;
  MUST(__wasi_path_readlink(dir, "symlink", buf, 10, &n));
  EQ(n, 6);
  CHECK(memcmp(buf, "target", 6) == 0);
  CHECK(memcmp(buf + 6, "\0\0\0\0", 4) == 0); // the rest untouched
  // A buffer too small: silently truncated.
  memset(buf, 0, sizeof buf);
  MUST(__wasi_path_readlink(dir, "symlink", buf, 4, &n));
  EQ(n, 4);
  CHECK(memcmp(buf, "targ\0", 5) == 0);
  MUST(__wasi_path_unlink_file(dir, "symlink"));
  MUST(__wasi_path_unlink_file(dir, "target"));
  // Growing buffers until the 16-byte UTF-8 name fits whole.
  static const char name[] = "Действие";
  CREATE_FILE(dir, name);
  MUST(__wasi_path_symlink(name, dir, "symlink"));
  int whole = 0;
  for (__wasi_size_t cap = 0; cap <= 32 && !whole; cap++) {
    memset(buf, 0, sizeof buf);
    if (!MUST(__wasi_path_readlink(dir, "symlink", buf, cap, &n))) break;
    CHECK(n <= cap);
    whole = n == sizeof name - 1 && memcmp(buf, name, sizeof name - 1) == 0;
  }
  CHECK(whole);
  MUST(__wasi_path_unlink_file(dir, "symlink"));
  MUST(__wasi_path_unlink_file(dir, name));
}

PROGRAM(remove_directory) {
  MUST(__wasi_path_create_directory(dir, "dir"));
  MUST(__wasi_path_remove_directory(dir, "dir"));
  CREATE_FILE(dir, "file");
  ERRNO(__wasi_path_remove_directory(dir, "file"), E(NOTDIR));
  ERRNO(__wasi_path_remove_directory(dir, "file/"), E(NOTDIR));
  MUST(__wasi_path_unlink_file(dir, "file"));
}

PROGRAM(remove_nonempty_directory) {
  MUST(__wasi_path_create_directory(dir, "dir"));
  MUST(__wasi_path_create_directory(dir, "dir/nested"));
  ERRNO(__wasi_path_remove_directory(dir, "dir"), E(NOTEMPTY));
  MUST(__wasi_path_remove_directory(dir, "dir/nested"));
  MUST(__wasi_path_remove_directory(dir, "dir"));
}

PROGRAM(unlink_file_trailing_slashes) {
  MUST(__wasi_path_create_directory(dir, "dir"));
  ERRNO(__wasi_path_unlink_file(dir, "dir"), E(ISDIR));
  ERRNO(__wasi_path_unlink_file(dir, "dir/"), E(ISDIR));
  MUST(__wasi_path_remove_directory(dir, "dir"));
  CREATE_FILE(dir, "file");
  ERRNO(__wasi_path_unlink_file(dir, "file/"), E(NOTDIR));
  MUST(__wasi_path_unlink_file(dir, "file"));
}

PROGRAM(path_filestat) {
  __wasi_fd_t fd = OPEN(dir, 0, "file", OFL(CREAT), RW, 0, FDFL(APPEND));
  CHECK(FDSTAT(fd).fs_flags & FDFL(APPEND));
  __wasi_fd_t fd2;
  ERRNO(__wasi_path_open(dir, 0, "file", 0, RW, 0, FDFL(SYNC), &fd2), E(NOTSUP));
  __wasi_filestat_t st = PSTAT(dir, 0, "file");
  EQ(st.size, 0);
  __wasi_timestamp_t mtim = st.mtim - 2 * FS_TIME_PRECISION;
  MUST(__wasi_path_filestat_set_times(dir, 0, "file", 0, mtim, __WASI_FSTFLAGS_MTIM));
  TIME_EQ(PSTAT(dir, 0, "file").mtim, mtim);
  ERRNO(__wasi_path_filestat_set_times(dir, 0, "file", 0, mtim, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
        E(INVAL));
  TIME_EQ(PSTAT(dir, 0, "file").mtim, mtim);
  ERRNO(__wasi_path_filestat_set_times(dir, 0, "file", 0, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
        E(INVAL));
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "file"));
}

PROGRAM(symlink_filestat) {
  __wasi_fd_t fd = OPEN(dir, 0, "file", OFL(CREAT), RW, 0, 0);
  __wasi_filestat_t file = PSTAT(dir, 0, "file");
  EQ(file.size, 0);
  MUST(__wasi_path_symlink("file", dir, "symlink"));
  __wasi_filestat_t sym = PSTAT(dir, 0, "symlink");
  // Without FOLLOW: the link's own time changes, the file's does not.
  __wasi_timestamp_t mtim = sym.mtim - 2 * FS_TIME_PRECISION;
  MUST(__wasi_path_filestat_set_times(dir, 0, "symlink", 0, mtim, __WASI_FSTFLAGS_MTIM));
  TIME_EQ(PSTAT(dir, 0, "symlink").mtim, mtim);
  EQ(PSTAT(dir, 0, "file").mtim, file.mtim);
  EQ(PSTAT(dir, FOLLOW, "symlink").mtim, file.mtim);
  // With FOLLOW: the file's.
  MUST(__wasi_path_filestat_set_times(dir, FOLLOW, "symlink", 0, sym.mtim, __WASI_FSTFLAGS_MTIM));
  TIME_EQ(PSTAT(dir, 0, "file").mtim, sym.mtim);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "symlink"));
  MUST(__wasi_path_unlink_file(dir, "file"));
}

P1_MAIN(IN_SCRATCH(path_link), IN_SCRATCH(path_rename), IN_SCRATCH(path_rename_dir_trailing_slashes),
        IN_SCRATCH(path_symlink_trailing_slashes), IN_SCRATCH(readlink), IN_SCRATCH(remove_directory),
        IN_SCRATCH(remove_nonempty_directory), IN_SCRATCH(unlink_file_trailing_slashes), IN_SCRATCH(path_filestat),
        IN_SCRATCH(symlink_filestat))
