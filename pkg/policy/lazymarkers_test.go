package policy

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/pkg/provenance"
)

// corpusInputs reads the commits of the provenance corpus as detector
// inputs.
func corpusInputs(t *testing.T) map[string]provenance.Input {
	t.Helper()
	data, err := os.ReadFile("../../testdata/provenance/corpus.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Commits []struct {
			Name, Message, Author, Committer string
			Refs, Paths                      []string
		}
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	person := func(s string) (string, string) {
		name, email, _ := strings.Cut(s, "<")
		return strings.TrimSpace(name), strings.TrimSuffix(email, ">")
	}
	in := map[string]provenance.Input{}
	for _, c := range f.Commits {
		an, ae := person(c.Author)
		cn, ce := an, ae
		if c.Committer != "" {
			cn, ce = person(c.Committer)
		}
		refs := c.Refs
		if refs == nil {
			refs = []string{"refs/heads/main"}
		}
		in[c.Name] = provenance.Input{Message: c.Message, AuthorName: an, AuthorEmail: ae, CommitterName: cn, CommitterEmail: ce, Refs: refs, Paths: c.Paths}
	}
	if len(in) < 100 {
		t.Fatalf("corpus has %d commits; want the full corpus", len(in))
	}
	return in
}

// TestStampedMarkersDetectTheSame: the embedded AI-tool markers loaded
// from a warm cache (stamped: regexes compiled on first use), with the
// embedded rules and without them, detect exactly what an eager load
// detects on every commit of the provenance corpus.
func TestStampedMarkersDetectTheSame(t *testing.T) {
	ctx := context.Background()
	inputs := corpusInputs(t)
	eager, err := Load(ctx, []Source{Embedded()}, Options{CacheDir: "-", Eager: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		srcs []Source
	}{
		{"embedded rules", []Source{Embedded()}},
		{"markers only", []Source{mapSource("a", map[string]string{"r.yml": rule("x", "y")})}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt := Options{CacheDir: t.TempDir()}
			if _, err := Load(ctx, []Source{Embedded()}, opt); err != nil { // stamps the embedded files
				t.Fatal(err)
			}
			warm, err := Load(ctx, tc.srcs, opt)
			if err != nil {
				t.Fatal(err)
			}
			detected := 0
			for name, in := range inputs {
				want := eager.AI.Detect(in)
				if diff := cmp.Diff(want, warm.AI.Detect(in)); diff != "" {
					t.Errorf("%s: detection differs (-eager +warm):\n%s", name, diff)
				}
				if want.Detected {
					detected++
				}
			}
			if detected < 50 {
				t.Fatalf("only %d corpus commits detected; the comparison would prove little", detected)
			}
		})
	}
}
