/* SPDX-License-Identifier: MIT */
/* exitcodes.h - the statusdir(1) exit codes, in one table.
 *
 *   0  success
 *   1  the store is empty, or there is no such version
 *   2  usage error (an ID that does not match the grammar included)
 *   3  damage found
 *   4  any other failure: I/O, permission, not a store, unknown format,
 *      put --run CMD failed
 *   5  put committed the version, but could not write its id to stdout
 *   6  conflict: put --if-newest or update found another version newest
 *      and committed nothing
 */
#ifndef STATUSDIR_EXITCODES_H
#define STATUSDIR_EXITCODES_H

enum exit_code {
	EXIT_OK = 0,
	EXIT_NOTFOUND = 1,
	EXIT_USAGE = 2,
	EXIT_DAMAGE = 3,
	EXIT_FAILED = 4,
	EXIT_UNREPORTED = 5,
	EXIT_CONFLICT = 6,
};

#endif
