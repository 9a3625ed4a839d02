package ruleset

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mustParse parses rule YAML given as the body of a rules list.
func mustParse(t testing.TB, body string) []*Rule {
	t.Helper()
	rules, err := Parse("t.yml", []byte("rules:\n"+body))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return rules
}

// mustRule parses one rule given as a YAML flow mapping body.
func mustRule(t testing.TB, flow string) *Rule {
	t.Helper()
	return mustParse(t, "  - {id: r, severity: warn, message: m, "+flow+"}\n")[0]
}

func TestLevelAndRedact(t *testing.T) {
	tests := []struct {
		flow       string
		want       Level
		wantRedact bool
	}{
		{`commit: {message: wip}`, LevelCommit, false},
		{`refs: {include: [refs/heads/main]}, commit: {trailers_absent: [Signed-off-by]}`, LevelCommit, false},
		{`paths: {include: ["*.pem"]}`, LevelFile, false},
		{`file: {size_min: 5MB}`, LevelFile, false},
		{`file: {binary: true}, commit: {message: x}`, LevelFile, false},
		{`content: {regex: x}`, LevelLine, true},
		{`content: {regex: x}, paths: {include: ["*.go"]}, commit: {message: x}`, LevelLine, true},
		{`content: {regex: x}, redact: false`, LevelLine, false},
		{`paths: {include: ["*.pem"]}, redact: true`, LevelFile, true},
	}
	for _, tt := range tests {
		r := mustRule(t, tt.flow)
		if got := r.Level(); got != tt.want {
			t.Errorf("{%s}.Level() = %v; want %v", tt.flow, got, tt.want)
		}
		if r.HasContent() != (tt.want == LevelLine) {
			t.Errorf("{%s}.HasContent() = %v", tt.flow, r.HasContent())
		}
		if r.Redact != tt.wantRedact {
			t.Errorf("{%s}.Redact = %v; want %v", tt.flow, r.Redact, tt.wantRedact)
		}
	}
}

func TestLevelString(t *testing.T) {
	for l, want := range map[Level]string{LevelCommit: "commit", LevelFile: "file", LevelLine: "line", 0: "Level(0)"} {
		if got := l.String(); got != want {
			t.Errorf("Level(%d).String() = %q; want %q", int(l), got, want)
		}
	}
}

func TestSeverityRank(t *testing.T) {
	for s, want := range map[Severity]int{SeverityBlock: 3, SeverityWarn: 2, SeverityInfo: 1, "": 0, "Block": 0} {
		if got := s.Rank(); got != want {
			t.Errorf("Severity(%q).Rank() = %d; want %d", s, got, want)
		}
	}
}

func TestMatchRef(t *testing.T) {
	tests := []struct {
		refs string // flow YAML of the refs key, "" for none
		ref  string
		want bool
	}{
		{"", "refs/heads/anything", true},
		{"{include: [refs/heads/main]}", "refs/heads/main", true},
		{"{include: [refs/heads/main]}", "refs/heads/main2", false},
		{"{include: [refs/heads/main]}", "refs/tags/main", false},
		{"{include: [refs/heads/*]}", "refs/heads/feature/x", false},
		{"{include: [refs/heads/**]}", "refs/heads/feature/x", true},
		{"{include: ['refs/heads/{main,release-*}']}", "refs/heads/release-1.2", true},
		{"{include: ['refs/tags/v*']}", "refs/tags/v1.0.0", true},
		{"{exclude: ['refs/heads/wip/**']}", "refs/heads/wip/mine", false},
		{"{exclude: ['refs/heads/wip/**']}", "refs/heads/main", true},
		{"{include: ['refs/heads/**'], exclude: ['refs/heads/dependabot/**']}", "refs/heads/dependabot/npm/x", false},
		{"{include: ['**/main']}", "refs/heads/main", true},
	}
	for _, tt := range tests {
		flow := "commit: {message: x}"
		if tt.refs != "" {
			flow += ", refs: " + tt.refs
		}
		if got := mustRule(t, flow).MatchRef(tt.ref); got != tt.want {
			t.Errorf("refs %s: MatchRef(%q) = %v; want %v", tt.refs, tt.ref, got, tt.want)
		}
	}
}

