#!/usr/bin/env bash
# Shows pushguard as a developer meets it: a throwaway bare repository with
# pushguard as its pre-receive hook, one clean push accepted, one push with a
# (fake) AWS key rejected. Uses only bin/pushguard (make build) and git.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/bin/pushguard"
[ -x "$bin" ] || { echo "build first: make build" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pushguard-demo.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME="$work/home" GIT_AUTHOR_NAME="Dee Veloper" GIT_AUTHOR_EMAIL=dee@example.com \
       GIT_COMMITTER_NAME="Dee Veloper" GIT_COMMITTER_EMAIL=dee@example.com
mkdir -p "$HOME"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "server: a bare repository with pushguard as hooks/pre-receive"
git init -q --bare -b main "$work/server.git"
ln -s "$bin" "$work/server.git/hooks/pre-receive"
echo "$work/server.git/hooks/pre-receive -> $bin"

git init -q -b main "$work/client"
cd "$work/client"
git remote add origin "$work/server.git"

say "push 1: a clean commit"
printf 'package main\n\nfunc main() { println("hello") }\n' > main.go
git add main.go && git commit -q -m "Add hello world"
git push origin main

say "push 2: a commit that adds a (fake) AWS access key"
key="AKIA""QYLPMN5HHHFPZAM2"
printf 'region = eu-west-1\naws_access_key_id = %s\n' "$key" > settings.ini
git add settings.ini && git commit -q -m "Add deployment settings"
if git push origin main; then
  echo "demo FAILED: the push with a secret was accepted" >&2
  exit 1
fi
say "the second push was rejected by pushguard (as intended); the server still has only the clean commit:"
git --git-dir="$work/server.git" log --oneline main
