/* torture.c - many writers, readers and cleaners on one store at once,
 * each in its own process, checking the guarantees of spec/invariants.md
 * as they run and at the end.
 *
 *   torture [-w W] [-r R] [-c C] [-d SECONDS] [-k KEEP] [-S] STORE
 *   torture --crash ROUNDS [-w W] [-c C] [-k KEEP] STORE
 *
 * Checks: every read is a complete, valid payload (payload.h); no reader
 * sees an empty store after the first acknowledged put; a put that began
 * after another returned gets a greater id; a get that began after a put
 * returned gets that version or a newer one; every acknowledged id is still
 * there unless KEEP greater ids were acknowledged (the only policy the
 * cleaners run); at the end the newest is the greatest acknowledged id,
 * verify finds no damage and a final prune leaves tmp/ empty.  With
 * --crash, writers and cleaners are killed with SIGKILL at random points,
 * ROUNDS times, and the same end checks run after every round.  Prints its
 * counts; exits 1 on any violation. */
#include "config.h"
#include "payload.h"
#include "statusdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 64
#define BUF_CAP (256 * 1024)

struct shared {
	pthread_mutex_t lock;
	char max_acked[STATUSDIR_ID_SIZE]; /* greatest acknowledged id */
	int first_ack;
	int stop;
	uint64_t puts, gets, gets_by_id, prunes, verifies, violations;
};

struct options {
	int writers, readers, cleaners, seconds, crash_rounds;
	uint64_t keep;
	unsigned put_flags;
	const char *store;
	char acks[4096]; /* folder of the writers' acknowledgement logs */
};

static struct shared *sh;

static void violation(const char *fmt, ...)
{
	va_list ap;
	char msg[512];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "# VIOLATION (pid %ld): %s\n", (long)getpid(), msg);
	__atomic_add_fetch(&sh->violations, 1, __ATOMIC_SEQ_CST);
}

static void count(uint64_t *c)
{
	__atomic_add_fetch(c, 1, __ATOMIC_RELAXED);
}

static void snapshot_max(char out[STATUSDIR_ID_SIZE])
{
	pthread_mutex_lock(&sh->lock);
	memcpy(out, sh->max_acked, STATUSDIR_ID_SIZE);
	pthread_mutex_unlock(&sh->lock);
}

static bool stopping(void)
{
	return __atomic_load_n(&sh->stop, __ATOMIC_SEQ_CST);
}

static size_t random_len(unsigned *seed)
{
	unsigned r = (unsigned)rand_r(seed);
	if (r % 50 == 0)
		return 70000 + r % 100000; /* the streaming path of get */
	return r % 4096;
}

static int writer(const struct options *o, unsigned w)
{
	char path[4200], before[STATUSDIR_ID_SIZE], id[STATUSDIR_ID_SIZE];
	char *buf = malloc(BUF_CAP);
	unsigned seed = (unsigned)getpid();
	statusdir *sd;
	snprintf(path, sizeof(path), "%s/w%u", o->acks, w);
	int log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (!buf || log < 0 || statusdir_open(o->store, 0, NULL, &sd) < 0) {
		violation("writer %u cannot start", w);
		return 1;
	}
	for (uint64_t seq = 0; !stopping(); seq++) {
		size_t n = payload_make(buf, BUF_CAP, w, seq, random_len(&seed));
		snapshot_max(before);
		int r = statusdir_put(sd, buf, n, o->put_flags, id);
		if (r < 0) {
			violation("put: %s", statusdir_strerror(r));
			continue;
		}
		/* logged first: after a SIGKILL here the id counts as acked */
		char line[STATUSDIR_ID_SIZE + 1];
		int len = snprintf(line, sizeof(line), "%s\n", id);
		if (write(log, line, (size_t)len) != len)
			violation("cannot log an acknowledged id");
		if (strcmp(id, before) <= 0)
			violation("put returned %s, not greater than %s acknowledged before it began", id, before);
		pthread_mutex_lock(&sh->lock);
		if (strcmp(id, sh->max_acked) > 0)
			memcpy(sh->max_acked, id, STATUSDIR_ID_SIZE);
		sh->first_ack = 1;
		pthread_mutex_unlock(&sh->lock);
		count(&sh->puts);
	}
	statusdir_close(sd);
	free(buf);
	close(log);
	return 0;
}

static void check_read(const char *what, const char *buf, size_t len)
{
	unsigned w;
	uint64_t seq;
	const char *why;
	if (payload_check(buf, len, &w, &seq, &why) < 0)
		violation("%s returned a bad payload (%zu bytes): %s", what, len, why);
}

