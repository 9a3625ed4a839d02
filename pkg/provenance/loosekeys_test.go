package provenance

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/trailers"
)

// TestLooseKeys: the keys a message holds the way trailers.Loose reads one
// (the whole run of key bytes before blanks and ':', any case), in the
// order of d.keys; nil when there are none.
func TestLooseKeys(t *testing.T) {
	d := mustDefault(t)
	tests := []struct {
		msg  string
		want []string
	}{
		{"Fix typo", nil},
		{"Fix: typo", nil},
		{"x\n\nSigned-off-by: Ann <ann@example.com>\n", []string{"signed-off-by"}},
		{"x\n\nSIGNED-OFF-BY :Ann\nCo-Authored-By:\tC\n", []string{"co-authored-by", "signed-off-by"}},
		{"x Co-authored-by\t \t: A <a@x> made-with: Cursor", []string{"co-authored-by", "made-with"}},
		{"x\n\nX-Co-authored-by: A\nco-authored-by-x: B\n", nil}, // a longer key is another key
		{"x\n\nCo-authored by: A\nSigned-off-by\n: B\n", nil},    // a space inside, a line break before ':'
		{":Signed-off-by: A:", []string{"signed-off-by"}},
		{"Assisted-by:: x Generated-by::", []string{"assisted-by", "generated-by"}},
		{strings.Repeat("a", 10000) + ":" + strings.Repeat(":", 1000), nil},
		{"x\u00a0Made-with: Cursor", []string{"made-with"}}, // a non-ASCII byte before the key is not a key byte
		{"Made-\u212aith: x", nil}, // U+212A is not an ASCII k: Loose does not read it as one
	}
	for _, tt := range tests {
		t.Run(capText(tt.msg), func(t *testing.T) {
			if diff := cmp.Diff(tt.want, d.looseKeys(tt.msg)); diff != "" {
				t.Errorf("looseKeys (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(trailers.Loose(tt.msg, d.keys), trailers.Loose(tt.msg, d.looseKeys(tt.msg))); diff != "" {
				t.Errorf("Loose with the keys found differs from Loose with all keys (-all +found):\n%s", diff)
			}
		})
	}
}

// looseKeysAgree fails when trailers.Loose finds other trailers in msg
// given only d.looseKeys(msg) than given every key.
func looseKeysAgree(t *testing.T, d *Detector, msg string) {
	t.Helper()
	all := trailers.Loose(msg, d.keys)
	keys := d.looseKeys(msg)
	if diff := cmp.Diff(all, trailers.Loose(msg, keys)); diff != "" {
		t.Fatalf("%q: Loose with keys %q differs from Loose with all keys (-all +found):\n%s", msg, keys, diff)
	}
}

// TestLooseKeysAgreeOnGin: on every message of gin and of the corpus, in
// upper case, flattened with literal "\n" and flattened onto one line,
// Loose given looseKeys finds exactly what it finds given every key.
func TestLooseKeysAgreeOnGin(t *testing.T) {
	d := mustDefault(t)
	var msgs []string
	for _, in := range ginCommits(t) {
		msgs = append(msgs, in.Message)
	}
	for _, c := range loadCorpus(t) {
		msgs = append(msgs, c.Message)
	}
	found := 0
	for _, m := range msgs {
		for _, v := range []string{m, strings.ToUpper(m), strings.ReplaceAll(m, "\n", `\n`), strings.ReplaceAll(m, "\n", " ")} {
			looseKeysAgree(t, d, v)
			if len(trailers.Loose(v, d.keys)) > 0 {
				found++
			}
		}
	}
	if found < 500 {
		t.Errorf("Loose found trailers in %d messages only: the test checks little", found)
	}
}

// FuzzLooseKeys: Loose given looseKeys finds what it finds given every key.
func FuzzLooseKeys(f *testing.F) {
	for _, s := range []string{"x\n\nSigned-off-by: A", "Co-authored-by\t: B made-with:C", "-Assisted-by:", "a:b:c"} {
		f.Add(s)
	}
	d := mustDefault(f)
	f.Fuzz(func(t *testing.T, msg string) {
		looseKeysAgree(t, d, msg)
	})
}
