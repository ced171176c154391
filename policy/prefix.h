/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prefix.h - IP addresses and prefixes (IPv4, IPv6, IPv4-mapped IPv6).
 *
 * Addresses are kept in one 16-byte form: IPv4 as ::ffff:a.b.c.d, so an
 * IPv4 prefix matches both a plain IPv4 peer and an IPv4-mapped IPv6 peer.
 */
#ifndef NBG_PREFIX_H
#define NBG_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nbg_addr {
	uint8_t a[16];		/* IPv4 stored as IPv4-mapped IPv6 */
	bool v4;		/* true when the address is IPv4 (or mapped) */
};

struct nbg_prefix {
	struct nbg_addr addr;	/* host bits cleared */
	unsigned bits;		/* 0..128, counted in the 16-byte form */
};

/*
 * Parse a numeric address ("10.1.2.3", "2001:db8::1", "::ffff:10.1.2.3",
 * "fe80::1%eth0" with the zone dropped).  No name resolution.
 * Returns 0 or -1.
 */
int nbg_addr_parse(const char *s, struct nbg_addr *out);

/*
 * Parse "ADDR/LEN" or a bare ADDR (a host prefix).  The host part must be
 * zero ("10.0.0.1/8" is refused) so an admin's typo is not silently widened.
 * On failure returns -1 and puts a short reason in err.
 */
int nbg_prefix_parse(const char *s, struct nbg_prefix *out, char *err, size_t errlen);

bool nbg_prefix_contains(const struct nbg_prefix *p, const struct nbg_addr *a);

/* Text forms; buf of at least NBG_ADDR_STRLEN bytes. */
#define NBG_ADDR_STRLEN 64
const char *nbg_addr_str(const struct nbg_addr *a, char *buf, size_t len);
const char *nbg_prefix_str(const struct nbg_prefix *p, char *buf, size_t len);

#endif
