// fs_errno: the errno (and its strerror text) of common failures: ENOENT, ENOTDIR, EISDIR, EEXIST, ENOTEMPTY, ENAMETOOLONG, EBADF, EPERM for escapes.
#include <dirent.h>
#include "fs_check.h"

// Expects `expr` to fail with errno `e`; prints "<label>: <strerror>".
#define EXPECT(label, expr, e)                                                                  \
  do {                                                                                          \
    FAILS(expr, e);                                                                             \
    printf("%s: %s\n", label, strerror(e));                                                     \
  } while (0)

// Escaping the preopen is refused; wasmtime says EPERM, the older rights-based hosts ENOTCAPABLE.
#define REFUSED(label, expr)                                                                    \
  do {                                                                                          \
    errno = 0;                                                                                  \
    long long r_ = (long long)(expr);                                                           \
    if (r_ != -1 || (errno != EPERM && errno != ENOTCAPABLE))                                   \
      FAIL("%s: expected EPERM or ENOTCAPABLE, got %lld errno=%d (%s)", #expr, r_, errno, strerror(errno)); \
    printf("%s: refused\n", label);                                                             \
  } while (0)

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  struct stat st;
  char buf[300];

  put_file(P(base, "file"), "f");
  OK(mkdir(P(base, "dir"), 0755));
  put_file(P(base, "dir/inner"), "i");

  EXPECT("open missing", open(P(base, "missing"), O_RDONLY), ENOENT);
  EXPECT("open in missing dir", open(P(base, "nodir/x"), O_RDONLY), ENOENT);
  EXPECT("stat missing", stat(P(base, "missing"), &st), ENOENT);
  EXPECT("open through a file", open(P(base, "file/x"), O_RDONLY), ENOTDIR);
  EXPECT("open dir for writing", open(P(base, "dir"), O_WRONLY), EISDIR);
  EXPECT("mkdir existing", mkdir(P(base, "file"), 0755), EEXIST);
  EXPECT("rmdir non-empty", rmdir(P(base, "dir")), ENOTEMPTY);
  EXPECT("rmdir file", rmdir(P(base, "file")), ENOTDIR);
  EXPECT("unlink dir", unlink(P(base, "dir")), EISDIR);
  EXPECT("link dir", link(P(base, "dir"), P(base, "dir2")), EPERM);

  // A 256-byte name is too long; 255 is fine.
  memset(buf, 'n', 255);
  buf[255] = 0;
  int fd = (int)OK(open(P(base, buf), O_WRONLY | O_CREAT, 0644));
  OK(close(fd));
  OK(unlink(P(base, buf)));
  buf[255] = 'n';
  buf[256] = 0;
  EXPECT("open 256-byte name", open(P(base, buf), O_WRONLY | O_CREAT, 0644), ENAMETOOLONG);
  EXPECT("mkdir 256-byte name", mkdir(P(base, buf), 0755), ENAMETOOLONG);

  fd = (int)OK(open(P(base, "file"), O_RDONLY));
  EXPECT("write read-only fd", write(fd, "x", 1), EBADF);
  OK(close(fd));
  EXPECT("read closed fd", read(fd, buf, 1), EBADF);
  EXPECT("fstat closed fd", fstat(fd, &st), EBADF);
  EXPECT("lseek negative", lseek(0 + (int)OK(open(P(base, "file"), O_RDONLY)), -5, SEEK_SET), EINVAL);

  // Outside any preopen: wasi-libc itself finds no preopen for the path and fails without asking the host
  // (this wasi-libc says ENOTCAPABLE, newer ones ENOENT).
  errno = 0;
  CHECK(open("/etc/passwd", O_RDONLY) == -1);
  if (errno != ENOENT && errno != ENOTCAPABLE) FAIL("open outside preopens: errno=%d (%s)", errno, strerror(errno));
  printf("open outside preopens: refused\n");

  // Escapes through "..", an absolute symlink, a relative symlink that climbs out.
  char up[512];
  snprintf(up, sizeof up, "%s/../x", base);
  REFUSED("open ..", open(up, O_RDONLY));
  snprintf(up, sizeof up, "%s/dir/../../x", base);
  REFUSED("open dir/../..", open(up, O_RDONLY));
  REFUSED("mkdir ..", mkdir(P(base, "../newdir"), 0755));
  // A host may refuse to create such links at all (uvwasi does); if it makes them, following them is refused.
  const char *links[][2] = {{"abs_link", "/etc/passwd"}, {"climb_link", "../../../../../../etc/passwd"}};
  for (int i = 0; i < 2; i++) {
    errno = 0;
    if (symlink(links[i][1], P(base, links[i][0])) == 0) {
      REFUSED(links[i][0], open(P(base, links[i][0]), O_RDONLY));
      REFUSED(links[i][0], stat(P(base, links[i][0]), &st));
      OK(lstat(P(base, links[i][0]), &st));  // the link itself is fine to look at
      CHECK(S_ISLNK(st.st_mode));
    } else {
      if (errno != EPERM && errno != ENOTCAPABLE) FAIL("symlink to %s: errno=%d (%s)", links[i][1], errno, strerror(errno));
      printf("%s: refused\n%s: refused\n", links[i][0], links[i][0]);
    }
  }

  // perror-style message of the first failure above.
  errno = 0;
  CHECK(open(P(base, "missing"), O_RDONLY) == -1);
  printf("message: %s: %s\n", "missing", strerror(errno));
  printf("errno ok\n");
  return 0;
}
