package provenance

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"
)

// corpusCommit is one entry of testdata/provenance/corpus.yml.
type corpusCommit struct {
	Name      string    `yaml:"name"`
	Message   string    `yaml:"message"`
	Author    string    `yaml:"author"`
	Committer string    `yaml:"committer"`
	Refs      []string  `yaml:"refs"`
	Paths     []string  `yaml:"paths"`
	Tools     []string  `yaml:"tools"`
	Suspected *[]string `yaml:"suspected"`
	Declared  *bool     `yaml:"declared"`
}

func (c corpusCommit) input(t testing.TB) Input {
	an, ae := splitPerson(t, c.Author)
	cn, ce := an, ae
	if c.Committer != "" {
		cn, ce = splitPerson(t, c.Committer)
	}
	refs := c.Refs
	if refs == nil {
		refs = []string{"refs/heads/main"}
	}
	return Input{
		Message: c.Message, AuthorName: an, AuthorEmail: ae, CommitterName: cn, CommitterEmail: ce,
		Refs: refs, Paths: c.Paths,
	}
}

// splitPerson splits "Name <email>".
func splitPerson(t testing.TB, s string) (string, string) {
	t.Helper()
	i := strings.LastIndexByte(s, '<')
	if i < 0 || !strings.HasSuffix(s, ">") {
		t.Fatalf("identity %q: want Name <email>", s)
	}
	return strings.TrimSpace(s[:i]), s[i+1 : len(s)-1]
}

func loadCorpus(t testing.TB) []corpusCommit {
	t.Helper()
	data, err := os.ReadFile("../../testdata/provenance/corpus.yml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f struct {
		Commits []corpusCommit `yaml:"commits"`
	}
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("corpus.yml: %v", err)
	}
	return f.Commits
}

// mustDefault compiles the shipped markers, rules/ai-tools.yml.
func mustDefault(t testing.TB) *Detector {
	t.Helper()
	return mustShipped(t, false)
}

// TestCorpus runs the corpus and measures precision and recall over (commit,
// tool) pairs: a tool reported for a commit that does not expect it is a
// false positive, an expected tool not reported a false negative. Human
// commits expect no tool, so any detection on them costs precision.
func TestCorpus(t *testing.T) {
	d := mustDefault(t)
	corpus := loadCorpus(t)

	var tp, fp, fn, positives, humans, humanDetected int
	covered := map[string]bool{}
	names := map[string]bool{}
	for _, c := range corpus {
		if names[c.Name] {
			t.Errorf("duplicate corpus name %q", c.Name)
		}
		names[c.Name] = true
		if len(c.Tools) > 0 {
			positives++
		} else {
			humans++
		}
		for _, id := range c.Tools {
			covered[id] = true
		}

		res := d.Detect(c.input(t))
		for _, id := range res.Tools {
			if slices.Contains(c.Tools, id) {
				tp++
			} else {
				fp++
				t.Errorf("%s: false positive %s; evidence %+v", c.Name, id, res.Evidence)
			}
		}
		for _, id := range c.Tools {
			if !slices.Contains(res.Tools, id) {
				fn++
				t.Logf("%s: missed %s; evidence %+v", c.Name, id, res.Evidence)
			}
		}
		if len(c.Tools) == 0 && res.Detected {
			humanDetected++
		}
		if res.Detected != (len(res.Tools) > 0) {
			t.Errorf("%s: Detected=%v with tools %v", c.Name, res.Detected, res.Tools)
		}
		if c.Suspected != nil {
			if diff := cmp.Diff(*c.Suspected, res.Suspected, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("%s: suspected (-want +got):\n%s", c.Name, diff)
			}
		}
		if c.Declared != nil && *c.Declared != res.Declared {
			t.Errorf("%s: declared = %v, want %v (values %q)", c.Name, res.Declared, *c.Declared, res.DeclaredValues)
		}
	}

	precision, recall := ratio(tp, tp+fp), ratio(tp, tp+fn)
	t.Logf("corpus: %d commits, %d AI positives, %d human (incl. weak-evidence-only); "+
		"tool-level TP=%d FP=%d FN=%d: precision %.3f, recall %.3f; human commits detected: %d",
		len(corpus), positives, humans, tp, fp, fn, precision, recall, humanDetected)
	if precision < 1.0 {
		t.Errorf("precision %.3f < 1.0", precision)
	}
	if recall < 0.95 {
		t.Errorf("recall %.3f < 0.95", recall)
	}
	if positives < 60 {
		t.Errorf("corpus has %d positives, want at least 60", positives)
	}
	if humans < positives {
		t.Errorf("corpus has %d human commits for %d positives, want at least as many", humans, positives)
	}
	for _, id := range d.Tools() {
		if !covered[id] {
			t.Errorf("no positive corpus commit for tool %s", id)
		}
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
