// fs_append: O_APPEND writes land at the end even after lseek, and through two fds; fcntl F_GETFL/F_SETFL.
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  const char *path = P(base, "append.txt");
  char buf[64];

  put_file(path, "start\n");
  int fd = (int)OK(open(path, O_WRONLY | O_APPEND));
  CHECK(fcntl(fd, F_GETFL) & O_APPEND);
  EQ(write(fd, "one\n", 4), 4);
  EQ(lseek(fd, 0, SEEK_CUR), 10);
  OK(lseek(fd, 0, SEEK_SET));
  EQ(write(fd, "two\n", 4), 4);
  EQ(lseek(fd, 0, SEEK_CUR), 14);
  printf("append after lseek ok\n");

  // Another fd grows the file; the O_APPEND fd still writes at the new end.
  int other = (int)OK(open(path, O_WRONLY));
  EQ(pwrite(other, "grown\n", 6, 14), 6);
  OK(close(other));
  OK(lseek(fd, 2, SEEK_SET));
  EQ(write(fd, "three\n", 6), 6);
  EQ(lseek(fd, 0, SEEK_CUR), 26);
  get_file(path, buf, sizeof buf);
  STREQ(buf, "start\none\ntwo\ngrown\nthree\n");
  printf("append after another writer ok\n");

  // F_SETFL clears O_APPEND: the next write goes at the offset again.
  OK(fcntl(fd, F_SETFL, 0));
  CHECK(!(fcntl(fd, F_GETFL) & O_APPEND));
  OK(lseek(fd, 0, SEEK_SET));
  EQ(write(fd, "START", 5), 5);
  EQ(lseek(fd, 0, SEEK_CUR), 5);
  // ...and setting it again sends writes back to the end.
  OK(fcntl(fd, F_SETFL, O_APPEND));
  CHECK(fcntl(fd, F_GETFL) & O_APPEND);
  EQ(write(fd, "end\n", 4), 4);
  OK(close(fd));
  get_file(path, buf, sizeof buf);
  STREQ(buf, "START\none\ntwo\ngrown\nthree\nend\n");
  printf("fcntl append ok\n");

  // O_RDWR|O_APPEND: reads follow the offset, writes go to the end.
  fd = (int)OK(open(path, O_RDWR | O_APPEND));
  OK(lseek(fd, 6, SEEK_SET));
  memset(buf, 0, sizeof buf);
  EQ(read(fd, buf, 4), 4);
  STREQ(buf, "one\n");
  EQ(write(fd, "!", 1), 1);
  EQ(lseek(fd, 0, SEEK_CUR), 31);
  OK(close(fd));
  get_file(path, buf, sizeof buf);
  STREQ(buf, "START\none\ntwo\ngrown\nthree\nend\n!");
  printf("rdwr append ok\n");
  return 0;
}
