package scan

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

const plainRules = `rules:
  - {id: aws, severity: block, message: m, tags: [secret], content: {regex: 'AKIA[A-Z2-7]{16}', keywords: [akia]}}
  - {id: token, severity: warn, message: m, content: {regex: 'tok_[a-z0-9]+'}}
  - {id: env-file, severity: block, message: m, paths: {include: ['**/.env']}}
  - {id: big, severity: warn, message: m, file: {size_min: 20}}
  - {id: main-only, severity: block, message: m, refs: {include: [refs/heads/main]}, content: {regex: 'MAINONLY'}}
  - {id: wip, severity: block, message: m, commit: {message: 'WIP'}}
  - {id: npm-new, severity: warn, message: m, dependencies: {new: true, ecosystems: [npm]}}
`

// plainKeys lists findings as "rule kind path:line:col[ suppressed]".
func plainKeys(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		k := f.Rule.ID + " " + string(f.Kind) + " " + f.Path
		if f.Kind == KindLine {
			k += ":" + strconv.Itoa(f.Line) + ":" + strconv.Itoa(f.Column)
		}
		if f.Suppressed {
			k += " suppressed"
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestRunFSAppliesFileAndLineRules(t *testing.T) {
	fsys := fstest.MapFS{
		"app/cfg.ini":             {Data: []byte("x = 1\nkey = AKIAZ7VRSQ5TLXKE4N2P\n")},
		"app/.env":                {Data: []byte("A=1\n")},
		"notes.txt":               {Data: []byte("t = tok_abc // pushguard:allow token -- fixture for the test\nMAINONLY\n")},
		"img.bin":                 {Data: []byte("AKIAZ7VRSQ5TLXKE4N2P\x00\x01")},
		".git/config":             {Data: []byte("AKIAZ7VRSQ5TLXKE4N2P\n")},
		"sub/.git/HEAD":           {Data: []byte("AKIAZ7VRSQ5TLXKE4N2P\n")},
		"web/package.json":        {Data: []byte("{\n  \"dependencies\": {\n    \"left-pad\": \"1.0.0\"\n  }\n}\n")},
		"web/broken/package.json": {Data: []byte("{ not json\n")},
	}
	tests := []struct {
		name string
		ref  string
		want []string
	}{
		{"no ref", "", []string{
			"aws line app/cfg.ini:2:7",
			"big file app/cfg.ini",
			"big file img.bin",
			"big file notes.txt",
			"big file web/package.json",
			"env-file file app/.env",
			"npm-new file web/broken/package.json",
			"npm-new line web/package.json:3:6",
			"token line notes.txt:1:5 suppressed",
		}},
		{"main", "refs/heads/main", []string{
			"aws line app/cfg.ini:2:7",
			"big file app/cfg.ini",
			"big file img.bin",
			"big file notes.txt",
			"big file web/package.json",
			"env-file file app/.env",
			"main-only line notes.txt:2:1",
			"npm-new file web/broken/package.json",
			"npm-new line web/package.json:3:6",
			"token line notes.txt:1:5 suppressed",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(nil, parseRules(t, plainRules), Options{})
			res, err := e.RunFS(context.Background(), fsys, ".", tt.ref)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, plainKeys(res.Findings)); d != "" {
				t.Errorf("findings (-want +got):\n%s", d)
			}
			var skips []string
			for _, s := range res.Skipped {
				skips = append(skips, s.Path+": "+s.Reason)
			}
			if d := cmp.Diff([]string{"img.bin: binary"}, skips); d != "" {
				t.Errorf("skipped (-want +got):\n%s", d)
			}
			for _, f := range res.Findings {
				if f.Ref != tt.ref {
					t.Errorf("%s charged to ref %q, want %q", f.Rule.ID, f.Ref, tt.ref)
				}
			}
		})
	}
}

func TestRunFSSubdirectoryPaths(t *testing.T) {
	fsys := fstest.MapFS{"a/b/c.txt": {Data: []byte("AKIAZ7VRSQ5TLXKE4N2P\n")}}
	e := New(nil, parseRules(t, keyRules), Options{})
	res, err := e.RunFS(context.Background(), fsys, "a", "")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"aws line b/c.txt:1:1"}, plainKeys(res.Findings)); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
}

// TestRunFSNeverOpensSpecialFiles: a FIFO or a symbolic link in the
// directory is recorded as skipped, never opened (a FIFO would block, a
// link could lead outside the directory).
func TestRunFSNeverOpensSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, []byte("AKIAZ7VRSQ5TLXKE4N2P\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link.txt")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	e := New(nil, parseRules(t, keyRules), Options{})
	res, err := e.RunFS(context.Background(), os.DirFS(dir), ".", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 0 {
		t.Errorf("findings through a link or FIFO: %v", plainKeys(res.Findings))
	}
	var skips []string
	for _, s := range res.Skipped {
		skips = append(skips, s.Path+": "+s.Reason)
	}
	if d := cmp.Diff([]string{"fifo: " + SkipNotRegular, "link.txt: " + SkipNotRegular}, skips); d != "" {
		t.Errorf("skipped (-want +got):\n%s", d)
	}
}

func TestRunFilesStreamSizeAndLimit(t *testing.T) {
	big := strings.Repeat("a", 100) + "\nAKIAZ7VRSQ5TLXKE4N2P\n"
	tests := []struct {
		name    string
		max     int64
		want    []string
		skipped bool
	}{
		{"within the limit", 1 << 20, []string{"aws line stdin.txt:2:1", "big file stdin.txt"}, false},
		// Too large to read: content rules skip it, the size rule still
		// sees the whole size.
		{"over the limit", 50, []string{"big file stdin.txt"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New(nil, parseRules(t, plainRules), Options{MaxFileSize: tt.max})
			res, err := e.RunFiles(context.Background(), []PlainFile{ReaderFile("stdin.txt", strings.NewReader(big))}, "")
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, plainKeys(res.Findings)); d != "" {
				t.Errorf("findings (-want +got):\n%s", d)
			}
			if got := len(res.Skipped) == 1; got != tt.skipped {
				t.Errorf("skipped = %v, want %v", res.Skipped, tt.skipped)
			}
		})
	}
}

func TestRunFilesHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e := New(nil, parseRules(t, keyRules), Options{})
	lines := strings.Repeat("AKIAZ7VRSQ5TLXKE4N2P\n", 10000)
	_, err := e.RunFiles(ctx, []PlainFile{ReaderFile("x", strings.NewReader(lines))}, "")
	if err == nil {
		t.Fatal("a cancelled context did not stop the scan")
	}
	f := ReaderFile("y", strings.NewReader("a"))
	if _, err := f.Open(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Open(); err == nil {
		t.Error("a stream opened twice")
	}
}
