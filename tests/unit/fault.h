/* SPDX-License-Identifier: MIT */
/* fault.h - fault injection for the unit tests, through the linker's --wrap.
 *
 * A test binary that links fault.c is linked with -Wl,--wrap=X for every
 * call listed in enum fault_call (see tests/unit/Makemodule.am), so that
 * the library's calls, and the test's own, reach __wrap_X here.  Each
 * wrapper normally calls __real_X.  A test arms a rule for one call:
 *
 *     fault_arm(FAULT_WRITE, &(struct fault){ .times = 1, .err = EINTR });
 *     r = statusdir_put(sd, buf, len, 0, id);     // one write sees EINTR
 *     assert_int_equal(fault_hits(FAULT_WRITE), 1);
 *     fault_reset();
 *
 * A rule acts on the matching calls after the first skip ones, times of
 * them (FAULT_ALWAYS: all).  Acting means: run the hook, then fail with
 * err if it is set, else make the real call (a hook alone, or a short
 * transfer).  short_max shortens the transfers of the skipped calls too, so
 * that "some progress, then ENOSPC" is one rule.  Checking fault_hits()
 * after the call under test makes sure the fault really happened.
 *
 * The clock: every CLOCK_REALTIME reading has fault_clock_offset() added,
 * so a test can step the wall clock back or forward, now or, with
 * fault_clock_step(), in the middle of a call. */
#ifndef STATUSDIR_TEST_FAULT_H
#define STATUSDIR_TEST_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

enum fault_call {
	FAULT_WRITE,
	FAULT_READ,
	FAULT_PREAD,
	FAULT_FSYNC,
	FAULT_CLOSE, /* the real close always happens (Linux frees the fd) */
	FAULT_OPENAT,
	FAULT_RENAMEAT2,
	FAULT_RENAMEAT,
	FAULT_LINKAT,
	FAULT_UNLINKAT,
	FAULT_COPY_FILE_RANGE,
	FAULT_SENDFILE,
	FAULT_FSTAT,
	FAULT_CALLS
};

#define FAULT_ALWAYS 0xffffffffu

struct fault {
	unsigned skip;    /* let this many matching calls through first */
	unsigned times;   /* then act on this many (FAULT_ALWAYS: every one) */
	int err;          /* fail with this errno; 0: do not fail */
	size_t short_max; /* transfers: move at most this many bytes (in the
	                     skipped calls as well) */
	mode_t fd_kind;   /* S_IFREG, S_IFDIR, S_IFIFO: only calls on an fd of
	                     that type (for copy_file_range and sendfile, the
	                     output); 0: any */
	const char *name; /* calls taking a name: only on this name */
	bool (*match)(const char *name); /* ... or on a name it accepts */
	void (*hook)(void *arg); /* run before the real call or failure */
	void *hook_arg;
	void (*after)(void *arg); /* linkat: run after the real call, if it
	                             succeeded (gets hook_arg): what happens
	                             between a claim and its check */
};

/* Replaces the rule of call c; f is copied (f->name is kept as a pointer). */
void fault_arm(enum fault_call c, const struct fault *f);
/* Clears every rule, counter and the clock offset. */
void fault_reset(void);
/* How many calls of c were made since the last reset or fault_arm(c),
 * and how many of them the rule acted on. */
unsigned fault_calls(enum fault_call c);
unsigned fault_hits(enum fault_call c);

/* The target name of the last renameat2, renameat or linkat call, or the
 * name of the last openat, as a hook sees it (the wrapper notes it before
 * the hook runs). */
const char *fault_target(void);

/* The descriptor of the call a hook runs for (-1 outside a hook, and for
 * calls that take none). */
int fault_fd(void);

/* Adds ns to every CLOCK_REALTIME reading from now on. */
void fault_clock_offset(int64_t ns);
/* Steps the wall clock by ns (added to the offset) once after more
 * CLOCK_REALTIME readings have been made: the (after+1)-th reading from now
 * on, and every one after it, sees the step.  CLOCK_MONOTONIC is never
 * touched, as a real step (NTP, date -s) leaves it alone. */
void fault_clock_step(unsigned after, int64_t ns);

/* cmocka fixtures: store_setup() and store_teardown() (store.h), each
 * clearing every rule first, so that no fault outlives the case that armed
 * it, even one that failed. */
int fault_store_setup(void **state);
int fault_store_teardown(void **state);
int fault_store_setup_format2(void **state);

/* The wrappers and the real calls they reach. */
ssize_t __real_write(int fd, const void *buf, size_t n);
ssize_t __wrap_write(int fd, const void *buf, size_t n);
ssize_t __real_read(int fd, void *buf, size_t n);
ssize_t __wrap_read(int fd, void *buf, size_t n);
ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off);
int __real_fsync(int fd);
int __wrap_fsync(int fd);
int __real_close(int fd);
int __wrap_close(int fd);
int __real_openat(int dirfd, const char *name, int flags, ...);
int __wrap_openat(int dirfd, const char *name, int flags, ...);
int __real_renameat2(int olddirfd, const char *oldname, int newdirfd,
                     const char *newname, unsigned flags);
int __wrap_renameat2(int olddirfd, const char *oldname, int newdirfd,
                     const char *newname, unsigned flags);
int __real_renameat(int olddirfd, const char *oldname, int newdirfd,
                    const char *newname);
int __wrap_renameat(int olddirfd, const char *oldname, int newdirfd,
                    const char *newname);
int __real_linkat(int olddirfd, const char *oldname, int newdirfd,
                  const char *newname, int flags);
int __wrap_linkat(int olddirfd, const char *oldname, int newdirfd,
                  const char *newname, int flags);
int __real_unlinkat(int dirfd, const char *name, int flags);
int __wrap_unlinkat(int dirfd, const char *name, int flags);
ssize_t __real_copy_file_range(int in_fd, off_t *in_off, int out_fd,
                               off_t *out_off, size_t n, unsigned flags);
ssize_t __wrap_copy_file_range(int in_fd, off_t *in_off, int out_fd,
                               off_t *out_off, size_t n, unsigned flags);
ssize_t __real_sendfile(int out_fd, int in_fd, off_t *off, size_t n);
ssize_t __wrap_sendfile(int out_fd, int in_fd, off_t *off, size_t n);
int __real_fstat(int fd, struct stat *st);
int __wrap_fstat(int fd, struct stat *st);
int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts);

#endif
