package scan

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/provenance"
	"github.com/pushguard/pushguard/rules"
)

const linesRules = `rules:
  - id: ai-eval
    severity: block
    message: eval written by an AI
    ai: {lines: true}
    content: {regex: '\beval\('}
  - id: human-eval
    severity: warn
    message: eval written by a human
    ai: {lines: false}
    content: {regex: '\beval\('}
`

// gitAILog is a git-ai authorship log crediting RANGES of PATH to cursor.
func gitAILog(path, ranges string) string {
	return path + "\n  p1 " + ranges + "\n---\n" +
		`{"schema_version":"authorship/3.0.0","prompts":{"p1":{"agent_id":{"tool":"cursor"}}}}`
}

// traceJSON is one Agent Trace record as a JSON line.
func traceJSON(revision, path string, ranges ...string) string {
	vcs := ""
	if revision != "" {
		vcs = `"vcs":{"type":"git","revision":"` + revision + `"},`
	}
	return `{"version":"0.1.0","id":"0b8f4a52-1d7e-4c1e-9a51-3f4c2d0e8b11","timestamp":"2026-01-02T03:04:05Z",` + vcs +
		`"tool":{"name":"claude-code"},"files":[{"path":"` + path + `","conversations":[{"contributor":{"type":"ai"},"ranges":[` +
		strings.Join(ranges, ",") + `]}]}]}`
}

func TestLineAttribution(t *testing.T) {
	r := newTestRepo(t)
	const claude = "\n\nCo-Authored-By: Claude <noreply@anthropic.com>\n"
	c1 := r.commit("noted"+claude, map[string]string{"a.go": "eval(a)\nok\neval(b)\n"})
	r.git(nil, "notes", "--ref=ai", "add", "-m", gitAILog("a.go", "1"), c1.String())
	c2 := r.commit("human", map[string]string{"h.go": "eval(h)\n"})
	c3 := r.commit("no line data"+claude, map[string]string{"n.go": "eval(n)\n"})
	c4 := r.commit("broken note"+claude, map[string]string{"m.go": "eval(m1)\nok\neval(m2)\n"})
	r.git(nil, "notes", "--ref=ai", "add", "-m", gitAILog("m.go", "3-1"), c4.String())
	c5 := r.commit("trace file", map[string]string{
		"t.go":                      "eval(t1)\neval(t2)\n",
		".agent-trace/traces.jsonl": traceJSON(c4.String(), "t.go", `{"start_line":2,"end_line":2}`) + "\n",
	})
	c6 := r.commit("broken trace line", map[string]string{
		"u.go": "eval(u)\n",
		".agent-trace/traces.jsonl": traceJSON(c4.String(), "t.go", `{"start_line":2,"end_line":2}`) + "\n" +
			`{"version":"0.1.0","files":[` + "\n",
	})
	c7 := r.commit("trace note", map[string]string{"v.go": "eval(v1)\neval(v2)\n"})
	r.git(nil, "notes", "--ref=agent-trace", "add", "-m",
		traceJSON("", "v.go", `{"start_line":1,"end_line":1}`, `{"start_line":2,"end_line":2,"contributor":{"type":"human"}}`), c7.String())
	c8 := r.commit("other revision"+claude, map[string]string{
		"w.go":                      "eval(w)\n",
		".agent-trace/traces.jsonl": "\n" + traceJSON("1111111111111111111111111111111111111111", "w.go", `{"start_line":5,"end_line":5}`) + "\n",
	})

	specs, err := provenance.LoadFS(rules.FS, ".")
	if err != nil {
		t.Fatal(err)
	}
	det, err := provenance.Compile(specs)
	if err != nil {
		t.Fatal(err)
	}
	e := New(r.store(), parseRules(t, linesRules), Options{Provenance: det})
	res := runAll(t, e, Tip{"refs/heads/main", r.rev("main")}, Tip{AINotesRef, r.rev(AINotesRef)}, Tip{AgentTraceNotesRef, r.rev(AgentTraceNotesRef)})

	name := map[string]string{c1.String(): "c1", c2.String(): "c2", c3.String(): "c3", c4.String(): "c4",
		c5.String(): "c5", c6.String(): "c6", c7.String(): "c7", c8.String(): "c8"}
	var got []string
	for _, f := range res.Findings {
		s := fmt.Sprintf("%s %s %s:%d", name[f.Commit.String()], f.Rule.ID, f.Path, f.Line)
		if f.Rule.ID == AuthorshipRuleID {
			s = fmt.Sprintf("%s %s %s:%d %s", name[f.Commit.String()], f.Rule.ID, strings.Split(f.Path, ":")[0], f.Line, f.Detail)
		}
		got = append(got, s)
	}
	slices.Sort(got)
	want := []string{
		"c1 ai-eval a.go:1", // the note credits line 1 to cursor
		"c1 human-eval a.go:3",
		"c2 human-eval h.go:1",                   // not AI-marked: human-written
		"c3 ai-eval n.go:1",                      // AI-marked without line data: AI-written
		"c4 ai-eval m.go:1", "c4 ai-eval m.go:3", // broken note: fail closed
		"c4 pushguard-authorship-record refs/notes/ai:1 range \"3-1\" ends before it starts", // and a warning
		"c5 ai-eval t.go:2", // the trace record (revision: the parent) credits line 2
		"c5 human-eval t.go:1",
		"c6 human-eval u.go:1", // a broken record in a commit that is not AI-marked
		"c6 pushguard-authorship-record .agent-trace/traces.jsonl:2 not a JSON trace record: truncated or empty",
		"c7 ai-eval v.go:1", // the agent-trace note: line 1 AI, line 2 human by its range contributor
		"c7 human-eval v.go:2",
		"c8 ai-eval w.go:1", // a record about another revision is not line data
	}
	slices.Sort(want)
	for i := range got {
		got[i] = strings.Replace(got[i], "not a Git AI authorship log (attestation line 2: ", "", 1)
		got[i] = strings.TrimSuffix(got[i], ")")
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}

	type aiLines struct {
		Tools       []string
		Lines       int
		Attribution string
		Sources     []string
	}
	gotAI := map[string]aiLines{}
	for _, c := range res.Commits {
		if n, ok := name[c.Hash.String()]; ok {
			gotAI[n] = aiLines{c.AI.Tools, c.AI.Lines, c.AI.Attribution, c.AI.LineSources}
		}
	}
	wantAI := map[string]aiLines{
		"c1": {[]string{"claude-code", "cursor"}, 1, AttributionLines, []string{"note"}},
		"c2": {[]string{}, 0, "", nil},
		"c3": {[]string{"claude-code"}, 0, AttributionCommit, nil},
		"c4": {[]string{"claude-code"}, 0, AttributionCommit, nil},
		"c5": {[]string{"claude-code"}, 1, AttributionLines, []string{"agent-trace"}},
		"c6": {[]string{}, 0, "", nil},
		"c7": {[]string{"claude-code"}, 1, AttributionLines, []string{"agent-trace"}},
		"c8": {[]string{"claude-code"}, 0, AttributionCommit, nil},
	}
	if diff := cmp.Diff(wantAI, gotAI); diff != "" {
		t.Errorf("AI per commit (-want +got):\n%s", diff)
	}

	// A second Run on the engine (the hook runs one per policy group)
	// sees the same attribution: records are not counted twice.
	res2 := runAll(t, e, Tip{"refs/heads/main", r.rev("main")})
	for _, c := range res2.Commits {
		if n := name[c.Hash.String()]; n != "" {
			want := wantAI[n]
			if c.AI.Lines != want.Lines || c.AI.Attribution != want.Attribution {
				t.Errorf("second run: %s lines %d attribution %q; want %d %q", n, c.AI.Lines, c.AI.Attribution, want.Lines, want.Attribution)
			}
		}
	}
	var lines2 []string
	for _, f := range res2.Findings {
		if f.Rule.ID != AuthorshipRuleID {
			lines2 = append(lines2, fmt.Sprintf("%s %s %s:%d", name[f.Commit.String()], f.Rule.ID, f.Path, f.Line))
		}
	}
	slices.Sort(lines2)
	var want2 []string
	for _, w := range want {
		if !strings.Contains(w, AuthorshipRuleID) {
			want2 = append(want2, strings.TrimSpace(strings.SplitN(w, " //", 2)[0]))
		}
	}
	if diff := cmp.Diff(want2, lines2); diff != "" {
		t.Errorf("second run findings (-want +got):\n%s", diff)
	}
}

