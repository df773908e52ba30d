/* SPDX-License-Identifier: MIT */
/* id.c - make, check and compare version ids (pure, no I/O).
 *
 * Grammar (spec/format.md):
 *   TIME "." UNIQUE "." SIZE "." SUM
 *   TIME   = 19 decimal digits, ns since the epoch, <= INT64_MAX
 *   UNIQUE = 32 lowercase hex digits
 *   SIZE   = "0" or a decimal without leading zeros, <= UINT64_MAX
 *   SUM    = 16 lowercase hex digits, XXH3-64 of the payload
 * The fixed-width time comes first, so byte order is time order.
 * Format 2's ids are numbers (number.c); statusdir_id_parse() takes both. */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

void statusdir__hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

void statusdir__id_format(const struct id_parts *p, char out[STATUSDIR_ID_SIZE])
{
	char unique[ID_UNIQUE_HEX + 1];
	statusdir__hex(p->unique, sizeof(p->unique), unique);
	snprintf(out, STATUSDIR_ID_SIZE, "%019" PRId64 ".%s.%" PRIu64 ".%016" PRIx64,
	         p->time_ns, unique, p->size, p->checksum);
}

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool statusdir__parse_time(const char *s, uint64_t *t)
{
	uint64_t x = 0;
	/* fixed width, so leading zeros are allowed here */
	for (size_t n = 0; n < ID_TIME_DIGITS; n++) {
		if (!is_digit(s[n]))
			return false;
		unsigned d = (unsigned)(s[n] - '0');
		if (x > ((uint64_t)INT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*t = x;
	return true;
}

bool statusdir__parse_hex(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (!is_lower_hex(s[i]))
			return false;
		x = x << 4 | (uint64_t)(is_digit(s[i]) ? s[i] - '0' : s[i] - 'a' + 10);
	}
	*v = x;
	return true;
}

/* Parses a canonical decimal (no sign, no leading zeros) of at most max,
 * ending at a '.' or '\0'; returns its length or 0. */
size_t statusdir__parse_dec(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;
	size_t i = 0;
	for (; is_digit(s[i]); i++) {
		unsigned d = (unsigned)(s[i] - '0');
		if (i == 1 && s[0] == '0')
			return 0;
		if (x > (max - d) / 10)
			return 0;
		x = x * 10 + d;
	}
	*v = x;
	return i;
}

static int parse(const char *id, struct id_parts *p)
{
	uint64_t t, hi, lo;
	size_t n;

	if (!id || strnlen(id, STATUSDIR_ID_SIZE) > STATUSDIR_ID_MAX)
		return -EINVAL;
	if (!statusdir__parse_time(id, &t))
		return -EINVAL;
	id += ID_TIME_DIGITS;
	if (*id++ != '.')
		return -EINVAL;
	if (!statusdir__parse_hex(id, 16, &hi) || !statusdir__parse_hex(id + 16, 16, &lo))
		return -EINVAL;
	id += ID_UNIQUE_HEX;
	if (*id++ != '.')
		return -EINVAL;
	n = statusdir__parse_dec(id, UINT64_MAX, &p->size);
	if (n == 0)
		return -EINVAL;
	id += n;
	if (*id++ != '.')
		return -EINVAL;
	if (!statusdir__parse_hex(id, ID_SUM_HEX, &p->checksum) || id[ID_SUM_HEX] != '\0')
		return -EINVAL;
	p->time_ns = (int64_t)t;
	for (int i = 0; i < 8; i++) {
		p->unique[i] = (uint8_t)(hi >> (56 - 8 * i));
		p->unique[8 + i] = (uint8_t)(lo >> (56 - 8 * i));
	}
	return 0;
}

bool statusdir__id_valid(const char *name)
{
	struct id_parts p;
	return parse(name, &p) == 0;
}

int statusdir__id_cmp(const char *a, const char *b)
{
	return strcmp(a, b);
}

int statusdir_id_parse(const char *id, struct statusdir_version *v)
{
	struct id_parts p = { 0 };
	/* a format-2 id is a number, and names nothing else: size, checksum
	 * and time are the version's own (meta.c) */
	int r = id && statusdir__number_parse(id, NULL) ? 0 : parse(id, &p);
	if (r < 0 || !v)
		return r;
	memset(v, 0, sizeof(*v));
	memcpy(v->id, id, strlen(id) + 1);
	v->time_ns = p.time_ns;
	v->size = p.size;
	v->checksum = p.checksum;
	return 0;
}
