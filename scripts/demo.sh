#!/bin/bash
# demo.sh - build hutch, build a busybox bundle, and run a container that
# shows its own isolation next to the host's view.
#
#   sudo scripts/demo.sh            (from the repository root, as root)
#
# Everything it makes lives in build/ and build/demo-bundle/; the container
# is gone when the script ends.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh build
scripts/install-deps.sh demo
[ -f build/build.ninja ] || meson setup build >/dev/null
meson compile -C build >/dev/null

bundle=build/demo-bundle
rm -f "$bundle/config.json"
HUTCH=build/hutch scripts/mkbundle.sh "$bundle"

# The default config runs `sh` on a terminal; run a script instead, with a
# hostname of its own.
script='
echo "== inside the container"
echo "hostname: $(hostname)"
echo "id:       $(id)"
echo "== ps aux (only the container'"'"'s processes; we are PID 1)"
ps aux
echo "== network interfaces (only lo, and it is up)"
ip -o link
echo "== namespaces of this process"
ls -l /proc/self/ns | sed -n "s/.* \([a-z_]* -> .*\)/\1/p"
'
jq --arg s "$script" '.process.terminal = false | .process.args = ["sh", "-c", $s] |
	.hostname = "hutch-demo"' "$bundle/config.json" >"$bundle/config.json.tmp"
mv "$bundle/config.json.tmp" "$bundle/config.json"

echo "== on the host"
echo "hostname: $(hostname)"
ls -l /proc/self/ns | sed -n 's/.* \([a-z_]* -> .*\)/\1/p'
echo
build/hutch --root build/demo-state run --bundle "$bundle" "demo-$$"
echo
echo "exit status $?; the container and its state are gone: $(ls build/demo-state | wc -l) left"
