// async_io: the waits of async mode, one per argv[1]:
//   echo             copy stdin to stdout as it arrives (read()/write()), then "n=<bytes>" on stderr
//   chunks N MS      write "chunk <i>\n" N times, sleeping MS ms before each but the first
//   sleep MS         sleep MS ms (nanosleep: poll_oneoff on a clock); print the monotonic and realtime ms that passed
//   poll MS          poll() stdin with a timeout of MS ms; print what came back, then read what is there
//   yield N          sched_yield() N times, then "yielded <N>"
//   forever          sleep 10 ms in a loop, printing "tick" once first (for cancellation)
//   flood            write 64 KiB lines to stdout until a write fails; print the errno name on stderr, exit 3
//   blocks N         write N blocks of 64 KiB to stdout, one write() each; on stderr the ms after each write
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long ms_of(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&ts, NULL);
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) return -1;
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "echo";
  long a = argc > 2 ? atol(argv[2]) : 0, b = argc > 3 ? atol(argv[3]) : 0;
  static char buf[4096];
  if (strcmp(mode, "echo") == 0) {
    long total = 0;
    for (;;) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n < 0) { fprintf(stderr, "read: %s\n", strerror(errno)); return 1; }
      if (n == 0) break;
      if (write_all(1, buf, (size_t)n) < 0) { fprintf(stderr, "write: %s\n", strerror(errno)); return 2; }
      total += n;
    }
    fprintf(stderr, "n=%ld\n", total);
    return 0;
  }
  if (strcmp(mode, "chunks") == 0) {
    for (long i = 0; i < a; i++) {
      if (i > 0) sleep_ms(b);
      int len = snprintf(buf, sizeof buf, "chunk %ld\n", i);
      if (write_all(1, buf, (size_t)len) < 0) { fprintf(stderr, "write: %s\n", strerror(errno)); return 2; }
    }
    return 0;
  }
  if (strcmp(mode, "sleep") == 0) {
    long long m0 = ms_of(CLOCK_MONOTONIC), r0 = ms_of(CLOCK_REALTIME);
    sleep_ms(a);
    printf("monotonic_ms=%lld realtime_ms=%lld\n", ms_of(CLOCK_MONOTONIC) - m0, ms_of(CLOCK_REALTIME) - r0);
    return 0;
  }
  if (strcmp(mode, "poll") == 0) {
    struct pollfd p = {0, POLLIN, 0};
    long long m0 = ms_of(CLOCK_MONOTONIC);
    int r = poll(&p, 1, (int)a);
    printf("poll=%d revents=%s%s after_ms=%lld\n", r, (p.revents & POLLIN) ? "IN" : "", (p.revents & POLLHUP) ? "HUP" : "",
           ms_of(CLOCK_MONOTONIC) - m0);
    if (r > 0) {
      ssize_t n = read(0, buf, sizeof buf);
      printf("read=%ld\n", (long)n);
    }
    return 0;
  }
  if (strcmp(mode, "yield") == 0) {
    for (long i = 0; i < a; i++) sched_yield();
    printf("yielded %ld\n", a);
    return 0;
  }
  if (strcmp(mode, "forever") == 0) {
    printf("tick\n");
    fflush(stdout);
    for (;;) sleep_ms(10);
  }
  if (strcmp(mode, "flood") == 0) {
    memset(buf, 'x', sizeof buf);
    buf[sizeof buf - 1] = '\n';
    for (long i = 0;; i++) {
      for (int k = 0; k < 16; k++) {
        if (write_all(1, buf, sizeof buf) < 0) {
          fprintf(stderr, "write failed after %ld KiB: %s\n", i * 64 + k * 4, errno == EPIPE ? "EPIPE" : strerror(errno));
          return 3;
        }
      }
    }
  }
  if (strcmp(mode, "blocks") == 0) {
    static char block[65536];
    long long m0 = ms_of(CLOCK_MONOTONIC);
    for (long i = 0; i < a; i++) {
      memset(block, 'a' + (int)(i % 26), sizeof block);
      if (write_all(1, block, sizeof block) < 0) { fprintf(stderr, "write: %s\n", strerror(errno)); return 2; }
      fprintf(stderr, "%lld ", ms_of(CLOCK_MONOTONIC) - m0);
    }
    return 0;
  }
  (void)b;
  fprintf(stderr, "unknown mode %s\n", mode);
  return 64;
}
