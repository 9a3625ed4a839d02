#!/bin/sh
# gitea-test.sh: the real-server suite (test/gitea). Builds, or reuses from the
# cache outside the clone, the pinned Gitea (scripts/gitea-build.sh), builds
# pushguard, and runs the suite against a Gitea started on 127.0.0.1 with a
# throwaway work directory (the suite stops it by its process id).
#
# Environment: GITEA_VERSION (default v1.26.0), GITEA_MODULE, GITEA_NAME (see
# gitea-build.sh: the same suite runs against a Forgejo module that builds from
# the proxy), PUSHGUARD_GITEA (a binary to use instead of building one),
# PUSHGUARD_GITEA_KEEP=1 keeps the server's work directory.
set -eu
cd "$(dirname "$0")/.."
GO=${GO:-go}
start=$(date +%s)
bin=${PUSHGUARD_GITEA:-}
if [ -z "$bin" ]; then
	bin=$(scripts/gitea-build.sh)
fi
ready=$(date +%s)
echo "gitea-test: $bin ready after $((ready - start))s"
mkdir -p bin
CGO_ENABLED=0 $GO build -trimpath -o bin/pushguard ./cmd/pushguard
table=$(mktemp)
trap 'rm -f "$table"' EXIT
status=0
PUSHGUARD_GITEA="$bin" PUSHGUARD_BIN="$PWD/bin/pushguard" PUSHGUARD_GITEA_TABLE="$table" \
	$GO test -count=1 -timeout 20m -v ./test/gitea/ || status=$?
echo "gitea-test: suite took $(($(date +%s) - ready))s (total $(($(date +%s) - start))s), exit $status"
exit $status
