package scan

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/ruleset"
)

// TestMatchLineWindows: a very long line is matched in windows; every
// match is found once, with offsets and detail columns of the whole line,
// also across window boundaries and with multi-byte characters before it.
func TestMatchLineWindows(t *testing.T) {
	set := parseRules(t, keyRules+`  - {id: bidi, severity: block, message: m, content: {unicode: [bidi]}}
`)
	e := New(nil, set, Options{})
	key := "AKIAZ7VRSQ5TLXKE4N2P"
	pad := func(n int) string { return strings.Repeat("é", n/2) } // 2 bytes, 1 character each
	tests := []struct {
		name string
		line string
	}{
		{"short line", "x " + key},
		{"key across the first boundary", pad(windowSize-10) + key + " tail"},
		{"key at a window start", pad(windowSize) + key + pad(3*windowSize)},
		{"keys in many windows and a bidi control", strings.Repeat(pad(windowSize/2+6)+" "+key+" ", 9) + "\u202e" + pad(100)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line := []byte(tc.line)
			var want, got []string
			e.matcher.MatchLine(line, 1, nil, func(m ruleset.LineMatch) {
				want = append(want, fmt.Sprintf("%s %d-%d %s", m.Rule.ID, m.Start, m.End, m.Detail))
			})
			chk := ctxCheck{ctx: context.Background()}
			if err := e.matchLine(&chk, line, 1, nil, nil, func(m ruleset.LineMatch) {
				got = append(got, fmt.Sprintf("%s %d-%d %s", m.Rule.ID, m.Start, m.End, m.Detail))
			}); err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 {
				t.Fatal("the test line matches nothing")
			}
			// Windows report in window order, not rule order.
			if diff := cmp.Diff(sortedCopy(want), sortedCopy(got)); diff != "" {
				t.Errorf("matches (-whole line +windows):\n%s", diff)
			}
		})
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// TestRunHonoursDeadlineInsideAFile: a file whose lines all carry rule
// keywords is stopped by the deadline inside the file, and Run returns
// what it found before, with the error. The file is 40 MB (MaxFileSize
// raised for it): 8 s of matching as lines, 13 s as one line, on the
// 2-core machine this was written on, so that the 300 ms deadline falls
// inside it on any machine (4 MB took 0.7 s once the scan got faster).
func TestRunHonoursDeadlineInsideAFile(t *testing.T) {
	// The keywords, and a run of letters and digits long enough for the
	// secret shapes, so that the rules do run their regexes (a line
	// without such a run skips most of them: ruleset's required runs).
	kw := "akia asia abia acca ghp_ gho_ xoxb- xoxp- sk_live_ rk_live_ glpat- npm_ pypi- hf_ sk-ant-api password secret token api_key apikey private key eyj " +
		"Zq8xR2mN7vL4kP9wT3yB6cH1aQ5sD0fG8hJ2kL4zX6cV8bN1mQ3wE5rT7yU9iO0pA2sD4fG6hJ8kL0zX2cV4bN6mQ8wE0rT2y "
	tests := []struct {
		name string
		slow string
	}{
		{"many keyword lines", strings.Repeat(strings.Repeat(kw, 8)+"\n", 20000)},
		{"one very long line", strings.Repeat(kw, 8*20000) + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newTestRepo(t)
			first := r.commit("key", map[string]string{"a.txt": "k = AKIAZ7VRSQ5TLXKE4N2P\n"})
			r.commit("slow", map[string]string{"slow.txt": tc.slow})
			tip := r.commit("after", map[string]string{"b.txt": "b\n"})
			set := loadEmbedded(t)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			res, err := New(r.store(), set, Options{MaxFileSize: 64 << 20}).Run(ctx, []Tip{{"refs/heads/main", tip}}, nil)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("err = %v, want the deadline", err)
			}
			if !strings.Contains(err.Error(), "scan stopped after 1 of 3 commits, in commit") {
				t.Errorf("err = %q, want it to say where the scan stopped", err)
			}
			if res == nil {
				t.Fatal("no partial result")
			}
			var found bool
			for _, f := range res.Findings {
				found = found || (f.Rule.ID == "aws-access-key-id" && f.Commit == first)
			}
			if !found {
				t.Errorf("the finding made before the deadline was discarded: %v", findingKeys(res.Findings))
			}
		})
	}
}
