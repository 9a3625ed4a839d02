// Package gitea_test runs pushguard inside a real Gitea (or Forgejo) server:
// the binary named by $PUSHGUARD_GITEA is started on 127.0.0.1 with a
// throwaway work directory, SQLite and a random port; pushguard is installed
// the way docs/install.md says (a git template directory for the
// repositories Gitea creates, --gitea-root for those it already has); the
// tests push over HTTP with git, call the REST API, open and merge pull
// requests, fork, edit the wiki and push with a deploy key, and read the
// audit log. Without $PUSHGUARD_GITEA every test is skipped: `make
// test-gitea` (scripts/gitea-test.sh) builds the pinned Gitea and runs them.
package gitea_test

import (
	"bufio"
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Accounts the suite creates. Passwords are throwaway: the server binds
// 127.0.0.1 only and its work directory is deleted afterwards.
const (
	admin     = "root"
	adminPass = "pushguard-CI-root-1"
	dev       = "bob"
	devPass   = "pushguard-CI-bob-1"
	org       = "acme"
)

// fakeKey is the fake AWS key id pushguard's own rule tests use.
const fakeKey = "AKIA" + "QYLPMN5HHHFPZAM2"

// server is a running Gitea.
type server struct {
	bin      string // gitea binary
	work     string // throwaway directory: config, data, repositories, logs
	ini      string
	url      string // http://127.0.0.1:PORT/
	cmd      *exec.Cmd
	pg       string // pushguard binary
	pgConfig string
	audit    string // pushguard's audit log
	repos    string // Gitea's repository root
	template string // pushguard's git template directory
	logFile  *os.File
	exited   chan struct{} // closed when the server process has ended
}

var srv *server

func TestMain(m *testing.M) {
	bin := os.Getenv("PUSHGUARD_GITEA")
	if bin == "" {
		fmt.Println("gitea suite skipped: set PUSHGUARD_GITEA to a Gitea or Forgejo binary (make test-gitea does)")
		os.Exit(0)
	}
	s, err := start(bin)
	if err != nil {
		if s != nil {
			s.dumpLog()
			s.stop()
		}
		fmt.Fprintln(os.Stderr, "gitea suite: start:", err)
		os.Exit(1)
	}
	srv = s
	code := m.Run()
	s.stop()
	if code == 0 && os.Getenv("PUSHGUARD_GITEA_KEEP") == "" {
		os.RemoveAll(s.work)
	} else {
		fmt.Fprintln(os.Stderr, "gitea suite: work directory kept:", s.work)
	}
	os.Exit(code)
}

// start builds pushguard, writes app.ini and pushguard's configuration,
// installs the template, prepares the database and the admin, starts the
// server and waits for its API.
func start(bin string) (*server, error) {
	t0 := time.Now()
	work, err := os.MkdirTemp("", "pushguard-gitea-")
	if err != nil {
		return nil, err
	}
	s := &server{bin: bin, work: work}
	s.repos = filepath.Join(work, "repositories")
	s.template = filepath.Join(work, "pushguard-template")
	s.audit = filepath.Join(work, "audit.jsonl")
	s.pgConfig = filepath.Join(work, "pushguard.yml")
	for _, d := range []string{"custom", "data", "log", "home", "ssh", "repositories"} {
		if err := os.MkdirAll(filepath.Join(work, d), 0o755); err != nil {
			return nil, err
		}
	}

	s.pg = os.Getenv("PUSHGUARD_BIN")
	if s.pg == "" {
		s.pg = filepath.Join(work, "bin", "pushguard")
		build := exec.Command("go", "build", "-o", s.pg, "./cmd/pushguard")
		build.Dir = repoRoot()
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("build pushguard: %v\n%s", err, out)
		}
	}

	if err := os.WriteFile(s.pgConfig, []byte(pushguardConfig(s.audit)), 0o644); err != nil {
		return nil, err
	}
	// New repositories: the template directory (docs/install.md).
	if out, err := exec.Command(s.pg, "install", "--gitea-template", s.template, "--config", s.pgConfig, "--binary", s.pg).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pushguard install --gitea-template: %v\n%s", err, out)
	}

	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.url = fmt.Sprintf("http://127.0.0.1:%d/", port)
	s.ini = filepath.Join(work, "custom", "app.ini")
	// A Gitea built without the bindata tag reads its templates and
	// locales from STATIC_ROOT_PATH: the source tree gitea-build.sh keeps
	// next to the binary.
	static := os.Getenv("PUSHGUARD_GITEA_STATIC")
	if static == "" {
		static = filepath.Join(filepath.Dir(bin), "src")
	}
	if _, err := os.Stat(filepath.Join(static, "options", "locale")); err != nil {
		return nil, fmt.Errorf("no Gitea options/locale under %s (set PUSHGUARD_GITEA_STATIC to Gitea's source tree): %w", static, err)
	}
	if err := os.WriteFile(s.ini, []byte(appINI(work, port, s.template, static)), 0o600); err != nil {
		return nil, err
	}
	if out, err := s.gitea("migrate"); err != nil {
		return s, fmt.Errorf("gitea migrate: %v\n%s", err, out)
	}
	for _, u := range []struct {
		name, pass string
		admin      bool
	}{{admin, adminPass, true}, {dev, devPass, false}} {
		args := []string{"admin", "user", "create", "--username", u.name, "--password", u.pass,
			"--email", u.name + "@example.com", "--must-change-password=false"}
		if u.admin {
			args = append(args, "--admin")
		}
		if out, err := s.gitea(args...); err != nil {
			return s, fmt.Errorf("gitea admin user create %s: %v\n%s", u.name, err, out)
		}
	}

	s.logFile, err = os.Create(filepath.Join(work, "log", "stdout.log"))
	if err != nil {
		return s, err
	}
	s.cmd = exec.Command(bin, "web", "--config", s.ini, "--work-path", work)
	s.cmd.Env = s.env()
	s.cmd.Stdout, s.cmd.Stderr = s.logFile, s.logFile
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return s, fmt.Errorf("start gitea: %w", err)
	}
	s.exited = make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, err := http.Get(s.url + "api/v1/version")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				fmt.Printf("gitea suite: %s %s on %s (started in %s)\n", filepath.Base(bin), strings.TrimSpace(string(body)), s.url, time.Since(t0).Round(time.Millisecond))
				break
			}
		}
		if time.Now().After(deadline) {
			return s, fmt.Errorf("gitea did not answer on %s", s.url)
		}
		select {
		case <-s.exited:
			return s, fmt.Errorf("gitea exited before answering: %v", s.cmd.ProcessState)
		case <-time.After(300 * time.Millisecond):
		}
	}
	return s, nil
}

