// poll: poll_oneoff with two relative clocks, an absolute realtime clock, a past deadline, stdin readiness, and zero subscriptions.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static unsigned long long mono(void) {
  __wasi_timestamp_t t = 0;
  if (__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t) != 0) return 0;
  return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id, __wasi_timestamp_t timeout, int abs) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = ud;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.flags = abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
  return s;
}

// Runs one poll_oneoff and prints its errno, each event, and the monotonic time it took.
static void run(const char *label, const __wasi_subscription_t *subs, size_t n) {
  __wasi_event_t ev[4];
  __wasi_size_t nevents = 99;
  memset(ev, 0, sizeof ev);
  unsigned long long t0 = mono();
  __wasi_errno_t err = __wasi_poll_oneoff(subs, ev, n, &nevents);
  unsigned long long dt = mono() - t0;
  printf("%s errno=%d", label, err);
  if (err == 0) {
    printf(" nevents=%lu", (unsigned long)nevents);
    for (__wasi_size_t i = 0; i < nevents && i < 4; i++)
      printf(" [userdata=%llu type=%u error=%u nbytes=%llu]", (unsigned long long)ev[i].userdata, ev[i].type,
             ev[i].error, (unsigned long long)ev[i].fd_readwrite.nbytes);
  }
  printf(" elapsed_ns=%llu\n", dt);
}

int main(void) {
  __wasi_subscription_t subs[2];

  run("zero_subscriptions", subs, 0);

  subs[0] = clock_sub(30, __WASI_CLOCKID_MONOTONIC, 30000000, 0); // 30 ms, listed first
  subs[1] = clock_sub(10, __WASI_CLOCKID_MONOTONIC, 10000000, 0); // 10 ms: this one fires
  run("relative_10ms_vs_30ms", subs, 2);

  __wasi_timestamp_t now = 0;
  if (__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &now) != 0) printf("realtime read failed\n");
  subs[0] = clock_sub(20, __WASI_CLOCKID_REALTIME, now + 20000000, 1); // 20 ms from now, absolute
  run("absolute_realtime_20ms", subs, 1);

  subs[0] = clock_sub(5, __WASI_CLOCKID_REALTIME, 1, 1); // 1 ns after the epoch: long past
  run("absolute_past", subs, 1);

  memset(&subs[0], 0, sizeof subs[0]);
  subs[0].userdata = 7;
  subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
  subs[0].u.u.fd_read.file_descriptor = 0;
  subs[1] = clock_sub(1000, __WASI_CLOCKID_MONOTONIC, 1000000000, 0); // 1 s fallback
  run("stdin_read_or_1s", subs, 2);
  return 0;
}
