#!/usr/bin/env bash
# noise.sh: measure how noisy the default rule packs are on real, clean code.
#
# It copies up to NOISE_MAX_MB of source from the Go module cache (after
# `go mod download`) and the Go standard library, test fixtures left out
# (testdata/, test/, *_test.go…: they hold fake secrets on purpose), into a
# temporary git repository,
# commits it, runs `bin/pushguard scan --all --format json` over it with the
# embedded default rules, and prints the findings per MB by severity and rule.
# Blocking rules must find nothing here: any blocking finding on clean code
# is a false positive to fix in rules/*.yml.
#
# Environment:
#   NOISE_SRC      source trees to sample, separated by spaces; default: the
#                  module cache and the Go standard library,
#                  "$(go env GOMODCACHE) $(go env GOROOT)/src". Add others,
#                  such as a Python lib directory, for more languages.
#   NOISE_MAX_MB   cap on the bytes copied, in MB (default 300)
#   NOISE_KEEP=1   keep the temporary repository and the JSON report
#   NOISE_REPO     reuse a corpus repository kept by an earlier NOISE_KEEP=1 run
#                  (its MB figure is read from NOISE_REPO/../bytes)
#
# Exit status: 0 when no blocking finding (other than the known real keys
# listed below), 1 otherwise, 2 on a setup error.
# Nothing is committed to this repository; the corpus lives in a temp dir.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

max_mb=${NOISE_MAX_MB:-300}
case $max_mb in '' | *[!0-9]*) echo "noise.sh: NOISE_MAX_MB must be a whole number" >&2; exit 2 ;; esac

go mod download
srcs=${NOISE_SRC:-"$(go env GOMODCACHE) $(go env GOROOT)/src"}
for s in $srcs; do
	[ -d "$s" ] || { echo "noise.sh: no source tree at $s" >&2; exit 2; }
done