func TestMatchFile(t *testing.T) {
	tests := []struct {
		flow string
		f    FileInfo
		want bool
	}{
		// No paths or file condition: every file, whatever its status.
		{`content: {regex: x}`, FileInfo{Path: "a.go", Status: "deleted"}, true},
		// Paths follow .gitignore: no slash = any depth.
		{`paths: {include: ["*.pem"]}`, FileInfo{Path: "key.pem", Status: "added"}, true},
		{`paths: {include: ["*.pem"]}`, FileInfo{Path: "deploy/certs/key.pem", Status: "added"}, true},
		{`paths: {include: ["*.pem"]}`, FileInfo{Path: "key.pem.txt", Status: "added"}, false},
		// A slash anchors at the root.
		{`paths: {include: ["config/*.yml"]}`, FileInfo{Path: "config/prod.yml", Status: "added"}, true},
		{`paths: {include: ["config/*.yml"]}`, FileInfo{Path: "app/config/prod.yml", Status: "added"}, false},
		{`paths: {include: ["/Makefile"]}`, FileInfo{Path: "Makefile", Status: "added"}, true},
		{`paths: {include: ["/Makefile"]}`, FileInfo{Path: "sub/Makefile", Status: "added"}, false},
		// A trailing slash is everything below a directory, at any depth.
		{`paths: {include: ["secrets/"]}`, FileInfo{Path: "app/secrets/db/pass.txt", Status: "added"}, true},
		{`paths: {include: ["secrets/"]}`, FileInfo{Path: "secrets.txt", Status: "added"}, false},
		{`paths: {include: ["**/testdata/**"]}`, FileInfo{Path: "pkg/x/testdata/a.pem", Status: "added"}, true},
		{`paths: {include: ["*.{pem,key}"], exclude: ["**/testdata/**"]}`, FileInfo{Path: "a/testdata/k.key", Status: "added"}, false},
		{`paths: {include: ["*.{pem,key}"], exclude: ["**/testdata/**"]}`, FileInfo{Path: "a/k.key", Status: "modified"}, true},
		{`paths: {exclude: ["vendor/"]}`, FileInfo{Path: "vendor/x/y.go", Status: "added"}, false},
		{`paths: {exclude: ["vendor/"]}`, FileInfo{Path: "main.go", Status: "added"}, true},
		// Case matters (git paths are case-sensitive).
		{`paths: {include: ["*.pem"]}`, FileInfo{Path: "KEY.PEM", Status: "added"}, false},
		// Size and binary.
		{`file: {size_min: 5MB}`, FileInfo{Path: "a.bin", Status: "added", Size: 5_000_000}, true},
		{`file: {size_min: 5MB}`, FileInfo{Path: "a.bin", Status: "added", Size: 4_999_999}, false},
		{`file: {size_min: 5MiB}`, FileInfo{Path: "a.bin", Status: "added", Size: 5_000_000}, false},
		{`file: {binary: true}`, FileInfo{Path: "a.bin", Status: "added", Binary: true}, true},
		{`file: {binary: true}`, FileInfo{Path: "a.txt", Status: "added"}, false},
		{`file: {binary: false}, paths: {include: ["*.txt"]}`, FileInfo{Path: "a.txt", Status: "added"}, true},
		{`file: {binary: true, size_min: 1KB}`, FileInfo{Path: "a", Status: "added", Binary: true, Size: 999}, false},
		// Explicit statuses.
		{`paths: {include: ["*.pem"]}, file: {status: [deleted]}`, FileInfo{Path: "k.pem", Status: "deleted"}, true},
		{`paths: {include: ["*.pem"]}, file: {status: [deleted]}`, FileInfo{Path: "k.pem", Status: "added"}, false},
		{`file: {status: [added]}`, FileInfo{Path: "k", Status: "modified"}, false},
		{`file: {status: [added, renamed]}`, FileInfo{Path: "k", Status: "renamed"}, true},
		// An unknown status matches no rule with file conditions.
		{`paths: {include: ["*"]}`, FileInfo{Path: "k", Status: ""}, false},
		{`file: {status: [added, modified, deleted, renamed]}`, FileInfo{Path: "k", Status: "copied"}, false},
	}
	for _, tt := range tests {
		r := mustRule(t, tt.flow)
		if got := r.MatchFile(&tt.f); got != tt.want {
			t.Errorf("{%s}.MatchFile(%+v) = %v; want %v", tt.flow, tt.f, got, tt.want)
		}
		// The split form a history scan uses: the path once, the rest
		// per file.
		if got := r.MatchPath(tt.f.Path) && r.MatchFileAfterPath(&tt.f); got != tt.want {
			t.Errorf("{%s}: MatchPath && MatchFileAfterPath(%+v) = %v; want %v", tt.flow, tt.f, got, tt.want)
		}
	}
}

func TestDefaultStatus(t *testing.T) {
	// Without file.status, rules with paths or file conditions apply to
	// added, modified and renamed files, never to deleted ones.
	rules := map[string]*Rule{
		"paths":        mustRule(t, `paths: {include: ["*.pem"]}`),
		"file":         mustRule(t, `file: {binary: false}`),
		"paths+status": mustRule(t, `paths: {include: ["*.pem"]}, file: {size_min: "0"}`),
	}
	want := map[string]bool{"added": true, "modified": true, "renamed": true, "deleted": false}
	for name, r := range rules {
		for status, w := range want {
			if got := r.MatchFile(&FileInfo{Path: "k.pem", Status: status}); got != w {
				t.Errorf("%s rule: MatchFile(status %s) = %v; want %v", name, status, got, w)
			}
		}
	}
}

