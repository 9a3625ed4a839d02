package dashboard

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/pushguard/pushguard/pkg/audit"
)

// Hostile strings a pusher controls (repository names on platforms that
// allow them, bypass and suppression reasons, pushers, rule ids from a
// policy repository): none may become markup.
const (
	hostileScript = `<script>alert(1)</script>`
	hostileImg    = `"><img src=x onerror=alert(2)>`
	hostileBidi   = "evil\u202egnp.exe\u200b\x1b[31m"
	hostileStyle  = `</style><style>body{background:url(https://attacker.example/x)}</style>`
)

// genLog writes n audit events over repos repositories and weeks weeks, as
// pushguard writes them (audit.Event.Marshal, audit.Landed.Marshal):
// accepted, warned and rejected pushes, AI commits of several tools with
// added-line counts, blocking findings, bypasses, suppressions, landed
// records and pushes the platform refused. A few events carry hostile
// strings. Deterministic for a seed.
func genLog(n, repos, weeks int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	start := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	step := time.Duration(weeks) * 7 * 24 * time.Hour / time.Duration(max(n, 1))
	tools := []string{"claude-code", "github-copilot", "cursor", "aider", "codex"}
	rules := []string{"aws-access-key", "private-key", "generic-api-key", "bidi-control", "curl-pipe-shell", "new-dependency"}
	pushers := []string{"alice", "bob", "carol", "dave", "erin", "frank"}
	var buf bytes.Buffer
	for i := 0; i < n; i++ {
		t := start.Add(time.Duration(i) * step)
		week := int(t.Sub(start) / (7 * 24 * time.Hour))
		r := rng.IntN(repos)
		e := audit.Event{
			Time: t, Platform: []string{"gitlab", "gitea"}[r%2], Repo: fmt.Sprintf("group-%d/service-%02d", r%5, r),
			Pusher: pushers[rng.IntN(len(pushers))], Protocol: "ssh", Mode: audit.ModeEnforce,
			RulesetVersion: "embedded", Duration: 120 * time.Millisecond, Version: "1.2.0",
			PostReceive: r%3 != 0,
		}
		old, new := fmt.Sprintf("%040x", i), fmt.Sprintf("%040x", i+1)
		e.Refs = []audit.Ref{{Name: "refs/heads/main", Old: old, New: new}}
		// The AI share grows over the weeks, faster in some repositories.
		aiP := min(0.15+0.03*float64(week)+0.2*float64(r%4)/3, 0.95)
		commits := 1 + rng.IntN(4)
		for c := 0; c < commits; c++ {
			// AI-assisted commits add more lines than the others.
			if rng.Float64() < aiP {
				e.AddCommit([]string{tools[(r+rng.IntN(2))%len(tools)]})
				e.AddLines(10+rng.IntN(80), true)
			} else {
				e.AddCommit(nil)
				e.AddLines(5+rng.IntN(50), false)
			}
		}
		e.Decision = audit.DecisionAccepted
		switch x := rng.IntN(100); {
		case x < 8:
			e.AddFinding(rules[rng.IntN(len(rules))], "block")
			e.Decision = audit.DecisionRejected
		case x < 10:
			e.AddFinding(rules[rng.IntN(2)], "block")
			e.Bypass = &audit.Bypass{Used: true, Reason: fmt.Sprintf("INC-%d hotfix, key already revoked", 4000+i%900)}
			e.Decision = audit.DecisionWarned
		case x < 11:
			e.AddFinding(rules[0], "block")
			e.Bypass = &audit.Bypass{Reason: "trust me", Refusal: "not an allowed pusher"}
			e.Decision = audit.DecisionRejected
		case x < 20:
			e.AddFinding("todo", "info")
			e.AddFinding("ai-trailer-missing", "warn")
			e.Decision = audit.DecisionWarned
		case x < 23:
			e.AddSuppression(audit.Suppression{Rule: rules[2], Commit: new, Path: "test/fixtures/keys.go", Line: 1 + rng.IntN(90), Reason: "test fixture (SEC-12)"})
		}
		if i == n-3 || i == n-2 {
			e.Repo = hostileScript
			e.Pusher = hostileImg
			e.Bypass = &audit.Bypass{Used: true, Reason: hostileBidi + hostileStyle}
			e.AddFinding(hostileImg, "block")
			e.AddSuppression(audit.Suppression{Rule: hostileScript, Commit: new, Path: hostileImg, Line: 3, Reason: hostileScript + hostileBidi})
			e.Decision = audit.DecisionWarned
		}
		line, err := e.Marshal()
		if err != nil {
			panic(err)
		}
		buf.Write(line)
		accepted := e.Decision != audit.DecisionRejected
		// One accepted push in 20 with the companion is refused by the
		// platform (a protected branch): no landed record.
		if accepted && e.PostReceive && rng.IntN(20) != 0 {
			l := audit.Landed{Time: t.Add(300 * time.Millisecond), Platform: e.Platform, Repo: e.Repo, Pusher: e.Pusher, Refs: e.Refs, Version: "1.2.0"}
			line, err := l.Marshal()
			if err != nil {
				panic(err)
			}
			buf.Write(line)
		}
	}
	// A line written by hand into the log, not by pushguard: its strings
	// were never escaped (raw bidi override, zero-width space, escape
	// character, markup).
	last := start.Add(time.Duration(n) * step).Format(audit.TimeFormat)
	fmt.Fprintf(&buf, `{"time":%q,"platform":"git","repo":"hand/\u202eedited\u200b","pusher":"<b>mallory</b>","refs":[],`+
		`"new_commits":1,"ai_commits":1,"ai_tools":{"<i>tool</i>\u202e":1},"findings":[{"rule":"\u001b[2Jrule","severity":"block","count":1}],`+
		`"suppressions":[],"decision":"accepted with warnings","mode":"enforce","bypass":{"used":true,"reason":"\u202eraw <svg onload=alert(3)>"}}`+"\n", last)
	return buf.Bytes()
}

// statsOf summarises a generated log.
func statsOf(log []byte) *audit.Stats {
	s, err := audit.ComputeStats(bytes.NewReader(log), audit.StatsOptions{})
	if err != nil {
		panic(err)
	}
	return s
}

// visibleText is what a reader sees of a page: the text outside tags, with
// the character references resolved by the caller where needed.
func stripTags(page string) string {
	var b strings.Builder
	in := false
	for _, r := range page {
		switch {
		case r == '<':
			in = true
		case r == '>':
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return b.String()
}
