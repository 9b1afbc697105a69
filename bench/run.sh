#!/bin/bash
# bench/run.sh - container start-up time of hutch against runc, crun and the
# floor (a minimal runtime: the lower bound), measured interleaved.
#
#   bench/run.sh [--rounds N] [--scenario run|lifecycle] [--hutch PATH]
#
# See bench/README.md.  Needs root.  Not used by the build or the tests.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$HERE")
WORK=${BENCH_WORK:-/tmp/hutch-bench}
FLOOR_SRC=$(cd "$ROOT/.." && pwd)/shared/floor
HUTCH=${HUTCH:-$ROOT/build/hutch}
ROUNDS=50
SCENARIO=run
RUNTIMES=(hutch runc crun floor)

die() {
	echo "bench: $*" >&2
	exit 1
}

note() {
	echo "bench: $*" >&2
}

usage() {
	cat <<EOF
usage: $0 [--rounds N] [--scenario run|lifecycle|exec] [--hutch PATH]

  --rounds N        rounds; each runs every runtime once, in shuffled order (default 50)
  --scenario S      run:       RUNTIME run of a bundle whose process is /bin/true (default)
                    lifecycle: RUNTIME create + start + delete --force of the same bundle
                    exec:      RUNTIME exec of /bin/true into a running container of
                               the same bundle (one per runtime, started beforehand)
  --hutch PATH      the hutch binary (default: \$HUTCH, else $ROOT/build/hutch)

Work files (floor and timer binaries, bundle, state, logs, raw data) go to
\$BENCH_WORK (default /tmp/hutch-bench).
EOF
	exit "${1:-0}"
}

parse_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--rounds) ROUNDS=${2:?--rounds needs a value}; shift ;;
		--rounds=*) ROUNDS=${1#*=} ;;
		--scenario) SCENARIO=${2:?--scenario needs a value}; shift ;;
		--scenario=*) SCENARIO=${1#*=} ;;
		--hutch) HUTCH=${2:?--hutch needs a value}; shift ;;
		--hutch=*) HUTCH=${1#*=} ;;
		-h | --help) usage ;;
		*) echo "bench: unknown argument '$1'" >&2; usage 2 ;;
		esac
		shift
	done
	[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds: expected a positive integer, got '$ROUNDS'"
	case $SCENARIO in run | lifecycle | exec) ;; *) die "--scenario: expected run, lifecycle or exec" ;; esac
}

have_pkg() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -q "$@" >/dev/null || { apt-get update -q >/dev/null && apt-get install -y -q "$@" >/dev/null; }
}

build_tools() {
	command -v python3 >/dev/null || apt_install python3
	command -v cc >/dev/null || apt_install gcc
	if [ ! -x "$WORK/timer" ] || [ "$HERE/timer.c" -nt "$WORK/timer" ]; then
		cc -O2 -Wall -Wextra -Werror -o "$WORK/timer" "$HERE/timer.c"
	fi
}

# The floor lives beside the project (../shared/floor); without it the
# benchmark still runs, with no floor column and no ratios.
build_floor() {
	FLOOR=
	if [ ! -f "$FLOOR_SRC/floor.c" ]; then
		note "no floor sources at $FLOOR_SRC: the floor column and the ratios are skipped"
		return 0
	fi
	# The floor's Makefile falls back to a static glibc build, which starts
	# 1.1-1.3x slower than the musl one: install musl-tools when we can.
	if ! command -v musl-gcc >/dev/null && ! apt_install musl-tools; then
		note "musl-tools not installable: the floor is built with static glibc (slower: ratios are low)"
	fi
	make -s -C "$FLOOR_SRC" OUT="$WORK/floor" >/dev/null
	FLOOR=$WORK/floor
}

# The bundle: busybox rootfs, hutch's default config, process /bin/true.
make_bundle() {
	[ -x "$HUTCH" ] || die "no hutch binary at '$HUTCH' (it writes the bundle's config.json): build it (meson setup build && ninja -C build) or pass --hutch PATH"
	BUNDLE=$WORK/bundle
	rm -f "$BUNDLE/config.json"
	HUTCH=$HUTCH "$ROOT/scripts/mkbundle.sh" "$BUNDLE"
	# ociVersion is pinned because crun 1.8 (Debian 12) refuses any version
	# without "1.0" in it; the field changes nothing the runtimes do.
	python3 - "$BUNDLE/config.json" <<'EOF'
import json, sys
path = sys.argv[1]
with open(path) as f:
    config = json.load(f)
config["ociVersion"] = "1.1.0"
config["process"]["args"] = ["/bin/true"]
config["process"]["terminal"] = False
with open(path, "w") as f:
    json.dump(config, f, indent=2)
EOF
}

