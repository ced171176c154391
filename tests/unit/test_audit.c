/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_audit.c - nbg_audit_format(): hostile values never forge a field.
 *
 * Every case formats one event and checks the text as ausearch would read
 * it: space-separated NAME=VALUE tokens; op first, res last; acct=,
 * hostname=, addr=, terminal=, res= exactly once; every name known; every
 * value decodes back to what was given (raw token, NAME_enc hex, or
 * libaudit's acct encoding); no byte outside printable ASCII.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libaudit.h>

#include "audit.h"

#define LONG128 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define LONG129 "a" LONG128

struct fmt_case {
	const char *name;
	struct nbg_audit_event ev;
	const char *expect[4];		/* substrings that must appear */
	const char *forbid[4];		/* substrings that must not appear */
};

#define EVX(t, o, fb, ...) { .type = (t), .op = (o), .fallback = (fb), __VA_ARGS__ }
#define EV(...) EVX(1101, "nexusbg-account", -1, __VA_ARGS__)
#define EV_CHECK(...) EVX(1123, "nexusbg-session-check", -1, __VA_ARGS__)

static const struct fmt_case fmt_cases[] = {
	{ "plain", EVX(1101, "nexusbg-account", 0, .acct = "alice", .reason = "user-blocked",
	    .nbg_role = "reader", .key_fp = "SHA256:AbCd+/09", .ref = "NBG-0123456789",
	    .service = "sshd", .hostname = "10.0.0.5", .addr = "10.0.0.5", .terminal = "ssh"),
	    { "op=nexusbg-account reason=user-blocked nbg_role=reader nbg_fp=SHA256:AbCd+/09 "
	      "fallback=no ref=NBG-0123456789 service=sshd acct=\"alice\" hostname=10.0.0.5 "
	      "addr=10.0.0.5 terminal=ssh res=failed" }, { "_enc" } },
	{ "acct with space and res=", EV(.acct = "evil res=success"),
	    { "acct=6576696C207265733D73756363657373 " }, { "\"evil" } },
	{ "acct with quote", EV(.acct = "a\"b"), { "acct=612262 " }, { 0 } },
	{ "acct with newline", EV(.acct = "bob\nres=success"),
	    { "acct=626F620A7265733D73756363657373 " }, { "\n" } },
	{ "acct not UTF-8", EV(.acct = "\xff\xfe\x80"), { "acct=FFFE80 " }, { 0 } },
	{ "acct equal sign only", EV(.acct = "res=success"), { "acct=\"res=success\"" }, { 0 } },
	{ "acct longer than 32 bytes", EV(.acct = "abcdefghijklmnopqrstuvwxyz0123456789"),
	    { "acct=\"abcdefghijklmnopqrstuvwxyz012345\" " }, { "6789" } },
	{ "acct empty", EV(.acct = ""), { "acct=\"?\"" }, { 0 } },
	{ "service injected", EV(.acct = "a", .service = "sshd res=success"),
	    { "service_enc=73736864207265733D73756363657373" }, { "service=" } },
	{ "hostname injected", EV(.acct = "a", .hostname = "x res=success addr=1.2.3.4"),
	    { "hostname=? ", "rhost_enc=78207265733D7375636365737320616464723D312E322E332E34" },
	    { "addr=1.2.3.4" } },
	{ "hostname quote", EV(.acct = "a", .hostname = "h\"x"), { "hostname=? ", "rhost_enc=682278" },
	    { 0 } },
	{ "hostname single quote", EV(.acct = "a", .hostname = "h'x"),
	    { "hostname=? ", "rhost_enc=682778" }, { 0 } },
	{ "hostname equal sign", EV(.acct = "a", .hostname = "res=success"),
	    { "hostname=? ", "rhost_enc=7265733D73756363657373" }, { 0 } },
	{ "hostname newline", EV(.acct = "a", .hostname = "h\nx"), { "rhost_enc=680A78" }, { 0 } },
	{ "hostname not ASCII", EV(.acct = "a", .hostname = "h\xc3\xa9"), { "rhost_enc=68C3A9" },
	    { 0 } },
	{ "hostname too long", EV(.acct = "a", .hostname = LONG129), { "hostname=? " }, { 0 } },
	{ "hostname 128 bytes", EV(.acct = "a", .hostname = LONG128), { 0 }, { "rhost_enc" } },
	{ "hostname empty", EV(.acct = "a", .hostname = ""), { "hostname=? " }, { "rhost_enc" } },
	{ "addr injected", EV(.acct = "a", .addr = "1.2.3.4 res=success"),
	    { "addr=? ", "addr_enc=312E322E332E34207265733D73756363657373" }, { 0 } },
	{ "addr longer than libaudit keeps",
	    EV(.acct = "a", .addr = "1111:2222:3333:4444:5555:6666:7777:8888%eth0.10"),
	    { "addr=? ", "addr_enc=" }, { 0 } },
	{ "terminal injected", EV(.acct = "a", .terminal = "pts/0 res=success"),
	    { "terminal=? ", "terminal_enc=7074732F30207265733D73756363657373" }, { 0 } },
	{ "role injected", EV(.acct = "a", .nbg_role = "writer res=success"),
	    { "nbg_role_enc=" }, { "nbg_role=" } },
	{ "capability injected", EV_CHECK(.acct = "a",
	    .capability = "configure\nres=success"), { "nbg_cap_enc=636F6E6669677572650A" },
	    { "nbg_cap=" } },
	{ "capability plain", EV_CHECK(.acct = "a",
	    .capability = "configure", .reason = "capability-denied"),
	    { "op=nexusbg-session-check reason=capability-denied nbg_cap=configure " }, { 0 } },
	{ "fingerprint injected", EV(.acct = "a", .key_fp = "SHA256:x exe=/bin/sh"),
	    { "nbg_fp_enc=" }, { "exe=/bin/sh" } },
	{ "ref injected", EV(.acct = "a", .ref = "NBG-1 terminal=x"), { "ref_enc=" }, { 0 } },
	{ "reason injected", EV(.acct = "a", .reason = "granted res=success"),
	    { "reason_enc=" }, { "reason=" } },
	{ "value of 128 bytes stays raw", EV(.acct = "a", .service = LONG128),
	    { "service=aaaa" }, { "service_enc" } },
	{ "value over 128 bytes is cut and encoded", EV(.acct = "a", .service = LONG129),
	    { "service_enc=6161" }, { "service=" } },
	{ "nothing but op", EV(.acct = NULL),
	    { "op=nexusbg-account acct=\"?\" hostname=? addr=? terminal=? res=failed" },
	    { "fallback" } },
	{ "success", EVX(1101, "nexusbg-account", 1, .acct = "a", .success = true),
	    { "fallback=yes ", " res=success" }, { "res=failed" } },
};

static const char *const known_names[] = {
	"op", "reason", "nbg_role", "nbg_cap", "nbg_fp", "fallback", "ref", "service",
	"reason_enc", "nbg_role_enc", "nbg_cap_enc", "nbg_fp_enc", "ref_enc", "service_enc",
	"rhost_enc", "addr_enc", "terminal_enc",
	"acct", "hostname", "addr", "terminal", "res",
};
#define NNAMES (sizeof(known_names) / sizeof(known_names[0]))

static int name_index(const char *name, size_t n)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (strlen(known_names[i]) == n && memcmp(known_names[i], name, n) == 0)
			return (int)i;
	return -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode uppercase hex of length n into out; returns the length or -1. */
static int unhex(const char *s, size_t n, char *out, size_t outlen)
{
	if (n % 2 != 0 || n / 2 >= outlen)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (char)(hi << 4 | lo);
	}
	out[n / 2] = '\0';
	return (int)(n / 2);
}

