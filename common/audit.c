/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit.c - the one adapter to the Linux audit subsystem (see audit.h).
 *
 * A record is written with audit_log_acct_message(), the way libpam writes
 * "op=PAM:accounting grantors=... acct=...": our fields travel inside its
 * op argument, and libaudit appends acct= (which it encodes), exe=,
 * hostname=, addr=, terminal= and res=.  The resulting text is
 *
 *   op=nexusbg-account reason=user-blocked nbg_role=reader ... acct="alice"
 *       exe="..." hostname=? addr=10.0.0.5 terminal=ssh res=failed
 *
 * ausearch and aureport take the FIRST res=, acct=, exe=, hostname=, addr=
 * and terminal= of a record, so nothing we write may contain them:
 *  - our field names are fixed and none ends in one of those names;
 *  - a value is written raw only when it is a token of [A-Za-z0-9._:+/@-]
 *    (no space, no quote, no '='), else as NAME_enc=<hex of its bytes>;
 *  - hostname, addr and terminal, which libaudit does not encode, are
 *    passed raw only when nbg_audit_safe_field() accepts them, else "?"
 *    is passed and the value goes into our text as rhost_enc=, addr_enc=,
 *    terminal_enc=.
 *
 * When audit is unavailable the same text goes to syslog (authpriv), and
 * the caller's decision does not change.
 *
 * libaudit is loaded with dlopen() the first time a record is written, not
 * linked: the programs on the login path (`nexusbg keys`, `nexusbg session
 * check`, a device CLI through libnexusbg-session) write a record only when
 * they refuse, and loading libaudit costs more than all their own work.
 * It is loaded by soname from the system's library directories (a program
 * with a file capability runs in secure-execution mode, where the loader
 * ignores LD_LIBRARY_PATH) and never unloaded.  When it cannot be loaded,
 * audit is unavailable: the record goes to syslog and the line says why.
 * acct= in nbg_audit_format() is encoded here as libaudit encodes it
 * (tests/unit/test_audit.c compares the two on every byte).
 */
#include <sys/random.h>
#include <dlfcn.h>
#include <errno.h>
#include <libaudit.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <utmp.h>

#include "audit.h"

#define NBG_AUDIT_OP_MAX	64	/* op: [a-z0-9-], dashes as the dictionary asks */
#define NBG_AUDIT_VALUE_MAX	128	/* bytes of one value kept in the record */
#define NBG_AUDIT_FIELD_MAX	128	/* hostname/terminal passed raw up to this */
#define NBG_AUDIT_ADDR_MAX	45	/* libaudit keeps INET6_ADDRSTRLEN - 1 bytes of addr */
#define NBG_AUDIT_ACCT_MAX	UT_NAMESIZE	/* libaudit keeps 32 bytes of acct */
#define NBG_AUDIT_TEXT_MAX	4096	/* our part of the record */
#define NBG_AUDIT_LINE_MAX	(NBG_AUDIT_TEXT_MAX + 512)
#define NBG_LIBAUDIT_SONAME	"libaudit.so.1"

/*
 * The libaudit functions nbg_audit_log() calls, resolved on first use.
 * Their types are taken from libaudit.h, so a prototype that changes
 * breaks the build rather than the call.
 */
static struct {
	__typeof__(&audit_open) open;
	__typeof__(&audit_close) close;
	__typeof__(&audit_log_acct_message) log_acct_message;
	__typeof__(&audit_msg_type_to_name) msg_type_to_name;
	bool loaded;
	char error[160];	/* why it is not loaded */
} libaudit;

static pthread_once_t libaudit_once = PTHREAD_ONCE_INIT;

/* dlsym() into a function pointer without converting void * to it. */
static bool resolve(void *handle, const char *name, void *fnptr, size_t size)
{
	void *sym = dlsym(handle, name);

	if (sym == NULL || size != sizeof(sym))
		return false;
	memcpy(fnptr, &sym, size);
	return true;
}

