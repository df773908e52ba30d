/* SPDX-License-Identifier: MIT */
/* bench.h - what the benchmark's files share.
 *
 * The benchmark measures cases.  A case is one operation (a put or a
 * newest-get) of one backend (statusdir, the raw protocol floor, GLib,
 * SQLite, LMDB, or a whole process) at one payload size and history size.
 * Every round runs every case in turn, so slow drifts of the machine touch
 * all of them alike; medians and p99 are taken over all rounds. */
#ifndef BENCH_H
#define BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KIB ((size_t)1024)
#define MIB (1024 * KIB)

/* ---- util.c ------------------------------------------------------------- */
int64_t now_ns(void); /* CLOCK_MONOTONIC */
__attribute__((noreturn, format(printf, 1, 2))) void die(const char *fmt, ...);
__attribute__((format(printf, 1, 2))) void note(const char *fmt, ...); /* stderr */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
__attribute__((format(printf, 1, 2))) char *xasprintf(const char *fmt, ...);
void fill_payload(void *buf, size_t len); /* incompressible, same every run */
/* len bytes from a pipe, or dies saying that who died. */
void read_exactly(int fd, void *buf, size_t len, const char *who);
int write_file(const char *path, const void *buf, size_t len);
int make_dir(const char *path); /* 0 if made or already there, or -errno */
int remove_tree(const char *path);
void settle(const char *dir); /* syncfs: write back what earlier steps left */
const char *size_text(uint64_t bytes, char *buf, size_t cap); /* "4 KiB" */

/* ---- stats.c: latencies (ns) or rates, quantiles by nearest rank ------- */
struct samples {
	int64_t *v;
	size_t n, cap;
};
void samples_add(struct samples *s, int64_t x);
int64_t samples_quantile(struct samples *s, double q); /* sorts s; 0 if empty */
void samples_free(struct samples *s);

/* ---- backends ----------------------------------------------------------- */
/* Paths of the programs that process cases run. */
struct tools {
	const char *cli;       /* cli/statusdir */
	const char *floor_cmd; /* bench/bench-floor */
};

enum op { OP_PUT, OP_GET };

/* What a backend is opened with.  dir does not exist yet (or, for a
 * writer process, was made by an earlier open); data_dir is dir, or for a
 * process that reads, the directory of the case whose data it reads. */
struct bench_ctx {
	enum op op;            /* what the case measures */
	const char *dir;
	const char *data_dir;
	const void *payload;
	size_t len;
	const char *in_file;   /* a file holding the payload, for processes */
	const struct tools *tools;
};

/* Directory layouts, shared by the backends that read each other's data:
 *   statusdir  dir is the store
 *   floor      dir/tmp, dir/cur (versions named so the greatest is newest)
 *   plain      dir/file */
struct backend {
	const char *key;       /* short, for the CSV and the plots */
	const char *put_label; /* NULL: cannot put */
	const char *get_label; /* NULL: cannot get */
	int variant;           /* passed to open */
	bool process;          /* each operation is a whole process */
	int (*open)(void **st, const struct bench_ctx *c, int variant);
	/* Adds n versions fast (no fsync), as a history to measure against. */
	int (*fill)(void *st, uint64_t n);
	int (*put)(void *st);               /* one put of the payload */
	int (*get)(void *st, size_t *len);  /* the newest, its size in *len */
	void (*close)(void *st);
	const char *(*version)(void); /* of the library compared, if any */
};
/* open returns -ENOTSUP when the backend was not built in: the cases that
 * use it are skipped.  Other failures are -errno (or -EIO, with a message
 * printed). */

extern const struct backend be_floor, be_floor_nosync, be_floor_keep;
extern const struct backend be_plain;
extern const struct backend be_floor_head;
extern const struct backend be_floor_move;
extern const struct backend be_statusdir, be_statusdir_nosync, be_statusdir_keep,
	be_statusdir_one_flush;
extern const struct backend be_statusdir2, be_statusdir2_nosync, be_statusdir2_keep,
	be_statusdir2_one_flush, be_statusdir2_cas;
extern const struct backend be_glib;
extern const struct backend be_sqlite_full, be_sqlite_normal;
extern const struct backend be_lmdb;
extern const struct backend be_proc_cli, be_proc_cli2, be_proc_log,
	be_proc_log2, be_proc_floor, be_proc_cat;

/* The retention that the keep backends apply. */
#define KEEP_VERSIONS 100

/* ---- spawn.c: whole processes ------------------------------------------ */
struct spawn_result {
	int64_t elapsed_ns;
	long maxrss_kib;    /* peak RSS of the child (ru_maxrss) */
	uint64_t out_bytes; /* with drain_stdout: bytes it wrote to stdout */
};
/* Runs argv (argv[0] looked up in PATH) with stdin and stdout on /dev/null,
 * or stdout into a pipe read here when drain_stdout is set, and waits for it.
 * res may be NULL.  0 if it exited 0, else -1 (a message is printed). */
int spawn_run(char *const argv[], bool drain_stdout, struct spawn_result *res);

/* ---- options (bench.c) -------------------------------------------------- */
enum section_bit {
	SEC_PUT = 1 << 0,
	SEC_GET = 1 << 1,
	SEC_HISTORY = 1 << 2,
	SEC_RETENTION = 1 << 3,
	SEC_WRITERS = 1 << 4,
	SEC_RSS = 1 << 5,
	SEC_UPDATE = 1 << 6,
};

