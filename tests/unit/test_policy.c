/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_policy.c - the policy file language: every keyword valid and
 * invalid, defaults, duplicates and conflicts, did-you-mean, limits,
 * hostile bytes, Include, the ownership and mode checks, the value
 * syntaxes and the lookup helpers.
 *
 * Most cases load a buffer and compare the printed diagnostics byte for
 * byte, so a changed message, line number or hint fails the case.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy.h"

#define N(a)	(sizeof(a) / sizeof((a)[0]))

/* Print diagnostics as `nexusbg policy check` does; caller frees. */
static char *diag_text(const struct nbg_diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	nbg_diag_print(f, d);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Load TEXT (LEN bytes, or strlen when 0) as "t.conf"; returns rc and text. */
static int load_text(const char *text, size_t len, struct nbg_policy **p, char **out)
{
	struct nbg_diag d = { NULL, 0, 0 };
	int r;

	r = nbg_policy_load_buffer("t.conf", text, len != 0 ? len : strlen(text), p, &d);
	*out = diag_text(&d);
	if (r == 0)
		assert_int_equal(d.nerrors, 0);
	else
		assert_true(d.nerrors > 0);
	nbg_diag_free(&d);
	return r;
}

struct diag_case {
	const char *name;
	const char *text;
	int rc;
	const char *expect;	/* the whole nbg_diag_print() output */
};

static void run_diag_cases(const struct diag_case *cases, size_t n)
{
	struct nbg_policy *p;
	char *got;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		p = (struct nbg_policy *)&p;
		r = load_text(cases[i].text, 0, &p, &got);
		if (r != cases[i].rc || strcmp(got, cases[i].expect) != 0) {
			print_error("case '%s': rc %d (expected %d)\n--- got:\n%s--- expected:\n%s",
			    cases[i].name, r, cases[i].rc, got, cases[i].expect);
			free(got);
			nbg_policy_free(p);
			fail();
		}
		if (r != 0 && p != NULL)
			fail_msg("case '%s': failed load left a policy", cases[i].name);
		if (r == 0 && p == NULL)
			fail_msg("case '%s': clean load returned no policy", cases[i].name);
		free(got);
		nbg_policy_free(p);
	}
}

/* ---- syntax ----------------------------------------------------------- */

static const struct diag_case syntax_cases[] = {
	{ "empty", "", 0, "" },
	{ "comments and blank lines",
	    "# a comment\n\n   # indented comment\n\t\nfabric fab-01 # trailing\n", 0, "" },
	{ "tabs separate tokens", "fabric\tfab-01\t\t\n", 0, "" },
	{ "no final newline", "fabric fab-01", 0, "" },
	{ "# inside a token is not a comment", "fabric fab#01\n", -1,
	    "t.conf:1: error: invalid fabric id 'fab#01'\n"
	    "t.conf:1:   hint: use 1 to 64 of A-Z a-z 0-9 . _ -\n" },
	{ "unknown keyword, edit distance", "trusted_sources default 10.0.0.0/8\n", -1,
	    "t.conf:1: error: unknown keyword 'trusted_sources'\n"
	    "t.conf:1:   hint: did you mean 'trusted_source'?\n" },
	{ "unknown keyword, distance 2", "\nmax_cach_ag 7d\n", -1,
	    "t.conf:2: error: unknown keyword 'max_cach_ag'\n"
	    "t.conf:2:   hint: did you mean 'max_cache_age'?\n" },
	{ "unknown keyword, unique prefix", "sync_ca /etc/ca.pem\n", -1,
	    "t.conf:1: error: unknown keyword 'sync_ca'\n"
	    "t.conf:1:   hint: did you mean 'sync_ca_file'?\n" },
	{ "unknown keyword, ambiguous prefix", "sync_client /x\n", -1,
	    "t.conf:1: error: unknown keyword 'sync_client'\n" },
	{ "unknown keyword, nothing close", "frobnicate 1\n", -1,
	    "t.conf:1: error: unknown keyword 'frobnicate'\n" },
	{ "keywords are case-sensitive", "Fabric fab-01\nROLE_TABLE /x\n", -1,
	    "t.conf:1: error: unknown keyword 'Fabric'\n"
	    "t.conf:1:   hint: keywords are case-sensitive: write 'fabric'\n"
	    "t.conf:2: error: unknown keyword 'ROLE_TABLE'\n"
	    "t.conf:2:   hint: keywords are case-sensitive: write 'role_table'\n" },
	{ "transposed letters", "role_tabel /x\n", -1,
	    "t.conf:1: error: unknown keyword 'role_tabel'\n"
	    "t.conf:1:   hint: did you mean 'role_table'?\n" },
	{ "too few arguments", "fabric\nfallback_account telcoro\nrole ops\n"
	    "access_path inband\ntrusted_source default\nkey_types\n", -1,
	    "t.conf:1: error: wrong number of arguments; expected: fabric ID\n"
	    "t.conf:2: error: wrong number of arguments; expected: fallback_account USER ROLE\n"
	    "t.conf:3: error: wrong number of arguments; expected: role NAME CAPABILITY...\n"
	    "t.conf:4: error: wrong number of arguments; expected: access_path NAME PREFIX...\n"
	    "t.conf:5: error: wrong number of arguments; expected: "
	    "trusted_source PATH PREFIX...\n"
	    "t.conf:6: error: wrong number of arguments; expected: key_types TYPE...\n" },
	{ "too many arguments", "fabric a b\nmax_cache_age 7 d\nfallback_account a reader x\n"
	    "Include a b\n", -1,
	    "t.conf:1: error: wrong number of arguments; expected: fabric ID\n"
	    "t.conf:2: error: wrong number of arguments; expected: max_cache_age DURATION\n"
	    "t.conf:3: error: wrong number of arguments; expected: fallback_account USER ROLE\n"
	    "t.conf:4: error: wrong number of arguments; expected: Include GLOB\n" },
	{ "Include from memory", "Include /etc/nexusbg/policy.d/*.conf\ninclude x\n", -1,
	    "t.conf:1: error: Include is not allowed in a policy read from memory\n"
	    "t.conf:2: error: Include is not allowed in a policy read from memory\n" },
	{ "parsing goes on after errors", "bogus\nfabric a/b\nmax_cache_age 0\nfabric c\n", -1,
	    "t.conf:1: error: unknown keyword 'bogus'\n"
	    "t.conf:2: error: invalid fabric id 'a/b'\n"
	    "t.conf:2:   hint: use 1 to 64 of A-Z a-z 0-9 . _ -\n"
	    "t.conf:3: error: max_cache_age 0 is out of range (1s to 365d)\n"
	    "t.conf:4: error: duplicate setting 'fabric' (first set at t.conf:2)\n" },
};

static void test_syntax(void **state)
{
	(void)state;
	run_diag_cases(syntax_cases, N(syntax_cases));
}

/* ---- hostile bytes ------------------------------------------------------ */

static const struct diag_case bytes_cases[] = {
	{ "valid UTF-8 in a comment", "# caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91\n", 0, "" },
	{ "truncated UTF-8", "fabric x\n# caf\xc3\n", -1,
	    "t.conf:2: error: line is not valid UTF-8 (byte 0xc3 at column 6)\n" },
	{ "overlong UTF-8", "# \xc0\xaf\n", -1,
	    "t.conf:1: error: line is not valid UTF-8 (byte 0xc0 at column 3)\n" },
	{ "UTF-8 surrogate", "# \xed\xa0\x80\n", -1,
	    "t.conf:1: error: line is not valid UTF-8 (byte 0xed at column 3)\n" },
	{ "beyond U+10FFFF", "# \xf4\x90\x80\x80\n", -1,
	    "t.conf:1: error: line is not valid UTF-8 (byte 0xf4 at column 3)\n" },
	{ "Latin-1", "deny_user j\xf6rg\n", -1,
	    "t.conf:1: error: line is not valid UTF-8 (byte 0xf6 at column 12)\n" },
	{ "escape sequence", "# \x1b[31mred\n", -1,
	    "t.conf:1: error: line contains control character U+001B (column 3)\n" },
	{ "DEL", "fabric a\x7f\n", -1,
	    "t.conf:1: error: line contains control character U+007F (column 9)\n" },
	{ "C1 control", "# \xc2\x85\n", -1,
	    "t.conf:1: error: line contains control character U+0085 (column 3)\n" },
	{ "bidirectional override", "# \xe2\x80\xae\n", -1,
	    "t.conf:1: error: line contains control character U+202E (column 3)\n" },
	{ "vertical tab", "fabric\va\n", -1,
	    "t.conf:1: error: line contains control character U+000B (column 7)\n" },
	{ "DOS line endings", "fabric fab-01\r\nclock_skew 1m\r\n", -1,
	    "t.conf:1: error: line contains control character U+000D (column 14)\n"
	    "t.conf:1:   hint: the file has DOS line endings; convert it with dos2unix\n"
	    "t.conf:2: error: line contains control character U+000D (column 14)\n"
	    "t.conf:2:   hint: the file has DOS line endings; convert it with dos2unix\n" },
	{ "a bad line is skipped whole", "fabric a\x01\nfabric b\n", -1,
	    "t.conf:1: error: line contains control character U+0001 (column 9)\n" },
	{ "non-ASCII in a value", "role_table /var/lib/r\xc3\xb4les.db\n", -1,
	    "t.conf:1: error: non-ASCII character outside a comment (column 22)\n"
	    "t.conf:1:   hint: keywords and values are ASCII; other characters may appear in "
	    "comments only\n" },
	{ "zero-width space in a name", "fabric x\ndeny_user mal\xe2\x80\x8blory\n", -1,
	    "t.conf:2: error: non-ASCII character outside a comment (column 14)\n"
	    "t.conf:2:   hint: keywords and values are ASCII; other characters may appear in "
	    "comments only\n" },
	{ "byte order mark", "\xef\xbb\xbf# policy\nfabric x\n", -1,
	    "t.conf:1: error: non-ASCII character outside a comment (column 1)\n"
	    "t.conf:1:   hint: the file starts with a byte order mark; save it without one\n" },
};

static void test_bytes(void **state)
{
	(void)state;
	run_diag_cases(bytes_cases, N(bytes_cases));
}

static void test_nul_bytes(void **state)
{
	static const char text[] = "fabric fab-01\nrole_table /var/lib/\0x\nclock_skew 1m\n";
	struct nbg_policy *p;
	char *got;

	(void)state;
	assert_int_equal(load_text(text, sizeof(text) - 1, &p, &got), -1);
	assert_null(p);
	assert_string_equal(got, "t.conf:2: error: line contains a NUL byte (column 21)\n");
	free(got);
	/* A buffer of NULs only. */
	assert_int_equal(load_text("\0\0\0", 3, &p, &got), -1);
	assert_string_equal(got, "t.conf:1: error: line contains a NUL byte (column 1)\n");
	free(got);
}

