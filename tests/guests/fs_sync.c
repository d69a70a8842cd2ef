// fs_sync: fsync/fdatasync succeed on a written file; on a directory fd they are EBADF (as wasmtime); data
// survives close; EBADF on a closed fd.
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  const char *path = P(base, "sync.txt");
  char buf[32];

  int fd = (int)OK(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
  EQ(write(fd, "synced\n", 7), 7);
  OK(fsync(fd));
  OK(fdatasync(fd));
  EQ(write(fd, "again\n", 6), 6);
  OK(fdatasync(fd));
  OK(close(fd));
  printf("fsync file ok\n");

  FILE *f = fopen(path, "a");
  CHECK(f != NULL);
  OK(fputs("stdio\n", f));
  OK(fflush(f));
  OK(fsync(fileno(f)));
  OK(fclose(f));
  get_file(path, buf, sizeof buf);
  STREQ(buf, "synced\nagain\nstdio\n");
  printf("fsync stdio ok\n");

  // A read-only fd may be synced (as on Linux); a directory fd is EBADF (wasmtime's dir_fd_op_failures).
  fd = (int)OK(open(path, O_RDONLY));
  errno = 0;
  if (fsync(fd) != 0 && errno != EBADF && errno != EINVAL && errno != ENOTCAPABLE)
    FAIL("fsync on a read-only fd: errno=%d (%s)", errno, strerror(errno));
  OK(close(fd));
  fd = (int)OK(open(base, O_RDONLY | O_DIRECTORY));
  FAILS(fsync(fd), EBADF);
  FAILS(fdatasync(fd), EBADF);
  OK(close(fd));
  printf("fsync dir ok\n");

  FAILS(fsync(fd), EBADF);
  FAILS(fdatasync(fd), EBADF);
  printf("fsync ebadf ok\n");
  return 0;
}
