/* SPDX-License-Identifier: MIT */
/* hello.c - the smallest program that keeps a status with libstatusdir:
 * it opens (creating) the store named on its command line, puts a
 * version, reads the newest back and lists the history.  Build it against
 * an installed library with
 *     cc hello.c $(pkg-config --cflags --libs libstatusdir) -o hello */
#include <statusdir.h>

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	statusdir *sd;
	char id[STATUSDIR_ID_SIZE];
	if (argc != 2) {
		fprintf(stderr, "usage: %s STORE\n", argv[0]);
		return 2;
	}
	int r = statusdir_open(argv[1], STATUSDIR_CREATE, NULL, &sd);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], statusdir_strerror(r));
		return 1;
	}
	r = statusdir_put(sd, "state: ok\n", 10, STATUSDIR_IF_CHANGED, id);
	if (r < 0) {
		fprintf(stderr, "%s: put: %s\n", argv[1], statusdir_strerror(r));
		statusdir_close(sd);
		return 1;
	}
	printf("put %s (%s)\n", id, r == STATUSDIR_UNCHANGED ? statusdir_strerror(r) : "new");

	void *buf;
	size_t len;
	r = statusdir_get_alloc(sd, NULL, 0, &buf, &len, id); /* buf is ours to free */
	if (r < 0) {
		fprintf(stderr, "%s: get: %s\n", argv[1], statusdir_strerror(r));
		statusdir_close(sd);
		return 1;
	}
	printf("newest %s: %.*s", id, (int)len, (const char *)buf);
	free(buf);

	struct statusdir_version *v;
	size_t n;
	r = statusdir_list(sd, &v, &n);
	if (r == 0) {
		printf("%zu version%s\n", n, n == 1 ? "" : "s");
		statusdir_list_free(v);
	}
	statusdir_close(sd);
	return r < 0 ? 1 : 0;
}
