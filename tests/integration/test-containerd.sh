# shellcheck shell=bash disable=SC2034 # T_WRAP and the like are read by lib.sh
# containerd drives the runtime for real, as it drives runc: Debian's
# containerd, started by hand with its root, state and socket in the test's
# temp dir (no CRI plugin, the native snapshotter), an OCI image archive
# made here from the test rootfs (tar + sha256sum, no registry), and
# `ctr run --runc-binary RUNTIME`: containerd's runc shim (io.containerd.
# runc.v2) then calls the runtime as runc: `--root R --log B/log.json
# --log-format json create --bundle B --pid-file B/init.pid ID`, `start`,
# `exec --process F --detach --pid-file P`, `kill ID 9`, `state`, `ps
# --format json`, `delete`.
# Sourced by lib.sh; see there for the helpers.

# cd_need: containerd and ctr (scripts/install-deps.sh test installs them).
cd_need() {
	command -v containerd >/dev/null && command -v ctr >/dev/null ||
		t_skip "containerd is not installed (Debian's containerd package: scripts/install-deps.sh test)"
	command -v containerd-shim-runc-v2 >/dev/null ||
		t_skip "containerd-shim-runc-v2 is not installed (Debian's containerd package)"
}

# cd_start: containerd in the background, state under $T_DIR/ctrd; sets
# CD (its dir), CD_NS (a namespace of this test), CD_PID.  Stopped (by pid)
# when the test ends.
cd_start() {
	cd_need
	CD=$T_DIR/ctrd
	CD_NS=$T_ID-ns
	mkdir -p "$CD" "$CD/fifo"
	# No CRI; no opt plugin (it would create /opt/containerd); only the
	# native snapshotter (nothing to load, nothing mounted but binds).
	cat >"$CD/config.toml" <<EOF
version = 2
root = "$CD/root"
state = "$CD/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
	"io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
	"io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs",
	"io.containerd.snapshotter.v1.overlayfs", "io.containerd.tracing.processor.v1.otlp",
	"io.containerd.internal.v1.tracing"]
[grpc]
  address = "$CD/containerd.sock"
[ttrpc]
  address = "$CD/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
EOF
	HUTCH_IT_TAG=$T_TAG containerd --config "$CD/config.toml" </dev/null >"$CD/containerd.log" 2>&1 &
	CD_PID=$!
	t_defer cd_stop
	# containerd puts a container's cgroup at /NAMESPACE/ID by default;
	# the parents it names are removed once everything is stopped.
	t_defer "rmdir /sys/fs/cgroup/*/'$CD_NS' /sys/fs/cgroup/'$CD_NS'"
	wait_for 15 cd_up || t_fail "containerd did not come up: $(tail -n 20 "$CD/containerd.log")"
}

cd_up() {
	t__exited "$CD_PID" && t_fail "containerd exited: $(tail -n 20 "$CD/containerd.log")"
	[[ -S $CD/containerd.sock ]] &&
		timeout 5 ctr -a "$CD/containerd.sock" version >/dev/null 2>&1
}

# cd_stop: remove what is left in our namespace, stop containerd (TERM,
# then KILL), and check it left no mounts.
cd_stop() {
	local id
	[[ -n ${CD_PID:-} ]] || return 0
	for id in $(timeout 10 ctr -a "$CD/containerd.sock" -n "$CD_NS" tasks ls -q 2>/dev/null); do
		timeout 10 ctr -a "$CD/containerd.sock" -n "$CD_NS" tasks delete --force "$id" >/dev/null 2>&1
	done
	for id in $(timeout 10 ctr -a "$CD/containerd.sock" -n "$CD_NS" containers ls -q 2>/dev/null); do
		timeout 10 ctr -a "$CD/containerd.sock" -n "$CD_NS" containers delete "$id" >/dev/null 2>&1
	done
	kill -TERM "$CD_PID" 2>/dev/null
	wait_for 10 t__exited "$CD_PID" || kill -KILL "$CD_PID" 2>/dev/null
	wait "$CD_PID" 2>/dev/null
	CD_PID=
}

