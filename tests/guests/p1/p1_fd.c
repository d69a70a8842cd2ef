// p1_fd: wasmtime's fd_* programs on files and directory fds (fd_advise, fd_filestat_set, fd_flags_set,
// file_allocate, file_pread_pwrite, file_read_write, file_seek_tell, file_truncation, file_unbuffered_write,
// file_write, dir_fd_op_failures, directory_seek), re-written from docs/wasmtime-preview1-tests.md.
#include "p1_check.h"

static const uint8_t B23[4] = {2, 3, 0, 0}, B10[2] = {1, 0}, B0110[4] = {0, 1, 1, 0}, B1[1] = {1};
// The two runs of the newest helper's BlockingMode: fdflags 0, then NONBLOCK.
static const __wasi_fdflags_t MODES[] = {0, FDFL(NONBLOCK)};

PROGRAM(fd_advise) {
  __wasi_fd_t fd = OPEN(dir, 0, "file", OFL(CREAT), RW, 0, 0);
  EQ(FSTAT(fd).size, 0);
  MUST(__wasi_fd_filestat_set_size(fd, 100));
  EQ(FSTAT(fd).size, 100);
  MUST(__wasi_fd_advise(fd, 10, 50, __WASI_ADVICE_NORMAL));
  EQ(FSTAT(fd).size, 100);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "file"));
}

// Sets the mtime of a file opened with `rights` to 2 x the precision before its current one.
static void set_times_with(__wasi_fd_t dir, __wasi_rights_t rights) {
  CREATE_FILE(dir, "file");
  __wasi_fd_t fd = OPEN(dir, 0, "file", 0, rights, 0, 0);
  __wasi_filestat_t old = FSTAT(fd);
  __wasi_timestamp_t mtim = old.mtim - 2 * FS_TIME_PRECISION;
  MUST(__wasi_fd_filestat_set_times(fd, 0, mtim, __WASI_FSTFLAGS_MTIM));
  __wasi_filestat_t now = FSTAT(fd);
  EQ(now.size, 0);
  TIME_EQ(now.mtim, mtim);
  TIME_EQ(now.atim, old.atim);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "file"));
}

PROGRAM(fd_filestat_set) {
  // set_size on a read-write fd.
  __wasi_fd_t fd = OPEN(dir, 0, "file", OFL(CREAT), RW, 0, 0);
  EQ(FSTAT(fd).size, 0);
  MUST(__wasi_fd_filestat_set_size(fd, 100));
  EQ(FSTAT(fd).size, 100);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "file"));
  // set_size on a read-only fd: INVAL (ftruncate(2) on a fd not open for writing), the size unchanged.
  CREATE_FILE(dir, "file");
  fd = OPEN(dir, 0, "file", 0, RD, 0, 0);
  EQ(FSTAT(fd).size, 0);
  ERRNO(__wasi_fd_filestat_set_size(fd, 100), E(INVAL));
  EQ(FSTAT(fd).size, 0);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "file"));
  // set_times: a read-only fd may set times too.
  set_times_with(dir, RD);
  set_times_with(dir, RW);
  // The newest version: set_times on the directory fd itself.
  __wasi_timestamp_t mtim = FSTAT(dir).mtim + 100ULL * 1000 * 1000 * 1000;
  MUST(__wasi_fd_filestat_set_times(dir, 0, mtim, __WASI_FSTFLAGS_MTIM));
  TIME_EQ(FSTAT(dir).mtim, mtim);
}

static int all(const uint8_t *buf, size_t len, uint8_t v) {
  for (size_t i = 0; i < len; i++)
    if (buf[i] != v) return 0;
  return 1;
}