func TestMatchCommit(t *testing.T) {
	signed := map[string][]string{"signed-off-by": {"A <a@example.com>"}}
	tests := []struct {
		flow string
		c    CommitInfo
		want bool
	}{
		{`paths: {include: ["x"]}`, CommitInfo{}, true},
		{`commit: {message: '(?i)^wip\b'}`, CommitInfo{Message: "WIP: try"}, true},
		{`commit: {message: '(?i)^wip\b'}`, CommitInfo{Message: "fix wip handling"}, false},
		{`commit: {message: '(?m)^DO NOT MERGE$'}`, CommitInfo{Message: "subject\n\nDO NOT MERGE\n"}, true},
		{`commit: {trailers_absent: [Signed-off-by]}`, CommitInfo{Message: "x"}, true},
		{`commit: {trailers_absent: [Signed-off-by]}`, CommitInfo{Message: "x", Trailers: signed}, false},
		{`commit: {trailers_present: [signed-off-by]}`, CommitInfo{Trailers: signed}, true},
		{`commit: {trailers_present: [Signed-off-by, Reviewed-by]}`, CommitInfo{Trailers: signed}, false},
		{`commit: {trailers_present: [Signed-off-by], trailers_absent: [Co-authored-by]}`, CommitInfo{Trailers: signed}, true},
		{`commit: {author_email: '@example\.com$'}`, CommitInfo{AuthorEmail: "a@example.com"}, true},
		{`commit: {author_email: '@example\.com$'}`, CommitInfo{AuthorEmail: "a@example.org", CommitterEmail: "c@example.com"}, false},
		{`commit: {committer_email: '^noreply@'}`, CommitInfo{CommitterEmail: "noreply@github.com"}, true},
		{`commit: {author_name: '^dependabot', committer_name: 'GitHub'}`, CommitInfo{AuthorName: "dependabot[bot]", CommitterName: "GitHub"}, true},
		{`commit: {author_name: '^dependabot', committer_name: 'GitHub'}`, CommitInfo{AuthorName: "dependabot[bot]", CommitterName: "Jane"}, false},
	}
	for _, tt := range tests {
		if got := mustRule(t, tt.flow).MatchCommit(&tt.c); got != tt.want {
			t.Errorf("{%s}.MatchCommit(%+v) = %v; want %v", tt.flow, tt.c, got, tt.want)
		}
	}
}

