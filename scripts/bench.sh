#!/bin/bash
# bench.sh: measure pushguard against git itself and print one Markdown table.
#
#   scripts/bench.sh [--repo PATH] [--runs N] [--pushes N] [--refs N] [--pushguard BIN]
#   scripts/bench.sh [--pushes N] [--runs N] [--commits N] [--dir DIR]   (generated repositories)
#
# With --repo PATH (any real repository, e.g. a bare clone of
# ../shared/bench/gin.bundle) it measures, in one run:
#   - `git log -p -U0 --no-color --all`, `pushguard scan --all` (default
#     rules) and gitleaks when it is on PATH (never installed by this script),
#     interleaved, median of --runs (default 5), wall and CPU (user + system);
#   - one-commit pushes (real `git push`, real quarantine) into a copy of the
#     repository with 10 refs and into one with --refs (default 10,000) loose
#     refs and no commit-graph, alternating; the hook process is timed by a
#     wrapper (wall and CPU, median and p95 of --pushes, default 21);
# and prints one table with the ratios: scan / git log (goal <= 1.0),
# gitleaks / scan (goal >= 3), hook with many refs / hook with 10 refs
# (goal <= 1.3).
#
# The CPU column is user + system time; "cores" is CPU / wall, how many
# cores the process kept busy. Peak RSS is the largest of the runs.
# --pushguard BIN measures a binary built elsewhere (another revision, for a
# before/after table); by default the work tree is built into a temporary
# directory.
#
# Without --repo it builds bin/pushguard-benchgen and measures the generated
# deterministic repositories under testdata/bench/ (see that command).
# It asserts nothing about time: it reports. Not part of `make test`.
set -eu
cd "$(dirname "$0")/.."
GO=${GO:-go}
repo="" runs=5 pushes=21 nrefs=10000 pgbin=""
args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--repo) repo=$2; shift 2 ;;
	--repo=*) repo=${1#--repo=}; shift ;;
	--pushguard) pgbin=$2; shift 2 ;;
	--runs) runs=$2; args+=("$1" "$2"); shift 2 ;;
	--pushes) pushes=$2; args+=("$1" "$2"); shift 2 ;;
	--refs) nrefs=$2; shift 2 ;;
	*) args+=("$1"); shift ;;
	esac
done
machine="$(git --version), $("$GO" version | cut -d' ' -f3-), $(nproc 2>/dev/null || echo ?) CPUs, $(uname -sm), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)"
if [ -z "$repo" ]; then
	CGO_ENABLED=0 "$GO" build -trimpath -o bin/pushguard ./cmd/pushguard
	"$GO" build -o bin/pushguard-benchgen ./cmd/pushguard-benchgen
	echo "# $machine" >&2
	exec ./bin/pushguard-benchgen bench --pushguard bin/pushguard --dir testdata/bench "${args[@]}"
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if [ -n "$pgbin" ]; then
	PG=$(cd "$(dirname "$pgbin")" && pwd)/$(basename "$pgbin")
else
	PG=$T/pushguard
	CGO_ENABLED=0 "$GO" build -trimpath -o "$PG" ./cmd/pushguard
fi
export GIT_CONFIG_NOSYSTEM=1 HOME="$T/home" GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.org GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.org
mkdir -p "$HOME"
G="$T/repo.git"
git clone -q --bare "$repo" "$G"
ncommits=$(git -C "$G" rev-list --all | wc -l)
GLK=$(command -v gitleaks || true)

