// Command provenance-eval measures pushguard's AI-provenance classification
// on real repositories against a reviewed truth file
// (testdata/provenance-truth/truth.tsv). It is run by
// scripts/provenance-eval.sh on local clones, outside CI.
//
// Every commit reachable from any ref of each repository is classified the
// way `pushguard scan --all` classifies it: the same engine (pkg/scan), the
// embedded AI-tool markers plus any --rules files, and the scan's branch
// evidence rule (only commits a ref adds relative to the default branch).
// The truth file lists, per commit, the expected tool or "declared",
// "ambiguous" (left out of every count), "bot" (a non-AI automation
// account) or "human"; commits it does not list are human.
//
// Usage:
//
//	provenance-eval [-truth FILE] [-rules FILE]... [-v] NAME=GITDIR...
package main

import (
	"bufio"
	"compress/gzip"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/rules"
)

// Labels of the truth file that are not tool ids.
const (
	labelHuman     = "human"
	labelBot       = "bot"
	labelAmbiguous = "ambiguous"
	labelDeclared  = "declared"
)

type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("provenance-eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	truthPath := fs.String("truth", "testdata/provenance-truth/truth.tsv.gz", "reviewed truth file (TSV: repo, commit, label, why; gzip when it ends in .gz)")
	var rulePaths stringList
	fs.Var(&rulePaths, "rules", "extra YAML file with ai_tools: specs, after the embedded markers (repeatable)")
	verbose := fs.Bool("v", false, "list every miss, wrong tool and false positive")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "provenance-eval: %v\n", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintf(stderr, "provenance-eval: %v\n", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: provenance-eval [-truth FILE] [-rules FILE]... [-v] NAME=GITDIR...")
		return 2
	}
	det, err := detector(rulePaths)
	if err != nil {
		fmt.Fprintf(stderr, "provenance-eval: %v\n", err)
		return 2
	}
	truth, err := readTruth(*truthPath)
	if err != nil {
		fmt.Fprintf(stderr, "provenance-eval: %v\n", err)
		return 2
	}
	t := newTally()
	for _, arg := range fs.Args() {
		name, dir, ok := strings.Cut(arg, "=")
		if !ok {
			name, dir = filepath.Base(strings.TrimSuffix(strings.TrimSuffix(arg, "/"), ".git")), arg
		}
		start := time.Now()
		n, err := evalRepo(name, dir, det, truth[name], t, *verbose, stdout)
		if err != nil {
			fmt.Fprintf(stderr, "provenance-eval: %s: %v\n", name, err)
			return 1
		}
		fmt.Fprintf(stderr, "%s: %d commits in %s\n", name, n, time.Since(start).Round(time.Millisecond))
	}
	t.print(stdout)
	return 0
}

// detector compiles the embedded markers plus extra files.
func detector(paths []string) (*provenance.Detector, error) {
	specs, err := provenance.LoadFS(rules.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("embedded markers: %w", err)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		more, err := provenance.ParseToolSpecs(p, data)
		if err != nil {
			return nil, err
		}
		specs = append(specs, more...)
	}
	return provenance.Compile(specs)
}

// entry is one truth line.
type entry struct {
	labels []string
	why    string
}

// readTruth reads repo → commit → labels. Lines starting with '#' and
// blank lines are skipped; a commit may have several lines (several tools).
func readTruth(path string) (map[string]map[string]*entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	out := map[string]map[string]*entry{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.SplitN(text, "\t", 4)
		if len(cols) < 3 || len(cols[1]) != 40 {
			return nil, fmt.Errorf("%s:%d: want repo<TAB>commit<TAB>label<TAB>why", path, line)
		}
		repo := out[cols[0]]
		if repo == nil {
			repo = map[string]*entry{}
			out[cols[0]] = repo
		}
		e := repo[cols[1]]
		if e == nil {
			e = &entry{}
			repo[cols[1]] = e
		}
		if !slices.Contains(e.labels, cols[2]) {
			e.labels = append(e.labels, cols[2])
		}
		if len(cols) == 4 && e.why == "" {
			e.why = cols[3]
		}
	}
	return out, sc.Err()
}

// toolTally counts one expected tool.
type toolTally struct {
	truth, right, wrong, missed int
}

type tally struct {
	tools               map[string]*toolTally
	humans, humanFP     int
	bots, botFP         int
	ambiguous, ambigDet int
	commits             int
	fpByTool            map[string]int
}

func newTally() *tally {
	return &tally{tools: map[string]*toolTally{}, fpByTool: map[string]int{}}
}

func (t *tally) tool(id string) *toolTally {
	tt := t.tools[id]
	if tt == nil {
		tt = &toolTally{}
		t.tools[id] = tt
	}
	return tt
}

