#!/usr/bin/env bash
# peer-eval.sh: measure pushguard's secret rules on the peers' own detector
# test samples, side by side with gitleaks (issue 11's independent check).
#
# Our corpus (scripts/secrets-eval.sh) is generated from the same token shapes
# the rules are written from; this script measures on samples we did not
# write. The samples are extracted at run time into a temporary directory and
# never committed, so nobody tunes rules to them:
#   - gitleaks: the true positives (`tps`) and false positives (`fps`) of
#     every rule of cmd/generate/config/rules/*.go. Many are generated
#     (utils.GenerateSampleSecrets, secrets.NewSecret from a regex), so the
#     script copies the gitleaks module into the temporary directory, patches
#     utils.Validate/ValidateWithPaths to record their arguments and seeds
#     secrets.NewSecret (reproducible samples), and runs gitleaks' own config
#     generator. Every recorded sample counts: literal and generated.
#   - trufflehog: the test tables of every detector's *Pattern* test
#     (pkg/detectors/**/<name>_test.go, integration tests excluded): an input
#     whose `want` is non-empty is a positive, `want: nil` or empty a negative
#     (invalid shapes, and also "keyword out of prefix range" or "entropy
#     below threshold" cases, which a stricter gate may rightly flag).
# Each sample is written verbatim (dedented) into its own file, whose name and
# extension fit its shape (JSON, XML, YAML, shell, Go, JS, Python, key=value
# config, else text), between neutral context lines where the format allows.
# A sample counts as found only if a finding lies on one of the sample's own
# lines:
#   - pushguard: `pushguard scan --dir` with the embedded default rules, line
#     findings of block severity ("pg block"; "pg any" adds warn/info);
#   - gitleaks: `gitleaks dir` with its default configuration ("gitleaks"),
#     and without its generic-api-key rule ("gl -generic").
# It prints the shares per suite for positives and negatives; then the same
# split: gitleaks samples written literally in its rule sources vs generated
# from its (often looser than the provider's) regexes, and trufflehog
# negatives by case (invalid shape, keyword too far, other); then per suite
# the families with the most positives pushguard does not block.
#
# Usage: scripts/peer-eval.sh
# Environment:
#   GITLEAKS_MOD   gitleaks module source (default: v8.30.1 in the Go module cache)
#   GITLEAKS_BIN   gitleaks binary (default: /tmp/glbin/gitleaks, else gitleaks on PATH)
#   TRUFFLEHOG_GIT trufflehog git directory (default: /work/.mirror/trufflesecurity+trufflehog/repo)
#   EVAL_MISSES=FILE  write every missed positive and flagged negative to FILE
#   EVAL_KEEP=1    keep the temporary directory
# Needs go, git and the two peers' sources; writes only under $TMPDIR.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
gomodcache=$(go env GOMODCACHE)
glmod=${GITLEAKS_MOD:-$gomodcache/github.com/zricethezav/gitleaks/v8@v8.30.1}
glbin=${GITLEAKS_BIN:-/tmp/glbin/gitleaks}
[ -x "$glbin" ] || glbin=$(command -v gitleaks || true)
thgit=${TRUFFLEHOG_GIT:-/work/.mirror/trufflesecurity+trufflehog/repo}
[ -d "$glmod/cmd/generate/config/rules" ] || { echo "peer-eval.sh: no gitleaks source at $glmod (set GITLEAKS_MOD)" >&2; exit 2; }
[ -n "$glbin" ] && [ -x "$glbin" ] || { echo "peer-eval.sh: no gitleaks binary (set GITLEAKS_BIN)" >&2; exit 2; }
git --git-dir="$thgit" rev-parse -q --verify HEAD >/dev/null || { echo "peer-eval.sh: no trufflehog git directory at $thgit (set TRUFFLEHOG_GIT)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pushguard-peer-eval.XXXXXX")
cleanup() {
	if [ "${EVAL_KEEP:-}" = 1 ]; then echo "kept: $tmp" >&2; else chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"; fi
}
trap cleanup EXIT

(cd "$root" && go build -o "$tmp/pushguard" ./cmd/pushguard && go build -o "$tmp/peereval" ./scripts/peereval)