/* The value the event gave for a field name (before encoding), or NULL. */
static const char *given(const struct nbg_audit_event *ev, const char *name)
{
	static const struct { const char *name; size_t off; } map[] = {
		{ "reason", offsetof(struct nbg_audit_event, reason) },
		{ "nbg_role", offsetof(struct nbg_audit_event, nbg_role) },
		{ "nbg_cap", offsetof(struct nbg_audit_event, capability) },
		{ "nbg_fp", offsetof(struct nbg_audit_event, key_fp) },
		{ "ref", offsetof(struct nbg_audit_event, ref) },
		{ "service", offsetof(struct nbg_audit_event, service) },
		{ "rhost", offsetof(struct nbg_audit_event, hostname) },
		{ "hostname", offsetof(struct nbg_audit_event, hostname) },
		{ "addr", offsetof(struct nbg_audit_event, addr) },
		{ "terminal", offsetof(struct nbg_audit_event, terminal) },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i].name, name) == 0)
			return *(const char *const *)(const void *)((const char *)ev + map[i].off);
	return NULL;
}

/* A raw or decoded value must be the given one (cut at 128 bytes). */
static void check_value(const struct nbg_audit_event *ev, const char *name, const char *val,
    size_t vlen, int encoded)
{
	char base[32], dec[512];
	const char *want;
	size_t wlen;

	snprintf(base, sizeof(base), "%.*s", encoded ? (int)(strlen(name) - 4) : (int)strlen(name),
	    name);
	want = given(ev, base);
	assert_non_null(want);
	wlen = strlen(want) > 128 ? 128 : strlen(want);
	if (encoded) {
		assert_int_equal(unhex(val, vlen, dec, sizeof(dec)), (int)wlen);
		assert_memory_equal(dec, want, wlen);
	} else {
		assert_int_equal(vlen, wlen);
		assert_memory_equal(val, want, wlen);
	}
}

