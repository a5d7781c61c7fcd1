// SPDX-License-Identifier: GPL-2.0
/*
 * 96-fuzz: the driver. Without arguments it is the short run of the stock
 * kernels' VM suite (a few thousand calls); the debug lane asks for more
 * through the environment (the kernel command line passes it to init):
 *
 *   URING_DMABUF_FUZZ_CALLS    calls in all (default 3000)
 *   URING_DMABUF_FUZZ_SEED     the seed (default: from the clock); printed
 *   URING_DMABUF_FUZZ_THREADS  worker threads (default 2); 1 replays a
 *                              worker's call sequence exactly
 *   URING_DMABUF_FUZZ_SECONDS  stop after this long (default 50, or 570
 *                              from 20000 calls on)
 *   URING_DMABUF_FUZZ_OPS      only these ops, comma-separated (to bisect)
 *   URING_DMABUF_FUZZ_RACER    0: no racer thread
 *   URING_DMABUF_FUZZ_TX       0: no devmem TX ops
 *   URING_DMABUF_FUZZ_STALL    seconds without a call that end the run as
 *                              stalled, with where each thread waits
 *                              (default 60; 0: never)
 *
 * The run is cut into epochs of 10,000 calls; after each, everything is
 * closed and the pin counters, VmPin and the module's counters must be back
 * where they were, so that a leak is pinned down to an epoch and a seed.
 */
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/dma-heap.h>

#include "fuzz.h"
#include "importer_uapi.h"

#define EPOCH_CALLS 10000
#define MAX_REPORTED 30

struct fuzz F = { .importer = -1, .foreign_dmabuf = -1 };

/* Recursive: a caller may hold it to keep its diagnostics with its line. */
static pthread_mutex_t out_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static __thread struct worker *current_worker;
static pid_t main_pid;

void fuzz_lock(void)
{
	pthread_mutex_lock(&out_lock);
}

void fuzz_unlock(void)
{
	pthread_mutex_unlock(&out_lock);
}

void fuzz_set_current(struct worker *w)
{
	current_worker = w;
	w->tid = gettid();
}

/* A crash of the fuzzer itself: say where, for the replay. */
static void on_fault(int sig, siginfo_t *si, void *uc)
{
	struct worker *w = current_worker;
	void *frames[32];
	char line[256];
	int n, i;

	(void)uc;
	n = snprintf(line, sizeof(line), "not ok fuzz: signal %d at %p in thread %d op %ld (%s)%s\n"
		     "# replay: URING_DMABUF_FUZZ_SEED=%#llx\n", sig, si->si_addr,
		     w ? w->id : -1, w ? w->op_no : -1L, w && w->op ? w->op : "-",
		     getpid() == main_pid ? "" : " in a child", (unsigned long long)F.seed);
	if (write(1, line, (size_t)n) < 0)
		_exit(2);
	/* Return addresses for addr2line -e 96-fuzz. */
	n = backtrace(frames, 32);
	for (i = 0; i < n; i++) {
		int k = snprintf(line, sizeof(line), "#   at %p\n", frames[i]);

		if (write(1, line, (size_t)k) < 0)
			break;
	}
	_exit(1);
}
static int nr_workers = 2;
static long calls_target = 3000;
static double seconds = 50;

double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void fuzz_fail(struct worker *w, const char *fmt, ...)
{
	int n = atomic_fetch_add(&F.failures, 1);
	va_list ap;

	if (n >= MAX_REPORTED)
		return;
	pthread_mutex_lock(&out_lock);
	printf("not ok fuzz: thread %d op %ld (%s): ", w->id, w->op_no, w->op ? w->op : "-");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n# replay: URING_DMABUF_FUZZ_SEED=%#llx URING_DMABUF_FUZZ_THREADS=%d "
	       "URING_DMABUF_FUZZ_CALLS=%ld\n", (unsigned long long)F.seed, nr_workers,
	       calls_target);
	pthread_mutex_unlock(&out_lock);
}

int expect(struct worker *w, long ret, const int *allowed, int n, const char *what)
{
	char want[128] = "";
	size_t len = 0;
	int i;

	for (i = 0; i < n; i++)
		if ((ret == 0 && allowed[i] == 0) || (ret < 0 && -ret == allowed[i]))
			return 1;
	for (i = 0; i < n && len < sizeof(want) - 16; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len, "%s%s",
					i ? "|" : "", allowed[i] ? errname(allowed[i]) : "success");
	fuzz_fail(w, "%s: got %s, want %s", what,
		  ret < 0 ? errname((int)-ret) : "success", want);
	return 0;
}

void fuzz_count(struct worker *w)
{
	w->calls++;
	atomic_fetch_add(F.calls, 1);
}

/* --- the op mix -------------------------------------------------------- */

