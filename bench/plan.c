/* SPDX-License-Identifier: MIT */
/* plan.c - which cases a run measures, getting them ready, and one round
 * over all of them.
 *
 * Cases that are compared with each other (a floor and what is measured
 * against it) form a group.  In a round, the cases of a group take turns,
 * a few operations each, starting with a different case each turn: the disk
 * and cache state that one leaves behind (writeback, discards) falls on all
 * of them alike instead of on whichever runs first. */
#include "config.h"

#include "bench.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A case stops a round early once over budget, but not below this. */
#define MIN_OPS 3
/* The history whose floor listing is worth timing: at 10^5 one listing of
 * cur/ already takes tens of ms. */
#define FLOOR_HISTORY_MAX 100000
/* Puts are timed against histories up to this: a second store of 10^6
 * versions, besides the one gets read, is not worth its build time. */
#define PUT_HISTORY_MAX 100000

static int add(struct plan *p, const struct options *o, const char *section,
               const struct backend *be, enum op op, size_t payload,
               uint64_t history, int ref, int data_of)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->c = xrealloc(p->c, p->cap * sizeof(*p->c));
	}
	/* gets are cheap, processes dear; a big payload costs more in-process
	 * only (a process spends its time starting) */
	unsigned ops = op == OP_GET ? 5 * o->iters : o->iters;
	if (be->process)
		ops = o->iters / 4;
	else if (payload >= MIB)
		ops /= 10;
	p->c[p->n] = (struct bench_case){
		.section = section, .be = be, .op = op, .payload = payload,
		.history = history, .ref = ref, .data_of = data_of,
		.ops = ops > MIN_OPS ? ops : MIN_OPS, .group = p->group,
	};
	return (int)p->n++;
}

static void add_puts(struct plan *p, const struct options *o, size_t len)
{
	p->group++;
	int f = add(p, o, "put", &be_floor, OP_PUT, len, 0, -1, -1);
	int fn = add(p, o, "put", &be_floor_nosync, OP_PUT, len, 0, -1, -1);
	add(p, o, "put", &be_statusdir, OP_PUT, len, 0, f, -1);
	add(p, o, "put", &be_statusdir_nosync, OP_PUT, len, 0, fn, -1);
	add(p, o, "put", &be_statusdir_one_flush, OP_PUT, len, 0, f, -1);
	int sd2 = add(p, o, "put", &be_statusdir2, OP_PUT, len, 0, f, -1);
	add(p, o, "put", &be_statusdir2_nosync, OP_PUT, len, 0, fn, -1);
	add(p, o, "put", &be_statusdir2_one_flush, OP_PUT, len, 0, f, -1);
	add(p, o, "put", &be_statusdir2_cas, OP_PUT, len, 0, sd2, -1);
	add(p, o, "put", &be_floor_head, OP_PUT, len, 0, f, -1);
	add(p, o, "put", &be_floor_move, OP_PUT, len, 0, f, -1);
	add(p, o, "put", &be_glib, OP_PUT, len, 0, f, -1);
	add(p, o, "put", &be_sqlite_full, OP_PUT, len, 0, f, -1);
	add(p, o, "put", &be_sqlite_normal, OP_PUT, len, 0, f, -1);
	add(p, o, "put", &be_lmdb, OP_PUT, len, 0, f, -1);
}

static void add_process_puts(struct plan *p, const struct options *o, size_t len)
{
	p->group++;
	int f = add(p, o, "put-process", &be_proc_floor, OP_PUT, len, 0, -1, -1);
	add(p, o, "put-process", &be_proc_cli, OP_PUT, len, 0, f, -1);
	add(p, o, "put-process", &be_proc_cli2, OP_PUT, len, 0, f, -1);
}

/* Newest-gets from stores holding history versions, in-process and as
 * processes that read the same stores; `statusdir log -n 1` of those
 * stores too, when the history is measured. */
static void add_gets(struct plan *p, const struct options *o, const char *section,
                     const char *proc_section, size_t len, uint64_t history)
{
	p->group++;
	int plain = add(p, o, section, &be_plain, OP_GET, len, history, -1, -1);
	int sd = add(p, o, section, &be_statusdir, OP_GET, len, history, plain, -1);
	int sd2 = add(p, o, section, &be_statusdir2, OP_GET, len, history, plain, -1);
	int fl = -1;
	if (history <= FLOOR_HISTORY_MAX)
		fl = add(p, o, section, &be_floor, OP_GET, len, history, plain, -1);
	add(p, o, section, &be_sqlite_full, OP_GET, len, history, plain, -1);
	add(p, o, section, &be_lmdb, OP_GET, len, history, plain, -1);
	p->group++;
	int cat = add(p, o, proc_section, &be_proc_cat, OP_GET, len, history, -1, plain);
	add(p, o, proc_section, &be_proc_cli, OP_GET, len, history, cat, sd);
	if (fl >= 0)
		add(p, o, proc_section, &be_proc_floor, OP_GET, len, history, cat, fl);
	if (strcmp(section, "history-get") == 0) {
		add(p, o, proc_section, &be_proc_log, OP_GET, len, history, cat, sd);
		add(p, o, proc_section, &be_proc_log2, OP_GET, len, history, cat, sd2);
	}
}

