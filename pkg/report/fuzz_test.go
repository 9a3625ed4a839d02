package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/pushguard/pushguard/pkg/textsafe"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"

	"github.com/pushguard/pushguard/pkg/gitstore"
	"github.com/pushguard/pushguard/pkg/push"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/scan"
	"github.com/pushguard/pushguard/pkg/verdict"
)

// fuzzVerdict builds a verdict whose every pushed string is the fuzzer's:
// a line finding, a file finding and a commit finding, a skipped file, a
// bypass reason and refusal and, when withErr, an internal error carrying
// pushed text.
func fuzzVerdict(path, match, ref, msg, help string, sev uint8, redact, withErr bool) *verdict.Verdict {
	sevs := []ruleset.Severity{ruleset.SeverityBlock, ruleset.SeverityWarn, ruleset.SeverityInfo}
	r := &ruleset.Rule{ID: "fuzz-rule", Message: msg, Help: help, Severity: sevs[int(sev)%len(sevs)], Redact: redact, Source: "fuzz.yml:1"}
	c := plumbing.NewHash("0123456789abcdef0123456789abcdef01234567")
	res := &scan.Result{
		Commits: []scan.CommitInfo{{Hash: c}},
		Findings: []scan.Finding{
			{Rule: r, Kind: scan.KindLine, Commit: c, Ref: ref, Path: path, Line: 3, Column: 7, Match: match, LineText: match},
			{Rule: r, Kind: scan.KindFile, Commit: c, Ref: ref, Path: path},
			{Rule: r, Kind: scan.KindCommit, Commit: c, Ref: ref},
			{Rule: r, Kind: scan.KindTag, Commit: c, Ref: ref},
		},
		Skipped: []scan.Skip{{Commit: c, Path: path, Reason: "larger than 5242880 bytes"}},
	}
	if withErr {
		return verdict.Failed(errors.New("read "+path+": "+msg+"\n"+match), sev%3 == 0, sev%2 == 0)
	}
	v := verdict.Decide(res, verdict.Options{})
	// The bypass reason comes from a push option: pushed text too.
	v.Bypassed = sev%2 == 1
	v.Bypass = &verdict.Bypass{Pusher: ref, Reason: match}
	v.BypassRefusal = help
	return v
}

// FuzzText renders a verdict whose paths, matches, refs, messages and help
// are arbitrary bytes. Property: every line starts with the line prefix and
// ends with '\n'; no control character other than those line ends, no
// bidi or invisible format character and no invalid UTF-8 survives.
func FuzzText(f *testing.F) {
	f.Add("config/app.env", "AKIAQYLPMN5HHHFPZAM2", "refs/heads/main", "AWS key", "Rotate it.", uint8(0), true, false, false)
	f.Add("a\x1b[2J\x1b[Hb.txt", "\x1b]8;;http://evil\x07x", "refs/heads/\x1b[31m", "msg\rremote: fake OK", "line1\nline2\r\n", uint8(1), false, false, true)
	f.Add("\u202eevil\u2066.go", "\u200b\ufeff", "refs/tags/v1", "%s %!d(MISSING) {{.}} ${HOME}", "", uint8(2), false, true, false)
	f.Add("bad\xff\xfeutf8", "\xc3", "", "\u0085nel\u2028ls", "\x9b31m", uint8(0), true, true, true)
	f.Add(strings.Repeat("d/", 300), strings.Repeat("x", 1000), "r", strings.Repeat("m\n", 50), "h", uint8(1), false, false, false)
	f.Fuzz(func(t *testing.T, path, match, ref, msg, help string, sev uint8, redact, withErr, gitlab bool) {
		o := TextOptions{Header: msg, Footer: help, HelpURL: "https://policy.example/" + path}
		if gitlab {
			o.LinePrefix = push.GitLabWebPrefix
		}
		var buf bytes.Buffer
		if err := Text(&buf, fuzzVerdict(path, match, ref, msg, help, sev, redact, withErr), o); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if out == "" {
			t.Fatal("no output for a verdict with findings")
		}
		if !strings.HasSuffix(out, "\n") {
			t.Fatalf("output does not end with a newline: %q", out)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("output is not valid UTF-8: %q", out)
		}
		for i, l := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
			if !strings.HasPrefix(l, o.LinePrefix) {
				t.Fatalf("line %d lacks the prefix %q: %q", i+1, o.LinePrefix, l)
			}
			for _, r := range l {
				if unicode.IsControl(r) || textsafe.Invisible(r) {
					t.Fatalf("line %d keeps %U: %q", i+1, r, l)
				}
			}
		}
	})
}