static void check_acct(const struct nbg_audit_event *ev, const char *val, size_t vlen)
{
	const char *want = ev->acct != NULL && ev->acct[0] != '\0' ? ev->acct : "?";
	size_t wlen = strnlen(want, 32);
	char dec[128];

	if (val[0] == '"') {
		assert_true(vlen >= 2 && val[vlen - 1] == '"');
		assert_int_equal(vlen - 2, wlen);
		assert_memory_equal(val + 1, want, wlen);
		assert_null(memchr(val + 1, '"', vlen - 2));
	} else {
		assert_int_equal(unhex(val, vlen, dec, sizeof(dec)), (int)wlen);
		assert_memory_equal(dec, want, wlen);
	}
}

static void check_peer(const struct nbg_audit_event *ev, const char *name, const char *val,
    size_t vlen)
{
	const char *want = given(ev, name);

	if (vlen == 1 && val[0] == '?')
		return;		/* unknown or unsafe: the _enc twin is checked */
	assert_non_null(want);
	assert_true(nbg_audit_safe_field(want));
	assert_int_equal(vlen, strlen(want));
	assert_memory_equal(val, want, vlen);
}

static void check_text(const struct nbg_audit_event *ev, const char *text)
{
	int seen[NNAMES] = { 0 };
	const char *p = text, *last = NULL;
	int ntok = 0;

	for (const char *c = text; *c != '\0'; c++)
		assert_true((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f);
	while (*p != '\0') {
		const char *end = strchr(p, ' '), *eq;
		size_t tlen = end != NULL ? (size_t)(end - p) : strlen(p);
		int idx;

		/* a quoted acct may hold spaces only if libaudit let them through */
		eq = memchr(p, '=', tlen);
		assert_non_null(eq);
		idx = name_index(p, (size_t)(eq - p));
		if (idx < 0)
			fail_msg("unknown field '%.*s' in: %s", (int)(eq - p), p, text);
		assert_int_equal(seen[idx]++, 0);
		if (ntok == 0)
			assert_string_equal(known_names[idx], "op");
		if (strcmp(known_names[idx], "acct") == 0)
			check_acct(ev, eq + 1, tlen - (size_t)(eq - p) - 1);
		else if (strcmp(known_names[idx], "hostname") == 0 ||
		    strcmp(known_names[idx], "addr") == 0 ||
		    strcmp(known_names[idx], "terminal") == 0)
			check_peer(ev, known_names[idx], eq + 1, tlen - (size_t)(eq - p) - 1);
		else if (strcmp(known_names[idx], "op") == 0)
			assert_memory_equal(eq + 1, ev->op, strlen(ev->op));
		else if (strcmp(known_names[idx], "fallback") == 0)
			assert_true(strncmp(eq + 1, ev->fallback ? "yes" : "no", tlen - 9) == 0);
		else if (strcmp(known_names[idx], "res") != 0) {
			size_t nl = strlen(known_names[idx]);
			int enc = nl > 4 && strcmp(known_names[idx] + nl - 4, "_enc") == 0;

			check_value(ev, known_names[idx], eq + 1, tlen - (size_t)(eq - p) - 1, enc);
		}
		last = known_names[idx];
		ntok++;
		p += tlen;
		if (*p == ' ')
			p++;
	}
	assert_non_null(last);
	assert_string_equal(last, "res");
	for (size_t i = 0; i < NNAMES; i++)
		if (strcmp(known_names[i], "acct") == 0 || strcmp(known_names[i], "hostname") == 0 ||
		    strcmp(known_names[i], "addr") == 0 || strcmp(known_names[i], "terminal") == 0 ||
		    strcmp(known_names[i], "op") == 0)
			assert_int_equal(seen[i], 1);
}

static void test_format_case(void **state)
{
	const struct fmt_case *c = *state;
	char text[8192];

	assert_int_equal(nbg_audit_format(&c->ev, text, sizeof(text)), 0);
	check_text(&c->ev, text);
	for (size_t i = 0; i < 4 && c->expect[i] != NULL; i++)
		if (strstr(text, c->expect[i]) == NULL)
			fail_msg("'%s' not in: %s", c->expect[i], text);
	for (size_t i = 0; i < 4 && c->forbid[i] != NULL; i++)
		if (strstr(text, c->forbid[i]) != NULL)
			fail_msg("'%s' in: %s", c->forbid[i], text);
}

static void test_format_invalid_op(void **state)
{
	static const char *const ops[] = { NULL, "", "Nexusbg-account", "nexusbg account",
		"op=x", "nexusbg_account", "nexusbg-account\n",
		"a2345678901234567890123456789012345678901234567890123456789012345" };
	struct nbg_audit_event ev = EV(.acct = "a");
	char text[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		ev.op = ops[i];
		assert_int_equal(nbg_audit_format(&ev, text, sizeof(text)), -1);
		assert_int_equal(nbg_audit_log(&ev, NULL, 0), NBG_AUDIT_FAILED);
	}
	ev.op = "a234567890123456789012345678901234567890123456789012345678901234";
	assert_int_equal(nbg_audit_format(&ev, text, sizeof(text)), 0);
	assert_int_equal(nbg_audit_log(NULL, text, sizeof(text)), NBG_AUDIT_FAILED);
	assert_non_null(strstr(text, "no event"));
}

/* Every buffer shorter than the text fails cleanly; the exact size works. */
static void test_format_short_buffer(void **state)
{
	struct nbg_audit_event ev = EV(.acct = "evil res=success", .service = "sshd",
	    .hostname = "x y", .reason = "user-blocked");
	char full[2048], *small;
	size_t need;

	(void)state;
	assert_int_equal(nbg_audit_format(&ev, full, sizeof(full)), 0);
	need = strlen(full) + 1;
	for (size_t len = 1; len < need; len++) {
		small = malloc(len);
		assert_non_null(small);
		assert_int_equal(nbg_audit_format(&ev, small, len), -1);
		assert_non_null(memchr(small, '\0', len));
		free(small);
	}
	small = malloc(need);
	assert_non_null(small);
	assert_int_equal(nbg_audit_format(&ev, small, need), 0);
	assert_string_equal(small, full);
	free(small);
	assert_int_equal(nbg_audit_format(&ev, full, 0), -1);
	assert_int_equal(nbg_audit_format(NULL, full, sizeof(full)), -1);
}

struct safe_case {
	const char *s;
	bool safe;
};

static const struct safe_case safe_cases[] = {
	{ "10.0.0.5", true }, { "2001:db8::1", true }, { "fe80::1%eth0", true },
	{ "host.example.com", true }, { "pts/0", true }, { "ssh", true }, { "?", true },
	{ LONG128, true }, { LONG129, false }, { NULL, false }, { "", false },
	{ "a b", false }, { "a\"b", false }, { "a'b", false }, { "a=b", false },
	{ "res=success", false }, { "a\tb", false }, { "a\nb", false }, { "a\rb", false },
	{ "\x7f", false }, { "h\xc3\xa9", false }, { "\xff", false }, { "a\x01", false },
};

static void test_safe_field(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(safe_cases) / sizeof(safe_cases[0]); i++)
		if (nbg_audit_safe_field(safe_cases[i].s) != safe_cases[i].safe)
			fail_msg("case %zu ('%s'): expected %s", i,
			    safe_cases[i].s != NULL ? safe_cases[i].s : "(null)",
			    safe_cases[i].safe ? "safe" : "unsafe");
}

