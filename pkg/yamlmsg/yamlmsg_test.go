package yamlmsg

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

func TestDescribe(t *testing.T) {
	node := func(src string) *yaml.Node {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Content[0]
	}
	tests := []struct {
		n    *yaml.Node
		want string
	}{
		{nil, "nothing"},
		{node("{a: 1}"), "a mapping"},
		{node("[1]"), "a list"},
		{node("~"), "nothing"},
		{node("hi"), `the string "hi"`},
		{node("42"), `"42"`},
		{node("\"a\\x1bb\""), `the string "a\x1bb"`},
	}
	for _, tc := range tests {
		if got := Describe(tc.n); got != tc.want {
			t.Errorf("Describe = %q, want %q", got, tc.want)
		}
	}
}

func TestQuoteCuts(t *testing.T) {
	got := Quote(strings.Repeat("é", 100))
	if want := `"` + strings.Repeat("é", 60) + `"…`; got != want {
		t.Errorf("Quote = %q, want %q", got, want)
	}
}
