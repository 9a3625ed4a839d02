package ruleset

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// matchesOf runs a LineMatcher over line and returns "id:text" per match.
func matchesOf(m *LineMatcher, line string, active []bool) []string {
	var out []string
	m.Match([]byte(line), active, func(r *Rule, start, end int) {
		out = append(out, r.ID+":"+line[start:end])
	})
	return out
}

func TestLineMatcher(t *testing.T) {
	set := NewSet(mustParse(t, `
  - id: aws
    severity: block
    message: m
    content:
      regex: '\b(AKIA[A-Z2-7]{16})\b'
      keywords: [akia]
      stopwords: [EXAMPLE, xxxx]
      entropy: {min: 3, group: 1}
  - id: kv
    severity: warn
    message: m
    content:
      regex: '(?i)(password|token)\s*=\s*"([^"]{8,})"'
      keywords: [PassWord, token]
      allow: ['^password = "hunter2hunter2"$']
      entropy: {min: 3.0, group: 2}
  - id: todo
    severity: info
    message: m
    content:
      regex: 'TODO\(\w+\)'
  - id: file-only
    severity: warn
    message: m
    paths: {include: ["*.pem"]}
  - id: ip
    severity: info
    message: m
    content:
      regex: '\b10\.\d+\.\d+\.\d+\b'
      keywords: ["10."]
`))
	m := set.NewLineMatcher()
	idx := func(id string) int { return set.Lookup(id).Index }
	only := func(ids ...string) []bool {
		a := make([]bool, len(set.Rules))
		for _, id := range ids {
			a[idx(id)] = true
		}
		return a
	}
	tests := []struct {
		name   string
		line   string
		active []bool
		want   []string
	}{
		{"no keyword, no match", "func main() {}", nil, nil},
		{"keyword case-insensitive", "key = AKIATESTKEY234567ABC", nil, []string{"aws:AKIATESTKEY234567ABC"}},
		{"keyword in lower case line, regex needs upper", "akiatestkey234567abc", nil, nil},
		{"stopword case-insensitive", "AKIAIOSFODNN7EXAMPLE", nil, nil},
		{"stopword xxxx", "AKIAXXXXXXXXXXXXXXXX", nil, nil},
		{"entropy gate", "AKIAAAAAAAAAAAAAAAAA", nil, nil},
		{"every match on a line", "a=AKIATESTKEY234567ABC b=AKIATESTKEY765432XYZ c=AKIAIOSFODNN7EXAMPLE", nil,
			[]string{"aws:AKIATESTKEY234567ABC", "aws:AKIATESTKEY765432XYZ"}},
		{"upper-case keyword in the rule", `PASSWORD = "Zq7xR2vM9kL4"`, nil, []string{`kv:PASSWORD = "Zq7xR2vM9kL4"`}},
		{"second keyword of a rule", `token="9fKq2LmX7vRt"`, nil, []string{`kv:token="9fKq2LmX7vRt"`}},
		{"allow regex", `password = "hunter2hunter2"`, nil, nil},
		{"entropy of a group", `password = "aaaaaaaaaaaa"`, nil, nil},
		{"rule without keywords always runs", "// TODO(bob): fix", nil, []string{"todo:TODO(bob)"}},
		{"several rules, rule order", `TODO(x) token = "9fKq2LmX7vRt" AKIATESTKEY234567ABC`, nil,
			[]string{"aws:AKIATESTKEY234567ABC", `kv:token = "9fKq2LmX7vRt"`, "todo:TODO(x)"}},
		{"keyword with a dot", "host 10.1.2.3 and 10.0.0.1", nil, []string{"ip:10.1.2.3", "ip:10.0.0.1"}},
		{"keyword present, regex fails", "version 10.1", nil, nil},
		{"active mask", `TODO(x) AKIATESTKEY234567ABC`, only("todo"), []string{"todo:TODO(x)"}},
		{"active mask excludes all", `TODO(x) AKIATESTKEY234567ABC`, only(), nil},
		{"short active mask", `TODO(x) AKIATESTKEY234567ABC`, []bool{true}, []string{"aws:AKIATESTKEY234567ABC"}},
		{"empty line", "", nil, nil},
		{"non-ASCII", "clé = AKIATESTKEY234567ABC ünïcödé", nil, []string{"aws:AKIATESTKEY234567ABC"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, matchesOf(m, tt.line, tt.active)); diff != "" {
				t.Errorf("matches (-want +got):\n%s", diff)
			}
		})
	}
	// The keyword marks of one line must not leak into the next.
	matchesOf(m, "AKIA mention", nil)
	if got := matchesOf(m, "TESTKEY234567ABC", nil); got != nil {
		t.Errorf("marks leaked to the next line: %v", got)
	}
}

