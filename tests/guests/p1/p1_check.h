// p1_check.h: what the wasmtime preview1 parity guests (tests/guests/p1/*.c) share (not a guest itself).
// The guests call the raw preview1 functions of <wasi/api.h>. argv is [program, "."], as wasmtime's harness:
// argv[0] picks the program, argv[1] names the preopen to work in. A failed check prints one line on stderr,
// "<program>:<line>: <call>: expected <ERRNO>[|<ERRNO>...], got <ERRNO>", and the program goes on; at the end
// it prints "<program> ok" on stdout when nothing failed, and exits 1 otherwise.
#ifndef P1_CHECK_H
#define P1_CHECK_H

#include <stdint.h>
#include <wasi/api.h>

static const char *p1_program = "?";
// argv[1]: the preopen's name (".").
static const char *p1_arg = ".";
static int p1_failures;

// fs_check.h's CHECK/EQ/STREQ/FAILS expand FAIL where they are used: redefined here, a failure names the program
// and the line, is counted, and the program goes on to its next check.
#include "../fs_check.h"
#undef FAIL
#define FAIL(...)                                        \
  do {                                                   \
    fflush(stdout);                                      \
    fprintf(stderr, "%s:%d: ", p1_program, __LINE__);    \
    fprintf(stderr, __VA_ARGS__);                        \
    fputc('\n', stderr);                                 \
    p1_failures++;                                       \
  } while (0)

// Short names for the spec's constants: E(NOENT), OFL(CREAT), FDFL(APPEND), RIGHT(FD_READ), FOLLOW.
#define E(x) __WASI_ERRNO_##x
#define OFL(x) __WASI_OFLAGS_##x
#define FDFL(x) __WASI_FDFLAGS_##x
#define RIGHT(x) __WASI_RIGHTS_##x
#define FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW
#define FT(x) __WASI_FILETYPE_##x

// The rights the programs ask path_open for a file. wasmtime looks at FD_READ and FD_WRITE alone and grants every
// other right unasked, so its programs ask for those two and then seek, tell, stat, resize, set times, advise or poll.
// Hostcall gives a new fd the rights it asks for, as the spec and uvwasi do (docs/decisions.md#rights): RD, WR and RW
// add what the programs use (tests/wasmtime_p1.test.ts marks the programs that need it as deviating).
#define FILE_USE                                                                                               \
  (RIGHT(FD_SEEK) | RIGHT(FD_TELL) | RIGHT(FD_FILESTAT_GET) | RIGHT(FD_FILESTAT_SET_TIMES) | RIGHT(FD_ADVISE) | \
   RIGHT(FD_FDSTAT_SET_FLAGS) | RIGHT(FD_SYNC) | RIGHT(FD_DATASYNC) | RIGHT(POLL_FD_READWRITE))
#define RD (RIGHT(FD_READ) | FILE_USE)
#define WR (RIGHT(FD_WRITE) | FILE_USE | RIGHT(FD_FILESTAT_SET_SIZE) | RIGHT(FD_ALLOCATE))
#define RW (RD | WR)

static const char *const p1_errno_names[] = {
    "SUCCESS", "2BIG", "ACCES", "ADDRINUSE", "ADDRNOTAVAIL", "AFNOSUPPORT", "AGAIN", "ALREADY", "BADF", "BADMSG",
    "BUSY", "CANCELED", "CHILD", "CONNABORTED", "CONNREFUSED", "CONNRESET", "DEADLK", "DESTADDRREQ", "DOM", "DQUOT",
    "EXIST", "FAULT", "FBIG", "HOSTUNREACH", "IDRM", "ILSEQ", "INPROGRESS", "INTR", "INVAL", "IO", "ISCONN", "ISDIR",
    "LOOP", "MFILE", "MLINK", "MSGSIZE", "MULTIHOP", "NAMETOOLONG", "NETDOWN", "NETRESET", "NETUNREACH", "NFILE",
    "NOBUFS", "NODEV", "NOENT", "NOEXEC", "NOLCK", "NOLINK", "NOMEM", "NOMSG", "NOPROTOOPT", "NOSPC", "NOSYS",
    "NOTCONN", "NOTDIR", "NOTEMPTY", "NOTRECOVERABLE", "NOTSOCK", "NOTSUP", "NOTTY", "NXIO", "OVERFLOW", "OWNERDEAD",
    "PERM", "PIPE", "PROTO", "PROTONOSUPPORT", "PROTOTYPE", "RANGE", "ROFS", "SPIPE", "SRCH", "STALE", "TIMEDOUT",
    "TXTBSY", "XDEV", "NOTCAPABLE",
};

