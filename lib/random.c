/* SPDX-License-Identifier: MIT */
/* random.c - the 16 random bytes a put draws for its tmp/ name and the
 * unique part of its id.
 *
 * getrandom(2) is one syscall.  Where it is missing or not yet seeded
 * (early in boot) the bytes come from /dev/urandom, and failing that from
 * the clocks, the pid and an address, mixed: what libuuid does in the same
 * case, without linking libuuid into every process. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_SYS_RANDOM_H
#include <sys/random.h>
#endif

static bool draw_getrandom(uint8_t out[16])
{
#ifdef HAVE_GETRANDOM
	size_t got = 0;
	while (got < 16) {
		/* GRND_NONBLOCK: early in boot, fall back rather than wait */
		ssize_t n = getrandom(out + got, 16 - got, GRND_NONBLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
#else
	(void)out;
	return false;
#endif
}

static bool draw_urandom(uint8_t out[16])
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return false;
	ssize_t n = statusdir__read_full(fd, out, 16);
	statusdir__close(fd);
	return n == 16;
}

/* SplitMix64: a handle's state, one step. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* 16 bytes: two steps of SplitMix64 from state. */
static void splitmix16(uint64_t *state, uint8_t out[16])
{
	for (int i = 0; i < 2; i++) {
		uint64_t x = splitmix64(state);
		memcpy(out + 8 * i, &x, sizeof(x));
	}
}

void statusdir__random16_handle(statusdir *sd, uint8_t out[16])
{
	pid_t pid = statusdir__pid(sd);
	if (!sd->rng_seeded || sd->rng_pid != pid) {
		uint8_t seed[16];
		statusdir__random16(seed);
		memcpy(&sd->rng_state, seed, sizeof(sd->rng_state));
		sd->rng_pid = pid;
		sd->rng_seeded = true;
	}
	splitmix16(&sd->rng_state, out);
}

/* The last resort: unique in practice (the nanosecond clocks, which move
 * between two draws, the pid and where the caller's buffer is), not
 * unpredictable. */
static void draw_clocks(uint8_t out[16])
{
	struct timespec real = { 0 }, mono = { 0 };
	(void)clock_gettime(CLOCK_REALTIME, &real);
	(void)clock_gettime(CLOCK_MONOTONIC, &mono);
	uint64_t state = (uint64_t)real.tv_sec * 1000000000u + (uint64_t)real.tv_nsec;
	state ^= ((uint64_t)mono.tv_sec * 1000000000u + (uint64_t)mono.tv_nsec) << 1;
	state ^= (uint64_t)getpid() << 40 ^ (uint64_t)(uintptr_t)out;
	splitmix16(&state, out);
}

void statusdir__random16(uint8_t out[16])
{
	if (!draw_getrandom(out) && !draw_urandom(out))
		draw_clocks(out);
	/* the bits of a version 4 UUID: 122 random bits (spec/format.md) */
	out[6] = (uint8_t)((out[6] & 0x0F) | 0x40);
	out[8] = (uint8_t)((out[8] & 0x3F) | 0x80);
}
