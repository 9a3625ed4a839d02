package trailers

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLoose(t *testing.T) {
	keys := []string{"Co-authored-by", "Amp-Thread-ID", "Assisted-by"}
	tests := []struct {
		name string
		msg  string
		want []string // "line:Key=Value"
	}{
		{"none", "subject\n\nbody\n", nil},
		{"trailer block", "s\n\nCo-authored-by: A <a@x.io>\n", []string{"3:Co-authored-by=A <a@x.io>"}},
		{"flattened onto the subject, two of them", "Fix x Co-authored-by: A <a@x.io> co-authored-by: B <b@y.io>",
			[]string{"1:Co-authored-by=A <a@x.io>", "1:co-authored-by=B <b@y.io>"}},
		{"indented", "s\n\n    Co-authored-by: A <a@x.io>\n    Co-authored-by: B <b@y.io>\n",
			[]string{"3:Co-authored-by=A <a@x.io>", "4:Co-authored-by=B <b@y.io>"}},
		{"blanks before the colon", "s\n\nCo-authored-by : A <a@x.io>\n", []string{"3:Co-authored-by=A <a@x.io>"}},
		{"empty value takes the next line", "s\n\nAmp-Thread-ID:\nhttps://ampcode.com/threads/T-1\n", []string{"3:Amp-Thread-ID=https://ampcode.com/threads/T-1"}},
		{"address wrapped", "s\n\nCo-authored-by: Claude Opus 4.6\n<noreply@anthropic.com>\n", []string{"3:Co-authored-by=Claude Opus 4.6 <noreply@anthropic.com>"}},
		{"git folding (deeper indent)", "s\n\nCo-authored-by: Claude Opus 4.6\n  (1M context) <noreply@anthropic.com>\n", []string{"3:Co-authored-by=Claude Opus 4.6 (1M context) <noreply@anthropic.com>"}},
		{"next line is another trailer", "s\n\nAmp-Thread-ID:\nCo-authored-by: A <a@x.io>\n", []string{"4:Co-authored-by=A <a@x.io>"}},
		{"value with an address is complete", "s\n\nCo-authored-by: A <a@x.io>\n<b@y.io>\n", []string{"3:Co-authored-by=A <a@x.io>"}},
		{"key inside a longer key", "s\n\nX-Co-authored-by: A <a@x.io>\nNotAssisted-by: x\n", nil},
		{"key without a colon", "s\n\nCo-authored-by A <a@x.io>\n", nil},
		{"empty value at the end", "s\n\nAssisted-by:", nil},
		{"CRLF", "s\r\n\r\nAssisted-by: Crush:glm-5\r\n", []string{"3:Assisted-by=Crush:glm-5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, tr := range Loose(tt.msg, keys) {
				got = append(got, strconv.Itoa(tr.Line)+":"+tr.Key+"="+tr.Value)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if got := Loose("s\n\nCo-authored-by: A <a@x.io>\n", nil); got != nil {
		t.Errorf("no keys: %v", got)
	}
}

// FuzzLoose checks that Loose never panics and that each trailer names
// one of the keys on its line, with a trimmed, non-empty value.
func FuzzLoose(f *testing.F) {
	f.Add("Fix x Co-authored-by: A <a@x.io> Co-authored-by: B <b@y.io>")
	f.Add("s\n\nAmp-Thread-ID:\nhttps://ampcode.com/threads/T-1\n")
	f.Add("s\n\n  Co-authored-by: Claude\n    <noreply@anthropic.com>\r\n")
	keys := []string{"Co-authored-by", "Amp-Thread-ID"}
	f.Fuzz(func(t *testing.T, msg string) {
		lines := strings.Split(msg, "\n")
		for _, tr := range Loose(msg, keys) {
			if tr.Line < 1 || tr.Line > len(lines) {
				t.Fatalf("trailer %+v: line out of range", tr)
			}
			if !strings.Contains(lines[tr.Line-1], tr.Key) {
				t.Fatalf("trailer %+v: key not on its line %q", tr, lines[tr.Line-1])
			}
			if tr.Value == "" || trim(tr.Value) != tr.Value {
				t.Fatalf("trailer %+v: empty or untrimmed value", tr)
			}
		}
	})
}