# timed CMD...: appends "wall cpu" (seconds) of one run to the file $OUT.
# (/usr/bin/time writes a "Command exited with non-zero status" line first
# when the command exits non-zero: scan and gitleaks do on findings.)
timed() { /usr/bin/time -f '%e %U %S %M' -o "$T/t" "$@" >/dev/null 2>&1 || true; tail -1 "$T/t" | awk '{printf "%s %.3f %d\n", $1, $2+$3, $4}' >> "$OUT"; }
med() { sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
p95() { sort -n | awk '{a[NR]=$1} END{i=int(NR*0.95+0.999999); if(i<1)i=1; print a[i]}'; }
col() { awk -v c="$1" '{print $c}' "$2"; }

echo "bench: whole history, $runs interleaved runs" >&2
for _ in $(seq "$runs"); do
	OUT="$T/gitlog" timed git -C "$G" log -p -U0 --no-color --all
	OUT="$T/scan" timed sh -c "cd '$G' && exec '$PG' scan --all --format json"
	if [ -n "$GLK" ]; then
		OUT="$T/gitleaks" timed "$GLK" git "$G" --log-opts=--all --no-banner --exit-code 0 --report-path "$T/gl.json"
	fi
done

echo "bench: one-commit pushes, 10 refs and $nrefs loose refs without commit-graph" >&2
mkhook() {
	printf '#!/bin/bash\nTIMEFORMAT="%%R %%U %%S"\n{ time "%s" pre-receive 2>&3; } 3>&2 2>>"%s"\n' "$PG" "$2" > "$1/hooks/pre-receive"
	chmod +x "$1/hooks/pre-receive"
}
S="$T/small.git"
git clone -q --bare "$G" "$S"
git -C "$S" for-each-ref --format='delete %(refname)' | tail -n +11 | git -C "$S" update-ref --stdin
git -C "$G" rev-list --first-parent HEAD | head -2000 > "$T/revs"
awk -v n="$nrefs" '{a[NR-1]=$0} END{for(i=1;i<=n;i++) print "create refs/bench/r" i " " a[i%NR]}' "$T/revs" | git -C "$G" update-ref --stdin
rm -f "$G/objects/info/commit-graph" "$S/objects/info/commit-graph"
rm -rf "$G/objects/info/commit-graphs" "$S/objects/info/commit-graphs"
mkhook "$G" "$T/hook.big"
mkhook "$S" "$T/hook.small"
W="$T/w"
git clone -q "$G" "$W" 2>/dev/null
git -C "$W" checkout -q -B bench "$(git -C "$G" rev-parse HEAD)"
for i in $(seq "$pushes"); do
	echo "line $i" >> "$W/bench.txt"
	git -C "$W" add bench.txt
	git -C "$W" commit -q -m "bench $i"
	git -C "$W" push -q "$G" HEAD:refs/heads/bench 2>/dev/null
	git -C "$W" push -q "$S" HEAD:refs/heads/bench 2>/dev/null
done
nbig=$(git -C "$G" for-each-ref | wc -l)
nsmall=$(git -C "$S" for-each-ref | wc -l)
for f in hook.big hook.small; do
	awk '{printf "%.3f %.3f\n", $1, $2+$3}' "$T/$f" > "$T/$f.wc"
done

s2() { awk -v x="$1" 'BEGIN{printf "%.2f s", x}'; }
ms() { awk -v x="$1" 'BEGIN{printf "%.1f ms", x*1000}'; }
cores() { awk -v c="$1" -v w="$2" 'BEGIN{ if (w>0) printf "%.2f", c/w; else print "n/a"}'; }
rss() { awk -v k="$(col 3 "$1" | sort -n | tail -1)" 'BEGIN{printf "%.0f MB", k/1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b>0) printf "%.2f×", a/b; else print "n/a"}'; }
glw=$(col 1 "$T/gitlog" | med); glc=$(col 2 "$T/gitlog" | med)
pgw=$(col 1 "$T/scan" | med); pgc=$(col 2 "$T/scan" | med)
bw=$(col 1 "$T/hook.big.wc" | med); bc=$(col 2 "$T/hook.big.wc" | med)
sw=$(col 1 "$T/hook.small.wc" | med); sc=$(col 2 "$T/hook.small.wc" | med)
echo "# $(basename "$repo" .git): $ncommits commits, $(git -C "$repo" for-each-ref | wc -l) refs; $machine (at start), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?) (at end); one run, medians; CPU is user + system"
echo
echo "| measurement | wall | CPU | cores | peak RSS | ratio |"
echo "|---|---:|---:|---:|---:|---:|"
echo "| \`git log -p -U0 --no-color --all\` (median of $runs) | $(s2 "$glw") | $(s2 "$glc") | $(cores "$glc" "$glw") | $(rss "$T/gitlog") | 1.00× |"
echo "| \`pushguard scan --all\`, default rules (median of $runs) | $(s2 "$pgw") | $(s2 "$pgc") | $(cores "$pgc" "$pgw") | $(rss "$T/scan") | **$(ratio "$pgw" "$glw")** of git log (goal ≤ 1.0×) |"
if [ -n "$GLK" ]; then
	lkw=$(col 1 "$T/gitleaks" | med); lkc=$(col 2 "$T/gitleaks" | med)
	echo "| gitleaks (median of $runs) | $(s2 "$lkw") | $(s2 "$lkc") | $(cores "$lkc" "$lkw") | $(rss "$T/gitleaks") | pushguard **$(ratio "$lkw" "$pgw")** faster (goal ≥ 3×) |"
else
	echo "| gitleaks | not on PATH | | | | |"
fi
echo "| one-commit push, $nsmall refs (10 and the pushed branch): hook process (median / p95 of $pushes) | $(ms "$sw") / $(ms "$(col 1 "$T/hook.small.wc" | p95)") | $(ms "$sc") | | | 1.00× |"
echo "| one-commit push, $nbig loose refs, no commit-graph: hook process (median / p95 of $pushes) | $(ms "$bw") / $(ms "$(col 1 "$T/hook.big.wc" | p95)") | $(ms "$bc") | | | **$(ratio "$bw" "$sw")** of 10 refs (goal ≤ 1.3×; median goal ≤ 30 ms) |"
