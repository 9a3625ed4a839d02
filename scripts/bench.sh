#!/bin/sh
# bench.sh: measure pushguard against git itself and print one Markdown table.
#
#   scripts/bench.sh [--repo PATH] [--pushes N] [--runs N] [--commits N] [--dir DIR]
#
# Builds bin/pushguard and bin/pushguard-benchgen, generates deterministic
# benchmark repositories under testdata/bench/ (gitignored; generated once,
# reused while the generator options stay the same) and reports:
#   - `pushguard scan --all` vs `git log -p -U0 --no-color --all` over the
#     same commits (and gitleaks when it is on PATH; it is never installed);
#   - one-commit push latency into a 10,000-ref / 5,000-commit repository,
#     p50/p95 of the whole `git push` and of the hook process alone;
#   - peak RSS of the scan, of a push carrying a 200 MB file and of a
#     5,000-commit push.
# --repo PATH scans that repository instead of the generated history.
# It asserts nothing about time: it reports. Not part of `make test`.
set -eu
cd "$(dirname "$0")/.."
GO=${GO:-go}
CGO_ENABLED=0 "$GO" build -trimpath -o bin/pushguard ./cmd/pushguard
"$GO" build -o bin/pushguard-benchgen ./cmd/pushguard-benchgen
echo "# $(git --version), $(go version | cut -d' ' -f3-), $(nproc 2>/dev/null || echo ?) CPUs, $(uname -sm)" >&2
exec ./bin/pushguard-benchgen bench --pushguard bin/pushguard --dir testdata/bench "$@"
