// fs_mkdir: mkdir/rmdir/unlink: EEXIST, ENOENT, ENOTEMPTY, ENOTDIR, EISDIR (unlink of a dir), nested paths, trailing slashes.
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  struct stat st;

  OK(mkdir(P(base, "d"), 0755));
  OK(stat(P(base, "d"), &st));
  CHECK(S_ISDIR(st.st_mode));
  FAILS(mkdir(P(base, "d"), 0755), EEXIST);
  OK(mkdir(P(base, "d/e"), 0755));
  OK(mkdir(P(base, "d/e/f/"), 0755));  // a trailing slash is fine for mkdir
  OK(stat(P(base, "d/e/f"), &st));
  CHECK(S_ISDIR(st.st_mode));
  FAILS(mkdir(P(base, "nope/x"), 0755), ENOENT);
  put_file(P(base, "file"), "data");
  FAILS(mkdir(P(base, "file"), 0755), EEXIST);
  FAILS(mkdir(P(base, "file/x"), 0755), ENOTDIR);
  printf("mkdir ok\n");

  // rmdir refuses a non-empty dir, a file, a missing path.
  FAILS(rmdir(P(base, "d")), ENOTEMPTY);
  FAILS(rmdir(P(base, "d/e")), ENOTEMPTY);
  FAILS(rmdir(P(base, "file")), ENOTDIR);
  FAILS(rmdir(P(base, "missing")), ENOENT);
  put_file(P(base, "d/e/f/g"), "");
  FAILS(rmdir(P(base, "d/e/f")), ENOTEMPTY);
  OK(unlink(P(base, "d/e/f/g")));
  OK(rmdir(P(base, "d/e/f")));
  FAILS(stat(P(base, "d/e/f"), &st), ENOENT);
  OK(rmdir(P(base, "d/e/")));  // a trailing slash is fine for rmdir
  OK(rmdir(P(base, "d")));
  FAILS(stat(P(base, "d"), &st), ENOENT);
  // The preopen itself (the guest's "." there) cannot be removed: EINVAL, as Linux rmdir(".").
  FAILS(rmdir(base), EINVAL);
  FAILS(rmdir(P(base, ".")), EINVAL);
  printf("rmdir ok\n");

  // unlink: a dir is EISDIR, a missing name ENOENT, a path through a file ENOTDIR.
  OK(mkdir(P(base, "dir2"), 0755));
  FAILS(unlink(P(base, "dir2")), EISDIR);
  OK(stat(P(base, "dir2"), &st));
  FAILS(unlink(P(base, "missing")), ENOENT);
  FAILS(unlink(P(base, "file/x")), ENOTDIR);
  FAILS(unlink(P(base, "file/")), ENOTDIR);
  OK(unlink(P(base, "file")));
  FAILS(stat(P(base, "file"), &st), ENOENT);
  printf("unlink ok\n");

  // A file unlinked while open stays readable through the fd.
  put_file(P(base, "open_then_unlink"), "still here");
  int fd = (int)OK(open(P(base, "open_then_unlink"), O_RDONLY));
  OK(unlink(P(base, "open_then_unlink")));
  FAILS(stat(P(base, "open_then_unlink"), &st), ENOENT);
  char buf[32] = {0};
  EQ(read(fd, buf, sizeof buf - 1), 10);
  STREQ(buf, "still here");
  OK(fstat(fd, &st));
  EQ(st.st_nlink, 0);
  OK(close(fd));
  printf("unlink while open ok\n");

  // remove() handles both.
  OK(mkdir(P(base, "r1"), 0755));
  put_file(P(base, "r2"), "");
  OK(remove(P(base, "r1")));
  OK(remove(P(base, "r2")));
  FAILS(remove(P(base, "r1")), ENOENT);
  printf("remove ok\n");
  return 0;
}
