#!/bin/bash
# install-deps.sh build|test|ci|vm|demo|all - install the Debian packages hutch needs.
#
#   build: compile hutch (meson, ninja, gcc, the three libraries' -dev
#          packages, which also hold the static archives for -Dstatic_deps)
#   test:  run tests/run.sh (busybox-static for scripts/mkbundle.sh, ip and
#          jq for the integration tests' checks from the host)
#
# The lists below are the only place these packages are named.  When every
# package is installed already, apt is not touched (one dpkg-query, ~10 ms).
set -euo pipefail

BUILD_PKGS=(meson ninja-build pkg-config gcc libc6-dev libjansson-dev libcap-dev libseccomp-dev)
TEST_PKGS=(busybox-static iproute2 jq procps util-linux perl-base containerd strace)
DEMO_PKGS=(busybox-static jq) # scripts/demo.sh
CI_PKGS=(clang libclang-rt-14-dev clang-format git)
VM_PKGS=(qemu-system-x86 linux-image-amd64 busybox-static cpio jq) # tests/v2vm: a cgroup v2 VM

die() {
	echo "install-deps: $*" >&2
	exit 1
}

# Print the packages of "$@" that are not installed.
missing() {
	local installed

	# dpkg-query exits 1 for a package it has never seen: that is an answer.
	installed=" $({ dpkg-query -W -f='${db:Status-Status} ${Package}\n' "$@" 2>/dev/null || true; } |
		awk '$1 == "installed" { printf "%s ", $2 }') "
	for pkg in "$@"; do
		[[ $installed == *" $pkg "* ]] || echo "$pkg"
	done
}

apt_install() {
	local sudo=

	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || die "not root and no sudo: install $*"
		sudo=sudo
	fi
	export DEBIAN_FRONTEND=noninteractive
	# Refresh the package lists only when they are absent or stale.
	if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
		$sudo apt-get update -q
	fi
	if ! $sudo apt-get install -y -q --no-install-recommends "$@"; then
		$sudo apt-get update -q
		$sudo apt-get install -y -q --no-install-recommends "$@"
	fi
}

main() {
	local pkgs todo

	case ${1:-} in
	build) pkgs=("${BUILD_PKGS[@]}") ;;
	test) pkgs=("${TEST_PKGS[@]}") ;;
	vm) pkgs=("${VM_PKGS[@]}") ;;
	ci) pkgs=("${CI_PKGS[@]}") ;;
	demo) pkgs=("${DEMO_PKGS[@]}") ;;
	all) pkgs=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}") ;;
	*) echo "usage: $0 build|test|ci|vm|demo|all" >&2; exit 2 ;;
	esac
	mapfile -t todo < <(missing "${pkgs[@]}")
	if [ ${#todo[@]} -eq 0 ]; then
		return 0
	fi
	echo "install-deps: installing ${todo[*]}" >&2
	apt_install "${todo[@]}"
}

main "$@"
