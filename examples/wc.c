// wc: prints "lines words bytes path" for each FILE (paths inside a preopened dir), then a total for several;
// with no FILE, counts stdin. Errors go to stderr, exit 1.
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct counts { long lines, words, bytes; };

// Counts one open stream; returns 0, or an errno on a read error.
static int count(FILE *f, struct counts *c) {
  static unsigned char buf[4096];
  int in_word = 0;
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
    c->bytes += (long)n;
    for (size_t i = 0; i < n; i++) {
      if (buf[i] == '\n') c->lines++;
      if (isspace(buf[i])) in_word = 0;
      else if (!in_word) { in_word = 1; c->words++; }
    }
  }
  return ferror(f) ? (errno ? errno : EIO) : 0;
}

// Like coreutils: columns are as wide as the digits of the sum of the files' sizes.
static int width_for(int argc, char **argv) {
  long total = 0;
  struct stat st;
  for (int i = 1; i < argc; i++)
    if (stat(argv[i], &st) == 0 && S_ISREG(st.st_mode)) total += (long)st.st_size;
  int w = 1;
  for (; total >= 10; total /= 10) w++;
  return w;
}

static void print(int w, const struct counts *c, const char *name) {
  printf("%*ld %*ld %*ld %s\n", w, c->lines, w, c->words, w, c->bytes, name);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    struct counts c = {0, 0, 0};
    int err = count(stdin, &c);
    if (err) { fprintf(stderr, "wc: stdin: %s\n", strerror(err)); return 1; }
    printf("%7ld %7ld %7ld\n", c.lines, c.words, c.bytes);
    return 0;
  }
  int w = width_for(argc, argv), status = 0;
  struct counts total = {0, 0, 0};
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (f == NULL) { fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(errno)); status = 1; continue; }
    struct counts c = {0, 0, 0};
    int err = count(f, &c);
    fclose(f);
    if (err) { fprintf(stderr, "wc: %s: %s\n", argv[i], strerror(err)); status = 1; continue; }
    print(w, &c, argv[i]);
    total.lines += c.lines; total.words += c.words; total.bytes += c.bytes;
  }
  if (argc > 2) print(w, &total, "total");
  return status;
}