static inline const char *errno_name(int e) {
  return e >= 0 && e < (int)(sizeof p1_errno_names / sizeof *p1_errno_names) ? p1_errno_names[e] : "(unknown)";
}

// True when `got` is one of `want` (ended by -1); otherwise prints the failure line and counts it.
__attribute__((noinline)) static int p1_errno(int line, const char *call, int got, const int *want) {
  for (const int *w = want; *w >= 0; w++)
    if (got == *w) return 1;
  fflush(stdout);
  fprintf(stderr, "%s:%d: %s: expected ", p1_program, line, call);
  for (const int *w = want; *w >= 0; w++) fprintf(stderr, "%s%s", w == want ? "" : "|", errno_name(*w));
  fprintf(stderr, ", got %s\n", errno_name(got));
  p1_failures++;
  return 0;
}

// The raw call must return one of the listed errnos (wasmtime's assert_errno!, Linux alternatives). True if so.
#define ERRNO(call, ...) p1_errno(__LINE__, #call, (call), (const int[]){__VA_ARGS__, -1})
// The raw call must succeed. True if so.
#define MUST(call) ERRNO(call, E(SUCCESS))
// Stops the program here (after a failure that leaves nothing sensible to check next).
#define GIVE_UP()                                                      \
  do {                                                                 \
    fprintf(stderr, "%s:%d: giving up\n", p1_program, __LINE__);       \
    exit(1);                                                           \
  } while (0)

// path_open that must succeed and give a fd above stdio; stops the program otherwise.
#define OPEN(dir, lookup, path, oflags, base, inheriting, fdflags)                                         \
  ({                                                                                                       \
    __wasi_fd_t open_fd_ = (__wasi_fd_t)-1;                                                                \
    if (!MUST(__wasi_path_open((dir), (lookup), (path), (oflags), (base), (inheriting), (fdflags), &open_fd_))) \
      GIVE_UP();                                                                                           \
    CHECK(open_fd_ > 2);                                                                                   \
    open_fd_;                                                                                              \
  })

// The newest wasmtime harness caps its descriptor table at 1000 entries. Hostcall numbers fds lowest-free-first,
// so a fd numbered 1000 or more means 1000 entries in use: a program that must not leak checks its fds with this.
#define TABLE_LIMIT 1000

// wasmtime's open_scratch_directory: the preopen named `name` (fds 3, 4, ... until fd_prestat_get fails), opened
// again as a NEW fd with oflags DIRECTORY.
static inline __wasi_fd_t open_scratch_directory(const char *name) {
  for (__wasi_fd_t fd = 3;; fd++) {
    __wasi_prestat_t pre;
    if (__wasi_fd_prestat_get(fd, &pre) != E(SUCCESS)) break;
    if (pre.tag != __WASI_PREOPENTYPE_DIR) continue;
    char buf[256];
    size_t len = pre.u.dir.pr_name_len;
    if (len >= sizeof buf || !MUST(__wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, len))) continue;
    buf[len] = 0;
    if (strcmp(buf, name) != 0) continue;
    __wasi_fd_t dir;
    if (!MUST(__wasi_path_open(fd, 0, ".", OFL(DIRECTORY), 0, 0, 0, &dir))) break;
    return dir;
  }
  fprintf(stderr, "%s: no preopen named \"%s\"\n", p1_program, name);
  exit(1);
}

