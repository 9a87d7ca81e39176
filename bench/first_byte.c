/* first_byte: time from process start to the first text byte on a pipe.
 *
 *   first_byte MARKER RUNS COMMAND [ARG...]
 *
 * Runs COMMAND RUNS times, one after the other. Each time it takes the
 * monotonic clock, forks, and execs COMMAND with stdin from /dev/null, stderr
 * to /dev/null and stdout into a pipe; it reads the pipe until MARKER has gone
 * through it (the first text delta of the stream: the same bytes appear in
 * bridge's text output and, inside a JSON string, in curl -N's raw events), and
 * takes the clock again. The rest of the output is drained and the child
 * waited for, so that runs never overlap.
 *
 * Prints one line per run to stderr and, on stdout, the median in
 * milliseconds. Exits 1 when a run never shows MARKER or exits non-zero. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* One run: the milliseconds until MARKER was read, or a negative number. */
static double one_run(const char *marker, char **argv) {
  size_t mlen = strlen(marker);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    perror("first_byte: pipe");
    return -1;
  }
  double start = now_ms();
  pid_t pid = fork();
  if (pid < 0) {
    perror("first_byte: fork");
    return -1;
  }
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    dup2(null, STDIN_FILENO);
    dup2(null, STDERR_FILENO);
    dup2(fds[1], STDOUT_FILENO);
    execvp(argv[0], argv);
    _exit(127);
  }
  close(fds[1]);
  /* Keep the last mlen-1 bytes of the previous read, so that a marker split
   * across two reads is still seen. */
  char buf[65536 + 256];
  size_t kept = 0;
  double found = -1;
  for (;;) {
    ssize_t n = read(fds[0], buf + kept, 65536);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    if (found < 0) {
      size_t have = kept + (size_t)n;
      if (memmem(buf, have, marker, mlen) != NULL) {
        found = now_ms() - start;
        kept = 0;
      } else {
        kept = mlen - 1 < have ? mlen - 1 : have;
        memmove(buf, buf + have - kept, kept);
      }
    }
  }
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "first_byte: %s exited with status %d\n", argv[0],
            WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    return -1;
  }
  if (found < 0) {
    fprintf(stderr, "first_byte: %s never printed the marker '%s'\n", argv[0], marker);
  }
  return found;
}

int main(int argc, char **argv) {
  if (argc < 4 || strlen(argv[1]) == 0 || strlen(argv[1]) > 200 || atoi(argv[2]) < 1) {
    fprintf(stderr, "usage: first_byte MARKER RUNS COMMAND [ARG...]\n");
    return 2;
  }
  const char *marker = argv[1];
  int runs = atoi(argv[2]);
  double *times = calloc((size_t)runs, sizeof *times);
  if (times == NULL) {
    return 1;
  }
  for (int i = 0; i < runs; ++i) {
    times[i] = one_run(marker, argv + 3);
    if (times[i] < 0) {
      return 1;
    }
    fprintf(stderr, "run %d: %.3f ms\n", i + 1, times[i]);
  }
  qsort(times, (size_t)runs, sizeof *times, compare);
  double median = runs % 2 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
  printf("%.3f\n", median);
  free(times);
  return 0;
}
