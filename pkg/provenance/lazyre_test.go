package provenance

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/yamldoc"
)

// mustShipped decodes the shipped markers, rules/ai-tools.yml, as a loader
// does: validated in full (validated false) or as a file this build
// validated before (validated true, regexes left to compile on first use).
func mustShipped(t testing.TB, validated bool) *Detector {
	t.Helper()
	d, err := CompileWith(shippedSpecs(t), CompileOptions{Validated: func(int) bool { return validated }})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// shippedSpecs parses the shipped markers, rules/ai-tools.yml.
func shippedSpecs(t testing.TB) []ToolSpec {
	t.Helper()
	data, err := os.ReadFile("../../rules/ai-tools.yml")
	if err != nil {
		t.Fatal(err)
	}
	specs, err := ParseToolSpecs("rules/ai-tools.yml", data)
	if err != nil {
		t.Fatal(err)
	}
	return specs
}

// TestLazyDetectionEquivalent: the shipped markers compiled on first use
// detect exactly what they detect compiled eagerly, on every commit of
// the corpus, and also when the corpus is run on many goroutines at once
// (the compile on first use is shared).
func TestLazyDetectionEquivalent(t *testing.T) {
	eager, lazy := mustShipped(t, false), mustShipped(t, true)
	corpus := loadCorpus(t)
	if len(corpus) < 100 {
		t.Fatalf("corpus has %d commits; want the full corpus", len(corpus))
	}
	// Before any use, the lazy detector holds no compiled regex.
	for _, tl := range lazy.tools {
		for _, list := range [][]reSignal{tl.message, tl.emails, tl.names, tl.identities} {
			for _, s := range list {
				if s.re.re != nil {
					t.Fatalf("tool %s: regex %q compiled before use", tl.id, s.re.expr)
				}
			}
		}
	}
	want := make([]Result, len(corpus))
	for i, c := range corpus {
		want[i] = eager.Detect(c.input(t))
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for i, c := range corpus {
				if diff := cmp.Diff(want[i], lazy.Detect(c.input(t))); diff != "" {
					t.Errorf("%s: lazy detection differs (-eager +lazy):\n%s", c.Name, diff)
				}
			}
		})
	}
	wg.Wait()
	detected := 0
	for _, r := range want {
		if r.Detected {
			detected++
		}
	}
	if detected < 50 {
		t.Fatalf("only %d corpus commits detected; the comparison would prove little", detected)
	}
}

// TestLazyCompileFailsClosed: a marker regex that Compile would reject,
// in a spec said to be validated, is compiled on first use, which panics
// with an error wrapping ErrLazyCompile and Compile's message: detection
// never goes on as if the marker had found nothing. The cheap checks are
// still made when the detector is compiled.
func TestLazyCompileFailsClosed(t *testing.T) {
	for _, tt := range []struct {
		name string
		spec ToolSpec
		in   Input
		want string
	}{
		{"invalid message regex", ToolSpec{ID: "x", File: "m.yml", Line: 3, Message: []Pattern{{Pattern: "gen(erated", Line: 4}}},
			Input{Message: "generated"}, `m.yml:4: tool "x": message[0]: invalid regular expression`},
		{"message matches empty", ToolSpec{ID: "x", File: "m.yml", Line: 3, Message: []Pattern{{Pattern: "(gen)?", Line: 5}}},
			Input{Message: "gen"}, `m.yml:5: tool "x": message[0]: regular expression "(gen)?" matches the empty string`},
		{"invalid email regex", ToolSpec{ID: "x", File: "m.yml", Line: 3, Emails: []Pattern{{Pattern: "bot(@", Line: 6}}},
			Input{AuthorEmail: "bot@example.com"}, `m.yml:6: tool "x": emails[0]: invalid regular expression`},
		{"invalid trailer value", ToolSpec{ID: "x", File: "m.yml", Line: 3, Trailers: []TrailerSpec{{Key: "Co-authored-by", Value: "bot(", Line: 7}}},
			Input{Message: "subject\n\nCo-authored-by: bot <b@example.com>\n"}, `m.yml:7: tool "x": trailers[0].value: invalid regular expression`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			specs := []ToolSpec{tt.spec}
			if _, err := Compile(specs); err == nil {
				t.Fatal("eager Compile accepted the spec; the case proves nothing")
			}
			d, err := CompileWith(specs, CompileOptions{Validated: func(int) bool { return true }})
			if err != nil {
				t.Fatalf("lazy CompileWith: %v", err)
			}
			defer func() {
				p := recover()
				err, ok := p.(error)
				if !ok || !errors.Is(err, ErrLazyCompile) {
					t.Fatalf("recovered %v; want an error wrapping ErrLazyCompile", p)
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q; want it to contain %q", err, tt.want)
				}
			}()
			res := d.Detect(tt.in)
			t.Fatalf("Detect returned %+v; want a panic", res)
		})
	}
	// Checks other than compiling are made now, validated or not.
	_, err := CompileWith([]ToolSpec{{ID: "x", Message: []Pattern{{Pattern: ""}}}}, CompileOptions{Validated: func(int) bool { return true }})
	if err == nil || !strings.Contains(err.Error(), "empty pattern") {
		t.Errorf("lazy CompileWith of an empty pattern: %v; want an empty pattern error", err)
	}
}

// TestDecodeValidatedLeavesChecksToCompile: a file decoded as validated
// before is still decoded strictly, and what only compiling checks is
// then reported by CompileWith, with the same message.
func TestDecodeValidatedLeavesChecksToCompile(t *testing.T) {
	doc, err := yamldoc.Parse([]byte("ai_tools:\n  - {id: Bad_ID, message: ['generated']}\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	const want = `m.yml:2: id: invalid id "Bad_ID"`
	if _, err := DecodeDocument(context.Background(), "m.yml", doc); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("DecodeDocument: %v; want %s", err, want)
	}
	specs, err := DecodeDocumentWith(context.Background(), "m.yml", doc, DecodeOptions{Validated: true})
	if err != nil || len(specs) != 1 {
		t.Fatalf("DecodeDocumentWith validated: %v, %d specs", err, len(specs))
	}
	if _, err := CompileWith(specs, CompileOptions{Validated: func(int) bool { return true }}); err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("CompileWith: %v; want %s", err, want)
	}
	// Strict decoding is not skipped.
	doc, err = yamldoc.Parse([]byte("ai_tools:\n  - {id: x, mesage: ['generated']}\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecodeDocumentWith(context.Background(), "m.yml", doc, DecodeOptions{Validated: true}); err == nil || !strings.Contains(err.Error(), "mesage") {
		t.Fatalf("DecodeDocumentWith of an unknown key: %v; want an error naming it", err)
	}
}
