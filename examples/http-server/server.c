// A small HTTP/1.1 server in C, for wasm32-wasip1 (on the listeners the host gives) and natively (for comparison).
//
// One thread, many clients: every listener and connection is non-blocking, multiplexed with poll(). Keep-alive,
// pipelined requests, Content-Length bodies. Routes:
//   GET  /            "Hello from wasm32-wasip1!\n"
//   GET  /big?n=N     N bytes of 'a'..'z' (generated as the client takes them: memory stays small)
//   POST /echo        the request body
//   GET  /stats       {"requests":…,"errors":…,"open":…,"big_sent":…,"ticks":…}
//   GET  /exit        answers, then the server exits 0 once every answer went out
// A client that vanishes (reset, broken pipe) is counted in "errors" and dropped; the others go on being served.
// poll() wakes at least every 100 ms ("ticks"), so timers and sockets mix in one wait.
//
// Under WASI the listeners are the fds that fd_fdstat_get calls SOCKET_STREAM (Hostcall: --tcplisten / listeners).
// Natively: `server PORT` listens on 127.0.0.1:PORT.
#define _GNU_SOURCE // accept4, memmem
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi/api.h>
#else
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#endif

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 // WASI has no signals: a vanished peer is EPIPE
#endif

#define MAX_LISTENERS 8
#define MAX_CONNS 1024
#define IN_SIZE 65536
#define OUT_SIZE 65536

struct conn {
  int fd;
  char in[IN_SIZE];
  size_t in_len;
  char out[OUT_SIZE];
  size_t out_at, out_len;
  long long big_left; // bytes of /big still to generate
  long long big_pos;
  int close_after; // close once the answer went out ("Connection: close")
  int peer_done;   // the client sent its FIN: close once every request it sent is answered
};

static int listeners[MAX_LISTENERS];
static int nlisteners;
static struct conn *conns[MAX_CONNS];
static int nconns;
static long long requests, errors, big_sent, ticks;
static int exiting;

static void set_nonblocking(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
    perror("fcntl");
    exit(1);
  }
}

static void find_listeners(int argc, char **argv) {
#ifdef __wasi__
  (void)argc;
  (void)argv;
  for (int fd = 3; fd < 64 && nlisteners < MAX_LISTENERS; fd++) {
    __wasi_fdstat_t st;
    if (__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM) {
      listeners[nlisteners++] = fd;
    }
  }
#else
  signal(SIGPIPE, SIG_IGN);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(argc > 1 ? atoi(argv[1]) : 8080)};
  a.sin_addr.s_addr = htonl(0x7f000001);
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 511) < 0) {
    perror("listen");
    exit(1);
  }
  listeners[nlisteners++] = fd;
#endif
}

static void drop(int i) {
  close(conns[i]->fd);
  free(conns[i]);
  conns[i] = conns[--nconns];
}

static void accept_all(int lfd) {
  while (nconns < MAX_CONNS) {
    struct sockaddr_storage addr; // wasi-libc's accept writes here: a NULL address is not allowed
    socklen_t len = sizeof addr;
    int fd = accept4(lfd, (struct sockaddr *)&addr, &len, SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK) errors++;
      return;
    }
#ifndef __wasi__
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // as Hostcall does for every connection
#endif
    struct conn *c = calloc(1, sizeof *c);
    if (c == NULL) {
      close(fd);
      return;
    }
    c->fd = fd;
    conns[nconns++] = c;
  }
}

/** Appends text to the answer (the caller made sure it fits). */
static void put(struct conn *c, const char *s, size_t n) {
  memcpy(c->out + c->out_len, s, n);
  c->out_len += n;
}

static void answer(struct conn *c, int status, const char *type, const char *body, size_t body_len,
                   long long content_length) {
  char head[256];
  const char *reason = status == 200 ? "OK" : status == 404 ? "Not Found" : status == 413 ? "Payload Too Large"
                                                                                           : "Bad Request";
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %lld\r\n%s\r\n", status, reason, type,
                   content_length, c->close_after ? "Connection: close\r\n" : "");
  put(c, head, (size_t)n);
  put(c, body, body_len);
}