struct op {
	const char *name;
	void (*fn)(struct worker *w);
	unsigned int weight;
};

/*
 * Relative weights. A fork (op fork, op unprivileged) costs what a hundred
 * other calls cost under KASAN and TCG (420 ms against 5 ms for a create,
 * measured): rare, so that a timed run still makes its calls.
 */
static struct op ops[] = {
	{ "create", op_create, 60 },
	{ "create-fixed", op_create_fixed, 24 },
	{ "reregister", op_reregister, 2 },
	{ "info", op_info, 16 },
	{ "version", op_version, 6 },
	{ "bad-ioctl", op_bad_ioctl, 8 },
	{ "mmap", op_mmap, 18 },
	{ "munmap", op_munmap, 8 },
	{ "sync", op_sync, 10 },
	{ "import", op_import, 10 },
	{ "close", op_close, 20 },
	{ "pass", op_pass, 12 },
	{ "fork", op_fork, 1 },
	{ "unprivileged", op_unprivileged, 1 },
	/* Devmem TX (tx.c): weight 0 where it cannot run. */
	{ "bind-tx", op_bind_tx, 6 },
	{ "send-tx", op_send_tx, 12 },
	{ "unbind-tx", op_unbind_tx, 4 },
};
#define NR_OPS (sizeof(ops) / sizeof(ops[0]))

/* Where the time goes, per op: printed at the end. */
static atomic_long op_runs[NR_OPS], op_usecs[NR_OPS];

/* 1 if op @name runs (URING_DMABUF_FUZZ_OPS may leave it out). */
int op_enabled(const char *name)
{
	size_t i;

	for (i = 0; i < NR_OPS; i++)
		if (!strcmp(ops[i].name, name))
			return ops[i].weight > 0;
	return 0;
}

static struct op *pick_op(struct rng *r)
{
	unsigned int total = 0, n;
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		total += ops[i].weight;
	n = (unsigned int)rnd_below(r, total);
	for (i = 0; n >= ops[i].weight; i++)
		n -= ops[i].weight;
	return &ops[i];
}

/* Zero the weight of every op not in the comma-separated list. */
static void only_ops(const char *list)
{
	size_t i;

	if (!list || !*list)
		return;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const char *p = strstr(list, ops[i].name);
		size_t n = strlen(ops[i].name);

		if (!p || (p != list && p[-1] != ',') || (p[n] && p[n] != ','))
			ops[i].weight = 0;
	}
	printf("# only ops: %s\n", list);
}

static int use_racer = 1;
static struct worker workers[FUZZ_MAX_THREADS];
static struct worker racer = { .id = 100 }, receiver = { .id = 101 };
static long epoch_end;	/* the run's call count at which this epoch ends */

/* Where the time went: which ops to make cheaper when a run is slow. */
static void print_op_times(void)
{
	size_t i;

	for (i = 0; i < NR_OPS; i++) {
		long runs = atomic_load(&op_runs[i]);
		double secs = (double)atomic_load(&op_usecs[i]) / 1e6;

		if (runs)
			printf("# op %-12s %7ld runs, %7.1f s, %6.2f ms each\n",
			       ops[i].name, runs, secs, secs * 1e3 / (double)runs);
	}
	printf("# racer: %ld rounds, busy %.1f s\n", racer.op_no, (double)racer_usecs / 1e6);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	fuzz_set_current(w);
	while (atomic_load(F.calls) < epoch_end && !atomic_load(&F.stop)) {
		struct op *op = pick_op(&w->rng);
		double t = now_sec(), end;

		w->op = op->name;
		op->fn(w);
		end = now_sec();
		atomic_fetch_add(&op_usecs[op - ops], (long)((end - t) * 1e6));
		atomic_fetch_add(&op_runs[op - ops], 1);
		w->op_no++;
		if (end > F.deadline)
			atomic_store(&F.stop, 1);
	}
	w->op = "close-all";
	tx_close_all(w);
	buf_close_all(w);
	return NULL;
}

/* --- setup --------------------------------------------------------------- */

static long env_long(const char *name, long def)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : def;
}

/* Another exporter's dma-buf, for INFO to refuse: the system heap. */
static int foreign_dmabuf(void)
{
	struct dma_heap_allocation_data d = {
		.len = PAGE_SZ, .fd_flags = O_RDWR | O_CLOEXEC };
	int heap = open("/dev/dma_heap/system", O_RDONLY | O_CLOEXEC);

	if (heap < 0)
		return -1;
	if (ioctl(heap, DMA_HEAP_IOCTL_ALLOC, &d))
		d.fd = (unsigned int)-1;
	close(heap);
	return (int)d.fd;
}

