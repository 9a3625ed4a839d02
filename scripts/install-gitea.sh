#!/bin/sh
# Install pushguard into Gitea/Forgejo repositories: REPO.git/hooks/pre-receive.d/pushguard.
# Gitea has no global hooks directory: run this again (e.g. from cron) to cover
# repositories created since; it changes nothing where the hook is current.
# See docs/install.md.
#
# Usage: scripts/install-gitea.sh REPOSITORY_ROOT      every ROOT/<owner>/<name>.git
#        scripts/install-gitea.sh --repo REPO.git      one repository
#   REPOSITORY_ROOT is [repository] ROOT in Gitea's app.ini
#   (e.g. /var/lib/gitea/data/gitea-repositories). Run as the user Gitea runs as,
#   or as root (installed files then get the repository owner).
#
# Environment: PUSHGUARD_BIN, PUSHGUARD_CONFIG, FORCE=1 (see install-plain.sh).
set -eu
. "$(dirname "$0")/install-common.sh"
case "${1:-}" in
--repo)
	[ "$#" -eq 2 ] || { echo "usage: $0 --repo REPO.git" >&2; exit 2; }
	pushguard_install --gitea-repo "$2"
	;;
"" | -*)
	echo "usage: $0 REPOSITORY_ROOT | --repo REPO.git" >&2
	exit 2
	;;
*)
	[ "$#" -eq 1 ] || { echo "usage: $0 REPOSITORY_ROOT" >&2; exit 2; }
	pushguard_install --gitea-root "$1"
	;;
esac
