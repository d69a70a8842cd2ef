// Calls every sock_* function wrongly, and the fd_* calls on a listener and a connection, printing each errno name.
// Needs a preopened directory at fd 3 and one listener after it (fd 4), and a client (tests/sockets.test.ts) that,
// after each "wait <n>" line, makes connection n:
//   1: sends "hello" and closes (FIN);   2: resets it (RST) once "accept 2" is printed;   3: closes at once (FIN).
// The guest prints "name: ERRNO" lines (SUCCESS, EBADF…); "send after the peer closed" may be EPIPE or ECONNRESET.
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static const char *name(__wasi_errno_t e) {
  switch (e) {
  case __WASI_ERRNO_SUCCESS: return "SUCCESS";
  case __WASI_ERRNO_AGAIN: return "EAGAIN";
  case __WASI_ERRNO_BADF: return "EBADF";
  case __WASI_ERRNO_CONNRESET: return "ECONNRESET";
  case __WASI_ERRNO_FAULT: return "EFAULT";
  case __WASI_ERRNO_INVAL: return "EINVAL";
  case __WASI_ERRNO_NOTCONN: return "ENOTCONN";
  case __WASI_ERRNO_NOTDIR: return "ENOTDIR";
  case __WASI_ERRNO_NOTSOCK: return "ENOTSOCK";
  case __WASI_ERRNO_NOTSUP: return "ENOTSUP";
  case __WASI_ERRNO_PIPE: return "EPIPE";
  case __WASI_ERRNO_SPIPE: return "ESPIPE";
  default: return "other";
  }
}

#define SHOW(label, call) printf("%s: %s\n", label, name(call))
#define BAD ((void *)0xfffffff0) // past the end of memory

static char buf[4096];

/** Sleeps `ms` milliseconds with poll_oneoff. */
static void sleep_ms(int ms) {
  __wasi_subscription_t sub = {.u.tag = __WASI_EVENTTYPE_CLOCK};
  sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  sub.u.u.clock.timeout = (__wasi_timestamp_t)ms * 1000000;
  __wasi_event_t ev;
  __wasi_size_t n;
  (void)__wasi_poll_oneoff(&sub, &ev, 1, &n);
}

static __wasi_fd_t accept_one(__wasi_fd_t l, int n) {
  printf("wait %d\n", n);
  fflush(stdout);
  __wasi_fd_t c = 0;
  __wasi_errno_t e = __wasi_sock_accept(l, 0, &c);
  printf("accept %d: %s\n", n, name(e));
  fflush(stdout);
  return c;
}

