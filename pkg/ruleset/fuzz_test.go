package ruleset

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"

	"github.com/pushguard/pushguard/rules"
)

// FuzzParse checks that Parse never panics on arbitrary input and that what
// it accepts is usable: every problem names the file, accepted rules are
// well formed, and sets built from them run their tests and match lines
// without panicking. Seeds: the embedded rule files and testdata/fuzz.
func FuzzParse(f *testing.F) {
	entries, err := fs.ReadDir(rules.FS, ".")
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		data, err := fs.ReadFile(rules.FS, e.Name())
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := Parse("fuzz.yml", data)
		if err != nil {
			if rs != nil {
				t.Errorf("Parse returned %d rules and an error", len(rs))
			}
			for _, e := range Errors(err) {
				if e.File != "fuzz.yml" || e.Msg == "" {
					t.Errorf("problem without file or message: %+v", e)
				}
			}
			return
		}
		for _, r := range rs {
			if !idPattern().MatchString(r.ID) {
				t.Errorf("accepted rule with id %q", r.ID)
			}
			if !r.Disabled && (r.Severity.Rank() == 0 || r.Message == "") {
				t.Errorf("accepted rule %q with severity %q and message %q", r.ID, r.Severity, r.Message)
			}
			if !strings.HasPrefix(r.Source, "fuzz.yml:") {
				t.Errorf("rule %q has source %q", r.ID, r.Source)
			}
			if l := r.Level(); l < LevelCommit || l > LevelLine {
				t.Errorf("rule %q has level %v", r.ID, l)
			}
		}
		s := NewSet(rs)
		s.RunTests()
		m := s.NewLineMatcher()
		for _, line := range bytes.Split(data, []byte("\n")) {
			m.Match(line, nil, func(r *Rule, start, end int) {
				if start < 0 || start >= end || end > len(line) {
					t.Errorf("rule %q: match [%d:%d] in a line of %d bytes", r.ID, start, end, len(line))
				}
			})
		}
		for _, r := range s.Rules {
			r.MatchRef("refs/heads/main")
			r.MatchFile(&FileInfo{Path: "a/b.go", Status: "added"})
			r.MatchCommit(&CommitInfo{Message: string(data)})
		}
	})
}