/** The value of header `name` in the head `h` (NUL-terminated), or NULL. */
static const char *header(const char *h, const char *name) {
  size_t n = strlen(name);
  for (const char *p = strstr(h, "\r\n"); p != NULL; p = strstr(p + 2, "\r\n")) {
    if (strncasecmp(p + 2, name, n) == 0 && p[2 + n] == ':') {
      const char *v = p + 3 + n;
      while (*v == ' ') v++;
      return v;
    }
  }
  return NULL;
}

/** Handles one complete request at the head of c->in if there is one; returns 1 when it did. */
static int handle(struct conn *c) {
  if (c->out_len > 0 || c->big_left > 0) return 0; // one answer at a time (pipelined ones wait their turn)
  char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
  if (end == NULL) {
    if (c->in_len == IN_SIZE) { // a head that fills the buffer
      c->close_after = 1;
      answer(c, 413, "text/plain", "too large\n", 10, 10);
      c->in_len = 0;
      return 1;
    }
    return 0;
  }
  size_t head_len = (size_t)(end - c->in) + 4;
  end[2] = '\0'; // the head as a string (its last CRLF kept for header())
  const char *cl = header(c->in, "Content-Length");
  long long body_len = cl ? atoll(cl) : 0;
  if (body_len < 0 || head_len + (size_t)body_len > IN_SIZE) {
    c->close_after = 1;
    answer(c, 413, "text/plain", "too large\n", 10, 10);
    c->in_len = 0;
    return 1;
  }
  if (c->in_len < head_len + (size_t)body_len) {
    end[2] = '\r';
    return 0; // the body is still coming
  }
  const char *conn_hdr = header(c->in, "Connection");
  c->close_after = conn_hdr != NULL && strncasecmp(conn_hdr, "close", 5) == 0;
  char method[8] = "", path[512] = "";
  sscanf(c->in, "%7s %511s", method, path);
  char *body = c->in + head_len;
  requests++;
  if (strcmp(method, "GET") == 0 && strcmp(path, "/") == 0) {
    const char *hello = "Hello from wasm32-wasip1!\n";
    answer(c, 200, "text/plain", hello, strlen(hello), (long long)strlen(hello));
  } else if (strcmp(method, "GET") == 0 && strncmp(path, "/big?n=", 7) == 0) {
    c->big_left = atoll(path + 7);
    c->big_pos = 0;
    answer(c, 200, "application/octet-stream", "", 0, c->big_left);
  } else if (strcmp(method, "POST") == 0 && strcmp(path, "/echo") == 0) {
    answer(c, 200, "application/octet-stream", body, (size_t)body_len, body_len);
  } else if (strcmp(method, "GET") == 0 && strcmp(path, "/stats") == 0) {
    char s[256];
    int n = snprintf(s, sizeof s, "{\"requests\":%lld,\"errors\":%lld,\"open\":%d,\"big_sent\":%lld,\"ticks\":%lld}\n",
                     requests, errors, nconns, big_sent, ticks);
    answer(c, 200, "application/json", s, (size_t)n, n);
  } else if (strcmp(method, "GET") == 0 && strcmp(path, "/exit") == 0) {
    exiting = 1;
    c->close_after = 1;
    answer(c, 200, "text/plain", "bye\n", 4, 4);
  } else {
    answer(c, 404, "text/plain", "not found\n", 10, 10);
  }
  size_t used = head_len + (size_t)body_len;
  memmove(c->in, c->in + used, c->in_len - used);
  c->in_len -= used;
  return 1;
}

