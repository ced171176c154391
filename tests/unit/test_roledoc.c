/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_roledoc.c - the strict loader of the JSON role document.
 *
 * Each case is a document and either success or the error expected: "=..."
 * for the whole message, otherwise a part of it.  Limits are tested at N
 * and N + 1.  The example document is read from $NBG_SRCDIR.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy/roletable.h"
#include "policy/sshkey.h"

/* Real FIDO2 public keys (application "ssh:"), as the control plane sends them. */
#define KED0 "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIAH14xT3Ius" \
	"wpDF77oWjfAlt3iha83Eo8nPdp6HtHYmrAAAABHNzaDo= NexusIdentitySSHKey"
#define KED1 "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIPL2apIBI52" \
	"0EuXM3qUPS3jphpm3upW34CXHxz8Wrq8cAAAABHNzaDo= NexusIdentitySSHKey"
#define KED2 "sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIM5u1p2h/rq" \
	"L6o954zE8lbwMXlOi42iIHr9JPH6AfZnzAAAABHNzaDo= NexusIdentitySSHKey"
#define KEC0 "sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5" \
	"jb20AAAAIbmlzdHAyNTYAAABBBDvr/AEO9p9siVitd0Q916WmfZqsW1pwAzP3s6EYaWA9B62nngpXrL1nTdDCbo4ZAl" \
	"oM739HvucUyCye+cQGoBUAAAAEc3NoOg== NexusIdentitySSHKey"
#define KEC1 "sk-ecdsa-sha2-nistp256@openssh.com AAAAInNrLWVjZHNhLXNoYTItbmlzdHAyNTZAb3BlbnNzaC5" \
	"jb20AAAAIbmlzdHAyNTYAAABBBJEdIHTvVi1OpcvunNLKjLxx5XuM/mZ7UEyFp53JZVzkRi2cT6gzPxU4wSdV9qEPPS" \
	"/K62SwevmU/tKg1nWxHfIAAAAEc3NoOg== NexusIdentitySSHKey"
#define KPLAIN "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHgqnrOU1KfPOfD0xrhtsSB6yTu+jYcGnga1Wvoi64Kz " \
	"plain@host"

#define F_VER "\"format_version\":1"
#define F_FAB "\"fabric\":\"fab-example-01\""
#define F_SER "\"serial\":42"
#define F_GEN "\"generated_at\":\"2026-11-21T10:00:00Z\""
#define F_USERS(u) "\"users\":[" u "]"
#define TOP F_VER "," F_FAB "," F_SER "," F_GEN
#define DOC(users) "{" TOP "," F_USERS(users) "}"
#define UK(login, key) "{\"login\":\"" login "\",\"role\":\"reader\",\"keys\":[\"" key "\"]}"
#define U(members) "{\"login\":\"alice\",\"role\":\"reader\",\"keys\":[\"" KED0 "\"]" members "}"
#define ALICE UK("alice", KED0)
#define GEN_AT(t) "{" F_VER "," F_FAB "," F_SER ",\"generated_at\":\"" t "\"," F_USERS("") "}"

static const char *const roles_rw[] = { "reader", "writer" };
static const struct nbg_roledoc_opts opts_roles = { NULL, roles_rw, 2, 0 };
static const struct nbg_roledoc_opts opts_fabric = { "fab-example-01", NULL, 0, 0 };
static const struct nbg_roledoc_opts opts_other = { "fab-other-02", NULL, 0, 0 };
static const struct nbg_roledoc_opts opts_ed_only = { NULL, NULL, 0,
    1u << NBG_KEY_SK_ED25519 };
static const struct nbg_roledoc_opts opts_ec_only = { NULL, NULL, 0,
    1u << NBG_KEY_SK_ECDSA };
/* Non-FIDO2 bits are ignored: a plain key is never accepted. */
static const struct nbg_roledoc_opts opts_plain = { NULL, NULL, 0,
    (1u << NBG_KEY_ED25519) | (1u << NBG_KEY_SK_ED25519) };

struct doc_case {
	const char *name;
	const char *json;
	size_t len;			/* 0 = strlen(json) */
	const struct nbg_roledoc_opts *opts;
	const char *expect;		/* NULL = accepted; "=..." whole message; else a part */
};

