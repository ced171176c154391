#!/bin/bash
# tests/run-all.sh - install what the tests need, build, run every test, and
# print "N passed, N failed, N skipped" computed from meson's test log.
#
#   --sanitize      build with AddressSanitizer + UndefinedBehaviorSanitizer
#   --builddir DIR  build directory (default build, or build-asan)
#   --no-deps       do not run apt-get (packages already installed)
#
# Exit status: 0 when no test failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2

sanitize=0 deps=1 builddir=
while [ $# -gt 0 ]; do
	case "$1" in
	--sanitize) sanitize=1 ;;
	--no-deps) deps=0 ;;
	--builddir) builddir=$2; shift ;;
	*) echo "usage: $0 [--sanitize] [--no-deps] [--builddir DIR]" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$builddir" ] || { [ $sanitize = 1 ] && builddir=build-asan || builddir=build; }

if [ $deps = 1 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || exit 2
	# shellcheck disable=SC2046
	apt-get install -y -qq --no-install-recommends $(grep -v '^#' packaging/build-deps) \
		>/dev/null || exit 2
fi

rm -f "$builddir/test-counts"
opts=(-Dbuildtype=debugoptimized)
if [ $sanitize = 1 ]; then
	opts+=(-Db_sanitize=address,undefined -Db_lundef=false)
fi
if [ -d "$builddir" ]; then
	meson setup --reconfigure "$builddir" "${opts[@]}" >/dev/null || exit 2
else
	meson setup "$builddir" "${opts[@]}" >/dev/null || exit 2
fi
meson compile -C "$builddir" || exit 2

export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
meson test -C "$builddir" --print-errorlogs --timeout-multiplier 3
python3 - "$builddir/meson-logs/testlog.json" "$builddir/test-counts" <<'PY'
import json, sys
passed = failed = skipped = 0
with open(sys.argv[1]) as f:
    for line in f:
        line = line.strip()
        if not line:
            continue
        r = json.loads(line).get("result")
        if r in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif r == "SKIP":
            skipped += 1
        else:
            failed += 1
with open(sys.argv[2], "w") as f:
    f.write(f"{passed} {failed} {skipped}\n")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed or passed == 0 else 0)
PY
