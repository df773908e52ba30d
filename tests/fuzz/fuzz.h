/* SPDX-License-Identifier: MIT */
/* fuzz.h - what the libFuzzer targets of tests/fuzz share.
 *
 * A target defines LLVMFuzzerTestOneInput() and checks properties with
 * FUZZ_CHECK(): a property that does not hold prints why and aborts, which
 * libFuzzer reports as a crash and saves as an input to reproduce it.
 * Sanitizers (ASan, UBSan) catch memory and undefined-behaviour errors on
 * the way; LeakSanitizer checks for leaks after every run. */
#ifndef STATUSDIR_FUZZ_H
#define STATUSDIR_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define FUZZ_CHECK(cond, ...)                                                \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: property failed: %s: ",      \
			        __FILE__, __LINE__, #cond);                  \
			fprintf(stderr, __VA_ARGS__);                        \
			fputc('\n', stderr);                                 \
			abort();                                             \
		}                                                            \
	} while (0)

/* Reads fuzz input from the front, as a producer of small values; past the
 * end every read gives 0, so any input is a valid program. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | fuzz_u8(in);
	return v;
}

/* Up to max bytes, as many as the next byte says; *len gets the count. */
static inline const uint8_t *fuzz_bytes(struct fuzz_in *in, size_t max, size_t *len)
{
	size_t want = fuzz_u8(in) % (max + 1);
	const uint8_t *p = in->p;
	*len = want < in->n ? want : in->n;
	in->p += *len;
	in->n -= *len;
	return p;
}

/* A NUL-terminated copy of size bytes (cut at the first NUL). */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* A fresh directory for the target's stores: under $TMPDIR, which should be
 * a tmpfs (make fuzz-short points it at /dev/shm when that exists). */
char *fuzz_tmpdir(const char *what);
/* Removes path and everything below it. */
void fuzz_rm_rf(const char *path);

/* The tmp/ name of writer w with random part u, written as spec/format.md
 * describes it. */
struct writer_identity;
void fuzz_tmp_name(const struct writer_identity *w, const uint8_t u[16], char *out,
                   size_t cap);

#endif
