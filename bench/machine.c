/* SPDX-License-Identifier: MIT */
/* machine.c - the header of a report: date, machine, and the filesystem
 * that the data folder is on (statfs, and its line in mountinfo). */
#include "config.h"

#include "bench.h"

#include <limits.h>
#include <statusdir.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static const char *magic_name(long type)
{
	switch ((unsigned long)type) {
	case 0xEF53: return "ext2/3/4";
	case 0x01021994: return "tmpfs";
	case 0x58465342: return "xfs";
	case 0x9123683E: return "btrfs";
	case 0xF2F52010: return "f2fs";
	case 0x794c7630: return "overlayfs";
	case 0x6969: return "nfs";
	case 0x2fc12fc1: return "zfs";
	default: return "other";
	}
}

/* The first line of file that starts with key, after the key. */
static void file_field(const char *file, const char *key, char *out, size_t cap)
{
	char line[512];
	FILE *f = fopen(file, "re");
	snprintf(out, cap, "?");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, strlen(key)) != 0)
			continue;
		char *v = line + strlen(key);
		v += strspn(v, " \t:");
		v[strcspn(v, "\n")] = '\0';
		snprintf(out, cap, "%s", v);
		break;
	}
	if (f)
		fclose(f);
}

/* The mount that holds path: the longest mount point that prefixes it. */
struct mount_line {
	char point[PATH_MAX], type[64], source[256], opts[512];
};

static bool holds(const char *point, const char *path)
{
	size_t n = strlen(point);
	return strcmp(point, "/") == 0 ||
	       (strncmp(point, path, n) == 0 && (path[n] == '/' || path[n] == '\0'));
}

static void find_mount(const char *path, struct mount_line *best)
{
	char line[4096];
	FILE *f = fopen("/proc/self/mountinfo", "re");
	memset(best, 0, sizeof(*best));
	while (f && fgets(line, sizeof(line), f)) {
		struct mount_line m;
		char mopts[256], sopts[256];
		char *dash = strstr(line, " - ");
		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s %255s", m.point, mopts) != 2 ||
		    sscanf(dash + 3, "%63s %255s %255s", m.type, m.source, sopts) != 3)
			continue;
		snprintf(m.opts, sizeof(m.opts), "%s,%s", mopts, sopts);
		if (holds(m.point, path) && strlen(m.point) >= strlen(best->point))
			*best = m;
	}
	if (f)
		fclose(f);
}

/* ext4 without a journal says so in sysfs; the figures are for one. */
static const char *ext4_journal(const struct mount_line *m)
{
	char path[512], v[64];
	const char *dev = strrchr(m->source, '/');
	if (strcmp(m->type, "ext4") != 0 || !dev)
		return "";
	snprintf(path, sizeof(path), "/sys/fs/ext4/%s/journal_task", dev + 1);
	file_field(path, "", v, sizeof(v));
	return strcmp(v, "<none>") == 0 ? ", no journal" : strcmp(v, "?") == 0 ? "" : ", journal";
}

void machine_print(const char *dir, struct machine *m)
{
	char when[64], cpu[128], mem[64], real[PATH_MAX];
	struct utsname u;
	struct statfs sf;
	struct mount_line ml;
	time_t t = time(NULL);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	uname(&u);
	file_field("/proc/cpuinfo", "model name", cpu, sizeof(cpu));
	file_field("/proc/meminfo", "MemTotal", mem, sizeof(mem));
	if (!realpath(dir, real))
		snprintf(real, sizeof(real), "%s", dir);
	if (statfs(real, &sf) != 0)
		die("statfs %s failed", real);
	find_mount(real, &ml);
	m->tmpfs = (unsigned long)sf.f_type == 0x01021994;
	m->ext4_no_journal = strcmp(ext4_journal(&ml), ", no journal") == 0;
	snprintf(m->fs, sizeof(m->fs), "%s", ml.type[0] ? ml.type : magic_name(sf.f_type));
	printf("statusdir benchmark, %s, statusdir %s\n", when, statusdir_version());
	printf("machine: %ld CPUs (%s), %s RAM, %s %s %s\n", sysconf(_SC_NPROCESSORS_ONLN),
	       cpu, mem, u.sysname, u.release, u.machine);
	printf("data:    %s\n", real);
	printf("fs:      statfs type 0x%lx (%s); mounted %s from %s%s\n         options %s\n",
	       (unsigned long)sf.f_type, magic_name(sf.f_type), ml.type, ml.source,
	       ext4_journal(&ml), ml.opts);
	machine_load("load at start");
	fflush(stdout);
}

/* Other work on the machine skews every figure: say so. */
void machine_load(const char *when)
{
	double l1 = 0, l5 = 0;
	FILE *f = fopen("/proc/loadavg", "re");
	if (!f || fscanf(f, "%lf %lf", &l1, &l5) != 2)
		l1 = l5 = -1;
	if (f)
		fclose(f);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	printf("%s: load average %.2f (1 min), %.2f (5 min)%s\n", when, l1, l5,
	       l1 > 0.5 * (double)cpus ? "; the machine is busy: figures are skewed" : "");
}
