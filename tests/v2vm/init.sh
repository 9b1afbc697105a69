#!/bin/busybox sh
# tests/v2vm/init.sh - /init of the cgroup v2 test VM (busybox sh, PID 1).
#
# Stage 1 (in the initramfs): pivot_root(2) refuses a root on the initial
# rootfs, and hutch pivots, so copy the initramfs into a tmpfs and
# switch_root to it.  Stage 2: mount proc, sys, devtmpfs, devpts, cgroup2 on
# /sys/fs/cgroup (controllers enabled in the root's subtree_control, as
# systemd does), tmpfs on /tmp, /run, /dev/shm; load the kernel modules of
# /v2vm/modules (run.sh lists them, dependencies first); run every test of
# every /v2vm/tests/*.sh (see lib.sh); print on the console, one per test:
#   ok FILE::NAME | FAIL FILE::NAME: REASON | skip FILE::NAME: REASON
# details as `#` lines, then `V2VM-DONE`, and power off.
#
# Kernel command line: v2vm.test_timeout=S (per test, default 60).

if [ "$$" = 1 ] && [ "$1" != stage2 ]; then
	bb=/bin/busybox
	$bb mount -t tmpfs -o mode=0755 tmpfs /newroot || echo "# v2vm: mounting the tmpfs root failed"
	for e in /*; do
		case $e in /newroot | /dev | /proc | /sys | /root) continue ;; esac
		$bb cp -a "$e" /newroot/ || echo "# v2vm: copying $e failed"
	done
	$bb mkdir -p /newroot/dev /newroot/proc /newroot/sys /newroot/root
	exec $bb switch_root /newroot /init stage2
	echo "# v2vm: switch_root failed"
	$bb poweroff -f
fi

echo # a clean line start after the firmware's and kernel's output
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root HUTCH=/usr/local/bin/hutch
/bin/busybox --install -s 2>/dev/null # applet links; jq and hutch stay

say() { printf '%s\n' "$*"; }

fatal() {
	say "FAIL v2vm::init: $*"
	say "V2VM-DONE"
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 1000
}

mount -t proc proc /proc || fatal "mount proc failed"
mount -t sysfs sysfs /sys || fatal "mount sysfs failed"
mount -t devtmpfs devtmpfs /dev || fatal "mount devtmpfs failed"
exec </dev/console >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm /sys/fs/cgroup
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts /dev/pts
ln -sf pts/ptmx /dev/ptmx
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
# As systemd mounts it; older kernels lack memory_recursiveprot.
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 /sys/fs/cgroup 2>/dev/null ||
	mount -t cgroup2 cgroup2 /sys/fs/cgroup || fatal "mount cgroup2 on /sys/fs/cgroup failed"
mount --make-rshared /
hostname v2vm
echo 1 >/proc/sys/kernel/printk # keep kernel lines off the console; dumped at the end

# Kernel modules: "PATH [PARAMS]" lines, PATH under /lib/modules/RELEASE.
mods=
while read -r m args; do
	[ -n "$m" ] || continue
	if insmod "/lib/modules/$(uname -r)/$m" $args; then
		m=${m##*/}
		mods="$mods ${m%.ko}"
	else
		say "# insmod $m $args failed"
	fi
done </v2vm/modules

for c in cpu cpuset io memory pids hugetlb rdma misc; do
	case " $(cat /sys/fs/cgroup/cgroup.controllers) " in
	*" $c "*) echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || say "# cannot enable $c" ;;
	esac