make -s build

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pushguard-noise.XXXXXX")
cleanup() {
	if [ "${NOISE_KEEP:-}" = 1 ]; then
		echo "kept: $tmp" >&2
	else
		chmod -R u+w "$tmp" 2>/dev/null || true
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
if [ -n "${NOISE_REPO:-}" ]; then
	repo=$NOISE_REPO
	bytes=$(cat "$repo/../bytes")
	nfiles=$(wc -l <"$repo/../files")
else
	repo=$tmp/repo
	mkdir -p "$repo"

	# Pick files in a stable order until the cap, one directory per source
	# tree. Left out: the module download cache (zips), VCS metadata, compiled
	# files, files over 5 MB (content rules skip them anyway) and test
	# fixtures, which hold fake secrets and keys on purpose (test/, tests/,
	# testdata/, fixtures/, Gradle's testFixtures/ and dockerTest/,
	# integration and smoke test trees, Jest's __tests__/, RSpec's spec/),
	# and the detector sources of secret scanners, whose examples are token
	# samples by design (gitleaks' rule generator with its true- and
	# false-positive samples, and its default configuration's allowlists;
	# trufflehog's detectors and their tests).
	i=0
	: >"$tmp/list"
	for s in $srcs; do
		i=$((i + 1))
		(cd "$s" && find . \
			\( -path ./cache -o -name .git -o -name .hg -o -name __pycache__ -o -name node_modules \
			-o -name testdata -o -name test_data -o -name test -o -name tests -o -name fixtures \
			-o -name testFixtures -o -name dockerTest -o -name integrationTest -o -name integration-test \
			-o -name smoke-test -o -name __tests__ -o -name __fixtures__ -o -name spec \
			-o -path './github.com/*/gitleaks/v[0-9]*@*/cmd/generate/config/rules' \
			-o -path './github.com/trufflesecurity/trufflehog/v[0-9]*@*/pkg/detectors' \) -prune -o \
			-type f ! -path './github.com/*/gitleaks/v[0-9]*@*/config/gitleaks.toml' ! -name '*_test.go' ! -name '*_test_data.go' ! -name 'test_*.py' ! -name '*.py[co]' \
			! -name '*.so' ! -name '*.a' ! -name '*.zip' -size -5M -printf "%s $i %P\\n") |
			LC_ALL=C sort -k3 >>"$tmp/list"
	done
	awk -v cap=$((max_mb * 1000000)) -v sizes="$tmp/bytes" '
		{ if (total + $1 > cap) exit; total += $1; print }
		END { print total + 0 > sizes }' "$tmp/list" >"$tmp/picked"
	i=0
	for s in $srcs; do
		i=$((i + 1))
		mkdir -p "$repo/$i"
		awk -v i=$i '$2 == i { sub(/^[0-9]+ [0-9]+ /, ""); print }' "$tmp/picked" >"$tmp/files.$i"
		tar -C "$s" -cf - -T "$tmp/files.$i" | tar -C "$repo/$i" -xf -
	done
	chmod -R u+w "$repo"
	cp "$tmp/picked" "$tmp/files"

	bytes=$(cat "$tmp/bytes")
	nfiles=$(wc -l <"$tmp/files")

	export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
	export GIT_AUTHOR_NAME=noise GIT_AUTHOR_EMAIL=noise@example.com
	export GIT_COMMITTER_NAME=noise GIT_COMMITTER_EMAIL=noise@example.com
	git -C "$repo" init -q -b main
	# Nested .gitignore files of the modules would drop some files; keep them all.
	git -C "$repo" add -A -f
	git -C "$repo" commit -q -m "noise corpus"
fi

set +e
"$root/bin/pushguard" scan --repo "$repo" --all --format json >"$tmp/report.json"
rc=$?
set -e
if [ $rc -gt 1 ]; then
	echo "noise.sh: pushguard scan failed with exit status $rc" >&2
	exit 2
fi
[ "${NOISE_KEEP:-}" = 1 ] && echo "report: $tmp/report.json" >&2

# Real private keys that their projects publish on purpose: a pushguard rule
# is right to block them, so they are listed apart and do not fail the run.
# Each entry is a path suffix (ERE) and why the key is public.
known_keys='
/crypto/x509/platform_root_key\.pem$	Go standard library: root key of the platform verifier tests
/moto/moto_proxy/(ca|cert)\.key$	moto: CA key of its local MITM proxy, published for users to trust
/github\.com/elazarl/goproxy@[^/]*/(certs\.go|key\.pem)$	goproxy: CA key of its MITM proxy, published for users to trust
/github\.com/emersion/go-imap@[^/]*/internal/testcert\.go$	go-imap: key of its test server certificate
/github\.com/tstranex/u2f@[^/]*/u2fdemo/certs\.go$	u2f: key of its demo server certificate
/github\.com/minio/minio-go/v7@[^/]*/testcerts/private\.key$	minio-go: key of its test certificates
/github\.com/42wim/sshsig@[^/]*/README\.md$	sshsig: example key in its README
/github\.com/emersion/go-sasl@[^/]*/\.build\.yml$	go-sasl: its Codecov upload token, committed to its CI file
/github\.com/spf13/afero@[^/]*/gcsfs/gcs-fake-service-account\.json$	afero: key of the fake GCS service account its tests use
'

# The report is indented JSON with one key per line; in each finding "rule"
# and "severity" come before "path", and "message" after it.
awk -v bytes="$bytes" -v nfiles="$nfiles" -v known="$known_keys" '
	BEGIN { nk = split(known, kl, "\n") }
	/^      "rule": / { gsub(/[",]/, "", $2); rule = $2; path = "" }
	/^      "severity": / { gsub(/[",]/, "", $2); sev1 = $2 }
	/^      "path": / { path = $0; sub(/^ *"path": "/, "", path); sub(/",$/, "", path) }
	/^      "message": / {
		if (sev1 == "block") {
			for (i = 1; i <= nk; i++) {
				if (kl[i] == "") continue
				split(kl[i], kv, "\t")
				if (path ~ kv[1]) { knownhits = knownhits sprintf("  %s  %s (%s)\n", rule, path, kv[2]); sev1 = "known"; break }
			}
			if (sev1 == "block") blockhits = blockhits sprintf("  %s  %s\n", rule, path)
		}
		sev[sev1]++; per[sev1 " " rule]++; total++
	}
	END {
		mb = bytes / 1000000
		printf "scanned: %.1f MB in %d files\n", mb, nfiles
		printf "findings: %d (%.3f per MB)\n", total, total / mb
		n = split("block warn info known", order, " ")
		for (i = 1; i <= n; i++) {
			s = order[i]
			printf "  %-5s %6d  %.3f per MB\n", s, sev[s], sev[s] / mb
		}
		print "per rule:"
		for (k in per) {
			split(k, p, " ")
			printf "  %-5s %-40s %6d  %.3f per MB\n", p[1], p[2], per[k], per[k] / mb | "sort -k3,3nr"
		}
		close("sort -k3,3nr")
		if (knownhits != "") printf "known real keys, blocked as they should be:\n%s", knownhits
		if (blockhits != "") printf "BLOCKING FINDINGS ON CLEAN CODE:\n%s", blockhits
		exit (blockhits != "")
	}' "$tmp/report.json" || {
	echo "noise.sh: blocking findings on clean code: tune the rules above" >&2
	exit 1
}