PROGRAM(fd_flags_set) {
  for (size_t m = 0; m < 2; m++) {
    __wasi_fd_t fd = OPEN(dir, 0, "file", OFL(CREAT), RW, 0, FDFL(APPEND) | MODES[m]);
    uint8_t buf[100];
    memset(buf, 0, sizeof buf);
    EQ(WRITE(fd, buf, 100), 100);
    EQ(SEEK(fd, 0, __WASI_WHENCE_SET), 0);
    memset(buf, 0xff, sizeof buf);
    EQ(READ(fd, buf, 100), 100);
    CHECK(all(buf, 100, 0));
    // Append mode: the write lands at the end whatever the offset.
    EQ(SEEK(fd, 0, __WASI_WHENCE_SET), 0);
    memset(buf, 1, sizeof buf);
    EQ(WRITE(fd, buf, 100), 100);
    EQ(SEEK(fd, 100, __WASI_WHENCE_SET), 100);
    memset(buf, 0xff, sizeof buf);
    EQ(READ(fd, buf, 100), 100);
    CHECK(all(buf, 100, 1));
    // Append off: the write lands at the offset.
    MUST(__wasi_fd_fdstat_set_flags(fd, MODES[m]));
    EQ(SEEK(fd, 0, __WASI_WHENCE_SET), 0);
    memset(buf, 2, sizeof buf);
    EQ(WRITE(fd, buf, 100), 100);
    EQ(SEEK(fd, 0, __WASI_WHENCE_SET), 0);
    memset(buf, 0xff, sizeof buf);
    EQ(READ(fd, buf, 100), 100);
    CHECK(all(buf, 100, 2));
    MUST(__wasi_fd_close(fd));
    EQ(PSTAT(dir, 0, "file").size, 200);
    MUST(__wasi_path_unlink_file(dir, "file"));
  }
}

PROGRAM(file_allocate) {
  __wasi_fd_t fd = OPEN(dir, 0, "file", OFL(CREAT), RW, 0, 0);
  EQ(FSTAT(fd).size, 0);
  ERRNO(__wasi_fd_allocate(fd, 0, 100), E(NOTSUP));
  EQ(FSTAT(fd).size, 0);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "file"));
}

PROGRAM(file_pread_pwrite) {
  __wasi_fd_t fd = OPEN(dir, 0, "file", OFL(CREAT), RW, 0, 0);
  const uint8_t data[4] = {0, 1, 2, 3};
  uint8_t buf[4] = {0};
  EQ(PWRITE(fd, data, 4, 0), 4);
  EQ(PREAD(fd, buf, 4, 0), 4);
  CHECK(memcmp(buf, data, 4) == 0);
  // Two iovecs of 2 bytes, looped until everything is written / until a read gives 0.
  size_t done = 0;
  while (done < 4) {
    __wasi_ciovec_t iovs[2] = {{data, 2}, {data + 2, 2}};
    size_t skip = done; // drop what was written from the front of the vector
    __wasi_ciovec_t *v = iovs;
    size_t nv = 2;
    while (skip > 0 && skip >= v->buf_len) skip -= v->buf_len, v++, nv--;
    v->buf += skip, v->buf_len -= skip;
    __wasi_size_t n = 0;
    if (!MUST(__wasi_fd_pwrite(fd, v, nv, done, &n)) || n == 0) break;
    done += n;
  }
  EQ(done, 4);
  memset(buf, 0, sizeof buf);
  done = 0;
  for (;;) {
    __wasi_iovec_t iovs[2] = {{buf, 2}, {buf + 2, 2}};
    __wasi_iovec_t *v = iovs;
    size_t nv = 2, skip = done;
    while (nv > 0 && skip >= v->buf_len) skip -= v->buf_len, v++, nv--;
    if (nv == 0) break;
    v->buf += skip, v->buf_len -= skip;
    __wasi_size_t n = 0;
    if (!MUST(__wasi_fd_pread(fd, v, nv, done, &n)) || n == 0) break;
    done += n;
  }
  EQ(done, 4);
  CHECK(memcmp(buf, data, 4) == 0);
  memset(buf, 0, sizeof buf);
  EQ(PREAD(fd, buf, 4, 2), 2);
  CHECK(memcmp(buf, B23, 4) == 0);
  EQ(PWRITE(fd, B10, 2, 2), 2);
  memset(buf, 0, sizeof buf);
  EQ(PREAD(fd, buf, 4, 0), 4);
  CHECK(memcmp(buf, B0110, 4) == 0);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "file"));

  // pwrite leaves the position alone; an empty one past the end does not grow the file.
  fd = OPEN(dir, 0, "file2", OFL(CREAT), RW, 0, 0);
  EQ(TELL(fd), 0);
  EQ(PWRITE(fd, data, 0, 50), 0);
  EQ(TELL(fd), 0);
  EQ(FSTAT(fd).size, 0);
  EQ(PWRITE(fd, data, 1, 50), 1);
  EQ(TELL(fd), 0);
  EQ(FSTAT(fd).size, 51);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "file2"));

  // On an APPEND fd, pwrite appends whatever the offset (Linux pwrite(2)).
  fd = OPEN(dir, 0, "file3", OFL(CREAT), RW, 0, FDFL(APPEND));
  EQ(PWRITE(fd, data, 1, 50), 1);
  EQ(FSTAT(fd).size, 1);
  EQ(PWRITE(fd, data, 1, 0), 1);
  EQ(FSTAT(fd).size, 2);
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_unlink_file(dir, "file3"));
}

