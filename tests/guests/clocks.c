// clocks: reads and resolves the four WASI clocks, checks monotonic never goes back, times a nanosleep of argv[1] ms.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static long long ns_of(struct timespec ts) { return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec; }

int main(int argc, char **argv) {
  static const struct { const char *name; clockid_t id; } clocks[] = {
    {"realtime", CLOCK_REALTIME},
    {"monotonic", CLOCK_MONOTONIC},
    {"process", CLOCK_PROCESS_CPUTIME_ID},
    {"thread", CLOCK_THREAD_CPUTIME_ID},
  };
  int failed = 0;
  for (int i = 0; i < 4; i++) {
    struct timespec now, res;
    if (clock_gettime(clocks[i].id, &now) != 0) { printf("%s gettime error=%s\n", clocks[i].name, strerror(errno)); failed = 1; continue; }
    if (clock_getres(clocks[i].id, &res) != 0) { printf("%s getres error=%s\n", clocks[i].name, strerror(errno)); failed = 1; continue; }
    printf("%s now_ns=%lld res_ns=%lld\n", clocks[i].name, ns_of(now), ns_of(res));
  }

  // Many back-to-back reads: each must be >= the one before.
  const int reads = 10000;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  long long prev = ns_of(ts);
  int backwards = 0;
  for (int i = 0; i < reads; i++) {
    clock_gettime(CLOCK_MONOTONIC, &ts);
    long long t = ns_of(ts);
    if (t < prev) backwards++;
    prev = t;
  }
  printf("monotonic reads=%d backwards=%d\n", reads, backwards);

  // nanosleep (poll_oneoff underneath) measured with the monotonic clock.
  long ms = argc > 1 ? strtol(argv[1], NULL, 10) : 50;
  struct timespec req = {ms / 1000, (ms % 1000) * 1000000L}, t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int rc = nanosleep(&req, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long elapsed = ns_of(t1) - ns_of(t0);
  printf("sleep rc=%d requested_ms=%ld elapsed_ms=%lld elapsed_ns=%lld\n", rc, ms, elapsed / 1000000, elapsed);
  printf("%s\n", failed ? "FAILED" : "ok");
  return failed;
}
