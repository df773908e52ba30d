/* SPDX-License-Identifier: MIT */
/* errors.c - text for the codes this library returns. */
#include "internal.h"

#include <errno.h>
#include <string.h>

const char *statusdir_strerror(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return "success";
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
	default:
		/* strerror() may return a buffer it overwrites, but glibc and
		 * musl return constant strings for every valid errno */
		return strerror(err);
	}
}

const char *statusdir_version(void)
{
	return PACKAGE_VERSION;
}