// wasmtime's create_file: path_open(CREAT) with no rights, then fd_close; both must succeed.
#define CREATE_FILE(dir, name)                                       \
  do {                                                               \
    __wasi_fd_t cf_fd_ = OPEN((dir), 0, (name), OFL(CREAT), 0, 0, 0); \
    MUST(__wasi_fd_close(cf_fd_));                                   \
  } while (0)

// fd_filestat_get / path_filestat_get that must succeed (the struct is zeroed when they do not).
#define FSTAT(fd)                                                   \
  ({                                                                \
    __wasi_filestat_t fst_ = {0};                                   \
    MUST(__wasi_fd_filestat_get((fd), &fst_));                      \
    fst_;                                                           \
  })
#define PSTAT(dir, lookup, path)                                    \
  ({                                                                \
    __wasi_filestat_t pst_ = {0};                                   \
    MUST(__wasi_path_filestat_get((dir), (lookup), (path), &pst_)); \
    pst_;                                                           \
  })
#define FDSTAT(fd)                                                  \
  ({                                                                \
    __wasi_fdstat_t fds_ = {0};                                     \
    MUST(__wasi_fd_fdstat_get((fd), &fds_));                        \
    fds_;                                                           \
  })

// The newest wasmtime helper runs some programs twice: with fdflags 0, and with NONBLOCK, where a read or write
// that answers AGAIN waits in poll_oneoff (one FD_READ/FD_WRITE subscription, which must give 1 event) and retries.
static inline __wasi_errno_t p1_wait(__wasi_fd_t fd, uint8_t type) {
  __wasi_subscription_t sub = {.userdata = 0, .u = {.tag = type}};
  if (type == __WASI_EVENTTYPE_FD_READ) sub.u.u.fd_read.file_descriptor = fd;
  else sub.u.u.fd_write.file_descriptor = fd;
  __wasi_event_t ev;
  __wasi_size_t n = 0;
  __wasi_errno_t e = __wasi_poll_oneoff(&sub, &ev, 1, &n);
  EQ(n, 1);
  return e;
}
static inline __wasi_errno_t io_read(__wasi_fd_t fd, const __wasi_iovec_t *iovs, size_t n, __wasi_size_t *got) {
  for (;;) {
    __wasi_errno_t e = __wasi_fd_read(fd, iovs, n, got);
    if (e != E(AGAIN)) return e;
    if ((e = p1_wait(fd, __WASI_EVENTTYPE_FD_READ)) != E(SUCCESS)) return e;
  }
}
static inline __wasi_errno_t io_write(__wasi_fd_t fd, const __wasi_ciovec_t *iovs, size_t n, __wasi_size_t *got) {
  for (;;) {
    __wasi_errno_t e = __wasi_fd_write(fd, iovs, n, got);
    if (e != E(AGAIN)) return e;
    if ((e = p1_wait(fd, __WASI_EVENTTYPE_FD_WRITE)) != E(SUCCESS)) return e;
  }
}

// One-buffer fd_read / fd_write / fd_pread / fd_pwrite that must succeed; they return the byte count.
#define READ(fd, buf, len)                                                     \
  ({                                                                           \
    __wasi_iovec_t rd_iov_ = {(uint8_t *)(buf), (len)};                        \
    __wasi_size_t rd_n_ = 0;                                                   \
    MUST(io_read((fd), &rd_iov_, 1, &rd_n_));                                  \
    rd_n_;                                                                     \
  })
#define WRITE(fd, buf, len)                                                    \
  ({                                                                           \
    __wasi_ciovec_t wr_iov_ = {(const uint8_t *)(buf), (len)};                 \
    __wasi_size_t wr_n_ = 0;                                                   \
    MUST(io_write((fd), &wr_iov_, 1, &wr_n_));                                 \
    wr_n_;                                                                     \
  })
