#!/usr/bin/env bash
# secrets-eval.sh: measure the secret rules on the evaluation corpus.
#
# The corpus (testdata/secrets-eval/corpus, written by
# testdata/secrets-eval/gen/corpus.py from the token shapes of the rule specs,
# with fixed seeds) holds positives, one or more samples per provider token
# format in realistic files (.env, YAML, CI workflows, JSON, Python, Go, JS,
# Kubernetes Secrets, docker-compose, Terraform, properties, shell), and
# negatives (placeholders of every format, hashes, UUIDs, lockfile integrity
# hashes, test fixtures, minified JavaScript, base64 images, certificates).
#
# The script builds pushguard, commits the corpus into a throwaway git
# repository, runs `pushguard scan --all --format json` with the embedded
# rules, and prints:
#   - recall: the share of positives with a blocking line finding on their
#     line, per family and overall (and how many were found by the rule the
#     sample was written for);
#   - the blocking rate on negatives: the share of negative lines with a
#     blocking line finding, per kind and overall.
#   - coverage: the services of the provider table, the secret rules and
#     the providers they name, and the union of both by normalized name (an
#     upper bound: "Revolut Business" and "Revolut" count twice; the table
#     alone is a lower bound).
# Goals (issue 11): recall >= 95%, negatives <= 1%.
#
# Environment:
#   EVAL_VERBOSE=1   list every missed positive and every blocked negative
#   EVAL_KEEP=1      keep the temporary repository and the JSON report
#
# Exit status: 0 when both goals are met, 1 otherwise, 2 on a setup error.
# Nothing is committed to this repository.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
corpus=$root/testdata/secrets-eval/corpus
[ -f "$corpus/positives.tsv" ] || { echo "secrets-eval.sh: no corpus at $corpus (run testdata/secrets-eval/gen/corpus.py)" >&2; exit 2; }
command -v python3 >/dev/null || { echo "secrets-eval.sh: python3 is needed to read the report" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pushguard-secrets-eval.XXXXXX")
cleanup() {
	if [ "${EVAL_KEEP:-}" = 1 ]; then echo "kept: $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

(cd "$root" && go build -o "$tmp/pushguard" ./cmd/pushguard)

repo=$tmp/repo
mkdir -p "$repo"
cp -R "$corpus/positives" "$corpus/negatives" "$repo/"
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=eval GIT_AUTHOR_EMAIL=eval@example.com
export GIT_COMMITTER_NAME=eval GIT_COMMITTER_EMAIL=eval@example.com
git -C "$repo" init -q -b main
git -C "$repo" add -A -f
git -C "$repo" commit -q -m "secrets evaluation corpus"

set +e
start=$(date +%s.%N)
"$tmp/pushguard" scan --repo "$repo" --all --format json >"$tmp/report.json"
rc=$?
end=$(date +%s.%N)
set -e
if [ $rc -gt 1 ]; then
	echo "secrets-eval.sh: pushguard scan failed with exit status $rc" >&2
	exit 2
fi

python3 - "$tmp/report.json" "$corpus/positives.tsv" "$corpus/negatives.tsv" "${EVAL_VERBOSE:-}" "$start" "$end" "$root/rules" <<'PY'
import collections, csv, glob, json, os, re, sys

report, pos_tsv, neg_tsv, verbose, start, end, rules_dir = sys.argv[1:8]

# Coverage: the services of the provider table (one NAME per entry of
# providers.yml) and the rules tagged secret in secrets*.yml; a rule's
# provider is its description up to the first credential word ("Pinecone
# API key" -> pinecone). Names are compared lower-cased, letters and digits
# only, so the union counts a service once when both name it alike.
def norm(s):
    return re.sub(r"[^a-z0-9]", "", s.lower())

table = set()
for line in open(os.path.join(rules_dir, "providers.yml")):
    m = re.match(r"\s+- '([^'|]+)\|", line)
    if m:
        table.add(norm(m.group(1)))
cred = re.compile(r"\b(api|app|application|access|personal|secret|key|token|credential|client|server|service|account|bot|"
                  r"webhook|url|private|auth|oauth|refresh|session|password|signing|admin|legacy|user|project|"
                  r"organization|deploy|integration|dsn|connection|global|mobile|browser|license|ingest|robot|sdk|"
                  r"live|test|sandbox|console|master|bearer|id)s?\b.*$", re.I)
named, nrules = set(), 0
for path in sorted(glob.glob(os.path.join(rules_dir, "secrets*.yml"))):
    desc, secret = None, False
    for line in list(open(path)) + ["  - id: end\n"]:
        if line.startswith("  - id: "):
            if secret and desc is not None:
                nrules += 1
                name = norm(cred.sub("", re.sub(r"^(An?|The)\s+", "", desc)))
                if name:
                    named.add(name)
            desc, secret = None, False
        elif line.startswith("    description: "):
            desc = line.split(":", 1)[1].strip().strip("'\"").rstrip(".")
        elif line.startswith("    tags: ") and "secret" in line:
            secret = True
print("coverage: %d services in the provider table, %d secret rules naming %d providers, %d distinct names in all"
      % (len(table), nrules, len(named), len(table | named)))
findings = json.load(open(report)).get("findings") or []
block = collections.defaultdict(set)  # (path, line) -> rules
for f in findings:
    if f.get("severity") == "block" and f.get("kind") == "line":
        block[(f["path"], f["line"])].add(f["rule"])

def rows(path):
    with open(path) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))

