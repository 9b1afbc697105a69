#!/bin/bash
# mkbundle.sh DIR - build an OCI bundle in DIR from Debian's busybox-static.
#
#   HUTCH=build/hutch scripts/mkbundle.sh /tmp/bundle
#
# DIR/rootfs gets a static /bin/busybox, a symlink for every applet in its
# usual directory (bin/sh, sbin/ip, usr/bin/id ...), /etc/passwd, /etc/group,
# /etc/hostname, /etc/hosts and the empty mount points.  DIR/config.json is
# written by `$HUTCH spec` (runc's default config: `sh` on a terminal) when it
# does not exist yet; an existing config.json is left alone, so HUTCH is only
# needed the first time.  No download except `apt-get install busybox-static`
# when /bin/busybox is missing or not static.  Idempotent; runs in well under
# a second once busybox-static is installed.
set -euo pipefail

die() {
	echo "mkbundle: $*" >&2
	exit 1
}

usage() {
	echo "usage: HUTCH=path/to/hutch $0 DIR" >&2
	exit 2
}

BUSYBOX=/bin/busybox

# A static busybox runs in a rootfs without a dynamic loader or libc.
busybox_is_static() {
	[ -x "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1
}

install_busybox() {
	busybox_is_static && return 0
	[ "$(id -u)" = 0 ] || die "$BUSYBOX is missing or not static; run as root to apt-get install busybox-static"
	export DEBIAN_FRONTEND=noninteractive
	# Update the package lists only when the install fails without it.
	if ! apt-get install -y -q busybox-static >/dev/null; then
		apt-get update -q >/dev/null
		apt-get install -y -q busybox-static >/dev/null
	fi
	busybox_is_static || die "$BUSYBOX is still not a static binary after installing busybox-static"
}

# write_file PATH MODE CONTENT: rewrite only when the content differs.
write_file() {
	if [ ! -f "$1" ] || [ "$(<"$1")" != "$3" ]; then
		printf '%s\n' "$3" >"$1.tmp"
		chmod "$2" "$1.tmp"
		mv -f "$1.tmp" "$1"
	fi
}

make_rootfs() {
	local rootfs=$1

	mkdir -p "$rootfs"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,root}
	chmod 1777 "$rootfs/tmp"
	chmod 0700 "$rootfs/root"
	if ! cmp -s "$BUSYBOX" "$rootfs/bin/busybox"; then
		cp -f "$BUSYBOX" "$rootfs/bin/busybox.tmp"
		chmod 0755 "$rootfs/bin/busybox.tmp"
		mv -f "$rootfs/bin/busybox.tmp" "$rootfs/bin/busybox"
	fi
	# One perl process instead of ~270 `ln` forks (perl-base is Essential
	# in Debian).  Relative links, so that they also resolve from the host.
	# "linuxrc" (no directory) and bin/busybox itself are skipped.
	"$BUSYBOX" --list-full | perl -e '
		chdir $ARGV[0] or die "chdir $ARGV[0]: $!\n";
		while (<STDIN>) {
			chomp;
			next if !m{/} || $_ eq "bin/busybox";
			my $target = ("../" x tr{/}{}) . "bin/busybox";
			next if (readlink($_) // "") eq $target;
			unlink $_;
			symlink($target, $_) or die "symlink $_: $!\n";
		}' "$rootfs"
	write_file "$rootfs/etc/passwd" 0644 "root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false"
	write_file "$rootfs/etc/group" 0644 "root:x:0:
nobody:x:65534:"
	write_file "$rootfs/etc/hostname" 0644 "hutch"
	write_file "$rootfs/etc/hosts" 0644 "127.0.0.1	localhost
::1	localhost ip6-localhost ip6-loopback"
}

make_config() {
	local dir=$1

	[ -e "$dir/config.json" ] && return 0
	[ -n "${HUTCH:-}" ] || die "HUTCH is not set: give the hutch binary that writes config.json (HUTCH=build/hutch $0 $dir)"
	[ -x "$HUTCH" ] || die "HUTCH='$HUTCH' is not an executable"
	"$HUTCH" spec --bundle "$dir"
}

main() {
	[ $# -eq 1 ] || usage
	case $1 in -h | --help) usage ;; esac
	local dir=$1

	install_busybox
	mkdir -p "$dir"
	make_rootfs "$dir/rootfs"
	make_config "$dir"
}

main "$@"