// env is the environment of every Gitea command: its own HOME, no system
// git configuration.
func (s *server) env() []string {
	env := []string{
		"HOME=" + filepath.Join(s.work, "home"),
		"PATH=" + os.Getenv("PATH"),
		"GITEA_WORK_DIR=" + s.work,
		"GITEA_CUSTOM=" + filepath.Join(s.work, "custom"),
		"GIT_CONFIG_NOSYSTEM=1",
		"LC_ALL=C",
	}
	if os.Getuid() == 0 {
		env = append(env, "GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT=true")
	}
	return env
}

// gitea runs a Gitea command against this server's configuration.
func (s *server) gitea(args ...string) ([]byte, error) {
	cmd := exec.Command(s.bin, append(args, "--config", s.ini, "--work-path", s.work)...)
	cmd.Env = s.env()
	return cmd.CombinedOutput()
}

// stop ends the server by its process id (and its process group: the
// hooks it may still run), then waits.
func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	pid := s.cmd.Process.Pid
	_ = syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-s.exited
	}
	if s.logFile != nil {
		s.logFile.Close()
	}
}

func (s *server) dumpLog() {
	for _, p := range []string{filepath.Join(s.work, "log", "stdout.log"), filepath.Join(s.work, "log", "gitea.log")} {
		if b, err := os.ReadFile(p); err == nil {
			if len(b) > 8000 {
				b = b[len(b)-8000:]
			}
			fmt.Fprintf(os.Stderr, "--- %s (tail)\n%s\n", p, b)
		}
	}
}