pos = rows(pos_tsv)
fam = collections.defaultdict(lambda: [0, 0, 0])
missed = []
for r in pos:
    k = (r["path"], int(r["line"]))
    c = fam[r["family"]]
    c[0] += 1
    if block.get(k):
        c[1] += 1
        if r["rule"] in block[k]:
            c[2] += 1
    else:
        missed.append(r)
print("scan time: %.1f s" % (float(end) - float(start)))
print("recall of blocking findings on positives:")
tot = [0, 0, 0]
for name in sorted(fam):
    n, hit, own = fam[name]
    tot = [tot[0] + n, tot[1] + hit, tot[2] + own]
    print("  %-12s %4d/%-4d %6.1f%%   (by the intended rule: %d)" % (name, hit, n, 100.0 * hit / n, own))
print("  %-12s %4d/%-4d %6.1f%%   (by the intended rule: %d)" % ("overall", tot[1], tot[0], 100.0 * tot[1] / tot[0], tot[2]))

neg = rows(neg_tsv)
kind = collections.defaultdict(lambda: [0, 0])
blocked = []
for r in neg:
    k = (r["path"], int(r["line"]))
    kind[r["kind"]][0] += 1
    if block.get(k):
        kind[r["kind"]][1] += 1
        blocked.append((r, sorted(block[k])))
print("blocking rate on negatives:")
nt = [0, 0]
for name in sorted(kind):
    n, b = kind[name]
    nt = [nt[0] + n, nt[1] + b]
    print("  %-14s %4d/%-4d %6.2f%%" % (name, b, n, 100.0 * b / n))
print("  %-14s %4d/%-4d %6.2f%%" % ("overall", nt[1], nt[0], 100.0 * nt[1] / nt[0]))

if verbose:
    print("missed positives:")
    for r in missed:
        print("  %s:%s  %s (%s)" % (r["path"], r["line"], r["rule"], r["family"]))
    print("blocked negatives:")
    for r, rules in blocked:
        print("  %s:%s  %s  by %s" % (r["path"], r["line"], r["kind"], ",".join(rules)))

recall = 100.0 * tot[1] / tot[0]
noise = 100.0 * nt[1] / nt[0]
ok = recall >= 95.0 and noise <= 1.0
print("goals (recall >= 95%%, negatives <= 1%%): %s" % ("met" if ok else "NOT met"))
sys.exit(0 if ok else 1)
PY