PROGRAM(file_read_write) {
  for (size_t m = 0; m < 2; m++) {
    __wasi_fd_t fd = OPEN(dir, 0, "file", OFL(CREAT), RW, 0, MODES[m]);
    const uint8_t data[4] = {0, 1, 2, 3};
    uint8_t buf[4] = {0};
    EQ(WRITE(fd, data, 4), 4);
    EQ(SEEK(fd, 0, __WASI_WHENCE_SET), 0);
    EQ(READ(fd, buf, 4), 4);
    CHECK(memcmp(buf, data, 4) == 0);
    // Two iovecs of 2 bytes, looped.
    EQ(SEEK(fd, 0, __WASI_WHENCE_SET), 0);
    size_t done = 0;
    while (done < 4) {
      __wasi_ciovec_t iovs[2] = {{data, 2}, {data + 2, 2}};
      __wasi_ciovec_t *v = iovs;
      size_t nv = 2, skip = done;
      while (skip > 0 && skip >= v->buf_len) skip -= v->buf_len, v++, nv--;
      v->buf += skip, v->buf_len -= skip;
      __wasi_size_t n = 0;
      if (!MUST(io_write(fd, v, nv, &n)) || n == 0) break;
      done += n;
    }
    EQ(done, 4);
    EQ(SEEK(fd, 0, __WASI_WHENCE_SET), 0);
    memset(buf, 0, sizeof buf);
    done = 0;
    for (;;) {
      __wasi_iovec_t iovs[2] = {{buf, 2}, {buf + 2, 2}};
      __wasi_iovec_t *v = iovs;
      size_t nv = 2, skip = done;
      while (nv > 0 && skip >= v->buf_len) skip -= v->buf_len, v++, nv--;
      if (nv == 0) break;
      v->buf += skip, v->buf_len -= skip;
      __wasi_size_t n = 0;
      if (!MUST(io_read(fd, v, nv, &n)) || n == 0) break;
      done += n;
    }
    EQ(done, 4);
    CHECK(memcmp(buf, data, 4) == 0);
    EQ(SEEK(fd, 2, __WASI_WHENCE_SET), 2);
    memset(buf, 0, sizeof buf);
    EQ(READ(fd, buf, 4), 2);
    CHECK(memcmp(buf, B23, 4) == 0);
    EQ(SEEK(fd, 2, __WASI_WHENCE_SET), 2);
    EQ(WRITE(fd, B10, 2), 2);
    EQ(SEEK(fd, 0, __WASI_WHENCE_SET), 0);
    memset(buf, 0, sizeof buf);
    EQ(READ(fd, buf, 4), 4);
    CHECK(memcmp(buf, B0110, 4) == 0);
    MUST(__wasi_fd_close(fd));
    MUST(__wasi_path_unlink_file(dir, "file"));

    // An empty write moves nothing and grows nothing; a write past the end grows the file.
    fd = OPEN(dir, 0, "file2", OFL(CREAT), RW, 0, MODES[m]);
    EQ(TELL(fd), 0);
    EQ(SEEK(fd, 2, __WASI_WHENCE_SET), 2);
    EQ(WRITE(fd, data, 0), 0);
    EQ(TELL(fd), 2);
    EQ(FSTAT(fd).size, 0);
    EQ(SEEK(fd, 50, __WASI_WHENCE_SET), 50);
    EQ(WRITE(fd, data, 1), 1);
    EQ(TELL(fd), 51);
    EQ(FSTAT(fd).size, 51);
    MUST(__wasi_fd_close(fd));
    MUST(__wasi_path_unlink_file(dir, "file2"));
  }
}