static void libaudit_load(void)
{
	const char *e;
	void *h;

	(void)dlerror();
	h = dlopen(NBG_LIBAUDIT_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		e = dlerror();
		snprintf(libaudit.error, sizeof(libaudit.error), "%s not loaded: %s",
		    NBG_LIBAUDIT_SONAME, e != NULL ? e : "unknown error");
		return;
	}
	if (!resolve(h, "audit_open", &libaudit.open, sizeof(libaudit.open)) ||
	    !resolve(h, "audit_close", &libaudit.close, sizeof(libaudit.close)) ||
	    !resolve(h, "audit_log_acct_message", &libaudit.log_acct_message,
	    sizeof(libaudit.log_acct_message)) ||
	    !resolve(h, "audit_msg_type_to_name", &libaudit.msg_type_to_name,
	    sizeof(libaudit.msg_type_to_name))) {
		e = dlerror();
		snprintf(libaudit.error, sizeof(libaudit.error), "%s not usable: %s",
		    NBG_LIBAUDIT_SONAME, e != NULL ? e : "a function is missing");
		dlclose(h);
		return;
	}
	libaudit.loaded = true;		/* the handle stays open for the process */
}

/* Load libaudit once per process; false (and why) when it cannot be. */
static bool libaudit_ready(const char **why)
{
	if (pthread_once(&libaudit_once, libaudit_load) != 0) {
		*why = "libaudit not loaded: pthread_once failed";
		return false;
	}
	*why = libaudit.error;
	return libaudit.loaded;
}

/* A bounded string builder: a write past the end marks it overflowed. */
struct sbuf {
	char *buf;
	size_t len;
	size_t off;
	bool overflow;
};

static void sb_init(struct sbuf *sb, char *buf, size_t len)
{
	sb->buf = buf;
	sb->len = len;
	sb->off = 0;
	sb->overflow = len == 0;
	if (len > 0)
		buf[0] = '\0';
}

static void sb_add(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void sb_add(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->off, sb->len - sb->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sb->len - sb->off) {
		sb->overflow = true;
		sb->buf[sb->off] = '\0';
		return;
	}
	sb->off += (size_t)n;
}

static void sb_add_hex(struct sbuf *sb, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n && !sb->overflow; i++) {
		unsigned char c = (unsigned char)s[i];

		sb_add(sb, "%c%c", hex[c >> 4], hex[c & 0x0f]);
	}
}

static bool is_token_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
	    c == '+' || c == '/' || c == '@' || c == '-';
}

static bool is_token(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_token_char((unsigned char)s[i]))
			return false;
	return true;
}

static bool valid_op(const char *op)
{
	size_t n;

	if (op == NULL || (n = strnlen(op, NBG_AUDIT_OP_MAX + 1)) == 0 ||
	    n > NBG_AUDIT_OP_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)op[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

/*
 * " NAME=value" for a token, " NAME_enc=<hex>" otherwise; NULL and empty
 * values are left out.  Values are cut at NBG_AUDIT_VALUE_MAX bytes.
 */
static void put_field(struct sbuf *sb, const char *name, const char *value)
{
	size_t n;

	if (value == NULL || value[0] == '\0')
		return;
	n = strnlen(value, NBG_AUDIT_VALUE_MAX + 1);
	if (n <= NBG_AUDIT_VALUE_MAX && is_token(value, n)) {
		sb_add(sb, " %s=%s", name, value);
		return;
	}
	if (n > NBG_AUDIT_VALUE_MAX)
		n = NBG_AUDIT_VALUE_MAX;
	sb_add(sb, " %s_enc=", name);
	sb_add_hex(sb, value, n);
}

bool nbg_audit_safe_field(const char *s)
{
	size_t n;

	if (s == NULL || (n = strnlen(s, NBG_AUDIT_FIELD_MAX + 1)) == 0 ||
	    n > NBG_AUDIT_FIELD_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\'' || c == '=')
			return false;
	}
	return true;
}

/*
 * What is passed to libaudit for hostname, addr and terminal: the value
 * itself when it is safe, else "?" (and the value goes into our text,
 * hex-encoded).  addr is never NULL or empty: libaudit would then resolve
 * the untrusted hostname with getaddrinfo() inside the host process.
 */
struct peer_field {
	const char *passed;
	bool encode;
};

struct peer {
	struct peer_field host, addr, tty;
};

static struct peer_field peer_field(const char *v, size_t max)
{
	struct peer_field f = { "?", false };

	if (v == NULL || v[0] == '\0')
		return f;
	if (nbg_audit_safe_field(v) && strlen(v) <= max)
		f.passed = v;
	else
		f.encode = true;
	return f;
}

static void resolve_peer(const struct nbg_audit_event *ev, struct peer *p)
{
	p->host = peer_field(ev->hostname, NBG_AUDIT_FIELD_MAX);
	p->addr = peer_field(ev->addr, NBG_AUDIT_ADDR_MAX);
	p->tty = peer_field(ev->terminal, NBG_AUDIT_FIELD_MAX);
}

/* An unsafe peer value, hex-encoded into our text. */
static void put_peer_enc(struct sbuf *sb, const char *name, const char *value,
    const struct peer_field *f)
{
	if (!f->encode)
		return;
	sb_add(sb, " %s=", name);
	sb_add_hex(sb, value, strnlen(value, NBG_AUDIT_VALUE_MAX));
}

/* Our part: what libaudit receives as op (it writes "op=" before it). */
static int build_fields(const struct nbg_audit_event *ev, const struct peer *p,
    char *buf, size_t len)
{
	struct sbuf sb;

	if (!valid_op(ev->op))
		return -1;
	sb_init(&sb, buf, len);
	sb_add(&sb, "%s", ev->op);
	put_field(&sb, "reason", ev->reason);
	put_field(&sb, "nbg_role", ev->nbg_role);
	put_field(&sb, "nbg_cap", ev->capability);
	put_field(&sb, "nbg_fp", ev->key_fp);
	if (ev->fallback >= 0)
		sb_add(&sb, " fallback=%s", ev->fallback ? "yes" : "no");
	put_field(&sb, "ref", ev->ref);
	put_field(&sb, "service", ev->service);
	put_peer_enc(&sb, "rhost_enc", ev->hostname, &p->host);
	put_peer_enc(&sb, "addr_enc", ev->addr, &p->addr);
	put_peer_enc(&sb, "terminal_enc", ev->terminal, &p->tty);
	return sb.overflow ? -1 : 0;
}

static const char *acct_of(const struct nbg_audit_event *ev)
{
	return ev->acct != NULL && ev->acct[0] != '\0' ? ev->acct : "?";
}

/*
 * acct= exactly as audit_log_acct_message() writes it: its first 32 bytes,
 * quoted, or as uppercase hex when one of them is a quote, a control
 * character, a space, DEL or not ASCII (libaudit 3.0's rule).
 */
static bool acct_needs_encoding(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c < 0x21 || c >= 0x7f)
			return true;
	}
	return false;
}

