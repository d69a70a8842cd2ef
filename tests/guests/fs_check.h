// fs_check.h: the check macros shared by the fs_*.c guests (not a guest itself; the build compiles only .c).
// Every check that fails prints "<file>:<line>: <what>: <detail>" on stderr and exits 1 at once, so stdout
// holds only the "... ok" lines of the checks that passed before it.
#ifndef FS_CHECK_H
#define FS_CHECK_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FAIL(...)                                     \
  do {                                                \
    fflush(stdout);                                   \
    fprintf(stderr, "%s:%d: ", __FILE__, __LINE__);   \
    fprintf(stderr, __VA_ARGS__);                     \
    fputc('\n', stderr);                              \
    exit(1);                                          \
  } while (0)

// A condition that must hold.
#define CHECK(cond)                                   \
  do {                                                \
    if (!(cond)) FAIL("check failed: %s", #cond);     \
  } while (0)

// A call that must succeed (return >= 0); its value is returned.
#define OK(expr)                                                                              \
  ({                                                                                          \
    long long ok_v_ = (long long)(expr);                                                      \
    if (ok_v_ < 0) FAIL("%s failed: errno=%d (%s)", #expr, errno, strerror(errno));           \
    ok_v_;                                                                                    \
  })

// A call that must fail with -1 and errno `e`.
#define FAILS(expr, e)                                                                        \
  do {                                                                                        \
    errno = 0;                                                                                \
    long long fails_v_ = (long long)(expr);                                                   \
    if (fails_v_ != -1 || errno != (e))                                                       \
      FAIL("%s: expected -1 with errno %s=%d, got %lld with errno=%d (%s)", #expr, #e, (e),   \
           fails_v_, errno, strerror(errno));                                                 \
  } while (0)

// Two integers that must be equal.
#define EQ(a, b)                                                                              \
  do {                                                                                        \
    long long eq_a_ = (long long)(a), eq_b_ = (long long)(b);                                 \
    if (eq_a_ != eq_b_) FAIL("%s == %s: got %lld and %lld", #a, #b, eq_a_, eq_b_);            \
  } while (0)

// Two strings that must be equal.
#define STREQ(a, b)                                                                           \
  do {                                                                                        \
    const char *se_a_ = (a), *se_b_ = (b);                                                    \
    if (strcmp(se_a_, se_b_) != 0) FAIL("%s == %s: got \"%s\" and \"%s\"", #a, #b, se_a_, se_b_); \
  } while (0)

// The base directory: argv[1] or "/data".
static inline const char *fs_base(int argc, char **argv) { return argc > 1 ? argv[1] : "/data"; }

// "<base>/<name>" in a fresh heap string (never freed: the guests are short-lived).
static inline const char *P(const char *base, const char *name) {
  size_t n = strlen(base) + 1 + strlen(name) + 1;
  char *b = malloc(n);
  if (b == NULL) FAIL("out of memory");
  snprintf(b, n, "%s/%s", base, name);
  return b;
}

// Writes `s` to a new file (created or truncated) at `path`.
static inline void put_file(const char *path, const char *s) {
  int fd = (int)OK(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  size_t n = strlen(s);
  EQ(write(fd, s, n), n);
  OK(close(fd));
}

// Reads the whole file at `path` (up to cap-1 bytes) into buf, NUL-terminated; returns the length.
static inline size_t get_file(const char *path, char *buf, size_t cap) {
  int fd = (int)OK(open(path, O_RDONLY));
  size_t len = 0;
  for (;;) {
    ssize_t n = OK(read(fd, buf + len, cap - 1 - len));
    if (n == 0) break;
    len += (size_t)n;
    if (len == cap - 1) break;
  }
  buf[len] = 0;
  OK(close(fd));
  return len;
}

#endif
