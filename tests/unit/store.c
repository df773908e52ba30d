/* SPDX-License-Identifier: MIT */
/* store.c - the store fixture and helpers of store.h. */
#include "internal.h" /* first: config.h; the handle's tmp_sweep_every */

#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static struct store *new_dir(void)
{
	const char *base = getenv("TMPDIR");
	struct store *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	int n = snprintf(s->dir, sizeof(s->dir), "%s/statusdir-unit.XXXXXX",
	                 base && *base ? base : "/tmp");
	if (n < 0 || (size_t)n >= sizeof(s->path) - 6 || !mkdtemp(s->dir)) {
		free(s);
		return NULL;
	}
	memcpy(s->path, s->dir, (size_t)n);
	memcpy(s->path + n, "/store", 7);
	return s;
}

int null_fd(void)
{
	static int fd = -1;
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	return fd;
}

int store_setup_dir(void **state)
{
	null_fd();
	struct store *s = new_dir();
	*state = s;
	return s ? 0 : -1;
}

int store_setup(void **state)
{
	null_fd();
	struct store *s = new_dir();
	*state = s;
	if (!s)
		return -1;
	int r = statusdir_open(s->path, STATUSDIR_CREATE, NULL, &s->sd);
	if (r < 0)
		fprintf(stderr, "# statusdir_open(%s): %s\n", s->path, statusdir_strerror(r));
	else /* no random tmp/ sweep: every put makes the same calls */
		s->sd->tmp_sweep_every = 0;
	return r < 0 ? -1 : 0;
}

int store_setup_format2(void **state)
{
	null_fd();
	struct store *s = new_dir();
	*state = s;
	if (!s)
		return -1;
	int r = statusdir_open(s->path, STATUSDIR_CREATE | STATUSDIR_FORMAT2, NULL, &s->sd);
	if (r < 0)
		fprintf(stderr, "# statusdir_open(%s): %s\n", s->path, statusdir_strerror(r));
	else
		s->sd->tmp_sweep_every = 0;
	return r < 0 ? -1 : 0;
}

int store_teardown(void **state)
{
	struct store *s = *state;
	if (!s)
		return 0;
	statusdir_close(s->sd);
	rm_rf(s->dir);
	free(s);
	return 0;
}

void store_dir_file(const struct store *s, const char *rel, char *out)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", s->dir, rel);
	assert_true(n > 0 && n < PATH_MAX);
}

void store_file(const struct store *s, const char *rel, char *out)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", s->path, rel);
	assert_true(n > 0 && n < PATH_MAX);
}

size_t store_count_prefix(const struct store *s, const char *folder, const char *prefix)
{
	char p[PATH_MAX];
	size_t n = 0;
	store_file(s, folder, p);
	DIR *d = opendir(p);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0 &&
		    strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

size_t store_count(const struct store *s, const char *folder)
{
	return store_count_prefix(s, folder, "");
}

int store_has(const struct store *s, const char *folder, const char *name)
{
	char rel[PATH_MAX], p[PATH_MAX];
	struct stat st;
	snprintf(rel, sizeof(rel), "%s/%s", folder, name);
	store_file(s, rel, p);
	return lstat(p, &st) == 0;
}

void fill_pattern(void *buf, size_t len, unsigned seed)
{
	uint64_t x = 0x9e3779b97f4a7c15u * (seed + 1);
	unsigned char *p = buf;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13; /* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)(x >> 32);
	}
}

void *pattern_alloc(size_t len, unsigned seed)
{
	void *p = malloc(len ? len : 1);
	assert_non_null(p);
	fill_pattern(p, len, seed);
	return p;
}

void put_ok(statusdir *sd, const void *buf, size_t len, char *id)
{
	int r = statusdir_put(sd, buf, len, 0, id);
	if (r != 0)
		fail_msg("statusdir_put: %s", statusdir_strerror(r));
}

void put_numbered_flags(statusdir *sd, size_t n, unsigned flags,
                        char (*ids)[STATUSDIR_ID_SIZE])
{
	for (size_t i = 0; i < n; i++) {
		char text[32];
		int len = snprintf(text, sizeof(text), "version %zu\n", i);
		int r = statusdir_put(sd, text, (size_t)len, flags, ids ? ids[i] : NULL);
		if (r != 0)
			fail_msg("put %zu: %s", i, statusdir_strerror(r));
	}
}

void put_numbered(statusdir *sd, size_t n, char (*ids)[STATUSDIR_ID_SIZE])
{
	put_numbered_flags(sd, n, 0, ids);
}

void assert_version(statusdir *sd, const char *id, const void *buf, size_t len,
                    const char *want_id)
{
	char found[STATUSDIR_ID_SIZE] = "";
	size_t got = 0;
	char *b = malloc(len + 1);
	assert_non_null(b);
	int r = statusdir_get(sd, id, b, len + 1, &got, found);
	if (r != 0)
		fail_msg("statusdir_get(%s): %s", id ? id : "newest", statusdir_strerror(r));
	assert_int_equal(got, len);
	assert_memory_equal(b, buf, len);
	if (want_id)
		assert_string_equal(found, want_id);
	if (id && *id)
		assert_string_equal(found, id);
	free(b);
}

void write_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
	assert_int_equal(close(fd), 0);
}

void *read_file(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	size_t size = (size_t)st.st_size, got = 0;
	char *buf = malloc(size + 1);
	assert_non_null(buf);
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		assert_true(n > 0);
		got += (size_t)n;
	}
	close(fd);
	*len = size;
	return buf;
}

void assert_file_equals(const char *path, const void *buf, size_t len)
{
	size_t n;
	void *got = read_file(path, &n);
	assert_int_equal(n, len);
	assert_memory_equal(got, buf, len);
	free(got);
}

static ssize_t raw_write(int fd, const void *buf, size_t n)
{
	return syscall(SYS_write, fd, buf, n);
}

static ssize_t raw_read(int fd, void *buf, size_t n)
{
	return syscall(SYS_read, fd, buf, n);
}

static void raw_close(int fd)
{
	(void)syscall(SYS_close, fd);
}

static void child_write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = raw_write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			_exit(1);
		p += n;
		len -= (size_t)n;
	}
}

pid_t feed_pipe(const void *buf, size_t len, int *fd)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		raw_close(p[0]);
		child_write_all(p[1], buf, len);
		_exit(0);
	}
	close(p[1]);
	*fd = p[0];
	return pid;
}

pid_t drain_pipe(const char *path, int *fd)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char buf[65536];
		ssize_t n;
		raw_close(p[1]);
		int out = (int)syscall(SYS_openat, AT_FDCWD, path,
		                       O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out < 0)
			_exit(1);
		while ((n = raw_read(p[0], buf, sizeof(buf))) != 0) {
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				_exit(1);
			child_write_all(out, buf, (size_t)n);
		}
		_exit(0); /* the kernel closes out */
	}
	close(p[0]);
	*fd = p[1];
	return pid;
}