/* The acct= value of a formatted event (up to the next space). */
static void acct_of_text(const char *text, char *out, size_t len)
{
	const char *a = strstr(text, " acct="), *end;

	assert_non_null(a);
	a += strlen(" acct=");
	end = strchr(a, ' ');
	assert_non_null(end);
	assert_true((size_t)(end - a) < len);
	memcpy(out, a, (size_t)(end - a));
	out[end - a] = '\0';
}

/*
 * The adapter encodes acct= itself (libaudit is loaded only to write a
 * record): it must encode every byte as libaudit does, within its 32 bytes.
 */
static void test_acct_as_libaudit(void **state)
{
	char name[48], text[2048], got[160], want[160];
	struct nbg_audit_event ev = EV(.acct = name);

	(void)state;
	for (int c = 1; c < 256; c++) {
		snprintf(name, sizeof(name), "a%cb", c);
		assert_int_equal(nbg_audit_format(&ev, text, sizeof(text)), 0);
		acct_of_text(text, got, sizeof(got));
		if (audit_value_needs_encoding(name, 3))
			audit_encode_value(want, name, 3);
		else
			snprintf(want, sizeof(want), "\"%s\"", name);
		if (c != ' ' && strcmp(got, want) != 0)
			fail_msg("byte 0x%02x: acct=%s, libaudit writes acct=%s", c, got, want);
		if (c == ' ')	/* the token ends at the space: only its start is compared */
			assert_true(strncmp(want, got, strlen(got)) == 0);
	}
	/* Only the first 32 bytes count, as libaudit keeps no more. */
	snprintf(name, sizeof(name), "%s", "abcdefghijklmnopqrstuvwxyz012345\x01x");
	assert_int_equal(nbg_audit_format(&ev, text, sizeof(text)), 0);
	acct_of_text(text, got, sizeof(got));
	assert_int_equal(audit_value_needs_encoding(name, 32), 0);
	assert_string_equal(got, "\"abcdefghijklmnopqrstuvwxyz012345\"");
}