struct options {
	const char *dir;       /* the run's data goes into a new folder here */
	unsigned rounds;
	unsigned iters;        /* puts per case per round; gets do 5x this */
	unsigned turns;        /* a round's operations come in this many turns */
	double budget_s;       /* at most this long per case per round */
	double writers_s;      /* length of one concurrent-writers run */
	double update_s;       /* length of one read-modify-write run */
	size_t payloads[8];
	size_t n_payloads;
	uint64_t histories[8];
	size_t n_histories;
	uint64_t aged;         /* retention: also measure after this many puts */
	uint64_t rss_size;     /* payload of the peak RSS run; 0: skip */
	unsigned sections;     /* SEC_* */
	const char *csv;
	const char *plot_dir;  /* NULL: no plots */
	const char *plot_script;
	bool keep;             /* keep the data folder */
	struct tools tools;
};

/* ---- plan.c: the cases of a run, and running them ---------------------- */
struct bench_case {
	const char *section;
	const struct backend *be;
	enum op op;
	size_t payload;
	uint64_t history;  /* versions put before measuring; 0: a new store */
	int ref;           /* case this one is compared to; -1: none */
	int data_of;       /* case whose data a reader reads; -1: its own */
	unsigned ops;      /* per round */
	int group;         /* cases compared with each other take turns */
	unsigned done;     /* operations this round */
	int64_t spent;     /* ns spent this round */
	char *dir;
	void *st;
	const char *skip;  /* why it was not measured, or NULL */
	struct samples s;  /* ns per operation */
};

struct plan {
	struct bench_case *c;
	size_t n, cap;
	int group;
};

void plan_build(struct plan *p, const struct options *o);
void plan_prepare(struct plan *p, const struct options *o, const char *root);
void plan_round(struct plan *p, const struct options *o);
void plan_close(struct plan *p);
/* The payload of len bytes, and a file in root/in/ that holds it. */
const void *payload_bytes(size_t len);
const char *payload_file(const char *root, size_t len);

/* ---- results, as reported ---------------------------------------------- */
struct row {
	const char *section;
	const char *key;
	const char *label;
	uint64_t payload;
	uint64_t history;
	unsigned writers;      /* writers and update: processes */
	size_t n;
	const char *unit;   /* "us", "puts/s", "KiB", "ms" */
	double median;
	double p99;         /* puts/s: the worst round */
	int ref;            /* row index, -1: none */
	const char *skip;
	double attempts;    /* update: attempts per success; 0: not counted */
	double wasted;      /* update: conflicts per success; < 0: none possible */
	uint64_t gave_up;   /* update: updates that ran out of retries */
};

struct rows {
	struct row *v;
	size_t n, cap;
};

int rows_add(struct rows *r, const struct row *row);
void rows_from_plan(struct rows *r, struct plan *p);
/* The row of that section, key, payload, history and writers, or NULL. */
const struct row *rows_find(const struct rows *r, const char *section,
                            const char *key, uint64_t payload,
                            uint64_t history, unsigned writers);

/* ---- writers.c: concurrent writer processes ----------------------------- */
struct writers;
struct machine;
struct writers *writers_new(const struct machine *m);
void writers_round(struct writers *w, const struct options *o, const char *root,
                   unsigned round);
void writers_rows(struct writers *w, struct rows *r);
void writers_free(struct writers *w);

/* ---- counter.c: ways for processes to add one to a shared counter ------ */
enum counter_way_id { CW_FLOCK, CW_STATUSDIR, CW_SQLITE, CW_FLOCK_CMD, CW_CLI,
                      N_COUNTER_WAYS };
struct counter_way {
	const char *key;
	const char *label;
	bool process;  /* each update is a whole process */
	int ref;       /* the way it is compared to; -1: none */
};
extern const struct counter_way counter_ways[N_COUNTER_WAYS];
struct counter;
/* A new counter at 0 in dir (which does not exist yet); -ENOTSUP when the
 * way was not built in. */
int counter_setup(enum counter_way_id way, const char *dir);
/* One process's handle on it. */
int counter_open(enum counter_way_id way, const char *dir, const struct tools *tools,
                 struct counter **c);
/* One update: 1 when committed, 0 when it gave up having committed nothing
 * (statusdir update out of retries), or -errno. */
int counter_add_one(struct counter *c);
uint64_t counter_attempts(struct counter *c); /* tries so far, committed or not */
void counter_close(struct counter *c);
int counter_value(enum counter_way_id way, const char *dir, int64_t *value);

/* ---- update.c: read-modify-write of one counter by concurrent processes */
struct updates;
struct updates *updates_new(const struct machine *m);
void updates_round(struct updates *u, const struct options *o, const char *root,
                   unsigned round);
void updates_rows(struct updates *u, struct rows *r);
void updates_free(struct updates *u);

/* ---- rss.c: a big put and get through the CLI --------------------------- */
void rss_run(const struct options *o, const char *root, struct rows *r);

/* ---- machine.c ------------------------------------------------------------ */
struct machine {
	bool tmpfs; /* the data folder is on tmpfs */
	bool ext4_no_journal; /* where removing files slows the next creates */
	char fs[64];
};
void machine_print(const char *dir, struct machine *m);
void machine_load(const char *when); /* prints the load average */

/* ---- report.c, targets.c -------------------------------------------------- */
void report_print(const struct rows *r);
int report_csv(const struct rows *r, const char *path);
void report_plots(const struct options *o, const struct rows *r);
void targets_print(const struct rows *r, const struct machine *m);

#endif