void wait_child(pid_t pid)
{
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

void store_snapshot(const struct store *s, struct store_snapshot *snap)
{
	size_t len = 0;
	memset(snap, 0, sizeof(*snap));
	int r = statusdir_get(s->sd, NULL, NULL, 0, &len, snap->newest);
	assert_true(r == -EMSGSIZE || (r == 0 && len == 0));
	snap->payload = malloc(len + 1);
	assert_non_null(snap->payload);
	assert_int_equal(statusdir_get(s->sd, snap->newest, snap->payload, len, &snap->len,
	                               NULL), 0);
	snap->cur = store_count(s, "cur");
	snap->old = statusdir_format(s->sd) == 2 ? 0 : store_count(s, "old"); /* none in format 2 */
	assert_int_equal(store_count(s, "tmp"), 0);
	snap->fds = count_fds();
}

void assert_store_unchanged(const struct store *s, const struct store_snapshot *snap)
{
	assert_int_equal(store_count(s, "tmp"), 0);
	assert_int_equal(store_count(s, "cur"), snap->cur);
	if (statusdir_format(s->sd) != 2)
		assert_int_equal(store_count(s, "old"), snap->old);
	assert_int_equal(count_fds(), snap->fds);
	assert_version(s->sd, NULL, snap->payload, snap->len, snap->newest);
}

void store_snapshot_free(struct store_snapshot *snap)
{
	free(snap->payload);
	snap->payload = NULL;
}

/* The txn's file is the one entry of tmp/ that its abort removes. */
void tmp_name_now(statusdir *sd, const struct store *s, char *out)
{
	char tmp[PATH_MAX];
	struct dirent **names;
	statusdir_txn *t;
	assert_int_equal(statusdir_put_begin(sd, 0, &t), 0);
	store_file(s, "tmp", tmp);
	int n = scandir(tmp, &names, NULL, NULL);
	assert_true(n >= 0);
	statusdir_put_abort(t);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.' && !store_has(s, "tmp", names[i]->d_name)) {
			assert_true(out[0] == '\0');
			memcpy(out, names[i]->d_name, strlen(names[i]->d_name) + 1);
		}
		free(names[i]);
	}
	free(names);
	assert_true(out[0] != '\0');
}

void tmp_name_edit(char *name, int field, const char *value)
{
	char *start = name;
	for (int i = 0; i < field; i++) {
		start = strchr(start, '.');
		assert_non_null(start);
		start++;
	}
	char *end = field < 5 ? strchr(start, '.') : start + strlen(start);
	assert_non_null(end);
	char rest[NAME_MAX + 1];
	memcpy(rest, end, strlen(end) + 1);
	assert_true((size_t)(start - name) + strlen(value) + strlen(rest) <= NAME_MAX);
	memcpy(start, value, strlen(value));
	memcpy(start + strlen(value), rest, strlen(rest) + 1);
}

int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int remove_one(const char *path, const struct stat *st, int type,
                      struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

void rm_rf(const char *path)
{
	(void)nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

void damage_version(statusdir *sd, const char *id)
{
	char *path;
	size_t len;
	assert_int_equal(statusdir_path(sd, id, &path), 0);
	char *buf = read_file(path, &len);
	assert_true(len > 0);
	buf[len / 2] ^= 0x5a;
	write_file(path, buf, len);
	free(buf);
	free(path);
}

const char *store_number(uint64_t n)
{
	static char buf[4][32];
	static int next;
	char *b = buf[next++ % 4];
	snprintf(b, 32, "%020" PRIu64, n);
	return b;
}

void store_raise_low(const struct store *s, uint64_t cut)
{
	char p[PATH_MAX];
	store_file(s, "low", p);
	int fd = open(p, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "", 1, (off_t)cut - 1), 1);
	assert_int_equal(close(fd), 0);
}