PROGRAM(file_seek_tell) {
  for (size_t m = 0; m < 2; m++) {
    __wasi_fd_t fd = OPEN(dir, 0, "file", OFL(CREAT), RW, 0, MODES[m]);
    uint8_t buf[100];
    memset(buf, 'x', sizeof buf);
    EQ(TELL(fd), 0);
    EQ(WRITE(fd, buf, 100), 100);
    EQ(TELL(fd), 100);
    EQ(SEEK(fd, -50, __WASI_WHENCE_CUR), 50);
    EQ(SEEK(fd, 0, __WASI_WHENCE_SET), 0);
    EQ(SEEK(fd, 1000, __WASI_WHENCE_CUR), 1000); // past the end is fine
    __wasi_filesize_t off = 0;
    ERRNO(__wasi_fd_seek(fd, -2000, __WASI_WHENCE_CUR, &off), E(INVAL)); // before the start is not
    EQ(SEEK(fd, 0, __WASI_WHENCE_SET), 0);
    EQ(READ(fd, buf, 100), 100);
    EQ(TELL(fd), 100);
    MUST(__wasi_fd_close(fd));
    MUST(__wasi_path_unlink_file(dir, "file"));

    // seek_and_o_append: the offset of an APPEND fd is 0 after opening and the end after a write.
    fd = OPEN(dir, 0, "file2", OFL(CREAT), RW, 0, FDFL(APPEND) | MODES[m]);
    EQ(SEEK(fd, 0, __WASI_WHENCE_CUR), 0);
    EQ(TELL(fd), 0);
    EQ(WRITE(fd, buf, 100), 100);
    EQ(SEEK(fd, 0, __WASI_WHENCE_CUR), 100);
    EQ(TELL(fd), 100);
    MUST(__wasi_fd_close(fd));
    MUST(__wasi_path_unlink_file(dir, "file2"));
  }
}

PROGRAM(file_truncation) {
  __wasi_fd_t fd = OPEN(dir, 0, "test.txt", OFL(CREAT), WR, 0, 0);
  static const char text[] = "Writing some data to truncate.\n";
  EQ(WRITE(fd, text, 31), 31);
  MUST(__wasi_fd_close(fd));
  fd = OPEN(dir, 0, "test.txt", OFL(CREAT) | OFL(TRUNC), RW, 0, 0);
  uint8_t buf[100];
  EQ(READ(fd, buf, 100), 0);
  MUST(__wasi_fd_close(fd));
}

PROGRAM(file_unbuffered_write) {
  __wasi_fd_t rd = OPEN(dir, 0, "file", OFL(CREAT), RD, 0, 0);
  __wasi_fd_t wr = OPEN(dir, 0, "file", 0, WR, 0, 0);
  EQ(WRITE(wr, B1, 1), 1);
  uint8_t b = 0;
  EQ(READ(rd, &b, 1), 1); // visible at once through the other fd
  EQ(b, 1);
  MUST(__wasi_fd_close(rd));
  MUST(__wasi_fd_close(wr));
  MUST(__wasi_path_unlink_file(dir, "file"));
}