static int reader(const struct options *o)
{
	char before[STATUSDIR_ID_SIZE], found[STATUSDIR_ID_SIZE];
	char *buf = malloc(BUF_CAP);
	statusdir *sd;
	if (!buf || statusdir_open(o->store, STATUSDIR_READONLY, NULL, &sd) < 0) {
		violation("reader cannot start");
		return 1;
	}
	for (unsigned i = 0; !stopping(); i++) {
		size_t len;
		int acked = __atomic_load_n(&sh->first_ack, __ATOMIC_SEQ_CST);
		snapshot_max(before);
		int r = statusdir_get(sd, NULL, buf, BUF_CAP, &len, found);
		count(&sh->gets);
		if (r == -ENOENT && acked) {
			struct statusdir_version *v;
			size_t nv = 0, head = 0;
			if (statusdir_list(sd, &v, &nv) == 0) {
				for (size_t k = 0; k < nv; k++)
					head += (size_t)v[k].in_head;
				statusdir_list_free(v);
			}
			violation("get found the store empty after a put was acknowledged"
			          " (%zu versions listed right after, %zu in cur/; greatest acked %s)",
			          nv, head, before);
		}
		else if (r < 0 && r != -ENOENT)
			violation("get: %s", statusdir_strerror(r));
		else if (r == 0) {
			check_read("get", buf, len);
			if (strcmp(found, before) < 0)
				violation("get returned %s, older than %s acknowledged before it began", found, before);
		}
		if (i % 4 == 0 && before[0]) { /* by id: may have been pruned meanwhile */
			r = statusdir_get(sd, before, buf, BUF_CAP, &len, NULL);
			count(&sh->gets_by_id);
			if (r == 0)
				check_read("get by id", buf, len);
			else if (r != -ENOENT)
				violation("get %s: %s", before, statusdir_strerror(r));
		}
	}
	statusdir_close(sd);
	free(buf);
	return 0;
}

static int cleaner(const struct options *o)
{
	statusdir *sd;
	struct statusdir_prune_policy p;
	if (statusdir_open(o->store, 0, NULL, &sd) < 0) {
		violation("cleaner cannot start");
		return 1;
	}
	statusdir_prune_policy_init(&p);
	p.keep = o->keep;
	for (unsigned i = 0; !stopping(); i++) {
		int r = statusdir_prune(sd, &p, NULL);
		count(&sh->prunes);
		if (r < 0)
			violation("prune: %s", statusdir_strerror(r));
		if (i % 8 == 0) {
			r = statusdir_verify(sd, NULL, NULL, NULL);
			count(&sh->verifies);
			if (r < 0)
				violation("verify: %s", statusdir_strerror(r));
		}
		usleep(1000);
	}
	statusdir_close(sd);
	return 0;
}

static pid_t spawn(int (*fn)(const struct options *, unsigned), const struct options *o,
                   unsigned arg)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(fn(o, arg));
	return pid;
}

static int run_reader(const struct options *o, unsigned arg)
{
	(void)arg;
	return reader(o);
}

static int run_cleaner(const struct options *o, unsigned arg)
{
	(void)arg;
	return cleaner(o);
}

static int cmp_desc(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* Every acknowledged id, from the writers' logs, greatest first. */
static char **read_acks(const struct options *o, size_t *n)
{
	size_t cap = 1024;
	char **ids = malloc(cap * sizeof(*ids));
	*n = 0;
	for (int w = 0; w < o->writers; w++) {
		char path[4200], line[256];
		snprintf(path, sizeof(path), "%s/w%d", o->acks, w);
		FILE *f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			if (statusdir_id_parse(line, NULL) != 0)
				continue; /* a line torn by SIGKILL was never acknowledged */
			if (*n == cap)
				ids = realloc(ids, (cap *= 2) * sizeof(*ids));
			ids[(*n)++] = strdup(line);
		}
		if (f)
			fclose(f);
	}
	qsort(ids, *n, sizeof(*ids), cmp_desc);
	return ids;
}

/* bsearch in the acks (greatest first) for a listed version's id */
static int cmp_id_desc(const void *key, const void *elem)
{
	const struct statusdir_version *v = key;
	return strcmp(*(char *const *)elem, v->id);
}

static bool listed(const struct statusdir_version *v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].id, id) == 0)
			return true;
	return false;
}

