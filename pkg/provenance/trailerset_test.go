package provenance

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pushguard/pushguard/pkg/trailers"
)

// TestTrailerSet: a trailer is known when one with the same value and a
// key equal under strings.ToLower was added, in the list of the first few
// and in the map beyond them; keys that strings.ToLower does not make
// equal (U+017F is not 's', U+212A lowers to 'k') stay apart or together
// as it says.
func TestTrailerSet(t *testing.T) {
	type tr = trailers.Trailer
	tests := []struct {
		name  string
		adds  []tr
		known []bool
	}{
		{"case of the key", []tr{{Key: "Signed-off-by", Value: "A"}, {Key: "SIGNED-OFF-BY", Value: "A"}, {Key: "signed-off-by", Value: "a"}}, []bool{false, true, false}},
		{"other key, same value", []tr{{Key: "Acked-by", Value: "A"}, {Key: "Acked-byx", Value: "A"}, {Key: "Acked-b", Value: "A"}}, []bool{false, false, false}},
		{"non-ASCII keys", []tr{{Key: "Co-author\u017f", Value: "A"}, {Key: "Co-authors", Value: "A"}, {Key: "\u212aey", Value: "V"}, {Key: "key", Value: "V"}, {Key: "KEY", Value: "V"}}, []bool{false, false, false, true, true}},
		{"empty", []tr{{}, {}, {Key: "", Value: "x"}}, []bool{false, true, false}},
	}
	// Many distinct trailers, then each again in another case: the set
	// moves to its map on the way.
	var many []tr
	var manyKnown []bool
	for i := range 40 {
		many = append(many, tr{Key: fmt.Sprintf("Key-%d", i), Value: "v"})
		manyKnown = append(manyKnown, false)
	}
	for i := range 40 {
		many = append(many, tr{Key: fmt.Sprintf("KEY-%d", i), Value: "v"})
		manyKnown = append(manyKnown, true)
	}
	tests = append(tests, struct {
		name  string
		adds  []tr
		known []bool
	}{"beyond the list", many, manyKnown})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s trailerSet
			s.small = s.buf[:0]
			for i, x := range tt.adds {
				// The reference: strings.ToLower of the key, and the value.
				want := false
				for _, y := range tt.adds[:i] {
					want = want || strings.ToLower(y.Key) == strings.ToLower(x.Key) && y.Value == x.Value
				}
				if want != tt.known[i] {
					t.Fatalf("test table: add %d (%q: %q) known %v, but strings.ToLower says %v", i, x.Key, x.Value, tt.known[i], want)
				}
				if got := s.add(x); got != want {
					t.Errorf("add %d (%q: %q) = %v, want %v", i, x.Key, x.Value, got, want)
				}
			}
		})
	}
}
