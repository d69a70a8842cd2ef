// fs_utimes: utimensat/futimens: exact seconds+nsec round-trip (to 1 µs at least), UTIME_NOW, UTIME_OMIT (as WASI flags), AT_SYMLINK_NOFOLLOW.
#include <time.h>
#include <wasi/api.h>
#include "fs_check.h"

static long long ts_ns(struct timespec t) { return (long long)t.tv_sec * 1000000000LL + t.tv_nsec; }

static long long now_ns(void) {
  struct timespec ts;
  OK(clock_gettime(CLOCK_REALTIME, &ts));
  return ts_ns(ts);
}

// `got` equals `want` to within 1 µs, rounded either way (backends may keep only microseconds).
#define NEAR_US(got, want)                                                                     \
  do {                                                                                         \
    long long ng_ = (got), nw_ = (want);                                                       \
    if (ng_ - nw_ >= 1000 || nw_ - ng_ >= 1000) FAIL("%s: got %lld ns, expected %lld ns", #got, ng_, nw_); \
  } while (0)

#define SEC 1000000000LL

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  const char *file = P(base, "times.txt");
  struct stat st;
  put_file(file, "t");

  // Exact values by path: atime and mtime differ, both with nanoseconds.
  struct timespec t1[2] = {{1234567890, 123456789}, {1500000000, 987654321}};
  OK(utimensat(AT_FDCWD, file, t1, 0));
  OK(stat(file, &st));
  NEAR_US(ts_ns(st.st_atim), 1234567890 * SEC + 123456789);
  NEAR_US(ts_ns(st.st_mtim), 1500000000 * SEC + 987654321);
  EQ(st.st_mtim.tv_sec, 1500000000);
  EQ(st.st_atim.tv_sec, 1234567890);
  printf("utimensat exact ok\n");

  // Whole seconds and microseconds come back exactly.
  struct timespec t2[2] = {{1600000000, 0}, {1700000000, 250000000}};
  OK(utimensat(AT_FDCWD, file, t2, 0));
  OK(stat(file, &st));
  EQ(st.st_atim.tv_sec, 1600000000);
  EQ(st.st_atim.tv_nsec, 0);
  EQ(st.st_mtim.tv_sec, 1700000000);
  EQ(st.st_mtim.tv_nsec, 250000000);
  printf("utimensat whole values ok\n");

  // futimens through an fd; the fd's fstat and a path stat agree.
  int fd = (int)OK(open(file, O_RDWR));
  struct timespec t3[2] = {{1111111111, 111111000}, {1222222222, 222222000}};
  OK(futimens(fd, t3));
  OK(fstat(fd, &st));
  NEAR_US(ts_ns(st.st_atim), 1111111111 * SEC + 111111000);
  NEAR_US(ts_ns(st.st_mtim), 1222222222 * SEC + 222222000);
  OK(stat(file, &st));
  NEAR_US(ts_ns(st.st_mtim), 1222222222 * SEC + 222222000);
  printf("futimens ok\n");

  // UTIME_OMIT leaves one time alone while the other changes. This wasi-libc rejects an mtime of UTIME_OMIT or
  // UTIME_NOW with EINVAL before asking the host (whatever the atime), so those cases call WASI directly:
  // fd_filestat_set_times on the fd, path_filestat_set_times on a directory fd and a relative name.
  struct timespec t4[2] = {{0, UTIME_OMIT}, {1300000000, 5000}};
  OK(futimens(fd, t4));
  OK(fstat(fd, &st));
  NEAR_US(ts_ns(st.st_atim), 1111111111 * SEC + 111111000);
  NEAR_US(ts_ns(st.st_mtim), 1300000000 * SEC + 5000);
  int dfd = (int)OK(open(base, O_RDONLY | O_DIRECTORY));
  EQ(__wasi_path_filestat_set_times(dfd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "times.txt", 1400000000 * SEC, 0,
                                    __WASI_FSTFLAGS_ATIM),
     0);
  OK(stat(file, &st));
  EQ(st.st_atim.tv_sec, 1400000000);
  EQ(st.st_atim.tv_nsec, 0);
  NEAR_US(ts_ns(st.st_mtim), 1300000000 * SEC + 5000);
  EQ(__wasi_fd_filestat_set_times(fd, 0, 0, 0), 0);  // both omitted
  OK(fstat(fd, &st));
  EQ(st.st_atim.tv_sec, 1400000000);
  NEAR_US(ts_ns(st.st_mtim), 1300000000 * SEC + 5000);
  printf("utime_omit ok\n");

  // UTIME_NOW sets the current time (within a few seconds of the guest's realtime clock).
  long long before = now_ns();
  EQ(__wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW), 0);
  OK(fstat(fd, &st));
  EQ(st.st_atim.tv_sec, 1400000000);
  CHECK(ts_ns(st.st_mtim) >= before - 5 * SEC && ts_ns(st.st_mtim) <= now_ns() + 5 * SEC);
  struct timespec t7[2] = {{0, UTIME_NOW}, {1300000000, 0}};
  OK(utimensat(AT_FDCWD, file, t7, 0));
  OK(stat(file, &st));
  CHECK(ts_ns(st.st_atim) >= before - 5 * SEC && ts_ns(st.st_atim) <= now_ns() + 5 * SEC);
  EQ(st.st_mtim.tv_sec, 1300000000);
  EQ(__wasi_path_filestat_set_times(dfd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "times.txt", 0, 0,
                                    __WASI_FSTFLAGS_MTIM_NOW),
     0);
  OK(stat(file, &st));
  CHECK(ts_ns(st.st_mtim) >= before - 5 * SEC && ts_ns(st.st_mtim) <= now_ns() + 5 * SEC);
  // Both a value and NOW for the same time is EINVAL (the WASI rule).
  EQ(__wasi_fd_filestat_set_times(fd, 1, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW), __WASI_ERRNO_INVAL);
  // Both now (what utimensat(..., NULL) means; this wasi-libc sends ATIM|MTIM with zeros for it instead).
  OK(utimensat(AT_FDCWD, file, t1, 0));
  EQ(__wasi_path_filestat_set_times(dfd, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "times.txt", 0, 0,
                                    __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW),
     0);
  OK(close(dfd));
  OK(stat(file, &st));
  CHECK(ts_ns(st.st_atim) >= before - 5 * SEC);
  CHECK(ts_ns(st.st_mtim) >= before - 5 * SEC);
  printf("utime_now ok\n");
  OK(close(fd));

  // A directory's times can be set too.
  OK(mkdir(P(base, "tdir"), 0755));
  OK(utimensat(AT_FDCWD, P(base, "tdir"), t2, 0));
  OK(stat(P(base, "tdir"), &st));
  EQ(st.st_mtim.tv_sec, 1700000000);
  EQ(st.st_mtim.tv_nsec, 250000000);
  printf("dir times ok\n");

  // Through a symlink: followed by default; AT_SYMLINK_NOFOLLOW sets the link's own times.
  OK(symlink("times.txt", P(base, "tlink")));
  OK(utimensat(AT_FDCWD, P(base, "tlink"), t2, 0));
  OK(stat(file, &st));
  EQ(st.st_mtim.tv_sec, 1700000000);
  struct timespec t8[2] = {{1010101010, 0}, {1020202020, 0}};
  OK(utimensat(AT_FDCWD, P(base, "tlink"), t8, AT_SYMLINK_NOFOLLOW));
  OK(lstat(P(base, "tlink"), &st));
  EQ(st.st_mtim.tv_sec, 1020202020);
  OK(stat(file, &st));
  EQ(st.st_mtim.tv_sec, 1700000000);
  printf("symlink times ok\n");

  // Errors: a missing file, an invalid nsec.
  FAILS(utimensat(AT_FDCWD, P(base, "missing"), t1, 0), ENOENT);
  struct timespec bad[2] = {{0, 1000000000}, {0, 0}};
  FAILS(utimensat(AT_FDCWD, file, bad, 0), EINVAL);
  printf("utimes errors ok\n");
  return 0;
}