int main(void) {
  const __wasi_fd_t dir = 3, l = 4, closed = 99;
  __wasi_fd_t out = 0;
  __wasi_size_t n = 0;
  __wasi_roflags_t ro = 0;
  __wasi_prestat_t pre;
  __wasi_fdstat_t st;
  __wasi_filestat_t fst;
  __wasi_filesize_t off;
  __wasi_iovec_t iov = {.buf = (uint8_t *)buf, .buf_len = sizeof buf};
  __wasi_ciovec_t ciov = {.buf = (const uint8_t *)"x", .buf_len = 1};
  __wasi_iovec_t bad_iov = {.buf = BAD, .buf_len = 64};

  // The listener, as wasi-libc and Rust find it.
  SHOW("prestat_get(dir)", __wasi_fd_prestat_get(dir, &pre));
  SHOW("prestat_get(listener)", __wasi_fd_prestat_get(l, &pre));
  SHOW("fdstat_get(listener)", __wasi_fd_fdstat_get(l, &st));
  printf("listener: filetype=%d flags=%d base=%#llx inheriting=%#llx\n", st.fs_filetype, st.fs_flags,
         (unsigned long long)st.fs_rights_base, (unsigned long long)st.fs_rights_inheriting);

  // sock_* on what is not a socket, a closed fd, bad pointers and flags.
  SHOW("accept(stdin)", __wasi_sock_accept(0, 0, &out));
  SHOW("accept(dir)", __wasi_sock_accept(dir, 0, &out));
  SHOW("accept(closed)", __wasi_sock_accept(closed, 0, &out));
  SHOW("accept(bad pointer)", __wasi_sock_accept(l, 0, BAD));
  SHOW("accept(flags APPEND)", __wasi_sock_accept(l, __WASI_FDFLAGS_APPEND, &out));
  SHOW("recv(stdout)", __wasi_sock_recv(1, &iov, 1, 0, &n, &ro));
  SHOW("recv(dir)", __wasi_sock_recv(dir, &iov, 1, 0, &n, &ro));
  SHOW("recv(closed)", __wasi_sock_recv(closed, &iov, 1, 0, &n, &ro));
  SHOW("recv(listener)", __wasi_sock_recv(l, &iov, 1, 0, &n, &ro));
  SHOW("send(stdin)", __wasi_sock_send(0, &ciov, 1, 0, &n));
  SHOW("send(listener)", __wasi_sock_send(l, &ciov, 1, 0, &n));
  SHOW("shutdown(stderr)", __wasi_sock_shutdown(2, __WASI_SDFLAGS_WR));
  SHOW("shutdown(dir)", __wasi_sock_shutdown(dir, __WASI_SDFLAGS_WR));
  SHOW("shutdown(closed)", __wasi_sock_shutdown(closed, __WASI_SDFLAGS_WR));
  SHOW("shutdown(listener)", __wasi_sock_shutdown(l, __WASI_SDFLAGS_WR));

  // Every other call on the listener.
  SHOW("fd_read(listener)", __wasi_fd_read(l, &iov, 1, &n));
  SHOW("fd_write(listener)", __wasi_fd_write(l, &ciov, 1, &n));
  SHOW("fd_pread(listener)", __wasi_fd_pread(l, &iov, 1, 0, &n));
  SHOW("fd_pwrite(listener)", __wasi_fd_pwrite(l, &ciov, 1, 0, &n));
  SHOW("fd_seek(listener)", __wasi_fd_seek(l, 0, __WASI_WHENCE_SET, &off));
  SHOW("fd_tell(listener)", __wasi_fd_tell(l, &off));
  SHOW("fd_readdir(listener)", __wasi_fd_readdir(l, (uint8_t *)buf, sizeof buf, 0, &n));
  SHOW("fd_advise(listener)", __wasi_fd_advise(l, 0, 0, __WASI_ADVICE_NORMAL));
  SHOW("fd_allocate(listener)", __wasi_fd_allocate(l, 0, 1));
  SHOW("fd_sync(listener)", __wasi_fd_sync(l));
  SHOW("fd_datasync(listener)", __wasi_fd_datasync(l));
  SHOW("fd_filestat_set_size(listener)", __wasi_fd_filestat_set_size(l, 0));
  SHOW("fd_filestat_set_times(listener)", __wasi_fd_filestat_set_times(l, 0, 0, __WASI_FSTFLAGS_MTIM_NOW));
  SHOW("fd_prestat_dir_name(listener)", __wasi_fd_prestat_dir_name(l, (uint8_t *)buf, sizeof buf));
  SHOW("path_open(listener)", __wasi_path_open(l, 0, "x", 0, 0, 0, 0, &out));
  SHOW("path_filestat_get(listener)", __wasi_path_filestat_get(l, 0, "x", &fst));
  SHOW("fd_filestat_get(listener)", __wasi_fd_filestat_get(l, &fst));
  printf("filestat: filetype=%d size=%llu ino=%llu\n", fst.filetype, (unsigned long long)fst.size,
         (unsigned long long)fst.ino);
  SHOW("set_flags(listener, APPEND)", __wasi_fd_fdstat_set_flags(l, __WASI_FDFLAGS_APPEND));
  SHOW("set_flags(listener, NONBLOCK)", __wasi_fd_fdstat_set_flags(l, __WASI_FDFLAGS_NONBLOCK));
  SHOW("accept(non-blocking, nobody waits)", __wasi_sock_accept(l, 0, &out));
  SHOW("set_flags(listener, 0)", __wasi_fd_fdstat_set_flags(l, 0));

  // Connection 1: "hello", then the client's FIN.
  __wasi_fd_t c = accept_one(l, 1);
  SHOW("fdstat_get(conn)", __wasi_fd_fdstat_get(c, &st));
  printf("conn: filetype=%d flags=%d base=%#llx\n", st.fs_filetype, st.fs_flags,
         (unsigned long long)st.fs_rights_base);
  SHOW("accept(conn)", __wasi_sock_accept(c, 0, &out));
  SHOW("recv(bad iovec array)", __wasi_sock_recv(c, BAD, 1, 0, &n, &ro));
  SHOW("recv(iovec outside memory)", __wasi_sock_recv(c, &bad_iov, 1, 0, &n, &ro));
  SHOW("recv(bad datalen pointer)", __wasi_sock_recv(c, &iov, 1, 0, BAD, &ro));
  SHOW("recv(bad roflags pointer)", __wasi_sock_recv(c, &iov, 1, 0, &n, BAD));
  SHOW("recv(flags 4)", __wasi_sock_recv(c, &iov, 1, 4, &n, &ro));
  SHOW("send(bad iovec)", __wasi_sock_send(c, (const __wasi_ciovec_t *)&bad_iov, 1, 0, &n));
  SHOW("send(flags 1)", __wasi_sock_send(c, &ciov, 1, 1, &n));
  SHOW("shutdown(how 0)", __wasi_sock_shutdown(c, 0));
  SHOW("shutdown(how 4)", __wasi_sock_shutdown(c, 4));
  SHOW("fd_seek(conn)", __wasi_fd_seek(c, 0, __WASI_WHENCE_CUR, &off));
  SHOW("set_flags(conn, APPEND)", __wasi_fd_fdstat_set_flags(c, __WASI_FDFLAGS_APPEND));
  __wasi_iovec_t five = {.buf = (uint8_t *)buf, .buf_len = 5};
  memset(buf, 0, sizeof buf);
  SHOW("recv(PEEK|WAITALL 5)", __wasi_sock_recv(c, &five, 1, __WASI_RIFLAGS_RECV_PEEK | __WASI_RIFLAGS_RECV_WAITALL,
                                                 &n, &ro));
  printf("peeked %lu: %.5s roflags=%d\n", (unsigned long)n, buf, ro);
  memset(buf, 0, sizeof buf);
  SHOW("recv(WAITALL 5)", __wasi_sock_recv(c, &five, 1, __WASI_RIFLAGS_RECV_WAITALL, &n, &ro));
  printf("received %lu: %.5s\n", (unsigned long)n, buf);
  SHOW("recv(at the end)", __wasi_sock_recv(c, &iov, 1, 0, &n, &ro));
  printf("received %lu\n", (unsigned long)n);
  __wasi_subscription_t sub = {.userdata = 7, .u.tag = __WASI_EVENTTYPE_FD_READ};
  sub.u.u.fd_read.file_descriptor = c;
  __wasi_event_t ev;
  SHOW("poll(conn at the end)", __wasi_poll_oneoff(&sub, &ev, 1, &n));
  printf("event: userdata=%llu error=%d type=%d hangup=%d\n", (unsigned long long)ev.userdata, ev.error, ev.type,
         ev.fd_readwrite.flags & __WASI_EVENTRWFLAGS_FD_READWRITE_HANGUP);
  SHOW("shutdown(WR)", __wasi_sock_shutdown(c, __WASI_SDFLAGS_WR));
  SHOW("shutdown(WR) again", __wasi_sock_shutdown(c, __WASI_SDFLAGS_WR));
  SHOW("send(after shutdown WR)", __wasi_sock_send(c, &ciov, 1, 0, &n));
  SHOW("close(conn)", __wasi_fd_close(c));
  SHOW("close(conn) again", __wasi_fd_close(c));

  // Connection 2: reset by the client.
  c = accept_one(l, 2);
  SHOW("recv(after a reset)", __wasi_sock_recv(c, &iov, 1, 0, &n, &ro));
  SHOW("recv(after the reset was reported)", __wasi_sock_recv(c, &iov, 1, 0, &n, &ro));
  printf("received %lu\n", (unsigned long)n);
  SHOW("close(conn 2)", __wasi_fd_close(c));

  // Connection 3: the client closes at once; sending to it fails once its RST comes back.
  c = accept_one(l, 3);
  SHOW("recv(peer closed)", __wasi_sock_recv(c, &iov, 1, 0, &n, &ro));
  __wasi_errno_t e = 0;
  for (int i = 0; i < 200 && e == 0; i++) {
    e = __wasi_sock_send(c, &ciov, 1, 0, &n);
    if (e == 0) sleep_ms(5);
  }
  SHOW("send(after the peer closed)", e);
  SHOW("close(conn 3)", __wasi_fd_close(c));
  SHOW("close(listener)", __wasi_fd_close(l));
  SHOW("accept(closed listener)", __wasi_sock_accept(l, 0, &out));
  return 0;
}
