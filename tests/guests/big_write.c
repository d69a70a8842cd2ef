// big_write: one write() of N bytes (argv[1], default 1 MiB) of 'a'..'z' repeating, then three small printf's.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)strtoul(argv[1], NULL, 10) : 1048576;
  char *buf = malloc(n ? n : 1);
  if (buf == NULL) { fputs("malloc failed\n", stderr); return 1; }
  for (size_t i = 0; i < n; i++) buf[i] = (char)('a' + i % 26);
  ssize_t w = write(1, buf, n);
  if (w < 0 || (size_t)w != n) { fprintf(stderr, "short write: %zd of %zu\n", w, n); return 1; }
  printf("\nwrote=%zu\n", n);
  printf("tail=%c\n", n ? buf[n - 1] : '-');
  printf("end\n");
  return 0;
}