# cd_ctr ARG...: ctr on our containerd and namespace; sets T_RC T_OUT T_ERR.
cd_ctr() {
	HUTCH_IT_TAG=$T_TAG timeout -k 5 30 ctr -a "$CD/containerd.sock" -n "$CD_NS" "$@" \
		</dev/null >"$T_DIR/ctr.out" 2>"$T_DIR/ctr.err"
	T_RC=$?
	T_OUT=$(<"$T_DIR/ctr.out")
	T_ERR=$(<"$T_DIR/ctr.err")
	((T_RC != 124)) || t_fail "ctr $* timed out; stderr: $T_ERR"
}

# cd_ok ARG...: cd_ctr, which must succeed.
cd_ok() {
	cd_ctr "$@"
	[[ $T_RC == 0 ]] || t_fail "ctr $* failed ($T_RC): $T_ERR $T_OUT"
}

# cd_arch: the image platform's architecture (Go's names).
cd_arch() {
	case $(uname -m) in
	x86_64) echo amd64 ;;
	aarch64) echo arm64 ;;
	armv*) echo arm ;;
	i?86) echo 386 ;;
	ppc64le) echo ppc64le ;;
	riscv64) echo riscv64 ;;
	s390x) echo s390x ;;
	*) uname -m ;;
	esac
}

# cd_blob FILE: move FILE into the layout's blobs; prints "DIGEST SIZE".
cd_blob() {
	local hex size
	hex=$(sha256sum "$1" | cut -d' ' -f1) && size=$(stat -c %s "$1") &&
		mv "$1" "$CD/img/blobs/sha256/$hex" || t_fail "blob $1"
	echo "sha256:$hex $size"
}

# cd_image: an OCI image archive of the test bundle's rootfs (one
# uncompressed layer), imported as $CD_IMAGE.
cd_image() {
	local layer lsize cfg csize man msize arch
	CD_IMAGE=localhost/hutch-it/busybox:test
	arch=$(cd_arch)
	mkdir -p "$CD/img/blobs/sha256"
	tar --sort=name --numeric-owner --owner=0 --group=0 -C "$T_BUNDLE/rootfs" \
		-cf "$CD/img/layer.tar" . || t_fail "tar of the rootfs"
	read -r layer lsize < <(cd_blob "$CD/img/layer.tar")
	jq -nc --arg l "$layer" --arg a "$arch" '{
		architecture: $a, os: "linux",
		config: {Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"], WorkingDir: "/"},
		rootfs: {type: "layers", diff_ids: [$l]}}' >"$CD/img/config.json"
	read -r cfg csize < <(cd_blob "$CD/img/config.json")
	jq -nc --arg c "$cfg" --argjson cs "$csize" --arg l "$layer" --argjson ls "$lsize" '{
		schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' \
		>"$CD/img/manifest.json"
	read -r man msize < <(cd_blob "$CD/img/manifest.json")
	jq -nc --arg m "$man" --argjson ms "$msize" --arg n "$CD_IMAGE" --arg a "$arch" '{
		schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m,
			size: $ms, platform: {architecture: $a, os: "linux"},
			annotations: {"io.containerd.image.name": $n, "org.opencontainers.image.ref.name": "test"}}]}' \
		>"$CD/img/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$CD/img/oci-layout"
	tar -C "$CD/img" -cf "$CD/image.tar" oci-layout index.json blobs || t_fail "tar of the image"
	cd_ok images import --snapshotter native "$CD/image.tar"
	cd_ok images ls -q
	assert_contains "$T_OUT" "$CD_IMAGE" "imported image"
}

# cd_wrapper: a --runc-binary that logs each call's arguments, one line
# each, to $CD/calls, then execs the runtime.
cd_wrapper() {
	printf '#!/bin/sh\nprintf "%%s\\n" "$*" >>%q\nexec %q "$@"\n' "$CD/calls" "$RUNTIME" \
		>"$CD/runtime-wrapper"
	chmod 755 "$CD/runtime-wrapper"
	CD_BINARY=$CD/runtime-wrapper
}

# cd_run ARG...: `ctr run` with the runtime under test.
cd_run() {
	cd_ctr run --snapshotter native --fifo-dir "$CD/fifo" --runc-binary "${CD_BINARY:-$RUNTIME}" \
		--runc-root "$CD/runc-root" "$@"
}