static void test_long_lines(void **state)
{
	static char text[2 * 5000 + 64];
	struct nbg_policy *p;
	char *got;
	size_t n;

	(void)state;
	/* 4096 bytes is the limit: a comment of exactly that length is fine. */
	memset(text, 'x', 4096);
	text[0] = '#';
	text[4096] = '\n';
	text[4097] = '\0';
	assert_int_equal(load_text(text, 0, &p, &got), 0);
	assert_string_equal(got, "");
	free(got);
	nbg_policy_free(p);
	/* 4097 bytes is not. */
	text[4096] = 'x';
	text[4097] = '\n';
	text[4098] = '\0';
	assert_int_equal(load_text(text, 0, &p, &got), -1);
	assert_string_equal(got, "t.conf:1: error: line is too long (4097 bytes; at most 4096)\n");
	free(got);
	/* A 5000-byte line between two good ones; the line count stays right. */
	n = (size_t)snprintf(text, sizeof(text), "fabric fab-01\ndeny_user ");
	memset(text + n, 'a', 5000 - 10);
	n += 5000 - 10;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "\nclock_skew 1x\n");
	assert_int_equal(load_text(text, n, &p, &got), -1);
	assert_string_equal(got,
	    "t.conf:2: error: line is too long (5000 bytes; at most 4096)\n"
	    "t.conf:3: error: invalid duration '1x' for clock_skew\n"
	    "t.conf:3:   hint: a whole number with an optional unit s, m, h, d or w "
	    "(e.g. 90s, 15m, 7d)\n");
	free(got);
}

static void test_size_limit(void **state)
{
	struct nbg_diag d = { NULL, 0, 0 };
	struct nbg_policy *p;
	char *buf, *got;

	(void)state;
	buf = malloc(NBG_POLICY_MAX_BYTES + 1);
	assert_non_null(buf);
	/* Exactly the limit: blank lines, accepted. */
	memset(buf, '\n', NBG_POLICY_MAX_BYTES + 1);
	assert_int_equal(nbg_policy_load_buffer("t.conf", buf, NBG_POLICY_MAX_BYTES, &p, &d), 0);
	assert_int_equal(d.n, 0);
	nbg_policy_free(p);
	/* One byte more: refused before any line is read. */
	assert_int_equal(nbg_policy_load_buffer("t.conf", buf, NBG_POLICY_MAX_BYTES + 1, &p, &d),
	    -1);
	assert_null(p);
	free(buf);
	got = diag_text(&d);
	assert_string_equal(got, "t.conf: error: file is too large (262145 bytes; at most 262144)\n");
	free(got);
	nbg_diag_free(&d);
	/* No buffer, and no diag at all. */
	assert_int_equal(nbg_policy_load_buffer("t.conf", NULL, 10, &p, &d), -1);
	nbg_diag_free(&d);
	assert_int_equal(nbg_policy_load_buffer("t.conf", "bogus\n", 6, &p, NULL), -1);
	assert_null(p);
	assert_int_equal(nbg_policy_load_buffer(NULL, "fabric x\n", 9, &p, NULL), 0);
	assert_non_null(p);
	assert_string_equal(p->fabric_origin.file, "(buffer)");
	nbg_policy_free(p);
}

/* Random bytes and random tokens: no crash, no leak, errors counted. */
static void test_garbage(void **state)
{
	static const char *const words[] = {
		"fabric", "role", "reader", "configure", "trusted_source", "default",
		"access_path", "10.0.0.0/8", "::/0", "#", "7d", "deny_user", "fallback_account",
		"Include", "\t", " ", "\n", "\xff", "\0", "sync_url", "https://x",
	};
	struct nbg_diag d = { NULL, 0, 0 };
	struct nbg_policy *p;
	unsigned seed = 12345;
	char buf[4096];
	size_t i, n, k;
	int r;

	(void)state;
	for (i = 0; i < 300; i++) {
		n = 0;
		while (n < sizeof(buf) - 32) {
			seed = seed * 1103515245u + 12345u;
			if (i % 2 == 0) {
				buf[n++] = (char)(seed >> 16);
				continue;
			}
			k = (seed >> 16) % N(words);
			memcpy(buf + n, words[k], strlen(words[k]) + (words[k][0] == '\0'));
			n += strlen(words[k]) + (words[k][0] == '\0');
			buf[n++] = (seed >> 8) % 3 == 0 ? '\n' : ' ';
		}
		r = nbg_policy_load_buffer("g.conf", buf, n, &p, &d);
		assert_true(r == 0 || r == -1);
		assert_true((r == 0) == (d.nerrors == 0));
		assert_true((r == 0) == (p != NULL));
		nbg_policy_free(p);
		nbg_diag_free(&d);
	}
}

/* ---- every single-value setting ---------------------------------------- */

struct value_case {
	const char *text;
	int ok;
};

static const struct value_case value_cases[] = {
	{ "fabric fab-example_01.x", 1 },
	{ "fabric 0123456789012345678901234567890123456789012345678901234567890123", 1 },
	{ "fabric 01234567890123456789012345678901234567890123456789012345678901234", 0 },
	{ "fabric fab/01", 0 },
	{ "fabric fab:01", 0 },
	{ "role_table /var/lib/nexusbg/roles.db", 1 },
	{ "role_table roles.db", 0 },
	{ "role_table /var/lib/nexusbg/", 0 },
	{ "max_cache_age 1s", 1 },
	{ "max_cache_age 365d", 1 },
	{ "max_cache_age 52w", 1 },
	{ "max_cache_age 3600", 1 },
	{ "max_cache_age 0", 0 },
	{ "max_cache_age 366d", 0 },
	{ "max_cache_age 53w", 0 },
	{ "max_cache_age 7x", 0 },
	{ "max_cache_age -1d", 0 },
	{ "max_cache_age 1.5d", 0 },
	{ "max_cache_age 7D", 0 },
	{ "stale_cache deny", 1 },
	{ "stale_cache warn", 1 },
	{ "stale_cache fallback\nfallback auto\nfallback_account a reader", 1 },
	{ "stale_cache Deny", 0 },
	{ "stale_cache allow", 0 },
	{ "clock_skew 0", 1 },
	{ "clock_skew 1d", 1 },
	{ "clock_skew 25h", 0 },
	{ "clock_skew soon", 0 },
	{ "key_types sk-ssh-ed25519@openssh.com", 1 },
	{ "key_types sk-ecdsa-sha2-nistp256@openssh.com", 1 },
	{ "key_types ssh-ed25519", 0 },
	{ "key_types ssh-rsa sk-ssh-ed25519@openssh.com", 0 },
	{ "key_types sk-ssh-ed25519-cert-v01@openssh.com", 0 },
	{ "unknown_users deny", 1 },
	{ "unknown_users ignore", 1 },
	{ "unknown_users allow", 0 },
	{ "fallback never", 1 },
	{ "fallback auto\nfallback_account a reader", 1 },
	{ "fallback always\nfallback_account a reader", 1 },
	{ "fallback sometimes", 0 },
	{ "ssh_service sshd", 1 },
	{ "ssh_service sshd sshd-inband Login_2", 1 },
	{ "ssh_service ssh/d", 0 },
	{ "account_uid_range 1000-1000", 1 },
	{ "account_uid_range 61000-61999", 1 },
	{ "account_uid_range 1000-4294967294", 1 },
	{ "account_uid_range 999-2000", 0 },
	{ "account_uid_range 0-2000", 0 },
	{ "account_uid_range 2000-1000", 0 },
	{ "account_uid_range 1000-4294967295", 0 },
	{ "account_uid_range 1000-4294967296", 0 },
	{ "account_uid_range 1000", 0 },
	{ "account_uid_range 1000-", 0 },
	{ "account_uid_range -1000", 0 },
	{ "account_uid_range 1000-2000-3000", 0 },
	{ "account_uid_range +1000-2000", 0 },
	{ "account_uid_range a-b", 0 },
	{ "accounts none", 1 },
	{ "accounts extrausers\naccount_uid_range 61000-61999", 1 },
	{ "accounts passwd", 0 },
	{ "account_gid 61000", 1 },
	{ "account_gid 1", 1 },
	{ "account_gid 0", 0 },
	{ "account_gid 4294967295", 0 },
	{ "account_gid -1", 0 },
	{ "account_gid staff", 0 },
	{ "account_shell /bin/sh", 1 },
	{ "account_shell bash", 0 },
	{ "account_shell /bin/", 0 },
	{ "account_home_base /home", 1 },
	{ "account_home_base /", 1 },
	{ "account_home_base home", 0 },
	{ "extrausers_dir /var/lib/extrausers", 1 },
	{ "extrausers_dir var/lib/extrausers", 0 },
	{ "sync_url https://cp.example.net/v1/roles", 1 },
	{ "sync_url HTTPS://cp.example.net", 1 },
	{ "sync_url https://[2001:db8::1]:8443/r", 1 },
	{ "sync_url http://cp.example.net/v1/roles", 0 },
	{ "sync_url https://", 0 },
	{ "sync_url https:///roles", 0 },
	{ "sync_url ftp://cp.example.net", 0 },
	{ "sync_url cp.example.net", 0 },
	{ "sync_ca_file /etc/nexusbg/ca.pem", 1 },
	{ "sync_ca_file ca.pem", 0 },
	{ "sync_client_cert /c\nsync_client_key /k", 1 },
	{ "sync_client_cert c\nsync_client_key /k", 0 },
	{ "sync_client_cert /c\nsync_client_key k", 0 },
	{ "sync_token_file /etc/nexusbg/token", 1 },
	{ "sync_token_file /etc/nexusbg/", 0 },
	{ "sync_proxy none", 1 },
	{ "sync_proxy http://proxy.example.net:3128", 1 },
	{ "sync_proxy socks5h://192.0.2.1:1080", 1 },
	{ "sync_proxy proxy.example.net:3128", 0 },
	{ "sync_proxy http://", 0 },
	{ "sync_proxy ftp://proxy", 0 },
	{ "sync_connect_timeout 1s", 1 },
	{ "sync_connect_timeout 1h\nsync_timeout 1h", 1 },
	{ "sync_connect_timeout 0", 0 },
	{ "sync_connect_timeout 61m", 0 },
	{ "sync_timeout 1d", 1 },
	{ "sync_timeout 10s", 1 },
	{ "sync_timeout 9s", 0 },
	{ "sync_timeout 0s", 0 },
	{ "sync_timeout 2d", 0 },
	{ "sync_max_bytes 1", 1 },
	{ "sync_max_bytes 512K", 1 },
	{ "sync_max_bytes 64M", 1 },
	{ "sync_max_bytes 67108864", 1 },
	{ "sync_max_bytes 67108865", 0 },
	{ "sync_max_bytes 0", 0 },
	{ "sync_max_bytes 65M", 0 },
	{ "sync_max_bytes 1G", 0 },
	{ "sync_max_bytes 32MB", 0 },
	{ "sync_max_bytes 1k", 0 },
	{ "sync_max_bytes 1T", 0 },
	{ "sync_retries 0", 1 },
	{ "sync_retries 10", 1 },
	{ "sync_retries 11", 0 },
	{ "sync_retries -1", 0 },
	{ "sync_retries many", 0 },
	{ "sync_retry_delay 1s", 1 },
	{ "sync_retry_delay 60s", 1 },
	{ "sync_retry_delay 1m", 1 },
	{ "sync_retry_delay 0s", 0 },
	{ "sync_retry_delay 61s", 0 },
	{ "cache_dir /var/cache/nexusbg", 1 },
	{ "cache_dir nexusbg", 0 },
};

