#!/bin/sh
# gitea-build.sh: print the path of a Gitea binary pinned to GITEA_VERSION, building it once.
#
# The module is fetched through the Go module proxy (go mod download), copied to a writable
# directory (its go.mod has replace directives, so `go install mod@version` refuses it) and built
# with cgo and the sqlite tags. The result lives OUTSIDE the clone, in
#   ${PUSHGUARD_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pushguard-ci}/gitea-$GITEA_VERSION/
# so a second CI run reuses it. A cold build takes ~15 minutes on 2 cores.
#
# Environment: GITEA_VERSION (default v1.26.0), GITEA_MODULE (default code.gitea.io/gitea),
# GITEA_NAME (cache directory prefix, default gitea), PUSHGUARD_CI_CACHE.
# Output: the binary path on stdout; progress on stderr.
set -eu

version=${GITEA_VERSION:-v1.26.0}
module=${GITEA_MODULE:-code.gitea.io/gitea}
name=${GITEA_NAME:-gitea}
cache=${PUSHGUARD_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pushguard-ci}
dir="$cache/$name-$version"
bin="$dir/$name"

if [ -x "$bin" ] && [ -f "$dir/src/go.mod" ]; then
	echo "$bin"
	exit 0
fi

command -v go >/dev/null || { echo "gitea-build: go not found" >&2; exit 1; }
command -v gcc >/dev/null || command -v cc >/dev/null || { echo "gitea-build: a C compiler is needed (cgo, sqlite)" >&2; exit 1; }

mkdir -p "$dir"
# One builder at a time per cache directory.
lock="$dir/.build.lock"
if ! mkdir "$lock" 2>/dev/null; then
	echo "gitea-build: another build holds $lock; waiting" >&2
	i=0
	while [ -d "$lock" ]; do
		i=$((i + 1))
		if [ "$i" -gt 1800 ]; then echo "gitea-build: gave up waiting for $lock (remove it if stale)" >&2; exit 1; fi
		sleep 2
	done
	if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
	mkdir "$lock"
fi
trap 'rmdir "$lock" 2>/dev/null || true' EXIT INT TERM

echo "gitea-build: downloading $module@$version from the module proxy" >&2
json=$(cd "$dir" && GOFLAGS=-mod=mod go mod download -json "$module@$version")
moddir=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
if [ -z "$moddir" ] || [ ! -f "$moddir/go.mod" ]; then
	echo "gitea-build: go mod download gave no module directory:" >&2
	printf '%s\n' "$json" >&2
	exit 1
fi

rm -rf "$dir/src.tmp"
cp -R "$moddir" "$dir/src.tmp"
chmod -R u+w "$dir/src.tmp"
rm -rf "$dir/src"
mv "$dir/src.tmp" "$dir/src"

echo "gitea-build: building $name $version with cgo, tags 'sqlite sqlite_unlock_notify' (slow when cold)" >&2
start=$(date +%s)
plain=${version#v}
(
	cd "$dir/src"
	CGO_ENABLED=1 CGO_CFLAGS="${CGO_CFLAGS:-} -O2 -DSQLITE_MAX_VARIABLE_NUMBER=32766" \
		GOFLAGS="-mod=mod -buildvcs=false" GOWORK=off \
		go build -trimpath -tags 'sqlite sqlite_unlock_notify' \
		-ldflags "-s -w -X main.Version=$plain -X 'main.Tags=sqlite sqlite_unlock_notify'" \
		-o "$bin.tmp" .
)
mv "$bin.tmp" "$bin"
echo "gitea-build: built $bin in $(( $(date +%s) - start ))s" >&2
echo "$bin"
