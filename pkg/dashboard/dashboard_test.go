package dashboard

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/pushguard/pushguard/pkg/audit"
)

func TestEscape(t *testing.T) {
	tests := []struct {
		in, want string
		max      int
	}{
		{"platform/api", "platform/api", 0},
		{hostileScript, "&lt;script&gt;alert(1)&lt;/script&gt;", 0},
		{hostileImg, "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;", 0},
		{"it's & \"quoted\"", "it&#39;s &amp; &#34;quoted&#34;", 0},
		{hostileBidi, `evil\u202egnp.exe\u200b\x1b[31m`, 0},
		{"a\x00b\x7f\u0085\u2028c", `a\x00b\x7f\u0085\u2028c`, 0},
		{"bad \xff utf-8", `bad \xff utf-8`, 0},
		{`back\slash \u202e`, `back\slash \u202e`, 0}, // as the log stores it
		{"<<<<<<<<", "&lt;&lt;&lt;…", 3},
	}
	for _, tc := range tests {
		if got := Escape(tc.in, tc.max); got != tc.want {
			t.Errorf("Escape(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
}

// allowedTags is every element the page may contain: nothing that runs,
// loads or submits anything.
var allowedTags = map[string]bool{
	"!doctype": true, "html": true, "head": true, "meta": true, "title": true, "style": true, "body": true,
	"header": true, "h1": true, "h2": true, "p": true, "time": true, "code": true, "main": true, "section": true,
	"div": true, "svg": true, "g": true, "text": true, "rect": true, "line": true, "polyline": true, "circle": true,
	"table": true, "caption": true, "thead": true, "tbody": true, "tr": true, "th": true, "td": true, "i": true,
	"span": true, "footer": true, "h3": true,
}

var (
	tagRe  = regexp.MustCompile(`<[^>]*>`)
	nameRe = regexp.MustCompile(`^</?([!a-zA-Z0-9-]+)`)
	// attrRe is every attribute name=value in a tag.
	attrRe = regexp.MustCompile(`\s([a-zA-Z:-]+)=("[^"]*"|'[^']*'|[^\s>]+)`)
)

var allowedAttrs = map[string]bool{
	"lang": true, "charset": true, "http-equiv": true, "content": true, "name": true, "class": true, "id": true,
	"aria-labelledby": true, "aria-label": true, "role": true, "scope": true, "style": true,
	"width": true, "height": true, "viewbox": true, "x": true, "y": true, "x1": true, "x2": true, "y1": true, "y2": true,
	"cx": true, "cy": true, "r": true, "fill": true, "stroke": true, "stroke-width": true, "points": true, "text-anchor": true,
}

// checkMarkup fails when the page holds an element or attribute outside
// the allowed sets, or markup that could load something.
func checkMarkup(t *testing.T, page string) {
	t.Helper()
	for _, tag := range tagRe.FindAllString(page, -1) {
		m := nameRe.FindStringSubmatch(tag)
		if m == nil {
			t.Errorf("not a tag: %q", tag)
			continue
		}
		if !allowedTags[strings.ToLower(m[1])] {
			t.Errorf("element %q not allowed: %q", m[1], tag)
		}
		if m[1] == "!DOCTYPE" {
			continue
		}
		for _, a := range attrRe.FindAllStringSubmatch(tag, -1) {
			if !allowedAttrs[strings.ToLower(a[1])] {
				t.Errorf("attribute %q not allowed: %q", a[1], tag)
			}
			if v := strings.ToLower(a[2]); strings.Contains(v, "url(") || strings.Contains(v, "http") || strings.Contains(v, "javascript:") {
				if a[1] != "content" || !strings.HasPrefix(v, `"default-src 'none'`) {
					t.Errorf("attribute value may load something: %q", tag)
				}
			}
		}
	}
	_, rest, _ := strings.Cut(page, "<style>")
	css, _, _ := strings.Cut(rest, "</style>")
	for _, bad := range []string{"url(", "@import", "@font-face", "http", "//"} {
		if strings.Contains(css, bad) {
			t.Errorf("the style sheet holds %q", bad)
		}
	}
	if n := strings.Count(page, "<style>"); n != 1 {
		t.Errorf("%d style elements, want 1", n)
	}
}

func TestRenderHostileStrings(t *testing.T) {
	s := statsOf(genLog(4000, 12, 6, 7))
	var buf bytes.Buffer
	if err := Render(&buf, s, Options{Generated: "2026-03-01T00:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	checkMarkup(t, page)
	for _, raw := range []string{hostileScript, hostileImg, "\u202e", "\u200b", "\x1b", "</style><style>", "<img", "<b>", "<i>tool", "<svg onload"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds %q unescaped", raw)
		}
	}
	// Shown, escaped, where a reader looks for them.
	for _, want := range []string{
		"&lt;script&gt;alert(1)&lt;/script&gt;",       // the repository
		"&#34;&gt;&lt;img src=x onerror=alert(2)&gt;", // the pusher and the rule
		`evil\u202egnp.exe\u200b\x1b[31m`,             // the reason, made visible
		"INC-", "trust me", "not an allowed pusher", "test fixture (SEC-12)",
		// the hand-written line's raw characters, made visible
		`hand/\u202eedited\u200b`, "&lt;b&gt;mallory&lt;/b&gt;", `&lt;i&gt;tool&lt;/i&gt;\u202e`, `\x1b[2Jrule`,
		`\u202eraw &lt;svg onload=alert(3)&gt;`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestRenderNumbers(t *testing.T) {
	log := strings.Join([]string{
		`{"time":"2026-01-05T09:00:00.000Z","platform":"gitea","repo":"acme/api","pusher":"alice","refs":[{"name":"refs/heads/main","old":"1","new":"2"}],"new_commits":4,"ai_commits":1,"ai_tools":{"claude-code":1},"added_lines":100,"ai_added_lines":30,"findings":[],"suppressions":[],"decision":"accepted","mode":"enforce","post_receive":true}`,
		`{"time":"2026-01-05T09:00:00.500Z","event":"landed","platform":"gitea","repo":"acme/api","pusher":"alice","refs":[{"name":"refs/heads/main","old":"1","new":"2"}]}`,
		`{"time":"2026-01-13T09:00:00.000Z","platform":"gitea","repo":"acme/web","pusher":"bob","refs":[{"name":"refs/heads/main","old":"3","new":"4"}],"new_commits":2,"ai_commits":2,"ai_tools":{"cursor":2},"added_lines":10,"ai_added_lines":10,"findings":[{"rule":"aws-access-key","severity":"block","count":2}],"suppressions":[],"decision":"rejected","mode":"enforce"}`,
		`{"time":"2026-01-27T09:00:00.000Z","platform":"gitea","repo":"acme/web","pusher":"bob","refs":[{"name":"refs/heads/main","old":"3","new":"5"}],"new_commits":2,"ai_commits":2,"ai_tools":{"cursor":2},"added_lines":10,"ai_added_lines":10,"findings":[{"rule":"aws-access-key","severity":"block","count":1}],"suppressions":[],"decision":"accepted with warnings","mode":"enforce","bypass":{"used":true,"reason":"INC-1 revoked"},"post_receive":true}`,
	}, "\n")
	s := statsOf([]byte(log))
	var buf bytes.Buffer
	if err := Render(&buf, s, Options{}); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	checkMarkup(t, page)
	text := strings.Join(strings.Fields(stripTags(page)), " ")
	for _, want := range []string{
		// weeks W02 (landed: 4 commits, 1 AI, 100 lines, 30 AI), W03
		// (rejected: nothing entered), W04 (no events), W05 (refused by
		// the platform: nothing entered).
		"2026-W02 2026-01-05 4 1 25.0% 100 30 30.0%",
		"2026-W03 2026-01-12 0 0 0.0% 0 0 0.0%",
		"Week claude-code 2026-W02 1 2026-W03 0", // AI commits per week and tool
		// per repository and week: acme/api 25% in W02, nothing after.
		"Repository 2026-W02 2026-W03 2026-W04 2026-W05 acme/api 25% – – –",
		"2026-W04 2026-01-19 0 0 0.0%",
		"2026-W05 2026-01-26 0 0 0.0%",
		"2026-W02 1 0 0 1 0 0 0",   // pushes per week: 1 landed
		"2026-W03 1 1 0 0 0 0 0",   // 1 rejected
		"2026-W05 1 0 1 0 0 1 0",   // refused by the platform, bypassed
		"aws-access-key 3 2 1 1 0", // blocks: findings, pushes, rejected, bypassed, audit
		"acme/web 3 3 0 1 1",       // findings per repository
		"refused by the platform 1", "landed 1",
		"INC-1 revoked",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page's text lacks %q:\n%s", want, text)
		}
	}
	// Every chart is labelled and has a table with a caption and header
	// cells.
	if c, tb := strings.Count(page, "<svg "), strings.Count(page, "<caption>"); c < 6 || tb < c {
		t.Errorf("%d charts, %d tables", c, tb)
	}
	if strings.Count(page, `role="img" aria-label="`) != strings.Count(page, "<svg ") {
		t.Error("a chart has no accessible name")
	}
}

func TestRenderEmpty(t *testing.T) {
	s, err := audit.ComputeStats(strings.NewReader(""), audit.StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Render(&buf, s, Options{}); err != nil {
		t.Fatal(err)
	}
	checkMarkup(t, buf.String())
	if !strings.Contains(buf.String(), "No events") {
		t.Error("an empty log does not say there are no events")
	}
}

// BenchmarkRender renders the dashboard of 100,000 events over 50
// repositories and 26 weeks.
func BenchmarkRender(b *testing.B) {
	s := statsOf(genLog(100000, 50, 26, 1))
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(new(bytes.Buffer), s, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