static void test_values(void **state)
{
	struct nbg_policy *p;
	char text[256], *got;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < N(value_cases); i++) {
		snprintf(text, sizeof(text), "%s\n", value_cases[i].text);
		r = load_text(text, 0, &p, &got);
		if ((r == 0) != (value_cases[i].ok != 0))
			fail_msg("'%s': rc %d, expected %s:\n%s", value_cases[i].text, r,
			    value_cases[i].ok ? "clean" : "an error", got);
		if (value_cases[i].ok && got[0] != '\0')
			fail_msg("'%s': unexpected diagnostics:\n%s", value_cases[i].text, got);
		free(got);
		nbg_policy_free(p);
	}
}

/* The exact messages of invalid values. */
static const struct diag_case value_message_cases[] = {
	{ "fabric too long",
	    "fabric 01234567890123456789012345678901234567890123456789012345678901234\n", -1,
	    "t.conf:1: error: invalid fabric id "
	    "'01234567890123456789012345678901234567890123456789012345678901234'\n"
	    "t.conf:1:   hint: use 1 to 64 of A-Z a-z 0-9 . _ -\n" },
	{ "relative path", "role_table roles.db\n", -1,
	    "t.conf:1: error: role_table needs an absolute path, not 'roles.db'\n"
	    "t.conf:1:   hint: write the full path, starting with /\n" },
	{ "directory for a file", "sync_ca_file /etc/ssl/\n", -1,
	    "t.conf:1: error: sync_ca_file needs a file, not the directory '/etc/ssl/'\n" },
	{ "bad duration", "max_cache_age 1.5d\n", -1,
	    "t.conf:1: error: invalid duration '1.5d' for max_cache_age\n"
	    "t.conf:1:   hint: a whole number with an optional unit s, m, h, d or w "
	    "(e.g. 90s, 15m, 7d)\n" },
	{ "duration overflow", "clock_skew 9223372036854775808\n", -1,
	    "t.conf:1: error: invalid duration '9223372036854775808' for clock_skew\n"
	    "t.conf:1:   hint: a whole number with an optional unit s, m, h, d or w "
	    "(e.g. 90s, 15m, 7d)\n" },
	{ "duration out of range", "clock_skew 2d\nsync_retry_delay 0\n", -1,
	    "t.conf:1: error: clock_skew 2d is out of range (0s to 1d)\n"
	    "t.conf:2: error: sync_retry_delay 0 is out of range (1s to 1m)\n" },
	{ "choice with suggestion", "fallback aut\n", -1,
	    "t.conf:1: error: invalid value 'aut' for fallback\n"
	    "t.conf:1:   hint: did you mean 'auto'? fallback takes never, auto or always\n" },
	{ "choice without suggestion", "unknown_users allow\n", -1,
	    "t.conf:1: error: invalid value 'allow' for unknown_users\n"
	    "t.conf:1:   hint: unknown_users takes deny or ignore\n" },
	{ "key type not FIDO2", "key_types ssh-ed25519 sk-ssh-ed25519@openssh.com\n", -1,
	    "t.conf:1: error: key type 'ssh-ed25519' is not allowed\n"
	    "t.conf:1:   hint: only FIDO2 security-key types are allowed: "
	    "sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com\n" },
	{ "key type twice", "key_types sk-ssh-ed25519@openssh.com sk-ssh-ed25519@openssh.com\n", 0,
	    "t.conf:1: warning: key type 'sk-ssh-ed25519@openssh.com' is listed twice\n" },
	{ "PAM service", "ssh_service sshd ssh/d sshd\n", -1,
	    "t.conf:1: error: invalid PAM service name 'ssh/d'\n"
	    "t.conf:1:   hint: use 1 to 64 of A-Z a-z 0-9 . _ -\n"
	    "t.conf:1: warning: PAM service 'sshd' is listed twice\n" },
	{ "too many PAM services", "ssh_service s1 s2 s3 s4 s5 s6 s7 s8 s9 s10 s11 s12 s13 s14 "
	    "s15 s16 s17\n", -1,
	    "t.conf:1: error: too many ssh_service names (at most 16)\n" },
	{ "uid range syntax", "account_uid_range 1000\n", -1,
	    "t.conf:1: error: invalid account_uid_range '1000'\n"
	    "t.conf:1:   hint: write MIN-MAX, e.g. 61000-61999\n" },
	{ "uid range below 1000", "account_uid_range 999-2000\n", -1,
	    "t.conf:1: error: account_uid_range 999-2000 starts below 1000\n"
	    "t.conf:1:   hint: uids below 1000 belong to the system and are never managed\n" },
	{ "uid range reversed", "account_uid_range 2000-1000\n", -1,
	    "t.conf:1: error: account_uid_range 2000-1000: MIN is greater than MAX\n" },
	{ "uid range (uid_t)-1", "account_uid_range 1000-4294967295\n", -1,
	    "t.conf:1: error: account_uid_range 1000-4294967295: MAX must be below 4294967295\n"
	    "t.conf:1:   hint: 4294967295 is (uid_t)-1, which no account may have\n" },
	{ "gid", "account_gid 0\n", -1,
	    "t.conf:1: error: account_gid 0 (root) is not allowed\n"
	    "t.conf:1:   hint: synced users must not get root's group; give them a group of "
	    "their own\n" },
	{ "gid syntax", "account_gid staff\n", -1,
	    "t.conf:1: error: invalid account_gid 'staff'\n"
	    "t.conf:1:   hint: a group id from 1 to 4294967294\n" },
	{ "sync_url not https", "sync_url http://cp.example.net/roles\n", -1,
	    "t.conf:1: error: sync_url must start with https://, not "
	    "'http://cp.example.net/roles'\n"
	    "t.conf:1:   hint: TLS is required\n" },
	{ "sync_url no host", "sync_url https:///roles\n", -1,
	    "t.conf:1: error: sync_url 'https:///roles' has no host\n" },
	{ "sync_proxy", "sync_proxy proxy:3128\n", -1,
	    "t.conf:1: error: invalid sync_proxy 'proxy:3128'\n"
	    "t.conf:1:   hint: a proxy URL (http://, https://, socks4://, socks4a://, socks5:// "
	    "or socks5h:// and a host) or none\n" },
	{ "size syntax", "sync_max_bytes 32MB\n", -1,
	    "t.conf:1: error: invalid size '32MB' for sync_max_bytes\n"
	    "t.conf:1:   hint: a whole number with an optional unit K, M or G (e.g. 512K, 32M)\n" },
	{ "size too big", "sync_max_bytes 65M\n", -1,
	    "t.conf:1: error: sync_max_bytes 65M is out of range (1 to 64M)\n"
	    "t.conf:1:   hint: the role table loader refuses documents larger than 64M\n" },
	{ "retries", "sync_retries 11\n", -1,
	    "t.conf:1: error: invalid sync_retries '11'\n"
	    "t.conf:1:   hint: a number from 0 to 10\n" },
};

static void test_value_messages(void **state)
{
	(void)state;
	run_diag_cases(value_message_cases, N(value_message_cases));
}

/* ---- duplicates and conflicts -------------------------------------------- */

static const char *const single_settings[] = {
	"fabric fab-01", "role_table /r.db", "max_cache_age 7d", "stale_cache deny",
	"clock_skew 5m", "key_types sk-ssh-ed25519@openssh.com", "unknown_users deny",
	"fallback never", "ssh_service sshd", "account_uid_range 61000-61999",
	"accounts none", "account_gid 61000", "account_shell /bin/bash",
	"account_home_base /home", "extrausers_dir /var/lib/extrausers",
	"sync_url https://cp.example.net", "sync_ca_file /ca.pem", "sync_client_cert /c.pem",
	"sync_client_key /k.pem", "sync_token_file /t", "sync_proxy none",
	"sync_connect_timeout 10s", "sync_timeout 60s", "sync_max_bytes 32M",
	"sync_retries 4", "sync_retry_delay 1s", "cache_dir /var/lib/nexusbg",
};

static void test_duplicate_settings(void **state)
{
	struct nbg_policy *p;
	char text[256], expect[512], kw[64], *got;
	size_t i;

	(void)state;
	for (i = 0; i < N(single_settings); i++) {
		snprintf(kw, sizeof(kw), "%.*s", (int)strcspn(single_settings[i], " "),
		    single_settings[i]);
		snprintf(text, sizeof(text), "sync_client_cert /c\nsync_client_key /k\n"
		    "%s\n# between\n%s\n", single_settings[i], single_settings[i]);
		snprintf(expect, sizeof(expect), "t.conf:5: error: duplicate setting '%s' "
		    "(first set at t.conf:3)\n", kw);
		if (strncmp(kw, "sync_client_", 12) == 0)
			snprintf(expect, sizeof(expect), "t.conf:3: error: duplicate setting '%s' "
			    "(first set at t.conf:%d)\n"
			    "t.conf:5: error: duplicate setting '%s' (first set at t.conf:%d)\n",
			    kw, kw[12] == 'c' ? 1 : 2, kw, kw[12] == 'c' ? 1 : 2);
		assert_int_equal(load_text(text, 0, &p, &got), -1);
		if (strcmp(got, expect) != 0)
			fail_msg("%s: got\n%sexpected\n%s", kw, got, expect);
		free(got);
	}
}

