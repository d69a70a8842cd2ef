// exit_code: exits with argv[1] via exit(), or by returning it from main when argv[2] is "return".
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
  int code = argc > 1 ? atoi(argv[1]) : 0;
  int by_return = argc > 2 && strcmp(argv[2], "return") == 0;
  printf("exiting with %d via %s\n", code, by_return ? "return" : "exit");
  if (by_return) return code;
  exit(code);
}