static void add_history_puts(struct plan *p, const struct options *o)
{
	p->group++;
	int f = add(p, o, "history-put", &be_floor, OP_PUT, 100, 0, -1, -1);
	for (size_t i = 0; i < o->n_histories; i++)
		if (o->histories[i] <= PUT_HISTORY_MAX) {
			add(p, o, "history-put", &be_statusdir, OP_PUT, 100,
			    o->histories[i], f, -1);
			add(p, o, "history-put", &be_statusdir2, OP_PUT, 100,
			    o->histories[i], f, -1);
		}
}

/* keep = 100: both start with 100 versions (or after o->aged puts). */
static void add_retention(struct plan *p, const struct options *o)
{
	static const size_t lens[] = { 100, 4 * KIB };
	for (size_t i = 0; i < 2; i++) {
		p->group++;
		int f = add(p, o, "retention", &be_floor_keep, OP_PUT, lens[i], KEEP_VERSIONS, -1, -1);
		add(p, o, "retention", &be_statusdir_keep, OP_PUT, lens[i], KEEP_VERSIONS, f, -1);
		add(p, o, "retention", &be_statusdir2_keep, OP_PUT, lens[i], KEEP_VERSIONS, f, -1);
	}
	if (o->aged) {
		p->group++;
		int f = add(p, o, "retention", &be_floor_keep, OP_PUT, 4 * KIB, o->aged, -1, -1);
		int aged = add(p, o, "retention", &be_statusdir_keep, OP_PUT, 4 * KIB, o->aged, f, -1);
		/* is the newest still as quick to find after that many puts and
		 * deletes?  Against a get from a store of one version */
		p->group++;
		int one = add(p, o, "retention-get", &be_statusdir, OP_GET, 4 * KIB, 1, -1, -1);
		add(p, o, "retention-get", &be_statusdir_keep, OP_GET, 4 * KIB, o->aged, one, aged);
	}
}

void plan_build(struct plan *p, const struct options *o)
{
	memset(p, 0, sizeof(*p));
	for (size_t i = 0; (o->sections & SEC_PUT) && i < o->n_payloads; i++)
		add_puts(p, o, o->payloads[i]);
	for (size_t i = 0; (o->sections & SEC_PUT) && i < o->n_payloads; i++)
		add_process_puts(p, o, o->payloads[i]);
	for (size_t i = 0; (o->sections & SEC_GET) && i < o->n_payloads; i++)
		add_gets(p, o, "get", "get-process", o->payloads[i], 1);
	for (size_t i = 0; (o->sections & SEC_HISTORY) && i < o->n_histories; i++)
		add_gets(p, o, "history-get", "history-get-process", 100, o->histories[i]);
	if (o->sections & SEC_HISTORY)
		add_history_puts(p, o);
	if (o->sections & SEC_RETENTION)
		add_retention(p, o);
}

/* ---- payloads ---- */

static struct payload {
	size_t len;
	void *buf;
	char *file;
} payloads[16];

static struct payload *payload_of(size_t len)
{
	for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		struct payload *pl = &payloads[i];
		if (!pl->buf) {
			pl->len = len;
			pl->buf = xmalloc(len);
			fill_payload(pl->buf, len);
		}
		if (pl->len == len)
			return pl;
	}
	die("too many payload sizes");
}

const void *payload_bytes(size_t len)
{
	return payload_of(len)->buf;
}

const char *payload_file(const char *root, size_t len)
{
	struct payload *pl = payload_of(len);
	if (!pl->file) {
		char *dir = xasprintf("%s/in", root);
		pl->file = xasprintf("%s/payload-%zu", dir, len);
		int r = make_dir(dir);
		if (r == 0)
			r = write_file(pl->file, pl->buf, len);
		if (r < 0)
			die("%s: %s", pl->file, strerror(-r));
		free(dir);
	}
	return pl->file;
}

/* ---- preparing ---- */

