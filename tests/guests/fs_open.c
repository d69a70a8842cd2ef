// fs_open: open flags: O_CREAT, O_EXCL (EEXIST), O_TRUNC, O_DIRECTORY on a file (ENOTDIR), a dir for writing (EISDIR), isatty (ENOTTY), fd reuse.
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  const char *path = P(base, "open.txt");
  struct stat st;
  char buf[64];

  // O_CREAT makes an empty file; without it a missing file is ENOENT.
  FAILS(open(path, O_RDONLY), ENOENT);
  FAILS(open(path, O_WRONLY), ENOENT);
  int fd = (int)OK(open(path, O_WRONLY | O_CREAT, 0644));
  OK(fstat(fd, &st));
  EQ(st.st_size, 0);
  EQ(write(fd, "hello", 5), 5);
  OK(close(fd));
  // O_CREAT on an existing file keeps its content.
  fd = (int)OK(open(path, O_RDWR | O_CREAT, 0644));
  OK(fstat(fd, &st));
  EQ(st.st_size, 5);
  OK(close(fd));
  printf("o_creat ok\n");

  // O_EXCL: EEXIST for an existing file, a directory, and a symlink (even a dangling one).
  FAILS(open(path, O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  FAILS(open(base, O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  OK(symlink("nowhere", P(base, "dangling")));
  FAILS(open(P(base, "dangling"), O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  fd = (int)OK(open(P(base, "excl.txt"), O_WRONLY | O_CREAT | O_EXCL, 0644));
  OK(close(fd));
  FAILS(open(P(base, "excl.txt"), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
  printf("o_excl ok\n");

  // O_TRUNC empties an existing file.
  fd = (int)OK(open(path, O_WRONLY | O_TRUNC));
  OK(fstat(fd, &st));
  EQ(st.st_size, 0);
  EQ(write(fd, "new", 3), 3);
  OK(close(fd));
  get_file(path, buf, sizeof buf);
  STREQ(buf, "new");
  printf("o_trunc ok\n");

  // O_DIRECTORY: a file is ENOTDIR; a dir opens; a symlink to a dir opens.
  FAILS(open(path, O_RDONLY | O_DIRECTORY), ENOTDIR);
  OK(mkdir(P(base, "dir"), 0755));
  fd = (int)OK(open(P(base, "dir"), O_RDONLY | O_DIRECTORY));
  OK(fstat(fd, &st));
  CHECK(S_ISDIR(st.st_mode));
  OK(close(fd));
  OK(symlink("dir", P(base, "dirlink")));
  fd = (int)OK(open(P(base, "dirlink"), O_RDONLY | O_DIRECTORY));
  OK(close(fd));
  // A trailing slash on a file name is ENOTDIR too.
  FAILS(open(P(base, "open.txt/"), O_RDONLY), ENOTDIR);
  FAILS(open(P(base, "open.txt/x"), O_RDONLY), ENOTDIR);
  printf("o_directory ok\n");

  // A directory opened for writing is EISDIR; reading a dir fd with read() is EISDIR or EBADF.
  FAILS(open(P(base, "dir"), O_WRONLY), EISDIR);
  FAILS(open(P(base, "dir"), O_RDWR), EISDIR);
  FAILS(open(P(base, "dir"), O_WRONLY | O_CREAT, 0644), EISDIR);
  fd = (int)OK(open(P(base, "dir"), O_RDONLY));
  errno = 0;
  CHECK(read(fd, buf, sizeof buf) == -1);
  if (errno != EISDIR && errno != EBADF) FAIL("read of a dir fd: errno=%d (%s)", errno, strerror(errno));
  OK(close(fd));
  printf("dir for writing ok\n");

  // isatty: 0 on a file, with errno ENOTTY.
  fd = (int)OK(open(path, O_RDONLY));
  errno = 0;
  EQ(isatty(fd), 0);
  EQ(errno, ENOTTY);
  printf("isatty ok\n");

  // A closed fd is EBADF; the lowest free fd is reused.
  int fd2 = (int)OK(open(path, O_RDONLY));
  CHECK(fd2 != fd);
  OK(close(fd));
  FAILS(close(fd), EBADF);
  FAILS(read(fd, buf, 1), EBADF);
  FAILS(fstat(fd, &st), EBADF);
  int fd3 = (int)OK(open(path, O_RDONLY));
  EQ(fd3, fd);
  OK(close(fd2));
  OK(close(fd3));
  printf("fd reuse ok\n");

  // O_CREAT in a missing directory is ENOENT; through a file is ENOTDIR; of "name/" is EISDIR.
  FAILS(open(P(base, "nodir/x"), O_WRONLY | O_CREAT, 0644), ENOENT);
  FAILS(open(P(base, "open.txt/x"), O_WRONLY | O_CREAT, 0644), ENOTDIR);
  FAILS(open(P(base, "newdir/"), O_WRONLY | O_CREAT, 0644), EISDIR);
  FAILS(stat(P(base, "newdir"), &st), ENOENT);
  printf("open errors ok\n");
  return 0;
}
