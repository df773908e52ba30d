/* SPDX-License-Identifier: MIT */
/* fuzz_tmpname.c - names of tmp/ files and whether their writer is gone
 * (spec/format.md, section 4; lib/tmpname.c).
 *
 * statusdir__tmp_writer_gone() on any name must not crash, and may say
 * "gone" only for a name that carries this host and a known boot id (files
 * of other hosts and of unknown writers are judged by age alone, I11).
 * Names made from this process's own identity, with one field changed by
 * the input, must get the answer the format promises: the live writer is
 * never gone; another boot, a pid that does not exist, or the same pid
 * started at another time is gone; another pid namespace or host is not. */
#include "internal.h"

#include "fuzz.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>

static struct writer_identity me;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	statusdir__identity_load(&me);
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static bool is_zero_boot(const char *s)
{
	return strspn(s, "0") >= 32;
}

/* Any name: gone only for this host and a known boot. */
static void check_any(const char *name)
{
	char suffix[HOST_PART_MAX + 2];
	bool gone = statusdir__tmp_writer_gone(&me, name);
	if (!gone)
		return;
	snprintf(suffix, sizeof(suffix), ".%s", me.host);
	FUZZ_CHECK(ends_with(name, suffix), "'%s' of another host called gone", name);
	FUZZ_CHECK(strlen(name) > 33 && name[32] == '.' && !is_zero_boot(name) &&
	           !is_zero_boot(me.boot_id),
	           "'%s' with an unknown boot id called gone", name);
}

static void name_of(struct fuzz_in *in, const struct writer_identity *w, char *out,
                    size_t cap)
{
	uint8_t u[16];
	for (int i = 0; i < 16; i++)
		u[i] = fuzz_u8(in);
	fuzz_tmp_name(w, u, out, cap);
}

/* A pid from the input that names no process (kill(2) says ESRCH). */
static bool dead_pid(struct fuzz_in *in, pid_t *pid)
{
	for (int i = 0; i < 4; i++) {
		pid_t p = (pid_t)(fuzz_u64(in) % INT_MAX) + 1;
		if (kill(p, 0) != 0 && errno == ESRCH) {
			*pid = p;
			return true;
		}
	}
	return false;
}

/* This writer with one field changed: the answer is known. */
static void check_variant(struct fuzz_in *in)
{
	struct writer_identity w = me;
	char name[NAME_MAX + 1];
	bool want;
	uint8_t field = fuzz_u8(in) % 6;
	if (is_zero_boot(me.boot_id) || me.pid_ns == 0 || me.start_ticks == 0)
		return; /* no /proc: every answer is "not gone" and check_any covers it */
	switch (field) {
	case 0: /* this very writer, alive */
		want = false;
		break;
	case 1: /* another boot of this host */
		for (int i = 0; i < 32; i++)
			w.boot_id[i] = "0123456789abcdef"[fuzz_u8(in) & 15];
		want = strcmp(w.boot_id, me.boot_id) != 0 && !is_zero_boot(w.boot_id);
		break;
	case 2: /* another pid namespace: unknown, so not gone */
		w.pid_ns = fuzz_u64(in);
		want = false;
		break;
	case 3: /* a pid that does not exist */
		if (!dead_pid(in, &w.pid))
			return;
		want = true;
		break;
	case 4: /* this pid, started at another time: the pid was reused */
		w.start_ticks = fuzz_u64(in);
		want = w.start_ticks != 0 && w.start_ticks != me.start_ticks;
		break;
	default: /* another host: judged by age alone */
		snprintf(w.host, sizeof(w.host), "h%016" PRIx64, fuzz_u64(in));
		want = strcmp(w.host, me.host) == 0;
		break;
	}
	name_of(in, &w, name, sizeof(name));
	bool gone = statusdir__tmp_writer_gone(&me, name);
	FUZZ_CHECK(gone == want, "field %u: '%s' gone=%d, expected %d", field, name, gone, want);
	check_any(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *name = fuzz_strndup(data, size);
	check_any(name);
	free(name);
	struct fuzz_in in = { data, size };
	check_variant(&in);
	return 0;
}