done
say "# kernel $(uname -r), init at uptime $(cut -d" " -f1 /proc/uptime)s; /sys/fs/cgroup: $(grep ' /sys/fs/cgroup ' /proc/mounts | cut -d' ' -f3,4)"
say "# cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
say "# modules:${mods:- none}; block devices:$(for d in /sys/block/*; do [ -e "$d" ] && printf ' %s' "${d##*/}"; done)"

TT=60
for w in $(cat /proc/cmdline); do
	case $w in v2vm.test_timeout=*) TT=${w#*=} ;; esac
done

mkdir -p /run/v2vm
cat /proc/mounts >/run/v2vm/mounts.base
find /sys/fs/cgroup -mindepth 1 -type d >/run/v2vm/cgroups.base
CG_OPTS=$(awk '$2 == "/sys/fs/cgroup" { o = $4 } END { print o }' /proc/mounts)
export CG_OPTS # the VM's cgroup2 mount options, for the tests

# OTHERS= the processes other than PID 1, kernel threads and zombies, as
# "pid(comm) ...".  Runs in PID 1 itself (no subshell that would count).
others() {
	local p pid line rest
	OTHERS=
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = 1 ] || [ "$pid" = 2 ] && continue
		read -r line <"$p/stat" 2>/dev/null || continue
		rest=${line##*) }
		set -- $rest
		[ "$2" = 2 ] || [ "$1" = Z ] && continue
		line=${line#*(}
		OTHERS="$OTHERS$pid(${line%%) *}) "
	done
}

# cleanup LOG: delete the test's containers, then note in LEFT and remove
# what is left: processes, mounts, cgroup directories.
cleanup() {
	local log=$1 id i m
	LEFT=
	for id in "$T_ROOT"/*; do
		[ -d "$id" ] || continue
		id=${id##*/}
		"$HUTCH" --root "$T_ROOT" delete --force "$id" >>"$log" 2>&1 ||
			LEFT="${LEFT}container $id (delete --force failed); "
	done
	i=0
	while others && [ -n "$OTHERS" ] && [ $i -lt 20 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -n "$OTHERS" ] && LEFT="${LEFT}processes ${OTHERS% }; "
	kill -KILL -1 2>/dev/null # every process but PID 1 (this shell)
	# Mount points beyond the baseline's (one stacked on an old one too).
	awk 'FILENAME == ARGV[1] { b[$2]++; next } ++c[$2] > b[$2] { print $2 }' \
		/run/v2vm/mounts.base /proc/mounts | sort -r >/run/v2vm/mounts.left
	while read -r m; do
		LEFT="${LEFT}mount $m; "
		umount -l "$m" 2>/dev/null
	done </run/v2vm/mounts.left
	# cgroup2 options are global (nsdelegate, memory_recursiveprot): a
	# cgroup2 mount in the host's cgroup namespace resets them.  Noted and
	# restored here; smoke.sh::host_cgroup2_options_kept fails for it.
	m=$(awk '$2 == "/sys/fs/cgroup" { o = $4 } END { print o }' /proc/mounts)
	if [ "$m" != "$CG_OPTS" ]; then
		echo "note: the VM's /sys/fs/cgroup options changed from $CG_OPTS to $m (restored)" >>"$log"
		mount -o "remount,$CG_OPTS" /sys/fs/cgroup >>"$log" 2>&1
	fi
	# (not grep -vxF -f: busybox's matches everything with an empty list)
	find /sys/fs/cgroup -mindepth 1 -type d |
		awk 'FILENAME == ARGV[1] { b[$0] = 1; next } !($0 in b)' /run/v2vm/cgroups.base - |
		sort -r >/run/v2vm/cgroups.left
	while read -r m; do
		LEFT="${LEFT}cgroup ${m#/sys/fs/cgroup}; "
		rmdir "$m" 2>/dev/null
	done </run/v2vm/cgroups.left
	LEFT=${LEFT%; }
}

# run_test FILE FN LOG: run one test in its own sh, killed after $TT s;
# sets RC (137 when it was killed).  No watchdog process is left over.
run_test() {
	local pid n=0 line
	(cd "$T_DIR" && exec sh -c '. /v2vm/lib.sh && . "$1" && t__run "$2"' sh "$1" "$2") \
		</dev/null >>"$3" 2>&1 &
	pid=$!
	while [ -e "/proc/$pid" ]; do
		read -r line <"/proc/$pid/stat" 2>/dev/null || break
		case ${line##*) } in Z*) break ;; esac
		if [ $n -ge $((TT * 10)) ]; then
			kill -KILL "$pid"
			break
		fi
		sleep 0.1
		n=$((n + 1))
	done
	wait "$pid"
	RC=$?
}

# details LOG: the test's output as `#   | ` lines (the last 40).
details() {
	tail -n 40 "$1" | sed 's/^/#   | /'
}

pass=0 fail=0 skip=0 ntests=0
start=$(cut -d' ' -f1 /proc/uptime)
for f in /v2vm/tests/*.sh; do
	[ -f "$f" ] || continue
	for fn in $(sed -n 's/^\(test_[A-Za-z0-9_]*\)[[:space:]]*().*/\1/p' "$f"); do
		name="${f##*/}::${fn#test_}"
		ntests=$((ntests + 1))
		T_DIR=$(mktemp -d /tmp/t.XXXXXX)
		T_ROOT=$T_DIR/state T_BUNDLE=$T_DIR/bundle T_RESULT=$T_DIR/result T_NAME=$name
		export T_DIR T_ROOT T_BUNDLE T_RESULT T_NAME
		log=/run/v2vm/log
		: >"$log"
		mkdir -p "$T_BUNDLE" && cp -a /v2vm/bundle/. "$T_BUNDLE/" &&
			jq '.process.terminal = false | .process.args = ["true"]' \
				/v2vm/bundle/config.json >"$T_BUNDLE/config.json" ||
			echo "FAIL preparing the bundle" >"$T_RESULT"
		t0=$(cut -d' ' -f1 /proc/uptime)
		RC=1
		[ -s "$T_RESULT" ] || run_test "$f" "$fn" "$log"
		t1=$(cut -d' ' -f1 /proc/uptime)
		verdict=$(head -n 1 "$T_RESULT" 2>/dev/null)
		if [ -z "$verdict" ]; then
			if [ "$RC" = 137 ]; then
				verdict="FAIL timed out after ${TT}s (v2vm.test_timeout)"
			else
				verdict="FAIL exited $RC without a verdict"
			fi
		fi
		cleanup "$log"
		if [ -n "$LEFT" ]; then
			echo "left behind after the test: $LEFT" >>"$log"
			[ "$verdict" = ok ] && verdict="FAIL left behind: $LEFT"
		fi
		case $verdict in
		ok)
			pass=$((pass + 1))
			say "ok $name"
			;;
		skip*)
			skip=$((skip + 1))
			say "skip $name: ${verdict#skip }"
			;;
		*)
			fail=$((fail + 1))
			say "FAIL $name: ${verdict#FAIL }"
			details "$log"
			;;
		esac
		say "#   ($name: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')s)"
		rm -rf "$T_DIR"
	done
done
[ "$ntests" = 0 ] && say "FAIL v2vm::tests: no test_* function found in /v2vm/tests/*.sh"

# Kernel errors, warnings with a backtrace, oopses (the console was kept
# quiet; TCG's level-4 chatter about clocks and MTRRs is left out).
dmesg -r | grep '^<[0-3]>\|WARNING:\|BUG:\|Call Trace' | tail -n 30 | sed 's/^/# kernel: /'
say "# $pass passed, $fail failed, $skip skipped in $(awk -v a="$start" -v b="$(cut -d' ' -f1 /proc/uptime)" 'BEGIN { printf "%.2f", b - a }')s; uptime $(cut -d' ' -f1 /proc/uptime)s"
say "V2VM-DONE"
sync
poweroff -f
echo o >/proc/sysrq-trigger
sleep 1000