PROGRAM(file_write) {
  static char content[65536];
  for (int i = 0; i < 4096; i++) {
    char chunk[17];
    snprintf(chunk, sizeof chunk, "123456789 %05d ", i);
    memcpy(content + 16 * i, chunk, 16);
  }
  __wasi_fd_t fd = OPEN(dir, 0, "long_write.txt", OFL(CREAT), WR, 0, 0);
  __wasi_ciovec_t iov = {(const uint8_t *)content, sizeof content};
  __wasi_size_t n = 0;
  MUST(__wasi_fd_write(fd, &iov, 1, &n)); // one call, no short write
  EQ(n, sizeof content);
  EQ(FSTAT(fd).size, sizeof content);
  MUST(__wasi_fd_close(fd));
  fd = OPEN(dir, 0, "long_write.txt", 0, RD, 0, 0);
  char buf[100];
  EQ(READ(fd, buf, 100), 100);
  CHECK(memcmp(buf, content, 100) == 0);
  EQ(SEEK(fd, sizeof content - 100, __WASI_WHENCE_SET), sizeof content - 100);
  EQ(READ(fd, buf, 100), 100);
  CHECK(memcmp(buf, content + sizeof content - 100, 100) == 0);
  MUST(__wasi_fd_close(fd));
}

PROGRAM(dir_fd_op_failures) {
  EQ(FSTAT(dir).filetype, FT(DIRECTORY));
  // The first preopen: its name wants a buffer of its length; a longer one is fine.
  __wasi_fd_t pre = 3;
  __wasi_prestat_t ps;
  while (__wasi_fd_prestat_get(pre, &ps) != E(SUCCESS) || ps.tag != __WASI_PREOPENTYPE_DIR) pre++;
  uint8_t name[256];
  ERRNO(__wasi_fd_prestat_dir_name(pre, name, 0), E(NAMETOOLONG));
  MUST(__wasi_fd_prestat_dir_name(pre, name, ps.u.dir.pr_name_len + 1));
  // Every data operation on a directory fd is BADF (exact).
  uint8_t buf[128];
  __wasi_iovec_t iov = {buf, sizeof buf};
  __wasi_ciovec_t ciov = {buf, sizeof buf};
  __wasi_size_t n;
  __wasi_filesize_t off;
  ERRNO(__wasi_fd_read(dir, &iov, 1, &n), E(BADF));
  ERRNO(__wasi_fd_pread(dir, &iov, 1, 0, &n), E(BADF));
  ERRNO(__wasi_fd_write(dir, &ciov, 1, &n), E(BADF));
  ERRNO(__wasi_fd_pwrite(dir, &ciov, 1, 0, &n), E(BADF));
  ERRNO(__wasi_fd_seek(dir, 0, __WASI_WHENCE_CUR, &off), E(BADF));
  ERRNO(__wasi_fd_seek(dir, 0, __WASI_WHENCE_SET, &off), E(BADF));
  ERRNO(__wasi_fd_seek(dir, 0, __WASI_WHENCE_END, &off), E(BADF));
  ERRNO(__wasi_fd_tell(dir, &off), E(BADF));
  ERRNO(__wasi_fd_advise(dir, 0, 0, __WASI_ADVICE_DONTNEED), E(BADF));
  ERRNO(__wasi_fd_allocate(dir, 0, 0), E(BADF));
  ERRNO(__wasi_fd_datasync(dir), E(BADF));
  ERRNO(__wasi_fd_sync(dir), E(BADF));
  ERRNO(__wasi_fd_fdstat_set_flags(dir, FDFL(NONBLOCK)), E(BADF));
  ERRNO(__wasi_fd_filestat_set_size(dir, 0), E(BADF));
}

PROGRAM(directory_seek) {
  MUST(__wasi_path_create_directory(dir, "dir"));
  __wasi_fd_t fd = OPEN(dir, 0, "dir", OFL(DIRECTORY), 0, 0, 0);
  __wasi_filesize_t off;
  ERRNO(__wasi_fd_seek(fd, 0, __WASI_WHENCE_CUR, &off), E(BADF));
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_remove_directory(dir, "dir"));
}

P1_MAIN(IN_SCRATCH(fd_advise), IN_SCRATCH(fd_filestat_set), IN_SCRATCH(fd_flags_set), IN_SCRATCH(file_allocate),
        IN_SCRATCH(file_pread_pwrite), IN_SCRATCH(file_read_write), IN_SCRATCH(file_seek_tell),
        IN_SCRATCH(file_truncation), IN_SCRATCH(file_unbuffered_write), IN_SCRATCH(file_write),
        IN_SCRATCH(dir_fd_op_failures), IN_SCRATCH(directory_seek))
