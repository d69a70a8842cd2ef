// random: random_get of 100000 bytes (over the 65536 getRandomValues cap), getentropy of 32, then 16; prints a summary and hex.
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <wasi/api.h>

#define BIG 100000

static int distinct(const unsigned char *p, size_t n) {
  int seen[256] = {0}, count = 0;
  for (size_t i = 0; i < n; i++) if (!seen[p[i]]++) count++;
  return count;
}

static void hex(const char *label, const unsigned char *p, size_t n) {
  printf("%s=", label);
  for (size_t i = 0; i < n; i++) printf("%02x", p[i]);
  printf("\n");
}

int main(void) {
  static unsigned char big[BIG];
  unsigned char a[32], b[16];
  __wasi_errno_t err = __wasi_random_get(big, BIG);
  printf("big errno=%d distinct=%d head_distinct=%d tail_distinct=%d\n", err, distinct(big, BIG),
         distinct(big, 65536), distinct(big + 65536, BIG - 65536)); // tail: bytes past one 65536 chunk
  int rc = getentropy(a, sizeof a);
  printf("getentropy rc=%d\n", rc);
  hex("a", a, sizeof a);
  err = __wasi_random_get(b, sizeof b);
  printf("small errno=%d\n", err);
  hex("b", b, sizeof b);
  printf("a_differs_from_b=%s\n", memcmp(a, b, sizeof b) != 0 ? "yes" : "no");
  return 0;
}