// appINI is the server's configuration: loopback only, SQLite, no mail, no
// outgoing requests, hooks from pushguard's template for new repositories.
func appINI(work string, port int, template, static string) string {
	runUser := "git"
	if u, err := user.Current(); err == nil {
		runUser = u.Username
	}
	return fmt.Sprintf(`APP_NAME = pushguard CI
RUN_MODE = prod
RUN_USER = %[5]s
WORK_PATH = %[1]s

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = %[2]d
DOMAIN = 127.0.0.1
ROOT_URL = http://127.0.0.1:%[2]d/
LOCAL_ROOT_URL = http://127.0.0.1:%[2]d/
APP_DATA_PATH = %[1]s/data
DISABLE_SSH = false
START_SSH_SERVER = false
SSH_DOMAIN = 127.0.0.1
SSH_ROOT_PATH = %[1]s/ssh
SSH_CREATE_AUTHORIZED_KEYS_FILE = true
LFS_START_SERVER = false
STATIC_ROOT_PATH = %[7]s

[database]
DB_TYPE = sqlite3
PATH = %[1]s/data/gitea.db
SQLITE_JOURNAL_MODE = WAL

[repository]
ROOT = %[3]s
DEFAULT_BRANCH = main

[security]
INSTALL_LOCK = true
SECRET_KEY = %[4]s
PASSWORD_HASH_ALGO = pbkdf2
MIN_PASSWORD_LENGTH = 8

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false
ENABLE_NOTIFY_MAIL = false

[mailer]
ENABLED = false

[oauth2]
ENABLED = false

[actions]
ENABLED = false

[packages]
ENABLED = false

[cron.update_checker]
ENABLED = false

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[log]
MODE = file
LEVEL = info
ROOT_PATH = %[1]s/log

[git.config]
init.templateDir = %[6]s
`, work, port, filepath.Join(work, "repositories"), randHex(32), runUser, template, static)
}