func TestParseTraceRecord(t *testing.T) {
	rng := func(s, e int) string { return fmt.Sprintf(`{"start_line":%d,"end_line":%d}`, s, e) }
	ok := traceJSON("", "a.go", rng(1, 2), rng(5, 5))
	tests := []struct {
		name    string
		in      string
		want    []traceRange
		tool    string
		wantErr string
	}{
		{"ranges", ok, []traceRange{{"a.go", 1, 2}, {"a.go", 5, 5}}, "claude-code", ""},
		{"pretty printed", strings.ReplaceAll(ok, ",", ",\n  "), []traceRange{{"a.go", 1, 2}, {"a.go", 5, 5}}, "claude-code", ""},
		{"human range", traceJSON("", "a.go", `{"start_line":1,"end_line":2,"contributor":{"type":"human"}}`), nil, "claude-code", ""},
		{"mixed range", traceJSON("", "a.go", `{"start_line":1,"end_line":2,"contributor":{"type":"mixed"}}`), []traceRange{{"a.go", 1, 2}}, "claude-code", ""},
		{"unknown tool", strings.Replace(ok, "claude-code", "some-agent", 1), []traceRange{{"a.go", 1, 2}, {"a.go", 5, 5}}, "declared", ""},
		{"no contributor: unknown, AI", `{"version":"1.0","id":"x","timestamp":"2026-01-02T03:04:05Z","files":[{"path":"a.go","conversations":[{"ranges":[{"start_line":3,"end_line":4}]}]}]}`,
			[]traceRange{{"a.go", 3, 4}}, "declared", ""},
		{"unknown fields ignored", strings.Replace(ok, `"files"`, `"extra":{"x":[1]},"files"`, 1), []traceRange{{"a.go", 1, 2}, {"a.go", 5, 5}}, "claude-code", ""},
		{"not json", "{not json", nil, "", "not a JSON trace record: syntax error"},
		{"array", "[1,2]", nil, "", "wrong type"},
		{"text after", ok + " x", nil, "", "text after the object"},
		{"no version", strings.Replace(ok, `"version":"0.1.0",`, "", 1), nil, "", `missing required field "version"`},
		{"bad version", strings.Replace(ok, `"0.1.0"`, `"latest"`, 1), nil, "", `"version" "latest"`},
		{"no timestamp", strings.Replace(ok, `"timestamp":"2026-01-02T03:04:05Z",`, "", 1), nil, "", `missing required field "timestamp"`},
		{"bad timestamp", strings.Replace(ok, `2026-01-02T03:04:05Z`, `yesterday`, 1), nil, "", "not an RFC 3339"},
		{"no files", `{"version":"0.1.0","id":"x","timestamp":"2026-01-02T03:04:05Z"}`, nil, "", `missing required field "files"`},
		{"end before start", traceJSON("", "a.go", rng(5, 4)), nil, "", "want 1 <= start_line <= end_line"},
		{"line zero", traceJSON("", "a.go", rng(0, 4)), nil, "", "want 1 <= start_line"},
		{"fractional line", traceJSON("", "a.go", `{"start_line":1.5,"end_line":2}`), nil, "", "wrong type"},
		{"string line", traceJSON("", "a.go", `{"start_line":"1","end_line":2}`), nil, "", "wrong type"},
		{"no end", traceJSON("", "a.go", `{"start_line":1}`), nil, "", `needs "start_line" and "end_line"`},
		{"absolute path", traceJSON("", "/etc/passwd", rng(1, 1)), nil, "", "not a clean path"},
		{"dotdot path", traceJSON("", "../x.go", rng(1, 1)), nil, "", "not a clean path"},
		{"bad contributor", traceJSON("", "a.go", `{"start_line":1,"end_line":2,"contributor":{"type":"robot"}}`), nil, "", `"robot" is not one of`},
		{"vcs without revision", strings.Replace(ok, `"tool"`, `"vcs":{"type":"git"},"tool"`, 1), nil, "", `"vcs" needs "type" and "revision"`},
		{"empty", "", nil, "", "truncated or empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := parseTraceRecord([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v; want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rec.ranges, cmp.AllowUnexported(traceRange{})); diff != "" || rec.tool != tc.tool {
				t.Errorf("tool %q (want %q), ranges (-want +got):\n%s", rec.tool, tc.tool, diff)
			}
		})
	}
}

