// fs_stat: stat/lstat/fstat/fstatat: file types, size, dev, ino equal for hard links, nlink counts, mtime after a write.
#include <time.h>
#include "fs_check.h"

static long long now_s(void) {
  struct timespec ts;
  OK(clock_gettime(CLOCK_REALTIME, &ts));
  return ts.tv_sec;
}

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  const char *file = P(base, "st_file");
  const char *hard = P(base, "st_hard");
  const char *dir = P(base, "st_dir");
  const char *sym = P(base, "st_sym");
  struct stat a, b, c;

  put_file(file, "0123456789");
  OK(mkdir(dir, 0755));
  OK(symlink("st_file", sym));

  // Types and sizes.
  OK(stat(file, &a));
  CHECK(S_ISREG(a.st_mode));
  EQ(a.st_size, 10);
  EQ(a.st_nlink, 1);
  OK(stat(dir, &b));
  CHECK(S_ISDIR(b.st_mode));
  EQ(a.st_dev, b.st_dev);
  CHECK(a.st_ino != b.st_ino);
  OK(stat(base, &c));
  CHECK(S_ISDIR(c.st_mode));
  EQ(c.st_dev, a.st_dev);
  printf("types ok\n");

  // lstat sees the link, stat follows it; the link's size is the target's length.
  OK(lstat(sym, &b));
  CHECK(S_ISLNK(b.st_mode));
  EQ(b.st_size, 7);
  CHECK(b.st_ino != a.st_ino);
  OK(stat(sym, &c));
  CHECK(S_ISREG(c.st_mode));
  EQ(c.st_ino, a.st_ino);
  EQ(c.st_dev, a.st_dev);
  EQ(c.st_size, 10);
  OK(fstatat(AT_FDCWD, sym, &b, AT_SYMLINK_NOFOLLOW));
  CHECK(S_ISLNK(b.st_mode));
  printf("lstat ok\n");

  // fstat agrees with stat.
  int fd = (int)OK(open(file, O_RDWR));
  OK(fstat(fd, &b));
  CHECK(S_ISREG(b.st_mode));
  EQ(b.st_dev, a.st_dev);
  EQ(b.st_ino, a.st_ino);
  EQ(b.st_size, 10);
  int dfd = (int)OK(open(dir, O_RDONLY | O_DIRECTORY));
  OK(fstat(dfd, &c));
  CHECK(S_ISDIR(c.st_mode));
  OK(close(dfd));
  printf("fstat ok\n");

  // Hard links: same dev and ino, nlink counts up and down, on every name and on the open fd.
  OK(link(file, hard));
  OK(stat(hard, &b));
  EQ(b.st_dev, a.st_dev);
  EQ(b.st_ino, a.st_ino);
  EQ(b.st_nlink, 2);
  OK(stat(file, &c));
  EQ(c.st_nlink, 2);
  OK(link(hard, P(base, "st_hard2")));
  OK(fstat(fd, &c));
  EQ(c.st_nlink, 3);
  OK(unlink(file));
  OK(stat(hard, &c));
  EQ(c.st_nlink, 2);
  OK(unlink(P(base, "st_hard2")));
  OK(fstat(fd, &c));
  EQ(c.st_nlink, 1);
  EQ(c.st_ino, a.st_ino);
  printf("nlink ok\n");

  // Size follows writes through another name; mtime moves forward after a write.
  struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
  OK(futimens(fd, old));
  OK(fstat(fd, &b));
  EQ(b.st_mtim.tv_sec, 1000000000);
  long long t0 = now_s();
  EQ(pwrite(fd, "abc", 3, 10), 3);
  OK(stat(hard, &c));
  EQ(c.st_size, 13);
  CHECK(c.st_mtim.tv_sec >= t0 - 5 && c.st_mtim.tv_sec <= now_s() + 5);
  OK(close(fd));
  printf("mtime after write ok\n");

  // A directory's mtime moves when an entry is created in it.
  OK(utimensat(AT_FDCWD, dir, old, 0));
  OK(stat(dir, &b));
  EQ(b.st_mtim.tv_sec, 1000000000);
  put_file(P(base, "st_dir/new"), "");
  OK(stat(dir, &b));
  CHECK(b.st_mtim.tv_sec >= t0 - 5);
  printf("dir mtime ok\n");

  // Errors.
  FAILS(stat(P(base, "missing"), &a), ENOENT);
  FAILS(lstat(P(base, "missing"), &a), ENOENT);
  FAILS(stat(P(base, "st_hard/x"), &a), ENOTDIR);
  OK(symlink("missing", P(base, "dangling")));
  FAILS(stat(P(base, "dangling"), &a), ENOENT);
  OK(lstat(P(base, "dangling"), &a));
  CHECK(S_ISLNK(a.st_mode));
  printf("stat errors ok\n");
  return 0;
}