// evalRepo scans every commit of the repository and counts it.
func evalRepo(name, dir string, det *provenance.Detector, truth map[string]*entry, t *tally, verbose bool, w io.Writer) (int, error) {
	store, err := gitstore.Open(gitstore.Env{GitDir: dir})
	if err != nil {
		return 0, err
	}
	refs, err := store.Refs()
	if err != nil {
		return 0, err
	}
	var tips []scan.Tip
	for _, r := range refs {
		if r.Name != "HEAD" {
			tips = append(tips, scan.Tip{Ref: r.Name, Hash: r.Hash})
		}
	}
	base, err := defaultBranch(store, dir)
	if err != nil {
		return 0, err
	}
	eng := scan.New(store, ruleset.NewSet(), scan.Options{
		Provenance:     det,
		BranchEvidence: scan.BranchEvidence{Limit: true, Base: base},
	})
	res, err := eng.Run(context.Background(), tips, nil)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	for _, c := range res.Commits {
		h := c.Hash.String()
		seen[h] = true
		t.commits++
		e := truth[h]
		labels := []string{labelHuman}
		why := ""
		if e != nil {
			labels, why = e.labels, e.why
		}
		got := c.AI.Tools
		report := func(kind string) {
			if verbose {
				var ev []string
				for _, e := range c.AI.Evidence {
					if e.Strong {
						ev = append(ev, e.Kind+" "+e.Text)
					}
				}
				fmt.Fprintf(w, "%s\t%s\t%s\twant %s got %s\t%s\t%s\t%q\n", kind, name, h, strings.Join(labels, ","), strings.Join(got, ","), why, subjectOf(c), strings.Join(ev, " | "))
			}
		}
		switch {
		case slices.Contains(labels, labelAmbiguous):
			t.ambiguous++
			if len(got) > 0 {
				t.ambigDet++
			}
		case slices.Contains(labels, labelBot):
			t.bots++
			if len(got) > 0 {
				t.botFP++
				report("BOT-FLAGGED")
			}
		case slices.Contains(labels, labelHuman):
			t.humans++
			if len(got) > 0 {
				t.humanFP++
				for _, id := range got {
					t.fpByTool[id]++
				}
				report("FALSE-POSITIVE")
			}
		default:
			for _, want := range labels {
				tt := t.tool(want)
				tt.truth++
				switch {
				case want == labelDeclared && len(got) > 0,
					slices.Contains(got, want):
					tt.right++
				case len(got) > 0:
					tt.wrong++
					report("WRONG-TOOL")
				default:
					tt.missed++
					report("MISS")
				}
			}
		}
	}
	for h, e := range truth {
		if !seen[h] {
			fmt.Fprintf(w, "# truth commit %s %s (%s) not reachable from any ref\n", name, h, strings.Join(e.labels, ","))
		}
	}
	return len(res.Commits), nil
}

func subjectOf(c scan.CommitInfo) string {
	s := c.Subject
	if len(s) > 72 {
		s = s[:72]
	}
	return s
}

// defaultBranch resolves the branch HEAD names (the default branch of a
// clone), falling back to main or master; zero when there is none.
func defaultBranch(store *gitstore.Store, dir string) (plumbing.Hash, error) {
	var candidates []string
	if data, err := os.ReadFile(filepath.Join(dir, "HEAD")); err == nil {
		if ref, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "ref: "); ok {
			candidates = append(candidates, ref)
		}
	}
	candidates = append(candidates, "refs/heads/main", "refs/heads/master")
	for _, ref := range candidates {
		if h, err := store.Resolve(ref); err == nil {
			return h, nil
		}
	}
	return plumbing.ZeroHash, nil
}

func (t *tally) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "tool\tAI commits in truth\tright tool\trecall\twrong tool\tmissed\tFP on humans\t")
	ids := make([]string, 0, len(t.tools))
	for id := range t.tools {
		ids = append(ids, id)
	}
	for id := range t.fpByTool {
		if t.tools[id] == nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	var all toolTally
	for _, id := range ids {
		tt := t.tools[id]
		if tt == nil {
			tt = &toolTally{}
		}
		all.truth += tt.truth
		all.right += tt.right
		all.wrong += tt.wrong
		all.missed += tt.missed
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%d\t%d\t%d\t\n", id, tt.truth, tt.right, pct(tt.right, tt.truth), tt.wrong, tt.missed, t.fpByTool[id])
	}
	fmt.Fprintf(tw, "all tools\t%d\t%d\t%s\t%d\t%d\t%d\t\n", all.truth, all.right, pct(all.right, all.truth), all.wrong, all.missed, t.humanFP)
	tw.Flush()
	per50k := 0.0
	if t.humans > 0 {
		per50k = float64(t.humanFP) * 50000 / float64(t.humans)
	}
	fmt.Fprintf(w, "\ncommits %d; human %d, false positives %d (%.2f per 50,000 human commits); "+
		"non-AI bot commits %d, flagged %d; ambiguous %d (left out), flagged %d\n",
		t.commits, t.humans, t.humanFP, per50k, t.bots, t.botFP, t.ambiguous, t.ambigDet)
}

func pct(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
}