static const struct diag_case conflict_cases[] = {
	{ "duplicate role", "role ops show\nrole writer show configure\nrole ops configure\n", -1,
	    "t.conf:3: error: role 'ops' already defined at t.conf:1\n" },
	{ "duplicate capability", "role ops show configure show\n", 0,
	    "t.conf:1: warning: capability 'show' is listed twice in role 'ops'\n" },
	{ "duplicate deny_user", "deny_user alice bob\ndeny_user bob\n", 0,
	    "t.conf:2: warning: user 'bob' is already in deny_user at t.conf:1\n" },
	{ "duplicate fallback account", "fallback auto\nfallback_account telcoro reader\n"
	    "fallback_account telcoro writer\n", -1,
	    "t.conf:3: error: fallback account 'telcoro' already defined at t.conf:2\n" },
	{ "fallback account also denied", "fallback auto\nfallback_account telcoro reader\n"
	    "deny_user telcoro\n", -1,
	    "t.conf:2: error: fallback account 'telcoro' is also in deny_user at t.conf:3\n"
	    "t.conf:2:   hint: the two lines conflict; remove one of them\n" },
	{ "client cert without key", "sync_client_cert /etc/nexusbg/device.crt\n", -1,
	    "t.conf:1: error: sync_client_cert is set but sync_client_key is not\n"
	    "t.conf:1:   hint: a client certificate needs its private key: set both or "
	    "neither\n" },
	{ "client key without cert", "\nsync_client_key /etc/nexusbg/device.key\n", -1,
	    "t.conf:2: error: sync_client_key is set but sync_client_cert is not\n"
	    "t.conf:2:   hint: a client certificate needs its private key: set both or "
	    "neither\n" },
	{ "timeout shorter than connect timeout", "sync_connect_timeout 30s\nsync_timeout 20s\n",
	    -1, "t.conf:2: error: sync_timeout 20s is shorter than sync_connect_timeout 30s\n" },
	{ "connect timeout longer than the default timeout", "sync_connect_timeout 2m\n", -1,
	    "t.conf:1: error: sync_timeout 1m is shorter than sync_connect_timeout 2m\n" },
	{ "extrausers without uid range", "accounts extrausers\n", -1,
	    "t.conf:1: error: accounts extrausers needs account_uid_range\n"
	    "t.conf:1:   hint: add e.g. 'account_uid_range 61000-61999': synced accounts get "
	    "uids from that range only\n" },
	{ "extrausers with an invalid uid range", "accounts extrausers\n"
	    "account_uid_range 10-20\n", -1,
	    "t.conf:2: error: account_uid_range 10-20 starts below 1000\n"
	    "t.conf:2:   hint: uids below 1000 belong to the system and are never managed\n" },
	{ "uid range after extrausers, other file order", "account_uid_range 61000-61999\n"
	    "accounts extrausers\n", 0, "" },
	{ "no second error for a line that failed", "sync_connect_timeout 2m\n"
	    "sync_timeout 0s\nfallback sometimes\nfallback_account telcoro reader\n", -1,
	    "t.conf:2: error: sync_timeout 0s is out of range (1s to 1d)\n"
	    "t.conf:3: error: invalid value 'sometimes' for fallback\n"
	    "t.conf:3:   hint: fallback takes never, auto or always\n" },
	{ "fallback auto without accounts", "fallback auto\n", 0,
	    "t.conf:1: warning: fallback auto has no fallback_account lines\n"
	    "t.conf:1:   hint: list the Method D v1.5 shared accounts with "
	    "'fallback_account USER ROLE'\n" },
	{ "accounts while fallback is never", "fallback_account telcoro reader\n", 0,
	    "t.conf:1: warning: fallback_account lines have no effect while fallback is never\n"
	    "t.conf:1:   hint: set 'fallback auto' to let them in while the role table is "
	    "unusable\n" },
	{ "stale_cache fallback while fallback is never", "stale_cache fallback\n", 0,
	    "t.conf:1: warning: stale_cache fallback lets no one in while fallback is never\n"
	    "t.conf:1:   hint: set 'fallback auto', or 'stale_cache deny'\n" },
};

static void test_conflicts(void **state)
{
	(void)state;
	run_diag_cases(conflict_cases, N(conflict_cases));
}

/* ---- roles ---------------------------------------------------------------- */

static const struct diag_case role_cases[] = {
	{ "reader with configure", "role reader show configure\nrole writer show configure\n", -1,
	    "t.conf:1: error: role 'reader' cannot have 'configure'\n"
	    "t.conf:1:   hint: reader is read-only by definition; give configure to writer or a "
	    "new role\n" },
	{ "role name", "role Ops show\nrole 1ops show\n"
	    "role abcdefghijabcdefghijabcdefghijabc show\n", -1,
	    "t.conf:1: error: invalid role name 'Ops'\n"
	    "t.conf:1:   hint: names are 1 to 32 of a-z 0-9 _ -, starting with a letter\n"
	    "t.conf:2: error: invalid role name '1ops'\n"
	    "t.conf:2:   hint: names are 1 to 32 of a-z 0-9 _ -, starting with a letter\n"
	    "t.conf:3: error: invalid role name 'abcdefghijabcdefghijabcdefghijabc'\n"
	    "t.conf:3:   hint: names are 1 to 32 of a-z 0-9 _ -, starting with a letter\n" },
	{ "capability name", "role ops show Configure\n", -1,
	    "t.conf:1: error: invalid capability 'Configure' in role 'ops'\n"
	    "t.conf:1:   hint: names are 1 to 32 of a-z 0-9 _ -, starting with a letter\n" },
	{ "32-byte names", "role abcdefghijabcdefghijabcdefghijab show_all-2\n", 0, "" },
	{ "unknown role for a fallback account", "role ops show\nfallback auto\n"
	    "fallback_account telcoro reader\n", -1,
	    "t.conf:3: error: unknown role 'reader' for fallback account 'telcoro'\n"
	    "t.conf:3:   hint: define it with 'role reader CAPABILITY...'\n" },
	{ "unknown role, did you mean", "fallback auto\nfallback_account telcorw witer\n", -1,
	    "t.conf:2: error: unknown role 'witer' for fallback account 'telcorw'\n"
	    "t.conf:2:   hint: did you mean 'writer'?\n" },
	{ "role defined after its use", "fallback auto\nfallback_account x ops\nrole ops show\n",
	    0, "" },
	{ "invalid names in fallback_account", "fallback auto\nfallback_account Telco reader\n"
	    "fallback_account telco Reader\n", -1,
	    "t.conf:2: error: invalid user name 'Telco' in fallback_account\n"
	    "t.conf:2:   hint: login names are 1 to 32 of a-z 0-9 _ . -, starting with a-z or _ "
	    "(a final $ is allowed)\n"
	    "t.conf:3: error: invalid role name 'Reader' in fallback_account\n"
	    "t.conf:3:   hint: names are 1 to 32 of a-z 0-9 _ -, starting with a letter\n" },
};

static void test_roles(void **state)
{
	(void)state;
	run_diag_cases(role_cases, N(role_cases));
}

static void test_builtin_roles(void **state)
{
	const struct nbg_role *r, *w;
	struct nbg_policy *p;
	char *got;

	(void)state;
	assert_int_equal(load_text("fabric x\n", 0, &p, &got), 0);
	free(got);
	assert_int_equal(p->nroles, 2);
	r = nbg_policy_role(p, "reader");
	w = nbg_policy_role(p, "writer");
	assert_non_null(r);
	assert_non_null(w);
	assert_int_equal(r->ncaps, 1);
	assert_true(nbg_role_has_cap(r, "show"));
	assert_false(nbg_role_has_cap(r, "configure"));
	assert_int_equal(w->ncaps, 2);
	assert_true(nbg_role_has_cap(w, "show"));
	assert_true(nbg_role_has_cap(w, "configure"));
	assert_int_equal(r->origin.line, 0);
	assert_string_equal(r->origin.file, "t.conf");
	nbg_policy_free(p);
	/* Any role line replaces both built-ins. */
	assert_int_equal(load_text("role ops show debug\n", 0, &p, &got), 0);
	free(got);
	assert_int_equal(p->nroles, 1);
	assert_null(nbg_policy_role(p, "reader"));
	assert_null(nbg_policy_role(p, "writer"));
	assert_true(nbg_role_has_cap(nbg_policy_role(p, "ops"), "debug"));
	assert_int_equal(nbg_policy_role(p, "ops")->origin.line, 1);
	nbg_policy_free(p);
	/* Even an invalid one: no silent fallback to the built-ins. */
	assert_int_equal(load_text("role Bad show\n", 0, &p, &got), -1);
	free(got);
}

/* Build "role rN c\n" x nroles and one role with ncaps capabilities. */
static char *roles_text(size_t nroles, size_t ncaps)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	for (i = 0; i < nroles; i++)
		fprintf(f, "role r%zu show\n", i);
	fprintf(f, "role many");
	for (i = 0; i < ncaps; i++)
		fprintf(f, " c%zu", i);
	fprintf(f, "\n");
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_role_limits(void **state)
{
	struct nbg_policy *p;
	char *text, *got;

	(void)state;
	text = roles_text(31, 32);
	assert_int_equal(load_text(text, 0, &p, &got), 0);
	assert_int_equal(p->nroles, 32);
	assert_int_equal(nbg_policy_role(p, "many")->ncaps, 32);
	free(text);
	free(got);
	nbg_policy_free(p);
	text = roles_text(32, 1);
	assert_int_equal(load_text(text, 0, &p, &got), -1);
	assert_string_equal(got, "t.conf:33: error: too many roles (at most 32)\n");
	free(text);
	free(got);
	text = roles_text(0, 40);	/* reported once, not once per extra capability */
	assert_int_equal(load_text(text, 0, &p, &got), -1);
	assert_string_equal(got, "t.conf:1: error: too many capabilities in role 'many' "
	    "(at most 32)\n");
	free(text);
	free(got);
}

/* ---- users ------------------------------------------------------------------ */

static const struct diag_case user_cases[] = {
	{ "valid names", "deny_user alice _svc a.b-c x$ abcdefghijabcdefghijabcdefghijab\n", 0,
	    "" },
	{ "invalid names", "deny_user Alice a$b $ -x 9lives "
	    "abcdefghijabcdefghijabcdefghijabc\n", -1,
	    "t.conf:1: error: invalid user name 'Alice' in deny_user\n"
	    "t.conf:1:   hint: login names are 1 to 32 of a-z 0-9 _ . -, starting with a-z or _ "
	    "(a final $ is allowed)\n"
	    "t.conf:1: error: invalid user name 'a$b' in deny_user\n"
	    "t.conf:1:   hint: login names are 1 to 32 of a-z 0-9 _ . -, starting with a-z or _ "
	    "(a final $ is allowed)\n"
	    "t.conf:1: error: invalid user name '$' in deny_user\n"
	    "t.conf:1:   hint: login names are 1 to 32 of a-z 0-9 _ . -, starting with a-z or _ "
	    "(a final $ is allowed)\n"
	    "t.conf:1: error: invalid user name '-x' in deny_user\n"
	    "t.conf:1:   hint: login names are 1 to 32 of a-z 0-9 _ . -, starting with a-z or _ "
	    "(a final $ is allowed)\n"
	    "t.conf:1: error: invalid user name '9lives' in deny_user\n"
	    "t.conf:1:   hint: login names are 1 to 32 of a-z 0-9 _ . -, starting with a-z or _ "
	    "(a final $ is allowed)\n"
	    "t.conf:1: error: invalid user name 'abcdefghijabcdefghijabcdefghijabc' in "
	    "deny_user\n"
	    "t.conf:1:   hint: login names are 1 to 32 of a-z 0-9 _ . -, starting with a-z or _ "
	    "(a final $ is allowed)\n" },
};

static void test_users(void **state)
{
	(void)state;
	run_diag_cases(user_cases, N(user_cases));
}

