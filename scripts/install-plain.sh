#!/bin/sh
# Install the pushguard pre-receive hook into plain bare repositories:
# REPO.git/hooks/pre-receive, and receive.advertisePushOptions=true so that
# "git push -o pushguard.bypass=..." works. See docs/install.md.
#
# Usage: scripts/install-plain.sh REPO.git [REPO.git...]
#
# Environment:
#   PUSHGUARD_BIN     the binary the hook runs (default /usr/local/bin/pushguard,
#                     else pushguard on PATH); it must stay where it is.
#   PUSHGUARD_CONFIG  optional server configuration the hook gets with --config.
#   FORCE=1           replace, after backing up, hooks pushguard did not write.
set -eu
. "$(dirname "$0")/install-common.sh"
[ "$#" -gt 0 ] || { echo "usage: $0 REPO.git [REPO.git...]" >&2; exit 2; }
status=0
for repo in "$@"; do
	pushguard_install --plain "$repo" || status=$?
done
exit "$status"
