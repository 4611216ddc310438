/*
 * The test containers' workload: touches N MiB of anonymous memory (every page, non-zero, so
 * CRIU must dump it all), then prints a counter every 100 ms to stdout (a pipe to the shim).
 * A restored process shows that it continues from its checkpointed count.
 *   memhog [MiB]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  long mib = argc > 1 ? atol(argv[1]) : 200;
  size_t size = (size_t) mib << 20;
  volatile unsigned char *memory = malloc(size);
  if (memory == NULL) {
    fprintf(stderr, "memhog: cannot allocate %ld MiB\n", mib);
    return 1;
  }
  for (size_t i = 0; i < size; i += 4096) {
    memory[i] = (unsigned char) ((i >> 12) | 1);
  }
  printf("touched %ld MiB\n", mib);
  fflush(stdout);
  struct timespec tick = {0, 100 * 1000 * 1000};
  for (unsigned long count = 1;; count++) {
    printf("%lu\n", count);
    fflush(stdout);
    nanosleep(&tick, NULL);
  }
}