// FuzzJSON builds the JSON report from arbitrary pushed strings. Property:
// the output is valid JSON, decodes into JSONReport (no unknown field) and
// survives a second encode and decode unchanged; strings that were valid
// UTF-8 come back unchanged.
func FuzzJSON(f *testing.F) {
	f.Add("config/app.env", "AKIAQYLPMN5HHHFPZAM2", "refs/heads/main", "add config", "dev@example.com", "Co-authored-by: Claude", false)
	f.Add("a\x1b[2J\"b\\.txt", "</script><!--", "refs/heads/\u2028", "\x00\x01\x7f", "\"quoted\"@x", "\ud7ff\ue000", true)
	f.Add("bad\xff\xfeutf8", "\xc3", "", "\xed\xa0\x80 surrogate", "\xf4\x90\x80\x80", "", false)
	f.Add("", "", "", "", "", "", true)
	f.Fuzz(func(t *testing.T, path, match, ref, subject, email, evidence string, withErr bool) {
		v := fuzzVerdict(path, match, ref, subject, evidence, 0, false, withErr)
		commits := []scan.CommitInfo{{
			Hash: plumbing.NewHash("0123456789abcdef0123456789abcdef01234567"), Refs: []string{ref},
			Subject: subject, Author: gitstore.Person{Name: subject, Email: email},
			AI: scan.AI{Tools: []string{evidence}, Evidence: []scan.Evidence{{Kind: "trailer", Tool: evidence, Text: evidence, Strong: true}}},
		}}
		var buf bytes.Buffer
		if err := JSON(&buf, v, commits); err != nil {
			t.Fatal(err)
		}
		if !json.Valid(buf.Bytes()) {
			t.Fatalf("invalid JSON:\n%s", buf.Bytes())
		}
		var got JSONReport
		dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("decode: %v\n%s", err, buf.Bytes())
		}
		// Invalid UTF-8 is written as the escape \ufffd and re-encoded as
		// the rune itself: compare values, not bytes.
		again, err := json.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var got2 JSONReport
		if err := json.Unmarshal(again, &got2); err != nil {
			t.Fatalf("decode re-encoded document: %v", err)
		}
		if diff := cmp.Diff(got, got2); diff != "" {
			t.Fatalf("round trip changed the document (-first +second):\n%s", diff)
		}
		if len(got.Commits) != 1 {
			t.Fatalf("%d commits, want 1", len(got.Commits))
		}
		check := func(what, in, out string) {
			if utf8.ValidString(in) && in != out {
				t.Fatalf("%s: %q came back as %q", what, in, out)
			}
		}
		check("subject", subject, got.Commits[0].Subject)
		check("email", email, got.Commits[0].Author)
		check("evidence", evidence, got.Commits[0].AI.Evidence[0].Text)
		if withErr {
			check("error", "read "+path+": "+subject+"\n"+match, got.Error)
			return
		}
		if len(got.Findings) == 0 || len(got.Skipped) != 1 {
			t.Fatalf("findings %d, skipped %d", len(got.Findings), len(got.Skipped))
		}
		check("path", path, got.Findings[0].Path)
		check("ref", ref, got.Findings[0].Ref)
		check("message", subject, got.Findings[0].Message)
		check("match", match, got.Findings[0].Match)
		check("skipped path", path, got.Skipped[0].Path)
	})
}
