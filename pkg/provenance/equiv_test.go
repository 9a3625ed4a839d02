package provenance

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// equivalenceInputs are the commits the fast path is compared on: every
// commit of the corpus (the markers' documented examples, positives and
// look-alikes) and of gin's history, and variants of each that push the
// shortcuts to their edges: author and committer swapped, the message in
// upper case, flattened onto one line with literal "\n", its 's' and 'k'
// written as U+017F and U+212A (which RE2 folds with them under (?i)),
// every corpus identity as a trailer value and as a gin commit's author,
// and every corpus path in upper case and under a directory.
func equivalenceInputs(tb testing.TB) []Input {
	tb.Helper()
	var base []Input
	for _, c := range loadCorpus(tb) {
		base = append(base, c.input(tb))
	}
	corpusN := len(base)
	base = append(base, ginCommits(tb)...)
	out := append([]Input(nil), base...)
	odd := strings.NewReplacer("s", "\u017f", "k", "\u212a", "S", "\u017f", "K", "\u212a")
	for i, in := range base {
		v := in
		v.AuthorName, v.AuthorEmail, v.CommitterName, v.CommitterEmail = in.CommitterName, in.CommitterEmail, in.AuthorName, in.AuthorEmail
		out = append(out, v)
		v = in
		v.Message = strings.ToUpper(in.Message)
		v.AuthorName, v.AuthorEmail = strings.ToUpper(in.AuthorName), strings.ToUpper(in.AuthorEmail)
		out = append(out, v)
		v = in
		v.Message = strings.ReplaceAll(in.Message, "\n", `\n`)
		out = append(out, v)
		v = in
		v.Message = odd.Replace(in.Message)
		v.AuthorName, v.CommitterEmail = odd.Replace(in.AuthorName), odd.Replace(in.CommitterEmail)
		out = append(out, v)
		if i < corpusN {
			v = in
			v.Paths = nil
			for _, p := range in.Paths {
				v.Paths = append(v.Paths, strings.ToUpper(p), "x/"+p, p+"/y", strings.TrimPrefix(p, "."))
			}
			out = append(out, v)
			for _, key := range []string{"Co-authored-by", "Signed-off-by", "Assisted-by", "Reviewed-by"} {
				v = base[corpusN+i%(len(base)-corpusN)]
				v.Message = fmt.Sprintf("Subject\n\nBody.\n\n%s: %s <%s>\n", key, in.AuthorName, in.AuthorEmail)
				v.AuthorName, v.AuthorEmail = in.CommitterName, in.CommitterEmail
				out = append(out, v)
			}
		}
	}
	return out
}

// TestDetectMatchesReference: Detect, with its identity cache and
// prefilters, gives exactly what the plain form (referenceDetect: every
// regular expression run, nothing cached) gives, on every commit of the
// corpus and of gin's history and on their variants; on a fresh Detector
// and again on one whose cache is warm.
func TestDetectMatchesReference(t *testing.T) {
	d := mustDefault(t)
	inputs := equivalenceInputs(t)
	kinds := map[string]int{}
	for pass := range 2 {
		for i, in := range inputs {
			want := d.referenceDetect(in)
			got := d.Detect(in)
			if pass == 0 {
				for _, e := range want.Evidence {
					kinds[e.Kind]++
				}
				if len(want.AuthorTools) > 0 {
					kinds["author-tools"]++
				}
				if len(want.AgentTrailers) > 0 {
					kinds["agent-trailers"]++
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("pass %d, input %d (message %q, author %q <%q>): Detect differs from the reference (-want +got):\n%s",
					pass, i, capText(in.Message), in.AuthorName, in.AuthorEmail, diff)
			}
		}
	}
	// The comparison covers every kind of result, each many times.
	for _, k := range []string{KindTrailer, KindMessage, KindIdentity, KindDeclared, KindBranch, KindFile, "author-tools", "agent-trailers"} {
		if kinds[k] < 20 {
			t.Errorf("%s: %d results, want at least 20 for the comparison to mean something", k, kinds[k])
		}
	}
	t.Logf("%d inputs; results compared: %v", len(inputs), kinds)
}

// TestDetectConcurrentMatchesReference: one Detector shared by goroutines
// (its identity cache filled and evicted concurrently) still gives the
// reference result for every input.
func TestDetectConcurrentMatchesReference(t *testing.T) {
	d := mustDefault(t)
	inputs := equivalenceInputs(t)
	want := make([]Result, len(inputs))
	for i, in := range inputs {
		want[i] = d.referenceDetect(in)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 4)
	for g := range 4 {
		wg.Go(func() {
			for k := range inputs {
				i := (k*7 + g*1013) % len(inputs)
				if diff := cmp.Diff(want[i], d.Detect(inputs[i])); diff != "" {
					errs <- fmt.Sprintf("goroutine %d, input %d:\n%s", g, i, diff)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