func TestLineMatcherEpochWrap(t *testing.T) {
	set := NewSet(mustParse(t, "  - {id: k, severity: info, message: m, content: {regex: 'ab+', keywords: [ab]}}\n"))
	m := set.NewLineMatcher()
	m.epoch = ^uint32(0) - 1
	for i, tt := range []struct {
		line string
		n    int
	}{{"abb", 1}, {"xx", 0}, {"ab ab", 2}, {"b", 0}} {
		if got := len(matchesOf(m, tt.line, nil)); got != tt.n {
			t.Errorf("line %d %q: %d matches; want %d", i, tt.line, got, tt.n)
		}
	}
}

func TestLineMatcherSetLiteral(t *testing.T) {
	// A Set built without NewSet still works.
	rules := mustParse(t, "  - {id: k, severity: info, message: m, content: {regex: 'ab+', keywords: [ab]}}\n")
	s := &Set{Rules: rules}
	if got := matchesOf(s.NewLineMatcher(), "xabbx", nil); !cmp.Equal(got, []string{"k:abb"}) {
		t.Errorf("matches = %v", got)
	}
}

func TestPrefilterDoesNotAllocate(t *testing.T) {
	set := NewSet(mustParse(t, `
  - {id: a, severity: info, message: m, content: {regex: 'zzz', keywords: [akia, secret, token]}}
  - {id: b, severity: info, message: m, content: {regex: 'qqq', keywords: [password]}}
`))
	m := set.NewLineMatcher()
	line := []byte(`	if err := client.Do(ctx, "secret token password akia"); err != nil { return err }`)
	fn := func(*Rule, int, int) {}
	m.hits = make([]int32, 0, 8)
	epoch := uint32(0)
	allocs := testing.AllocsPerRun(100, func() {
		epoch++
		m.hits = m.idx.ac.collect(line, m.seen, epoch, m.hits[:0], &m.dfa)
	})
	if allocs != 0 {
		t.Errorf("prefilter scan: %v allocations per line; want 0", allocs)
	}
	plain := []byte("	return fmt.Sprintf(\"%d items\", n)")
	allocs = testing.AllocsPerRun(100, func() { m.Match(plain, nil, fn) })
	if allocs != 0 {
		t.Errorf("Match of a line without keywords: %v allocations; want 0", allocs)
	}
}

// smallAlphabet returns n random bytes of a small alphabet (letters of
// both cases, punctuation, a digit, a multi-byte rune and an invalid
// byte), which makes overlapping and nested keywords common.
func smallAlphabet(rng *rand.Rand, n int) []byte {
	const alphabet = "abAB-_.0é\xff"
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[rng.IntN(len(alphabet))]
	}
	return b
}