#define PREAD(fd, buf, len, off)                                               \
  ({                                                                           \
    __wasi_iovec_t prd_iov_ = {(uint8_t *)(buf), (len)};                       \
    __wasi_size_t prd_n_ = 0;                                                  \
    MUST(__wasi_fd_pread((fd), &prd_iov_, 1, (off), &prd_n_));                 \
    prd_n_;                                                                    \
  })
#define PWRITE(fd, buf, len, off)                                              \
  ({                                                                           \
    __wasi_ciovec_t pwr_iov_ = {(const uint8_t *)(buf), (len)};                \
    __wasi_size_t pwr_n_ = 0;                                                  \
    MUST(__wasi_fd_pwrite((fd), &pwr_iov_, 1, (off), &pwr_n_));                \
    pwr_n_;                                                                    \
  })
// fd_seek / fd_tell that must succeed; they return the offset.
#define SEEK(fd, off, whence)                                                  \
  ({                                                                           \
    __wasi_filesize_t sk_ = 0;                                                 \
    MUST(__wasi_fd_seek((fd), (off), (whence), &sk_));                         \
    sk_;                                                                       \
  })
#define TELL(fd)                                                               \
  ({                                                                           \
    __wasi_filesize_t tl_ = 0;                                                 \
    MUST(__wasi_fd_tell((fd), &tl_));                                          \
    tl_;                                                                       \
  })

// |a - b| below wasmtime's default FS_TIME_PRECISION (100 ns).
#define FS_TIME_PRECISION 100ULL
#define TIME_EQ(a, b)                                                                                   \
  do {                                                                                                  \
    unsigned long long te_a_ = (a), te_b_ = (b);                                                        \
    if ((te_a_ > te_b_ ? te_a_ - te_b_ : te_b_ - te_a_) >= FS_TIME_PRECISION)                           \
      FAIL("%s ~= %s (within %llu ns): got %llu and %llu", #a, #b, FS_TIME_PRECISION, te_a_, te_b_);    \
  } while (0)

// A program of a guest: its wasmtime name (without the preview1_/p1_ prefix), its body, and whether it works in
// a scratch dir (wasmtime's open_scratch_directory; else `dir` is -1 and no fd beyond the preopen is opened).
struct p1_program {
  const char *name;
  void (*run)(__wasi_fd_t dir);
  int scratch;
};
// PROGRAM(name) { ... } defines one; P1_MAIN(IN_SCRATCH(name), NO_SCRATCH(other), ...) lists them.
#define PROGRAM(name) static void p_##name(__attribute__((unused)) __wasi_fd_t dir)
#define IN_SCRATCH(name) {#name, p_##name, 1}
#define NO_SCRATCH(name) {#name, p_##name, 0}

// Runs the program named argv[0] (on a scratch dir from the preopen named argv[1]); prints "<name> ok".
static inline int p1_main(int argc, char **argv, const struct p1_program *programs, size_t count) {
  if (argc < 2) {
    fprintf(stderr, "usage: <program> <preopen name>\n");
    return 2;
  }
  p1_program = argv[0];
  p1_arg = argv[1];
  for (size_t i = 0; i < count; i++) {
    if (strcmp(programs[i].name, argv[0]) != 0) continue;
    programs[i].run(programs[i].scratch ? open_scratch_directory(argv[1]) : (__wasi_fd_t)-1);
    if (p1_failures > 0) return 1;
    printf("%s ok\n", argv[0]);
    return 0;
  }
  fprintf(stderr, "%s: not a program of this guest\n", argv[0]);
  return 2;
}

#define P1_MAIN(...)                                                          \
  int main(int argc, char **argv) {                                           \
    static const struct p1_program programs[] = {__VA_ARGS__};                \
    return p1_main(argc, argv, programs, sizeof programs / sizeof *programs); \
  }

#endif
