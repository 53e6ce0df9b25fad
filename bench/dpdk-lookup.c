/* dpdk-lookup.c - DPDK's rte_fib (DIR24_8) and rte_fib6 (TRIE) bulk lookups, timed, for bench/native.ts.
 *
 * Loads a plain table (one CIDR a line) into rte_fib / rte_fib6 with next hop = the prefix's
 * position among the lines of its family + 1 (0 = no route), reads the addresses to look up
 * (V4FILE: host-order uint32 each; V6FILE: 16 network-order bytes each), prints "ready ..." and
 * then answers commands on stdin, one line each, so the caller can alternate its own timings
 * with these in the same run:
 *   4 REPS [CHUNK] / 6 REPS [CHUNK]
 *                     time REPS passes of bulk lookups over all addresses; prints
 *                     "WALL_NS CPU_NS SINK" (CPU = this thread's processor time; SINK keeps
 *                     the results live)
 *   n4 N / n6 N       prints the next hops of the first N addresses, space separated
 * Lookups go CHUNK addresses per rte_fib_lookup_bulk call (-c, or per command; default 4096: fibscope's batch).
 * -v: let DPDK pick its AVX-512 lookup (EAL --force-max-simd-bitwidth=512); default: its scalar one,
 *     which is what DPDK chooses unless told otherwise.
 *
 * usage: dpdk-lookup [-c CHUNK] [-v] TABLE V4FILE V6FILE
 * build: gcc -O2 -o dpdk-lookup dpdk-lookup.c $(pkg-config --cflags --libs libdpdk)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <rte_eal.h>
#include <rte_fib.h>
#include <rte_fib6.h>

static void die(const char *m) { fprintf(stderr, "dpdk-lookup: %s\n", m); exit(2); }
static uint64_t clock_ns(clockid_t id) { struct timespec t; clock_gettime(id, &t); return (uint64_t)t.tv_sec * 1000000000u + t.tv_nsec; }

static void *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb"); if (!f) die(path);
  fseek(f, 0, SEEK_END); long n = ftell(f); fseek(f, 0, SEEK_SET);
  void *p = malloc(n > 0 ? n : 1); if (!p) die("out of memory");
  if (n > 0 && fread(p, 1, n, f) != (size_t)n) die(path);
  fclose(f); *size = (size_t)n; return p;
}

static struct rte_fib *fib4;
static struct rte_fib6 *fib6;

/* Counts the prefixes of each family first: rte_fib wants max_routes up front. */
static void load_table(const char *path, int vector) {
  size_t size; char *text = read_file(path, &size);
  uint32_t n4 = 0, n6 = 0;
  for (size_t i = 0; i < size; i++) if (text[i] == '/') { size_t j = i; while (j > 0 && text[j - 1] != '\n') j--;
    if (memchr(text + j, ':', i - j)) n6++; else n4++; }
  struct rte_fib_conf c4 = { .type = RTE_FIB_DIR24_8, .default_nh = 0, .max_routes = (int)n4 + 16,
    .dir24_8 = { .nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = 1 << 15 } };
  fib4 = rte_fib_create("fib4", -1, &c4); if (!fib4) die("rte_fib_create failed");
  struct rte_fib6_conf c6 = { .type = RTE_FIB6_TRIE, .default_nh = 0, .max_routes = (int)n6 + 16,
    .trie = { .nh_sz = RTE_FIB6_TRIE_4B, .num_tbl8 = 1 << 19 } };
  fib6 = rte_fib6_create("fib6", -1, &c6); if (!fib6) die("rte_fib6_create failed");
  if (vector && (rte_fib_select_lookup(fib4, RTE_FIB_LOOKUP_DIR24_8_VECTOR_AVX512) < 0
                 || rte_fib6_select_lookup(fib6, RTE_FIB6_LOOKUP_TRIE_VECTOR_AVX512) < 0)) die("no AVX-512 lookup here");
  uint32_t i4 = 0, i6 = 0;
  for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
    char *slash = strchr(line, '/'); if (!slash) continue;
    *slash = 0; int len = atoi(slash + 1);
    if (strchr(line, ':')) {
      uint8_t a[16]; if (inet_pton(AF_INET6, line, a) != 1) die(line);
      if (rte_fib6_add(fib6, a, (uint8_t)len, ++i6) < 0) die("rte_fib6_add failed (raise num_tbl8?)");
    } else {
      struct in_addr a; if (inet_pton(AF_INET, line, &a) != 1) die(line);
      if (rte_fib_add(fib4, ntohl(a.s_addr), (uint8_t)len, ++i4) < 0) die("rte_fib_add failed (raise num_tbl8?)");
    }
  }
  free(text);
}

