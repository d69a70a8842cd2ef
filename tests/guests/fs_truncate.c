// fs_truncate: ftruncate/truncate grow with zero fill and shrink; the offset is kept; posix_fallocate is ENOTSUP (as wasmtime); EINVAL/EBADF/EISDIR.
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  const char *path = P(base, "trunc.bin");
  struct stat st;
  unsigned char buf[8192];

  int fd = (int)OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
  EQ(write(fd, "abcdefgh", 8), 8);

  // Grow: the new bytes read as zeros; the offset does not move.
  OK(ftruncate(fd, 5000));
  EQ(lseek(fd, 0, SEEK_CUR), 8);
  OK(fstat(fd, &st));
  EQ(st.st_size, 5000);
  memset(buf, 0x55, sizeof buf);
  EQ(pread(fd, buf, sizeof buf, 0), 5000);
  CHECK(memcmp(buf, "abcdefgh", 8) == 0);
  for (int i = 8; i < 5000; i++)
    if (buf[i] != 0) FAIL("byte %d is %d after growing", i, buf[i]);
  printf("grow ok\n");

  // Shrink: the tail is gone; reading at the old offset past the end gives 0 bytes.
  OK(ftruncate(fd, 3));
  OK(fstat(fd, &st));
  EQ(st.st_size, 3);
  EQ(lseek(fd, 0, SEEK_CUR), 8);
  EQ(read(fd, buf, 10), 0);
  EQ(pread(fd, buf, 10, 0), 3);
  CHECK(memcmp(buf, "abc", 3) == 0);
  // Writing at offset 8 leaves a zero hole at 3..7.
  EQ(write(fd, "Z", 1), 1);
  EQ(pread(fd, buf, 16, 0), 9);
  CHECK(memcmp(buf, "abc\0\0\0\0\0Z", 9) == 0);
  printf("shrink ok\n");

  // Shrink then grow: the old bytes do not come back.
  OK(ftruncate(fd, 1));
  OK(ftruncate(fd, 4));
  EQ(pread(fd, buf, 16, 0), 4);
  CHECK(memcmp(buf, "a\0\0\0", 4) == 0);
  OK(ftruncate(fd, 0));
  OK(fstat(fd, &st));
  EQ(st.st_size, 0);
  printf("shrink then grow ok\n");

  // truncate() by path.
  OK(truncate(path, 100));
  OK(fstat(fd, &st));
  EQ(st.st_size, 100);
  OK(truncate(path, 10));
  OK(stat(path, &st));
  EQ(st.st_size, 10);
  FAILS(truncate(P(base, "missing"), 0), ENOENT);
  printf("truncate by path ok\n");

  // posix_fallocate (fd_allocate) is ENOTSUP, as wasmtime; the size does not change.
  EQ(posix_fallocate(fd, 16, 16), ENOTSUP);
  OK(fstat(fd, &st));
  EQ(st.st_size, 10);
  OK(close(fd));
  printf("fallocate ok\n");

  // Errors: negative length, a read-only fd, a directory.
  fd = (int)OK(open(path, O_RDWR));
  FAILS(ftruncate(fd, -1), EINVAL);
  OK(close(fd));
  fd = (int)OK(open(path, O_RDONLY));
  errno = 0;
  CHECK(ftruncate(fd, 0) == -1);
  if (errno != EBADF && errno != EINVAL && errno != ENOTCAPABLE) FAIL("ftruncate on a read-only fd: errno=%d (%s)", errno, strerror(errno));
  OK(close(fd));
  OK(stat(path, &st));
  EQ(st.st_size, 10);
  OK(mkdir(P(base, "tdir"), 0755));
  errno = 0;
  CHECK(truncate(P(base, "tdir"), 0) == -1);
  if (errno != EISDIR && errno != EBADF && errno != EINVAL) FAIL("truncate of a dir: errno=%d (%s)", errno, strerror(errno));
  printf("truncate errors ok\n");

  // Final content for the test to check on the host: 32 bytes, "end" at 29 (a write past the end zero-fills).
  fd = (int)OK(open(path, O_WRONLY));
  OK(ftruncate(fd, 0));
  EQ(pwrite(fd, "end", 3, 29), 3);
  OK(close(fd));
  return 0;
}
