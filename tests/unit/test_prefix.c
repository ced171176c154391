/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_prefix.c - addresses and prefixes: parsing, host bits, matching
 * (IPv4, IPv6, IPv4-mapped), text forms, and hostile strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "prefix.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

struct parse_case {
	const char *in;
	int ok;			/* expected nbg_prefix_parse() == 0 */
	const char *text;	/* nbg_prefix_str() when ok, the error when not */
	unsigned bits;		/* when ok */
	int v4;			/* when ok */
};

static const struct parse_case parse_cases[] = {
	{ "10.0.0.0/8", 1, "10.0.0.0/8", 104, 1 },
	{ "10.1.2.3", 1, "10.1.2.3/32", 128, 1 },
	{ "10.1.2.3/32", 1, "10.1.2.3/32", 128, 1 },
	{ "0.0.0.0/0", 1, "0.0.0.0/0", 96, 1 },
	{ "192.0.2.128/25", 1, "192.0.2.128/25", 121, 1 },
	{ "10.0.0.0/08", 1, "10.0.0.0/8", 104, 1 },
	{ "2001:db8::/32", 1, "2001:db8::/32", 32, 0 },
	{ "2001:DB8::/32", 1, "2001:db8::/32", 32, 0 },
	{ "2001:db8::1", 1, "2001:db8::1/128", 128, 0 },
	{ "2001:db8::1/128", 1, "2001:db8::1/128", 128, 0 },
	{ "::/0", 1, "::/0", 0, 0 },
	{ "::1", 1, "::1/128", 128, 0 },
	{ "::ffff:10.0.0.0/104", 1, "10.0.0.0/8", 104, 1 },
	{ "::ffff:0:0/96", 1, "0.0.0.0/0", 96, 1 },
	{ "fe80::/10", 1, "fe80::/10", 10, 0 },
	{ "fe80::%eth0/64", 1, "fe80::/64", 64, 0 },
	{ "fe80::1%eth0", 1, "fe80::1/128", 128, 0 },
	{ "2001:db8:8000::/33", 1, "2001:db8:8000::/33", 33, 0 },
	/* host bits */
	{ "10.0.0.1/8", 0, "10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?", 0, 0 },
	{ "192.0.2.1/24", 0, "192.0.2.1/24 has host bits set; did you mean 192.0.2.0/24?", 0, 0 },
	{ "10.128.0.0/1", 0, "10.128.0.0/1 has host bits set; did you mean 0.0.0.0/1?", 0, 0 },
	{ "2001:db8::1/32", 0,
	    "2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?", 0, 0 },
	{ "::1/0", 0, "::1/0 has host bits set; did you mean ::/0?", 0, 0 },
	{ "::ffff:10.0.0.0/8", 0,
	    "::ffff:10.0.0.0/8 has host bits set; did you mean ::/8?", 0, 0 },
	{ "2001:db8:c000::/33", 0,
	    "2001:db8:c000::/33 has host bits set; did you mean 2001:db8:8000::/33?", 0, 0 },
	/* lengths */
	{ "10.0.0.0/33", 0, "'10.0.0.0/33': the prefix length must be 0 to 32 for IPv4", 0, 0 },
	{ "::/129", 0, "'::/129': the prefix length must be 0 to 128 for IPv6", 0, 0 },
	{ "10.0.0.0/", 0, "'10.0.0.0/': the prefix length must be 0 to 32 for IPv4", 0, 0 },
	{ "10.0.0.0/-1", 0, "'10.0.0.0/-1': the prefix length must be 0 to 32 for IPv4", 0, 0 },
	{ "10.0.0.0/+8", 0, "'10.0.0.0/+8': the prefix length must be 0 to 32 for IPv4", 0, 0 },
	{ "10.0.0.0/0008", 0,
	    "'10.0.0.0/0008': the prefix length must be 0 to 32 for IPv4", 0, 0 },
	{ "10.0.0.0/8/8", 0, "'10.0.0.0/8/8': the prefix length must be 0 to 32 for IPv4", 0, 0 },
	{ "10.0.0.0/ 8", 0, "'10.0.0.0/ 8': the prefix length must be 0 to 32 for IPv4", 0, 0 },
	/* garbage */
	{ "", 0, "empty prefix", 0, 0 },
	{ "/8", 0, "'/8' is not an IP address or prefix", 0, 0 },
	{ "010.0.0.0/8", 0, "'010.0.0.0/8' is not an IP address or prefix", 0, 0 },
	{ "1.2.3", 0, "'1.2.3' is not an IP address or prefix", 0, 0 },
	{ "1.2.3.4.5", 0, "'1.2.3.4.5' is not an IP address or prefix", 0, 0 },
	{ "256.0.0.0", 0, "'256.0.0.0' is not an IP address or prefix", 0, 0 },
	{ " 10.0.0.0", 0, "' 10.0.0.0' is not an IP address or prefix", 0, 0 },
	{ "10.0.0.0 ", 0, "'10.0.0.0 ' is not an IP address or prefix", 0, 0 },
	{ "example.com", 0, "'example.com' is not an IP address or prefix", 0, 0 },
	{ "1:2:3:4:5:6:7:8:9", 0, "'1:2:3:4:5:6:7:8:9' is not an IP address or prefix", 0, 0 },
	{ ":::", 0, "':::' is not an IP address or prefix", 0, 0 },
	{ "10.0.0.1%eth0", 0, "'10.0.0.1%eth0' is not an IP address or prefix", 0, 0 },
	{ "fe80::1%", 0, "'fe80::1%' is not an IP address or prefix", 0, 0 },
	{ "0x0a.0.0.0", 0, "'0x0a.0.0.0' is not an IP address or prefix", 0, 0 },
	{ "0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000/128", 0,
	    "'0000:0000:0000:0000:0000...' is too long for an IP address or prefix", 0, 0 },
};