# RT=(the runtime's command line up to the command name)
set_rt() {
	local state=$WORK/state/$1

	case $1 in
	hutch) RT=("$HUTCH" --root "$state") ;;
	runc) RT=(runc --root "$state") ;;
	crun) RT=(crun --root "$state") ;;
	# --lo-up: runc and crun bring up lo in the new network namespace too.
	floor) RT=("$FLOOR" --root "$state" --lo-up) ;;
	esac
}

# T=(the timer's arguments for one run of the scenario)
set_timer_args() {
	local id=$2

	set_rt "$1"
	case $SCENARIO in
	run) T=(-- "${RT[@]}" run --bundle "$BUNDLE" "$id") ;;
	lifecycle) T=(-- "${RT[@]}" create --bundle "$BUNDLE" "$id"
		-- "${RT[@]}" start "$id"
		-- "${RT[@]}" delete --force "$id") ;;
	exec) T=(-- "${RT[@]}" exec "bench-exec-$1-$$" /bin/true) ;;
	esac
}

# exec: each runtime's container to exec into, from a copy of the bundle
# whose process waits (same rootfs); removed again by stop_exec_targets.
start_exec_targets() {
	local name status

	EXEC_BUNDLE=$WORK/bundle-exec
	mkdir -p "$EXEC_BUNDLE"
	python3 - "$BUNDLE/config.json" "$EXEC_BUNDLE/config.json" "$BUNDLE/rootfs" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    config = json.load(f)
config["process"]["args"] = ["/bin/sleep", "100000"]
config["root"]["path"] = sys.argv[3]
with open(sys.argv[2], "w") as f:
    json.dump(config, f, indent=2)
PY
	for name in "${RUNTIMES[@]}"; do
		case $name in
		floor) [ -n "$FLOOR" ] || continue ;;
		runc | crun) command -v "$name" >/dev/null || continue ;;
		esac
		set_rt "$name"
		status=0
		if [ "$name" = crun ]; then
			in_crun_ns "${RT[@]}" run -d --bundle "$EXEC_BUNDLE" "bench-exec-$name-$$" \
				</dev/null >"$WORK/logs/$name-target.log" 2>&1 || status=$?
		else
			"${RT[@]}" run -d --bundle "$EXEC_BUNDLE" "bench-exec-$name-$$" \
				</dev/null >"$WORK/logs/$name-target.log" 2>&1 || status=$?
		fi
		[ "$status" -eq 0 ] || note "$name: the container to exec into did not start (see $WORK/logs/$name-target.log)"
	done
	trap stop_exec_targets EXIT
}

stop_exec_targets() {
	local name

	for name in "${RUNTIMES[@]}"; do
		cleanup_one "$name" "bench-exec-$name-$$"
	done
}

# crun 1.8 refuses this host's hybrid cgroups ("cgroups in hybrid mode not
# supported"), so it runs in a private mount namespace without the cgroup2
# mount.  The timer starts inside that namespace: unshare, sh and umount are
# not part of crun's time.
in_crun_ns() {
	# shellcheck disable=SC2016 # "$0" "$@" are the inner shell's
	unshare -m sh -c 'umount /sys/fs/cgroup/unified 2>/dev/null; exec "$0" "$@"' "$@"
}

# time_one NAME ID: print the nanoseconds of one run; fail as the run did.
time_one() {
	local log=$WORK/logs/$1.log

	set_timer_args "$1" "$2"
	if [ "$1" = crun ]; then
		in_crun_ns "$WORK/timer" -o "$log" "${T[@]}" </dev/null
	else
		"$WORK/timer" -o "$log" "${T[@]}" </dev/null
	fi
}

# After a failed run, leave no container, state or cgroup behind.
cleanup_one() {
	set_rt "$1"
	if [ "$1" = crun ]; then
		in_crun_ns "${RT[@]}" delete --force "$2" >/dev/null 2>&1 </dev/null || true
	else
		"${RT[@]}" delete --force "$2" >/dev/null 2>&1 </dev/null || true
	fi
}

