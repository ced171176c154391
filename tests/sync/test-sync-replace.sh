#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test-sync-replace.sh - the cache replacement under stress: a full disk
# at many fill levels, SIGKILL at random moments and inside the write
# window, and readers opening the table through nbg_table_open() while it
# is replaced again and again.  Runs in a private mount namespace (the full
# disk is a small tmpfs mounted there), so the machine's mounts never change.
if [ -z "${NBG_SYNC_NS:-}" ]; then
	exec unshare --mount --propagation private env NBG_SYNC_NS=1 bash "$0" "$@"
fi
. "$NBG_SRCDIR/tests/sync/lib.sh"

MOUNTS=()
cleanup_hook() {
	local m
	for m in "${MOUNTS[@]}"; do
		umount "$m" 2>/dev/null
	done
}

# set_serial FILE SERIAL : rewrite the serial of a generated document in place
set_serial() { sed -i "s/^ \"serial\": [0-9]*,$/ \"serial\": $2,/" "$1"; }

# --- a full disk -------------------------------------------------------------

CACHE=$T/full
mkdir -p "$CACHE"
mount -t tmpfs -o size=8m,mode=0755,uid=0,gid=0 nbg-sync-test "$CACHE" || {
	echo "Bail out! cannot mount a tmpfs in the private mount namespace"
	exit 1
}
MOUNTS+=("$CACHE")
write_policy
gendoc "$T/small.json" --serial 1 --users 50
gendoc "$T/big.json" --serial 2 --users 10000
sync_run --file "$T/small.json"
check "a small table installs on the 8 MiB tmpfs" 'rc_is 0 && [ "$(cache_serial)" = 1 ]'
snapshot

# the image size of the big document, measured on an ordinary directory
mkdir -p "$T/measure"
CACHE=$T/measure write_policy
sync_run --file "$T/big.json"
image=$(stat -c %s "$T/measure/roles.db")
CACHE=$T/full
write_policy
check "the big document compiles to a multi-megabyte image ($image bytes)" \
	'[ "$image" -gt 2000000 ]'

for free_kb in 0 4 8 64 1024 $((image / 2048)) $((image / 1024 - 8)); do
	avail=$(df --output=avail -B1 "$CACHE" | tail -1)
	fill=$((avail - free_kb * 1024))
	[ "$fill" -gt 0 ] && fallocate -l "$fill" "$CACHE/filler"
	sync_run --file "$T/big.json"
	check "disk full with ${free_kb} KiB free: exit 1, cache byte-identical, no temporary file" '
		rc_is 1 && err_has "No space left on device" && cache_kept && no_temp_files "$CACHE"'
	rm -f "$CACHE/filler"
done
check "after the failures the cache is still the complete, valid table" \
	'[ "$(cache_serial)" = 1 ]'

# just enough room for the table but not for the state file: the new table
# is in place and complete, the run still reports the failure
avail=$(df --output=avail -B1 "$CACHE" | tail -1)
fill=$((avail - (image + 4095) / 4096 * 4096))
fallocate -l "$fill" "$CACHE/filler"
sync_run --file "$T/big.json"
s=$(cache_serial)
check "room for the table only: exit 1 and the cache is a complete table (serial $s)" '
	rc_is 1 && { cache_kept || [ "$s" = 2 ]; } && no_temp_files "$CACHE"'
rm -f "$CACHE/filler"
sync_run --file "$T/big.json"
check "with room again the big table installs (exit 0, or 3 if it was already in)" '
	{ rc_is 0 || rc_is 3; } && [ "$(cache_serial)" = 2 ] && no_temp_files "$CACHE"'
umount "$CACHE"
MOUNTS=()

# --- SIGKILL -----------------------------------------------------------------

CACHE=$T/kill
write_policy
cp "$T/big.json" "$T/kill.json"
serial=100
set_serial "$T/kill.json" $serial
sync_run --file "$T/kill.json"
check "the table to kill syncs over installs" 'rc_is 0 && [ "$(cache_serial)" = 100 ]'