static void test_prefix_parse(void **state)
{
	const struct parse_case *c;
	struct nbg_prefix p;
	char err[160], buf[NBG_ADDR_STRLEN];
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < N(parse_cases); i++) {
		c = &parse_cases[i];
		memset(&p, 0xa5, sizeof(p));
		r = nbg_prefix_parse(c->in, &p, err, sizeof(err));
		if ((r == 0) != (c->ok != 0))
			fail_msg("'%s': parse returned %d (%s)", c->in, r, err);
		if (!c->ok) {
			if (strcmp(err, c->text) != 0)
				fail_msg("'%s': error '%s', expected '%s'", c->in, err, c->text);
			continue;
		}
		nbg_prefix_str(&p, buf, sizeof(buf));
		if (strcmp(buf, c->text) != 0 || p.bits != c->bits || p.addr.v4 != (c->v4 != 0))
			fail_msg("'%s': got %s bits %u v4 %d, expected %s bits %u v4 %d", c->in,
			    buf, p.bits, p.addr.v4, c->text, c->bits, c->v4);
	}
}

static void test_prefix_parse_hostile(void **state)
{
	static char big[5001];
	struct nbg_prefix p;
	char err[160];

	(void)state;
	memset(big, '1', 5000);
	big[5000] = '\0';
	assert_int_equal(nbg_prefix_parse(big, &p, err, sizeof(err)), -1);
	assert_string_equal(err, "'111111111111111111111111...' is too long for an IP address "
	    "or prefix");
	/* A zone is dropped, whatever its length, up to the address text limit. */
	memset(big, 'a', 5000);
	memcpy(big, "fe80::1%", 8);
	big[NBG_ADDR_STRLEN - 1] = '\0';
	assert_int_equal(nbg_prefix_parse(big, &p, err, sizeof(err)), 0);
	assert_int_equal(p.bits, 128);
	big[NBG_ADDR_STRLEN - 1] = 'a';
	big[NBG_ADDR_STRLEN] = '\0';
	assert_int_equal(nbg_prefix_parse(big, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is not an IP address or prefix"));
	big[NBG_ADDR_STRLEN] = 'a';
	big[NBG_ADDR_STRLEN + 4] = '\0';
	assert_int_equal(nbg_prefix_parse(big, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is too long"));
	/* No error buffer, a tiny one, NULL arguments. */
	assert_int_equal(nbg_prefix_parse("10.0.0.1/8", &p, NULL, 0), -1);
	assert_int_equal(nbg_prefix_parse("10.0.0.1/8", &p, err, 4), -1);
	assert_string_equal(err, "10.");
	assert_int_equal(nbg_prefix_parse(NULL, &p, err, sizeof(err)), -1);
	assert_int_equal(nbg_prefix_parse("10.0.0.0/8", NULL, err, sizeof(err)), -1);
	assert_int_equal(nbg_prefix_parse("10.0.0.0/8", &p, NULL, 0), 0);
}

struct match_case {
	const char *prefix;
	const char *addr;
	int in;
};

static const struct match_case match_cases[] = {
	{ "10.0.0.0/8", "10.1.2.3", 1 },
	{ "10.0.0.0/8", "10.255.255.255", 1 },
	{ "10.0.0.0/8", "11.0.0.0", 0 },
	{ "10.0.0.0/8", "9.255.255.255", 0 },
	{ "10.0.0.0/8", "::ffff:10.1.2.3", 1 },
	{ "10.0.0.0/8", "::ffff:11.1.2.3", 0 },
	{ "10.0.0.0/8", "::10.1.2.3", 0 },		/* IPv4-compatible, not mapped */
	{ "10.0.0.0/8", "2001:db8::a01:203", 0 },
	{ "10.0.0.0/9", "10.127.255.255", 1 },
	{ "10.0.0.0/9", "10.128.0.0", 0 },
	{ "0.0.0.0/0", "192.0.2.1", 1 },
	{ "0.0.0.0/0", "::ffff:192.0.2.1", 1 },
	{ "0.0.0.0/0", "2001:db8::1", 0 },
	{ "192.0.2.1/32", "192.0.2.1", 1 },
	{ "192.0.2.1/32", "192.0.2.2", 0 },
	{ "192.0.2.1", "192.0.2.1", 1 },
	{ "::ffff:10.0.0.0/104", "10.9.8.7", 1 },
	{ "::/0", "2001:db8::1", 1 },
	{ "::/0", "::", 1 },
	{ "::/0", "10.0.0.1", 1 },	/* all addresses, IPv4 included */
	{ "2001:db8::/32", "2001:db8:ffff::1", 1 },
	{ "2001:db8::/32", "2001:db9::", 0 },
	{ "2001:db8::/32", "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", 0 },
	{ "2001:db8:8000::/33", "2001:db8:8000::1", 1 },
	{ "2001:db8:8000::/33", "2001:db8:7fff::1", 0 },
	{ "2001:db8::1/128", "2001:db8::1", 1 },
	{ "2001:db8::1/128", "2001:db8::2", 0 },
	{ "fe80::/10", "fe80::1%eth0", 1 },
	{ "fe80::/10", "febf::1", 1 },
	{ "fe80::/10", "fec0::1", 0 },
};

static void test_prefix_contains(void **state)
{
	const struct match_case *c;
	struct nbg_prefix p;
	struct nbg_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < N(match_cases); i++) {
		c = &match_cases[i];
		if (nbg_prefix_parse(c->prefix, &p, NULL, 0) != 0)
			fail_msg("prefix '%s' does not parse", c->prefix);
		if (nbg_addr_parse(c->addr, &a) != 0)
			fail_msg("address '%s' does not parse", c->addr);
		if (nbg_prefix_contains(&p, &a) != (c->in != 0))
			fail_msg("%s contains %s: expected %d", c->prefix, c->addr, c->in);
	}
	assert_false(nbg_prefix_contains(NULL, &a));
	assert_false(nbg_prefix_contains(&p, NULL));
	p.bits = 129;
	assert_false(nbg_prefix_contains(&p, &a));
}

struct addr_case {
	const char *in;
	int ok;
	const char *text;
	int v4;
};

static const struct addr_case addr_cases[] = {
	{ "10.1.2.3", 1, "10.1.2.3", 1 },
	{ "::ffff:10.1.2.3", 1, "10.1.2.3", 1 },
	{ "::FFFF:a01:203", 1, "10.1.2.3", 1 },
	{ "2001:db8::1", 1, "2001:db8::1", 0 },
	{ "2001:0db8:0000:0000:0000:0000:0000:0001", 1, "2001:db8::1", 0 },
	{ "fe80::1%eth0", 1, "fe80::1", 0 },
	{ "fe80::1%25", 1, "fe80::1", 0 },
	{ "::", 1, "::", 0 },
	{ "::1", 1, "::1", 0 },
	{ "0.0.0.0", 1, "0.0.0.0", 1 },
	{ "255.255.255.255", 1, "255.255.255.255", 1 },
	{ "", 0, NULL, 0 },
	{ "10.1.2", 0, NULL, 0 },
	{ "10.1.2.3/32", 0, NULL, 0 },
	{ "localhost", 0, NULL, 0 },
	{ "10.1.2.3%eth0", 0, NULL, 0 },
	{ "%eth0", 0, NULL, 0 },
	{ "2001:db8::1%", 0, NULL, 0 },
	{ "[2001:db8::1]", 0, NULL, 0 },
	{ "2001:db8::1 ", 0, NULL, 0 },
	{ "1.2.3.04", 0, NULL, 0 },
	{ "1.2.3.4\n", 0, NULL, 0 },
};

static void test_addr(void **state)
{
	const struct addr_case *c;
	struct nbg_addr a;
	char buf[NBG_ADDR_STRLEN], big[300];
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < N(addr_cases); i++) {
		c = &addr_cases[i];
		r = nbg_addr_parse(c->in, &a);
		if ((r == 0) != (c->ok != 0))
			fail_msg("'%s': parse returned %d", c->in, r);
		if (!c->ok)
			continue;
		nbg_addr_str(&a, buf, sizeof(buf));
		if (strcmp(buf, c->text) != 0 || a.v4 != (c->v4 != 0))
			fail_msg("'%s': got %s v4 %d, expected %s v4 %d", c->in, buf, a.v4,
			    c->text, c->v4);
	}
	memset(big, '1', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(nbg_addr_parse(big, &a), -1);
	assert_int_equal(nbg_addr_parse(NULL, &a), -1);
	assert_int_equal(nbg_addr_parse("10.0.0.1", NULL), -1);
}

static void test_str_buffers(void **state)
{
	struct nbg_prefix p;
	struct nbg_addr a;
	char buf[8];

	(void)state;
	assert_int_equal(nbg_addr_parse("192.0.2.123", &a), 0);
	assert_string_equal(nbg_addr_str(&a, buf, sizeof(buf)), "192.0.2");
	assert_string_equal(nbg_addr_str(&a, buf, 0), "");
	assert_string_equal(nbg_addr_str(&a, NULL, 10), "");
	assert_string_equal(nbg_addr_str(NULL, buf, sizeof(buf)), "?");
	assert_int_equal(nbg_prefix_parse("2001:db8::/32", &p, NULL, 0), 0);
	assert_string_equal(nbg_prefix_str(&p, buf, sizeof(buf)), "2001:db");
	assert_string_equal(nbg_prefix_str(NULL, buf, sizeof(buf)), "?");
	p.bits = 200;
	assert_string_equal(nbg_prefix_str(&p, buf, sizeof(buf)), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_parse),
		cmocka_unit_test(test_prefix_parse_hostile),
		cmocka_unit_test(test_prefix_contains),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_str_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
