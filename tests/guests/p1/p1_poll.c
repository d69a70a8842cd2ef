// p1_poll: wasmtime's poll_oneoff programs (poll_oneoff_files, poll_oneoff_stdio, sleep_quickly_but_lots),
// re-written from docs/wasmtime-preview1-tests.md.
#include "p1_check.h"

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id, __wasi_timestamp_t timeout) {
  __wasi_subscription_t s = {.userdata = ud, .u = {.tag = __WASI_EVENTTYPE_CLOCK}};
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.precision = 0;
  s.u.u.clock.flags = 0; // relative
  return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, uint8_t type, __wasi_fd_t fd) {
  __wasi_subscription_t s = {.userdata = ud, .u = {.tag = type}};
  if (type == __WASI_EVENTTYPE_FD_READ) s.u.u.fd_read.file_descriptor = fd;
  else s.u.u.fd_write.file_descriptor = fd;
  return s;
}

static __wasi_timestamp_t monotonic(void) {
  __wasi_timestamp_t t = 0;
  MUST(__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t));
  return t;
}

// One relative 5 ms clock on `id`: one CLOCK event with the userdata, after at least 5 ms of monotonic time.
static void five_ms(__wasi_clockid_t id) {
  __wasi_subscription_t sub = clock_sub(0x12345678, id, 5000000);
  __wasi_event_t ev[2];
  __wasi_size_t n = 0;
  __wasi_timestamp_t before = monotonic();
  MUST(__wasi_poll_oneoff(&sub, ev, 1, &n));
  __wasi_timestamp_t after = monotonic();
  EQ(n, 1);
  EQ(ev[0].error, E(SUCCESS));
  EQ(ev[0].type, __WASI_EVENTTYPE_CLOCK);
  EQ(ev[0].userdata, 0x12345678);
  CHECK(after - before >= 5000000);
}

PROGRAM(poll_oneoff_files) {
  static const __wasi_fdflags_t modes[] = {0, FDFL(NONBLOCK)};
  for (size_t m = 0; m < 2; m++) {
    five_ms(__WASI_CLOCKID_MONOTONIC);
    five_ms(__WASI_CLOCKID_REALTIME);
    __wasi_subscription_t subs[2];
    __wasi_event_t ev[2];
    __wasi_size_t n = 0;
    ERRNO(__wasi_poll_oneoff(subs, ev, 0, &n), E(INVAL));

    // Regular files are ready for reading and writing; the events may come over several calls.
    __wasi_fd_t fd = OPEN(dir, 0, "readable_file", OFL(CREAT), WR, 0, modes[m]);
    EQ(WRITE(fd, "x", 1), 1);
    MUST(__wasi_fd_close(fd));
    __wasi_fd_t readable = OPEN(dir, 0, "readable_file", 0, RD, 0, modes[m]);
    __wasi_fd_t writable = OPEN(dir, 0, "writable_file", OFL(CREAT), WR, 0, modes[m]);
    int read_seen = 0, write_seen = 0, events = 0;
    for (int round = 0; round < 10 && !(read_seen && write_seen); round++) {
      size_t k = 0;
      if (!read_seen) subs[k++] = fd_sub(1, __WASI_EVENTTYPE_FD_READ, readable);
      if (!write_seen) subs[k++] = fd_sub(2, __WASI_EVENTTYPE_FD_WRITE, writable);
      if (!MUST(__wasi_poll_oneoff(subs, ev, k, &n))) break;
      CHECK(n >= 1 && n <= k);
      for (size_t i = 0; i < n && i < 2; i++) {
        events++;
        EQ(ev[i].error, E(SUCCESS));
        if (ev[i].userdata == 1) {
          EQ(ev[i].type, __WASI_EVENTTYPE_FD_READ);
          read_seen = 1;
        } else if (ev[i].userdata == 2) {
          EQ(ev[i].type, __WASI_EVENTTYPE_FD_WRITE);
          write_seen = 1;
        } else {
          FAIL("an event with userdata %llu", (unsigned long long)ev[i].userdata);
        }
      }
    }
    EQ(events, 2);
    MUST(__wasi_fd_close(readable));
    MUST(__wasi_fd_close(writable));
    MUST(__wasi_path_unlink_file(dir, "readable_file"));
    MUST(__wasi_path_unlink_file(dir, "writable_file"));

    // A fd that is not open: wasmtime fails the whole call with BADF. Hostcall deliberately answers with one
    // event per subscription whose error is BADF (docs/decisions.md#poll_oneoff), so that is asserted here.
    subs[0] = fd_sub(1, __WASI_EVENTTYPE_FD_READ, UINT32_MAX);
    subs[1] = fd_sub(2, __WASI_EVENTTYPE_FD_WRITE, UINT32_MAX);
    n = 0;
    MUST(__wasi_poll_oneoff(subs, ev, 2, &n));
    EQ(n, 2);
    for (size_t i = 0; i < n && i < 2; i++) {
      EQ(ev[i].userdata, i + 1);
      EQ(ev[i].type, i == 0 ? __WASI_EVENTTYPE_FD_READ : __WASI_EVENTTYPE_FD_WRITE);
      EQ(ev[i].error, E(BADF));
    }
  }
}

