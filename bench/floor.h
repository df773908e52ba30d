/* SPDX-License-Identifier: MIT */
/* floor.h - the put and newest-get protocol at its cheapest: what any
 * maildir-style writer must do to publish a whole file durably, and no
 * more.  No ids, no checksum, no head/history split: the floor that
 * statusdir is measured against.
 *
 *   put:  open tmp/NAME O_CREAT|O_EXCL, write, fsync, renameat2(NOREPLACE)
 *         (or link+unlink) into cur/NAME, fsync cur/
 *   get:  read cur/, open the greatest name, read it
 *
 * NAME starts with the time in ns, zero-padded, so the greatest name is the
 * newest version. */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FLOOR_NAME_SIZE 64

struct floor {
	int tmp_fd, cur_fd;
	pid_t pid;
	unsigned long seq;
};

/* Writes all of buf, through EINTR and short writes: 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);
/* Opens dir/sub, making it if missing: its fd, or -errno. */
int floor_open_sub(const char *dir, const char *sub);
/* Opens dir/tmp and dir/cur, making dir and both if missing: 0 or -errno. */
int floor_open(struct floor *f, const char *dir);
void floor_close(struct floor *f);
/* Creates tmp/NAME: its fd, or -errno. */
int floor_create(struct floor *f, char name[FLOOR_NAME_SIZE]);
/* fsync fd (if sync), close it, move tmp/NAME to cur/NAME without
 * replacing anything, fsync cur/ (if sync): 0 or -errno. */
int floor_commit(struct floor *f, int fd, const char *name, bool sync);
/* create, write len bytes of buf, commit; name receives NAME. */
int floor_put(struct floor *f, const void *buf, size_t len, bool sync,
              char name[FLOOR_NAME_SIZE]);
/* The greatest name in the folder that d lists (rewound first): 0, or
 * -ENOENT if it is empty, or -errno. */
int floor_newest(DIR *d, char name[FLOOR_NAME_SIZE]);

#endif