rm -f "$T/stop"
"$TABLE_READER" --loop "$CACHE/roles.db" "$T/stop" >"$T/reader-kill.out" 2>&1 &
reader=$!
PIDS+=("$reader")
# one uninterrupted run gives the time a sync takes; the kills land
# anywhere in it, half of them in its last fifth, where the write happens
start=$(date +%s%N)
serial=$((serial + 1))
set_serial "$T/kill.json" $serial
sync_run --file "$T/kill.json"
span_ms=$((($(date +%s%N) - start) / 1000000))
cur=$serial bad=0 before=0 after=0
for i in $(seq 1 24); do
	serial=$((serial + 1))
	set_serial "$T/kill.json" $serial
	if [ $((i % 2)) = 0 ]; then
		delay_ms=$((RANDOM % (span_ms + span_ms / 10)))
	else
		delay_ms=$((span_ms * 4 / 5 + RANDOM % (span_ms / 4 + 1)))
	fi
	"$NEXUSBG" sync --policy "$T/policy.conf" --file "$T/kill.json" --quiet 2>/dev/null &
	pid=$!
	sleep "$((delay_ms / 1000)).$(printf %03d $((delay_ms % 1000)))"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if ! s=$(cache_serial 2>"$T/err"); then
		bad=$((bad + 1))
		echo "# after kill $i at ${delay_ms} ms: $(cat "$T/err")"
	elif [ "$s" = "$cur" ]; then
		before=$((before + 1))
	elif [ "$s" = "$serial" ]; then
		after=$((after + 1))
		cur=$s
	else
		bad=$((bad + 1))
		echo "# after kill $i: serial $s, expected $cur or $serial"
	fi
done
check "24 SIGKILLs at random moments of a ${span_ms} ms sync: always a complete table of the old or new serial ($before old, $after new)" \
	'[ "$bad" = 0 ]'

# kill inside the write window: as soon as the temporary file appears
caught=0
for i in $(seq 1 10); do
	serial=$((serial + 1))
	set_serial "$T/kill.json" $serial
	"$NEXUSBG" sync --policy "$T/policy.conf" --file "$T/kill.json" --quiet 2>/dev/null &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if compgen -G "$CACHE/.roles.db.tmp.*" >/dev/null; then
			kill -9 "$pid"
			break
		fi
	done
	wait "$pid" 2>/dev/null
	if compgen -G "$CACHE/.roles.db.tmp.*" >/dev/null; then
		caught=$((caught + 1))
		s=$(cache_serial) || s=invalid
		if [ "$s" != "$cur" ] && [ "$s" != "$serial" ]; then
			bad=$((bad + 1))
			echo "# killed in the write window: serial $s, expected $cur or $serial"
		fi
		cur=$s
	else
		cur=$(cache_serial)
	fi
	[ "$caught" -ge 3 ] && break
done
check "SIGKILL inside the write window ($caught times): the cache stayed a complete table" \
	'[ "$caught" -ge 1 ] && [ "$bad" = 0 ]'
check "... and a stale temporary file was left behind" 'compgen -G "$CACHE/.roles.db.tmp.*" >/dev/null'
serial=$((serial + 1))
set_serial "$T/kill.json" $serial
sync_run --file "$T/kill.json"
check "the next sync removes the stale temporary files and installs" '
	rc_is 0 && [ "$(cache_serial)" = "$serial" ] && no_temp_files "$CACHE"'
touch "$T/stop"
wait "$reader"
rrc=$?
check "a reader opening the table during all the kills never saw a partial table ($(cat "$T/reader-kill.out"))" \
	'[ "$rrc" = 0 ]'

# --- concurrent readers --------------------------------------------------------

CACHE=$T/readers
write_policy
gendoc "$T/readers.json" --serial 200 --users 3000
sync_run --file "$T/readers.json"
check "the table for the reader test installs" 'rc_is 0'
rm -f "$T/stop"
for r in 1 2 3; do
	"$TABLE_READER" --loop "$CACHE/roles.db" "$T/stop" >"$T/reader$r.out" 2>&1 &
	PIDS+=($!)
	eval "reader$r=$!"
done
fails=0
for serial in $(seq 201 230); do
	set_serial "$T/readers.json" "$serial"
	sync_run --file "$T/readers.json"
	rc_is 0 || fails=$((fails + 1))
done
touch "$T/stop"
rr=0
for r in 1 2 3; do
	eval "wait \$reader$r" || rr=$((rr + 1))
done
check "30 replacements while 3 readers open the table: every sync succeeded" '[ "$fails" = 0 ]'
check "every open by every reader gave a complete table, serials never went down" '[ "$rr" = 0 ]'
read -r opens seen < <(sed -n 's/^opens=\([0-9]*\) serials=\([0-9]*\).*/\1 \2/p' "$T/reader1.out")
check "the readers really raced the replacements (${opens:-0} opens, ${seen:-0} serials seen)" '
	[ "${opens:-0}" -ge 100 ] && [ "${seen:-0}" -ge 5 ]'
check "the final table is the last serial" '[ "$(cache_serial)" = 230 ]'

finish