static char *fallback_text(size_t n)
{
	char *buf = NULL;
	size_t len = 0, i;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	fprintf(f, "fallback auto\n");
	for (i = 0; i < n; i++)
		fprintf(f, "fallback_account telco%zu %s\n", i, i % 2 ? "writer" : "reader");
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_fallback_limit(void **state)
{
	struct nbg_policy *p;
	char *text, *got;

	(void)state;
	text = fallback_text(15);
	assert_int_equal(load_text(text, 0, &p, &got), 0);
	assert_string_equal(got, "");
	assert_int_equal(p->nfallback, 15);
	assert_string_equal(nbg_policy_fallback_account(p, "telco14")->role, "reader");
	assert_int_equal(nbg_policy_fallback_account(p, "telco14")->origin.line, 16);
	free(text);
	free(got);
	nbg_policy_free(p);
	text = fallback_text(16);
	assert_int_equal(load_text(text, 0, &p, &got), -1);
	assert_null(p);
	assert_string_equal(got, "t.conf:17: error: too many fallback accounts (at most 15)\n"
	    "t.conf:17:   hint: Method D v1.5 has at most 15 shared accounts\n");
	free(text);
	free(got);
}

static void test_deny_limit(void **state)
{
	struct nbg_policy *p;
	char *buf = NULL, *got;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	for (i = 0; i < 1025; i++)
		fprintf(f, "deny_user u%zu\n", i);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(load_text(buf, 0, &p, &got), -1);
	assert_string_equal(got, "t.conf:1025: error: too many deny_user names (at most 1024)\n");
	free(got);
	/* Cut the last line: 1024 is fine. */
	buf[strlen(buf) - strlen("deny_user u1024\n")] = '\0';
	assert_int_equal(load_text(buf, 0, &p, &got), 0);
	assert_int_equal(p->ndenied, 1024);
	assert_non_null(nbg_policy_denied_user(p, "u1023"));
	free(got);
	free(buf);
	nbg_policy_free(p);
}

/* ---- access paths and trusted sources ------------------------------------- */

static const struct diag_case path_cases[] = {
	{ "declared and restricted", "access_path inband 198.51.100.0/26 2001:db8:6::/64\n"
	    "trusted_source inband 192.0.2.64/27\ntrusted_source default 192.0.2.0/27\n", 0, "" },
	{ "no trusted_source for a path", "access_path inband 198.51.100.0/26\n", 0,
	    "t.conf:1: warning: logins on path inband are not restricted by source\n"
	    "t.conf:1:   hint: add 'trusted_source inband PREFIX...'\n" },
	{ "unknown path, did you mean", "access_path inband 198.51.100.0/26\n"
	    "trusted_source inbnd 192.0.2.0/27 2001:db8::/32\ntrusted_source inband 192.0.2.0/27\n",
	    -1,
	    "t.conf:2: error: unknown access path 'inbnd'\n"
	    "t.conf:2:   hint: did you mean 'inband'?\n" },
	{ "unknown path, default suggested", "trusted_source defualt 192.0.2.0/27\n", -1,
	    "t.conf:1: error: unknown access path 'defualt'\n"
	    "t.conf:1:   hint: did you mean 'default'?\n" },
	{ "unknown path, nothing close", "trusted_source oob 192.0.2.0/27\n", -1,
	    "t.conf:1: error: unknown access path 'oob'\n"
	    "t.conf:1:   hint: declare it with 'access_path oob PREFIX...' or use 'default'\n" },
	{ "path declared after its use", "trusted_source inband 192.0.2.0/27\n"
	    "access_path inband 198.51.100.0/26\n", 0, "" },
	{ "reserved name", "access_path default 198.51.100.0/26\n", -1,
	    "t.conf:1: error: access path name 'default' is reserved\n"
	    "t.conf:1:   hint: 'default' means logins on no named path; choose another name\n" },
	{ "invalid path names", "access_path In-Band 198.51.100.0/26\n"
	    "trusted_source In-Band 192.0.2.0/27\n", -1,
	    "t.conf:1: error: invalid access path name 'In-Band'\n"
	    "t.conf:1:   hint: names are 1 to 32 of a-z 0-9 _ -, starting with a letter\n"
	    "t.conf:2: error: invalid access path name 'In-Band' in trusted_source\n"
	    "t.conf:2:   hint: 'default' or a name declared with access_path\n" },
	{ "duplicate path", "access_path inband 198.51.100.0/26\n"
	    "access_path inband 198.51.100.64/26\ntrusted_source inband ::/0\n", -1,
	    "t.conf:2: error: access path 'inband' already defined at t.conf:1\n" },
	{ "host bits and garbage", "trusted_source default 10.0.0.1/8 bogus 10.0.0.0/33\n"
	    "access_path inband 2001:db8:6::1/64\ntrusted_source inband ::/0\n", -1,
	    "t.conf:1: error: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?\n"
	    "t.conf:1: error: 'bogus' is not an IP address or prefix\n"
	    "t.conf:1: error: '10.0.0.0/33': the prefix length must be 0 to 32 for IPv4\n"
	    "t.conf:2: error: 2001:db8:6::1/64 has host bits set; did you mean 2001:db8:6::/64?\n" },
	{ "duplicate prefixes", "access_path inband 198.51.100.0/26 198.51.100.0/26\n"
	    "trusted_source inband 192.0.2.0/27\ntrusted_source inband ::ffff:192.0.2.0/123\n", 0,
	    "t.conf:1: warning: prefix 198.51.100.0/26 is listed twice for access path 'inband'\n"
	    "t.conf:3: warning: prefix 192.0.2.0/27 is already trusted on access path 'inband' "
	    "at t.conf:2\n" },
	{ "same prefix on two paths is fine for sources", "access_path a 198.51.100.0/26\n"
	    "trusted_source a 192.0.2.0/27\ntrusted_source default 192.0.2.0/27\n", 0, "" },
	{ "overlapping access paths", "access_path a 198.51.100.0/24\n"
	    "access_path b 198.51.100.128/25\ntrusted_source a ::/0\ntrusted_source b ::/0\n", 0,
	    "t.conf:2: warning: prefix 198.51.100.128/25 of access path 'b' overlaps "
	    "198.51.100.0/24 of access path 'a' (t.conf:1)\n"
	    "t.conf:2:   hint: a connection belongs to the first access path that contains its "
	    "local address\n" },
};

static void test_paths(void **state)
{
	(void)state;
	run_diag_cases(path_cases, N(path_cases));
}

static void test_path_limits(void **state)
{
	struct nbg_policy *p;
	char *buf = NULL, *got;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	/* 33 access paths. */
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	for (i = 0; i < 33; i++)
		fprintf(f, "access_path p%zu 2001:db8:%zx::/48\ntrusted_source p%zu ::/0\n", i, i, i);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(load_text(buf, 0, &p, &got), -1);
	assert_string_equal(got, "t.conf:65: error: too many access paths (at most 32)\n"
	    "t.conf:66: error: unknown access path 'p32'\n"
	    "t.conf:66:   hint: did you mean 'p2'?\n");
	free(got);
	free(buf);
	/* 257 prefixes on one access path, 256 fine (all on one 4096-byte line). */
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	fprintf(f, "trusted_source big ::/0\naccess_path big");
	for (i = 0; i < 256; i++)
		fprintf(f, " 10.0.%zu.0/24", i);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(load_text(buf, 0, &p, &got), 0);
	assert_int_equal(p->paths[0].nlocal, 256);
	free(got);
	nbg_policy_free(p);
	buf = realloc(buf, strlen(buf) + 32);
	assert_non_null(buf);
	strcat(buf, " 10.1.0.0/24");
	assert_int_equal(load_text(buf, 0, &p, &got), -1);
	assert_string_equal(got, "t.conf:2: error: too many prefixes for access path 'big' "
	    "(at most 256)\n"
	    "t.conf:1: error: unknown access path 'big'\n"
	    "t.conf:1:   hint: declare it with 'access_path big PREFIX...' or use 'default'\n");
	free(got);
	free(buf);
	/* 1025 trusted prefixes. */
	buf = NULL;
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	for (i = 0; i < 1025; i++)
		fprintf(f, "trusted_source default 2001:db8:%zx::/48\n", i);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(load_text(buf, 0, &p, &got), -1);
	assert_string_equal(got, "t.conf:1025: error: too many trusted_source prefixes "
	    "(at most 1024)\n");
	free(got);
	free(buf);
}

/* ---- the lookups ------------------------------------------------------------ */

static const char lookup_policy[] =
	"role reader show\n"
	"role writer show configure\n"
	"role auditor show audit\n"
	"deny_user mallory\n"
	"fallback auto\n"
	"fallback_account telcoro reader\n"
	"fallback_account telcorw writer\n"
	"key_types sk-ssh-ed25519@openssh.com\n"
	"ssh_service sshd sshd-inband\n"
	"access_path inband 198.51.100.0/26 2001:db8:6::/64\n"
	"access_path lab 203.0.113.0/24\n"
	"trusted_source default 192.0.2.0/27 2001:db8:100::/48\n"
	"trusted_source inband 192.0.2.64/27\n"
	"trusted_source inband 2001:db8:200::/48\n";

struct path_case {
	const char *local;	/* NULL = unknown */
	const char *path;
	unsigned line;		/* origin line, 0 = none */
};

static const struct path_case path_lookup_cases[] = {
	{ "198.51.100.1", "inband", 10 },
	{ "::ffff:198.51.100.63", "inband", 10 },
	{ "198.51.100.64", "default", 0 },
	{ "2001:db8:6::1", "inband", 10 },
	{ "2001:db8:7::1", "default", 0 },
	{ "203.0.113.9", "lab", 11 },
	{ "10.0.0.1", "default", 0 },
	{ NULL, "default", 0 },
};

struct source_case {
	const char *path;
	const char *remote;	/* NULL = unknown */
	int result;
	unsigned line;
};

static const struct source_case source_cases[] = {
	{ "default", "192.0.2.1", 1, 12 },
	{ "default", "::ffff:192.0.2.31", 1, 12 },
	{ "default", "192.0.2.32", 0, 0 },
	{ "default", "2001:db8:100:1::5", 1, 12 },
	{ "default", "2001:db8:200::5", 0, 0 },
	{ "inband", "192.0.2.65", 1, 13 },
	{ "inband", "192.0.2.1", 0, 0 },
	{ "inband", "2001:db8:200::5", 1, 14 },
	{ "inband", NULL, 0, 0 },
	{ "lab", "192.0.2.1", 2, 0 },		/* no trusted_source: unrestricted */
	{ "nosuch", "192.0.2.1", 2, 0 },
};

static void test_lookups(void **state)
{
	const struct nbg_origin *o;
	struct nbg_policy *p;
	struct nbg_addr a;
	const char *path;
	char *got;
	size_t i;
	int r;

	(void)state;
	assert_int_equal(load_text(lookup_policy, 0, &p, &got), 0);
	assert_string_equal(got, "t.conf:11: warning: logins on path lab are not restricted "
	    "by source\nt.conf:11:   hint: add 'trusted_source lab PREFIX...'\n");
	free(got);
	for (i = 0; i < N(path_lookup_cases); i++) {
		const struct path_case *c = &path_lookup_cases[i];

		if (c->local != NULL)
			assert_int_equal(nbg_addr_parse(c->local, &a), 0);
		o = (const struct nbg_origin *)&o;
		path = nbg_policy_access_path(p, c->local != NULL ? &a : NULL, &o);
		if (strcmp(path, c->path) != 0 || (o == NULL ? 0 : o->line) != c->line)
			fail_msg("local %s: path %s line %u, expected %s line %u", c->local, path,
			    o == NULL ? 0 : o->line, c->path, c->line);
	}
	for (i = 0; i < N(source_cases); i++) {
		const struct source_case *c = &source_cases[i];

		if (c->remote != NULL)
			assert_int_equal(nbg_addr_parse(c->remote, &a), 0);
		o = (const struct nbg_origin *)&o;
		r = nbg_policy_source_trusted(p, c->path, c->remote != NULL ? &a : NULL, &o);
		if (r != c->result || (o == NULL ? 0 : o->line) != c->line)
			fail_msg("%s from %s: %d line %u, expected %d line %u", c->path, c->remote,
			    r, o == NULL ? 0 : o->line, c->result, c->line);
	}
	assert_true(nbg_policy_key_type_allowed(p, NBG_KEY_SK_ED25519));
	assert_false(nbg_policy_key_type_allowed(p, NBG_KEY_SK_ECDSA));
	assert_false(nbg_policy_key_type_allowed(p, NBG_KEY_ED25519));
	assert_false(nbg_policy_key_type_allowed(p, NBG_KEY_UNKNOWN));
	assert_false(nbg_policy_key_type_allowed(p, (enum nbg_keytype)31));
	assert_true(nbg_policy_is_ssh_service(p, "sshd-inband"));
	assert_false(nbg_policy_is_ssh_service(p, "login"));
	assert_false(nbg_policy_is_ssh_service(p, NULL));
	assert_non_null(nbg_policy_denied_user(p, "mallory"));
	assert_null(nbg_policy_denied_user(p, "mallor"));
	assert_null(nbg_policy_denied_user(p, NULL));
	assert_string_equal(nbg_policy_fallback_account(p, "telcorw")->role, "writer");
	assert_null(nbg_policy_fallback_account(p, "telco"));
	assert_true(nbg_role_has_cap(nbg_policy_role(p, "auditor"), "audit"));
	assert_false(nbg_role_has_cap(nbg_policy_role(p, "auditor"), "configure"));
	assert_false(nbg_role_has_cap(NULL, "show"));
	assert_false(nbg_role_has_cap(nbg_policy_role(p, "reader"), NULL));
	assert_null(nbg_policy_role(p, "admin"));
	assert_null(nbg_policy_role(p, NULL));
	assert_int_equal(nbg_policy_source_trusted(p, NULL, &a, &o), 0);
	nbg_policy_free(p);
	/* NULL policies answer "no" and "default", never crash. */
	assert_null(nbg_policy_role(NULL, "reader"));
	assert_null(nbg_policy_fallback_account(NULL, "x"));
	assert_null(nbg_policy_denied_user(NULL, "x"));
	assert_false(nbg_policy_is_ssh_service(NULL, "sshd"));
	assert_false(nbg_policy_key_type_allowed(NULL, NBG_KEY_SK_ECDSA));
	assert_string_equal(nbg_policy_access_path(NULL, &a, NULL), "default");
	assert_int_equal(nbg_policy_source_trusted(NULL, "default", &a, NULL), 0);
	nbg_policy_free(NULL);
}

/* ---- defaults and values of a full policy ------------------------------------- */

static void test_defaults(void **state)
{
	struct nbg_policy *p;
	char *got;

	(void)state;
	assert_int_equal(load_text("", 0, &p, &got), 0);
	free(got);
	assert_null(p->fabric);
	assert_string_equal(p->role_table, NBG_DEFAULT_ROLE_TABLE);
	assert_int_equal(p->role_table_origin.line, 0);
	assert_string_equal(p->role_table_origin.file, "t.conf");
	assert_int_equal(p->max_cache_age, 7 * 86400);
	assert_int_equal(p->stale_action, NBG_STALE_DENY);
	assert_int_equal(p->clock_skew, 300);
	assert_int_equal(p->key_types, NBG_KEY_FIDO2_MASK);
	assert_int_equal(p->unknown_users, NBG_UNKNOWN_DENY);
	assert_int_equal(p->fallback, NBG_FALLBACK_NEVER);
	assert_string_equal(p->fallback_origin.file, "t.conf");
	assert_int_equal(p->nfallback, 0);
	assert_int_equal(p->ndenied, 0);
	assert_int_equal(p->npaths, 0);
	assert_int_equal(p->ntrusted, 0);
	assert_int_equal(p->nssh_services, 1);
	assert_string_equal(p->ssh_services[0], "sshd");
	assert_false(p->has_uid_range);
	assert_null(p->sync.url);
	assert_null(p->sync.ca_file);
	assert_null(p->sync.client_cert);
	assert_null(p->sync.client_key);
	assert_null(p->sync.token_file);
	assert_null(p->sync.proxy);
	assert_int_equal(p->sync.connect_timeout, 10);
	assert_int_equal(p->sync.timeout, 60);
	assert_int_equal(p->sync.max_bytes, 64 * 1024 * 1024);
	assert_int_equal(p->sync.retries, 4);
	assert_int_equal(p->sync.retry_delay, 1);
	assert_string_equal(p->sync.cache_dir, "/var/lib/nexusbg");
	assert_int_equal(p->accounts.mode, NBG_ACCOUNTS_NONE);
	assert_string_equal(p->accounts.extrausers_dir, "/var/lib/extrausers");
	assert_string_equal(p->accounts.shell, "/bin/bash");
	assert_string_equal(p->accounts.home_base, "/home");
	assert_false(p->accounts.has_gid);
	assert_int_equal(p->nfiles, 1);
	nbg_policy_free(p);
}

static const char full_policy[] =
	"fabric fab-example-01\n"
	"role_table /srv/nbg/roles.db\n"
	"max_cache_age 2w\n"
	"stale_cache warn\n"
	"clock_skew 90\n"
	"key_types sk-ecdsa-sha2-nistp256@openssh.com\n"
	"unknown_users ignore\n"
	"fallback always\n"
	"fallback_account telcoro reader\n"
	"account_uid_range 61000-61999\n"
	"accounts extrausers\n"
	"account_shell /bin/sh\n"
	"account_home_base /srv/home\n"
	"extrausers_dir /srv/extrausers\n"
	"sync_url https://cp.example.net/roles\n"
	"sync_ca_file /etc/nexusbg/ca.pem\n"
	"sync_client_cert /etc/nexusbg/device.crt\n"
	"sync_client_key /etc/nexusbg/device.key\n"
	"sync_token_file /etc/nexusbg/token\n"
	"sync_proxy socks5h://192.0.2.9:1080\n"
	"sync_connect_timeout 5s\n"
	"sync_timeout 2m\n"
	"sync_max_bytes 512K\n"
	"sync_retries 0\n"
	"sync_retry_delay 3s\n";

static void test_full_policy(void **state)
{
	struct nbg_policy *p;
	char *got;

	(void)state;
	assert_int_equal(load_text(full_policy, 0, &p, &got), 0);
	assert_string_equal(got, "");
	free(got);
	assert_string_equal(p->fabric, "fab-example-01");
	assert_int_equal(p->fabric_origin.line, 1);
	assert_string_equal(p->role_table, "/srv/nbg/roles.db");
	assert_int_equal(p->role_table_origin.line, 2);
	assert_int_equal(p->max_cache_age, 14 * 86400);
	assert_int_equal(p->max_cache_age_origin.line, 3);
	assert_int_equal(p->stale_action, NBG_STALE_WARN);
	assert_int_equal(p->stale_action_origin.line, 4);
	assert_int_equal(p->clock_skew, 90);
	assert_int_equal(p->clock_skew_origin.line, 5);
	assert_int_equal(p->key_types, 1u << NBG_KEY_SK_ECDSA);
	assert_int_equal(p->key_types_origin.line, 6);
	assert_int_equal(p->unknown_users, NBG_UNKNOWN_IGNORE);
	assert_int_equal(p->unknown_users_origin.line, 7);
	assert_int_equal(p->fallback, NBG_FALLBACK_ALWAYS);
	assert_int_equal(p->fallback_origin.line, 8);
	assert_true(p->has_uid_range);
	assert_int_equal(p->uid_min, 61000);
	assert_int_equal(p->uid_max, 61999);
	assert_int_equal(p->uid_range_origin.line, 10);
	assert_int_equal(p->accounts.mode, NBG_ACCOUNTS_EXTRAUSERS);
	assert_int_equal(p->accounts.mode_origin.line, 11);
	assert_false(p->accounts.has_gid);
	assert_int_equal(p->accounts.gid, 61000);	/* default: MIN of the range */
	assert_string_equal(p->accounts.shell, "/bin/sh");
	assert_string_equal(p->accounts.home_base, "/srv/home");
	assert_string_equal(p->accounts.extrausers_dir, "/srv/extrausers");
	assert_string_equal(p->sync.url, "https://cp.example.net/roles");
	assert_int_equal(p->sync.url_origin.line, 15);
	assert_string_equal(p->sync.ca_file, "/etc/nexusbg/ca.pem");
	assert_string_equal(p->sync.client_cert, "/etc/nexusbg/device.crt");
	assert_string_equal(p->sync.client_key, "/etc/nexusbg/device.key");
	assert_string_equal(p->sync.token_file, "/etc/nexusbg/token");
	assert_string_equal(p->sync.proxy, "socks5h://192.0.2.9:1080");
	assert_int_equal(p->sync.connect_timeout, 5);
	assert_int_equal(p->sync.timeout, 120);
	assert_int_equal(p->sync.max_bytes, 512 * 1024);
	assert_int_equal(p->sync.retries, 0);
	assert_int_equal(p->sync.retry_delay, 3);
	assert_string_equal(p->sync.cache_dir, "/srv/nbg");	/* dirname(role_table) */
	nbg_policy_free(p);
	/* account_gid, cache_dir and a root-level role table. */
	assert_int_equal(load_text("account_gid 5000\naccount_uid_range 61000-61999\n"
	    "role_table /roles.db\n", 0, &p, &got), 0);
	free(got);
	assert_true(p->accounts.has_gid);
	assert_int_equal(p->accounts.gid, 5000);
	assert_string_equal(p->sync.cache_dir, "/");
	nbg_policy_free(p);
	assert_int_equal(load_text("cache_dir /var/cache/nbg\n", 0, &p, &got), 0);
	free(got);
	assert_string_equal(p->sync.cache_dir, "/var/cache/nbg");
	nbg_policy_free(p);
}

/* ---- value syntaxes ------------------------------------------------------------ */

struct duration_case {
	const char *in;
	int ok;
	int64_t v;
};

static const struct duration_case duration_cases[] = {
	{ "0", 1, 0 }, { "90", 1, 90 }, { "30s", 1, 30 }, { "15m", 1, 900 },
	{ "12h", 1, 43200 }, { "7d", 1, 604800 }, { "2w", 1, 1209600 },
	{ "007s", 1, 7 }, { "0w", 1, 0 },
	{ "9223372036854775807", 1, INT64_MAX },
	{ "9223372036854775807s", 1, INT64_MAX },
	{ "9223372036854775808", 0, 0 },
	{ "99999999999999999999999", 0, 0 },
	{ "153722867280912930m", 1, INT64_C(153722867280912930) * 60 },
	{ "153722867280912931m", 0, 0 },
	{ "2562047788015215h", 1, INT64_C(2562047788015215) * 3600 },
	{ "2562047788015216h", 0, 0 },
	{ "106751991167300d", 1, INT64_C(106751991167300) * 86400 },
	{ "106751991167301d", 0, 0 },
	{ "15250284452471w", 1, INT64_C(15250284452471) * 604800 },
	{ "15250284452472w", 0, 0 },
	{ "", 0, 0 }, { "s", 0, 0 }, { "-1", 0, 0 }, { "+1", 0, 0 }, { " 1", 0, 0 },
	{ "1 ", 0, 0 }, { "1x", 0, 0 }, { "1.5h", 0, 0 }, { "1ss", 0, 0 }, { "1S", 0, 0 },
	{ "1M", 0, 0 }, { "0x10", 0, 0 }, { "1h30m", 0, 0 },
};

static void test_parse_duration(void **state)
{
	int64_t v;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < N(duration_cases); i++) {
		v = -42;
		r = nbg_parse_duration(duration_cases[i].in, &v);
		if ((r == 0) != (duration_cases[i].ok != 0) ||
		    (r == 0 && v != duration_cases[i].v) || (r != 0 && v != -42))
			fail_msg("'%s': r %d v %lld", duration_cases[i].in, r, (long long)v);
	}
	assert_int_equal(nbg_parse_duration(NULL, &v), -1);
	assert_int_equal(nbg_parse_duration("1", NULL), -1);
}