// TestAutomatonAgainstNaive checks the Aho-Corasick prefilter against a
// plain case-insensitive substring search on random keywords and lines.
func TestAutomatonAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	randBytes := func(n int) []byte { return smallAlphabet(rng, n) }
	for round := range 300 {
		nRules := 1 + rng.IntN(8)
		var kws []keyword
		perSlot := make([][]string, nRules)
		for slot := range nRules {
			for range 1 + rng.IntN(4) {
				k := lowerASCIIString(string(randBytes(1 + rng.IntN(5))))
				perSlot[slot] = append(perSlot[slot], k)
				kws = append(kws, keyword{text: k, slot: int32(slot)})
			}
		}
		a := newAutomaton(kws)
		seen := make([]uint32, nRules)
		var dfa dfaTable // filled across the lines of a round
		for epoch := uint32(1); epoch <= 50; epoch++ {
			line := randBytes(rng.IntN(40))
			hits := a.collect(line, seen, epoch, nil, &dfa)
			listed := make(map[int32]int)
			for _, h := range hits {
				listed[h]++
			}
			for slot := range nRules {
				got := seen[slot] == epoch
				want := hasKeyword(line, perSlot[slot])
				if got != want {
					t.Fatalf("round %d: keywords %q in %q: automaton %v, naive %v", round, perSlot[slot], line, got, want)
				}
				if n := listed[int32(slot)]; (want && n != 1) || (!want && n != 0) {
					t.Fatalf("round %d: keywords %q in %q: slot listed %d times in hits %v", round, perSlot[slot], line, n, hits)
				}
			}
			// each reports every (end, slot) where a keyword of the slot
			// ends, once, from left to right.
			var got, wantEnds []string
			a.each(line, func(end int, slot int32) { got = append(got, fmt.Sprint(end, ":", slot)) })
			for end := 1; end <= len(line); end++ {
				for slot := range nRules {
					for _, k := range perSlot[slot] {
						if len(k) <= end && indexFold(line[end-len(k):end], k) == 0 {
							wantEnds = append(wantEnds, fmt.Sprint(end, ":", slot))
							break
						}
					}
				}
			}
			// eachDFA makes the same calls in the same order.
			var viaDFA []string
			a.eachDFA(line, &dfa, func(end int, slot int32) { viaDFA = append(viaDFA, fmt.Sprint(end, ":", slot)) })
			if !slices.Equal(got, viaDFA) {
				t.Fatalf("round %d: keywords %q in %q: each %v, eachDFA %v", round, perSlot, line, got, viaDFA)
			}
			slices.Sort(got)
			slices.Sort(wantEnds)
			if !slices.Equal(got, wantEnds) {
				t.Fatalf("round %d: keywords %q in %q: each %v, naive %v", round, perSlot, line, got, wantEnds)
			}
		}
	}
}

