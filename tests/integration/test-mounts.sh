# shellcheck shell=bash disable=SC2034 # T_WRAP and the like are read by lib.sh
# The container's filesystem: mount options and propagation, read-only root,
# masked and read-only paths, /dev, linux.devices, sysctl; the host's mount
# table is unchanged afterwards (also checked after every test by lib.sh).
# Sourced by lib.sh; see there for the helpers.

# mi MOUNTPOINT: the container's mountinfo line for MOUNTPOINT (the last one,
# i.e. the visible mount) from a `cat /proc/self/mountinfo` in T_OUT.
mi() {
	awk -v m="$1" '$5 == m { l = $0 } END { print l }' <<<"$T_OUT"
}

# mi_opts LINE: per-mount options; mi_sopts LINE: fstype, source and super
# options; mi_opt LINE: the optional fields (propagation).
mi_opts() { awk '{ print $6 }' <<<"$1"; }
mi_sopts() { sed 's/.* - //' <<<"$1"; }
mi_opt() { awk '{ s = ""; for (i = 7; $i != "-"; i++) s = s " " $i; print substr(s, 2) }' <<<"$1"; }

# has_opt LIST OPT: comma-separated LIST contains OPT.
assert_opt() {
	[[ ,$1, == *,"$2",* ]] || t_fail "${3:-option} '$2' not in '$1'"
}
assert_no_opt() {
	[[ ,$1, != *,"$2",* ]] || t_fail "${3:-option} '$2' in '$1'"
}

# --- mount options

test_mount_tmpfs_options() {
	mount_add /mnt/t tmpfs tmpfs nosuid nodev noexec size=4m mode=700
	ctr_sh 'cat /proc/self/mountinfo; stat -c "mode %a" /mnt/t;
		cp /bin/busybox /mnt/t/true && /mnt/t/true && echo exec-ok'
	local l
	l=$(mi /mnt/t)
	[[ -n $l ]] || t_fail "no mount on /mnt/t: $T_OUT $T_ERR"
	assert_opt "$(mi_opts "$l")" nosuid
	assert_opt "$(mi_opts "$l")" nodev
	assert_opt "$(mi_opts "$l")" noexec
	assert_opt "$(mi_opts "$l")" rw
	assert_match "$(mi_sopts "$l")" '^tmpfs tmpfs ' "fstype and source"
	assert_opt "$(mi_sopts "$l" | awk '{ print $3 }')" size=4096k "super option"
	assert_opt "$(mi_sopts "$l" | awk '{ print $3 }')" mode=700 "super option"
	assert_eq "$(grep '^mode ' <<<"$T_OUT")" "mode 700" "mode of /mnt/t"
	assert_not_contains "$T_OUT" exec-ok "noexec did not stop exec"
	assert_contains "$T_ERR" "Permission denied" "exec on noexec"
}

test_mount_tmpfs_defaults_are_not_noexec() {
	mount_add /mnt/t tmpfs tmpfs size=4m
	ctr_sh_ok 'cat /proc/self/mountinfo; cp /bin/busybox /mnt/t/true && /mnt/t/true && echo exec-ok'
	assert_no_opt "$(mi_opts "$(mi /mnt/t)")" noexec
	assert_contains "$T_OUT" exec-ok
}

test_mount_bind_ro() {
	mkdir -p "$T_DIR/data" && echo hello >"$T_DIR/data/file"
	bind_add "$T_DIR/data" /mnt/ro bind ro
	ctr_sh 'cat /proc/self/mountinfo; cat /mnt/ro/file; touch /mnt/ro/new && echo write-ok'
	assert_opt "$(mi_opts "$(mi /mnt/ro)")" ro "bind ro"
	assert_contains "$T_OUT" $'\nhello' "read through the ro bind"
	assert_not_contains "$T_OUT" write-ok "wrote through a ro bind"
	assert_contains "$T_ERR" "Read-only file system"
	[[ ! -e $T_DIR/data/new ]] || t_fail "file created through a ro bind"
}

test_mount_bind_rw_visible_on_host() {
	bind_add "$T_DIR/data" /mnt/rw
	ctr_sh_ok 'echo from-inside > /mnt/rw/new'
	assert_eq "$(cat "$T_DIR/data/new")" from-inside
}

test_mount_bind_file() {
	echo file-content >"$T_DIR/hostfile"
	mount_add /etc/bound-file bind "$T_DIR/hostfile" bind ro
	ctr_sh_ok 'cat /etc/bound-file'
	assert_eq "$T_OUT" file-content
}

