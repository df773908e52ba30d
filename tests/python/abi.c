/* SPDX-License-Identifier: MIT */
/* abi.c - prints what the compiler makes of statusdir.h: the value of each
 * constant, the size of each structure and the offset and size of each of
 * its fields, one per line, for python/tests/test_abi.py to compare with
 * the ctypes mirrors of python/statusdir/_lib.py.
 *     const NAME VALUE
 *     size STRUCT BYTES
 *     field STRUCT MEMBER OFFSET BYTES */
#include "config.h"

#include <stddef.h>
#include <stdio.h>

#include "statusdir.h"

#define CONST(name) printf("const %s %lld\n", #name, (long long)(name))
#define SIZE(tag) printf("size %s %zu\n", #tag, sizeof(struct tag))
#define FIELD(tag, member)                                                  \
	printf("field %s %s %zu %zu\n", #tag, #member,                      \
	       offsetof(struct tag, member), sizeof(((struct tag *)0)->member))

int main(void)
{
	CONST(STATUSDIR_ID_MAX);
	CONST(STATUSDIR_ID_SIZE);
	CONST(STATUSDIR_HEAD);
	CONST(STATUSDIR_CREATE);
	CONST(STATUSDIR_READONLY);
#if HAVE_DECL_STATUSDIR_FORMAT2
	CONST(STATUSDIR_FORMAT2);
#endif
	CONST(STATUSDIR_NOSYNC);
	CONST(STATUSDIR_IF_CHANGED);
	CONST(STATUSDIR_ONE_FLUSH);
	CONST(STATUSDIR_UNCHANGED);
	CONST(STATUSDIR_HEALED);
	CONST(STATUSDIR_GET_STRICT);
	CONST(STATUSDIR_GET_NOVERIFY);
	CONST(STATUSDIR_EV_REMOVED);
	CONST(STATUSDIR_EV_MOVED);
	CONST(STATUSDIR_EV_TMP_REMOVED);
	CONST(STATUSDIR_EV_TMP_STALE);
	CONST(STATUSDIR_EV_TMP_BUSY);
	CONST(STATUSDIR_EV_JUNK);
	CONST(STATUSDIR_EV_DAMAGED);
	CONST(STATUSDIR_EV_UNREADABLE);
	CONST(STATUSDIR_PRUNE_DRY_RUN);
	CONST(STATUSDIR_TMP_AGE_NS);
	CONST(STATUSDIR_UPGRADE_KEEP_V1);
	CONST(STATUSDIR_UPGRADE_LATE_WAIT_NS);

	SIZE(statusdir_config);
	FIELD(statusdir_config, mode);
	FIELD(statusdir_config, gid);
	FIELD(statusdir_config, keep);
	FIELD(statusdir_config, max_age_ns);

	SIZE(statusdir_read);
	FIELD(statusdir_read, flags);
	FIELD(statusdir_read, id);
	FIELD(statusdir_read, damaged);
	FIELD(statusdir_read, skipped);

	SIZE(statusdir_version);
	FIELD(statusdir_version, id);
	FIELD(statusdir_version, time_ns);
	FIELD(statusdir_version, size);
	FIELD(statusdir_version, checksum);
	FIELD(statusdir_version, in_head);

	SIZE(statusdir_event);
	FIELD(statusdir_event, kind);
	FIELD(statusdir_event, dir);
	FIELD(statusdir_event, name);
	FIELD(statusdir_event, dry_run);
	FIELD(statusdir_event, detail);
	FIELD(statusdir_event, error);

	SIZE(statusdir_upgrade_report);
	FIELD(statusdir_upgrade_report, from1);
	FIELD(statusdir_upgrade_report, numbered);
	FIELD(statusdir_upgrade_report, removed);
	FIELD(statusdir_upgrade_report, adopted);
	FIELD(statusdir_upgrade_report, damaged);
	FIELD(statusdir_upgrade_report, was_format2);

	SIZE(statusdir_prune_policy);
	FIELD(statusdir_prune_policy, keep);
	FIELD(statusdir_prune_policy, max_age_ns);
	FIELD(statusdir_prune_policy, tmp_age_ns);
	FIELD(statusdir_prune_policy, flags);
	FIELD(statusdir_prune_policy, report);
	FIELD(statusdir_prune_policy, report_arg);

	SIZE(statusdir_counts);
	FIELD(statusdir_counts, versions);
	FIELD(statusdir_counts, removed);
	FIELD(statusdir_counts, moved);
	FIELD(statusdir_counts, tmp_removed);
	FIELD(statusdir_counts, tmp_stale);
	FIELD(statusdir_counts, tmp_busy);
	FIELD(statusdir_counts, junk);
	FIELD(statusdir_counts, damaged);
	FIELD(statusdir_counts, unreadable);

	SIZE(statusdir_tmp_usage);
	FIELD(statusdir_tmp_usage, stale);
	FIELD(statusdir_tmp_usage, busy);
	FIELD(statusdir_tmp_usage, stale_bytes);
	FIELD(statusdir_tmp_usage, busy_bytes);
	return ferror(stdout) || fflush(stdout) != 0;
}
