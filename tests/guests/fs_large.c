// fs_large: lseek to argv[2] bytes (default 5 GiB), write 1 byte; fstat size, read back, sparse zeros before it; ftruncate to 0
// (unless argv[3] is "keep": then the file stays at argv[2] + 11 bytes for the caller to check).
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  long long off = argc > 2 ? atoll(argv[2]) : 5LL << 30;
  const char *path = P(base, "large.bin");
  struct stat st;
  unsigned char buf[16];

  int fd = (int)OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
  EQ(lseek(fd, off, SEEK_SET), off);
  EQ(write(fd, "L", 1), 1);
  EQ(lseek(fd, 0, SEEK_CUR), off + 1);
  OK(fstat(fd, &st));
  EQ(st.st_size, off + 1);
  OK(stat(path, &st));
  EQ(st.st_size, off + 1);
  printf("size ok\n");

  // Read the byte back with lseek+read and with pread; the bytes before it are zeros.
  EQ(lseek(fd, off - 7, SEEK_SET), off - 7);
  memset(buf, 0x55, sizeof buf);
  EQ(read(fd, buf, sizeof buf), 8);
  CHECK(memcmp(buf, "\0\0\0\0\0\0\0L", 8) == 0);
  memset(buf, 0x55, sizeof buf);
  EQ(pread(fd, buf, sizeof buf, off), 1);
  EQ(buf[0], 'L');
  EQ(pread(fd, buf, 4, 1000), 4);
  CHECK(memcmp(buf, "\0\0\0\0", 4) == 0);
  EQ(lseek(fd, 0, SEEK_END), off + 1);
  printf("read back ok\n");

  // pwrite past the end at a large offset, too.
  EQ(pwrite(fd, "M", 1, off + 10), 1);
  OK(fstat(fd, &st));
  EQ(st.st_size, off + 11);
  printf("pwrite ok\n");

  if (argc > 3 && strcmp(argv[3], "keep") == 0) {
    OK(close(fd));
    printf("kept ok\n");
    return 0;
  }
  OK(ftruncate(fd, 0));
  OK(fstat(fd, &st));
  EQ(st.st_size, 0);
  EQ(pread(fd, buf, 1, off), 0);
  OK(close(fd));
  printf("truncated ok\n");
  return 0;
}