/** Reads what is there and answers what is complete; returns 0 when the connection is done. */
static int on_readable(struct conn *c) {
  int eof = 0;
  while (c->in_len < IN_SIZE) {
    ssize_t n = recv(c->fd, c->in + c->in_len, IN_SIZE - c->in_len, 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      errors++; // ECONNRESET: the client vanished
      return 0;
    }
    if (n == 0) {
      eof = 1;
      break;
    }
    c->in_len += (size_t)n;
  }
  while (handle(c)) {
  }
  if (!eof) return 1;
  c->peer_done = 1; // the client is done sending: answer what it asked, then close
  return c->out_len > c->out_at || c->big_left > 0;
}

/** Sends what is queued (generating /big as it goes); returns 0 when the connection is done. */
static int on_writable(struct conn *c) {
  for (;;) {
    if (c->out_at == c->out_len) {
      c->out_at = c->out_len = 0;
      if (c->big_left > 0) {
        size_t n = c->big_left < OUT_SIZE ? (size_t)c->big_left : OUT_SIZE;
        for (size_t i = 0; i < n; i++) c->out[i] = (char)('a' + (c->big_pos + (long long)i) % 26);
        c->out_len = n;
        c->big_left -= (long long)n;
        c->big_pos += (long long)n;
      } else {
        if (c->close_after) return 0;
        while (handle(c)) {
        }
        if (c->out_len == 0) return !c->peer_done;
      }
    }
    ssize_t n = send(c->fd, c->out + c->out_at, c->out_len - c->out_at, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return 1;
      errors++; // EPIPE, ECONNRESET: the client vanished
      return 0;
    }
    if (c->big_pos > 0) big_sent += n;
    c->out_at += (size_t)n;
  }
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  find_listeners(argc, argv);
  if (nlisteners == 0) {
    fprintf(stderr, "no listening socket: run with --tcplisten HOST:PORT\n");
    return 2;
  }
  for (int i = 0; i < nlisteners; i++) set_nonblocking(listeners[i]);
  printf("serving on %d listener%s\n", nlisteners, nlisteners == 1 ? "" : "s");
  static struct pollfd pfds[MAX_LISTENERS + MAX_CONNS];
  for (;;) {
    int n = 0;
    // wasi-libc's poll() needs POLLIN or POLLOUT in each entry: a listener no longer served is left out with fd -1.
    for (int i = 0; i < nlisteners; i++) pfds[n++] = (struct pollfd){.fd = exiting ? -1 : listeners[i], .events = POLLIN};
    if (exiting) { // idle keep-alive connections are closed; the others finish their answer first
      for (int i = nconns - 1; i >= 0; i--) {
        if (conns[i]->out_at == conns[i]->out_len && conns[i]->big_left == 0) drop(i);
      }
    }
    for (int i = 0; i < nconns; i++) {
      struct conn *c = conns[i];
      short ev = c->out_at < c->out_len || c->big_left > 0 ? POLLOUT : POLLIN;
      pfds[n++] = (struct pollfd){.fd = c->fd, .events = ev};
    }
    if (exiting && nconns == 0) break;
    int r = poll(pfds, (nfds_t)n, 100);
    if (r < 0) {
      perror("poll");
      return 1;
    }
    if (r == 0) {
      ticks++;
      continue;
    }
    for (int i = nlisteners + nconns - 1; i >= nlisteners; i--) { // backwards: drop() moves the last one here
      struct pollfd *p = &pfds[i];
      int k = i - nlisteners;
      if (p->revents == 0) continue;
      int ok = 1;
      if (p->revents & (POLLERR | POLLNVAL)) ok = 0;
      else if (p->revents & POLLOUT) ok = on_writable(conns[k]);
      else if (p->revents & (POLLIN | POLLHUP)) {
        ok = on_readable(conns[k]);
        if (ok && conns[k]->out_len > conns[k]->out_at) ok = on_writable(conns[k]);
      }
      if (!ok) drop(k);
    }
    if (!exiting) {
      for (int i = 0; i < nlisteners; i++) {
        if (pfds[i].revents & POLLIN) accept_all(listeners[i]);
      }
    }
  }
  printf("served %lld requests, %lld errors\n", requests, errors);
  return 0;
}