func TestRanges(t *testing.T) {
	rs := mergeRanges([][2]int{{10, 12}, {1, 3}, {4, 4}, {11, 20}, {30, 30}})
	if diff := cmp.Diff([][2]int{{1, 4}, {10, 20}, {30, 30}}, rs); diff != "" {
		t.Fatalf("mergeRanges (-want +got):\n%s", diff)
	}
	for line, want := range map[int]bool{0: false, 1: true, 4: true, 5: false, 9: false, 10: true, 20: true, 21: false, 30: true, 31: false} {
		if got := inRanges(rs, line); got != want {
			t.Errorf("inRanges(%d) = %v; want %v", line, got, want)
		}
	}
}

func TestIsAgentTraceFile(t *testing.T) {
	for p, want := range map[string]bool{
		".agent-trace/traces.jsonl": true, ".agent-trace/2026.jsonl": true, ".agent-trace/.jsonl": false,
		"sub/.agent-trace/traces.jsonl": false, ".agent-trace/x/traces.jsonl": false, ".agent-trace/traces.json": false,
	} {
		if got := IsAgentTraceFile(p); got != want {
			t.Errorf("IsAgentTraceFile(%q) = %v; want %v", p, got, want)
		}
	}
}

// FuzzParseTraceRecord: any input is a record or an error, never a panic,
// and a record's ranges are well-formed.
func FuzzParseTraceRecord(f *testing.F) {
	f.Add(traceJSON("", "a.go", `{"start_line":1,"end_line":2}`))
	f.Add(traceJSON("abc", "a/b.go", `{"start_line":3,"end_line":3,"contributor":{"type":"human"}}`))
	f.Add(`{"version":"1.0","id":"x","timestamp":"2026-01-02T03:04:05Z","files":[{"path":"a","conversations":[{"ranges":[{"start_line":1e3,"end_line":-1}]}]}]}`)
	f.Add(`{"files":null}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, s string) {
		rec, err := parseTraceRecord([]byte(s))
		if err != nil {
			return
		}
		for _, r := range rec.ranges {
			if r.first < 1 || r.last < r.first || r.path == "" {
				t.Fatalf("bad range %+v from %q", r, s)
			}
		}
	})
}
