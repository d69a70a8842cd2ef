// reactor: a -mexec-model=reactor module; a constructor run by _initialize sets state the exported add_and_print reports.
#include <stdio.h>

static int initialized = 0;
static int calls = 0;

__attribute__((constructor)) static void init(void) { initialized = 1; }

__attribute__((export_name("add_and_print"))) int add_and_print(int a, int b) {
  calls++;
  printf("sum=%d initialized=%d calls=%d\n", a + b, initialized, calls);
  fflush(stdout);
  return a + b;
}