test_mount_nosuid_nodev_on_bind() {
	bind_add "$T_DIR/data" /mnt/b rbind nosuid nodev noexec
	ctr_sh_ok 'cat /proc/self/mountinfo'
	local o
	o=$(mi_opts "$(mi /mnt/b)")
	assert_opt "$o" nosuid
	assert_opt "$o" nodev
	assert_opt "$o" noexec
}

# bind is not recursive, rbind is: a mount below the source shows up only
# through rbind.
test_mount_bind_vs_rbind() {
	mkdir -p "$T_DIR/data/sub"
	mount -t tmpfs hutch-sub "$T_DIR/data/sub" && t_defer "umount '$T_DIR/data/sub'"
	echo in-submount >"$T_DIR/data/sub/file"
	bind_add "$T_DIR/data" /mnt/bind bind
	bind_add "$T_DIR/data" /mnt/rbind rbind
	ctr_sh_ok 'cat /mnt/rbind/sub/file; ls -A /mnt/bind/sub | wc -l'
	assert_eq "$T_OUT" $'in-submount\n0'
}

test_mount_atime_options() {
	mount_add /mnt/noatime tmpfs tmpfs noatime
	mount_add /mnt/strict tmpfs tmpfs strictatime
	mount_add /mnt/nodiratime tmpfs tmpfs relatime nodiratime
	ctr_sh_ok 'cat /proc/self/mountinfo'
	assert_opt "$(mi_opts "$(mi /mnt/noatime)")" noatime
	assert_no_opt "$(mi_opts "$(mi /mnt/strict)")" relatime "strictatime mount"
	assert_no_opt "$(mi_opts "$(mi /mnt/strict)")" noatime "strictatime mount"
	assert_opt "$(mi_opts "$(mi /mnt/nodiratime)")" nodiratime
	assert_opt "$(mi_opts "$(mi /mnt/nodiratime)")" relatime
}

# The default spec's filesystems, with their types and options.
test_mount_default_spec_types() {
	ctr_sh_ok 'cat /proc/self/mountinfo'
	assert_match "$(mi_sopts "$(mi /proc)")" '^proc ' "/proc"
	assert_match "$(mi_sopts "$(mi /sys)")" '^sysfs ' "/sys"
	assert_opt "$(mi_opts "$(mi /sys)")" ro "/sys"
	assert_match "$(mi_sopts "$(mi /dev/shm)")" '^tmpfs ' "/dev/shm"
	assert_match "$(mi_sopts "$(mi /dev/mqueue)")" '^mqueue ' "/dev/mqueue"
	local cg
	cg=$(awk '$5 ~ "^/sys/fs/cgroup(/|$)"' <<<"$T_OUT")
	[[ -n $cg ]] || t_fail "nothing mounted on /sys/fs/cgroup"
	grep -qE ' - cgroup2? ' <<<"$cg" || t_fail "no cgroup filesystem under /sys/fs/cgroup: $cg"
	grep -E ' - cgroup2? ' <<<"$cg" | awk '$6 !~ /(^|,)ro(,|$)/ { exit 1 }' ||
		t_fail "a cgroup mount is not read-only: $cg"
}

# A destination that does not exist in the rootfs is created.
test_mount_creates_missing_destination() {
	mount_add /a/b/c tmpfs tmpfs
	ctr_sh_ok 'cat /proc/self/mountinfo'
	[[ -n $(mi /a/b/c) ]] || t_fail "no mount on /a/b/c"
}

# A symlink in the rootfs must not lead a mount out of it: /evil points to a
# host path; the mount must land inside the rootfs.
test_mount_destination_symlink_stays_in_rootfs() {
	mkdir "$T_DIR/outside"
	ln -s "$T_DIR/outside" "$T_BUNDLE/rootfs/evil"
	mount_add /evil/x tmpfs tmpfs
	run_ctr
	[[ ! -e $T_DIR/outside/x ]] || t_fail "mount point created outside the rootfs (rc $T_RC)"
	if grep -q " $T_DIR/outside" /proc/self/mountinfo; then
		t_fail "mounted outside the rootfs"
	fi
}

# --- propagation (mountinfo optional fields)

test_mount_propagation_rprivate() {
	bind_add "$T_DIR/data" /mnt/p rbind rprivate
	ctr_sh_ok 'cat /proc/self/mountinfo'
	assert_eq "$(mi_opt "$(mi /mnt/p)")" "" "optional fields of a private mount"
}

