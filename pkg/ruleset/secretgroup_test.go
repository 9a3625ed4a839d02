package ruleset

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSecretGroup: with content.secret_group the match is the group;
// stopwords and allow regexes look at the group, not at the key name.
func TestSecretGroup(t *testing.T) {
	set := NewSet(mustParse(t, `
  - id: kv
    severity: block
    message: m
    content:
      regex: '(?i)(client_\w*secret)\s*=\s*"([^"]{8,})"'
      keywords: [secret]
      stopwords: [client, example]
      allow: ['^ALLOWED']
      secret_group: 2
      entropy: {min: 2.5, group: 2}
`))
	m := set.NewLineMatcher()
	tests := []struct {
		line string
		want []string
	}{
		{`client_secret = "Zq7xR2vM9kL4pT8w"`, []string{"kv:Zq7xR2vM9kL4pT8w"}},
		{`client_secret = "my-example-value"`, nil},
		{`client_secret = "ALLOWEDZq7xR2vM9"`, nil},
		{`client_secret = "aaaaaaaaaaaaaaaa"`, nil},
	}
	for _, tt := range tests {
		if got := matchesOf(m, tt.line, nil); !cmp.Equal(got, tt.want) {
			t.Errorf("%s: %q; want %q", tt.line, got, tt.want)
		}
	}
	for _, bad := range []struct{ body, want string }{
		{"{regex: '(a)', secret_group: 2}", "content.secret_group: group 2 does not exist"},
		{"{unicode: [bidi], secret_group: 1}", "content.secret_group: applies to content.regex only"},
	} {
		_, err := Parse("t.yml", []byte("rules:\n  - {id: r, severity: warn, message: m, content: "+bad.body+"}\n"))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s: error %v; want %q", bad.body, err, bad.want)
		}
	}
}
