/* SPDX-License-Identifier: MIT */
/* cmd_prune.c - statusdir prune: silent, or a line per event (-v,
 * --dry-run), or one JSON object that says what it did (--json). */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_KEEP = 1, OPT_MAX_AGE, OPT_TMP_AGE, OPT_DRY_RUN, OPT_VERBOSE, OPT_JSON };

static const struct option_spec prune_opts[] = {
	{ "keep", 0, true, OPT_KEEP },
	{ "max-age", 0, true, OPT_MAX_AGE },
	{ "tmp-age", 0, true, OPT_TMP_AGE },
	{ "dry-run", 0, false, OPT_DRY_RUN },
	{ "verbose", 'v', false, OPT_VERBOSE },
	{ "json", 0, false, OPT_JSON },
	{ NULL, 0, false, 0 },
};

struct prune_args {
	const struct command *cmd;
	struct statusdir_prune_policy policy;
	bool verbose, json;
};

static int on_prune_option(int key, const char *value, void *ctx)
{
	struct prune_args *a = ctx;
	struct statusdir_prune_policy *p = &a->policy;
	switch (key) {
	case OPT_KEEP:
		if (parse_count(value, &p->keep) < 0 || p->keep == 0)
			return -usage_error(a->cmd, "--keep needs a count of at least 1, not '%s'", value);
		return 0;
	case OPT_MAX_AGE:
		if (parse_duration(value, &p->max_age_ns) < 0 || p->max_age_ns == 0)
			return -usage_error(a->cmd, "invalid --max-age '%s' (" DURATION_HINT ")", value);
		return 0;
	case OPT_TMP_AGE:
		if (parse_duration(value, &p->tmp_age_ns) < 0 || p->tmp_age_ns == 0)
			return -usage_error(a->cmd, "invalid --tmp-age '%s' (" DURATION_HINT ")", value);
		return 0;
	case OPT_DRY_RUN:
		p->flags |= STATUSDIR_PRUNE_DRY_RUN;
		return 0;
	case OPT_JSON:
		a->json = true;
		return 0;
	default:
		a->verbose = true;
		return 0;
	}
}

static void print_event(void *arg, const struct statusdir_event *ev)
{
	(void)arg;
	const char *verb = ev->kind == STATUSDIR_EV_MOVED
	                       ? (ev->dry_run ? "would move" : "moved")
	                       : (ev->dry_run ? "would remove" : "removed");
	if (ev->kind == STATUSDIR_EV_MOVED)
		printf("%s %s/%s to old/\n", verb, ev->dir, ev->name);
	else
		printf("%s %s/%s\n", verb, ev->dir, ev->name);
}

/* The files an event names, kept for --json (the event's strings live
 * only during the call). */
struct file_list {
	struct { char *dir, *name; } *v;
	size_t n, cap;
};

struct collected {
	struct file_list removed, moved, tmp;
	int err; /* -ENOMEM once an event could not be kept */
};

static void file_list_add(struct collected *c, struct file_list *l,
                          const struct statusdir_event *ev)
{
	if (c->err)
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		void *v = realloc(l->v, cap * sizeof(*l->v));
		if (!v) {
			c->err = -ENOMEM;
			return;
		}
		l->v = v;
		l->cap = cap;
	}
	char *dir = strdup(ev->dir), *name = strdup(ev->name);
	if (!dir || !name) {
		free(dir);
		free(name);
		c->err = -ENOMEM;
		return;
	}
	l->v[l->n].dir = dir;
	l->v[l->n++].name = name;
}

static void file_list_free(struct file_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].dir);
		free(l->v[i].name);
	}
	free(l->v);
}

static void collect_event(void *arg, const struct statusdir_event *ev)
{
	struct collected *c = arg;
	struct file_list *l = ev->kind == STATUSDIR_EV_REMOVED ? &c->removed
	                      : ev->kind == STATUSDIR_EV_MOVED ? &c->moved
	                      : ev->kind == STATUSDIR_EV_TMP_REMOVED ? &c->tmp
	                                                             : NULL;
	if (l)
		file_list_add(c, l, ev);
}

