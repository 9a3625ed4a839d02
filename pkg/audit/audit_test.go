package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var sampleTime = time.Date(2026, 3, 4, 5, 6, 7, 890_000_000, time.UTC)

func sampleEvent() Event {
	e := Event{
		Time: sampleTime, Platform: "gitlab", Repo: "platform/api", Pusher: "alice", Protocol: "ssh",
		Refs:     []Ref{{Name: "refs/heads/main", Old: strings.Repeat("a", 40), New: strings.Repeat("b", 40)}},
		Decision: DecisionRejected, Mode: ModeEnforce,
		RulesetVersion: "0123456789abcdef0123456789abcdef01234567", Duration: 1234567 * time.Microsecond,
		Version: "1.2.3",
	}
	e.AddCommit(nil)
	e.AddCommit([]string{"claude", "copilot"})
	e.AddCommit([]string{"claude", "claude"})
	e.AddFinding("aws-access-key", "block")
	e.AddFinding("todo", "info")
	e.AddFinding("aws-access-key", "block")
	return e
}

func TestMarshal(t *testing.T) {
	e := sampleEvent()
	line, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"time":"2026-03-04T05:06:07.890Z","platform":"gitlab","repo":"platform/api","pusher":"alice","protocol":"ssh",` +
		`"internal":false,"refs":[{"name":"refs/heads/main","old":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","new":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}],` +
		`"new_commits":3,"ai_commits":2,"ai_tools":{"claude":2,"copilot":1},` +
		`"findings":[{"rule":"aws-access-key","severity":"block","count":2},{"rule":"todo","severity":"info","count":1}],` +
		`"suppressions":[],"decision":"rejected","mode":"enforce","warnings":[],"ruleset_version":"0123456789abcdef0123456789abcdef01234567",` +
		`"duration_ms":1234,"pushguard_version":"1.2.3"}` + "\n"
	if diff := cmp.Diff(want, string(line)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
}

func TestMarshalOptionalKeys(t *testing.T) {
	e := Event{
		Decision: DecisionWarned, Mode: ModeAudit,
		Bypass: &Bypass{Used: false, Reason: "urgent", Refusal: "you are not allowed"},
		Error:  "scan: time budget exceeded",
	}
	line, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatalf("%s: %v", line, err)
	}
	if _, err := time.Parse(time.RFC3339, m["time"].(string)); err != nil {
		t.Errorf("zero Time not defaulted to now: %v", m["time"])
	}
	if diff := cmp.Diff(map[string]any{"used": false, "reason": "urgent", "refusal": "you are not allowed"}, m["bypass"]); diff != "" {
		t.Errorf("bypass (-want +got):\n%s", diff)
	}
	if m["error"] != "scan: time budget exceeded" {
		t.Errorf("error = %v", m["error"])
	}
	for _, k := range []string{"refs", "findings"} {
		if l, ok := m[k].([]any); !ok || len(l) != 0 {
			t.Errorf("%s = %#v, want []", k, m[k])
		}
	}
	if tools, ok := m["ai_tools"].(map[string]any); !ok || len(tools) != 0 {
		t.Errorf("ai_tools = %#v, want {}", m["ai_tools"])
	}
}

// TestEventHasNoMatchText pins the type design: nothing in an Event can
// carry the text a rule matched, only rule ids, severities and counts.
func TestEventHasNoMatchText(t *testing.T) {
	var e Event
	e.AddFinding("aws-access-key", "block")
	if diff := cmp.Diff([]FindingCount{{Rule: "aws-access-key", Severity: "block", Count: 1}}, e.Findings); diff != "" {
		t.Error(diff)
	}
	for _, typ := range []any{FindingCount{}, Ref{}, Bypass{}} {
		b, _ := json.Marshal(typ)
		for _, banned := range []string{"match", "line", "text", "secret", "path"} {
			if bytes.Contains(b, []byte(`"`+banned)) {
				t.Errorf("%T has a %q field", typ, banned)
			}
		}
	}
	// A suppression says where (path and line number), never what.
	b, _ := json.Marshal(Suppression{})
	for _, banned := range []string{"match", "text", "secret", "value", "content", "snippet"} {
		if bytes.Contains(b, []byte(`"`+banned)) {
			t.Errorf("Suppression has a %q field", banned)
		}
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"plain", 10, "plain"},
		{"a\x1b[2Jb", 10, `a\x1b[2Jb`},
		{"new\nline", 20, `new\x0aline`},
		{"bidi\u202eevil", 20, `bidi\u202eevil`},
		{"zw\u200bx", 20, `zw\u200bx`},
		{"bad\xffutf8", 20, `bad\xffutf8`},
		{"abcdef", 3, "abc…"},
		{"héllo", 10, "héllo"},
	}
	for _, tc := range tests {
		if got := clean(tc.in, tc.max); got != tc.want {
			t.Errorf("clean(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.want)
		}
	}
	e := Event{Decision: DecisionAccepted, Bypass: &Bypass{Used: true, Reason: "fix\x1b]0;pwned\x07 " + strings.Repeat("x", 1000)}}
	line, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var r record
	if err := json.Unmarshal(line, &r); err != nil {
		t.Fatal(err)
	}
	if strings.ContainsAny(r.Bypass.Reason, "\x1b\x07") || !strings.HasSuffix(r.Bypass.Reason, "x…") {
		t.Errorf("reason not cleaned and capped: %q", r.Bypass.Reason)
	}
}

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		opts    Options
		wantErr string
	}{
		{"none", Options{}, ""},
		{"file", Options{Destination: File, Path: filepath.Join(dir, "a.jsonl")}, ""},
		{"file without path", Options{Destination: File}, "needs a path"},
		{"file in a missing directory", Options{Destination: File, Path: filepath.Join(dir, "no", "a.jsonl")}, "no such file"},
		{"stderr", Options{Destination: Stderr, Stderr: &bytes.Buffer{}}, ""},
		{"unknown", Options{Destination: "kafka"}, "unknown destination"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, err := Open(tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Open() error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Write(sampleEvent()); err != nil {
				t.Fatal(err)
			}
			if err := l.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFileAppendsAndKeepsExisting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := os.WriteFile(path, []byte("{\"old\":1}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		l, err := Open(Options{Destination: File, Path: path})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Write(sampleEvent()); err != nil {
			t.Fatal(err)
		}
		l.Close()
	}
	data, _ := os.ReadFile(path)
	e := sampleEvent()
	want, _ := e.Marshal()
	if got := string(data); got != "{\"old\":1}\n"+string(want)+string(want) {
		t.Errorf("file =\n%s", got)
	}
}

func TestUnwritableFileIsAnError(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write read-only files")
	}
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	if err := os.WriteFile(path, nil, 0o400); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Options{Destination: File, Path: path}); err == nil {
		t.Error("Open() of a read-only audit log succeeded")
	}
}

func TestWriteErrorReturned(t *testing.T) {
	l := New(failWriter{})
	if err := l.Write(sampleEvent()); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Write() error = %v, want the writer's", err)
	}
	// A closed file: the write(2) fails and the caller hears of it.
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	fl, err := Open(Options{Destination: File, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	fl.Close()
	if err := fl.Write(sampleEvent()); err == nil {
		t.Error("Write() to a closed audit log succeeded")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestSyslogUnavailable(t *testing.T) {
	l, err := Open(Options{Destination: Syslog})
	if err != nil {
		if !errors.Is(err, ErrSyslogUnavailable) {
			t.Errorf("Open(syslog) error %v is not ErrSyslogUnavailable", err)
		}
		return
	}
	// A syslog daemon runs here: the event goes to it.
	if err := l.Write(sampleEvent()); err != nil {
		t.Error(err)
	}
	l.Close()
}

const (
	helperEnv      = "PUSHGUARD_AUDIT_HELPER" // path of the log the helper appends to
	helperIDEnv    = "PUSHGUARD_AUDIT_HELPER_ID"
	eventsPerActor = 200
)

// concurrentEvent is event n of writer id; every fifth is larger than
// PIPE_BUF (4096 bytes), so that only the lock keeps it whole.
func concurrentEvent(id string, n int) Event {
	e := Event{Time: sampleTime, Platform: "git", Repo: "/srv/git/app.git", Pusher: id, Decision: DecisionAccepted,
		Mode: ModeEnforce, Version: strconv.Itoa(n)}
	if n%5 == 0 {
		for i := 0; i < 120; i++ {
			e.AddFinding(fmt.Sprintf("rule-number-%03d-with-a-long-identifier", i), "warn")
		}
	}
	return e
}

// TestHelperAppend is the body of the subprocesses of
// TestConcurrentAppend; it does nothing in a normal run.
func TestHelperAppend(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process only")
	}
	l, err := Open(Options{Destination: File, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	id := os.Getenv(helperIDEnv)
	for n := 0; n < eventsPerActor; n++ {
		if err := l.Write(concurrentEvent(id, n)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestConcurrentAppend has 20 goroutines (half sharing one Logger, half
// with their own) and 5 processes append to one log at once, then checks
// that every line is a whole JSON event and none is lost or repeated.
func TestConcurrentAppend(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	const goroutines, processes = 20, 5

	var cmds []*exec.Cmd
	for p := 0; p < processes; p++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperAppend$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+path, helperIDEnv+"="+fmt.Sprintf("p%d", p))
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("helper output:\n%s", out.String())
			}
		})
	}

	shared, err := Open(Options{Destination: File, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			l := shared
			if g%2 == 1 {
				own, err := Open(Options{Destination: File, Path: path})
				if err != nil {
					errs <- err
					return
				}
				defer own.Close()
				l = own
			}
			id := fmt.Sprintf("g%d", g)
			for n := 0; n < eventsPerActor; n++ {
				if err := l.Write(concurrentEvent(id, n)); err != nil {
					errs <- err
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %v: %v", cmd.Env[len(cmd.Env)-1], err)
		}
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	lines, long := 0, 0
	for sc.Scan() {
		lines++
		if len(sc.Bytes()) > 4096 {
			long++
		}
		var m struct {
			Pusher   string `json:"pusher"`
			Version  string `json:"pushguard_version"`
			Findings []FindingCount
		}
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d is not JSON (%v): %.200s", lines, err, sc.Text())
		}
		key := m.Pusher + "/" + m.Version
		if seen[key] {
			t.Errorf("event %s written twice", key)
		}
		seen[key] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if want := (goroutines + processes) * eventsPerActor; lines != want || len(seen) != want {
		t.Errorf("%d lines, %d distinct events; want %d", lines, len(seen), want)
	}
	if long == 0 {
		t.Error("no line longer than PIPE_BUF: the test does not exercise the lock")
	}
}
