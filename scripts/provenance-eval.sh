#!/bin/sh
# provenance-eval.sh: measure pushguard's AI-provenance classification on
# real repositories against the reviewed truth file (issue 15).
#
# Usage: scripts/provenance-eval.sh [-v] [-truth FILE] [-rules FILE] NAME=GITDIR...
#
# NAME is the owner+name the truth file uses (e.g. cline+cline), GITDIR a
# local clone (bare or the .git of a work tree) with all its branches, e.g.
#   git clone --bare https://github.com/cline/cline /work/eval/cline+cline.git
#   scripts/provenance-eval.sh cline+cline=/work/eval/cline+cline.git
# Every commit reachable from any ref is classified as `pushguard scan --all`
# classifies it (same engine and markers; agent-branch evidence only for the
# commits a branch adds to the default branch) and compared with
# testdata/provenance-truth/truth.tsv.gz. It prints, per tool: AI commits in
# the truth, found with the right tool (recall), wrong tool, missed, false
# positives on human commits; then the false positives per 50,000 human
# commits and the non-AI bot commits flagged. -v lists every disagreement.
#
# Outside CI: it needs the clones (hundreds of thousands of commits).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bin=$(mktemp "${TMPDIR:-/tmp}/provenance-eval.XXXXXX")
trap 'rm -f "$bin"' EXIT
go build -o "$bin" ./scripts/provenance-eval
"$bin" "$@"