struct size_case {
	const char *in;
	int ok;
	uint64_t v;
};

static const struct size_case size_cases[] = {
	{ "0", 1, 0 }, { "1", 1, 1 }, { "4096", 1, 4096 }, { "512K", 1, 524288 },
	{ "32M", 1, 33554432 }, { "1G", 1, 1073741824 },
	{ "18446744073709551615", 1, UINT64_MAX },
	{ "18446744073709551616", 0, 0 },
	{ "18014398509481983K", 1, UINT64_C(18014398509481983) << 10 },
	{ "18014398509481984K", 0, 0 },
	{ "17592186044415M", 1, UINT64_C(17592186044415) << 20 },
	{ "17592186044416M", 0, 0 },
	{ "17179869183G", 1, UINT64_C(17179869183) << 30 },
	{ "17179869184G", 0, 0 },
	{ "", 0, 0 }, { "K", 0, 0 }, { "1k", 0, 0 }, { "1m", 0, 0 }, { "1KB", 0, 0 },
	{ "1T", 0, 0 }, { "-1", 0, 0 }, { "1.5M", 0, 0 }, { " 1", 0, 0 }, { "1 ", 0, 0 },
};

static void test_parse_size(void **state)
{
	uint64_t v;
	size_t i;
	int r;

	(void)state;
	for (i = 0; i < N(size_cases); i++) {
		v = 42;
		r = nbg_parse_size(size_cases[i].in, &v);
		if ((r == 0) != (size_cases[i].ok != 0) || (r == 0 && v != size_cases[i].v) ||
		    (r != 0 && v != 42))
			fail_msg("'%s': r %d v %llu", size_cases[i].in, r, (unsigned long long)v);
	}
	assert_int_equal(nbg_parse_size(NULL, &v), -1);
	assert_int_equal(nbg_parse_size("1", NULL), -1);
}

