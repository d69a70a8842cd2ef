// An echo server on the first listener the host gave (found by fd_fdstat_get: SOCKET_STREAM): accepts argv[2]
// connections (default 1) one after another and sends back every byte until the client's end of input, with
// recv()/send() (argv[1] "recv") or read()/write() (argv[1] "read"); then shuts its side and closes.
// Prints one line per connection: "conn <i>: <bytes> bytes", and "done" before exiting 0.
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>

static int find_listener(void) {
  for (int fd = 3; fd < 64; fd++) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM) return fd;
  }
  return -1;
}

static char buf[65536];

int main(int argc, char **argv) {
  int use_recv = argc > 1 && strcmp(argv[1], "recv") == 0;
  int count = argc > 2 ? atoi(argv[2]) : 1;
  int lfd = find_listener();
  if (lfd < 0) {
    fprintf(stderr, "no listener\n");
    return 2;
  }
  for (int i = 0; i < count; i++) {
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    int c = accept(lfd, (struct sockaddr *)&addr, &len);
    if (c < 0) {
      fprintf(stderr, "accept: %s\n", strerror(errno));
      return 1;
    }
    long total = 0;
    for (;;) {
      ssize_t n = use_recv ? recv(c, buf, sizeof buf, 0) : read(c, buf, sizeof buf);
      if (n < 0) {
        fprintf(stderr, "conn %d: %s: %s\n", i, use_recv ? "recv" : "read", strerror(errno));
        break;
      }
      if (n == 0) break;
      for (ssize_t at = 0; at < n;) {
        ssize_t w = use_recv ? send(c, buf + at, n - at, 0) : write(c, buf + at, n - at);
        if (w < 0) {
          fprintf(stderr, "conn %d: %s: %s\n", i, use_recv ? "send" : "write", strerror(errno));
          goto closed;
        }
        at += w;
      }
      total += n;
    }
    shutdown(c, SHUT_WR);
  closed:
    close(c);
    printf("conn %d: %ld bytes\n", i, total);
    fflush(stdout);
  }
  printf("done\n");
  return 0;
}
