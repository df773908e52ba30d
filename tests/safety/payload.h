/* SPDX-License-Identifier: MIT */
/* payload.h - self-validating payloads for the safety tests.
 *
 * A payload is a header line "statusdir-test W SEQ LEN HASH\n" followed by
 * LEN bytes derived from (W, SEQ).  HASH is FNV-1a 64 of those bytes: a
 * different function from the library's XXH3, so a bug in one cannot hide
 * a bug in the other.  Any torn, truncated, mixed or zeroed payload fails
 * payload_check(). */
#ifndef STATUSDIR_TEST_PAYLOAD_H
#define STATUSDIR_TEST_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#define PAYLOAD_HEADER_MAX 96

/* Writes the payload of writer w, sequence seq, with a body of len bytes,
 * into buf (cap >= len + PAYLOAD_HEADER_MAX); returns its total size. */
size_t payload_make(char *buf, size_t cap, unsigned w, uint64_t seq, size_t len);

/* 0 if buf[0..n) is a complete, valid payload (and fills *w, *seq);
 * -1 otherwise, with a reason in why. */
int payload_check(const char *buf, size_t n, unsigned *w, uint64_t *seq,
                  const char **why);

#endif