struct name_case {
	const char *in;
	int ok;
};

static const struct name_case username_cases[] = {
	{ "a", 1 }, { "_", 1 }, { "alice", 1 }, { "_svc", 1 }, { "a.b-c_d", 1 },
	{ "host$", 1 }, { "_$", 1 }, { "a1", 1 },
	{ "abcdefghijabcdefghijabcdefghijab", 1 },
	{ "abcdefghijabcdefghijabcdefghijabc", 0 },
	{ "", 0 }, { "$", 0 }, { "1a", 0 }, { "-a", 0 }, { ".a", 0 }, { "Alice", 0 },
	{ "a$b", 0 }, { "a$$", 0 }, { "a b", 0 }, { "a/b", 0 }, { "a:b", 0 }, { "j\xc3\xb6rg", 0 },
	{ "a\n", 0 },
};

static void test_valid_username(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N(username_cases); i++)
		if (nbg_valid_username(username_cases[i].in) != (username_cases[i].ok != 0))
			fail_msg("'%s': expected %d", username_cases[i].in, username_cases[i].ok);
	assert_false(nbg_valid_username(NULL));
}

/* ---- files: Include and permissions --------------------------------------------- */

struct tmp {
	char dir[64];
	char cwd[4096];
};

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/nbg-policy-test-XXXXXX");
	if (mkdtemp(t->dir) == NULL || getcwd(t->cwd, sizeof(t->cwd)) == NULL) {
		free(t);
		return -1;
	}
	*state = t;
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	int r;

	if (chdir(t->cwd) != 0)
		return -1;
	r = nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return r;
}

/* Write DIR/NAME (parents created) with mode 0644. */
static char *put(const struct tmp *t, const char *name, const char *text)
{
	char *path, *slash;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", t->dir, name) > 0);
	for (slash = strchr(path + strlen(t->dir) + 1, '/'); slash != NULL;
	    slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", path, strerror(errno));
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0644), 0);
	return path;
}

/* Load PATH; return rc and the diagnostics with the temp dir replaced by "T". */
static int load_file(const struct tmp *t, const char *path, unsigned flags,
    struct nbg_policy **p, char **out)
{
	struct nbg_diag d = { NULL, 0, 0 };
	char *text, *s, *o;
	size_t dl = strlen(t->dir);
	int r;

	r = nbg_policy_load(path, flags, p, &d);
	text = diag_text(&d);
	assert_true((r == 0) == (d.nerrors == 0));
	nbg_diag_free(&d);
	o = *out = calloc(1, strlen(text) + 1);
	assert_non_null(o);
	for (s = text; *s != '\0';) {
		if (strncmp(s, t->dir, dl) == 0) {
			*o++ = 'T';
			s += dl;
		} else
			*o++ = *s++;
	}
	free(text);
	return r;
}

static void test_include_order(void **state)
{
	const struct tmp *t = *state;
	struct nbg_policy *p;
	char *main_path, *got;

	free(put(t, "policy.d/20-b.conf", "deny_user bob\n"));
	free(put(t, "policy.d/10-a.conf", "deny_user alice\n"));
	free(put(t, "policy.d/100-c.conf", "deny_user carol\n"));
	free(put(t, "policy.d/ignored.txt", "bogus\n"));
	main_path = put(t, "policy.conf", "deny_user first\nInclude policy.d/*.conf\n"
	    "deny_user last\n");
	assert_int_equal(load_file(t, main_path, 0, &p, &got), 0);
	assert_string_equal(got, "");
	assert_int_equal(p->ndenied, 5);
	/* strcmp order: "10-a" < "100-c" < "20-b" */
	assert_string_equal(p->denied[0].user, "first");
	assert_string_equal(p->denied[1].user, "alice");
	assert_string_equal(p->denied[2].user, "carol");
	assert_string_equal(p->denied[3].user, "bob");
	assert_string_equal(p->denied[4].user, "last");
	assert_int_equal(p->denied[4].origin.line, 3);
	assert_string_equal(p->denied[4].origin.file, main_path);
	assert_int_equal(p->denied[1].origin.line, 1);
	assert_non_null(strstr(p->denied[1].origin.file, "/policy.d/10-a.conf"));
	assert_int_equal(p->nfiles, 4);
	free(got);
	free(main_path);
	nbg_policy_free(p);
}

static void test_include_paths(void **state)
{
	const struct tmp *t = *state;
	struct nbg_policy *p;
	char *main_path, *abs_pattern, *got, *text;

	/* A relative pattern is relative to the including file, not the cwd. */
	free(put(t, "etc/d/x.conf", "deny_user x\n"));
	main_path = put(t, "etc/policy.conf", "Include d/*.conf\n");
	assert_int_equal(chdir("/"), 0);
	assert_int_equal(load_file(t, main_path, 0, &p, &got), 0);
	assert_int_equal(p->ndenied, 1);
	free(got);
	nbg_policy_free(p);
	/* The same from inside the directory with a bare file name. */
	assert_true(asprintf(&abs_pattern, "%s/etc", t->dir) > 0);
	assert_int_equal(chdir(abs_pattern), 0);
	assert_int_equal(load_file(t, "policy.conf", 0, &p, &got), 0);
	assert_string_equal(p->denied[0].origin.file, "d/x.conf");
	free(got);
	free(abs_pattern);
	nbg_policy_free(p);
	/* An absolute pattern, and a pattern that matches nothing. */
	assert_true(asprintf(&text, "Include %s/etc/d/*.conf\nInclude %s/none/*.conf\n"
	    "include /nonexistent-nbg/*.conf\nInclude nothing-here.conf\n", t->dir, t->dir) > 0);
	free(main_path);
	main_path = put(t, "abs.conf", text);
	assert_int_equal(load_file(t, main_path, 0, &p, &got), 0);
	assert_string_equal(got, "");
	assert_int_equal(p->ndenied, 1);
	free(got);
	free(text);
	free(main_path);
	nbg_policy_free(p);
	/* Glob metacharacters in the including file's directory are literal. */
	free(put(t, "a[1]/d/y.conf", "deny_user y\n"));
	free(put(t, "a1/d/z.conf", "deny_user z\n"));
	main_path = put(t, "a[1]/policy.conf", "Include d/*.conf\n");
	assert_int_equal(load_file(t, main_path, 0, &p, &got), 0);
	assert_int_equal(p->ndenied, 1);
	assert_string_equal(p->denied[0].user, "y");
	free(got);
	free(main_path);
	nbg_policy_free(p);
}

static void test_include_errors(void **state)
{
	const struct tmp *t = *state;
	struct nbg_policy *p;
	char *main_path, *got;

	free(put(t, "d/10-dup.conf", "fabric other\n"));
	free(put(t, "d/20-cycle.conf", "Include ../policy.conf\n"));
	free(put(t, "d/30-self.conf", "Include 30-self.conf\n"));
	main_path = put(t, "policy.conf", "fabric fab-01\nInclude d/*.conf\n");
	assert_int_equal(load_file(t, main_path, 0, &p, &got), -1);
	assert_null(p);
	assert_string_equal(got,
	    "T/d/10-dup.conf:1: error: duplicate setting 'fabric' (first set at "
	    "T/policy.conf:1)\n"
	    "T/d/20-cycle.conf:1: error: Include cycle: T/d/../policy.conf is already being "
	    "read\n"
	    "T/d/20-cycle.conf:1:   hint: a policy file must not include itself, directly or "
	    "through another file\n"
	    "T/d/30-self.conf:1: error: Include cycle: T/d/30-self.conf is already being read\n"
	    "T/d/30-self.conf:1:   hint: a policy file must not include itself, directly or "
	    "through another file\n");
	free(got);
	free(main_path);
	/* A directory matched by the pattern, and a missing main file. */
	free(put(t, "e/sub.conf/x", ""));
	main_path = put(t, "e.conf", "Include e/*.conf\n");
	assert_int_equal(load_file(t, main_path, 0, &p, &got), -1);
	assert_string_equal(got, "T/e/sub.conf: error: not a regular file\n");
	free(got);
	free(main_path);
	/* A directory of the pattern that exists but cannot be read fails closed. */
	assert_true(asprintf(&main_path, "%s/loop", t->dir) > 0);
	assert_int_equal(symlink("loop", main_path), 0);
	free(main_path);
	main_path = put(t, "loop.conf", "Include loop/*.conf\n");
	assert_int_equal(load_file(t, main_path, 0, &p, &got), -1);
	assert_string_equal(got, "T/loop.conf:1: error: Include T/loop/*.conf: a directory of "
	    "the pattern cannot be read\n");
	free(got);
	free(main_path);
	assert_int_equal(load_file(t, "/nonexistent-nbg/policy.conf", 0, &p, &got), -1);
	assert_string_equal(got, "/nonexistent-nbg/policy.conf: error: cannot open: No such file "
	    "or directory\n");
	free(got);
}

