// fs_symlink: symlink/readlink: target kept verbatim, truncation into a small buffer, links to dirs, dangling links, EEXIST, EINVAL, ELOOP.
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  struct stat st;
  char buf[256];

  // Targets are stored verbatim, whatever they point at.
  const char *targets[] = {"plain", "sub/./x/../y", "../outside/of/preopen", "a//b/", "ünïcødé ✓", "."};
  for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
    char name[32];
    snprintf(name, sizeof name, "l%zu", i);
    OK(symlink(targets[i], P(base, name)));
    memset(buf, 0x55, sizeof buf);
    ssize_t n = OK(readlink(P(base, name), buf, sizeof buf));
    EQ(n, strlen(targets[i]));
    CHECK(memcmp(buf, targets[i], (size_t)n) == 0);
    EQ((unsigned char)buf[n], 0x55);  // readlink does not NUL-terminate
    OK(lstat(P(base, name), &st));
    CHECK(S_ISLNK(st.st_mode));
    EQ(st.st_size, strlen(targets[i]));
  }
  printf("readlink verbatim ok\n");

  // A small buffer gets the first bytes and nothing past it.
  memset(buf, 0x55, sizeof buf);
  EQ(readlink(P(base, "l1"), buf, 4), 4);
  CHECK(memcmp(buf, "sub/", 4) == 0);
  EQ((unsigned char)buf[4], 0x55);
  memset(buf, 0x55, sizeof buf);
  EQ(readlink(P(base, "l1"), buf, 1), 1);
  EQ(buf[0], 's');
  EQ((unsigned char)buf[1], 0x55);
  printf("readlink truncation ok\n");

  // Following links: to a file, to a dir, through a dir link, chains.
  put_file(P(base, "target"), "T");
  OK(mkdir(P(base, "dir"), 0755));
  put_file(P(base, "dir/inner"), "I");
  OK(symlink("target", P(base, "to_file")));
  OK(symlink("dir", P(base, "to_dir")));
  OK(symlink("to_file", P(base, "chain")));
  OK(symlink("../target", P(base, "dir/up")));
  get_file(P(base, "to_file"), buf, sizeof buf);
  STREQ(buf, "T");
  get_file(P(base, "to_dir/inner"), buf, sizeof buf);
  STREQ(buf, "I");
  get_file(P(base, "chain"), buf, sizeof buf);
  STREQ(buf, "T");
  get_file(P(base, "to_dir/up"), buf, sizeof buf);
  STREQ(buf, "T");
  OK(stat(P(base, "to_dir"), &st));
  CHECK(S_ISDIR(st.st_mode));
  printf("follow ok\n");

  // Writing through a link writes the target; O_CREAT through a dangling link creates the target.
  int fd = (int)OK(open(P(base, "to_file"), O_WRONLY | O_APPEND));
  EQ(write(fd, "2", 1), 1);
  OK(close(fd));
  get_file(P(base, "target"), buf, sizeof buf);
  STREQ(buf, "T2");
  OK(symlink("created_via_link", P(base, "dangling")));
  FAILS(open(P(base, "dangling"), O_RDONLY), ENOENT);
  fd = (int)OK(open(P(base, "dangling"), O_WRONLY | O_CREAT, 0644));
  EQ(write(fd, "C", 1), 1);
  OK(close(fd));
  get_file(P(base, "created_via_link"), buf, sizeof buf);
  STREQ(buf, "C");
  printf("write through link ok\n");

  // Errors: existing name, readlink of a non-link, loops, O_NOFOLLOW, missing dir.
  FAILS(symlink("x", P(base, "target")), EEXIST);
  FAILS(symlink("x", P(base, "to_file")), EEXIST);
  FAILS(readlink(P(base, "target"), buf, sizeof buf), EINVAL);
  FAILS(readlink(P(base, "missing"), buf, sizeof buf), ENOENT);
  OK(symlink("loop_b", P(base, "loop_a")));
  OK(symlink("loop_a", P(base, "loop_b")));
  FAILS(open(P(base, "loop_a"), O_RDONLY), ELOOP);
  FAILS(stat(P(base, "loop_a"), &st), ELOOP);
  FAILS(open(P(base, "to_file"), O_RDONLY | O_NOFOLLOW), ELOOP);
  FAILS(symlink("x", P(base, "nodir/x")), ENOENT);
  printf("symlink errors ok\n");

  // unlink removes the link, not the target; rmdir on a link to a dir is ENOTDIR.
  FAILS(rmdir(P(base, "to_dir")), ENOTDIR);
  OK(unlink(P(base, "to_dir")));
  OK(stat(P(base, "dir/inner"), &st));
  OK(unlink(P(base, "to_file")));
  OK(stat(P(base, "target"), &st));
  printf("unlink link ok\n");
  return 0;
}