static const struct doc_case cases[] = {
	/* accepted */
	{ "minimal", DOC(ALICE), 0, NULL, NULL },
	{ "no users", DOC(""), 0, NULL, NULL },
	{ "all members", DOC(U(",\"display_name\":\"alice@contoso.com\",\"not_before\":"
	  "\"2026-01-01T00:00:00Z\",\"not_after\":\"2027-01-01T00:00:00Z\",\"blocked\":false")),
	  0, NULL, NULL },
	{ "members in any order", "{\"users\":[{\"keys\":[\"" KED0 "\"],\"role\":\"writer\","
	  "\"login\":\"alice\"}]," F_GEN "," F_SER "," F_FAB "," F_VER "}", 0, NULL, NULL },
	{ "whitespace everywhere", " \t\r\n{ \"format_version\" : 1 ,\n\"fabric\":\"f\",\"serial\""
	  ":1,\"generated_at\":\"2026-11-21T10:00:00Z\",\"users\":[ ] }\n\n", 0, NULL, NULL },
	{ "two keys, both types", DOC("{\"login\":\"bob\",\"role\":\"writer\",\"keys\":[\"" KED1
	  "\",\"" KEC0 "\"]}"), 0, NULL, NULL },
	{ "several users", DOC(ALICE "," UK("bob", KED1) "," UK("carol", KEC0)), 0, NULL, NULL },
	{ "escaped member name", DOC("{\"\\u006cogin\":\"alice\",\"role\":\"reader\",\"keys\":[\""
	  KED0 "\"]}"), 0, NULL, NULL },
	{ "escaped slash in value", DOC(U(",\"display_name\":\"a\\/b\"")), 0, NULL, NULL },
	{ "display name UTF-8", DOC(U(",\"display_name\":\"J\xc3\xb6rg \xe2\x82\xac \xf0\x9f\x94"
	  "\x91\"")), 0, NULL, NULL },
	{ "display name surrogate pair", DOC(U(",\"display_name\":\"key \\ud83d\\udd11\"")), 0,
	  NULL, NULL },
	{ "login with $ . - _", DOC(UK("_svc.bg-1$", KED0)), 0, NULL, NULL },
	{ "blocked true", DOC(U(",\"blocked\":true")), 0, NULL, NULL },
	{ "known role", DOC(UK("alice", KED0)), 0, &opts_roles, NULL },
	{ "expected fabric", DOC(ALICE), 0, &opts_fabric, NULL },
	{ "ed25519-sk only, ed key", DOC(ALICE), 0, &opts_ed_only, NULL },
	{ "ecdsa-sk only, ecdsa key", DOC(UK("alice", KEC0)), 0, &opts_ec_only, NULL },
	{ "serial 2^53-1", "{" F_VER "," F_FAB ",\"serial\":9007199254740991," F_GEN ","
	  F_USERS("") "}", 0, NULL, NULL },
	{ "serial 1", "{" F_VER "," F_FAB ",\"serial\":1," F_GEN "," F_USERS("") "}", 0, NULL,
	  NULL },

	/* the shape of the document */
	{ "empty", "", 0, NULL, "=(document): the document is empty" },
	{ "only whitespace", " \n", 0, NULL, "=(document): the document is empty" },
	{ "array at the top", "[]", 0, NULL, "=(document): the document must be a JSON object" },
	{ "string at the top", "\"x\"", 0, NULL, "must be a JSON object" },
	{ "trailing garbage", DOC(ALICE) " x", 0, NULL,
	  "(document): trailing data after the JSON value" },
	{ "two documents", DOC(ALICE) "{}", 0, NULL, "(document): trailing data" },
	{ "trailing comma in object", "{" TOP "," F_USERS("") ",}", 0, NULL,
	  "(document): unexpected '}'" },
	{ "trailing comma in array", DOC(ALICE ","), 0, NULL, "users[1]: unexpected ']'" },
	{ "single quotes", "{'format_version':1}", 0, NULL, "unexpected '''" },
	{ "comment", "{/* x */" TOP "," F_USERS("") "}", 0, NULL, "unexpected '/'" },
	{ "unquoted name", "{format_version:1}", 0, NULL, "expected a member name" },
	{ "missing colon", "{\"format_version\" 1}", 0, NULL, "expected ':'" },
	{ "NaN", "{\"format_version\":NaN}", 0, NULL, "format_version: unexpected 'N'" },
	{ "leading zero", "{\"format_version\":01}", 0, NULL, "(document): unexpected '1'" },
	{ "leading plus", "{\"format_version\":+1}", 0, NULL, "unexpected '+'" },
	{ "bare minus", "{\"format_version\":-}", 0, NULL, "expected a digit" },
	{ "dot without digits", "{\"serial\":1.}", 0, NULL, "expected a digit" },
	{ "exponent without digits", "{\"serial\":1e}", 0, NULL, "expected a digit" },
	{ "truncated literal", "{\"x\":tru}", 0, NULL, "unexpected 't'" },
	{ "byte order mark", "\xef\xbb\xbf" DOC(""), 0, NULL, "must be a JSON object" },

	/* unknown, missing, duplicate members */
	{ "unknown top-level member", "{" TOP "," F_USERS("") ",\"extra\":1}", 0, NULL,
	  "=(document): unknown member \"extra\"" },
	{ "unknown user member", DOC(U(",\"admin\":true")), 0, NULL,
	  "=users[0]: unknown member \"admin\"" },
	{ "missing format_version", "{" F_FAB "," F_SER "," F_GEN "," F_USERS("") "}", 0, NULL,
	  "=(document): missing required member \"format_version\"" },
	{ "missing fabric", "{" F_VER "," F_SER "," F_GEN "," F_USERS("") "}", 0, NULL,
	  "=(document): missing required member \"fabric\"" },
	{ "missing serial", "{" F_VER "," F_FAB "," F_GEN "," F_USERS("") "}", 0, NULL,
	  "=(document): missing required member \"serial\"" },
	{ "missing generated_at", "{" F_VER "," F_FAB "," F_SER "," F_USERS("") "}", 0, NULL,
	  "=(document): missing required member \"generated_at\"" },
	{ "missing users", "{" TOP "}", 0, NULL,
	  "=(document): missing required member \"users\"" },
	{ "missing login", DOC("{\"role\":\"reader\",\"keys\":[\"" KED0 "\"]}"), 0, NULL,
	  "=users[0]: missing required member \"login\"" },
	{ "missing role", DOC("{\"login\":\"a\",\"keys\":[\"" KED0 "\"]}"), 0, NULL,
	  "=users[0]: missing required member \"role\"" },
	{ "missing keys", DOC("{\"login\":\"a\",\"role\":\"reader\"}"), 0, NULL,
	  "=users[0]: missing required member \"keys\"" },
	{ "duplicate top-level member", "{" TOP "," F_SER "," F_USERS("") "}", 0, NULL,
	  "=(document): duplicate member \"serial\"" },
	{ "duplicate users member", "{" TOP "," F_USERS("") "," F_USERS("") "}", 0, NULL,
	  "=(document): duplicate member \"users\"" },
	{ "duplicate user member", DOC(ALICE "," "{\"login\":\"bob\",\"role\":\"reader\","
	  "\"login\":\"root\",\"keys\":[\"" KED1 "\"]}"), 0, NULL,
	  "=users[1]: duplicate member \"login\"" },
	{ "duplicate member, escaped", DOC("{\"login\":\"bob\",\"role\":\"reader\",\"\\u0072ole\":"
	  "\"writer\",\"keys\":[\"" KED1 "\"]}"), 0, NULL, "=users[0]: duplicate member \"role\"" },
	{ "duplicate member deep", "{\"x\":{\"a\":[{\"b\":1,\"b\":2}]}}", 0, NULL,
	  "=x.a[0]: duplicate member \"b\"" },

	/* wrong types */
	{ "format_version string", "{\"format_version\":\"1\"," F_FAB "," F_SER "," F_GEN ","
	  F_USERS("") "}", 0, NULL, "=format_version: must be an integer" },
	{ "format_version float", "{\"format_version\":1.0," F_FAB "," F_SER "," F_GEN ","
	  F_USERS("") "}", 0, NULL, "=format_version: must be an integer" },
	{ "format_version 2", "{\"format_version\":2," F_FAB "," F_SER "," F_GEN "," F_USERS("")
	  "}", 0, NULL, "=format_version: unsupported version 2 (this loader reads 1)" },
	{ "format_version null", "{\"format_version\":null," F_FAB "," F_SER "," F_GEN ","
	  F_USERS("") "}", 0, NULL, "=format_version: must be an integer" },
	{ "fabric number", "{" F_VER ",\"fabric\":5," F_SER "," F_GEN "," F_USERS("") "}", 0,
	  NULL, "=fabric: must be a string" },
	{ "fabric array", "{" F_VER ",\"fabric\":[\"a\"]," F_SER "," F_GEN "," F_USERS("") "}", 0,
	  NULL, "=fabric: must be a string" },
	{ "fabric empty", "{" F_VER ",\"fabric\":\"\"," F_SER "," F_GEN "," F_USERS("") "}", 0,
	  NULL, "fabric: \"\" is not a fabric name" },
	{ "fabric with space", "{" F_VER ",\"fabric\":\"fab 1\"," F_SER "," F_GEN "," F_USERS("")
	  "}", 0, NULL, "fabric: \"fab 1\" is not a fabric name" },
	{ "fabric with slash", "{" F_VER ",\"fabric\":\"../x\"," F_SER "," F_GEN "," F_USERS("")
	  "}", 0, NULL, "is not a fabric name" },
	{ "serial string", "{" F_VER "," F_FAB ",\"serial\":\"42\"," F_GEN "," F_USERS("") "}", 0,
	  NULL, "=serial: must be an integer" },
	{ "serial float", "{" F_VER "," F_FAB ",\"serial\":42.0," F_GEN "," F_USERS("") "}", 0,
	  NULL, "=serial: must be an integer" },
	{ "serial exponent", "{" F_VER "," F_FAB ",\"serial\":4.2e1," F_GEN "," F_USERS("") "}",
	  0, NULL, "=serial: must be an integer" },
	{ "serial 1e3", "{" F_VER "," F_FAB ",\"serial\":1e3," F_GEN "," F_USERS("") "}", 0, NULL,
	  "=serial: must be an integer" },
	{ "serial true", "{" F_VER "," F_FAB ",\"serial\":true," F_GEN "," F_USERS("") "}", 0,
	  NULL, "=serial: must be an integer" },
	{ "serial 0", "{" F_VER "," F_FAB ",\"serial\":0," F_GEN "," F_USERS("") "}", 0, NULL,
	  "=serial: must be between 1 and 9007199254740991" },
	{ "serial -1", "{" F_VER "," F_FAB ",\"serial\":-1," F_GEN "," F_USERS("") "}", 0, NULL,
	  "serial: must be between 1" },
	{ "serial 2^53", "{" F_VER "," F_FAB ",\"serial\":9007199254740992," F_GEN ","
	  F_USERS("") "}", 0, NULL, "serial: must be between 1" },
	{ "serial beyond 64 bits", "{" F_VER "," F_FAB ",\"serial\":99999999999999999999999,"
	  F_GEN "," F_USERS("") "}", 0, NULL, "serial: must be between 1" },
	{ "serial -2^63 - 1", "{" F_VER "," F_FAB ",\"serial\":-9223372036854775809," F_GEN ","
	  F_USERS("") "}", 0, NULL, "serial: must be between 1" },
	{ "generated_at number", "{" F_VER "," F_FAB "," F_SER ",\"generated_at\":1795255200,"
	  F_USERS("") "}", 0, NULL, "=generated_at: must be a string" },
	{ "users object", "{" TOP ",\"users\":{}}", 0, NULL, "=users: must be an array" },
	{ "users null", "{" TOP ",\"users\":null}", 0, NULL, "=users: must be an array" },
	{ "user not an object", DOC(ALICE ",5"), 0, NULL, "=users[1]: must be an object" },
	{ "user is an array", DOC("[]"), 0, NULL, "=users[0]: must be an object" },
	{ "login number", DOC("{\"login\":5,\"role\":\"reader\",\"keys\":[\"" KED0 "\"]}"), 0,
	  NULL, "=users[0].login: must be a string" },
	{ "login null", DOC("{\"login\":null,\"role\":\"reader\",\"keys\":[\"" KED0 "\"]}"), 0,
	  NULL, "=users[0].login: must be a string" },
	{ "role boolean", DOC("{\"login\":\"a\",\"role\":true,\"keys\":[\"" KED0 "\"]}"), 0, NULL,
	  "=users[0].role: must be a string" },
	{ "keys string", DOC("{\"login\":\"a\",\"role\":\"reader\",\"keys\":\"" KED0 "\"}"), 0,
	  NULL, "=users[0].keys: must be an array" },
	{ "keys empty", DOC("{\"login\":\"a\",\"role\":\"reader\",\"keys\":[]}"), 0, NULL,
	  "=users[0].keys: must hold at least one key" },
	{ "key number", DOC("{\"login\":\"a\",\"role\":\"reader\",\"keys\":[5]}"), 0, NULL,
	  "=users[0].keys[0]: must be a string" },
	{ "key object", DOC("{\"login\":\"a\",\"role\":\"reader\",\"keys\":[{}]}"), 0, NULL,
	  "=users[0].keys[0]: must be a string" },
	{ "display_name number", DOC(U(",\"display_name\":5")), 0, NULL,
	  "=users[0].display_name: must be a string" },
	{ "display_name empty", DOC(U(",\"display_name\":\"\"")), 0, NULL,
	  "=users[0].display_name: must not be empty" },
	{ "not_before number", DOC(U(",\"not_before\":0")), 0, NULL,
	  "=users[0].not_before: must be a string" },
	{ "not_after null", DOC(U(",\"not_after\":null")), 0, NULL,
	  "=users[0].not_after: must be a string" },
	{ "blocked string", DOC(U(",\"blocked\":\"true\"")), 0, NULL,
	  "=users[0].blocked: must be true or false" },
	{ "blocked number", DOC(U(",\"blocked\":1")), 0, NULL,
	  "=users[0].blocked: must be true or false" },
	{ "blocked null", DOC(U(",\"blocked\":null")), 0, NULL,
	  "=users[0].blocked: must be true or false" },

	/* values */
	{ "login upper case", DOC(UK("Alice", KED0)), 0, NULL,
	  "users[0].login: \"Alice\" is not a portable login name" },
	{ "login starts with digit", DOC(UK("1alice", KED0)), 0, NULL,
	  "is not a portable login name" },
	{ "login with space", DOC(UK("al ice", KED0)), 0, NULL, "is not a portable login name" },
	{ "login $ inside", DOC(UK("al$ice", KED0)), 0, NULL, "is not a portable login name" },
	{ "login empty", DOC(UK("", KED0)), 0, NULL, "is not a portable login name" },
	{ "login with @", DOC(UK("alice@contoso.com", KED0)), 0, NULL,
	  "is not a portable login name" },
	{ "role upper case", DOC("{\"login\":\"a\",\"role\":\"Reader\",\"keys\":[\"" KED0 "\"]}"),
	  0, NULL, "=users[0].role: \"Reader\" is not a role name ([a-z][a-z0-9_-]*, 1 to 32 bytes)" },
	{ "role empty", DOC("{\"login\":\"a\",\"role\":\"\",\"keys\":[\"" KED0 "\"]}"), 0, NULL,
	  "is not a role name" },
	{ "role unknown to the policy", DOC("{\"login\":\"a\",\"role\":\"admin\",\"keys\":[\"" KED0
	  "\"]}"), 0, &opts_roles, "=users[0].role: role \"admin\" is not defined in the policy" },
	{ "role well-formed, no policy", DOC("{\"login\":\"a\",\"role\":\"admin\",\"keys\":[\"" KED0
	  "\"]}"), 0, NULL, NULL },
	{ "wrong fabric", DOC(ALICE), 0, &opts_other,
	  "=fabric: document is for fabric fab-example-01, this device is in fab-other-02" },
	{ "duplicate login", DOC(ALICE "," UK("bob", KED1) "," UK("alice", KED2)), 0, NULL,
	  "=users[2].login: duplicate login \"alice\" (also users[0])" },
	{ "key on two users", DOC(ALICE "," UK("bob", KED1) "," UK("carol", KEC0) ","
	  UK("dave", KED2) "," UK("erin", KEC1) "," UK("frank", KED1)), 0, NULL,
	  "=users[5].keys[0]: key already registered to users[1] (bob)" },
	{ "same key twice in a user", DOC("{\"login\":\"bob\",\"role\":\"reader\",\"keys\":[\""
	  KED1 "\",\"" KED1 "\"]}"), 0, NULL,
	  "=users[0].keys[1]: key already registered to users[0] (bob)" },
	{ "same key, other comment", DOC(ALICE ",{\"login\":\"bob\",\"role\":\"reader\",\"keys\":"
	  "[\"sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29tAAAAIAH14xT3Ius"
	  "wpDF77oWjfAlt3iha83Eo8nPdp6HtHYmrAAAABHNzaDo= bob\"]}"), 0, NULL,
	  "=users[1].keys[0]: key already registered to users[0] (alice)" },
	{ "not a FIDO2 key", DOC("{\"login\":\"a\",\"role\":\"reader\",\"keys\":[\"" KED0 "\",\""
	  KPLAIN "\"]}"), 0, NULL,
	  "=users[0].keys[1]: key type ssh-ed25519 is not a FIDO2 security key" },
	{ "plain key, plain bit set", DOC(UK("a", KPLAIN)), 0, &opts_plain,
	  "is not a FIDO2 security key" },
	{ "ecdsa-sk not allowed", DOC(UK("a", KEC0)), 0, &opts_ed_only,
	  "=users[0].keys[0]: key type sk-ecdsa-sha2-nistp256@openssh.com is not allowed by "
	  "this device's key_types" },
	{ "ed25519-sk not allowed", DOC(UK("a", KED0)), 0, &opts_ec_only, "is not allowed" },
	{ "key with options", DOC(UK("a", "verify-required " KED0)), 0, NULL,
	  "users[0].keys[0]: key options (\"verify-required\") are not accepted" },
	{ "key type mismatch", DOC(UK("a", "sk-ecdsa-sha2-nistp256@openssh.com AAAAGnNrLXNzaC1lZDI1"
	  "NTE5QG9wZW5zc2guY29tAAAAIAH14xT3IuswpDF77oWjfAlt3iha83Eo8nPdp6HtHYmrAAAABHNzaDo=")), 0,
	  NULL, "users[0].keys[0]: key type in the line" },
	{ "key bad base64", DOC(UK("a", "sk-ssh-ed25519@openssh.com AAAA!")), 0, NULL,
	  "=users[0].keys[0]: key is not valid base64" },
	{ "key newline", DOC(UK("a", KED0 "\\n")), 0, NULL, "control character" },
	{ "not_before == not_after", DOC(U(",\"not_before\":\"2026-01-01T00:00:00Z\","
	  "\"not_after\":\"2026-01-01T00:00:00Z\"")), 0, NULL,
	  "=users[0].not_after: must be later than not_before" },
	{ "not_before > not_after", DOC(U(",\"not_before\":\"2027-01-01T00:00:00Z\","
	  "\"not_after\":\"2026-01-01T00:00:00Z\"")), 0, NULL, "must be later than not_before" },
	{ "window across offsets", DOC(U(",\"not_before\":\"2026-01-01T01:00:00+01:00\","
	  "\"not_after\":\"2026-01-01T00:00:00Z\"")), 0, NULL, "must be later than not_before" },
	{ "window of one second", DOC(U(",\"not_before\":\"2026-01-01T00:00:00Z\","
	  "\"not_after\":\"2026-01-01T00:00:01Z\"")), 0, NULL, NULL },
	{ "bad not_before", DOC(U(",\"not_before\":\"2026-02-30T00:00:00Z\"")), 0, NULL,
	  "=users[0].not_before: \"2026-02-30T00:00:00Z\" is not an RFC 3339 timestamp: "
	  "day out of range for the month" },
	{ "bad not_after", DOC(U(",\"not_after\":\"2026-11-21T10:00:00\"")), 0, NULL,
	  "users[0].not_after: \"2026-11-21T10:00:00\" is not an RFC 3339 timestamp: missing the "
	  "time zone" },
	{ "display name control", DOC(U(",\"display_name\":\"a\\u0007b\"")), 0, NULL,
	  "=users[0].display_name: must be UTF-8 text without control characters" },
	{ "display name newline", DOC(U(",\"display_name\":\"a\\nb\"")), 0, NULL,
	  "without control characters" },
	{ "display name C1", DOC(U(",\"display_name\":\"a\\u0085b\"")), 0, NULL,
	  "without control characters" },
	{ "display name DEL", DOC(U(",\"display_name\":\"a\x7f\"")), 0, NULL,
	  "without control characters" },

	/* bytes: NUL, UTF-8, escapes */
	{ "\\u0000 in a login", DOC(UK("al\\u0000ice", KED0)), 0, NULL,
	  "=users[0].login: NUL character (\\u0000) in a string" },
	{ "\\u0000 in a member name", "{\"a\\u0000\":1}", 0, NULL,
	  "(document): NUL character (\\u0000) in a string" },
	{ "NUL byte in a string", "{\"fabric\":\"fa\0b\"}", 17, NULL, "fabric: NUL byte at byte 13" },
	{ "NUL byte between tokens", "{\0}", 3, NULL, "(document): NUL byte at byte 1" },
	{ "NUL byte after the document", DOC("") "\0", sizeof(DOC("")), NULL,
	  "(document): trailing data" },
	{ "invalid UTF-8 0xff", DOC(U(",\"display_name\":\"a\xff\"")), 0, NULL,
	  "users[0].display_name: invalid UTF-8 at byte" },
	{ "overlong UTF-8", DOC(U(",\"display_name\":\"\xc0\xaf\"")), 0, NULL, "invalid UTF-8" },
	{ "overlong 3-byte", DOC(U(",\"display_name\":\"\xe0\x80\xaf\"")), 0, NULL,
	  "invalid UTF-8" },
	{ "UTF-8 surrogate", DOC(U(",\"display_name\":\"\xed\xa0\x80\"")), 0, NULL,
	  "invalid UTF-8" },
	{ "UTF-8 above U+10FFFF", DOC(U(",\"display_name\":\"\xf4\x90\x80\x80\"")), 0, NULL,
	  "invalid UTF-8" },
	{ "UTF-8 cut", DOC(U(",\"display_name\":\"\xe2\x82\"")), 0, NULL, "invalid UTF-8" },
	{ "stray continuation", DOC(U(",\"display_name\":\"\x80\"")), 0, NULL, "invalid UTF-8" },
	{ "invalid UTF-8 in a name", "{\"\xfe\":1}", 0, NULL, "(document): invalid UTF-8" },
	{ "lone high surrogate", DOC(U(",\"display_name\":\"\\ud83d\"")), 0, NULL,
	  "unpaired UTF-16 surrogate" },
	{ "lone low surrogate", DOC(U(",\"display_name\":\"\\udd11x\"")), 0, NULL,
	  "unpaired UTF-16 surrogate" },
	{ "high + non-low", DOC(U(",\"display_name\":\"\\ud83d\\u0041\"")), 0, NULL,
	  "unpaired UTF-16 surrogate" },
	{ "bad escape", DOC(U(",\"display_name\":\"\\x41\"")), 0, NULL, "bad escape" },
	{ "short \\u escape", DOC(U(",\"display_name\":\"\\u12\"")), 0, NULL, "bad \\u escape" },
	{ "raw tab in a string", DOC(U(",\"display_name\":\"a\tb\"")), 0, NULL,
	  "unescaped control character" },
	{ "unterminated string", "{\"fabric\":\"abc", 0, NULL, "=fabric: unterminated string" },
	/* text errors before value errors, whatever comes first in the document */
	{ "a refused user, then a duplicate member further on",
	  DOC(UK("alice", KPLAIN) "," U(",\"blocked\":true,\"blocked\":false")), 0, NULL,
	  "=users[1]: duplicate member \"blocked\"" },
	{ "a refused user, then trailing data", "{" F_USERS(UK("alice", KPLAIN)) "," TOP "} x",
	  0, NULL, "trailing data after the JSON value" },
	{ "a refused user, then an unknown top-level member",
	  "{" F_USERS(UK("alice", KPLAIN)) "," TOP ",\"extra\":1}", 0, NULL,
	  "=(document): unknown member \"extra\"" },
	{ "a refused user, then a refused serial",
	  "{" F_USERS(UK("alice", KPLAIN)) "," F_VER "," F_FAB ",\"serial\":0," F_GEN "}", 0,
	  NULL, "=serial: must be between 1 and 9007199254740991" },
	{ "of two refused users the first is reported",
	  DOC(UK("alice", KPLAIN) "," UK("bob", "x")), 0, NULL,
	  "=users[0].keys[0]: key type ssh-ed25519 is not a FIDO2 security key" },
};

