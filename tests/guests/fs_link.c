// fs_link: link shares data between names; unlinking one keeps the other; EEXIST, ENOENT, EPERM for a directory.
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  struct stat st;
  char buf[64];

  put_file(P(base, "orig"), "v1");
  OK(link(P(base, "orig"), P(base, "alias")));
  // A write through one name shows through the other.
  int fd = (int)OK(open(P(base, "alias"), O_WRONLY | O_APPEND));
  EQ(write(fd, "+v2", 3), 3);
  OK(close(fd));
  get_file(P(base, "orig"), buf, sizeof buf);
  STREQ(buf, "v1+v2");
  printf("link shares data ok\n");

  // Truncating through one name truncates both.
  fd = (int)OK(open(P(base, "orig"), O_WRONLY | O_TRUNC));
  OK(close(fd));
  OK(stat(P(base, "alias"), &st));
  EQ(st.st_size, 0);
  put_file(P(base, "alias"), "v3");
  get_file(P(base, "orig"), buf, sizeof buf);
  STREQ(buf, "v3");
  printf("link truncate ok\n");

  // Link into a subdirectory.
  OK(mkdir(P(base, "sub"), 0755));
  OK(link(P(base, "orig"), P(base, "sub/third")));
  OK(stat(P(base, "orig"), &st));
  EQ(st.st_nlink, 3);

  // Unlinking the original keeps the data under the other names.
  OK(unlink(P(base, "orig")));
  get_file(P(base, "alias"), buf, sizeof buf);
  STREQ(buf, "v3");
  OK(stat(P(base, "sub/third"), &st));
  EQ(st.st_nlink, 2);
  printf("unlink one name ok\n");

  // Errors: existing target, missing source, a directory source, a target in a missing dir.
  put_file(P(base, "other"), "o");
  FAILS(link(P(base, "alias"), P(base, "other")), EEXIST);
  FAILS(link(P(base, "alias"), P(base, "sub")), EEXIST);
  FAILS(link(P(base, "missing"), P(base, "x")), ENOENT);
  FAILS(link(P(base, "sub"), P(base, "sub_link")), EPERM);
  FAILS(link(P(base, "alias"), P(base, "nodir/x")), ENOENT);
  get_file(P(base, "other"), buf, sizeof buf);
  STREQ(buf, "o");
  printf("link errors ok\n");

  // link() of a symlink links the symlink itself (linkat without AT_SYMLINK_FOLLOW).
  OK(symlink("alias", P(base, "sym")));
  OK(link(P(base, "sym"), P(base, "sym_hard")));
  OK(lstat(P(base, "sym_hard"), &st));
  CHECK(S_ISLNK(st.st_mode));
  EQ(st.st_nlink, 2);
  printf("link of symlink ok\n");
  return 0;
}
