package scan

import (
	"strings"
	"testing"
)

const keyRules = `rules:
  - {id: aws, severity: block, message: m, tags: [secret], content: {regex: 'AKIA[A-Z2-7]{16}', keywords: [akia]}}
`

// TestRunTwiceReportsTwice: the engine is reused for each group of refs of
// a push; every Run reports its own findings even when an earlier Run saw
// the same lines (the blob facts are shared, the dedup is not).
func TestRunTwiceReportsTwice(t *testing.T) {
	r := newTestRepo(t)
	c := r.commit("add", map[string]string{"a.txt": "k = AKIAZ7VRSQ5TLXKE4N2P\n"})
	e := New(r.store(), parseRules(t, keyRules), Options{})
	for i, ref := range []string{"refs/heads/relaxed", "refs/heads/main"} {
		res := runAll(t, e, Tip{Ref: ref, Hash: c})
		got := strings.Join(findingKeys(res.Findings), ",")
		if got != "aws line a.txt:1" {
			t.Fatalf("run %d (%s): findings %q, want one aws finding", i, ref, got)
		}
		if res.Findings[0].Ref != ref {
			t.Errorf("run %d: finding charged to %q, want %q", i, res.Findings[0].Ref, ref)
		}
	}
}