static void setup(void)
{
	struct uring_dmabuf_version ver;
	int sv[2], i;

	F.calls = mmap(NULL, sizeof(*F.calls), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (F.calls == MAP_FAILED)
		t_skip_all("no shared memory for the call counter: %s", strerror(errno));
	F.dev = dev_open();
	if (ud_version(F.dev, &ver))
		t_skip_all("VERSION failed: %s", strerror(errno));
	F.max_ranges = ver.max_ranges;
	F.totalram_pages = memtotal_pages();
	F.ext4_dir = getenv("URING_DMABUF_TEST_EXT4");
	F.have_ext4 = F.ext4_dir && *F.ext4_dir && !access(F.ext4_dir, W_OK);
	F.importer = open(IMPORTER_DEVICE, O_RDWR | O_CLOEXEC);
	if (F.importer < 0 && system("modprobe uring_dmabuf_importer 2>/dev/null") == 0)
		F.importer = open(IMPORTER_DEVICE, O_RDWR | O_CLOEXEC);
	if (F.importer < 0)
		t_skip("no importer module (" IMPORTER_DEVICE ")", "fuzz: importer calls");
	else
		t_ok(1, "fuzz: importer calls");
	F.foreign_dmabuf = foreign_dmabuf();
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv))
		t_skip_all("socketpair: %s", strerror(errno));
	F.pass_tx = sv[0];
	F.pass_rx = sv[1];
	if (race_init())
		t_skip_all("cannot map the race regions");
	for (i = 0; i < nr_workers; i++) {
		struct worker *w = &workers[i];
		int err;

		w->id = i;
		w->rng.s = F.seed ^ (0x1000193ULL * (uint64_t)(i + 1));
		err = arena_init(&w->arena, i);
		if (err)
			t_skip_all("worker %d: no anonymous memory: %s", i, errname(-err));
		err = fixed_init(w);
		if (i > 0)
			continue;
		if (err) {
			char why[96];

			snprintf(why, sizeof(why), "no io_uring fixed buffers here: %s",
				 errname(-err));
			t_skip(why, "fuzz: CREATE_FIXED calls (io_uring fixed buffers)");
		}
		else {
			t_ok(1, "fuzz: CREATE_FIXED calls (io_uring fixed buffers)");
		}
	}
	if (!env_long("URING_DMABUF_FUZZ_TX", 1))
		t_skip("URING_DMABUF_FUZZ_TX=0 asked for no devmem TX ops",
		       "fuzz: BIND_TX calls (devmem TX on the simulated NIC)");
	if (!env_long("URING_DMABUF_FUZZ_TX", 1) || !tx_setup(workers, nr_workers)) {
		size_t k;

		for (k = 0; k < NR_OPS; k++)
			if (strstr(ops[k].name, "-tx"))
				ops[k].weight = 0;
		printf("# devmem TX ops (bind-tx, send-tx, unbind-tx) left out\n");
	}
	racer.rng.s = F.seed ^ 0xabcdef;
	receiver.rng.s = F.seed ^ 0x123457;
}

static void *idle_main(void *arg)
{
	(void)arg;
	return NULL;
}

/* One epoch: threads run until epoch_end calls, then everything is released. */
static int run_epoch(int epoch, const struct pins *base)
{
	pthread_t th[FUZZ_MAX_THREADS + 2];
	struct pins now;
	double t;
	int i, ok;

	atomic_store(&F.stop, 0);
	if (race_init())
		t_diag("epoch %d: could not map the race regions again", epoch);
	for (i = 0; i < nr_workers; i++)
		fixed_epoch(&workers[i], 1);
	{
		struct hugepool pool;

		racer_resv0 = hugepool_get(&pool) ? -1 : pool.resv;
	}
	pthread_create(&th[nr_workers], NULL, use_racer ? racer_main : idle_main, &racer);
	pthread_create(&th[nr_workers + 1], NULL, receiver_main, &receiver);
	watchdog_arm(1);
	for (i = 0; i < nr_workers; i++)
		pthread_create(&th[i], NULL, worker_main, &workers[i]);
	for (i = 0; i < nr_workers; i++)
		pthread_join(th[i], NULL);
	watchdog_arm(0);
	t = now_sec();
	atomic_store(&F.stop, 1);
	pthread_join(th[nr_workers], NULL);
	pthread_join(th[nr_workers + 1], NULL);
	for (i = 0; i < nr_workers; i++)
		fixed_epoch(&workers[i], 0);

	ok = !pins_wait_back(base, &now);
	printf("# epoch %d: teardown and pin check %.1f s\n", epoch, now_sec() - t);
	if (!ok) {
		printf("not ok fuzz: epoch %d: pins, VmPin or module counters not back "
		       "after closing everything\n", epoch);
		pins_diag(base, &now);
		printf("# replay: URING_DMABUF_FUZZ_SEED=%#llx URING_DMABUF_FUZZ_THREADS=%d\n",
		       (unsigned long long)F.seed, nr_workers);
	}
	return ok;
}

