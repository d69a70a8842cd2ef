// The edge example's guest: run once per request by examples/edge/handler.ts.
//
// stdin is the request body; /data is a MemoryFs preopen holding input.txt (a name the handler put there). It prints a
// summary of stdin and the name, writes /data/output.txt, and exits 0. argv[1] picks a variation:
//   run      the above
//   trap     prints the summary, then traps (__builtin_trap) before writing the output file
//   exit/N   the above, then exits with code N
//   clock    the above, then reports what the clocks, a sleep of argv[2] ms and a 200000-byte random_get gave
//   stream   (async mode, stdout streamed) the above, then argv[3] lines "tick <i> at_ms=<ms since start>", argv[2] ms
//            apart, each flushed at once
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wasi/api.h>

static unsigned char buf[200000];

static long long ns_of(struct timespec ts) { return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec; }

/** FNV-1a, 32 bits: a checksum of the body the test can recompute. */
static uint32_t fnv1a(uint32_t h, const unsigned char *p, size_t n) {
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
  return h;
}

static int clock_report(long ms) {
  struct timespec res, t0, t1, cpu;
  if (clock_getres(CLOCK_MONOTONIC, &res) != 0) return printf("getres error=%s\n", strerror(errno)), 3;
  int cpu_rc = clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
  struct timespec req = {ms / 1000, (ms % 1000) * 1000000L};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  int sleep_rc = nanosleep(&req, NULL);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  // More than one 64 KiB getRandomValues call: every 64 KiB chunk must hold something other than zeros.
  memset(buf, 0, sizeof buf);
  int random_rc = __wasi_random_get(buf, sizeof buf);
  int filled = 0;
  for (size_t at = 0; at < sizeof buf; at += 65536) {
    size_t end = at + 65536 < sizeof buf ? at + 65536 : sizeof buf;
    for (size_t i = at; i < end; i++) if (buf[i] != 0) { filled++; break; }
  }
  printf("clock res_ns=%lld cpu_rc=%d sleep_rc=%d requested_ms=%ld elapsed_ms=%lld\n", ns_of(res), cpu_rc, sleep_rc,
         ms, (ns_of(t1) - ns_of(t0)) / 1000000);
  printf("random rc=%d bytes=%zu chunks_filled=%d\n", random_rc, sizeof buf, filled);
  return 0;
}

/** Prints `count` lines, `ms` apart, each flushed at once (a streamed stdout delivers each before the next). */
static int ticks(long ms, int count) {
  struct timespec t0, t, req = {ms / 1000, (ms % 1000) * 1000000L};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (int i = 0; i < count; i++) {
    if (i > 0 && nanosleep(&req, NULL) != 0) return printf("nanosleep: %s\n", strerror(errno)), 3;
    clock_gettime(CLOCK_MONOTONIC, &t);
    printf("tick %d at_ms=%lld\n", i, (ns_of(t) - ns_of(t0)) / 1000000);
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "run";

  size_t total = 0, lines = 0, n;
  uint32_t h = 2166136261u;
  while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
    total += n;
    for (size_t i = 0; i < n; i++) lines += buf[i] == '\n';
    h = fnv1a(h, buf, n);
  }

  char name[256];
  FILE *in = fopen("/data/input.txt", "r");
  if (in == NULL) return printf("/data/input.txt: %s\n", strerror(errno)), 2;
  size_t len = fread(name, 1, sizeof name - 1, in);
  fclose(in);
  while (len > 0 && (name[len - 1] == '\n' || name[len - 1] == '\r')) len--;
  name[len] = '\0';

  printf("stdin bytes=%zu lines=%zu fnv1a=%08x\n", total, lines, (unsigned)h);
  printf("input name=%s\n", name);
  fflush(stdout);
  if (strcmp(mode, "trap") == 0) __builtin_trap();

  FILE *out = fopen("/data/output.txt", "w");
  if (out == NULL) return printf("/data/output.txt: %s\n", strerror(errno)), 2;
  fprintf(out, "Hello, %s! You sent %zu bytes (fnv1a %08x).\n", name, total, (unsigned)h);
  fclose(out);

  if (strcmp(mode, "clock") == 0) return clock_report(argc > 2 ? strtol(argv[2], NULL, 10) : 5);
  if (strcmp(mode, "stream") == 0) return ticks(argc > 2 ? strtol(argv[2], NULL, 10) : 50, argc > 3 ? atoi(argv[3]) : 5);
  if (strncmp(mode, "exit/", 5) == 0) return atoi(mode + 5);
  return 0;
}
