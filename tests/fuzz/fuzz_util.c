/* SPDX-License-Identifier: MIT */
/* fuzz_util.c - directories for the targets that need a store, and tmp/
 * names written from their format. */
#include "internal.h"

#include "fuzz.h"

#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *made[8];
static int nmade;

/* The directories go when the fuzzer exits normally (a crash leaves them
 * for a look). */
static void remove_made(void)
{
	for (int i = 0; i < nmade; i++) {
		fuzz_rm_rf(made[i]);
		free(made[i]);
	}
	nmade = 0;
}

char *fuzz_tmpdir(const char *what)
{
	const char *base = getenv("TMPDIR");
	char *dir = malloc(4096);
	if (!dir)
		abort();
	snprintf(dir, 4096, "%s/statusdir-fuzz-%s.XXXXXX",
	         base && *base ? base : "/tmp", what);
	if (!mkdtemp(dir)) {
		perror(dir);
		abort();
	}
	if (nmade == 0)
		atexit(remove_made);
	if (nmade < 8)
		made[nmade++] = strdup(dir);
	return dir;
}

static int remove_one(const char *path, const struct stat *st, int type,
                      struct FTW *ftw)
{
	(void)st, (void)type, (void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

void fuzz_rm_rf(const char *path)
{
	(void)nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* BOOTID "." PIDNS "." PID "." START "." RANDOM "." HOST, as spec/format.md
 * (section 4) writes it, independently of the library's own writer. */
void fuzz_tmp_name(const struct writer_identity *w, const uint8_t u[16], char *out,
                   size_t cap)
{
	char hex[33];
	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", u[i]);
	snprintf(out, cap, "%s.%" PRIu64 ".%ld.%" PRIu64 ".%s.%s", w->boot_id, w->pid_ns,
	         (long)w->pid, w->start_ticks, hex, w->host);
}