int main(int argc, char **argv) {
  int chunk = 4096, vector = 0, opt;
  while ((opt = getopt(argc, argv, "c:v")) != -1) {
    if (opt == 'c') chunk = atoi(optarg); else if (opt == 'v') vector = 1;
    else die("usage: dpdk-lookup [-c CHUNK] [-v] TABLE V4FILE V6FILE");
  }
  if (argc - optind != 3 || chunk < 1) die("usage: dpdk-lookup [-c CHUNK] [-v] TABLE V4FILE V6FILE");
  /* no hugepages, no devices: rte_fib only needs rte_malloc memory */
  char *eal[] = { "dpdk-lookup", "--no-huge", "-m", "2048", "--no-pci", "--no-telemetry", "-l", "0", "--no-shconf",
                  "--log-level=lib.eal:error", vector ? "--force-max-simd-bitwidth=512" : "--force-max-simd-bitwidth=256", NULL };
  if (rte_eal_init(11, eal) < 0) die("EAL init failed");
  uint64_t t0 = clock_ns(CLOCK_MONOTONIC);
  load_table(argv[optind], vector);
  uint64_t t1 = clock_ns(CLOCK_MONOTONIC);
  size_t s4, s6;
  uint32_t *v4 = read_file(argv[optind + 1], &s4);
  uint8_t (*v6)[16] = read_file(argv[optind + 2], &s6);
  size_t n4 = s4 / 4, n6 = s6 / 16;
  uint64_t *nh = malloc(sizeof *nh * (n4 > n6 ? n4 : n6) + 8);
  if (!nh) die("out of memory");
  printf("ready v4=%zu v6=%zu build_ms=%.0f\n", n4, n6, (t1 - t0) / 1e6);
  fflush(stdout);

  char line[64];
  while (fgets(line, sizeof line, stdin)) {
    long arg = 0, step = chunk; char cmd[8] = "";
    if (sscanf(line, "%7s %ld %ld", cmd, &arg, &step) < 2 || arg < 0 || step < 1) die("bad command");
    int six = cmd[strlen(cmd) - 1] == '6';
    size_t n = six ? n6 : n4;
    if (cmd[0] == 'n') {
      if ((size_t)arg > n) arg = (long)n;
      if (six) rte_fib6_lookup_bulk(fib6, v6, nh, (int)arg); else rte_fib_lookup_bulk(fib4, v4, nh, (int)arg);
      for (long i = 0; i < arg; i++) printf(i ? " %llu" : "%llu", (unsigned long long)nh[i]);
      printf("\n"); fflush(stdout); continue;
    }
    /* each pass writes its next hops over the same chunk-sized stretch, as a packet loop would */
    uint64_t sink = 0, w0 = clock_ns(CLOCK_MONOTONIC), c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    for (long rep = 0; rep < arg; rep++) {
      for (size_t at = 0; at < n; at += step) {
        int count = (int)(n - at < (size_t)step ? n - at : (size_t)step);
        if (six) rte_fib6_lookup_bulk(fib6, v6 + at, nh, count); else rte_fib_lookup_bulk(fib4, v4 + at, nh, count);
        sink += nh[count - 1];
      }
    }
    uint64_t c1 = clock_ns(CLOCK_THREAD_CPUTIME_ID), w1 = clock_ns(CLOCK_MONOTONIC);
    printf("%llu %llu %llu\n", (unsigned long long)(w1 - w0), (unsigned long long)(c1 - c0), (unsigned long long)sink);
    fflush(stdout);
  }
  rte_eal_cleanup();
  return 0;
}
