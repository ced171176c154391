/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prefix.c - IP addresses and prefixes in one 16-byte form.
 *
 * inet_pton(3) does the parsing (numeric only, never a name lookup).  IPv4
 * is kept as ::ffff:a.b.c.d, so an IPv4 prefix such as 10.0.0.0/8 is
 * ::ffff:10.0.0.0/104 here and matches a plain IPv4 peer and an IPv4-mapped
 * IPv6 peer alike.  Prefix lengths written after an IPv4 address count IPv4
 * bits (0..32); after an IPv6 address, IPv6 bits (0..128).
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <stdio.h>
#include <string.h>

#include "prefix.h"

/* Longest text we look at: an address, a "%zone" and a "/128". */
#define PREFIX_TEXT_MAX	(NBG_ADDR_STRLEN + 4)

static const uint8_t v4mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

static bool is_mapped(const uint8_t a[16])
{
	return memcmp(a, v4mapped, sizeof(v4mapped)) == 0;
}

/* Parse a NUL-terminated numeric address of at most NBG_ADDR_STRLEN - 1 bytes. */
static int addr_parse(const char *text, struct nbg_addr *out, bool *text_v4)
{
	char buf[NBG_ADDR_STRLEN];
	struct in6_addr in6;
	struct in_addr in4;
	struct nbg_addr a;
	size_t len;
	char *zone;
	int r = -1;

	len = strnlen(text, sizeof(buf));
	if (len == 0 || len >= sizeof(buf))
		goto out;
	memcpy(buf, text, len + 1);
	memset(&a, 0, sizeof(a));
	/* A zone ("%eth0") only follows an IPv6 address; it is dropped. */
	if ((zone = strchr(buf, '%')) != NULL) {
		if (zone[1] == '\0' || memchr(buf, ':', (size_t)(zone - buf)) == NULL)
			goto out;
		*zone = '\0';
	}
	if (zone == NULL && inet_pton(AF_INET, buf, &in4) == 1) {
		memcpy(a.a, v4mapped, sizeof(v4mapped));
		memcpy(a.a + 12, &in4.s_addr, 4);
		a.v4 = true;
		*text_v4 = true;
	} else if (inet_pton(AF_INET6, buf, &in6) == 1) {
		memcpy(a.a, in6.s6_addr, 16);
		a.v4 = is_mapped(a.a);
		*text_v4 = false;
	} else
		goto out;
	*out = a;
	r = 0;
 out:
	return r;
}

int nbg_addr_parse(const char *s, struct nbg_addr *out)
{
	bool text_v4 = false;

	if (s == NULL || out == NULL)
		return -1;
	return addr_parse(s, out, &text_v4);
}

/* Prefix length: 1 to 3 decimal digits, at most max. */
static int parse_len(const char *s, unsigned max, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 3 || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(s[i] - '0');
	}
	if (i == 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

static void clear_host_bits(uint8_t a[16], unsigned bits)
{
	unsigned i;

	for (i = 0; i < 16; i++) {
		if (bits >= 8)
			bits -= 8;
		else {
			a[i] &= (uint8_t)(0xff00u >> bits);
			bits = 0;
		}
	}
}

int nbg_prefix_parse(const char *s, struct nbg_prefix *out, char *err, size_t errlen)
{
	char buf[PREFIX_TEXT_MAX], sugg[NBG_ADDR_STRLEN];
	char dummy[1];
	struct nbg_prefix p;
	struct nbg_addr given;
	bool text_v4 = false;
	unsigned len;
	size_t n;
	char *slash;
	int r = -1;

	if (err == NULL || errlen == 0) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	if (s == NULL || out == NULL) {
		snprintf(err, errlen, "no prefix given");
		goto out;
	}
	n = strnlen(s, sizeof(buf));
	if (n == 0) {
		snprintf(err, errlen, "empty prefix");
		goto out;
	}
	if (n >= sizeof(buf)) {
		snprintf(err, errlen, "'%.24s...' is too long for an IP address or prefix", s);
		goto out;
	}
	memcpy(buf, s, n + 1);
	if ((slash = strchr(buf, '/')) != NULL)
		*slash = '\0';
	if (addr_parse(buf, &given, &text_v4) != 0) {
		snprintf(err, errlen, "'%s' is not an IP address or prefix", s);
		goto out;
	}
	if (slash == NULL)
		len = text_v4 ? 32 : 128;
	else if (parse_len(slash + 1, text_v4 ? 32 : 128, &len) != 0) {
		snprintf(err, errlen, "'%s': the prefix length must be 0 to %u for %s", s,
		    text_v4 ? 32 : 128, text_v4 ? "IPv4" : "IPv6");
		goto out;
	}
	memset(&p, 0, sizeof(p));
	p.addr = given;
	p.bits = text_v4 ? 96 + len : len;
	clear_host_bits(p.addr.a, p.bits);
	p.addr.v4 = is_mapped(p.addr.a) && p.bits >= 96;
	if (memcmp(given.a, p.addr.a, sizeof(given.a)) != 0) {
		snprintf(err, errlen, "%s has host bits set; did you mean %s?", s,
		    nbg_prefix_str(&p, sugg, sizeof(sugg)));
		goto out;
	}
	*out = p;
	r = 0;
 out:
	return r;
}

bool nbg_prefix_contains(const struct nbg_prefix *p, const struct nbg_addr *a)
{
	unsigned full, rem;
	uint8_t mask;

	if (p == NULL || a == NULL || p->bits > 128)
		return false;
	full = p->bits / 8;
	rem = p->bits % 8;
	if (memcmp(p->addr.a, a->a, full) != 0)
		return false;
	if (rem == 0)
		return true;
	mask = (uint8_t)(0xff00u >> rem);
	return (a->a[full] & mask) == p->addr.a[full];
}

const char *nbg_addr_str(const struct nbg_addr *a, char *buf, size_t len)
{
	char tmp[INET6_ADDRSTRLEN];

	if (buf == NULL || len == 0)
		return "";
	if (a == NULL)
		snprintf(buf, len, "?");
	else if (is_mapped(a->a))
		snprintf(buf, len, "%u.%u.%u.%u", a->a[12], a->a[13], a->a[14], a->a[15]);
	else if (inet_ntop(AF_INET6, a->a, tmp, sizeof(tmp)) != NULL)
		snprintf(buf, len, "%s", tmp);
	else
		snprintf(buf, len, "?");
	return buf;
}

const char *nbg_prefix_str(const struct nbg_prefix *p, char *buf, size_t len)
{
	char tmp[NBG_ADDR_STRLEN];

	if (buf == NULL || len == 0)
		return "";
	if (p == NULL || p->bits > 128) {
		snprintf(buf, len, "?");
		return buf;
	}
	nbg_addr_str(&p->addr, tmp, sizeof(tmp));
	if (is_mapped(p->addr.a) && p->bits >= 96)
		snprintf(buf, len, "%s/%u", tmp, p->bits - 96);
	else
		snprintf(buf, len, "%s/%u", tmp, p->bits);
	return buf;
}
