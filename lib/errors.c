/* SPDX-License-Identifier: MIT */
/* errors.c - text for the codes this library returns.
 *
 * The sign says whose code it is: a negative value is an errno (with the
 * meanings statusdir.h gives some of them), a positive one is one of the
 * library's own results (STATUSDIR_UNCHANGED, STATUSDIR_HEALED), 0 is
 * success.  Positive values are not errno codes: STATUSDIR_UNCHANGED is 1,
 * which as an errno would read "Operation not permitted". */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

static const char *result_text(int code)
{
	switch (code) {
	case STATUSDIR_UNCHANGED:
		return "unchanged: the newest version already holds these bytes";
	case STATUSDIR_HEALED:
		return "healed: the newest version is damaged, an older intact one was read";
	default:
		return "unknown statusdir result code";
	}
}

static const char *errno_text(int err)
{
	switch (err) {
	case ENOENT:
		return "no such version, or the store is empty";
	case EBADMSG:
		return "version damaged: size or checksum does not match its id";
	case EMEDIUMTYPE:
		return "not a statusdir store";
	case ENOTEMPTY:
		return "directory is not empty and not a statusdir store";
	case EPROTONOSUPPORT:
		return "unknown or malformed store format";
	case ELOOP:
		return "a folder of the store is a symbolic link";
	case EMSGSIZE:
		return "buffer too small for the version";
	case EAGAIN:
		return "writers outpaced the reader; try again";
	case ECANCELED:
		return "conflict: the newest version is no longer the base";
	case EBUSY:
		return "an upgrade to format 2 is under way: statusdir upgrade STORE finishes it";
	case EALREADY:
		return "another upgrade of this store is running";
	default:
		/* strerror() may return a buffer it overwrites, but glibc and
		 * musl return constant strings for every valid errno */
		return strerror(err);
	}
}

const char *statusdir_strerror(int code)
{
	if (code == 0)
		return "success";
	if (code > 0)
		return result_text(code);
	if (code == INT_MIN)
		return "unknown error";
	return errno_text(-code);
}

const char *statusdir_version(void)
{
	return PACKAGE_VERSION;
}