# cd_task_status ID: its status in `ctr task ls`.
cd_task_status() {
	cd_ctr tasks ls
	awk -v id="$1" '$1 == id { print $3 }' <<<"$T_OUT"
}

# cd_nothing_left: no container, no task, no runtime state.
cd_nothing_left() {
	cd_ok containers ls -q
	assert_eq "$T_OUT" "" "containers left in containerd"
	cd_ok tasks ls -q
	assert_eq "$T_OUT" "" "tasks left in containerd"
	[[ -z $(find "$CD/runc-root" -mindepth 2 2>/dev/null) ]] ||
		t_fail "runtime state left: $(find "$CD/runc-root" -mindepth 1)"
}

test_containerd_run_rm_echo() {
	local bundle
	cd_start
	cd_image
	cd_wrapper
	cd_run --rm "$CD_IMAGE" "$T_ID-echo" echo hi
	[[ $T_RC == 0 ]] || t_fail "ctr run failed ($T_RC): $T_ERR; calls: $(cat "$CD/calls" 2>&1)"
	assert_eq "$T_OUT" hi "ctr run --rm IMAGE ID echo hi"
	cd_nothing_left
	t_log "the shim's calls: $(<"$CD/calls")"
	# The calls containerd's shim made are runc's.
	bundle=$CD/state/io.containerd.runtime.v2.task/$CD_NS/$T_ID-echo
	assert_match "$(<"$CD/calls")" \
		"^--root $CD/runc-root/$CD_NS --log $bundle/log.json --log-format json create --bundle $bundle --pid-file $bundle/init.pid $T_ID-echo\$" \
		"the shim's create"
	assert_match "$(<"$CD/calls")" "--log-format json start $T_ID-echo\$" "the shim's start"
	assert_match "$(<"$CD/calls")" "--log-format json delete $T_ID-echo\$" "the shim's delete"
}

# A long-running task: exec, ps, kill -s 9, delete.
test_containerd_exec_kill_delete() {
	local id=$T_ID-long pid
	cd_start
	cd_image
	cd_wrapper
	cd_run -d "$CD_IMAGE" "$id" sleep 60
	[[ $T_RC == 0 ]] || t_fail "ctr run -d failed ($T_RC): $T_ERR"
	assert_eq "$(cd_task_status "$id")" RUNNING "task status after run -d"
	cd_ok tasks ls
	pid=$(awk -v id="$id" '$1 == id { print $2 }' <<<"$T_OUT")
	grep -qsxz 'sleep' "/proc/$pid/cmdline" || t_fail "task pid $pid is not the container's sleep"

	cd_ctr tasks exec --fifo-dir "$CD/fifo" --exec-id e1 "$id" ps -o pid,args
	[[ $T_RC == 0 ]] || t_fail "ctr task exec ps failed ($T_RC): $T_ERR"
	assert_match "$T_OUT" '^ *1 +sleep 60' "ps in the container shows its init"
	assert_match "$T_OUT" 'ps -o pid,args' "ps in the container shows itself"
	cd_ctr tasks exec --fifo-dir "$CD/fifo" --exec-id e2 "$id" sh -c 'exit 5'
	assert_eq "$T_RC" 5 "exit status of an exec'd process"
	cd_ok tasks ps "$id"
	assert_match "$T_OUT" "^$pid( |$)" "ctr task ps (the runtime's ps --format json)"
	cd_ok tasks pause "$id"
	assert_eq "$(cd_task_status "$id")" PAUSED "task status after pause"
	cd_ok tasks resume "$id"
	assert_eq "$(cd_task_status "$id")" RUNNING "task status after resume"

	cd_ok tasks kill -s 9 "$id"
	wait_for 10 eval '[[ $(cd_task_status "$id") == STOPPED ]]' ||
		t_fail "task not STOPPED after kill -s 9: $(cd_ctr tasks ls; echo "$T_OUT")"
	cd_ok tasks delete "$id"
	cd_ok containers delete "$id"
	cd_nothing_left
	assert_match "$(<"$CD/calls")" "json exec --process [^ ]+ --detach --pid-file [^ ]+ $id\$" "the shim's exec"
	assert_match "$(<"$CD/calls")" "json ps --format json $id\$" "the shim's ps"
	assert_match "$(<"$CD/calls")" "json kill $id 9\$" "the shim's kill"
}

