// p1_readdir: wasmtime's fd_readdir program (its newest version, with the read past the end), re-written from
// docs/wasmtime-preview1-tests.md.
#include "p1_check.h"

#define MAX_ENTRIES 1100

struct entry {
  __wasi_dirent_t d;
  char name[64];
};
static struct entry entries[MAX_ENTRIES];
static uint8_t buffer[4096];

// fd_readdir into a `cap`-byte buffer from `cookie`; the entries that were written whole go to `entries` (from
// index `at`), their count to *count. Returns bufused.
static __wasi_size_t read_dir(__wasi_fd_t fd, __wasi_size_t cap, __wasi_dircookie_t cookie, size_t at,
                              size_t *count) {
  __wasi_size_t used = 0;
  *count = 0;
  if (!MUST(__wasi_fd_readdir(fd, buffer, cap, cookie, &used))) return 0;
  CHECK(used <= cap);
  for (size_t p = 0; p + sizeof(__wasi_dirent_t) <= used && at + *count < MAX_ENTRIES;) {
    struct entry *e = &entries[at + *count];
    memcpy(&e->d, buffer + p, sizeof e->d);
    p += sizeof e->d;
    if (p + e->d.d_namlen > used) break; // cut off at the end of the buffer
    size_t n = e->d.d_namlen < sizeof e->name - 1 ? e->d.d_namlen : sizeof e->name - 1;
    memcpy(e->name, buffer + p, n);
    e->name[n] = 0;
    p += e->d.d_namlen;
    ++*count;
  }
  return used;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

// Checks the sorted `entries[0..2]` of an empty directory whose inode is `ino`.
static void check_empty(__wasi_fd_t fd, __wasi_inode_t ino) {
  size_t n;
  CHECK(read_dir(fd, 256, 0, 0, &n) < 256);
  EQ(n, 2);
  qsort(entries, n, sizeof *entries, by_name);
  STREQ(entries[0].name, ".");
  EQ(entries[0].d.d_type, FT(DIRECTORY));
  EQ(entries[0].d.d_ino, ino);
  EQ(entries[0].d.d_namlen, 1);
  STREQ(entries[1].name, "..");
  EQ(entries[1].d.d_type, FT(DIRECTORY));
}

PROGRAM(fd_readdir) {
  // An empty directory: "." (with the directory's inode) and "..".
  check_empty(dir, FSTAT(dir).ino);

  // A file and a directory (opened without DIRECTORY: a directory opens all the same).
  __wasi_fd_t fd = OPEN(dir, 0, "file", OFL(CREAT), RW, 0, 0);
  __wasi_inode_t file_ino = FSTAT(fd).ino;
  MUST(__wasi_fd_close(fd));
  MUST(__wasi_path_create_directory(dir, "nested"));
  __wasi_fd_t nested = OPEN(dir, 0, "nested", 0, 0, 0, 0);
  __wasi_inode_t nested_ino = FSTAT(nested).ino;
  size_t n;
  CHECK(read_dir(dir, 256, 0, 0, &n) < 256);
  EQ(n, 4);
  // Resuming at the third entry's d_next gives exactly the fourth one.
  struct entry fourth = entries[3];
  __wasi_dircookie_t cookie = entries[2].d.d_next;
  qsort(entries, n, sizeof *entries, by_name);
  STREQ(entries[0].name, ".");
  STREQ(entries[1].name, "..");
  STREQ(entries[2].name, "file");
  EQ(entries[2].d.d_type, FT(REGULAR_FILE));
  EQ(entries[2].d.d_ino, file_ino);
  STREQ(entries[3].name, "nested");
  EQ(entries[3].d.d_type, FT(DIRECTORY));
  EQ(entries[3].d.d_ino, nested_ino);
  CHECK(read_dir(dir, 256, cookie, 0, &n) < 256);
  EQ(n, 1);
  STREQ(entries[0].name, fourth.name);
  EQ(entries[0].d.d_next, fourth.d.d_next);
  EQ(entries[0].d.d_ino, fourth.d.d_ino);
  EQ(entries[0].d.d_type, fourth.d.d_type);
  EQ(entries[0].d.d_namlen, fourth.d.d_namlen);
  check_empty(nested, nested_ino);
  MUST(__wasi_fd_close(nested));
  MUST(__wasi_path_unlink_file(dir, "file"));
  MUST(__wasi_path_remove_directory(dir, "nested"));

  // Many entries, read in 256-byte pages, each resuming at the last whole entry's d_next.
  char name[32];
  for (int i = 0; i < 1000; i++) {
    snprintf(name, sizeof name, "file.%d", i);
    CREATE_FILE(dir, name);
  }
  size_t total = 0;
  cookie = 0;
  for (int pages = 0; pages < 2000; pages++) {
    __wasi_size_t used = read_dir(dir, 256, cookie, 0, &n);
    total += n;
    if (used < 256) break;
    if (n == 0) {
      FAIL("a full 256-byte page without one whole entry");
      break;
    }
    cookie = entries[n - 1].d.d_next;
  }
  EQ(total, 1002);
  for (int i = 0; i < 1000; i++) {
    snprintf(name, sizeof name, "file.%d", i);
    MUST(__wasi_path_unlink_file(dir, name));
  }

  // Growing buffers: every one is filled to its end (the last entry cut off, even inside a UTF-8 sequence)
  // until the entry named "Действие" fits whole.
  static const char unicode[] = "Действие";
  CREATE_FILE(dir, unicode);
  int found = 0;
  for (__wasi_size_t cap = 0; cap < 1000 && !found; cap++) {
    __wasi_size_t used = read_dir(dir, cap, 0, 0, &n);
    for (size_t i = 0; i < n; i++) found |= strcmp(entries[i].name, unicode) == 0;
    if (!found) EQ(used, cap);
  }
  CHECK(found);
  MUST(__wasi_path_unlink_file(dir, unicode));

  // The newest version: a cookie past the last entry reads nothing.
  CREATE_FILE(dir, "a");
  CHECK(read_dir(dir, 128, 0, 0, &n) < 128);
  CHECK(n > 0);
  __wasi_size_t used = 1;
  MUST(__wasi_fd_readdir(dir, buffer, 128, entries[n - 1].d.d_next + 1, &used));
  EQ(used, 0);
  MUST(__wasi_path_unlink_file(dir, "a"));
}

P1_MAIN(IN_SCRATCH(fd_readdir))
