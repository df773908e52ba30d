/* SPDX-License-Identifier: MIT */
/* fault.c - the --wrap wrappers behind fault.h. */
#include "config.h"

#include "fault.h"
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

struct rule {
	bool armed;
	struct fault f;
	unsigned seen; /* matching calls so far */
	unsigned hits; /* calls acted on */
};

static struct rule rules[FAULT_CALLS];
static unsigned calls[FAULT_CALLS];
static int64_t clock_offset_ns;
static bool clock_step_armed;
static unsigned clock_step_after; /* CLOCK_REALTIME readings left before the step */
static int64_t clock_step_ns;
static char target[NAME_MAX + 1];

void fault_arm(enum fault_call c, const struct fault *f)
{
	rules[c] = (struct rule){ .armed = true, .f = *f };
	calls[c] = 0;
}

void fault_reset(void)
{
	memset(rules, 0, sizeof(rules));
	memset(calls, 0, sizeof(calls));
	clock_offset_ns = 0;
	clock_step_armed = false;
}

int fault_store_setup(void **state)
{
	fault_reset();
	return store_setup(state);
}

int fault_store_setup_format2(void **state)
{
	fault_reset();
	return store_setup_format2(state);
}

int fault_store_teardown(void **state)
{
	fault_reset();
	return store_teardown(state);
}

unsigned fault_calls(enum fault_call c)
{
	return calls[c];
}

unsigned fault_hits(enum fault_call c)
{
	return rules[c].hits;
}

static int acting_fd = -1;

int fault_fd(void)
{
	return acting_fd;
}

const char *fault_target(void)
{
	return target;
}

static void note_target(const char *name)
{
	snprintf(target, sizeof(target), "%s", name);
}

void fault_clock_offset(int64_t ns)
{
	clock_offset_ns = ns;
}

void fault_clock_step(unsigned after, int64_t ns)
{
	clock_step_armed = true;
	clock_step_after = after;
	clock_step_ns = ns;
}

/* Counts a CLOCK_REALTIME reading, stepping the clock when one is due. */
static void clock_reading(void)
{
	if (!clock_step_armed)
		return;
	if (clock_step_after > 0) {
		clock_step_after--;
		return;
	}
	clock_offset_ns += clock_step_ns;
	clock_step_armed = false;
}

static bool fd_is(int fd, mode_t kind)
{
	struct stat st; /* not through the wrapper: a rule on fstat would recurse */
	return __real_fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == kind;
}

static bool matches(const struct fault *f, int fd, const char *name)
{
	if (f->fd_kind && (fd < 0 || !fd_is(fd, f->fd_kind)))
		return false;
	if (f->name && (!name || strcmp(f->name, name) != 0))
		return false;
	return !f->match || (name && f->match(name));
}

/* What a wrapper does with one call: fail with err (if not 0), else move
 * at most max bytes (if not 0). */
struct action {
	int err;
	size_t max;
	void (*after)(void *arg); /* f.after, for a call the rule acted on */
	void *arg;
};

/* The hit is counted before the hook runs, so a hook may make the same
 * call again. */
static struct action fire(enum fault_call c, int fd, const char *name)
{
	struct rule *r = &rules[c];
	struct action a = { 0, 0, NULL, NULL };
	calls[c]++;
	if (!r->armed || !matches(&r->f, fd, name))
		return a;
	a.max = r->f.short_max;
	if (r->seen++ < r->f.skip)
		return a; /* let through, but short: progress before a failure */
	if (r->f.times != FAULT_ALWAYS && r->hits >= r->f.times)
		return (struct action){ 0, 0, NULL, NULL };
	r->hits++;
	acting_fd = fd;
	if (r->f.hook)
		r->f.hook(r->f.hook_arg);
	acting_fd = -1;
	a.err = r->f.err;
	a.after = r->f.after;
	a.arg = r->f.hook_arg;
	return a;
}

static size_t clamp(struct action a, size_t n)
{
	return a.max && n > a.max ? a.max : n;
}

#define FAIL_IF_ARMED(a)                                                 \
	do {                                                             \
		if ((a).err) {                                           \
			errno = (a).err;                                 \
			return -1;                                       \
		}                                                        \
	} while (0)

