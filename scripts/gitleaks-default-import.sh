#!/bin/sh
# Converts gitleaks' own default configuration with `pushguard rules
# import-gitleaks` and prints which rules converted, which did not and why.
# gitleaks' config is not kept in this repository: pass a local copy of its
# config/gitleaks.toml (from a gitleaks checkout) as the first argument.
#
#   scripts/gitleaks-default-import.sh path/to/gitleaks.toml [OUT.yml]
set -eu
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
	echo "usage: $0 path/to/gitleaks/config/gitleaks.toml [OUT.yml]" >&2
	exit 2
fi
cd "$(dirname "$0")/.."
out=${2:-$(mktemp -t gitleaks-imported.XXXXXX.yml)}
GITLEAKS_DEFAULT_TOML=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") \
GITLEAKS_CONVERTED_OUT=$out \
	go test ./pkg/gitleaks/ -run TestConvertGitleaksDefault -count=1 -v | sed -n 's/^ *gitleaks_test.go:[0-9]*: //p'
go run ./cmd/pushguard rules test "$out"
echo "converted rules: $out"