static int check_case(const struct doc_case *c, const char *json, size_t len)
{
	uint8_t *img = (uint8_t *)1;
	size_t img_len = 1;
	char err[NBG_ERR_LEN] = "";
	int r;

	r = nbg_roledoc_compile(json, len, c->opts, &img, &img_len, err);
	if (c->expect == NULL) {
		if (r != 0)
			print_error("%s: refused: %s\n", c->name, err);
		else if (img == NULL || img_len == 0)
			print_error("%s: no image\n", c->name);
		free(r == 0 ? img : NULL);
		return r == 0 ? 0 : -1;
	}
	if (r == 0) {
		print_error("%s: accepted, expected \"%s\"\n", c->name, c->expect);
		free(img);
		return -1;
	}
	if (img != NULL || img_len != 0) {
		print_error("%s: failed but left an image\n", c->name);
		return -1;
	}
	if (c->expect[0] == '=' ? strcmp(err, c->expect + 1) != 0 :
	    strstr(err, c->expect) == NULL) {
		print_error("%s: error \"%s\", expected \"%s\"\n", c->name, err, c->expect);
		return -1;
	}
	return 0;
}

static void test_cases(void **state)
{
	unsigned failed = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct doc_case *c = &cases[i];

		if (check_case(c, c->json, c->len != 0 ? c->len : strlen(c->json)) != 0)
			failed++;
	}
	if (failed != 0)
		fail_msg("%u of %zu cases failed", failed, sizeof(cases) / sizeof(cases[0]));
}