# Keep the runtimes whose first (untimed) run works; say why for the others.
select_runtimes() {
	local name id status

	ACTIVE=()
	for name in "${RUNTIMES[@]}"; do
		case $name in
		floor) [ -n "$FLOOR" ] || continue ;;
		runc | crun) command -v "$name" >/dev/null || { note "skipping $name: not installed"; continue; } ;;
		esac
		id=bench-warmup-$name-$$
		: >"$WORK/logs/$name.log"
		status=0
		time_one "$name" "$id" >/dev/null || status=$?
		if [ "$status" -ne 0 ]; then
			cleanup_one "$name" "$id"
			note "skipping $name: its first $SCENARIO failed (exit $status):"
			tail -n 5 "$WORK/logs/$name.log" | sed 's/^/    /' >&2
			continue
		fi
		ACTIVE+=("$name")
	done
	[ ${#ACTIVE[@]} -gt 0 ] || die "no runtime works on $BUNDLE"
}

shuffle_active() {
	local i j t

	ORDER=("${ACTIVE[@]}")
	for ((i = ${#ORDER[@]} - 1; i > 0; i--)); do
		j=$((RANDOM % (i + 1)))
		t=${ORDER[i]}
		ORDER[i]=${ORDER[j]}
		ORDER[j]=$t
	done
}

run_rounds() {
	local r name id ns

	RAW=$WORK/raw-$SCENARIO.tsv
	: >"$RAW"
	declare -gA FAILED=()
	for ((r = 1; r <= ROUNDS; r++)); do
		shuffle_active
		for name in "${ORDER[@]}"; do
			id=bench-$name-$r-$$
			if ns=$(time_one "$name" "$id"); then
				printf '%s\t%d\t%s\n' "$name" "$r" "$ns" >>"$RAW"
			else
				FAILED[$name]=$((${FAILED[$name]:-0} + 1))
				cleanup_one "$name" "$id"
			fi
		done
		((r % 10 == 0)) && printf '%d ' "$r" >&2
	done
	echo >&2
}

version_of() {
	case $1 in
	hutch) "$HUTCH" --version 2>/dev/null | head -n 1 ;;
	runc | crun) "$1" --version 2>/dev/null | head -n 1 ;;
	floor) echo "floor ($(command -v musl-gcc >/dev/null && echo musl || echo glibc) static, $FLOOR_SRC)" ;;
	esac
}

cgroup_mode() {
	case $(stat -fc %T /sys/fs/cgroup) in
	cgroup2fs) echo v2 ;;
	tmpfs) [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] && echo "v1 hybrid" || echo v1 ;;
	*) echo unknown ;;
	esac
}

virt() {
	local dmi

	dmi=$(cat /sys/class/dmi/id/sys_vendor /sys/class/dmi/id/product_name 2>/dev/null | tr '\n' ' ' || true)
	if grep -qw hypervisor /proc/cpuinfo; then
		echo "virtual machine${dmi:+ ($dmi)}"
	else
		echo "bare metal${dmi:+ ($dmi)}"
	fi
}

machine_info() {
	local name

	echo "machine: $(uname -srm), $(nproc) CPU ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ {printf "%d MiB", $2 / 1024}' /proc/meminfo)"
	# shellcheck source=/dev/null
	echo "         $(virt), cgroups $(cgroup_mode), $(. /etc/os-release && echo "$PRETTY_NAME")"
	for name in "${ACTIVE[@]}"; do
		printf '  %-6s %s\n' "$name" "$(version_of "$name")"
	done
}

report() {
	local name what

	echo
	case $SCENARIO in
	run) what="RUNTIME run" ;;
	lifecycle) what="RUNTIME create + start + delete --force" ;;
	exec) what="RUNTIME exec into a running container of the bundle" ;;
	esac
	echo "scenario: $SCENARIO ($what, process /bin/true, default spec, busybox rootfs)"
	echo "rounds:   $ROUNDS, each runtime once per round in shuffled order; wall time per run, CLOCK_MONOTONIC"
	machine_info
	case " ${ACTIVE[*]} " in *" crun "*)
		echo "crun:     timed inside 'unshare -m' after unmounting /sys/fs/cgroup/unified (crun 1.8 refuses hybrid cgroups); the wrapper is not in its time"
	esac
	echo
	python3 "$HERE/stats.py" "$RAW" "${ACTIVE[@]}"
	for name in "${!FAILED[@]}"; do
		echo "$name: ${FAILED[$name]} failed runs left out (see $WORK/logs/$name.log)"
	done
	echo
	echo "raw data: $RAW"
}

main() {
	parse_args "$@"
	[ "$(id -u)" = 0 ] || die "needs root"
	mkdir -p "$WORK/logs"
	rm -rf "$WORK/state"
	build_tools
	build_floor
	make_bundle
	[ "$SCENARIO" = exec ] && start_exec_targets
	select_runtimes
	run_rounds
	report
}

main "$@"