ssize_t __wrap_write(int fd, const void *buf, size_t n)
{
	struct action a = fire(FAULT_WRITE, fd, NULL);
	FAIL_IF_ARMED(a);
	return __real_write(fd, buf, clamp(a, n));
}

ssize_t __wrap_read(int fd, void *buf, size_t n)
{
	struct action a = fire(FAULT_READ, fd, NULL);
	FAIL_IF_ARMED(a);
	return __real_read(fd, buf, clamp(a, n));
}

ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	struct action a = fire(FAULT_PREAD, fd, NULL);
	FAIL_IF_ARMED(a);
	return __real_pread(fd, buf, clamp(a, n), off);
}

int __wrap_fsync(int fd)
{
	struct action a = fire(FAULT_FSYNC, fd, NULL);
	FAIL_IF_ARMED(a);
	return __real_fsync(fd);
}

int __wrap_close(int fd)
{
	struct action a = fire(FAULT_CLOSE, fd, NULL);
	int r = __real_close(fd);
	FAIL_IF_ARMED(a);
	return r;
}

int __wrap_openat(int dirfd, const char *name, int flags, ...)
{
	mode_t mode = 0;
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	note_target(name);
	struct action a = fire(FAULT_OPENAT, -1, name);
	FAIL_IF_ARMED(a);
	return __real_openat(dirfd, name, flags, mode);
}

int __wrap_renameat2(int olddirfd, const char *oldname, int newdirfd,
                     const char *newname, unsigned flags)
{
	note_target(newname);
	struct action a = fire(FAULT_RENAMEAT2, -1, oldname);
	FAIL_IF_ARMED(a);
	return __real_renameat2(olddirfd, oldname, newdirfd, newname, flags);
}

int __wrap_renameat(int olddirfd, const char *oldname, int newdirfd,
                    const char *newname)
{
	note_target(newname);
	struct action a = fire(FAULT_RENAMEAT, -1, oldname);
	FAIL_IF_ARMED(a);
	return __real_renameat(olddirfd, oldname, newdirfd, newname);
}

int __wrap_linkat(int olddirfd, const char *oldname, int newdirfd,
                  const char *newname, int flags)
{
	note_target(newname);
	struct action a = fire(FAULT_LINKAT, -1, oldname);
	FAIL_IF_ARMED(a);
	int r = __real_linkat(olddirfd, oldname, newdirfd, newname, flags);
	if (r == 0 && a.after)
		a.after(a.arg);
	return r;
}

int __wrap_unlinkat(int dirfd, const char *name, int flags)
{
	struct action a = fire(FAULT_UNLINKAT, -1, name);
	FAIL_IF_ARMED(a);
	return __real_unlinkat(dirfd, name, flags);
}

ssize_t __wrap_copy_file_range(int in_fd, off_t *in_off, int out_fd,
                               off_t *out_off, size_t n, unsigned flags)
{
	struct action a = fire(FAULT_COPY_FILE_RANGE, out_fd, NULL);
	FAIL_IF_ARMED(a);
	return __real_copy_file_range(in_fd, in_off, out_fd, out_off, clamp(a, n),
	                              flags);
}

ssize_t __wrap_sendfile(int out_fd, int in_fd, off_t *off, size_t n)
{
	struct action a = fire(FAULT_SENDFILE, out_fd, NULL);
	FAIL_IF_ARMED(a);
	return __real_sendfile(out_fd, in_fd, off, clamp(a, n));
}

int __wrap_fstat(int fd, struct stat *st)
{
	struct action a = fire(FAULT_FSTAT, fd, NULL);
	FAIL_IF_ARMED(a);
	return __real_fstat(fd, st);
}

int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	int r = __real_clock_gettime(id, ts);
	if (r != 0 || id != CLOCK_REALTIME)
		return r;
	clock_reading();
	if (clock_offset_ns == 0)
		return r;
	int64_t ns = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec + clock_offset_ns;
	ts->tv_sec = (time_t)(ns / 1000000000);
	ts->tv_nsec = (long)(ns % 1000000000);
	if (ts->tv_nsec < 0) {
		ts->tv_sec--;
		ts->tv_nsec += 1000000000;
	}
	return 0;
}
