// fs_readdir_grow: readdir one entry at a time while creating a new file after each one: every pre-existing entry is seen exactly once.
#include <dirent.h>
#include "fs_check.h"

#define N 300

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  static int seen[N];
  char name[96];
  OK(mkdir(P(base, "grow"), 0755));
  // Long names, so the entries take several fd_readdir buffers.
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "grow/pre_existing_entry_%04d", i);
    put_file(P(base, name), "");
  }
  DIR *d = opendir(P(base, "grow"));
  CHECK(d != NULL);
  int added = 0, dots = 0, others = 0;
  struct dirent *e;
  errno = 0;
  while ((e = readdir(d)) != NULL) {
    int i;
    char tail;
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
      dots++;
    } else if (sscanf(e->d_name, "pre_existing_entry_%04d%c", &i, &tail) == 1 && i >= 0 && i < N) {
      seen[i]++;
    } else if (strncmp(e->d_name, "added_while_reading_", 20) == 0) {
      others++;
    } else {
      FAIL("unexpected entry \"%s\"", e->d_name);
    }
    if (added < 2 * N) {
      snprintf(name, sizeof name, "grow/added_while_reading_%04d", added++);
      put_file(P(base, name), "");
    }
    errno = 0;
  }
  EQ(errno, 0);
  OK(closedir(d));
  for (int i = 0; i < N; i++)
    if (seen[i] != 1) FAIL("pre_existing_entry_%04d seen %d times", i, seen[i]);
  CHECK(dots <= 2);
  CHECK(others <= added);
  printf("pre-existing entries seen once ok\n");

  // Now the directory holds all of them, each once.
  d = opendir(P(base, "grow"));
  CHECK(d != NULL);
  int total = 0;
  while ((e = readdir(d)) != NULL)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) total++;
  OK(closedir(d));
  EQ(total, N + added);
  printf("final count ok\n");

  // Deleting entries while reading: the survivors are still each seen exactly once.
  memset(seen, 0, sizeof seen);
  d = opendir(P(base, "grow"));
  CHECK(d != NULL);
  int deleted = 0;
  while ((e = readdir(d)) != NULL) {
    int i;
    char tail;
    if (sscanf(e->d_name, "pre_existing_entry_%04d%c", &i, &tail) == 1 && i >= 0 && i < N) seen[i]++;
    if (deleted < added) {
      snprintf(name, sizeof name, "grow/added_while_reading_%04d", deleted++);
      OK(unlink(P(base, name)));
    }
  }
  OK(closedir(d));
  for (int i = 0; i < N; i++)
    if (seen[i] != 1) FAIL("while deleting: pre_existing_entry_%04d seen %d times", i, seen[i]);
  // Remove what is left of the added files: the directory ends with just the pre-existing ones.
  for (int i = deleted; i < added; i++) {
    snprintf(name, sizeof name, "grow/added_while_reading_%04d", i);
    OK(unlink(P(base, name)));
  }
  printf("survivors seen once ok\n");
  return 0;
}