test_mount_propagation_rshared() {
	bind_add "$T_DIR/data" /mnt/p rbind rshared
	ctr_sh_ok 'cat /proc/self/mountinfo'
	assert_match "$(mi_opt "$(mi /mnt/p)")" '^shared:[0-9]+$' "optional fields of a shared mount"
}

# The source is a shared mount on the host: an rslave bind of it inside is
# its slave (master:N with N the host mount's peer group).
test_mount_propagation_rslave() {
	local group
	bind_add "$T_DIR/data" /mnt/p rbind rslave
	mount --bind "$T_DIR/data" "$T_DIR/data" && t_defer "umount '$T_DIR/data'"
	mount --make-shared "$T_DIR/data"
	group=$(awk -v m="$T_DIR/data" '$5 == m { for (i = 7; $i != "-"; i++) if ($i ~ /^shared:/) print substr($i, 8) }' /proc/self/mountinfo)
	[[ -n $group ]] || t_fail "could not make a shared mount on the host"
	ctr_sh_ok 'cat /proc/self/mountinfo'
	assert_eq "$(mi_opt "$(mi /mnt/p)")" "master:$group" "optional fields of a slave mount"
}

# runc 1.1 applies rootfsPropagation to the mount namespace's old root, not
# to the container's "/": fails against it.
test_rootfs_propagation_unbindable() {
	cfg_edit '.linux.rootfsPropagation = "unbindable"'
	ctr_sh_ok 'cat /proc/self/mountinfo'
	assert_eq "$(mi_opt "$(mi /)")" unbindable "optional fields of /"
}

test_rootfs_propagation_private() {
	cfg_edit '.linux.rootfsPropagation = "private"'
	ctr_sh_ok 'cat /proc/self/mountinfo'
	assert_eq "$(mi_opt "$(mi /)")" "" "optional fields of /"
}

# --- read-only root

test_root_readonly() {
	cfg_edit '.root.readonly = true'
	ctr_sh 'cat /proc/self/mountinfo; touch /newfile && echo write-ok'
	assert_opt "$(mi_opts "$(mi /)")" ro "root mount"
	assert_not_contains "$T_OUT" write-ok
	assert_contains "$T_ERR" "Read-only file system"
	[[ ! -e $T_BUNDLE/rootfs/newfile ]] || t_fail "wrote to a read-only root"
}

test_root_writable() {
	cfg_edit '.root.readonly = false'
	ctr_sh_ok 'cat /proc/self/mountinfo; touch /newfile'
	assert_opt "$(mi_opts "$(mi /)")" rw "root mount"
	[[ -e $T_BUNDLE/rootfs/newfile ]] || t_fail "file not in the rootfs"
}

# --- masked and read-only paths

