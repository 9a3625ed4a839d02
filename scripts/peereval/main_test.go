package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A detector test in trufflehog's styles: a table whose inputs are literals,
// constants, concatenations and fmt.Sprintf; and a table-less test.
const truffleSrc = "package acme\n" + `
import "fmt"

var (
	validKey   = "Ab3dE5fG7hJ9kL1mN3pQ5rS7"
	invalidKey = "Ab3dE5fG7hJ9kL1mN3pQ5rS?"
	keyword    = "acme"
)

const prefix = "acme_"

func TestAcme_Pattern(t *testing.T) {
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{
			name:  "valid pattern - with keyword acme",
			input: fmt.Sprintf("%s token = '%s'", keyword, validKey),
			want:  []string{validKey},
		},
		{
			name:  "valid pattern - concatenated",
			input: prefix + "key=" + validKey,
			want:  []string{validKey},
		},
		{
			name: "valid pattern - out of prefix range",
			input: ` + "`" + `
				[INFO] acme
				[DEBUG] key=Ab3dE5fG7hJ9kL1mN3pQ5rS7
			` + "`" + `,
			want: nil,
		},
		{
			name:  "invalid pattern",
			input: fmt.Sprintf("%s token = '%s'", keyword, invalidKey),
			want:  []string{},
		},
		{
			name:  "unresolvable input",
			input: someFunc(),
			want:  []string{"x"},
		},
	}
	_ = tests
}

func TestAcme_PatternSingle(t *testing.T) {
	input := "ACME_KEY=" + validKey
	want := []string{validKey}
	_, _ = input, want
}

func TestAcme_FromData(t *testing.T) {
	tests := []struct{ input string; want []string }{{input: "not a pattern test", want: []string{"y"}}}
	_ = tests
}
`

func TestExtractTruffle(t *testing.T) {
	got := extractTruffle([]byte(truffleSrc), "acme")
	want := []sample{
		{Suite: "trufflehog", Family: "acme", Kind: "pos", Name: "valid pattern - with keyword acme", Text: "acme token = 'Ab3dE5fG7hJ9kL1mN3pQ5rS7'"},
		{Suite: "trufflehog", Family: "acme", Kind: "pos", Name: "valid pattern - concatenated", Text: "acme_key=Ab3dE5fG7hJ9kL1mN3pQ5rS7"},
		{Suite: "trufflehog", Family: "acme", Kind: "neg", Name: "valid pattern - out of prefix range", Text: "\n\t\t\t\t[INFO] acme\n\t\t\t\t[DEBUG] key=Ab3dE5fG7hJ9kL1mN3pQ5rS7\n\t\t\t"},
		{Suite: "trufflehog", Family: "acme", Kind: "neg", Name: "invalid pattern", Text: "acme token = 'Ab3dE5fG7hJ9kL1mN3pQ5rS?'"},
		{Suite: "trufflehog", Family: "acme", Kind: "pos", Name: "TestAcme_PatternSingle", Text: "ACME_KEY=Ab3dE5fG7hJ9kL1mN3pQ5rS7"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("extractTruffle (-want +got):\n%s", diff)
	}
}

func TestDedent(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"indented raw string", "\n\t\t[INFO] a\n\t\t\tkey: v\n\t", "[INFO] a\n  key: v"},
		{"first line on the backquote's line", "# config.yaml\n\t\tapi:\n\t\t\tkey: v\n", "# config.yaml\napi:\n  key: v"},
		{"one line", "k = 'v'", "k = 'v'"},
		{"spaces", "\n    a\n      b\n", "a\n  b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := dedent(tt.in); got != tt.want {
				t.Errorf("dedent(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPlace(t *testing.T) {
	tests := []struct {
		text, file string
		start      int // the sample's first line in its file
	}{
		{`{"k": "v"}`, "config/settings.json", 1},
		{"[{\n\"a\": 1}]", "config/settings.json", 1},
		{"[INFO] sending\n[DEBUG] key=v", "logs/service.log", 1},
		{"<k>v</k>", "config/credentials.xml", 1},
		{"# c\napi:\n  key: v", "config/service.yaml", 2},
		{"API_KEY=v", "config/service.conf", 2},
		{"token := \"v\"", "internal/client/client.go", 2},
		{"curl -u a:b https://x", "scripts/deploy.sh", 3},
		{"acme token = 'v'", "docs/notes.txt", 3},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rel, pre, _ := place(sample{Suite: "s", Family: "f", Kind: "pos"}, tt.text, 7)
			if want := "s/f/pos-00007/" + tt.file; rel != want {
				t.Errorf("place(%q) file = %q, want %q", tt.text, rel, want)
			}
			if got := countLines(pre) + 1; got != tt.start {
				t.Errorf("place(%q) starts at line %d, want %d", tt.text, got, tt.start)
			}
		})
	}
	rel, _, _ := place(sample{Suite: "gitleaks", Family: "pypi", Kind: "pos", Path: "../../etc/.pypirc"}, "x", 1)
	if want := "gitleaks/pypi/pos-00001/etc/.pypirc"; rel != want {
		t.Errorf("a sample's own path escapes its directory: %q, want %q", rel, want)
	}
}

func TestSubKind(t *testing.T) {
	src := "tps := []string{\"acme_token = \\\"Ab3dE5\\\"\"}\nfps := []string{`raw\nsample`}"
	tests := []struct {
		s    sample
		want string
	}{
		{sample{Suite: "gitleaks", Kind: "pos", Text: `acme_token = "Ab3dE5"`}, "literal"},
		{sample{Suite: "gitleaks", Kind: "neg", Text: "raw\nsample"}, "literal"},
		{sample{Suite: "gitleaks", Kind: "pos", Text: "acme_token = \"Zq9\""}, "generated"},
		{sample{Suite: "trufflehog", Kind: "neg", Name: "invalid pattern"}, "invalid"},
		{sample{Suite: "trufflehog", Kind: "neg", Name: "valid pattern - out of prefix range"}, "keyword far"},
		{sample{Suite: "trufflehog", Kind: "neg", Name: "entropy below threshold"}, "other"},
		{sample{Suite: "trufflehog", Kind: "pos", Name: "valid pattern"}, ""},
	}
	for _, tt := range tests {
		if got := subKind(tt.s, src); got != tt.want {
			t.Errorf("subKind(%+v) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

func countLines(s string) int {
	n := 0
	for _, c := range s {
		if c == '\n' {
			n++
		}
	}
	return n
}