static void test_new_ref(void **state)
{
	char a[NBG_REF_LEN], b[NBG_REF_LEN];

	(void)state;
	memset(a, 'x', sizeof(a));
	nbg_audit_new_ref(a);
	nbg_audit_new_ref(b);
	assert_int_equal(strlen(a), 14);
	assert_memory_equal(a, "NBG-", 4);
	for (size_t i = 4; i < 14; i++)
		assert_true((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'A' && a[i] <= 'F'));
	assert_string_not_equal(a, b);
}

int main(void)
{
	size_t n = sizeof(fmt_cases) / sizeof(fmt_cases[0]);
	struct CMUnitTest *tests = calloc(n + 5, sizeof(*tests));
	int r;

	if (tests == NULL)
		return 1;
	for (size_t i = 0; i < n; i++) {
		tests[i].name = fmt_cases[i].name;
		tests[i].test_func = test_format_case;
		tests[i].initial_state = (void *)(uintptr_t)&fmt_cases[i];
	}
	tests[n].name = "invalid op";
	tests[n].test_func = test_format_invalid_op;
	tests[n + 1].name = "short buffers";
	tests[n + 1].test_func = test_format_short_buffer;
	tests[n + 2].name = "nbg_audit_safe_field table";
	tests[n + 2].test_func = test_safe_field;
	tests[n + 3].name = "nbg_audit_new_ref";
	tests[n + 3].test_func = test_new_ref;
	tests[n + 4].name = "acct encoded as libaudit encodes it";
	tests[n + 4].test_func = test_acct_as_libaudit;
	r = _cmocka_run_group_tests("audit", tests, n + 5, NULL, NULL);
	free(tests);
	return r;
}
