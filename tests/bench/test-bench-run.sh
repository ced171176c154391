#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# The benchmark command keeps working: tests/bench/run with two small sizes
# and few repetitions (figures are not judged here: timed tests on a shared
# machine prove nothing), every figure present and positive, every
# measurement path exercised (sync 200 and 304, PAM session records,
# session check allowed and refused), and nothing left behind.
set -u
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: needs root"
	exit 77
fi
: "${NBG_SRCDIR:?set by meson test}" "${NBG_BUILDDIR:?set by meson test}"
T=$(mktemp -d /tmp/nbg-benchtest.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() { if eval "$2"; then ok "$1"; else not_ok "$1"; fi; }

before=$(ls -d /tmp/nbg-bench.* 2>/dev/null | wc -l)
"$NBG_SRCDIR/tests/bench/run" "$NBG_BUILDDIR" --sizes 10,100 --cycles 20 --runs 20 \
	--sync-runs 1 --json "$T/figures.json" >"$T/out" 2>"$T/err"
rc=$?
check "tests/bench/run exits 0" '[ $rc = 0 ]'
check "it prints a row per size" 'grep -q "^| 10 |" "$T/out" && grep -q "^| 100 |" "$T/out"'
check "it prints the targets" 'grep -q "^targets:" "$T/out" && [ "$(grep -cE "^  (PASS|MISS)  " "$T/out")" -ge 8 ]'
check "it names the machine and the date" 'grep -q "^machine: " "$T/out" && grep -q "^date: " "$T/out"'
check "every figure is present and positive" 'python3 - "$T/figures.json" <<PY
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
keys = ("pam_us", "unix_us", "true_us", "keys_us", "check_us", "check_refused_us",
        "sync_start_ms",
        "sync_s", "sync_rss_mib", "sync304_ms", "cache_mb")
sys.exit(0 if [r["users"] for r in rows] == [10, 100] and
         all(r[k] > 0 for r in rows for k in keys) else 1)
PY'
check "its temporary directory is gone" '[ "$(ls -d /tmp/nbg-bench.* 2>/dev/null | wc -l)" = "$before" ]'
check "no session record was left on the real /run" '[ ! -d /run/nexusbg/sessions ] || [ -z "$(ls -A /run/nexusbg/sessions)" ]'
check "--help answers without root work" '"$NBG_SRCDIR/tests/bench/run" --help | grep -q -- "--sizes"'
if [ $failed != 0 ]; then
	sed 's/^/#   /' "$T/out" "$T/err" | tail -40
fi
echo "1..$n"
[ $failed = 0 ]
