// fs_pread: pread/pwrite at explicit offsets leave the fd offset where it was; lseek SEEK_CUR/SEEK_END/EINVAL.
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  const char *path = P(base, "pread.bin");
  char buf[64];

  int fd = (int)OK(open(path, O_RDWR | O_CREAT | O_TRUNC, 0644));
  EQ(write(fd, "0123456789", 10), 10);
  EQ(lseek(fd, 0, SEEK_CUR), 10);

  // pwrite in the middle and past the end: the offset stays at 10.
  EQ(pwrite(fd, "AB", 2, 3), 2);
  EQ(lseek(fd, 0, SEEK_CUR), 10);
  EQ(pwrite(fd, "Z", 1, 15), 1);
  EQ(lseek(fd, 0, SEEK_CUR), 10);
  struct stat st;
  OK(fstat(fd, &st));
  EQ(st.st_size, 16);
  printf("pwrite ok\n");

  // pread anywhere: the offset stays put; the hole reads as zeros; pread at/after EOF returns 0.
  OK(lseek(fd, 4, SEEK_SET));
  memset(buf, 0x55, sizeof buf);
  EQ(pread(fd, buf, 6, 2), 6);
  CHECK(memcmp(buf, "2AB567", 6) == 0);
  EQ(lseek(fd, 0, SEEK_CUR), 4);
  EQ(pread(fd, buf, 10, 9), 7);
  CHECK(memcmp(buf, "9\0\0\0\0\0Z", 7) == 0);
  EQ(pread(fd, buf, 10, 16), 0);
  EQ(pread(fd, buf, 10, 1000), 0);
  EQ(lseek(fd, 0, SEEK_CUR), 4);
  // A plain read continues from the unchanged offset.
  EQ(read(fd, buf, 3), 3);
  CHECK(memcmp(buf, "B56", 3) == 0);
  EQ(lseek(fd, 0, SEEK_CUR), 7);
  printf("pread ok\n");

  // lseek: SEEK_END, past the end (no size change), negative result -> EINVAL.
  EQ(lseek(fd, -1, SEEK_END), 15);
  EQ(lseek(fd, 100, SEEK_END), 116);
  OK(fstat(fd, &st));
  EQ(st.st_size, 16);
  FAILS(lseek(fd, -1, SEEK_SET), EINVAL);
  FAILS(lseek(fd, -17, SEEK_END), EINVAL);
  EQ(lseek(fd, 0, SEEK_CUR), 116);
  printf("lseek ok\n");

  // pread on a write-only fd and pwrite on a read-only fd: EBADF.
  OK(close(fd));
  fd = (int)OK(open(path, O_WRONLY));
  FAILS(pread(fd, buf, 1, 0), EBADF);
  FAILS(read(fd, buf, 1), EBADF);
  OK(close(fd));
  fd = (int)OK(open(path, O_RDONLY));
  FAILS(pwrite(fd, "x", 1, 0), EBADF);
  FAILS(write(fd, "x", 1), EBADF);
  OK(close(fd));
  printf("ebadf ok\n");
  return 0;
}
