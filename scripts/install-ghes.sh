#!/bin/sh
# Build a GitHub Enterprise Server pre-receive hook environment with pushguard:
# OUT.tar.gz = BASE (a root filesystem with /bin/sh) + /usr/local/bin/pushguard
# (+ /etc/pushguard/config.yml), and pushguard-hook.sh next to OUT for your hooks
# repository. Then follow docs/install.md to upload it and create the hook.
#
# Usage: scripts/install-ghes.sh OUT.tar.gz [BASE.tar.gz]
#   Without BASE, an alpine base is exported with docker (needs docker and network).
#
# Environment:
#   PUSHGUARD_BIN     a static linux/amd64 pushguard (default: bin/pushguard from
#                     "make build", which builds with CGO_ENABLED=0).
#   PUSHGUARD_CONFIG  optional configuration to build into the environment.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
: "${PUSHGUARD_BIN:=$root/bin/pushguard}"
export PUSHGUARD_BIN
. "$root/scripts/install-common.sh"
[ "$#" -ge 1 ] && [ "$#" -le 2 ] || { echo "usage: $0 OUT.tar.gz [BASE.tar.gz]" >&2; exit 2; }
out=$1
base=${2:-}
if [ -z "$base" ]; then
	command -v docker >/dev/null || { echo "no BASE given and docker is not installed" >&2; exit 2; }
	base=$(mktemp "${TMPDIR:-/tmp}/pushguard-ghes-base.XXXXXX")
	trap 'rm -f "$base"' EXIT
	id=$(docker create --platform linux/amd64 alpine:3 /bin/true)
	docker export "$id" | gzip >"$base"
	docker rm "$id" >/dev/null
fi
pushguard_install --ghes-bundle "$out" --ghes-base "$base"