static void put_acct(struct sbuf *sb, const char *acct)
{
	size_t n = strnlen(acct, NBG_AUDIT_ACCT_MAX);

	if (acct_needs_encoding(acct, n)) {
		sb_add(sb, " acct=");
		sb_add_hex(sb, acct, n);
	} else
		sb_add(sb, " acct=\"%.*s\"", (int)n, acct);
}

static int format_with_peer(const struct nbg_audit_event *ev, const struct peer *p,
    char *buf, size_t len)
{
	char fields[NBG_AUDIT_TEXT_MAX];
	struct sbuf sb;

	if (build_fields(ev, p, fields, sizeof(fields)) != 0)
		return -1;
	sb_init(&sb, buf, len);
	sb_add(&sb, "op=%s", fields);
	put_acct(&sb, acct_of(ev));
	sb_add(&sb, " hostname=%s addr=%s terminal=%s res=%s", p->host.passed,
	    p->addr.passed, p->tty.passed, ev->success ? "success" : "failed");
	return sb.overflow ? -1 : 0;
}

/*
 * The record as libaudit will send it, without the exe= it adds: "op=...
 * acct=... hostname=... addr=... terminal=... res=...".  The same text is
 * the syslog line when audit is unavailable.
 */
int nbg_audit_format(const struct nbg_audit_event *ev, char *buf, size_t len)
{
	struct peer p;

	if (ev == NULL || buf == NULL || len == 0)
		return -1;
	resolve_peer(ev, &p);
	return format_with_peer(ev, &p, buf, len);
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/*
 * The record type's name as ausearch -m takes it: libaudit's table when it
 * is loaded, else the types this project writes, else the number.
 */
static const char *type_name(int type, char *buf, size_t len)
{
	static const struct { int type; const char *name; } names[] = {
		{ AUDIT_USER_AUTH, "USER_AUTH" }, { AUDIT_USER_ACCT, "USER_ACCT" },
		{ AUDIT_USER_START, "USER_START" }, { AUDIT_USER_END, "USER_END" },
		{ AUDIT_USER_CMD, "USER_CMD" },
	};
	const char *n;

	if (libaudit.loaded && (n = libaudit.msg_type_to_name(type)) != NULL)
		return n;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type)
			return names[i].name;
	snprintf(buf, len, "%d", type);
	return buf;
}

/*
 * The syslog twin.  No openlog(): the facility is in the priority, so the
 * host process's own syslog settings stay as they were.  The text is
 * printable ASCII already; anything else is replaced all the same.
 */
