/* SPDX-License-Identifier: MIT */
/* fuzz_id.c - the id grammars (spec/format.md, section 3; format 2's
 * numbers, spec/format2.md, section 3).
 *
 * For any string: statusdir_id_parse() agrees with a reference parser of
 * each grammar written here from it alone (a format-1 id or a number),
 * statusdir__id_valid() with the format-1 one, and a valid id parses into the same fields and formats back to
 * exactly the same bytes.  From any field values: statusdir__id_format()
 * gives a valid id that parses back to them, and ids order by time. */
#include "internal.h"

#include "fuzz.h"

#include <errno.h>
#include <stdbool.h>

/* ---- the reference parser, from the ABNF of spec/format.md ---- */

struct ref_id {
	int64_t time_ns;
	uint8_t unique[16];
	uint64_t size;
	uint64_t checksum;
};

static bool ref_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int ref_hexval(char c)
{
	if (ref_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* uppercase is not LOWERHEX */
}

/* n digits at s as a number no greater than the n-digit string max (equal
 * widths compare like numbers). */
static bool ref_fixed_dec(const char *s, size_t n, const char *max, uint64_t *v)
{
	uint64_t x = 0;
	for (size_t i = 0; i < n; i++) {
		if (!ref_digit(s[i]))
			return false;
		x = x * 10 + (uint64_t)(s[i] - '0');
	}
	if (strlen(max) == n && strncmp(s, max, n) > 0)
		return false;
	*v = x;
	return true;
}

static bool ref_hex(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++)
		if (ref_hexval(s[i]) < 0)
			return false;
	for (size_t i = 0; i + 1 < n; i += 2)
		out[i / 2] = (uint8_t)(ref_hexval(s[i]) << 4 | ref_hexval(s[i + 1]));
	return true;
}

static bool ref_parse(const char *s, struct ref_id *id)
{
	uint64_t t;
	uint8_t sum[8];
	/* TIME = 19 DIGIT, <= 9223372036854775807 */
	if (strnlen(s, 19) < 19 || !ref_fixed_dec(s, 19, "9223372036854775807", &t))
		return false;
	id->time_ns = (int64_t)t;
	s += 19;
	/* "." UNIQUE = 32 LOWERHEX "." */
	if (*s++ != '.' || strnlen(s, 32) < 32 || !ref_hex(s, 32, id->unique))
		return false;
	s += 32;
	if (*s++ != '.')
		return false;
	/* SIZE = "0" / NZDIGIT *19DIGIT, <= 18446744073709551615 */
	size_t n = 0;
	while (ref_digit(s[n]))
		n++;
	if (n == 0 || n > 20 || (n > 1 && s[0] == '0') ||
	    !ref_fixed_dec(s, n, "18446744073709551615", &id->size))
		return false;
	s += n;
	/* "." SUM = 16 LOWERHEX, and nothing after it */
	if (*s++ != '.' || strnlen(s, 17) != 16 || !ref_hex(s, 16, sum))
		return false;
	id->checksum = 0;
	for (int i = 0; i < 8; i++)
		id->checksum = id->checksum << 8 | sum[i];
	return true;
}

/* NUMBER = 20 DIGIT, from 1 to 9223372036854775807 */
static bool ref_number_id(const char *s)
{
	uint64_t n;
	return strnlen(s, 21) == 20 && ref_fixed_dec(s, 20, "09223372036854775807", &n) &&
	       n > 0;
}

/* ---- properties ---- */