static size_t count_tmp(const char *store)
{
	char path[4200];
	size_t n = 0;
	snprintf(path, sizeof(path), "%s/tmp", store);
	DIR *d = opendir(path);
	for (struct dirent *de; d && (de = readdir(d));)
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* The checks after writers and cleaners have stopped (or were killed). */
static void final_checks(const struct options *o)
{
	statusdir *sd;
	struct statusdir_version *v;
	struct statusdir_prune_policy p;
	char *buf = malloc(BUF_CAP), found[STATUSDIR_ID_SIZE];
	size_t n, nacks, len;
	if (statusdir_open(o->store, 0, NULL, &sd) < 0 || !buf) {
		violation("cannot open the store for the final checks");
		return;
	}
	int r = statusdir_verify(sd, NULL, NULL, NULL);
	if (r < 0)
		violation("final verify: %s", statusdir_strerror(r));
	statusdir_prune_policy_init(&p); /* sweeps the tmp/ files of dead writers */
	if ((r = statusdir_prune(sd, &p, NULL)) < 0)
		violation("final prune: %s", statusdir_strerror(r));
	if (count_tmp(o->store) != 0)
		violation("%zu files left in tmp/ after the final prune", count_tmp(o->store));
	char **acks = read_acks(o, &nacks);
	if (statusdir_list(sd, &v, &n) < 0)
		violation("final list failed");
	/* A version is removed only when keep greater ones exist; those are
	 * still listed, or were acknowledged (a put killed after its commit
	 * but before its acknowledgement is listed, or removed by the same
	 * rule).  So a missing acknowledged id needs keep greater ids among
	 * the listed and the acknowledged ones. */
	for (size_t i = 0; i < nacks; i++) {
		if (listed(v, n, acks[i]))
			continue;
		uint64_t greater = i;
		for (size_t j = 0; j < n; j++)
			if (strcmp(v[j].id, acks[i]) > 0 && !bsearch(&v[j], acks, i, sizeof(*acks), cmp_id_desc))
				greater++;
		if (greater < o->keep)
			violation("acknowledged %s is gone, but only %" PRIu64 " greater versions exist", acks[i], greater);
	}
	/* the newest may be a put killed between its commit and its log line */
	r = statusdir_get(sd, NULL, buf, BUF_CAP, &len, found);
	if (nacks && (r < 0 || strcmp(found, acks[0]) < 0))
		violation("the newest is %s, older than the greatest acknowledged %s",
		          r < 0 ? "missing" : found, acks[0]);
	if (r == 0)
		check_read("final get", buf, len);
	statusdir_list_free(v);
	for (size_t i = 0; i < nacks; i++)
		free(acks[i]);
	free(acks);
	free(buf);
	statusdir_close(sd);
}

static pid_t pids[MAX_PROCS];
static int npids;

static void start_all(const struct options *o, bool with_readers)
{
	npids = 0;
	sh->stop = 0;
	for (int i = 0; i < o->writers; i++)
		pids[npids++] = spawn((int (*)(const struct options *, unsigned))writer, o, (unsigned)i);
	for (int i = 0; with_readers && i < o->readers; i++)
		pids[npids++] = spawn(run_reader, o, 0);
	for (int i = 0; i < o->cleaners; i++)
		pids[npids++] = spawn(run_cleaner, o, 0);
}

static void wait_all(void)
{
	for (int i = 0; i < npids; i++) {
		int status;
		waitpid(pids[i], &status, 0);
		if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
			violation("a worker exited with status %d", WEXITSTATUS(status));
	}
}

static void crash_rounds(const struct options *o)
{
	unsigned seed = (unsigned)time(NULL);
	for (int round = 0; round < o->crash_rounds; round++) {
		start_all(o, false);
		usleep(5000 + (unsigned)rand_r(&seed) % 60000);
		for (int i = 0; i < npids; i++)
			kill(pids[i], SIGKILL);
		for (int i = 0; i < npids; i++)
			waitpid(pids[i], NULL, 0);
		final_checks(o);
	}
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = { { "crash", required_argument, NULL, 'C' },
		                                  { NULL, 0, NULL, 0 } };
	*o = (struct options){ .writers = 4, .readers = 3, .cleaners = 2, .seconds = 3, .keep = 20 };
	for (int c; (c = getopt_long(argc, argv, "w:r:c:d:k:S", longopts, NULL)) != -1;) {
		switch (c) {
		case 'w': o->writers = atoi(optarg); break;
		case 'r': o->readers = atoi(optarg); break;
		case 'c': o->cleaners = atoi(optarg); break;
		case 'd': o->seconds = atoi(optarg); break;
		case 'k': o->keep = strtoull(optarg, NULL, 10); break;
		case 'S': o->put_flags = STATUSDIR_NOSYNC; break;
		case 'C': o->crash_rounds = atoi(optarg); break;
		default: return -1;
		}
	}
	if (optind != argc - 1 || o->keep == 0 ||
	    o->writers + o->readers + o->cleaners > MAX_PROCS)
		return -1;
	o->store = argv[optind];
	snprintf(o->acks, sizeof(o->acks), "%s.acks", o->store);
	return 0;
}

int main(int argc, char **argv)
{
	struct options o;
	statusdir *sd;
	pthread_mutexattr_t ma;
	if (parse_options(argc, argv, &o) < 0) {
		fprintf(stderr, "usage: torture [-w W] [-r R] [-c C] [-d SECONDS] [-k KEEP] [-S] [--crash ROUNDS] STORE\n");
		return 2;
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || mkdir(o.acks, 0755) != 0 ||
	    statusdir_open(o.store, STATUSDIR_CREATE, NULL, &sd) < 0) {
		perror("torture: setting up");
		return 2;
	}
	statusdir_close(sd);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutex_init(&sh->lock, &ma);
	if (o.crash_rounds) {
		crash_rounds(&o);
	} else {
		start_all(&o, true);
		sleep((unsigned)o.seconds);
		__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);
		wait_all();
		final_checks(&o);
	}
	printf("# torture: %" PRIu64 " puts, %" PRIu64 " gets, %" PRIu64 " gets by id, %" PRIu64
	       " prunes, %" PRIu64 " verifies, %s%d rounds, %" PRIu64 " violations\n",
	       sh->puts, sh->gets, sh->gets_by_id, sh->prunes, sh->verifies,
	       o.crash_rounds ? "crash " : "", o.crash_rounds ? o.crash_rounds : 1, sh->violations);
	return sh->violations ? 1 : 0;
}