// pushguardConfig: main and master (wikis) are enforced, other branches
// only audited, so that a finding can sit on a feature branch and be
// stopped at the merge; root may break glass.
func pushguardConfig(auditPath string) string {
	return `mode: audit
scopes:
  - name: protected
    refs: ["refs/heads/main", "refs/heads/master"]
    mode: enforce
bypass:
  allowed_pushers: ["` + admin + `"]
  min_reason_length: 10
audit:
  destination: file
  path: ` + auditPath + `
`
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// repoRoot is the pushguard repository (this file is test/gitea/...).
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// api calls the REST API as user (basic auth); body is JSON-encoded.
func (s *server) api(t *testing.T, method, path, user string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.url+"api/v1"+path, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(user, password(user))
	client := &http.Client{Timeout: 2 * time.Minute}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// mustAPI is api that fails the test unless the status is one of want.
func (s *server) mustAPI(t *testing.T, method, path, user string, body any, want ...int) []byte {
	t.Helper()
	code, out := s.api(t, method, path, user, body)
	for _, w := range want {
		if code == w {
			return out
		}
	}
	t.Fatalf("%s %s as %s: HTTP %d, want %v: %s", method, path, user, code, want, out)
	return nil
}

func password(user string) string {
	if user == admin {
		return adminPass
	}
	return devPass
}

// remote is the HTTP URL of a repository with the user's credentials.
func (s *server) remote(user, repo string) string {
	return strings.Replace(s.url, "http://", "http://"+user+":"+password(user)+"@", 1) + repo + ".git"
}

// clone is a working copy for one user.
type clone struct {
	t   *testing.T
	dir string
	env []string
}

// newClone clones repo over HTTP as user.
func (s *server) newClone(t *testing.T, user, repo string) *clone {
	t.Helper()
	home := t.TempDir()
	c := &clone{t: t, dir: filepath.Join(home, "work"), env: []string{
		"HOME=" + home, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=" + user, "GIT_AUTHOR_EMAIL=" + user + "@example.com",
		"GIT_COMMITTER_NAME=" + user, "GIT_COMMITTER_EMAIL=" + user + "@example.com", "LC_ALL=C",
	}}
	c.run("", "clone", "-q", s.remote(user, repo), c.dir)
	return c
}

// run runs git in the clone (dir "" means the clone's parent, for clone),
// failing the test on error.
func (c *clone) run(dir string, args ...string) string {
	c.t.Helper()
	out, err := c.try(dir, args...)
	if err != nil {
		c.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func (c *clone) try(dir string, args ...string) (string, error) {
	if dir == "" {
		dir = filepath.Dir(c.dir)
	}
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (c *clone) git(args ...string) string { c.t.Helper(); return c.run(c.dir, args...) }

// commit writes files and commits them on the current branch.
func (c *clone) commit(msg string, files map[string]string) string {
	c.t.Helper()
	for name, body := range files {
		p := filepath.Join(c.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			c.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			c.t.Fatal(err)
		}
		c.git("add", name)
	}
	c.git("commit", "-q", "-m", msg)
	return strings.TrimSpace(c.git("rev-parse", "HEAD"))
}

// push pushes and returns git's output and whether it succeeded.
func (c *clone) push(args ...string) (string, bool) {
	c.t.Helper()
	out, err := c.try(c.dir, append([]string{"push"}, args...)...)
	return out, err == nil
}

// event is an audit line as the suite reads it: a push event, or a landed
// record (Event == "landed").
type event struct {
	Time        string         `json:"time"`
	Event       string         `json:"event"`
	Platform    string         `json:"platform"`
	Repo        string         `json:"repo"`
	Pusher      string         `json:"pusher"`
	Protocol    string         `json:"protocol"`
	Internal    bool           `json:"internal"`
	KeyOwner    string         `json:"key_owner"`
	PRID        string         `json:"pr_id"`
	PRIndex     string         `json:"pr_index"`
	Trigger     string         `json:"trigger"`
	PostReceive bool           `json:"post_receive"`
	Refs        []ref          `json:"refs"`
	Decision    string         `json:"decision"`
	Findings    []findingCount `json:"findings"`
	Bypass      *struct {
		Used    bool   `json:"used"`
		Refusal string `json:"refusal"`
	} `json:"bypass"`
	Warnings []string `json:"warnings"`
}

type ref struct {
	Name string `json:"name"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

type findingCount struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Count    int    `json:"count"`
}

// auditLog reads every line of the audit log.
func (s *server) auditLog(t *testing.T) []event {
	t.Helper()
	f, err := os.Open(s.audit)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 64<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("audit line %q: %v", sc.Text(), err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// outcome is the final outcome of a push event: "rejected", or for an
// accepted one "landed" when a later landed record has one of its ref
// updates, else "refused by the platform".
func outcome(log []event, i int) string {
	e := log[i]
	if e.Decision == "rejected" || e.Decision == "interrupted" {
		return e.Decision
	}
	for _, l := range log[i+1:] {
		if l.Event != "landed" || l.Repo != e.Repo {
			continue
		}
		for _, a := range l.Refs {
			for _, b := range e.Refs {
				if a == b {
					return "landed"
				}
			}
		}
	}
	return "refused by the platform"
}

// since returns the push events (not landed records) after the first n
// lines, with their index in log.
func pushEvents(log []event, n int) []int {
	var out []int
	for i := n; i < len(log); i++ {
		if log[i].Event == "" {
			out = append(out, i)
		}
	}
	return out
}

func (e event) finding(rule string) int {
	n := 0
	for _, f := range e.Findings {
		if f.Rule == rule {
			n += f.Count
		}
	}
	return n
}

// sshPublicKey returns a new ed25519 key in authorized_keys form.
func sshPublicKey() string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	for _, part := range [][]byte{[]byte("ssh-ed25519"), pub} {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(part)))
		b.Write(part)
	}
	return "ssh-ed25519 " + base64.StdEncoding.EncodeToString(b.Bytes())
}
