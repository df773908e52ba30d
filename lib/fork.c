/* SPDX-License-Identifier: MIT */
/* fork.c - which process is using a handle.
 *
 * A forked child must not share some of a handle's state: the offset of
 * cur/'s directory stream (scan.c) and the pid in tmp/ names (tmpname.c).
 * Asking getpid() on every put and get costs a syscall each time.  A page
 * marked MADV_WIPEONFORK (Linux 4.14) reads as zeros in a child, so a
 * non-zero byte there says "same process as last time" for free; where the
 * kernel refuses, getpid() is asked every time. */
#include "internal.h"

#include <sys/mman.h>
#include <unistd.h>

void statusdir__fork_guard_init(statusdir *sd)
{
	sd->pid = getpid();
	sd->fork_page = NULL;
#ifdef MADV_WIPEONFORK
	long size = sysconf(_SC_PAGESIZE);
	if (size <= 0)
		return;
	void *p = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE,
	               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	if (madvise(p, (size_t)size, MADV_WIPEONFORK) != 0) {
		(void)munmap(p, (size_t)size);
		return;
	}
	sd->fork_page = p;
	sd->fork_page_size = (size_t)size;
	*sd->fork_page = 1;
#endif
}

void statusdir__fork_guard_free(statusdir *sd)
{
	if (sd->fork_page)
		(void)munmap((void *)sd->fork_page, sd->fork_page_size);
	sd->fork_page = NULL;
}

pid_t statusdir__pid(statusdir *sd)
{
	if (sd->fork_page && *sd->fork_page)
		return sd->pid;
	sd->pid = getpid();
	if (sd->fork_page)
		*sd->fork_page = 1;
	return sd->pid;
}