#define CLOCK_ID 0xc10c
#define STDIN_ID 0x57d1

PROGRAM(poll_oneoff_stdio) {
  // stdin readable, or the 200 ms clock: nothing else.
  __wasi_subscription_t subs[3] = {clock_sub(CLOCK_ID, __WASI_CLOCKID_MONOTONIC, 200000000),
                                   fd_sub(STDIN_ID, __WASI_EVENTTYPE_FD_READ, 0)};
  __wasi_event_t ev[3];
  __wasi_size_t n = 0;
  MUST(__wasi_poll_oneoff(subs, ev, 2, &n));
  CHECK(n >= 1 && n <= 2);
  for (size_t i = 0; i < n && i < 2; i++) {
    EQ(ev[i].error, E(SUCCESS));
    if (ev[i].userdata == CLOCK_ID) EQ(ev[i].type, __WASI_EVENTTYPE_CLOCK);
    else if (ev[i].userdata == STDIN_ID) EQ(ev[i].type, __WASI_EVENTTYPE_FD_READ);
    else FAIL("an event with userdata %llu", (unsigned long long)ev[i].userdata);
  }
  // stdout and stderr both writable before the 200 ms clock fires.
  int pending[3] = {0, 1, 1};
  for (int round = 0; round < 10 && (pending[1] || pending[2]); round++) {
    size_t k = 0;
    for (__wasi_fd_t fd = 1; fd <= 2; fd++)
      if (pending[fd]) subs[k++] = fd_sub(fd, __WASI_EVENTTYPE_FD_WRITE, fd);
    subs[k++] = clock_sub(CLOCK_ID, __WASI_CLOCKID_MONOTONIC, 200000000);
    if (!MUST(__wasi_poll_oneoff(subs, ev, k, &n))) break;
    for (size_t i = 0; i < n && i < 3; i++) {
      if (ev[i].userdata == 1 || ev[i].userdata == 2) {
        EQ(ev[i].type, __WASI_EVENTTYPE_FD_WRITE);
        EQ(ev[i].error, E(SUCCESS));
        pending[ev[i].userdata] = 0;
      } else if (ev[i].userdata == CLOCK_ID) {
        if (pending[1] || pending[2]) FAIL("the clock fired before stdout and stderr were writable");
      } else {
        FAIL("an event with userdata %llu", (unsigned long long)ev[i].userdata);
      }
    }
  }
  CHECK(!pending[1] && !pending[2]);
}

PROGRAM(sleep_quickly_but_lots) {
  __wasi_subscription_t subs[3];
  __wasi_event_t ev[3];
  __wasi_size_t n;
  subs[0] = subs[1] = clock_sub(0, __WASI_CLOCKID_MONOTONIC, 0);
  for (int i = 0; i < 1000; i++)
    if (!MUST(__wasi_poll_oneoff(subs, ev, 1, &n))) break;
  for (int i = 0; i < 1000; i++)
    if (!MUST(__wasi_poll_oneoff(subs, ev, 2, &n))) break;
  __wasi_fd_t fd = OPEN(dir, 0, "hello.txt", OFL(CREAT), RW, 0, 0);
  subs[1] = fd_sub(0, __WASI_EVENTTYPE_FD_READ, fd);
  subs[2] = fd_sub(0, __WASI_EVENTTYPE_FD_WRITE, fd);
  for (int i = 0; i < 1000; i++)
    if (!MUST(__wasi_poll_oneoff(subs, ev, 3, &n))) break;
}

P1_MAIN(IN_SCRATCH(poll_oneoff_files), NO_SCRATCH(poll_oneoff_stdio), IN_SCRATCH(sleep_quickly_but_lots))
