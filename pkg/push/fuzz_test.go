package push

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzOptions feeds Options arbitrary GIT_PUSH_OPTION_* environments and
// checks that a count is either rejected or honoured exactly, and that
// Context.Option finds the last option of a name.
func FuzzOptions(f *testing.F) {
	f.Add("2", "pushguard.bypass=ticket 42", "ci.skip", "pushguard.bypass")
	f.Add("1", "k=v=w", "", "k")
	f.Add("", "ignored", "ignored", "x")
	f.Add("-1", "", "", "")
	f.Add("1001", "", "", "")
	f.Add("+2", "=v", "a=", "")
	f.Add("0x2", "a", "b", "a")
	f.Add("2", "\x1b[31m=\r", "k=\x00", "\x1b[31m")
	f.Add("99999999999999999999", "", "", "")
	f.Fuzz(func(t *testing.T, count, v0, v1, key string) {
		env := map[string]string{"GIT_PUSH_OPTION_COUNT": count}
		vals := []string{v0, v1}
		n, convErr := strconv.Atoi(count)
		for i := 0; convErr == nil && i < n && i < 1001; i++ {
			env["GIT_PUSH_OPTION_"+strconv.Itoa(i)] = vals[i%2]
		}
		opts, err := Options(func(k string) string { return env[k] })
		switch {
		case count == "":
			if err != nil || opts != nil {
				t.Fatalf("no count: opts=%q err=%v", opts, err)
			}
			return
		case err != nil:
			if opts != nil {
				t.Fatal("options returned with an error")
			}
			if convErr == nil && n >= 0 && n <= 1000 {
				t.Fatalf("valid count %q rejected: %v", count, err)
			}
			return
		}
		if convErr != nil || n < 0 || n > 1000 {
			t.Fatalf("count %q accepted", count)
		}
		if len(opts) != n {
			t.Fatalf("count %d, got %d options", n, len(opts))
		}
		for i, o := range opts {
			if o != vals[i%2] {
				t.Fatalf("option %d = %q, want %q", i, o, vals[i%2])
			}
		}
		// Option returns the value of the last option named key.
		wantV, wantOK := "", false
		for _, o := range opts {
			if k, v, _ := strings.Cut(o, "="); k == key {
				wantV, wantOK = v, true
			}
		}
		gotV, gotOK := Context{Options: opts}.Option(key)
		if gotV != wantV || gotOK != wantOK {
			t.Fatalf("Option(%q) = %q, %v; want %q, %v", key, gotV, gotOK, wantV, wantOK)
		}
	})
}
