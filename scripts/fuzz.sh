#!/usr/bin/env bash
# Runs every fuzz target (func FuzzXxx(f *testing.F)) of every package for
# FUZZTIME each (default 10s), one after the other, and prints a summary
# with each target's execution count. A failing input is saved by `go test`
# under the package's testdata/fuzz/<Target>/ and fails this script.
#   FUZZTIME=60s scripts/fuzz.sh            # all targets
#   FUZZTIME=5s  scripts/fuzz.sh ./pkg/push # one package
set -uo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}
pkgs=("$@")
[ ${#pkgs[@]} -eq 0 ] && pkgs=(./...)

summary=()
failed=0
while read -r pkg dir; do
	[ -n "$dir" ] || continue
	names=$(grep -ho '^func Fuzz[A-Za-z0-9_]*(f \*testing\.F)' "$dir"/*_test.go 2>/dev/null |
		sed -e 's/^func //' -e 's/(.*//' | sort -u)
	for name in $names; do
		echo "== $pkg $name ($FUZZTIME)"
		log=$(mktemp)
		"$GO" test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" "$pkg" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
		rm -f "$log"
		if [ "$rc" -ne 0 ]; then
			failed=1
			summary+=("$(printf '%-48s %-22s %12s  FAIL' "$pkg" "$name" "${execs:-?}")")
		else
			summary+=("$(printf '%-48s %-22s %12s  ok' "$pkg" "$name" "${execs:-?}")")
		fi
	done
done < <("$GO" list -f '{{.ImportPath}} {{.Dir}}' "${pkgs[@]}")

echo
printf '%-48s %-22s %12s  %s\n' package target execs result
printf '%s\n' "${summary[@]}"
exit $failed