static void to_syslog(const struct nbg_audit_event *ev, const char *why, const char *text)
{
	char line[NBG_AUDIT_LINE_MAX], tnum[16];
	const char *tname = type_name(ev->type, tnum, sizeof(tnum));

	snprintf(line, sizeof(line), "%s", text);
	for (char *c = line; *c != '\0'; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
			*c = '?';
	syslog(LOG_AUTHPRIV | (ev->success ? LOG_NOTICE : LOG_WARNING),
	    "audit record not written to the audit log (%s): type=%s %s", why,
	    tname != NULL ? tname : "?", line);
}

/* audit_open(): kernel without audit, or not in the initial user namespace. */
static bool audit_absent(int e)
{
	return e == EINVAL || e == EPROTONOSUPPORT || e == EAFNOSUPPORT || e == ECONNREFUSED;
}

enum nbg_audit_result nbg_audit_log(const struct nbg_audit_event *ev, char *err, size_t errlen)
{
	char fields[NBG_AUDIT_TEXT_MAX], text[NBG_AUDIT_LINE_MAX], why[96];
	enum nbg_audit_result res = NBG_AUDIT_FAILED;
	const char *unloaded;
	struct peer p;
	int fd = -1, rc, e;

	set_err(err, errlen, "no error");
	if (ev == NULL) {
		set_err(err, errlen, "nbg_audit_log: no event");
		goto out;
	}
	resolve_peer(ev, &p);
	if (build_fields(ev, &p, fields, sizeof(fields)) != 0 ||
	    format_with_peer(ev, &p, text, sizeof(text)) != 0) {
		/* A programming error: the op is a constant of ours. */
		set_err(err, errlen, "audit record type %d for acct %s not written: "
		    "invalid op or record too long", ev->type,
		    nbg_audit_safe_field(acct_of(ev)) ? acct_of(ev) : "(unsafe name)");
		syslog(LOG_AUTHPRIV | LOG_ERR, "nexusbg: audit record type %d not written: "
		    "invalid op or record too long", ev->type);
		goto out;
	}
	if (!libaudit_ready(&unloaded)) {
		/* As if the kernel had no audit: the record goes to syslog. */
		to_syslog(ev, unloaded, text);
		res = NBG_AUDIT_SYSLOG;
		set_err(err, errlen, "%s (record sent to syslog: %.160s)", unloaded, text);
		goto out;
	}
	if ((fd = libaudit.open()) < 0) {
		e = errno;
		snprintf(why, sizeof(why), "audit_open: %s", strerror(e));
		to_syslog(ev, why, text);
		res = audit_absent(e) ? NBG_AUDIT_SYSLOG : NBG_AUDIT_FAILED;
		set_err(err, errlen, "%s (record sent to syslog: %.160s)", why, text);
		goto out;
	}
	errno = 0;
	rc = libaudit.log_acct_message(fd, ev->type, NULL, fields, acct_of(ev), (unsigned int)-1,
	    p.host.passed, p.addr.passed, p.tty.passed, ev->success ? 1 : 0);
	e = errno;
	if (rc > 0) {
		res = NBG_AUDIT_LOGGED;
		goto out;
	}
	snprintf(why, sizeof(why), "audit_log_acct_message: %s",
	    e != 0 ? strerror(e) : "unknown error");
	to_syslog(ev, why, text);
	/* EPERM: no CAP_AUDIT_WRITE; ECONNREFUSED: not the initial user namespace. */
	res = e == EPERM || e == ECONNREFUSED ? NBG_AUDIT_SYSLOG : NBG_AUDIT_FAILED;
	set_err(err, errlen, "%s (record sent to syslog: %.160s)", why, text);
out:
	if (fd >= 0)
		libaudit.close(fd);
	return res;
}

/* Last resort when getrandom() fails: a reference id is not a secret. */
static uint64_t weak_bits(void)
{
	struct timespec ts = { 0, 0 };
	uint64_t x;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	x = ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)ts.tv_nsec ^
	    ((uint64_t)getpid() << 40);
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

void nbg_audit_new_ref(char out[NBG_REF_LEN])
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char r[5];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(r)) {
		n = getrandom(r + got, sizeof(r) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(r)) {
		uint64_t x = weak_bits();

		for (size_t i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)(x >> (8 * i));
	}
	memcpy(out, "NBG-", 4);
	for (size_t i = 0; i < sizeof(r); i++) {
		out[4 + 2 * i] = hex[r[i] >> 4];
		out[5 + 2 * i] = hex[r[i] & 0x0f];
	}
	out[14] = '\0';
	out[15] = '\0';
}