func TestRunTests(t *testing.T) {
	src := `rules:
  - id: aws
    severity: block
    message: m
    content:
      regex: '\bAKIA[A-Z2-7]{16}\b'
      keywords: [akia]
      stopwords: [example]
    tests:
      match:
        - 'AKIATESTKEY234567ABC'
        - 'aws key AKIAIOSFODNN7EXAMPLE'
        - 'no keyword here'
      nomatch:
        - 'ok AKIATESTKEY234567'
        - 'AKIATESTKEY234567XYZ'
  - id: pem
    severity: block
    message: m
    paths: {include: ["*.pem"], exclude: ["testdata/"]}
    tests:
      match:
        - certs/key.pem
        - {path: k.pem, status: deleted}
      nomatch:
        - testdata/key.pem
        - certs/key.pem.txt
        - key.pem
  - id: dco
    severity: block
    message: m
    refs: {include: [refs/heads/main]}
    commit: {trailers_absent: [Signed-off-by]}
    tests:
      match:
        - "fix: a bug"
        - {message: "fix: a bug", ref: refs/heads/dev}
      nomatch:
        - "fix: a bug\n\nSigned-off-by: A <a@example.com>"
        - "fix: a bug\n\nReviewed-by: R"
  - id: scoped
    severity: warn
    message: m
    content: {regex: 'debug\s*=\s*true', keywords: [debug]}
    paths: {include: ["config/*.yml"]}
    tests:
      path: config/prod.yml
      match:
        - 'debug = true'
        - {line: 'debug = true', path: src/x.yml}
      nomatch:
        - 'debug = false'
`
	rules, err := Parse("rules/t.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range NewSet(rules).RunTests() {
		got = append(got, f.String())
	}
	want := []string{
		`rules/t.yml:12: rule "aws": should match "aws key AKIAIOSFODNN7EXAMPLE": match "AKIAIOSFODNN7EXAMPLE" ignored: it contains stopword "example"`,
		`rules/t.yml:13: rule "aws": should match "no keyword here": none of the keywords (akia) occurs in the line`,
		`rules/t.yml:16: rule "aws": should not match "AKIATESTKEY234567XYZ": the rule matches "AKIATESTKEY234567XYZ"`,
		`rules/t.yml:24: rule "pem": should match "k.pem": file status "deleted" is not one the rule applies to`,
		`rules/t.yml:28: rule "pem": should not match "key.pem": all of the rule's conditions hold`,
		`rules/t.yml:37: rule "dco": should match "fix: a bug": ref "refs/heads/dev" does not match refs`,
		`rules/t.yml:40: rule "dco": should not match "fix: a bug\n\nReviewed-by: R": all of the rule's conditions hold`,
		`rules/t.yml:50: rule "scoped": should match "debug = true": path "src/x.yml" does not match paths`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	failures := NewSet(rules).RunTests()
	if f := failures[0]; f.Rule.ID != "aws" || f.Source != "rules/t.yml:12" || !f.Want || f.Example != "aws key AKIAIOSFODNN7EXAMPLE" {
		t.Errorf("first failure = %+v", f)
	}
	if m, n := rules[0].TestCounts(); m != 3 || n != 2 {
		t.Errorf("TestCounts() = %d, %d; want 3, 2", m, n)
	}
}

// TestExplainAgreesWithMatcher checks on random lines that the explanation
// of a non-match (used by rule tests) agrees with the LineMatcher.
func TestExplainAgreesWithMatcher(t *testing.T) {
	set := NewSet(mustParse(t, `
  - id: a
    severity: info
    message: m
    content: {regex: '[ab]{3}', keywords: [ab, ba], stopwords: [aaa]}
  - id: b
    severity: info
    message: m
    content: {regex: 'x(\w+)', entropy: {min: 1.5, group: 1}, allow: ['^xbbb']}
`))
	m := set.NewLineMatcher()
	rng := rand.New(rand.NewPCG(3, 4))
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(12) {
			b.WriteByte("abxAB "[rng.IntN(6)])
		}
		line := b.String()
		for _, r := range set.Rules {
			active := make([]bool, len(set.Rules))
			active[r.Index] = true
			got, why := r.runExample(m, active, &example{line: line})
			if got != (len(matchesOf(m, line, active)) > 0) {
				t.Fatalf("rule %s, line %q: runExample %v", r.ID, line, got)
			}
			if !got && strings.Contains(why, "internal") {
				t.Fatalf("rule %s, line %q: %s", r.ID, line, why)
			}
			if got {
				continue
			}
			if why == "the regex does not match" && r.content.re.MatchString(line) {
				t.Errorf("rule %s, line %q: explained as no regex match", r.ID, line)
			}
		}
	}
}

func ExampleLineMatcher() {
	rules, _ := Parse("example.yml", []byte(`rules:
  - id: todo-owner
    severity: info
    message: TODOs need an owner.
    content:
      regex: 'TODO(\(\w+\))?'
      keywords: [todo]
`))
	m := NewSet(rules).NewLineMatcher()
	line := []byte("x := 1 // TODO(ann) and TODO")
	m.Match(line, nil, func(r *Rule, start, end int) {
		fmt.Printf("%s at %d: %s\n", r.ID, start, line[start:end])
	})
	// Output:
	// todo-owner at 10: TODO(ann)
	// todo-owner at 24: TODO
}