/* "key":[...]: the names, or {"dir":...,"name":...} objects. */
static void json_files(bool *first, const char *key, const struct file_list *l, bool with_dir)
{
	json_key(stdout, first, key);
	putchar('[');
	for (size_t i = 0; i < l->n; i++) {
		bool inner = true;
		if (i)
			putchar(',');
		if (!with_dir) {
			json_string(stdout, l->v[i].name);
			continue;
		}
		putchar('{');
		json_key(stdout, &inner, "dir");
		json_string(stdout, l->v[i].dir);
		json_key(stdout, &inner, "name");
		json_string(stdout, l->v[i].name);
		putchar('}');
	}
	putchar(']');
}

/* One object; statusdir(1), JSON OUTPUT, lists its keys.  versions is
 * null when no keep or max-age applied: prune then lists cur/ only. */
static void show_json(const struct prune_args *a, const struct collected *c,
                      const struct statusdir_counts *counts)
{
	bool first = true;
	putchar('{');
	json_key(stdout, &first, "dry_run");
	printf("%s", a->policy.flags & STATUSDIR_PRUNE_DRY_RUN ? "true" : "false");
	json_key(stdout, &first, "versions");
	if (a->policy.keep || a->policy.max_age_ns)
		printf("%" PRIu64, counts->versions);
	else
		printf("null");
	json_key(stdout, &first, "removed");
	printf("%zu", c->removed.n);
	json_key(stdout, &first, "moved");
	printf("%zu", c->moved.n);
	json_key(stdout, &first, "tmp_removed");
	printf("%zu", c->tmp.n);
	json_files(&first, "removed_versions", &c->removed, false);
	json_files(&first, "moved_versions", &c->moved, false);
	json_files(&first, "removed_tmp", &c->tmp, true);
	printf("}\n");
}

static int cmd_prune(int argc, char **argv)
{
	struct prune_args a = { .cmd = &command_prune };
	struct collected c = { 0 };
	struct statusdir_counts counts = { 0 };
	char *pos[1];
	statusdir *sd;
	statusdir_prune_policy_init(&a.policy);
	int n = args_parse(a.cmd, argc, argv, prune_opts, on_prune_option, &a, pos, 1, NULL);
	if (n < 0)
		return EXIT_USAGE;
	if (n == 0)
		return usage_error(a.cmd, "no STORE given");
	bool dry = a.policy.flags & STATUSDIR_PRUNE_DRY_RUN;
	if (a.json) {
		a.policy.report = collect_event;
		a.policy.report_arg = &c;
	} else if (dry || a.verbose) {
		a.policy.report = print_event;
	}
	int r = store_open(pos[0], dry ? STATUSDIR_READONLY : 0, &sd);
	if (r)
		return r;
	if (!a.policy.keep && !a.policy.max_age_ns) { /* the store's own policy */
		struct statusdir_config cfg;
		statusdir_config_get(sd, &cfg);
		a.policy.keep = cfg.keep;
		a.policy.max_age_ns = cfg.max_age_ns;
	}
	r = statusdir_prune(sd, &a.policy, &counts);
	statusdir_close(sd);
	if (r < 0)
		error_store(pos[0], "prune failed", r);
	if (a.json && c.err)
		error_store(pos[0], "cannot report what prune did", c.err);
	else if (a.json)
		show_json(&a, &c, &counts); /* also after a failure: what was done */
	file_list_free(&c.removed);
	file_list_free(&c.moved);
	file_list_free(&c.tmp);
	int w = dry || a.verbose || (a.json && !c.err) ? output_done(pos[0]) : EXIT_OK;
	return r < 0 || (a.json && c.err) ? EXIT_FAILED : w;
}

const struct command command_prune = {
	"prune", cmd_prune,
	"statusdir prune STORE [--keep N] [--max-age DURATION] [--tmp-age DURATION]\n"
	"       [--dry-run] [-v|--verbose] [--json]",
	"Remove versions beyond the N newest or older than DURATION (never the\n"
	"newest), and files crashed writers left in tmp/.  --json prints one\n"
	"JSON object saying what was removed and moved (or would be).",
};