# Masked files read as empty (those of the default list this kernel has:
# /proc/kcore needs CONFIG_PROC_KCORE); a masked dir is an empty ro tmpfs.
test_masked_paths_default() {
	local f files=()
	for f in /proc/kcore /proc/keys /proc/timer_list; do
		[[ -e $f ]] && files+=("$f")
	done
	((${#files[@]})) || t_skip "none of /proc/kcore /proc/keys /proc/timer_list exist"
	cfg_edit --argjson f "$(json_array "${files[@]}")" \
		'.linux.maskedPaths |= (. + $f + ["/sys/firmware"] | unique)'
	ctr_sh_ok "ls -A /sys/firmware | wc -l; for f in ${files[*]}; do wc -c < \$f; done; cat /proc/self/mountinfo"
	assert_eq "$(sed -n 1p <<<"$T_OUT")" 0 "entries in masked /sys/firmware"
	assert_eq "$(sed -n "2,$((${#files[@]} + 1))p" <<<"$T_OUT" | sort -u)" 0 "bytes read from masked ${files[*]}"
	assert_opt "$(mi_opts "$(mi /sys/firmware)")" ro "masked dir mount"
	assert_match "$(mi_sopts "$(mi /sys/firmware)")" '^tmpfs ' "masked dir is a tmpfs"
}

test_masked_paths_custom() {
	mkdir -p "$T_BUNDLE/rootfs/secret"
	echo s3cret >"$T_BUNDLE/rootfs/secret/key"
	echo s3cret >"$T_BUNDLE/rootfs/etc/secretfile"
	cfg_edit '.linux.maskedPaths += ["/secret", "/etc/secretfile", "/does/not/exist"]'
	ctr_sh 'ls -A /secret; cat /etc/secretfile; cat /secret/key'
	assert_not_contains "$T_OUT" s3cret "masked content visible"
	assert_not_contains "$T_OUT" key "masked dir listing"
	assert_ne "$T_RC" 0 "reading a file in a masked dir"
}

test_readonly_paths_default_proc_sys() {
	cfg_edit '.linux.readonlyPaths |= (. + ["/proc/sys"] | unique)'
	ctr_sh 'cat /proc/self/mountinfo; echo x > /proc/sys/kernel/domainname && echo write-ok'
	assert_opt "$(mi_opts "$(mi /proc/sys)")" ro "/proc/sys"
	assert_not_contains "$T_OUT" write-ok
	assert_contains "$T_ERR" "Read-only file system"
}

test_readonly_paths_custom() {
	cfg_edit '.root.readonly = false | .linux.readonlyPaths += ["/etc"]'
	ctr_sh 'cat /proc/self/mountinfo; touch /etc/new && echo etc-write-ok; touch /ok && echo root-write-ok'
	assert_opt "$(mi_opts "$(mi /etc)")" ro "/etc"
	assert_not_contains "$T_OUT" etc-write-ok
	assert_contains "$T_OUT" root-write-ok
}

# --- /dev

test_dev_standard_nodes() {
	ctr_sh_ok 'for d in null zero full random urandom tty; do
			stat -c "%n %F %t:%T %a" /dev/$d; done
		for l in fd stdin stdout stderr; do echo "$l -> $(readlink /dev/$l)"; done
		echo "ptmx -> $(readlink /dev/ptmx || stat -c "%F %t:%T" /dev/ptmx)"
		find /dev -type b | wc -l
		echo x > /dev/null; head -c 4 /dev/zero | wc -c; head -c 8 /dev/urandom | wc -c
		echo x > /dev/full 2>/dev/null || echo full-ENOSPC
		cat /proc/self/mountinfo'
	local want
	want="/dev/null character special file 1:3 666
/dev/zero character special file 1:5 666
/dev/full character special file 1:7 666
/dev/random character special file 1:8 666
/dev/urandom character special file 1:9 666
/dev/tty character special file 5:0 666
fd -> /proc/self/fd
stdin -> /proc/self/fd/0
stdout -> /proc/self/fd/1
stderr -> /proc/self/fd/2"
	assert_eq "$(sed -n 1,10p <<<"$T_OUT")" "$want" "/dev nodes and links"
	assert_match "$(sed -n 11p <<<"$T_OUT")" '^ptmx -> (pts/ptmx|/dev/pts/ptmx|character special file 5:2)$'
	assert_eq "$(sed -n 12,15p <<<"$T_OUT")" $'0\n4\n8\nfull-ENOSPC' "no block devices; nodes work"
	assert_match "$(mi_sopts "$(mi /dev)")" '^tmpfs ' "/dev is a tmpfs"
	assert_match "$(mi_sopts "$(mi /dev/pts)")" '^devpts ' "/dev/pts is devpts"
	assert_match "$(mi_sopts "$(mi /dev/pts)")" 'newinstance|ptmxmode=' "/dev/pts is a new instance"
}

test_dev_no_host_devices() {
	ctr_sh_ok 'ls /dev'
	local name
	for name in vda sda mem kmem port console kmsg fuse loop0; do
		grep -qx "$name" <<<"$T_OUT" && t_fail "host device /dev/$name in the container: $T_OUT"
	done
	return 0
}

test_linux_devices() {
	cfg_edit '.linux.devices = [
		{path: "/dev/fuse", type: "c", major: 10, minor: 229, fileMode: 416, uid: 0, gid: 0},
		{path: "/dev/hutch-blk", type: "b", major: 7, minor: 200, fileMode: 384, uid: 1000, gid: 1000},
		{path: "/dev/sub/dir/null2", type: "c", major: 1, minor: 3}]'
	ctr_sh_ok 'stat -c "%n %F %t:%T %a %u:%g" /dev/fuse /dev/hutch-blk; stat -c "%n %F %t:%T" /dev/sub/dir/null2'
	assert_eq "$T_OUT" "/dev/fuse character special file a:e5 640 0:0
/dev/hutch-blk block special file 7:c8 600 1000:1000
/dev/sub/dir/null2 character special file 1:3"
}

# --- sysctl

test_sysctl() {
	local host_fwd host_msgmax
	host_fwd=$(</proc/sys/net/ipv4/ip_forward)
	host_msgmax=$(</proc/sys/kernel/msgmax)
	cfg_edit '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.msgmax": "12345"}'
	ctr_sh_ok 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax'
	assert_eq "$T_OUT" $'1\n12345'
	assert_eq "$(</proc/sys/net/ipv4/ip_forward)" "$host_fwd" "host's ip_forward changed"
	assert_eq "$(</proc/sys/kernel/msgmax)" "$host_msgmax" "host's msgmax changed"
}

# --- the host

# Many kinds of mount, and the host's whole mount table (unfiltered) is the
# same afterwards.
test_host_mount_table_unchanged() {
	local before
	before=$(awk '{ $1 = $2 = ""; print }' /proc/self/mountinfo | sort)
	bind_add "$T_DIR/data" /mnt/rw
	bind_add "$T_DIR/data" /mnt/ro rbind ro
	mount_add /mnt/t tmpfs tmpfs size=1m
	mount_add /mnt/p proc proc
	cfg_edit '.linux.maskedPaths += ["/mnt/rw"] | .linux.readonlyPaths += ["/mnt/t"]'
	ctr_sh_ok 'true'
	assert_eq "$(awk '{ $1 = $2 = ""; print }' /proc/self/mountinfo | sort)" "$before" "host mount table"
}

# idm_mount DEST OPTIONS-JSON [MAPPINGS]: bind $T_DIR/idm (owned by the
# host's root, with a file f) at DEST; MAPPINGS "own" adds the mount's own
# uid/gid mappings (container 0 -> host 100000).
idm_mount() {
	local maps='{}'
	[[ ${3:-} == own ]] &&
		maps='{uidMappings: [{containerID: 0, hostID: 100000, size: 65536}],
			gidMappings: [{containerID: 0, hostID: 100000, size: 65536}]}'
	cfg_edit --arg s "$T_DIR/idm" --arg d "$1" --argjson o "$2" \
		".mounts += [{destination: \$d, type: \"bind\", source: \$s, options: \$o} + $maps]"
	mkdir -p "$T_BUNDLE/rootfs$1" # the container's root may not create it
}

# An id-mapped bind mount in a container with a user namespace: the host's
# root-owned directory shows as owned by the container's root, and what
# that root creates through it is owned by root on the host.  The same
# directory bound without "idmap" shows nobody and refuses the write.
# With the mount's own mappings, and (as crun) with the container's.
test_idmapped_bind_mount() {
	mkdir -p "$T_DIR/idm" && echo host >"$T_DIR/idm/f" && chmod 755 "$T_DIR/idm"
	userns_add 100000 65536
	idm_mount /own '["bind", "rw", "idmap"]' own
	idm_mount /ctr '["rbind", "rw", "ridmap"]'
	idm_mount /plain '["bind", "rw"]'
	ctr_sh 'for d in own ctr plain; do
			echo "$d $(stat -c %u:%g /$d/f)"
			touch /$d/new-$d 2>/dev/null && echo "$d write-ok"
		done; true'
	assert_rc 0 "the container: $T_ERR"
	assert_contains "$T_OUT" "own 0:0" "owner through the mount's own mappings"
	assert_contains "$T_OUT" "ctr 0:0" "owner through the container's mappings"
	assert_contains "$T_OUT" "plain 65534:65534" "owner through a plain bind"
	assert_contains "$T_OUT" "own write-ok"
	assert_contains "$T_OUT" "ctr write-ok"
	assert_not_contains "$T_OUT" "plain write-ok" "the plain bind is not writable by the container's root"
	assert_eq "$(stat -c %u:%g "$T_DIR/idm/new-own" "$T_DIR/idm/new-ctr" | sort -u)" 0:0 \
		"owner on the host of files made through the id-mapped mounts"
}

# "idmap" without mappings of its own needs the container's: refused,
# naming the mount, when the container has none.
test_idmapped_mount_without_mappings_refused() {
	mkdir -p "$T_DIR/idm"
	idm_mount /own '["bind", "idmap"]'
	ctr_args true
	run_ctr
	assert_ne "$T_RC" 0 "an id-mapped mount without mappings"
	assert_contains "$T_ERR" "mount '/own': an id-mapped mount needs uidMappings and gidMappings"
	assert_eq "$(wc -l <<<"$T_ERR")" 1 "one line of error"
}
