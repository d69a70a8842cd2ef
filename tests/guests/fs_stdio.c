// fs_stdio: fopen/fwrite/fread/fseek/ftell/fflush through a preopen, in modes "w", "r", "r+", "w+", "a", "a+".
#include "fs_check.h"

int main(int argc, char **argv) {
  const char *base = fs_base(argc, argv);
  const char *path = P(base, "stdio.txt");
  char buf[256];

  // "w" creates; fwrite + fclose puts the bytes on disk.
  FILE *f = fopen(path, "w");
  CHECK(f != NULL);
  EQ(fwrite("hello, world\n", 1, 13, f), 13);
  EQ(ftell(f), 13);
  EQ(fprintf(f, "line %d\n", 2), 7);
  EQ(ftell(f), 20);
  OK(fclose(f));
  printf("w ok\n");

  // "r": fread, ftell, fseek SEEK_SET/SEEK_CUR/SEEK_END, EOF.
  f = fopen(path, "r");
  CHECK(f != NULL);
  memset(buf, 0, sizeof buf);
  EQ(fread(buf, 1, 5, f), 5);
  STREQ(buf, "hello");
  EQ(ftell(f), 5);
  OK(fseek(f, 2, SEEK_CUR));
  EQ(ftell(f), 7);
  memset(buf, 0, sizeof buf);
  EQ(fread(buf, 1, 5, f), 5);
  STREQ(buf, "world");
  OK(fseek(f, -7, SEEK_END));
  EQ(ftell(f), 13);
  memset(buf, 0, sizeof buf);
  CHECK(fgets(buf, sizeof buf, f) != NULL);
  STREQ(buf, "line 2\n");
  EQ(fread(buf, 1, sizeof buf, f), 0);
  CHECK(feof(f));
  OK(fseek(f, 0, SEEK_SET));
  EQ(fgetc(f), 'h');
  // Writing to a read-only stream fails.
  clearerr(f);
  EQ(fputc('x', f), EOF);
  CHECK(ferror(f));
  OK(fclose(f));
  printf("r ok\n");

  // "r+": overwrite in the middle without truncating.
  f = fopen(path, "r+");
  CHECK(f != NULL);
  OK(fseek(f, 7, SEEK_SET));
  EQ(fwrite("WORLD", 1, 5, f), 5);
  OK(fseek(f, 0, SEEK_SET));
  memset(buf, 0, sizeof buf);
  EQ(fread(buf, 1, sizeof buf, f), 20);
  STREQ(buf, "hello, WORLD\nline 2\n");
  OK(fclose(f));
  printf("r+ ok\n");

  // "w+": truncates, then reads back what it wrote.
  f = fopen(path, "w+");
  CHECK(f != NULL);
  EQ(fread(buf, 1, sizeof buf, f), 0);
  EQ(fwrite("abcdef", 1, 6, f), 6);
  OK(fflush(f));
  rewind(f);
  memset(buf, 0, sizeof buf);
  EQ(fread(buf, 1, sizeof buf, f), 6);
  STREQ(buf, "abcdef");
  OK(fseek(f, 2, SEEK_SET));
  EQ(fwrite("XY", 1, 2, f), 2);
  OK(fclose(f));
  printf("w+ ok\n");

  // "a": every write lands at the end.
  f = fopen(path, "a");
  CHECK(f != NULL);
  EQ(fwrite("gh", 1, 2, f), 2);
  OK(fclose(f));

  // "a+": reads from anywhere, writes still at the end, even after a seek.
  f = fopen(path, "a+");
  CHECK(f != NULL);
  OK(fseek(f, 0, SEEK_SET));
  memset(buf, 0, sizeof buf);
  EQ(fread(buf, 1, 3, f), 3);
  STREQ(buf, "abX");
  OK(fseek(f, 1, SEEK_SET));
  EQ(fwrite("ij", 1, 2, f), 2);
  OK(fflush(f));
  EQ(ftell(f), 10);
  rewind(f);
  memset(buf, 0, sizeof buf);
  EQ(fread(buf, 1, sizeof buf, f), 10);
  STREQ(buf, "abXYefghij");
  OK(fclose(f));
  printf("a+ ok\n");

  // fopen of a missing file for reading fails with ENOENT; "wx" refuses an existing one.
  errno = 0;
  CHECK(fopen(P(base, "missing.txt"), "r") == NULL);
  EQ(errno, ENOENT);
  errno = 0;
  CHECK(fopen(path, "wx") == NULL);
  EQ(errno, EEXIST);
  printf("errors ok\n");
  return 0;
}
