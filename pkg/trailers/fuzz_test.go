package trailers

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse and Lines never panic and that what they
// return is consistent with the message.
func FuzzParse(f *testing.F) {
	for _, c := range parseCases() {
		f.Add(c.message)
	}
	f.Fuzz(func(t *testing.T, message string) {
		lines := strings.Split(message, "\n")
		check := func(name string, ts []Trailer, letterFirst bool) {
			prev := 0
			for _, tr := range ts {
				if tr.Line <= prev {
					t.Fatalf("%s: line %d after line %d", name, tr.Line, prev)
				}
				prev = tr.Line
				if tr.Line < 1 || tr.Line > len(lines) || !strings.HasPrefix(lines[tr.Line-1], tr.Key) {
					t.Fatalf("%s: trailer %+v: line %d does not start with its key", name, tr, tr.Line)
				}
				if !validKey(tr.Key, letterFirst) {
					t.Fatalf("%s: trailer %+v: invalid key", name, tr)
				}
				if trim(tr.Value) != tr.Value || strings.Contains(tr.Value, "\n") {
					t.Fatalf("%s: trailer %+v: value not trimmed or not folded", name, tr)
				}
			}
		}
		parsed := Parse(message)
		check("Parse", parsed, false)
		found := Lines(message)
		check("Lines", found, true)
		for _, tr := range found {
			if tr.Value == "" {
				t.Fatalf("Lines: trailer %+v has an empty value", tr)
			}
		}

		// What Parse finds, Lines finds too, when they read the same text:
		// no NUL (where Parse stops) and no leading blank line (after which
		// git's title paragraph is empty but Lines still skips a subject).
		if strings.IndexByte(message, 0) >= 0 || message == "" || isBlank(lines[0]) {
			return
		}
		for _, tr := range parsed {
			if tr.Value == "" || !isLetter(tr.Key[0]) {
				continue
			}
			if !contains(found, tr) {
				t.Fatalf("Parse found %+v, Lines did not (Lines: %+v)", tr, found)
			}
		}
	})
}

// validKey reports whether key is made of ASCII letters, digits and '-'
// (and starts with a letter if letterFirst).
func validKey(key string, letterFirst bool) bool {
	if key == "" || letterFirst && !isLetter(key[0]) {
		return false
	}
	for i := 0; i < len(key); i++ {
		if c := key[i]; !isLetter(c) && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

func contains(ts []Trailer, t Trailer) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}
