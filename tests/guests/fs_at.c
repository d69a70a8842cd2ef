// fs_at: the *at calls relative to a directory fd that is not a preopen (openat, mkdirat, fstatat, renameat, linkat, symlinkat, readlinkat, unlinkat), and a dir fd that follows its directory through a rename.
#include <dirent.h>
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  struct stat st, st2;
  char buf[64];

  OK(mkdir(P(base, "top"), 0755));
  int top = (int)OK(open(P(base, "top"), O_RDONLY | O_DIRECTORY));
  OK(mkdirat(top, "sub", 0755));
  int sub = (int)OK(openat(top, "sub", O_RDONLY | O_DIRECTORY));
  int fd = (int)OK(openat(sub, "f", O_WRONLY | O_CREAT | O_EXCL, 0644));
  EQ(write(fd, "at", 2), 2);
  OK(close(fd));
  get_file(P(base, "top/sub/f"), buf, sizeof buf);
  STREQ(buf, "at");
  OK(fstatat(top, "sub/f", &st, 0));
  EQ(st.st_size, 2);
  FAILS(openat(sub, "f", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
  FAILS(mkdirat(top, "sub", 0755), EEXIST);
  printf("openat mkdirat ok\n");

  // ".." within a directory fd's own tree is fine; climbing above the fd is refused even when it would land inside
  // the preopen: the capability is the directory fd (docs/decisions.md#sandbox), as in wasmtime.
  fd = (int)OK(openat(top, "sub/../sub/./f", O_RDONLY));
  OK(close(fd));
  put_file(P(base, "at_root.txt"), "root");
  FAILS(openat(sub, "../sub/f", O_RDONLY), EPERM);
  FAILS(openat(sub, "../../at_root.txt", O_RDONLY), EPERM);
  FAILS(fstatat(sub, "..", &st2, 0), EPERM);
  FAILS(mkdirat(sub, "../beside", 0755), EPERM);
  FAILS(fstatat(top, "beside", &st2, 0), ENOENT);
  FAILS(openat(sub, "../../../x", O_RDONLY), EPERM);
  printf("dotdot from a dir fd ok\n");

  // symlinkat/readlinkat/linkat/renameat/unlinkat relative to the fds.
  OK(symlinkat("f", sub, "ln"));
  memset(buf, 0, sizeof buf);
  EQ(readlinkat(sub, "ln", buf, sizeof buf), 1);
  STREQ(buf, "f");
  OK(fstatat(sub, "ln", &st2, 0));
  EQ(st2.st_ino, st.st_ino);
  OK(fstatat(sub, "ln", &st2, AT_SYMLINK_NOFOLLOW));
  CHECK(S_ISLNK(st2.st_mode));
  OK(linkat(sub, "f", top, "hard", 0));
  OK(fstatat(top, "hard", &st2, 0));
  EQ(st2.st_ino, st.st_ino);
  EQ(st2.st_nlink, 2);
  OK(renameat(top, "hard", sub, "hard2"));
  OK(fstatat(sub, "hard2", &st2, 0));
  EQ(st2.st_ino, st.st_ino);
  FAILS(fstatat(top, "hard", &st2, 0), ENOENT);
  FAILS(unlinkat(top, "sub", 0), EISDIR);
  OK(mkdirat(sub, "empty", 0755));
  FAILS(unlinkat(sub, "f", AT_REMOVEDIR), ENOTDIR);
  OK(unlinkat(sub, "empty", AT_REMOVEDIR));
  OK(unlinkat(sub, "hard2", 0));
  OK(fstatat(sub, "f", &st2, 0));
  EQ(st2.st_nlink, 1);
  printf("at calls ok\n");

  // A file fd as the dir fd is ENOTDIR.
  fd = (int)OK(openat(sub, "f", O_RDONLY));
  FAILS(openat(fd, "x", O_RDONLY), ENOTDIR);
  FAILS(mkdirat(fd, "x", 0755), ENOTDIR);
  OK(close(fd));
  printf("file as dir fd ok\n");

  // The dir fd follows its directory when the directory is renamed (it names the directory, not a path),
  // and a new directory at the old name is a different one.
  OK(rename(P(base, "top/sub"), P(base, "moved")));
  OK(mkdir(P(base, "top/sub"), 0755));
  fd = (int)OK(openat(sub, "after_rename", O_WRONLY | O_CREAT, 0644));
  OK(close(fd));
  OK(stat(P(base, "moved/after_rename"), &st2));
  FAILS(stat(P(base, "top/sub/after_rename"), &st2), ENOENT);
  OK(fstat(sub, &st2));
  OK(stat(P(base, "moved"), &st));
  EQ(st2.st_ino, st.st_ino);
  DIR *d = fdopendir(sub);
  CHECK(d != NULL);
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, "f") == 0 || strcmp(e->d_name, "ln") == 0 || strcmp(e->d_name, "after_rename") == 0) n++;
  EQ(n, 3);
  OK(closedir(d));
  printf("dir fd follows a rename ok\n");
  OK(close(top));
  return 0;
}
