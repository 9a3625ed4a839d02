#!/bin/sh
# Install pushguard as a GitLab global server hook: CUSTOM_HOOKS_DIR/pre-receive.d/pushguard,
# run by Gitaly for every repository. Run it on every Gitaly node. See docs/install.md.
#
# Usage: scripts/install-gitlab.sh CUSTOM_HOOKS_DIR
#   CUSTOM_HOOKS_DIR is gitaly['configuration'][:hooks][:custom_hooks_dir] in
#   /etc/gitlab/gitlab.rb (Linux package), or [hooks] custom_hooks_dir in
#   Gitaly's config.toml; create it, owned by the git user, if it does not exist.
#
# Environment: PUSHGUARD_BIN, PUSHGUARD_CONFIG, FORCE=1 (see install-plain.sh).
set -eu
. "$(dirname "$0")/install-common.sh"
[ "$#" -eq 1 ] || { echo "usage: $0 CUSTOM_HOOKS_DIR" >&2; exit 2; }
pushguard_install --gitlab-hooks-dir "$1"
