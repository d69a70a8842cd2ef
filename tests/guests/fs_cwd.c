// fs_cwd: chdir/getcwd with relative paths, ".", "..", "//", and ".." after a symlink resolved physically (as POSIX).
#include <dirent.h>
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  char buf[512];
  struct stat st;

  OK(chdir(base));
  CHECK(getcwd(buf, sizeof buf) != NULL);
  STREQ(buf, base);
  put_file("rel.txt", "relative");
  get_file(P(base, "rel.txt"), buf, sizeof buf);
  STREQ(buf, "relative");
  printf("relative open ok\n");

  OK(mkdir("a", 0755));
  OK(mkdir("a/b", 0755));
  OK(chdir("a/b"));
  CHECK(getcwd(buf, sizeof buf) != NULL);
  STREQ(buf, P(base, "a/b"));
  put_file("../in_a.txt", "A");
  put_file("./in_b.txt", "B");
  get_file(P(base, "a/in_a.txt"), buf, sizeof buf);
  STREQ(buf, "A");
  get_file(P(base, "a/b/in_b.txt"), buf, sizeof buf);
  STREQ(buf, "B");
  get_file("../../rel.txt", buf, sizeof buf);
  STREQ(buf, "relative");
  printf("chdir ok\n");

  // chdir(".."): wasi-libc keeps the cwd string unnormalized ("/data/a/b/.."), so compare inodes.
  struct stat here, a;
  OK(chdir(".."));
  OK(stat(".", &here));
  OK(stat(P(base, "a"), &a));
  EQ(here.st_ino, a.st_ino);
  FAILS(chdir("in_a.txt"), ENOTDIR);
  FAILS(chdir("missing"), ENOENT);
  OK(stat(".", &here));
  EQ(here.st_ino, a.st_ino);
  printf("chdir errors ok\n");

  // Redundant separators and dots.
  get_file(P(base, ".//a/./b//in_b.txt"), buf, sizeof buf);
  STREQ(buf, "B");
  get_file(P(base, "a/b/../b/./in_b.txt"), buf, sizeof buf);
  STREQ(buf, "B");
  OK(stat(P(base, "a/b/."), &st));
  CHECK(S_ISDIR(st.st_mode));
  OK(stat(P(base, "a/b/"), &st));
  CHECK(S_ISDIR(st.st_mode));
  printf("dots ok\n");

  // "link/.." is the parent of the link's target, not the directory holding the link.
  OK(chdir(base));
  OK(symlink("a/b", "deep"));
  put_file("a/which.txt", "parent of the target");
  put_file("which.txt", "next to the link");
  get_file("deep/../which.txt", buf, sizeof buf);
  STREQ(buf, "parent of the target");
  get_file(P(base, "deep/../which.txt"), buf, sizeof buf);
  STREQ(buf, "parent of the target");
  OK(chdir("deep"));
  get_file("in_b.txt", buf, sizeof buf);
  STREQ(buf, "B");
  printf("symlink dotdot ok\n");

  // opendir(".") lists the cwd.
  OK(chdir(P(base, "a")));
  DIR *d = opendir(".");
  CHECK(d != NULL);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, "b") == 0 || strcmp(e->d_name, "in_a.txt") == 0 || strcmp(e->d_name, "which.txt") == 0) n++;
  OK(closedir(d));
  EQ(n, 3);
  printf("opendir cwd ok\n");
  return 0;
}