func TestNewSet(t *testing.T) {
	defaults := mustParse(t, `
  - {id: a, severity: block, message: default a, content: {regex: a}}
  - {id: b, severity: block, message: default b, content: {regex: b}}
  - {id: c, severity: block, message: default c, content: {regex: c}}
`)
	admin := mustParse(t, `
  - {id: b, severity: warn, message: admin b, content: {regex: bb}}
  - {id: c, disabled: true}
  - {id: d, severity: info, message: admin d, commit: {message: d}}
  - {id: nosuch, disabled: true}
`)
	again := mustParse(t, `
  - {id: c, severity: info, message: back c, content: {regex: c}}
  - {id: a, disabled: true}
`)
	tests := []struct {
		name  string
		lists [][]*Rule
		want  []string // id:message
	}{
		{"defaults only", [][]*Rule{defaults}, []string{"a:default a", "b:default b", "c:default c"}},
		{"override keeps position, disable removes", [][]*Rule{defaults, admin}, []string{"a:default a", "b:admin b", "d:admin d"}},
		{"re-added after disable goes last", [][]*Rule{defaults, admin, again}, []string{"b:admin b", "d:admin d", "c:back c"}},
		{"disable before define has no effect", [][]*Rule{again[1:], defaults}, []string{"a:default a", "b:default b", "c:default c"}},
		{"nothing", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewSet(tt.lists...)
			var got []string
			for i, r := range s.Rules {
				got = append(got, r.ID+":"+r.Message)
				if r.Index != i {
					t.Errorf("Rules[%d].Index = %d", i, r.Index)
				}
				if r.Disabled {
					t.Errorf("Rules[%d] is disabled", i)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		})
	}
	// Sets copy the rules: building one set does not renumber another's.
	s1 := NewSet(defaults)
	_ = NewSet(defaults[2:], defaults)
	for i, r := range s1.Rules {
		if r.Index != i {
			t.Errorf("s1.Rules[%d].Index = %d after building another set", i, r.Index)
		}
	}
	if got := s1.Rules[1].String(); got != "b (t.yml:4)" {
		t.Errorf("String() = %q; want %q", got, "b (t.yml:4)")
	}
	if r := s1.Lookup("b"); r == nil || r.Message != "default b" {
		t.Errorf("Lookup(b) = %v", r)
	}
	if r := s1.Lookup("zz"); r != nil {
		t.Errorf("Lookup(zz) = %v; want nil", r)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		want    int64
		wantErr string
	}{
		{"0", 0, ""},
		{"1024", 1024, ""},
		{"100KB", 100_000, ""},
		{"100kb", 100_000, ""},
		{"100KiB", 102_400, ""},
		{"100kib", 102_400, ""},
		{"5MB", 5_000_000, ""},
		{"5MiB", 5 << 20, ""},
		{"5 MiB", 5 << 20, ""},
		{" 1GB ", 1_000_000_000, ""},
		{"1GiB", 1 << 30, ""},
		{"2TB", 2_000_000_000_000, ""},
		{"1TiB", 1 << 40, ""},
		{"512B", 512, ""},
		{"", 0, `invalid size "": expected a whole number of bytes with an optional unit, such as 1024, 100KB or 5MiB`},
		{"MB", 0, `invalid size "MB": expected a whole number`},
		{"-5", 0, `invalid size "-5": expected a whole number`},
		{"1.5MB", 0, `invalid size "1.5MB": fractions are not supported`},
		{"5M", 0, `invalid size "5M": unknown unit "M"`},
		{"5 mbytes", 0, `invalid size "5 mbytes": unknown unit " mbytes"`},
		{"99999999999999999999", 0, `invalid size "99999999999999999999": number too large`},
		{"9000000TiB", 0, `invalid size "9000000TiB": too large`},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("ParseSize(%q) error = %v; want prefix %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestEntropy(t *testing.T) {
	tests := []struct {
		in   string
		want float64
	}{
		{"", 0},
		{"a", 0},
		{"aaaaaaaa", 0},
		{"ab", 1},
		{"abab", 1},
		{"abcd", 2},
		{"0123456789abcdef", 4},
		{"aab", 0.9182958340544896},
	}
	for _, tt := range tests {
		if got := Entropy([]byte(tt.in)); got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("Entropy(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	if got := Entropy(all); got != 8 {
		t.Errorf("Entropy(all bytes) = %v; want 8", got)
	}
}

func TestParseTrailers(t *testing.T) {
	tests := []struct {
		msg  string
		want map[string][]string
	}{
		{"fix: a bug", nil},
		{"subject\n\nbody text", nil},
		{"subject\n\nSigned-off-by: A <a@x>\n", map[string][]string{"signed-off-by": {"A <a@x>"}}},
		{"subject\n\nbody\n\nSigned-off-by: A <a@x>\nCo-authored-by: B <b@x>\nSigned-off-by: C <c@x>",
			map[string][]string{"signed-off-by": {"A <a@x>", "C <c@x>"}, "co-authored-by": {"B <b@x>"}}},
		{"subject\r\n\r\nReviewed-by: R\r\n", map[string][]string{"reviewed-by": {"R"}}},
		{"subject\n\nNote: long\n  continued\n", map[string][]string{"note": {"long continued"}}},
		{"subject\n\nSigned-off-by: A\nnot a trailer line\n", nil},
	}
	for _, tt := range tests {
		got := parseTrailers(tt.msg)
		if len(got) == 0 {
			got = nil
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("parseTrailers(%q) (-want +got):\n%s", tt.msg, diff)
		}
	}
}

func TestPathsKey(t *testing.T) {
	rs := mustParse(t, `
  - {id: a, severity: warn, message: m, paths: {include: ["*.go"], exclude: ["vendor/"]}}
  - {id: b, severity: warn, message: m, paths: {include: ["*.go"], exclude: ["vendor/"]}}
  - {id: c, severity: warn, message: m, paths: {include: ["*.go", "vendor/"]}}
  - {id: d, severity: warn, message: m, paths: {exclude: ["*.go", "vendor/"]}}
  - {id: e, severity: warn, message: m, content: {regex: x}}
`)
	keys := map[string]string{}
	for _, r := range rs {
		keys[r.ID] = r.PathsKey()
	}
	if keys["a"] != keys["b"] || keys["a"] == "" {
		t.Errorf("same patterns, keys %q and %q", keys["a"], keys["b"])
	}
	if keys["a"] == keys["c"] || keys["c"] == keys["d"] || keys["a"] == keys["d"] {
		t.Errorf("different conditions share a key: %q", keys)
	}
	if keys["e"] != "" {
		t.Errorf("no paths condition: key %q, want empty", keys["e"])
	}
}
