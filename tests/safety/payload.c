/* SPDX-License-Identifier: MIT */
/* payload.c - see payload.h. */
#include "payload.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static uint64_t fnv1a(const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3u;
	return h;
}

/* Bytes of the body: a cheap generator seeded by writer and sequence, so
 * that two payloads never share a body by accident. */
static void fill(unsigned char *p, size_t n, unsigned w, uint64_t seq)
{
	uint64_t x = (seq + 1) * 0x9e3779b97f4a7c15u ^ ((uint64_t)w << 48);
	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		p[i] = (unsigned char)x;
	}
}

size_t payload_make(char *buf, size_t cap, unsigned w, uint64_t seq, size_t len)
{
	unsigned char *body = (unsigned char *)buf + PAYLOAD_HEADER_MAX;
	if (cap < len + PAYLOAD_HEADER_MAX)
		return 0;
	fill(body, len, w, seq);
	int h = snprintf(buf, PAYLOAD_HEADER_MAX, "statusdir-test %u %" PRIu64 " %zu %016" PRIx64 "\n",
	                 w, seq, len, fnv1a(body, len));
	memmove(buf + h, body, len);
	return (size_t)h + len;
}

int payload_check(const char *buf, size_t n, unsigned *w, uint64_t *seq,
                  const char **why)
{
	char head[PAYLOAD_HEADER_MAX + 1];
	const char *nl = memchr(buf, '\n', n < PAYLOAD_HEADER_MAX ? n : PAYLOAD_HEADER_MAX);
	size_t len;
	uint64_t hash;
	if (!nl) {
		*why = "no header line";
		return -1;
	}
	memcpy(head, buf, (size_t)(nl - buf));
	head[nl - buf] = '\0';
	if (sscanf(head, "statusdir-test %u %" SCNu64 " %zu %" SCNx64, w, seq, &len, &hash) != 4) {
		*why = "malformed header";
		return -1;
	}
	size_t body = (size_t)(nl + 1 - buf);
	if (n - body != len) {
		*why = "length differs from header";
		return -1;
	}
	if (fnv1a((const unsigned char *)nl + 1, len) != hash) {
		*why = "body hash differs from header";
		return -1;
	}
	return 0;
}
