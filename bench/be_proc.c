/* SPDX-License-Identifier: MIT */
/* be_proc.c - whole processes, each timed from spawn to exit: the
 * statusdir CLI (put into a format-1 or a format-2 store, get, log -n 1),
 * the raw floor as a program (bench-floor), and cat.  Output goes to
 * /dev/null.  A reader reads the data of another case (ctx->data_dir); a
 * writer puts the payload file into a store of its own. */
#include "config.h"

#include "bench.h"
#include "floor.h"

#include <errno.h>
#include <statusdir.h>
#include <stdlib.h>

enum { PROC_CLI, PROC_CLI2, PROC_LOG, PROC_FLOOR, PROC_CAT };

struct proc_state {
	char *argv[6];
	char *path; /* the one string of argv this owns */
	size_t len;
};

/* A store, or a floor folder, for a writer process to put into. */
static int make_store(int variant, const char *dir)
{
	statusdir *sd;
	struct floor f;
	bool cli = variant != PROC_FLOOR;
	unsigned format2 = variant == PROC_CLI2 ? STATUSDIR_FORMAT2 : 0;
	int r = cli ? statusdir_open(dir, STATUSDIR_CREATE | format2, NULL, &sd)
	            : floor_open(&f, dir);
	if (r == 0 && cli)
		statusdir_close(sd);
	else if (r == 0)
		floor_close(&f);
	return r;
}

static int proc_open(void **stp, const struct bench_ctx *c, int variant)
{
	bool put = c->op == OP_PUT;
	int r = put ? make_store(variant, c->dir) : 0;
	if (r < 0)
		return r;
	struct proc_state *s = xcalloc(1, sizeof(*s));
	s->len = c->len;
	if (variant == PROC_CAT) { /* cat DIR/file */
		s->argv[0] = "cat";
		s->argv[1] = s->path = xasprintf("%s/file", c->data_dir);
	} else if (variant == PROC_LOG) { /* statusdir log -n 1 STORE */
		s->argv[0] = (char *)c->tools->cli;
		s->argv[1] = "log";
		s->argv[2] = "-n";
		s->argv[3] = "1";
		s->argv[4] = s->path = xasprintf("%s", c->data_dir);
	} else { /* PROG put DIR FILE, or PROG get DIR */
		s->argv[0] = (char *)(variant == PROC_FLOOR ? c->tools->floor_cmd : c->tools->cli);
		s->argv[1] = put ? "put" : "get";
		s->argv[2] = s->path = xasprintf("%s", put ? c->dir : c->data_dir);
		s->argv[3] = put ? (char *)c->in_file : NULL;
	}
	*stp = s;
	return 0;
}

static int proc_put(void *st)
{
	struct proc_state *s = st;
	return spawn_run(s->argv, false, NULL) == 0 ? 0 : -EIO;
}

static int proc_get(void *st, size_t *len)
{
	struct proc_state *s = st;
	*len = s->len; /* its output went to /dev/null; its exit status says */
	return spawn_run(s->argv, false, NULL) == 0 ? 0 : -EIO;
}

static void proc_close(void *st)
{
	struct proc_state *s = st;
	free(s->path);
	free(s);
}

const struct backend be_proc_cli = {
	.key = "cli", .variant = PROC_CLI, .process = true,
	.put_label = "statusdir put STORE FILE (process)",
	.get_label = "statusdir get STORE (process)",
	.open = proc_open, .put = proc_put, .get = proc_get, .close = proc_close,
};
const struct backend be_proc_cli2 = {
	.key = "cli2", .variant = PROC_CLI2, .process = true,
	.put_label = "statusdir put STORE FILE (process), format 2",
	.open = proc_open, .put = proc_put, .close = proc_close,
};
/* the same command; the plan gives each the store of its format */
const struct backend be_proc_log = {
	.key = "cli-log", .variant = PROC_LOG, .process = true,
	.get_label = "statusdir log -n 1 STORE (process)",
	.open = proc_open, .get = proc_get, .close = proc_close,
};
const struct backend be_proc_log2 = {
	.key = "cli2-log", .variant = PROC_LOG, .process = true,
	.get_label = "statusdir log -n 1 STORE (process), format 2",
	.open = proc_open, .get = proc_get, .close = proc_close,
};
const struct backend be_proc_floor = {
	.key = "floor-cmd", .variant = PROC_FLOOR, .process = true,
	.put_label = "bench-floor put DIR FILE (process)",
	.get_label = "bench-floor get DIR (process)",
	.open = proc_open, .put = proc_put, .get = proc_get, .close = proc_close,
};
const struct backend be_proc_cat = {
	.key = "cat", .variant = PROC_CAT, .process = true,
	.get_label = "cat FILE (process)",
	.open = proc_open, .get = proc_get, .close = proc_close,
};
