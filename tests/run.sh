#!/bin/bash
# tests/run.sh - the test command of hutch (the README and .ci/run call it).
#
# Builds (meson setup + compile), runs the unit tests (meson test) and the
# integration tests (tests/integration/test-*.sh, as root), and ends with one
# line `N passed, M failed` (`, K skipped` when any); exit 0 iff M == 0.
#
# Usage: tests/run.sh [OPTIONS] [-k PATTERN]... [FILE...]
#   -k PATTERN        only integration tests whose file::name contains PATTERN
#                     (repeatable; unit tests are then not run)
#   FILE...           only these integration test files
#   --unit            build and unit tests only
#   --integration     integration tests only (no build; with RUNTIME= this
#                     runs them against another runtime, e.g. runc)
#   --no-deps         do not call scripts/install-deps.sh test
#   -v                show the output of passing integration tests too
# Environment:
#   BUILD_DIR         build directory (default: build), e.g. an ASan build
#   RUNTIME           runtime binary under test (default: $BUILD_DIR/hutch)
#   CI=true           an unexpected skip is a failure (HUTCH_ALLOW_SKIP holds
#                     space-separated patterns of tests allowed to skip)
#   T_TEST_TIMEOUT    seconds per integration test (default 60)
#   T_KEEP=1          keep the temp dirs of failed integration tests
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 1
: "${BUILD_DIR:=build}"
export BUILD_DIR

do_build=1 do_unit=1 do_integration=1 do_deps=1
integ_args=()
while (($#)); do
	case $1 in
	--unit) do_integration=0; shift ;;
	--integration) do_build=0; do_unit=0; shift ;;
	--no-deps) do_deps=0; shift ;;
	-k) integ_args+=(-k "${2:?-k needs a pattern}"); do_unit=0; shift 2 ;;
	-v) integ_args+=(-v); shift ;;
	-h | --help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "tests/run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) integ_args+=("$1"); do_unit=0; shift ;;
	esac
done

passed=0 failed=0 skipped=0

summary() {
	printf '%d passed, %d failed' "$passed" "$failed"
	((skipped)) && printf ', %d skipped' "$skipped"
	echo
	((failed == 0))
	exit
}

section() { printf '\n== %s\n' "$*"; }

if ((do_deps)) && [[ -x scripts/install-deps.sh ]]; then
	scripts/install-deps.sh test || { echo "tests/run.sh: installing test dependencies failed" >&2; failed=$((failed + 1)); summary; }
fi

if ((do_build)); then
	section "build ($BUILD_DIR)"
	if [[ ! -f $BUILD_DIR/build.ninja ]]; then
		meson setup "$BUILD_DIR" || { failed=$((failed + 1)); summary; }
	fi
	meson compile -C "$BUILD_DIR" || { echo "tests/run.sh: build failed" >&2; failed=$((failed + 1)); summary; }
fi

if ((do_unit)); then
	section "unit tests (meson test)"
	log=$(mktemp) || exit 1
	meson test -C "$BUILD_DIR" --no-rebuild --print-errorlogs 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	read -r ok fail skip < <(awk '
		/^Ok:/ { ok = $2 }
		/^Fail:/ || /^Timeout:/ { fail += $2 }
		/^Unexpected Pass:/ { fail += $3 }
		/^Skipped:/ { skip = $2 }
		END { print ok + 0, fail + 0, skip + 0 }' "$log")
	rm -f "$log"
	if ((rc != 0 && fail == 0)); then
		echo "tests/run.sh: meson test failed (exit $rc) without a failed test" >&2
		fail=1
	fi
	if ((skip)) && [[ ${CI:-} == true && " ${HUTCH_ALLOW_SKIP:-} " != *" unit "* ]]; then
		echo "tests/run.sh: $skip unit test(s) skipped in CI" >&2
		fail=$((fail + skip)) skip=0
	fi
	passed=$((passed + ok)) failed=$((failed + fail)) skipped=$((skipped + skip))
fi

if ((do_integration)); then
	section "integration tests (runtime: ${RUNTIME:-$BUILD_DIR/hutch})"
	counts=$(mktemp) || exit 1
	T_NO_SUMMARY=1 T_COUNTS_FILE=$counts bash tests/integration/lib.sh "${integ_args[@]}"
	if read -r ok fail skip <"$counts" 2>/dev/null && [[ -n $ok ]]; then
		passed=$((passed + ok)) failed=$((failed + fail)) skipped=$((skipped + skip))
	else
		echo "tests/run.sh: the integration runner did not report" >&2
		failed=$((failed + 1))
	fi
	rm -f "$counts"
fi

echo
summary