static void test_include_depth(void **state)
{
	const struct tmp *t = *state;
	struct nbg_policy *p;
	char *main_path, *got;

	/* main -> 1 -> 2 -> 3 -> 4: four levels below the main file are allowed. */
	free(put(t, "l1.conf", "Include l2.conf\n"));
	free(put(t, "l2.conf", "Include l3.conf\n"));
	free(put(t, "l3.conf", "Include l4.conf\n"));
	free(put(t, "l4.conf", "deny_user deep\n"));
	main_path = put(t, "main.conf", "Include l1.conf\n");
	assert_int_equal(load_file(t, main_path, 0, &p, &got), 0);
	assert_string_equal(p->denied[0].user, "deep");
	free(got);
	nbg_policy_free(p);
	/* A fifth is not. */
	free(put(t, "l4.conf", "Include l5.conf\n"));
	free(put(t, "l5.conf", "deny_user deeper\n"));
	assert_int_equal(load_file(t, main_path, 0, &p, &got), -1);
	assert_string_equal(got, "T/l4.conf:1: error: Include nested too deeply (at most 4 "
	    "levels)\n"
	    "T/l4.conf:1:   hint: include the drop-in files from the main policy file\n");
	free(got);
	free(main_path);
}

static void test_include_max_files(void **state)
{
	const struct tmp *t = *state;
	struct nbg_policy *p;
	char name[32], *main_path, *got, *last;
	int i;

	for (i = 0; i < NBG_POLICY_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "d/%03d.conf", i);
		free(put(t, name, "# drop-in\n"));
	}
	main_path = put(t, "main.conf", "Include d/*.conf\n");
	assert_int_equal(load_file(t, main_path, 0, &p, &got), -1);
	assert_string_equal(got, "T/main.conf:1: error: too many policy files (at most 64)\n");
	free(got);
	/* 63 drop-ins and the main file are 64. */
	assert_true(asprintf(&last, "%s/d/063.conf", t->dir) > 0);
	assert_int_equal(unlink(last), 0);
	free(last);
	assert_int_equal(load_file(t, main_path, 0, &p, &got), 0);
	assert_int_equal(p->nfiles, 64);
	free(got);
	free(main_path);
	nbg_policy_free(p);
}

static void test_file_limits(void **state)
{
	const struct tmp *t = *state;
	struct nbg_policy *p;
	char *path, *got, *big;

	big = malloc(NBG_POLICY_MAX_BYTES + 2);
	assert_non_null(big);
	memset(big, '\n', NBG_POLICY_MAX_BYTES + 1);
	big[NBG_POLICY_MAX_BYTES + 1] = '\0';
	path = put(t, "big.conf", big);
	free(big);
	assert_int_equal(load_file(t, path, 0, &p, &got), -1);
	assert_string_equal(got, "T/big.conf: error: file is too large (262145 bytes; at most "
	    "262144)\n");
	free(got);
	assert_int_equal(truncate(path, NBG_POLICY_MAX_BYTES), 0);
	assert_int_equal(load_file(t, path, 0, &p, &got), 0);
	free(got);
	nbg_policy_free(p);
	free(path);
	/* A FIFO is refused at once, not waited on. */
	assert_true(asprintf(&path, "%s/fifo.conf", t->dir) > 0);
	assert_int_equal(mkfifo(path, 0644), 0);
	assert_int_equal(load_file(t, path, 0, &p, &got), -1);
	assert_string_equal(got, "T/fifo.conf: error: not a regular file\n");
	free(got);
	free(path);
	/* A device. */
	assert_int_equal(load_file(t, "/dev/null", 0, &p, &got), -1);
	assert_string_equal(got, "/dev/null: error: not a regular file\n");
	free(got);
}

static void test_perms(void **state)
{
	const struct tmp *t = *state;
	struct nbg_policy *p;
	char *path, *link, *dir, *got, *want;

	path = put(t, "etc/policy.conf", "fabric fab-01\n");
	assert_true(asprintf(&dir, "%s/etc", t->dir) > 0);
	assert_int_equal(chmod(dir, 0755), 0);
	if (geteuid() != 0) {
		/* Our own files are not root's: both the directory and the file are refused. */
		assert_int_equal(load_file(t, path, NBG_POLICY_CHECK_PERMS, &p, &got), -1);
		assert_true(asprintf(&want, "T/etc/policy.conf: error: directory T/etc is owned by "
		    "uid %lu, not root\nT/etc/policy.conf:   hint: chown root T/etc\n"
		    "T/etc/policy.conf: error: T/etc/policy.conf is owned by uid %lu, not root\n"
		    "T/etc/policy.conf:   hint: chown root T/etc/policy.conf\n",
		    (unsigned long)geteuid(), (unsigned long)geteuid()) > 0);
		assert_string_equal(got, want);
		free(want);
		free(got);
		free(path);
		free(dir);
		skip();	/* the rest needs files owned by root and by others */
	}
	assert_int_equal(load_file(t, path, NBG_POLICY_CHECK_PERMS, &p, &got), 0);
	assert_string_equal(got, "");
	free(got);
	nbg_policy_free(p);
	/* Not owned by root. */
	assert_int_equal(chown(path, 1000, 0), 0);
	assert_int_equal(load_file(t, path, NBG_POLICY_CHECK_PERMS, &p, &got), -1);
	assert_null(p);
	assert_string_equal(got, "T/etc/policy.conf: error: T/etc/policy.conf is owned by "
	    "uid 1000, not root\n"
	    "T/etc/policy.conf:   hint: chown root T/etc/policy.conf\n");
	free(got);
	/* Without the flag the same file loads. */
	assert_int_equal(load_file(t, path, 0, &p, &got), 0);
	free(got);
	nbg_policy_free(p);
	assert_int_equal(chown(path, 0, 0), 0);
	/* Group-writable, world-writable, both. */
	assert_int_equal(chmod(path, 0664), 0);
	assert_int_equal(load_file(t, path, NBG_POLICY_CHECK_PERMS, &p, &got), -1);
	assert_string_equal(got, "T/etc/policy.conf: error: T/etc/policy.conf is writable by "
	    "group (mode 0664)\n"
	    "T/etc/policy.conf:   hint: chmod go-w T/etc/policy.conf\n");
	free(got);
	assert_int_equal(chmod(path, 0646), 0);
	assert_int_equal(load_file(t, path, NBG_POLICY_CHECK_PERMS, &p, &got), -1);
	assert_string_equal(got, "T/etc/policy.conf: error: T/etc/policy.conf is writable by "
	    "others (mode 0646)\n"
	    "T/etc/policy.conf:   hint: chmod go-w T/etc/policy.conf\n");
	free(got);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(load_file(t, path, NBG_POLICY_CHECK_PERMS, &p, &got), -1);
	assert_non_null(strstr(got, "is writable by group and others (mode 0666)"));
	free(got);
	assert_int_equal(chmod(path, 0600), 0);
	/* The directory: not root's, group-writable, world-writable (even sticky). */
	assert_int_equal(chown(dir, 1000, 0), 0);
	assert_int_equal(load_file(t, path, NBG_POLICY_CHECK_PERMS, &p, &got), -1);
	assert_string_equal(got, "T/etc/policy.conf: error: directory T/etc is owned by uid "
	    "1000, not root\n"
	    "T/etc/policy.conf:   hint: chown root T/etc\n");
	free(got);
	assert_int_equal(chown(dir, 0, 0), 0);
	assert_int_equal(chmod(dir, 0775), 0);
	assert_int_equal(load_file(t, path, NBG_POLICY_CHECK_PERMS, &p, &got), -1);
	assert_string_equal(got, "T/etc/policy.conf: error: directory T/etc is writable by "
	    "group (mode 0775)\n"
	    "T/etc/policy.conf:   hint: chmod go-w T/etc\n");
	free(got);
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(load_file(t, path, NBG_POLICY_CHECK_PERMS, &p, &got), -1);
	assert_non_null(strstr(got, "directory T/etc is writable by group and others "
	    "(mode 1777)"));
	free(got);
	assert_int_equal(chmod(dir, 0755), 0);
	/* A symbolic link, even to a good file, is refused with the flag. */
	assert_true(asprintf(&link, "%s/etc/link.conf", t->dir) > 0);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(load_file(t, link, NBG_POLICY_CHECK_PERMS, &p, &got), -1);
	assert_string_equal(got, "T/etc/link.conf: error: is a symbolic link; policy files "
	    "must not be links\n"
	    "T/etc/link.conf:   hint: replace the link with the file it points to\n");
	free(got);
	assert_int_equal(load_file(t, link, 0, &p, &got), 0);
	free(got);
	nbg_policy_free(p);
	free(link);
	free(path);
	free(dir);
}

static void test_perms_include(void **state)
{
	const struct tmp *t = *state;
	struct nbg_policy *p;
	char *path, *drop, *got;

	if (geteuid() != 0)
		skip();
	drop = put(t, "policy.d/10-x.conf", "deny_user x\n");
	path = put(t, "policy.conf", "Include policy.d/*.conf\n");
	assert_int_equal(load_file(t, path, NBG_POLICY_CHECK_PERMS, &p, &got), 0);
	free(got);
	nbg_policy_free(p);
	/* A drop-in is held to the same rules as the main file. */
	assert_int_equal(chmod(drop, 0666), 0);
	assert_int_equal(load_file(t, path, NBG_POLICY_CHECK_PERMS, &p, &got), -1);
	assert_string_equal(got, "T/policy.d/10-x.conf: error: T/policy.d/10-x.conf is writable "
	    "by group and others (mode 0666)\n"
	    "T/policy.d/10-x.conf:   hint: chmod go-w T/policy.d/10-x.conf\n");
	free(got);
	assert_int_equal(chmod(drop, 0644), 0);
	assert_int_equal(lchown(drop, 1000, 1000), 0);
	assert_int_equal(load_file(t, path, NBG_POLICY_CHECK_PERMS, &p, &got), -1);
	assert_non_null(strstr(got, "10-x.conf is owned by uid 1000, not root"));
	free(got);
	free(drop);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_nul_bytes),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_value_messages),
		cmocka_unit_test(test_duplicate_settings),
		cmocka_unit_test(test_conflicts),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_builtin_roles),
		cmocka_unit_test(test_role_limits),
		cmocka_unit_test(test_users),
		cmocka_unit_test(test_fallback_limit),
		cmocka_unit_test(test_deny_limit),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_path_limits),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_policy),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_parse_size),
		cmocka_unit_test(test_valid_username),
		cmocka_unit_test_setup_teardown(test_include_order, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_include_paths, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_include_errors, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_include_depth, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_include_max_files, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_file_limits, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_perms, tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_perms_include, tmp_setup, tmp_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