/* --- timestamps -------------------------------------------------------- */

static const struct {
	const char *text;
	int ok;
	int64_t value;
	const char *why;
} times[] = {
	{ "2026-11-21T10:00:00Z", 1, 1795255200, NULL },
	{ "2026-11-21T10:00:00.999999999Z", 1, 1795255200, NULL },
	{ "2026-11-21T10:00:00.5Z", 1, 1795255200, NULL },
	{ "2026-11-21T11:30:00+01:30", 1, 1795255200, NULL },
	{ "2026-11-21T08:00:00-02:00", 1, 1795255200, NULL },
	{ "2026-11-21T10:00:00+00:00", 1, 1795255200, NULL },
	{ "2026-11-21T10:00:00-00:00", 1, 1795255200, NULL },
	{ "1970-01-01T00:00:00Z", 1, 0, NULL },
	{ "1969-12-31T23:59:59Z", 1, -1, NULL },
	{ "2028-02-29T00:00:00Z", 1, 1835395200, NULL },
	{ "2000-02-29T00:00:00Z", 1, 951782400, NULL },
	{ "9999-12-31T23:59:59Z", 1, 253402300799, NULL },
	{ "0000-01-01T00:00:00Z", 1, -62167219200, NULL },
	{ "2026-02-30T00:00:00Z", 0, 0, "day out of range for the month" },
	{ "2026-02-29T00:00:00Z", 0, 0, "day out of range for the month" },
	{ "1900-02-29T00:00:00Z", 0, 0, "day out of range for the month" },
	{ "2026-04-31T00:00:00Z", 0, 0, "day out of range for the month" },
	{ "2026-01-00T00:00:00Z", 0, 0, "day out of range for the month" },
	{ "2026-13-01T00:00:00Z", 0, 0, "month out of range" },
	{ "2026-00-10T00:00:00Z", 0, 0, "month out of range" },
	{ "2026-11-21T24:00:00Z", 0, 0, "hour out of range" },
	{ "2026-11-21T23:60:00Z", 0, 0, "minute out of range" },
	{ "2026-11-21T23:59:60Z", 0, 0, "second out of range" },
	{ "2026-11-21T10:00:00+24:00", 0, 0, "offset out of range" },
	{ "2026-11-21T10:00:00+01:60", 0, 0, "offset out of range" },
	{ "2026-11-21T10:00:00", 0, 0, "missing the time zone" },
	{ "2026-11-21T10:00:00z", 0, 0, "missing the time zone" },
	{ "2026-11-21T10:00:00.Z", 0, 0, "1 to 9 digits" },
	{ "2026-11-21T10:00:00.1234567890Z", 0, 0, "1 to 9 digits" },
	{ "2026-11-21t10:00:00Z", 0, 0, "not of the form" },
	{ "2026-11-21 10:00:00Z", 0, 0, "not of the form" },
	{ "2026-11-21T10:00Z", 0, 0, "not of the form" },
	{ "2026-11-21T10:00:00+0100", 0, 0, "not of the form" },
	{ "2026-11-21T10:00:00+01", 0, 0, "not of the form" },
	{ "2026-11-21T10:00:00ZZ", 0, 0, "not of the form" },
	{ "2026-11-21T10:00:00Z ", 0, 0, "not of the form" },
	{ "26-11-21T10:00:00Z", 0, 0, "not of the form" },
	{ "2026-1-21T10:00:00Z", 0, 0, "not of the form" },
	{ "+2026-11-21T10:00:00Z", 0, 0, "not of the form" },
	{ "2026-11-21", 0, 0, "not of the form" },
	{ "", 0, 0, "not of the form" },
};