/*
 * With every dma-buf closed and the hugetlb regions unmapped, the 2 MiB
 * pool's counters are where they were before the run: no reservation got
 * lost to the racer's punched holes, none leaked.
 */
static void check_hugepool(const struct hugepool *start)
{
	int i;

	if (start->free < 0)
		return;
	for (i = 0; i < nr_workers; i++)
		arena_free_hugetlb(&workers[i].arena);
	race_free_hugetlb();
	t_hugepool_back(start, "fuzz: 2 MiB pool counters back after the run");
	if (!t_ok(!atomic_load(&racer_resv_lost),
		  "fuzz: the pool's reserved count steady while the racer punched holes"))
		t_diag("it changed %ld times", atomic_load(&racer_resv_lost));
}

int main(void)
{
	struct hugepool pool = { -1, -1, -1 };
	struct pins base;
	long epochs, done = 0;
	double t0;
	int e, clean = 1;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	main_pid = getpid();
	{
		struct sigaction sa = { .sa_sigaction = on_fault, .sa_flags = SA_SIGINFO };

		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
	}
	calls_target = env_long("URING_DMABUF_FUZZ_CALLS", 3000);
	nr_workers = (int)env_long("URING_DMABUF_FUZZ_THREADS", 2);
	if (nr_workers < 1 || nr_workers > FUZZ_MAX_THREADS)
		nr_workers = 2;
	seconds = (double)env_long("URING_DMABUF_FUZZ_SECONDS",
				   calls_target >= 20000 ? 570 : 50);
	F.seed = getenv("URING_DMABUF_FUZZ_SEED") ?
		 strtoull(getenv("URING_DMABUF_FUZZ_SEED"), NULL, 0) : 0;
	if (!F.seed)
		F.seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (uint64_t)getpid();
	printf("# seed %#llx: %ld calls, %d worker threads, at most %.0f s\n",
	       (unsigned long long)F.seed, calls_target, nr_workers, seconds);
	printf("# replay: URING_DMABUF_FUZZ_SEED=%#llx URING_DMABUF_FUZZ_THREADS=%d "
	       "URING_DMABUF_FUZZ_CALLS=%ld\n", (unsigned long long)F.seed, nr_workers,
	       calls_target);

	only_ops(getenv("URING_DMABUF_FUZZ_OPS"));
	use_racer = env_long("URING_DMABUF_FUZZ_RACER", 1) != 0;
	if (hugepool_get(&pool))
		pool.free = -1;
	setup();
	{
		static struct worker *watched[FUZZ_MAX_THREADS + 2];

		for (e = 0; e < nr_workers; e++)
			watched[e] = &workers[e];
		watched[e++] = &racer;
		watched[e++] = &receiver;
		watchdog_start(watched, e);
	}
	pins_get(&base);
	t0 = now_sec();
	F.deadline = t0 + seconds;
	epochs = (calls_target + EPOCH_CALLS - 1) / EPOCH_CALLS;
	for (e = 0; e < epochs && now_sec() < F.deadline; e++) {
		long before = atomic_load(F.calls);
		long left = calls_target - before;
		long per_epoch = left < EPOCH_CALLS ? left : EPOCH_CALLS;

		if (per_epoch < 1)
			break;
		epoch_end = before + per_epoch;
		clean &= run_epoch(e, &base);
		printf("# epoch %d: %ld calls, %.1f s so far\n", e,
		       atomic_load(F.calls) - before, now_sec() - t0);
	}
	done = atomic_load(F.calls);
	tx_finish(workers, nr_workers);
	print_op_times();
	t_ok(atomic_load(&F.failures) == 0, "fuzz: %ld calls in %.1f s, no unexpected outcome "
	     "(seed %#llx)", done, now_sec() - t0, (unsigned long long)F.seed);
	if (atomic_load(&F.failures))
		t_diag("%d unexpected outcomes", atomic_load(&F.failures));
	t_ok(clean, "fuzz: every pin, VmPin and module counter back after each epoch");
	if (clean)
		check_hugepool(&pool);
	/*
	 * Every run must make its calls: a lane that cannot afford them lowers
	 * URING_DMABUF_FUZZ_CALLS or raises URING_DMABUF_FUZZ_SECONDS openly.
	 */
	if (!t_ok(done >= calls_target, "fuzz: ran %ld of %ld calls within %.0f s",
		  done, calls_target, seconds))
		t_diag("too slow here: raise URING_DMABUF_FUZZ_SECONDS or lower "
		       "URING_DMABUF_FUZZ_CALLS");
	return t_failed() ? 1 : 0;
}
