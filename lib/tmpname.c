/* SPDX-License-Identifier: MIT */
/* tmpname.c - names of files being written in tmp/, and whether their
 * writer is still alive.
 *
 *   BOOTID "." PIDNS "." PID "." START "." RANDOM "." HOST
 *
 * BOOTID is /proc/sys/kernel/random/boot_id without dashes, PIDNS the inode
 * of /proc/self/ns/pid, START the process start time in clock ticks since
 * boot (field 22 of /proc/PID/stat), RANDOM 32 hex digits, HOST the
 * hostname with every byte outside [A-Za-z0-9_-] written as \ooo (maildir's
 * rule; '.' is escaped too), or "=" and 16 hex digits of its XXH3-64 when
 * that would exceed HOST_PART_MAX bytes.
 * Unknown parts are 0 (the cleaner then relies on the file's age alone). */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static ssize_t read_small_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ssize_t n = statusdir__read_full(fd, buf, cap - 1);
	statusdir__close(fd);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return n;
}

static void load_boot_id(char out[33])
{
	char buf[64];
	size_t j = 0;
	memset(out, '0', 32);
	out[32] = '\0';
	if (read_small_file("/proc/sys/kernel/random/boot_id", buf, sizeof(buf)) < 32)
		return;
	for (size_t i = 0; buf[i] && j < 32; i++)
		if ((buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f'))
			out[j++] = buf[i];
	if (j != 32)
		memset(out, '0', 32);
}

/* Field 22 of /proc/PID/stat; 0 when unknown.  The command name (field 2)
 * may hold spaces and parentheses, so fields are counted after its last ')'. */
static uint64_t start_ticks_of(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if (read_small_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* after ") " comes field 3; field 22 is 19 fields further */
	for (int field = 2; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	return p ? strtoull(p + 1, NULL, 10) : 0;
}

/* Every byte outside [A-Za-z0-9_-] as \ooo; an encoding longer than
 * HOST_PART_MAX becomes "=" and 16 hex digits of the name's XXH3-64, so
 * that it stays unique and a tmp/ name stays below NAME_MAX. */
static void encode_host(const char *host, char out[HOST_PART_MAX + 1])
{
	size_t j = 0;
	for (size_t i = 0; host[i]; i++) {
		unsigned char c = (unsigned char)host[i];
		if (j + 4 > HOST_PART_MAX) {
			snprintf(out, HOST_PART_MAX + 1, "=%016" PRIx64,
			         statusdir__checksum(host, strlen(host)));
			return;
		}
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '-')
			out[j++] = (char)c;
		else
			j += (size_t)snprintf(out + j, HOST_PART_MAX + 1 - j, "\\%03o", c);
	}
	out[j] = '\0';
}

void statusdir__identity_load(struct writer_identity *me)
{
	char host[256] = "";
	struct stat st;
	load_boot_id(me->boot_id);
	me->pid_ns = stat("/proc/self/ns/pid", &st) == 0 ? (uint64_t)st.st_ino : 0;
	me->pid = getpid();
	me->start_ticks = start_ticks_of(me->pid);
	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	encode_host(host[0] ? host : "localhost", me->host);
}

void statusdir__identity_refresh(struct writer_identity *me, pid_t pid)
{
	if (me->pid != pid)
		statusdir__identity_load(me);
}

int statusdir__tmp_name(const struct writer_identity *me, const uint8_t u[16],
                        char *out, size_t cap)
{
	char hex[33];
	statusdir__hex(u, 16, hex);
	int n = snprintf(out, cap, "%s.%" PRIu64 ".%ld.%" PRIu64 ".%s.%s",
	                 me->boot_id, me->pid_ns, (long)me->pid, me->start_ticks,
	                 hex, me->host);
	return n > 0 && (size_t)n < cap ? 0 : -ENAMETOOLONG;
}

struct tmp_parts {
	char boot_id[33];
	uint64_t pid_ns;
	long pid;
	uint64_t start_ticks;
	const char *host;
};

static bool parse_tmp_name(const char *name, struct tmp_parts *t)
{
	char *end;
	if (strlen(name) < 34 || name[32] != '.')
		return false;
	memcpy(t->boot_id, name, 32);
	t->boot_id[32] = '\0';
	errno = 0;
	t->pid_ns = strtoull(name + 33, &end, 10);
	if (*end != '.')
		return false;
	t->pid = strtol(end + 1, &end, 10);
	if (*end != '.' || t->pid <= 0)
		return false;
	t->start_ticks = strtoull(end + 1, &end, 10);
	if (*end != '.' || errno != 0)
		return false;
	end = strchr(end + 1, '.'); /* skip RANDOM */
	if (!end)
		return false;
	t->host = end + 1;
	return true;
}

/* Gone means: written on this host (hostnames must be unique among hosts
 * sharing a store, as in maildir) and either during an earlier boot, or by
 * a process of this boot and pid namespace that no longer exists, or whose
 * pid now belongs to a process started at another time. */
bool statusdir__tmp_writer_gone(const struct writer_identity *me,
                                const char *name)
{
	static const char unknown_boot[33] = "00000000000000000000000000000000";
	struct tmp_parts t;
	if (!parse_tmp_name(name, &t) || strcmp(t.host, me->host) != 0)
		return false;
	if (strcmp(t.boot_id, unknown_boot) == 0 ||
	    strcmp(me->boot_id, unknown_boot) == 0)
		return false;
	if (strcmp(t.boot_id, me->boot_id) != 0)
		return true;
	if (t.pid_ns == 0 || t.pid_ns != me->pid_ns)
		return false;
	if (kill((pid_t)t.pid, 0) != 0 && errno == ESRCH)
		return true;
	/* alive (EPERM means alive too): the same process only if it started
	 * when the writer did */
	uint64_t start = start_ticks_of((pid_t)t.pid);
	return t.start_ticks != 0 && start != 0 && start != t.start_ticks;
}
