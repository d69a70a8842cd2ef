// p1_misc: wasmtime's big_random_buf, clock_time_get, sched_yield, unicode_output, stdio, stdio_isatty,
// stdio_not_isatty and fd_filestat_get programs, re-written from docs/wasmtime-preview1-tests.md.
#include "p1_check.h"

PROGRAM(big_random_buf) {
  static uint8_t buf[1024];
  MUST(__wasi_random_get(buf, sizeof buf));
  int nonzero = 0;
  for (size_t i = 0; i < sizeof buf; i++) nonzero |= buf[i] != 0;
  CHECK(nonzero);
}

PROGRAM(clock_time_get) {
  __wasi_timestamp_t t0 = 0, t1 = 0, t2 = 0;
  MUST(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t0));
  MUST(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t1));
  MUST(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 0, &t2));
  CHECK(t1 <= t2);
}

PROGRAM(sched_yield) {
  MUST(__wasi_sched_yield());
}

PROGRAM(unicode_output) {
  static const char text[] = "مرحبا بكم\n";
  __wasi_ciovec_t iov = {(const uint8_t *)text, sizeof text - 1};
  __wasi_size_t n = 0;
  MUST(__wasi_fd_write(1, &iov, 1, &n));
  EQ(n, sizeof text - 1);
}

// The newest version: a stdio fd cannot be renumbered onto a closed number above stdio; onto itself it can.
PROGRAM(stdio) {
  for (__wasi_fd_t fd = 0; fd <= 2; fd++) {
    FDSTAT(fd);
    ERRNO(__wasi_fd_renumber(fd, fd + 100), E(BADF));
    MUST(__wasi_fd_renumber(fd, fd));
  }
}

PROGRAM(stdio_isatty) {
  EQ(isatty(0), 1);
  EQ(isatty(1), 1);
  EQ(isatty(2), 1);
}

PROGRAM(stdio_not_isatty) {
  EQ(isatty(0), 0);
  EQ(isatty(1), 0);
  EQ(isatty(2), 0);
}

PROGRAM(fd_filestat_get) {
  for (__wasi_fd_t fd = 0; fd <= 2; fd++) {
    __wasi_filestat_t st = FSTAT(fd);
    EQ(st.size, 0);
    EQ(st.atim, 0);
    EQ(st.mtim, 0);
    EQ(st.ctim, 0);
  }
}

P1_MAIN(NO_SCRATCH(big_random_buf), NO_SCRATCH(clock_time_get), NO_SCRATCH(sched_yield), NO_SCRATCH(unicode_output),
        NO_SCRATCH(stdio), NO_SCRATCH(stdio_isatty), NO_SCRATCH(stdio_not_isatty), NO_SCRATCH(fd_filestat_get))
