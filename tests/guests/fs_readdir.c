// fs_readdir: opendir/readdir sees ".", ".." and every entry once with the right d_type; rewinddir; telldir/seekdir.
#include <dirent.h>
#include "fs_check.h"

#define N 40

static int seen_index(const char *name) {
  if (strcmp(name, ".") == 0) return N;
  if (strcmp(name, "..") == 0) return N + 1;
  if (strcmp(name, "sub") == 0) return N + 2;
  if (strcmp(name, "link") == 0) return N + 3;
  int i;
  char tail;
  if (sscanf(name, "file_%03d%c", &i, &tail) == 1 && i >= 0 && i < N) return i;
  return -1;
}

// The d_ino read_all saw for "..".
static unsigned long long dotdot_ino;

// Reads the whole directory from where it is; counts each known name in `seen`; returns the entry count.
static int read_all(DIR *d, int *seen) {
  int count = 0;
  struct dirent *e;
  errno = 0;
  while ((e = readdir(d)) != NULL) {
    int k = seen_index(e->d_name);
    if (k < 0) FAIL("unexpected entry \"%s\"", e->d_name);
    seen[k]++;
    unsigned char want = k < N ? DT_REG : k == N + 3 ? DT_LNK : DT_DIR;
    if (e->d_type != want) FAIL("d_type of \"%s\": %d, expected %d", e->d_name, e->d_type, want);
    // d_ino is the inode lstat reports for the name. ".." is above the directory fd, where nothing may be looked at
    // through it (docs/decisions.md#sandbox): its d_ino is checked by the caller, against the parent's own stat.
    struct stat st;
    if (k == N + 1) {
      FAILS(fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW), EPERM);
      dotdot_ino = e->d_ino;
      errno = 0; // readdir reports its end by a NULL with errno unchanged
      count++;
      continue;
    }
    OK(fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW));
    if (e->d_ino != st.st_ino)
      FAIL("d_ino of \"%s\": %llu, lstat says %llu", e->d_name, (unsigned long long)e->d_ino, (unsigned long long)st.st_ino);
    count++;
  }
  EQ(errno, 0);
  return count;
}

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  const char *dir = P(base, "rd");
  OK(mkdir(dir, 0755));
  char name[64];
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "rd/file_%03d", i);
    put_file(P(base, name), "x");
  }
  OK(mkdir(P(base, "rd/sub"), 0755));
  OK(symlink("file_000", P(base, "rd/link")));

  // An empty directory lists only "." and "..".
  DIR *d = opendir(P(base, "rd/sub"));
  CHECK(d != NULL);
  int empty[N + 4] = {0};
  EQ(read_all(d, empty), 2);
  EQ(empty[N], 1);
  EQ(empty[N + 1], 1);
  struct stat parent;
  OK(stat(dir, &parent));
  EQ(dotdot_ino, parent.st_ino);
  OK(closedir(d));
  printf("empty dir ok\n");

  d = opendir(dir);
  CHECK(d != NULL);
  int seen[N + 4] = {0};
  EQ(read_all(d, seen), N + 4);
  for (int k = 0; k < N + 4; k++)
    if (seen[k] != 1) FAIL("entry %d seen %d times", k, seen[k]);
  OK(stat(base, &parent));
  EQ(dotdot_ino, parent.st_ino);
  // At the end readdir keeps returning NULL without an error.
  errno = 0;
  CHECK(readdir(d) == NULL);
  EQ(errno, 0);
  printf("readdir ok entries=%d\n", N + 4);

  // rewinddir starts over and sees everything again.
  rewinddir(d);
  memset(seen, 0, sizeof seen);
  EQ(read_all(d, seen), N + 4);
  for (int k = 0; k < N + 4; k++) EQ(seen[k], 1);
  printf("rewinddir ok\n");

  // telldir before each entry, then seekdir back to each position gives the same entry.
  rewinddir(d);
  static char names[N + 4][64];
  static long pos[N + 4];
  int n = 0;
  for (;;) {
    long p = telldir(d);
    struct dirent *e = readdir(d);
    if (e == NULL) break;
    CHECK(n < N + 4);
    pos[n] = p;
    snprintf(names[n], sizeof names[n], "%s", e->d_name);
    n++;
  }
  EQ(n, N + 4);
  int order[] = {7, 0, N + 3, 20, 1, N + 3, 13};
  for (size_t j = 0; j < sizeof order / sizeof order[0]; j++) {
    int i = order[j];
    seekdir(d, pos[i]);
    struct dirent *e = readdir(d);
    CHECK(e != NULL);
    STREQ(e->d_name, names[i]);
    if (i + 1 < n) {
      e = readdir(d);
      CHECK(e != NULL);
      STREQ(e->d_name, names[i + 1]);
    }
  }
  // seekdir to the position after the last entry: nothing left.
  seekdir(d, pos[n - 1]);
  CHECK(readdir(d) != NULL);
  long end = telldir(d);
  seekdir(d, pos[0]);
  CHECK(readdir(d) != NULL);
  seekdir(d, end);
  errno = 0;
  CHECK(readdir(d) == NULL);
  EQ(errno, 0);
  printf("seekdir ok\n");
  OK(closedir(d));

  // fdopendir on an fd from open(O_DIRECTORY); dirfd gives it back.
  int fd = (int)OK(open(dir, O_RDONLY | O_DIRECTORY));
  d = fdopendir(fd);
  CHECK(d != NULL);
  EQ(dirfd(d), fd);
  memset(seen, 0, sizeof seen);
  EQ(read_all(d, seen), N + 4);
  OK(closedir(d));
  printf("fdopendir ok\n");

  // In the preopen's root, ".." is listed as the root itself (a guest cannot see above its preopen).
  struct stat root;
  OK(stat(base, &root));
  d = opendir(base);
  CHECK(d != NULL);
  int dots = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
      EQ(e->d_ino, root.st_ino);
      EQ(e->d_type, DT_DIR);
      dots++;
    }
  }
  EQ(dots, 2);
  OK(closedir(d));
  printf("root dotdot ok\n");

  // opendir of a file or a missing path.
  errno = 0;
  CHECK(opendir(P(base, "rd/file_000")) == NULL);
  EQ(errno, ENOTDIR);
  errno = 0;
  CHECK(opendir(P(base, "nope")) == NULL);
  EQ(errno, ENOENT);
  printf("opendir errors ok\n");
  return 0;
}
