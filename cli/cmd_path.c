/* SPDX-License-Identifier: MIT */
/* cmd_path.c - statusdir path: where the file of a version is now. */
#include "cli.h"

#include <stdlib.h>

static int cmd_path(int argc, char **argv)
{
	const char *store, *ref;
	char id[STATUSDIR_ID_SIZE], *path;
	statusdir *sd;
	int r = store_and_ref(&command_path, argc, argv, no_opts, no_option, NULL, &store, &ref);
	if (r || (r = open_and_resolve(store, ref, &sd, id)))
		return r;
	r = statusdir_path(sd, id, &path);
	statusdir_close(sd);
	if (r < 0)
		return report_read_error(store, id, r);
	printf("%s\n", path);
	free(path);
	return output_done(store);
}

const struct command command_path = {
	"path", cmd_path,
	"statusdir path STORE [ID]",
	"Print the path of the file holding the newest version, or version ID.",
};