# gitleaks samples: run its generator with Validate patched to record them.
cp -R "$glmod" "$tmp/gitleaks-src"
chmod -R u+w "$tmp/gitleaks-src"
gen=$tmp/gitleaks-src/cmd/generate/config
cat >"$gen/utils/peer_record.go" <<'GO'
package utils

import (
	"encoding/json"
	"os"
	"sort"
	"strconv"
)

type peerSample struct {
	Suite  string `json:"suite"`
	Family string `json:"family"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Path   string `json:"path,omitempty"`
	Text   string `json:"text"`
}

func peerWrite(s peerSample) {
	f, err := os.OpenFile(os.Getenv("PEER_EVAL_OUT"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		panic(err)
	}
}

func peerRecord(rule string, tps, fps []string) {
	for i, t := range tps {
		peerWrite(peerSample{"gitleaks", rule, "pos", "tp" + strconv.Itoa(i), "", t})
	}
	for i, t := range fps {
		peerWrite(peerSample{"gitleaks", rule, "neg", "fp" + strconv.Itoa(i), "", t})
	}
}

func peerRecordPaths(rule string, tps, fps map[string]string) {
	for _, kind := range []string{"pos", "neg"} {
		m := tps
		if kind == "neg" {
			m = fps
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			peerWrite(peerSample{"gitleaks", rule, kind, kind + strconv.Itoa(i), k, m[k]})
		}
	}
}
GO
sed -i '/^func Validate(rule/a\	peerRecord(rule.RuleID, truePositives, falsePositives)' "$gen/utils/validate.go"
sed -i '/^func ValidateWithPaths(rule/a\	peerRecordPaths(rule.RuleID, truePositives, falsePositives)' "$gen/utils/validate.go"
sed -i 's/^\treturn g.Generate(1)$/\tpeerSeed++\n\tg.SetSeed(peerSeed)\n\treturn g.Generate(1)/' "$gen/../secrets/regen.go"
echo 'var peerSeed int64' >>"$gen/../secrets/regen.go"
grep -q peerRecordPaths "$gen/utils/validate.go" && grep -q SetSeed "$gen/../secrets/regen.go" ||
	{ echo "peer-eval.sh: could not patch gitleaks' generator (source layout changed?)" >&2; exit 2; }
(cd "$gen" && PEER_EVAL_OUT="$tmp/gitleaks.jsonl" go run . "$tmp/gitleaks-generated.toml" >"$tmp/gitleaks-gen.log" 2>&1) ||
	{ cat "$tmp/gitleaks-gen.log" >&2; echo "peer-eval.sh: gitleaks' generator failed" >&2; exit 2; }

# trufflehog samples.
"$tmp/peereval" truffle -git-dir "$thgit" -out "$tmp/trufflehog.jsonl"

echo "gitleaks $(basename "$glmod"), trufflehog $(git --git-dir="$thgit" rev-parse --short HEAD) ($(git --git-dir="$thgit" log -1 --format=%cs HEAD)), pushguard $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "(no git)")"

mkdir "$tmp/samples"
"$tmp/peereval" layout -in "$tmp/gitleaks.jsonl,$tmp/trufflehog.jsonl" -dir "$tmp/samples" -manifest "$tmp/manifest.json" \
	-gitleaks-rules "$glmod/cmd/generate/config/rules"

set +e
"$tmp/pushguard" scan --dir "$tmp/samples" --format json --max-locations 0 >"$tmp/pushguard.json" 2>"$tmp/pushguard.err"
rc=$?
set -e
[ $rc -le 1 ] || { cat "$tmp/pushguard.err" >&2; echo "peer-eval.sh: pushguard scan failed ($rc)" >&2; exit 2; }
set +e
(cd "$tmp" && env -u GITLEAKS_CONFIG -u GITLEAKS_CONFIG_TOML "$glbin" dir samples --no-banner --log-level error -f json -r "$tmp/gitleaks.json" --exit-code 0)
rc=$?
set -e
[ $rc -eq 0 ] || { echo "peer-eval.sh: gitleaks failed ($rc)" >&2; exit 2; }

"$tmp/peereval" score -manifest "$tmp/manifest.json" -pushguard "$tmp/pushguard.json" \
	-gitleaks "$tmp/gitleaks.json" -root samples ${EVAL_MISSES:+-misses "$EVAL_MISSES"}