static void check_string(const char *s)
{
	struct ref_id ref;
	struct statusdir_version v;
	memset(&v, 0xa5, sizeof(v));
	bool want = ref_parse(s, &ref), number = ref_number_id(s);
	int r = statusdir_id_parse(s, &v);
	FUZZ_CHECK(r == 0 || r == -EINVAL, "statusdir_id_parse returned %d", r);
	FUZZ_CHECK((r == 0) == (want || number), "'%s': parse %d, grammars say %s", s, r,
	           want || number ? "valid" : "invalid");
	FUZZ_CHECK(statusdir__id_valid(s) == want, "'%s': id_valid disagrees", s);
	FUZZ_CHECK(statusdir_id_parse(s, NULL) == r, "'%s': parse with NULL differs", s);
	FUZZ_CHECK(statusdir__number_parse(s, NULL) == number, "'%s': number_parse disagrees", s);
	if (number) /* the fields are the version's own, not the id's */
		FUZZ_CHECK(strcmp(v.id, s) == 0 && v.time_ns == 0 && v.size == 0 && v.checksum == 0,
		           "'%s': a number's fields are not empty", s);
	if (!want)
		return;
	FUZZ_CHECK(strlen(s) <= STATUSDIR_ID_MAX, "'%s' is longer than STATUSDIR_ID_MAX", s);
	FUZZ_CHECK(strcmp(v.id, s) == 0 && v.time_ns == ref.time_ns &&
	           v.size == ref.size && v.checksum == ref.checksum && v.in_head == 0,
	           "'%s': fields differ from the grammar's", s);
	/* round trip: the canonical grammar has one spelling per id */
	struct id_parts p = { .time_ns = ref.time_ns, .size = ref.size,
	                      .checksum = ref.checksum };
	memcpy(p.unique, ref.unique, 16);
	char again[STATUSDIR_ID_SIZE];
	statusdir__id_format(&p, again);
	FUZZ_CHECK(strcmp(again, s) == 0, "'%s' formats back as '%s'", s, again);
}

static void parts_from(struct fuzz_in *in, struct id_parts *p)
{
	p->time_ns = (int64_t)(fuzz_u64(in) & (uint64_t)INT64_MAX);
	for (int i = 0; i < 16; i++)
		p->unique[i] = fuzz_u8(in);
	p->size = fuzz_u64(in);
	p->checksum = fuzz_u64(in);
	/* small values too, where the digits of TIME and SIZE change width */
	uint8_t shape = fuzz_u8(in);
	if (shape & 1)
		p->time_ns %= 1000;
	if (shape & 2)
		p->size %= 1000;
}

static void check_parts(const struct id_parts *p, char out[STATUSDIR_ID_SIZE])
{
	struct statusdir_version v;
	statusdir__id_format(p, out);
	FUZZ_CHECK(statusdir_id_parse(out, &v) == 0, "formatted id '%s' does not parse", out);
	FUZZ_CHECK(v.time_ns == p->time_ns && v.size == p->size && v.checksum == p->checksum,
	           "'%s' parses to other fields", out);
	check_string(out);
}

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

/* Byte order of ids is time order (the newest is the greatest name). */
static void check_order(struct fuzz_in *in)
{
	struct id_parts a, b;
	char ia[STATUSDIR_ID_SIZE], ib[STATUSDIR_ID_SIZE];
	parts_from(in, &a);
	parts_from(in, &b);
	if (fuzz_u8(in) & 1)
		b.time_ns = a.time_ns; /* then the unique part decides */
	check_parts(&a, ia);
	check_parts(&b, ib);
	int c = statusdir__id_cmp(ia, ib);
	FUZZ_CHECK(sign(c) == -sign(statusdir__id_cmp(ib, ia)), "id_cmp is not antisymmetric");
	if (a.time_ns != b.time_ns)
		FUZZ_CHECK(sign(c) == (a.time_ns < b.time_ns ? -1 : 1),
		           "'%s' and '%s' order against their times", ia, ib);
	else
		FUZZ_CHECK(sign(c) == sign(memcmp(a.unique, b.unique, 16)) ||
		           memcmp(a.unique, b.unique, 16) == 0,
		           "equal times: '%s' and '%s' not ordered by the unique part", ia, ib);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_strndup(data, size);
	check_string(s);
	free(s);
	struct fuzz_in in = { data, size };
	check_order(&in);
	return 0;
}
