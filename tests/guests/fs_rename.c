// fs_rename: rename a file, over a file, over an empty dir, ENOTEMPTY over a non-empty dir, EISDIR, ENOTDIR, into a subdir.
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  struct stat st, st2;
  char buf[64];

  // A plain rename keeps the inode.
  put_file(P(base, "a"), "AAA");
  OK(stat(P(base, "a"), &st));
  OK(rename(P(base, "a"), P(base, "b")));
  FAILS(stat(P(base, "a"), &st2), ENOENT);
  OK(stat(P(base, "b"), &st2));
  EQ(st2.st_ino, st.st_ino);
  get_file(P(base, "b"), buf, sizeof buf);
  STREQ(buf, "AAA");
  printf("rename ok\n");

  // Over an existing file: the target is replaced.
  put_file(P(base, "c"), "CCCCC");
  OK(rename(P(base, "b"), P(base, "c")));
  FAILS(stat(P(base, "b"), &st2), ENOENT);
  get_file(P(base, "c"), buf, sizeof buf);
  STREQ(buf, "AAA");
  OK(stat(P(base, "c"), &st2));
  EQ(st2.st_ino, st.st_ino);
  printf("rename over file ok\n");

  // A file renamed onto itself is a no-op.
  OK(rename(P(base, "c"), P(base, "c")));
  get_file(P(base, "c"), buf, sizeof buf);
  STREQ(buf, "AAA");
  printf("rename onto itself ok\n");

  // A dir over an empty dir: replaced; its contents move with it.
  OK(mkdir(P(base, "d1"), 0755));
  put_file(P(base, "d1/inside"), "in");
  OK(mkdir(P(base, "d2"), 0755));
  OK(rename(P(base, "d1"), P(base, "d2")));
  FAILS(stat(P(base, "d1"), &st2), ENOENT);
  get_file(P(base, "d2/inside"), buf, sizeof buf);
  STREQ(buf, "in");
  printf("rename over empty dir ok\n");

  // A dir over a non-empty dir: ENOTEMPTY (Linux may say EEXIST; POSIX allows both), nothing moves.
  OK(mkdir(P(base, "d3"), 0755));
  errno = 0;
  CHECK(rename(P(base, "d3"), P(base, "d2")) == -1);
  if (errno != ENOTEMPTY && errno != EEXIST) FAIL("rename over non-empty dir: errno=%d (%s)", errno, strerror(errno));
  OK(stat(P(base, "d3"), &st2));
  OK(stat(P(base, "d2/inside"), &st2));
  printf("rename over non-empty dir ok\n");

  // File over dir: EISDIR. Dir over file: ENOTDIR. Missing source: ENOENT. Into a missing dir: ENOENT.
  FAILS(rename(P(base, "c"), P(base, "d3")), EISDIR);
  FAILS(rename(P(base, "d3"), P(base, "c")), ENOTDIR);
  FAILS(rename(P(base, "missing"), P(base, "x")), ENOENT);
  FAILS(rename(P(base, "c"), P(base, "nodir/x")), ENOENT);
  FAILS(rename(P(base, "c/x"), P(base, "y")), ENOTDIR);
  // The preopen's root can be neither moved nor replaced: EBUSY, as Linux rename(".", ...).
  FAILS(rename(base, P(base, "moved_root")), EBUSY);
  FAILS(rename(P(base, "d3"), base), EBUSY);
  printf("rename errors ok\n");

  // A dir into its own subdir: EINVAL.
  OK(mkdir(P(base, "d3/sub"), 0755));
  FAILS(rename(P(base, "d3"), P(base, "d3/sub/d3")), EINVAL);
  printf("rename into itself ok\n");

  // Across directories, and with an open fd: the fd follows the file.
  int fd = (int)OK(open(P(base, "c"), O_RDWR));
  OK(rename(P(base, "c"), P(base, "d3/sub/moved")));
  EQ(write(fd, "Z", 1), 1);
  OK(close(fd));
  get_file(P(base, "d3/sub/moved"), buf, sizeof buf);
  STREQ(buf, "ZAA");
  printf("rename across dirs ok\n");

  // A symlink is renamed as a link, not followed.
  OK(symlink("d3/sub/moved", P(base, "ln")));
  OK(rename(P(base, "ln"), P(base, "ln2")));
  OK(lstat(P(base, "ln2"), &st2));
  CHECK(S_ISLNK(st2.st_mode));
  get_file(P(base, "ln2"), buf, sizeof buf);
  STREQ(buf, "ZAA");
  printf("rename symlink ok\n");
  return 0;
}
