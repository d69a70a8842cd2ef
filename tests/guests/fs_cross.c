// fs_cross: rename(), link() and a directory moved from one preopen (/work) to another (/out), as `mv`, a finished
// download put into place, or a hard link between a work and an output directory do. Prints one line per step with
// the result (ok, or the errno's name), so one program says what happens on one host filesystem and across two.
#include <dirent.h>
#include "fs_check.h"

static const char *result(int r) {
  if (r == 0) return "ok";
  switch (errno) {
    case EXDEV: return "EXDEV";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EBUSY: return "EBUSY";
    default: return strerror(errno);
  }
}

static int exists(const char *path) {
  struct stat st;
  return lstat(path, &st) == 0;
}

int main(void) {
  struct stat a, b;
  char buf[16];

  // A finished download renamed into place.
  put_file("/work/download.part", "data");
  int r = rename("/work/download.part", "/out/download");
  printf("rename file: %s\n", result(r));
  if (r == 0) {
    CHECK(!exists("/work/download.part"));
    get_file("/out/download", buf, sizeof buf);
    STREQ(buf, "data");
  } else {
    CHECK(exists("/work/download.part")); // nothing moved
    OK(rename("/work/download.part", "/work/download"));
    put_file("/out/download", "data");
  }

  // A hard link between the two directories: one inode, two names.
  r = link("/out/download", "/work/hard");
  printf("link file: %s\n", result(r));
  if (r == 0) {
    OK(stat("/out/download", &a));
    OK(stat("/work/hard", &b));
    EQ(a.st_ino, b.st_ino);
    EQ(a.st_nlink, 2);
  } else {
    CHECK(!exists("/work/hard"));
  }

  // A directory with its contents, and a directory fd opened inside it that moves along.
  OK(mkdir("/work/dir", 0755));
  OK(mkdir("/work/dir/sub", 0755));
  put_file("/work/dir/sub/f", "in sub");
  int sub = (int)OK(open("/work/dir/sub", O_RDONLY | O_DIRECTORY));
  r = rename("/work/dir", "/out/dir");
  printf("rename dir: %s\n", result(r));
  if (r == 0) {
    CHECK(!exists("/work/dir"));
    get_file("/out/dir/sub/f", buf, sizeof buf);
    STREQ(buf, "in sub");
    OK(mkdir("/work/dir", 0755)); // a new directory at the old name is another one
    OK(mkdir("/work/dir/sub", 0755));
    int fd = (int)OK(openat(sub, "made_after", O_WRONLY | O_CREAT, 0644));
    OK(close(fd));
    CHECK(exists("/out/dir/sub/made_after"));
    CHECK(!exists("/work/dir/sub/made_after"));
    // The directory fd's wall moved with it: nothing above it.
    FAILS(openat(sub, "../../download", O_RDONLY), EPERM);
  }
  OK(close(sub));

  // Each path is still walked inside its own preopen.
  FAILS(rename("/work/../out/download", "/work/stolen"), EPERM);
  FAILS(rename("/out/download", "/out/../work/x/../../escaped"), EPERM);
  FAILS(link("/out/download", "/work/../../escaped"), EPERM);
  // A preopen's root is neither moved nor replaced.
  FAILS(rename("/work", "/out/work"), EBUSY);
  printf("sandbox ok\n");
  return 0;
}