static const char *label_of(const struct bench_case *c)
{
	return c->op == OP_PUT ? c->be->put_label : c->be->get_label;
}

static void fill(struct bench_case *c)
{
	int64_t t0 = now_ns();
	if (c->history >= 10000)
		note("putting %" PRIu64 " versions into %s ...", c->history, c->dir);
	int r = c->be->fill(c->st, c->history);
	if (r < 0)
		die("%s: filling: %s", c->dir, strerror(-r));
	if (c->history >= 10000)
		note("... %.1f s", (double)(now_ns() - t0) / 1e9);
}

static void prepare(struct plan *p, struct bench_case *c, const struct options *o,
                    const char *root)
{
	const struct bench_case *data = c->data_of >= 0 ? &p->c[c->data_of] : c;
	c->dir = xasprintf("%s/%s-%s-%zu-%" PRIu64, root, c->section, c->be->key,
	                   c->payload, c->history);
	if (data->skip) {
		c->skip = data->skip;
		return;
	}
	struct bench_ctx ctx = {
		.op = c->op, .dir = c->dir, .data_dir = data->dir,
		.payload = payload_bytes(c->payload), .len = c->payload,
		.in_file = payload_file(root, c->payload), .tools = &o->tools,
	};
	int r = c->be->open(&c->st, &ctx, c->be->variant);
	if (r == -ENOTSUP) {
		c->skip = "its library was not found by configure";
		return;
	}
	if (r < 0)
		die("%s: %s", c->dir, strerror(-r));
	if (c->history > 0 && c->data_of < 0 && c->be->fill)
		fill(c);
}

void plan_prepare(struct plan *p, const struct options *o, const char *root)
{
	for (size_t i = 0; i < p->n; i++)
		prepare(p, &p->c[i], o, root);
	settle(root);
}

/* ---- measuring ---- */

static void run_one(struct bench_case *c)
{
	size_t len = 0;
	int64_t t0 = now_ns();
	int r = c->op == OP_PUT ? c->be->put(c->st) : c->be->get(c->st, &len);
	int64_t t1 = now_ns();
	if (r < 0)
		die("%s: %s: %s", c->section, label_of(c), strerror(-r));
	if (c->op == OP_GET && len != c->payload)
		die("%s: %s: read %zu bytes, not %zu", c->section, label_of(c), len,
		    c->payload);
	samples_add(&c->s, t1 - t0);
	c->spent += t1 - t0;
	c->done++;
}

/* Its share of a turn: ops/turns operations, fewer once over budget. */
static void take_turn(struct bench_case *c, const struct options *o)
{
	int64_t budget = (int64_t)(o->budget_s * 1e9);
	unsigned share = (c->ops + o->turns - 1) / o->turns;
	for (unsigned i = 0; i < share && c->done < c->ops; i++) {
		if (c->spent > budget && c->done >= MIN_OPS)
			break;
		run_one(c);
	}
}

static void run_group(struct bench_case *g, size_t n, const struct options *o)
{
	for (size_t i = 0; i < n; i++) {
		g[i].done = 0;
		g[i].spent = 0;
	}
	for (unsigned turn = 0; turn < o->turns; turn++)
		for (size_t i = 0; i < n; i++) {
			struct bench_case *c = &g[(turn + i) % n];
			if (!c->skip)
				take_turn(c, o);
		}
}

void plan_round(struct plan *p, const struct options *o)
{
	for (size_t i = 0, j; i < p->n; i = j) {
		for (j = i; j < p->n && p->c[j].group == p->c[i].group; j++)
			;
		run_group(&p->c[i], j - i, o);
	}
}

void plan_close(struct plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		struct bench_case *c = &p->c[i];
		if (c->st && c->be->close)
			c->be->close(c->st);
		samples_free(&c->s);
		free(c->dir);
	}
	free(p->c);
	memset(p, 0, sizeof(*p));
}

/* ---- results ---- */

void rows_from_plan(struct rows *r, struct plan *p)
{
	size_t base = r->n;
	for (size_t i = 0; i < p->n; i++) {
		struct bench_case *c = &p->c[i];
		struct row row = {
			.section = c->section, .key = c->be->key, .label = label_of(c),
			.payload = c->payload, .history = c->history, .n = c->s.n,
			.unit = "us", .ref = c->ref >= 0 ? (int)base + c->ref : -1,
			.skip = c->skip,
			.median = (double)samples_quantile(&c->s, 0.5) / 1e3,
			.p99 = (double)samples_quantile(&c->s, 0.99) / 1e3,
		};
		rows_add(r, &row);
	}
}