static void test_timestamps(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		struct nbg_table *t = NULL;
		uint8_t *img = NULL;
		size_t img_len = 0;
		char err[NBG_ERR_LEN] = "", *json = NULL;
		int r;

		assert_true(asprintf(&json, GEN_AT("%s"), times[i].text) > 0);
		r = nbg_roledoc_compile(json, strlen(json), NULL, &img, &img_len, err);
		if (times[i].ok) {
			if (r != 0)
				fail_msg("%s: refused: %s", times[i].text, err);
			assert_int_equal(nbg_table_from_image(img, img_len, &t, err), 0);
			if (nbg_table_generated_at(t) != times[i].value)
				fail_msg("%s: %lld, expected %lld", times[i].text,
				    (long long)nbg_table_generated_at(t), (long long)times[i].value);
		} else {
			if (r == 0)
				fail_msg("%s: accepted", times[i].text);
			if (strncmp(err, "generated_at: ", 14) != 0 ||
			    strstr(err, times[i].why) == NULL)
				fail_msg("%s: error \"%s\", expected \"%s\"", times[i].text, err,
				    times[i].why);
		}
		nbg_table_free(t);
		free(img);
		free(json);
	}
}

/* --- limits at N and N + 1 --------------------------------------------- */

/* An sk-ed25519 key line of its own for each n (the point is not checked). */
static void make_key(unsigned n, char *out, size_t outlen)
{
	uint8_t blob[4 + 26 + 4 + 32 + 4 + 4];
	char b64[128];
	size_t o = 0;

	memcpy(blob + o, "\0\0\0\x1a" "sk-ssh-ed25519@openssh.com", 30);
	o += 30;
	memcpy(blob + o, "\0\0\0\x20", 4);
	o += 4;
	memset(blob + o, 0x11, 32);
	blob[o] = (uint8_t)(n >> 24);
	blob[o + 1] = (uint8_t)(n >> 16);
	blob[o + 2] = (uint8_t)(n >> 8);
	blob[o + 3] = (uint8_t)n;
	o += 32;
	memcpy(blob + o, "\0\0\0\x04" "ssh:", 8);
	o += 8;
	assert_int_equal(o, sizeof(blob));
	assert_true(nbg_base64_encode(blob, sizeof(blob), b64, sizeof(b64)) > 0);
	snprintf(out, outlen, "sk-ssh-ed25519@openssh.com %s k%u", b64, n);
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* Compile JSON; NULL expect = must succeed, else the error must contain it. */
static void expect(const char *what, const char *json, size_t len,
    const struct nbg_roledoc_opts *opts, const char *want)
{
	struct doc_case c = { what, json, len, opts, want };

	if (len == 0 && json != NULL)
		len = strlen(json);
	if (check_case(&c, json, len) != 0)
		fail_msg("%s", what);
}

static void expect_fmt(const char *what, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void expect_fmt(const char *what, const char *want, const char *fmt, ...)
{
	char *json = NULL;
	va_list ap;

	va_start(ap, fmt);
	assert_true(vasprintf(&json, fmt, ap) > 0);
	va_end(ap);
	expect(what, json, strlen(json), NULL, want);
	free(json);
}

static void test_length_limits(void **state)
{
	char *s;

	(void)state;
	s = repeat('f', NBG_DOC_FABRIC_MAX + 1);
	expect_fmt("fabric 65", "fabric: longer than 64 bytes",
	    "{" F_VER ",\"fabric\":\"%s\"," F_SER "," F_GEN "," F_USERS("") "}", s);
	s[NBG_DOC_FABRIC_MAX] = '\0';
	expect_fmt("fabric 64", NULL,
	    "{" F_VER ",\"fabric\":\"%s\"," F_SER "," F_GEN "," F_USERS("") "}", s);
	free(s);

	s = repeat('a', 33);
	expect_fmt("login 33", "is not a portable login name", DOC(UK("%s", KED0)), s);
	s[32] = '\0';
	expect_fmt("login 32", NULL, DOC(UK("%s", KED0)), s);
	s[31] = '$';
	expect_fmt("login 32 with $", NULL, DOC(UK("%s", KED0)), s);
	free(s);

	s = repeat('r', 33);
	expect_fmt("role 33", "is not a role name",
	    DOC("{\"login\":\"a\",\"role\":\"%s\",\"keys\":[\"" KED0 "\"]}"), s);
	s[32] = '\0';
	expect_fmt("role 32", NULL,
	    DOC("{\"login\":\"a\",\"role\":\"%s\",\"keys\":[\"" KED0 "\"]}"), s);
	free(s);

	s = repeat('d', NBG_DOC_DISPLAY_MAX + 1);
	expect_fmt("display 257", "=users[0].display_name: longer than 256 bytes",
	    DOC(U(",\"display_name\":\"%s\"")), s);
	s[NBG_DOC_DISPLAY_MAX] = '\0';
	expect_fmt("display 256", NULL, DOC(U(",\"display_name\":\"%s\"")), s);
	free(s);
	/* Bytes, not characters: 128 two-byte characters fit, 129 do not. */
	{
		char u[2 * 129 + 1];

		for (size_t i = 0; i < 129; i++)
			memcpy(u + 2 * i, "\xc3\xa9", 2);
		u[2 * 129] = '\0';
		expect_fmt("display 129 x 2 bytes", "longer than 256 bytes",
		    DOC(U(",\"display_name\":\"%s\"")), u);
		u[2 * 128] = '\0';
		expect_fmt("display 128 x 2 bytes", NULL, DOC(U(",\"display_name\":\"%s\"")), u);
	}
}

static void test_key_limits(void **state)
{
	char key[256], *keys, *line;
	size_t o = 0, base;

	(void)state;
	/* NBG_DOC_MAX_KEYS keys, then one more. */
	keys = malloc(64 * 1024);
	assert_non_null(keys);
	for (unsigned i = 0; i <= NBG_DOC_MAX_KEYS; i++) {
		make_key(i, key, sizeof(key));
		o += (size_t)sprintf(keys + o, "%s\"%s\"", i == 0 ? "" : ",", key);
		if (i == NBG_DOC_MAX_KEYS - 1)
			expect_fmt("16 keys", NULL, DOC("{\"login\":\"a\",\"role\":\"r\","
			    "\"keys\":[%s]}"), keys);
	}
	expect_fmt("17 keys", "=users[0].keys: more than 16 keys",
	    DOC("{\"login\":\"a\",\"role\":\"r\",\"keys\":[%s]}"), keys);
	free(keys);

	/* A key line of NBG_DOC_KEYLINE_MAX bytes (long comment), then one more. */
	make_key(99, key, sizeof(key));
	base = strlen(key);
	line = malloc(NBG_DOC_KEYLINE_MAX + 2);
	assert_non_null(line);
	memcpy(line, key, base);
	memset(line + base, 'c', NBG_DOC_KEYLINE_MAX + 1 - base);
	line[NBG_DOC_KEYLINE_MAX + 1] = '\0';
	expect_fmt("key line 2049", "=users[0].keys[0]: longer than 2048 bytes",
	    DOC(UK("a", "%s")), line);
	line[NBG_DOC_KEYLINE_MAX] = '\0';
	expect_fmt("key line 2048", NULL, DOC(UK("a", "%s")), line);
	free(line);
}

static void test_document_limits(void **state)
{
	const char *doc = DOC(ALICE);
	size_t n = strlen(doc);
	char *big;

	(void)state;
	/* NBG_DOC_MAX_BYTES with trailing whitespace, then one byte more. */
	big = malloc(NBG_DOC_MAX_BYTES + 1);
	assert_non_null(big);
	memcpy(big, doc, n);
	memset(big + n, ' ', NBG_DOC_MAX_BYTES + 1 - n);
	expect("document at the byte limit", big, NBG_DOC_MAX_BYTES, NULL, NULL);
	expect("document over the byte limit", big, NBG_DOC_MAX_BYTES + 1, NULL,
	    "=(document): 67108865 bytes, over the limit of 67108864");
	free(big);
	expect("NULL document", NULL, 0, NULL, "(document)");
}

/* Nesting, members per object, member names and numbers: N and N + 1. */
static void test_scan_limits(void **state)
{
	char buf[4096], *name;
	size_t o;

	(void)state;
	for (int depth = NBG_DOC_MAX_DEPTH; depth <= NBG_DOC_MAX_DEPTH + 1; depth++) {
		/* The top-level object and depth - 1 arrays. */
		o = (size_t)sprintf(buf, "{\"x\":");
		for (int i = 1; i < depth; i++)
			buf[o++] = '[';
		buf[o++] = '1';
		for (int i = 1; i < depth; i++)
			buf[o++] = ']';
		buf[o++] = '}';
		buf[o] = '\0';
		expect("nesting", buf, o, NULL, depth == NBG_DOC_MAX_DEPTH ?
		    "=(document): unknown member \"x\"" :
		    "=x[0][0][0][0][0][0][0]: nesting deeper than 8 levels");
	}
	/* Deep inside a user, the path says where. */
	expect("nesting in a user", DOC("{\"keys\":[[[[[[1]]]]]]}"), 0, NULL,
	    "=users[0].keys[0][0][0][0][0]: nesting deeper than 8 levels");
	for (int n = 16; n <= 17; n++) {
		o = 0;
		buf[o++] = '{';
		for (int i = 0; i < n; i++)
			o += (size_t)sprintf(buf + o, "%s\"m%d\":%d", i ? "," : "", i, i);
		buf[o++] = '}';
		buf[o] = '\0';
		expect("members per object", buf, o, NULL, n == 16 ?
		    "=(document): unknown member \"m0\"" :
		    "=(document): more than 16 members in one object");
	}
	name = repeat('n', 65);
	snprintf(buf, sizeof(buf), "{\"%s\":1}", name);
	expect("member name 65", buf, strlen(buf), NULL,
	    "=(document): member name longer than 64 bytes");
	name[64] = '\0';
	snprintf(buf, sizeof(buf), "{\"%s\":1}", name);
	expect("member name 64", buf, strlen(buf), NULL, "(document): unknown member \"nnnn");
	free(name);
	name = repeat('9', 65);
	snprintf(buf, sizeof(buf), "{" F_VER "," F_FAB ",\"serial\":%s," F_GEN "," F_USERS("")
	    "}", name);
	expect("number 65", buf, strlen(buf), NULL, "=serial: number longer than 64 characters");
	name[64] = '\0';
	snprintf(buf, sizeof(buf), "{" F_VER "," F_FAB ",\"serial\":%s," F_GEN "," F_USERS("")
	    "}", name);
	expect("number 64", buf, strlen(buf), NULL, "=serial: must be between 1 and "
	    "9007199254740991");
	free(name);
}

/* NBG_DOC_MAX_USERS empty objects pass the count check; one more does not. */
static void test_user_count_limit(void **state)
{
	size_t n = NBG_DOC_MAX_USERS + 1, o;
	char *doc = malloc(256 + 3 * n);

	(void)state;
	assert_non_null(doc);
	o = (size_t)sprintf(doc, "{" TOP ",\"users\":[");
	for (size_t i = 0; i < n; i++) {
		memcpy(doc + o, i == 0 ? "{}" : ",{}", i == 0 ? 2 : 3);
		o += i == 0 ? 2 : 3;
		if (i + 1 == NBG_DOC_MAX_USERS) {
			memcpy(doc + o, "]}", 3);
			expect("200000 users", doc, o + 2, NULL,
			    "=users[0]: missing required member \"login\"");
		}
	}
	memcpy(doc + o, "]}", 3);
	expect("200001 users", doc, o + 2, NULL, "=users[200000]: more than 200000 users");
	free(doc);
}

static void test_huge_strings(void **state)
{
	char *s = repeat('x', 1024 * 1024);

	(void)state;
	expect_fmt("huge display name", "=users[0].display_name: longer than 256 bytes",
	    DOC(U(",\"display_name\":\"%s\"")), s);
	expect_fmt("huge login", "=users[0].login: longer than 256 bytes",
	    DOC(UK("%s", KED0)), s);
	expect_fmt("huge key", "=users[0].keys[0]: longer than 2048 bytes", DOC(UK("a", "%s")), s);
	expect_fmt("huge fabric", "=fabric: longer than 64 bytes",
	    "{" F_VER ",\"fabric\":\"%s\"," F_SER "," F_GEN "," F_USERS("") "}", s);
	expect_fmt("huge timestamp", "=generated_at: longer than 64 bytes", GEN_AT("%s"), s);
	expect_fmt("huge unknown member", "=(document): unknown member \"extra\"",
	    "{" TOP "," F_USERS("") ",\"extra\":\"%s\"}", s);
	free(s);
}

/* --- the example document ---------------------------------------------- */

static char *read_example(size_t *len)
{
	const char *dir = getenv("NBG_SRCDIR");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	if (dir == NULL)
		fail_msg("NBG_SRCDIR is not set (meson test sets it to the source tree)");
	snprintf(path, sizeof(path), "%s/policy/examples/roles.example.json", dir);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_example(void **state)
{
	static const struct nbg_roledoc_opts strict = { "fab-example-01", roles_rw, 2,
	    NBG_KEY_FIDO2_MASK };
	struct nbg_table *t = NULL;
	struct nbg_user u;
	uint8_t *img = NULL;
	size_t len, img_len;
	char err[NBG_ERR_LEN], *doc;

	(void)state;
	doc = read_example(&len);
	if (nbg_roledoc_compile(doc, len, &strict, &img, &img_len, err) != 0)
		fail_msg("example refused: %s", err);
	assert_int_equal(nbg_table_from_image(img, img_len, &t, err), 0);
	assert_string_equal(nbg_table_fabric(t), "fab-example-01");
	assert_int_equal(nbg_table_serial(t), 42);
	assert_int_equal(nbg_table_generated_at(t), 1795255200);
	assert_true(nbg_table_nusers(t) >= 4 && nbg_table_nusers(t) <= 6);
	/* What the example promises: a blocked user, a window, a user with two keys. */
	assert_int_equal(nbg_table_find(t, "dave", &u, err), 1);
	assert_true(u.blocked);
	assert_int_equal(nbg_table_find(t, "carol", &u, err), 1);
	assert_int_equal(u.not_before, 1795132800);
	assert_int_equal(u.not_after, 1798761599);
	assert_int_equal(nbg_table_find(t, "bob", &u, err), 1);
	assert_int_equal(u.nkeys, 2);
	assert_string_equal(u.role, "writer");
	assert_string_equal(u.display_name, "bob@contoso.com");
	nbg_table_free(t);
	free(img);
	/* Another fabric, or a policy without "writer", refuses it. */
	assert_int_equal(nbg_roledoc_compile(doc, len, &opts_other, &img, &img_len, err), -1);
	{
		static const char *const only_reader[] = { "reader" };
		const struct nbg_roledoc_opts o = { NULL, only_reader, 1, 0 };

		assert_int_equal(nbg_roledoc_compile(doc, len, &o, &img, &img_len, err), -1);
		assert_string_equal(err, "users[1].role: role \"writer\" is not defined in the "
		    "policy");
	}
	free(doc);
}

/* Every cut of the example before its closing brace is refused. */
static void test_truncation(void **state)
{
	uint8_t *img;
	size_t len, img_len, end;
	char err[NBG_ERR_LEN], *doc;

	(void)state;
	doc = read_example(&len);
	end = len;
	while (end > 0 && doc[end - 1] != '}')
		end--;
	assert_true(end > 0);
	for (size_t cut = 0; cut < len; cut++) {
		/* An exactly-sized copy: an over-read is caught by the sanitizers. */
		char *copy = malloc(cut != 0 ? cut : 1);
		int r;

		assert_non_null(copy);
		memcpy(copy, doc, cut);
		r = nbg_roledoc_compile(copy, cut, NULL, &img, &img_len, err);
		if (cut < end && r == 0)
			fail_msg("cut at %zu of %zu: accepted", cut, len);
		if (cut >= end && r != 0)
			fail_msg("cut at %zu (only whitespace removed): %s", cut, err);
		if (r == 0)
			free(img);
		free(copy);
	}
	free(doc);
}

/* The image records the SHA-256 of exactly the bytes compiled. */
static void test_doc_digest(void **state)
{
	const char *doc = DOC(ALICE);
	struct nbg_table *t;
	uint8_t *img, d[32];
	size_t img_len;
	char err[NBG_ERR_LEN];

	(void)state;
	assert_int_equal(nbg_roledoc_compile(doc, strlen(doc), NULL, &img, &img_len, err), 0);
	assert_int_equal(nbg_table_from_image(img, img_len, &t, err), 0);
	nbg_sha256(doc, strlen(doc), d);
	assert_memory_equal(nbg_table_doc_sha256(t), d, 32);
	nbg_table_free(t);
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_length_limits),
		cmocka_unit_test(test_key_limits),
		cmocka_unit_test(test_document_limits),
		cmocka_unit_test(test_scan_limits),
		cmocka_unit_test(test_user_count_limit),
		cmocka_unit_test(test_huge_strings),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_doc_digest),
	};

	return cmocka_run_group_tests_name("roledoc", tests, NULL, NULL);
}
