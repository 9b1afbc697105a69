#!/bin/bash
# tests/run.sh - the test command of hutch (the README and .ci/run call it).
#
# Builds (meson setup + compile), runs the unit tests (meson test) and the
# integration tests (tests/integration/test-*.sh, as root), and ends with one
# line `N passed, M failed` (`, K skipped` when any); exit 0 iff M == 0.
#
# Usage: tests/run.sh [OPTIONS] [-k PATTERN]... [FILE...]
#   (no option)       everything: build, unit and integration tests, then the
#                     same again on an ASan+UBSan build, a short libFuzzer
#                     burst per fuzz target, and the cgroup v2 VM stage
#   --quick           build, unit and integration tests only
#   -k PATTERN        only integration tests whose file::name contains PATTERN
#                     (repeatable; unit tests are then not run)
#   FILE...           only these integration test files
#   --unit            build and unit tests only
#   --integration     integration tests only (no build; with RUNTIME= this
#                     runs them against another runtime, e.g. runc)
#   --no-deps         do not call scripts/install-deps.sh
#   -v                show the output of passing integration tests too
# Environment:
#   BUILD_DIR         build directory (default: build), e.g. an ASan build
#   RUNTIME           runtime binary under test (default: $BUILD_DIR/hutch)
#   CI=true           an unexpected skip is a failure (HUTCH_ALLOW_SKIP holds
#                     space-separated patterns of tests allowed to skip)
#   T_TEST_TIMEOUT    seconds per integration test (default 60)
#   T_KEEP=1          keep the temp dirs of failed integration tests
#   FUZZ_SECONDS      seconds per fuzz target in the full run (default 20)
set -uo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top" || exit 1
: "${BUILD_DIR:=build}"
export BUILD_DIR

do_build=1 do_unit=1 do_integration=1 do_deps=1 do_extra=1
integ_args=()
while (($#)); do
	case $1 in
	--quick) do_extra=0; shift ;;
	--unit) do_integration=0 do_extra=0; shift ;;
	--integration) do_build=0 do_unit=0 do_extra=0; shift ;;
	--no-deps) do_deps=0; shift ;;
	-k) integ_args+=(-k "${2:?-k needs a pattern}"); do_unit=0 do_extra=0; shift 2 ;;
	-v) integ_args+=(-v); shift ;;
	-h | --help) sed -n '2,/^set /p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "tests/run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
	*) integ_args+=("$1"); do_unit=0 do_extra=0; shift ;;
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
	scripts/install-deps.sh test && { ((!do_extra)) || scripts/install-deps.sh ci; } || { echo "tests/run.sh: installing test dependencies failed" >&2; failed=$((failed + 1)); summary; }
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

# add_counts LOG: add a stage's closing "N passed, M failed[, K skipped]".
add_counts() {
	local line

	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	if [[ -z $line ]]; then
		echo "tests/run.sh: the stage did not report its counts" >&2
		failed=$((failed + 1))
		return
	fi
	read -r p _ f _ k _ <<<"${line//,/}"
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + ${k:-0}))
}

# The whole suite again on an ASan+UBSan build: any report fails the test
# that triggered it.
sanitizer_stage() {
	local dir=${BUILD_DIR}-asan log

	section "ASan+UBSan build ($dir): unit and integration tests"
	if [[ ! -f $dir/build.ninja ]]; then
		meson setup "$dir" -Db_sanitize=address,undefined -Db_lundef=false \
			-Dbuildtype=debugoptimized >/dev/null || { echo "FAIL sanitizers: meson setup"; failed=$((failed + 1)); return; }
	fi
	log=$(mktemp) || exit 1
	HUTCH_SANITIZED=1 BUILD_DIR=$dir RUNTIME=$(realpath -m "$dir/hutch") \
		ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
		UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
		bash "$0" --quick --no-deps | tee "$log"
	add_counts "$log"
	rm -f "$log"
}

# A short libFuzzer burst per target (clang, ASan+UBSan); a crash fails.
# Each tests/fuzz/fuzz-NAME.c is a target; tests/fuzz/NAME.dict, if there
# is one, is its dictionary.
fuzz_stage() {
	local dir=${BUILD_DIR}-fuzz src target work log crashes
	local -a dict

	section "fuzzing (${FUZZ_SECONDS:-20} s per target)"
	if [[ ! -f $dir/build.ninja ]]; then
		CC=clang meson setup "$dir" -Dfuzz=true -Db_sanitize=address,undefined \
			-Db_lundef=false >/dev/null || { echo "FAIL fuzz: meson setup"; failed=$((failed + 1)); return; }
	fi
	if ! meson compile -C "$dir" >"$dir.log" 2>&1; then
		echo "FAIL fuzz: build (see $dir.log)"
		tail -n 20 "$dir.log" | sed 's/^/     | /'
		failed=$((failed + 1))
		return
	fi
	for src in tests/fuzz/fuzz-*.c; do
		target=${src#tests/fuzz/fuzz-}
		target=${target%.c}
		dict=()
		[[ -f tests/fuzz/$target.dict ]] && dict=(-dict="tests/fuzz/$target.dict")
		work=$(mktemp -d) log=$(mktemp) crashes=${dir}/crashes-$target
		mkdir -p "$crashes"
		if "$dir/tests/fuzz/fuzz-$target" -max_total_time="${FUZZ_SECONDS:-20}" \
			-rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$crashes/" \
			"${dict[@]}" "$work" "tests/fuzz/corpus/$target" >"$log" 2>&1; then
			echo "ok   fuzz-$target ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || tail -n 1 "$log"))"
			passed=$((passed + 1))
		else
			echo "FAIL fuzz-$target (reproducers in $crashes)"
			tail -n 30 "$log" | sed 's/^/     | /'
			failed=$((failed + 1))
		fi
		rm -rf "$work" "$log"
	done
}

# The cgroup tests on a pure cgroup v2 kernel under qemu (tests/v2vm).
v2vm_stage() {
	local counts ok fail skip args=(--hutch "$BUILD_DIR/hutch")

	section "cgroup v2 VM (tests/v2vm)"
	((do_deps)) || args+=(--no-deps)
	counts=$(mktemp) || exit 1
	T_COUNTS_FILE=$counts tests/v2vm/run.sh "${args[@]}"
	if read -r ok fail skip <"$counts" 2>/dev/null && [[ -n $ok ]]; then
		passed=$((passed + ok)) failed=$((failed + fail)) skipped=$((skipped + skip))
	else
		echo "tests/run.sh: tests/v2vm/run.sh did not report" >&2
		failed=$((failed + 1))
	fi
	rm -f "$counts"
}

# Every C file as .clang-format says.
format_stage() {
	local bad

	section "formatting (clang-format)"
	bad=$(git ls-files '*.c' '*.h' | xargs clang-format --dry-run --Werror 2>&1 | grep -o '^[^:]*\.[ch]' | sort -u)
	if [[ -z $bad ]]; then
		echo "ok   clang-format"
		passed=$((passed + 1))
	else
		echo "FAIL clang-format: run clang-format -i on:" $bad
		failed=$((failed + 1))
	fi
}

if ((do_extra)); then
	format_stage
	sanitizer_stage
	fuzz_stage
	v2vm_stage
fi

echo
summary
