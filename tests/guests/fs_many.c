// fs_many: 200 files open at once, each written and read back through its own fd, then all closed (fds are distinct).
#include "fs_check.h"

#define N 200

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  static int fds[N];
  char name[32], want[32], buf[32];

  OK(mkdir(P(base, "many"), 0755));
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "many/f%03d", i);
    fds[i] = (int)OK(open(P(base, name), O_RDWR | O_CREAT | O_EXCL, 0644));
    for (int j = 0; j < i; j++)
      if (fds[j] == fds[i]) FAIL("fd %d handed out twice", fds[i]);
  }
  printf("open ok\n");
  // Write all, interleaved: each fd keeps its own offset.
  for (int i = 0; i < N; i++) {
    snprintf(want, sizeof want, "file %d\n", i);
    EQ(write(fds[i], want, 5), 5);
  }
  for (int i = N - 1; i >= 0; i--) {
    snprintf(want, sizeof want, "file %d\n", i);
    size_t len = strlen(want);
    EQ(write(fds[i], want + 5, len - 5), len - 5);
  }
  printf("write ok\n");
  for (int i = 0; i < N; i++) {
    snprintf(want, sizeof want, "file %d\n", i);
    memset(buf, 0, sizeof buf);
    EQ(pread(fds[i], buf, sizeof buf - 1, 0), strlen(want));
    STREQ(buf, want);
  }
  printf("read ok\n");
  for (int i = 0; i < N; i++) OK(close(fds[i]));
  for (int i = 0; i < N; i++) FAILS(close(fds[i]), EBADF);
  printf("close ok\n");
  // And all of it is there by path.
  for (int i = 0; i < N; i++) {
    snprintf(name, sizeof name, "many/f%03d", i);
    snprintf(want, sizeof want, "file %d\n", i);
    get_file(P(base, name), buf, sizeof buf);
    STREQ(buf, want);
  }
  printf("reopen ok files=%d\n", N);
  return 0;
}
