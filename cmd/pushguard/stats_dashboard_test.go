package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestE2EDashboardFromRealPushes: real pushes through the hooks `install
// --plain` writes (pre-receive and the post-receive companion) leave an
// audit log whose HTML dashboard names the AI tool, the rejected push's
// rule, what landed and what the platform refused, and holds no script nor
// anything to fetch; the JSON carries the same numbers.
func TestE2EDashboardFromRealPushes(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	auditPath := filepath.Join(dir, "node-1", "audit.jsonl")
	os.MkdirAll(filepath.Dir(auditPath), 0o755)
	cfg := filepath.Join(dir, "pushguard.yml")
	if err := os.WriteFile(cfg, []byte("audit:\n  destination: file\n  path: "+auditPath+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(binPath, "install", "--plain", w.server, "--config", cfg, "--binary", binPath).CombinedOutput(); err != nil {
		t.Fatalf("install: %v\n%s", err, out)
	}
	update := "#!/bin/sh\ncase \"$1\" in refs/heads/locked) echo 'locked branch' >&2; exit 1;; esac\nexit 0\n"
	if err := os.WriteFile(filepath.Join(w.server, "hooks", "update"), []byte(update), 0o755); err != nil {
		t.Fatal(err)
	}
	w.commit("Add a\n\nCo-Authored-By: Claude <noreply@anthropic.com>", map[string]string{"a.py": "x = 1\n"})
	w.mustAccept(w.push("main"))
	w.commit("Add b", map[string]string{"b.txt": "b\n"})
	w.mustAccept(w.push("main"))
	w.commit("locked", map[string]string{"c.txt": "c\n"})
	if p := w.push("HEAD:refs/heads/locked"); p.accepted() {
		t.Fatalf("push to the locked branch accepted: %s", p.out)
	}
	w.commit("key", map[string]string{"k.ini": "key = \"AKIA" + "Z7VRSQ5TLXKE4N2P\"\n"})
	w.mustReject(w.push("main"))

	report := filepath.Join(dir, "report.html")
	glob := filepath.Join(dir, "node-*", "audit.jsonl*")
	out, err := exec.Command(binPath, "stats", "--audit-log", glob, "--format", "html", "--out", report).CombinedOutput()
	if err != nil || len(out) != 0 {
		t.Fatalf("stats --format html: %v\n%s", err, out)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	for _, want := range []string{"<svg", "claude-code", "aws-access-key", "Landed or refused", "<caption>", `<th scope="col">`} {
		if !strings.Contains(page, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<link", "<img", "url(", "@import", "http:", "https:"} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("the dashboard holds %q", bad)
		}
	}
	js, err := exec.Command(binPath, "stats", "--audit-log", glob, "--format", "json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		Schema   string `json:"schema"`
		Pushes   int    `json:"pushes"`
		Rejected int    `json:"rejected"`
		Landed   int    `json:"landed"`
		Refused  int    `json:"refused_by_platform"`
		Commits  int    `json:"commits"`
		AI       int    `json:"ai_commits"`
		Weeks    []struct {
			Pushes int `json:"pushes"`
		} `json:"weeks"`
		Blocks []struct {
			Rule     string `json:"rule"`
			Rejected int    `json:"rejected"`
		} `json:"blocks_by_rule"`
	}
	if err := json.Unmarshal(js, &st); err != nil {
		t.Fatal(err)
	}
	if st.Schema != "pushguard-stats/2" || st.Pushes != 4 || st.Rejected != 1 || st.Landed != 2 || st.Refused != 1 ||
		st.Commits != 2 || st.AI != 1 || len(st.Weeks) != 1 || st.Weeks[0].Pushes != 4 ||
		len(st.Blocks) != 1 || st.Blocks[0].Rule != "aws-access-key-id" || st.Blocks[0].Rejected != 1 {
		t.Errorf("stats json: %+v\n%s", st, js)
	}
}

// TestStatsCommandManyLogs: several --audit-log values and globs, a
// gzip-rotated file, standard input, filters, --out, and the usage
// errors of the new flags.
func TestStatsCommandManyLogs(t *testing.T) {
	dir := t.TempDir()
	ev := func(day int, repo, platform, decision string) string {
		return `{"time":"2026-01-0` + string(rune('0'+day)) + `T08:00:00.000Z","platform":"` + platform + `","repo":"` + repo +
			`","pusher":"p","refs":[],"new_commits":2,"ai_commits":1,"ai_tools":{"cursor":1},"findings":[],"suppressions":[],"decision":"` + decision + `","mode":"enforce"}` + "\n"
	}
	os.WriteFile(filepath.Join(dir, "a.jsonl"), []byte(ev(5, "org/api", "gitea", "accepted")+"not json\n"), 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(ev(2, "org/web", "gitlab", "rejected") + ev(3, "team/x", "gitea", "accepted")))
	zw.Close()
	os.WriteFile(filepath.Join(dir, "a.jsonl.1.gz"), gz.Bytes(), 0o644)
	stdin := ev(6, "org/api", "gitea", "accepted with warnings")
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	run := func(args ...string) (int, string, string) {
		var out, errb strings.Builder
		a := &app{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: os.Getenv}
		return a.statsAt(args, now), out.String(), errb.String()
	}
	type counts struct {
		Pushes  int `json:"pushes"`
		Commits int `json:"commits"`
	}
	for _, tc := range []struct {
		args []string
		want counts
	}{
		{[]string{"--audit-log", filepath.Join(dir, "a.jsonl*")}, counts{3, 4}},
		{[]string{"--audit-log", filepath.Join(dir, "a.jsonl"), "--audit-log", filepath.Join(dir, "*.gz"), "--audit-log", "-"}, counts{4, 6}},
		{[]string{"--audit-log", filepath.Join(dir, "*"), "--repo", "org/**"}, counts{2, 2}},
		{[]string{"--audit-log", filepath.Join(dir, "*"), "--repo", "team/*", "--repo", "org/api"}, counts{2, 4}},
		{[]string{"--audit-log", filepath.Join(dir, "*"), "--platform", "gitlab"}, counts{1, 0}},
		{[]string{"--audit-log", filepath.Join(dir, "*"), "--since", "2026-01-03"}, counts{2, 4}},
	} {
		code, out, errOut := run(append(tc.args, "--format", "json")...)
		var got counts
		if code != exitOK || json.Unmarshal([]byte(out), &got) != nil || got != tc.want {
			t.Errorf("%q: exit %d, %+v, want %+v\n%s", tc.args, code, got, tc.want, errOut)
		}
	}
	// The malformed line is reported with its file and line.
	if _, _, errOut := run("--audit-log", filepath.Join(dir, "a.jsonl*")); !strings.Contains(errOut, "a.jsonl:2") {
		t.Errorf("stderr %q does not name the malformed line", errOut)
	}
	// --out writes the file, nothing on stdout.
	out := filepath.Join(dir, "r.html")
	if code, stdout, errOut := run("--audit-log", filepath.Join(dir, "a.jsonl.1.gz"), "--format", "html", "--out", out); code != exitOK || stdout != "" {
		t.Errorf("--out: exit %d, stdout %q, stderr %q", code, stdout, errOut)
	}
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), "team/x") || !strings.HasPrefix(string(b), "<!DOCTYPE html>") {
		t.Errorf("--out file: %v\n%.300s", err, b)
	}
	for _, args := range [][]string{
		{"--audit-log", filepath.Join(dir, "nothing-*.jsonl")},
		{"--audit-log", "-", "--audit-log", "-"},
		{"--audit-log", "-", "--repo", "org/["},
		{"--audit-log", "-", "--format", "pdf"},
	} {
		if code, _, errOut := run(args...); code != exitUsage || errOut == "" {
			t.Errorf("%q: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
	if code, _, errOut := run("--audit-log", "-", "--out", filepath.Join(dir, "missing", "r.html")); code != exitInternal || !strings.Contains(errOut, "missing") {
		t.Errorf("--out in a missing directory: exit %d, %q", code, errOut)
	}
}