# A signal by name through the shim (it passes numbers) and SIGTERM.
test_containerd_kill_term() {
	local id=$T_ID-term
	cd_start
	cd_image
	cd_run -d "$CD_IMAGE" "$id" sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	[[ $T_RC == 0 ]] || t_fail "ctr run -d failed ($T_RC): $T_ERR"
	cd_ok tasks kill "$id"
	wait_for 10 eval '[[ $(cd_task_status "$id") == STOPPED ]]' ||
		t_fail "task not STOPPED after SIGTERM: $T_OUT"
	cd_ok tasks delete "$id"
	assert_match "$T_OUT" "(^|[^0-9])0$|^$" "the task exited with status 0"
	cd_ok containers delete "$id"
	cd_nothing_left
}

# A create the runtime refuses: ctr shows the runtime's own error text (the
# shim reads it from the JSON log), and nothing is left.
test_containerd_failing_create_shows_error() {
	cd_start
	cd_image
	cd_run --rm "$CD_IMAGE" "$T_ID-nobin" /no/such/binary-xyz
	[[ $T_RC != 0 ]] || t_fail "ctr run of a missing binary succeeded"
	# "OCI runtime create failed: MSG": the shim took MSG from the JSON log.
	assert_match "$T_ERR" "OCI runtime create failed: .*/no/such/binary-xyz.*no such file" \
		"ctr's error shows the runtime's"
	cd_run --rm --cwd relative/dir "$CD_IMAGE" "$T_ID-cwd" true
	[[ $T_RC != 0 ]] || t_fail "ctr run with a relative cwd succeeded"
	assert_match "$T_ERR" "OCI runtime create failed: .*cwd.*relative/dir" "ctr's error shows the runtime's"
	cd_nothing_left
}

# A terminal (ctr run -t): the shim passes --console-socket and relays.
test_containerd_tty() {
	local cmd
	command -v script >/dev/null || t_skip "no script(1) (util-linux)"
	cd_start
	cd_image
	printf -v cmd '%q ' ctr -a "$CD/containerd.sock" -n "$CD_NS" run -t --rm --snapshotter native \
		--fifo-dir "$CD/fifo" --runc-binary "$RUNTIME" --runc-root "$CD/runc-root" \
		"$CD_IMAGE" "$T_ID-tty" sh -c 'tty; exit 3'
	HUTCH_IT_TAG=$T_TAG timeout -k 5 30 script -qec "$cmd" /dev/null </dev/null \
		>"$T_DIR/script.out" 2>&1
	T_RC=$?
	T_OUT=$(tr -d '\r' <"$T_DIR/script.out" | sed 's/\^@//g')
	assert_eq "$T_RC" 3 "ctr run -t: exit status ($T_OUT)"
	assert_match "$T_OUT" '^/dev/pts/[0-9]+$' "tty in the container"
	# exec -t: the shim passes exec --console-socket.
	cd_run -d "$CD_IMAGE" "$T_ID-tty2" sleep 60
	[[ $T_RC == 0 ]] || t_fail "ctr run -d failed ($T_RC): $T_ERR"
	printf -v cmd '%q ' ctr -a "$CD/containerd.sock" -n "$CD_NS" tasks exec -t --fifo-dir "$CD/fifo" \
		--exec-id t1 "$T_ID-tty2" sh -c 'tty; exit 6'
	HUTCH_IT_TAG=$T_TAG timeout -k 5 30 script -qec "$cmd" /dev/null </dev/null >"$T_DIR/script.out" 2>&1
	T_RC=$?
	T_OUT=$(tr -d '\r' <"$T_DIR/script.out" | sed 's/\^@//g')
	assert_eq "$T_RC" 6 "ctr task exec -t: exit status ($T_OUT)"
	assert_match "$T_OUT" '^/dev/pts/[0-9]+$' "tty in the exec'd process"
	cd_ok tasks kill -s 9 "$T_ID-tty2"
	wait_for 10 eval '[[ $(cd_task_status "$T_ID-tty2") == STOPPED ]]' || t_fail "task not STOPPED"
	cd_ok tasks delete "$T_ID-tty2"
	cd_ok containers delete "$T_ID-tty2"
	cd_nothing_left
}
