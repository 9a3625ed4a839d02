package gitleaks

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImport: the import-gitleaks command's work — rules to a file or
// stdout, the conversion report, a .gitleaksignore turned into a baseline
// from the work tree — and its error classes.
func TestImport(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cfg := write("gitleaks.toml", sample)
	badCfg := write("bad.toml", "[[rules]\nid = ")
	repo := filepath.Join(dir, "repo")
	write("repo/config/dev.env", "client_secret = \"Zq7xR2vM9kL4pT8w\"\n")
	ignore := write(".gitleaksignore", "config/dev.env:kv-secret:1\n")
	for _, tc := range []struct {
		name      string
		o         ImportOptions
		wantOut   string // on stdout
		wantRep   string // in the report
		wantFiles []string
		errSub    string
		internal  bool
	}{
		{name: "stdout", o: ImportOptions{ConfigPath: cfg, Prefix: "gitleaks-", Examples: 2}, wantOut: "gitleaks-acme-token", wantRep: "converted "},
		{name: "to file", o: ImportOptions{ConfigPath: cfg, Out: filepath.Join(dir, "rules.yml")}, wantRep: "converted ", wantFiles: []string{"rules.yml"}},
		{name: "baseline", o: ImportOptions{ConfigPath: cfg, Prefix: "gitleaks-", Out: filepath.Join(dir, "r2.yml"), Ignore: ignore, Repo: repo, BaselineOut: filepath.Join(dir, "base.json")},
			wantRep: "baseline: 1 of 1 fingerprints converted", wantFiles: []string{"r2.yml", "base.json"}},
		{name: "missing config", o: ImportOptions{ConfigPath: filepath.Join(dir, "none.toml")}, errSub: "none.toml"},
		{name: "bad config", o: ImportOptions{ConfigPath: badCfg}, errSub: ""},
		{name: "ignore without baseline-out", o: ImportOptions{ConfigPath: cfg, Ignore: ignore}, errSub: "go together"},
		{name: "missing ignore", o: ImportOptions{ConfigPath: cfg, Out: filepath.Join(dir, "r3.yml"), Ignore: filepath.Join(dir, "nope"), Repo: repo, BaselineOut: filepath.Join(dir, "b2.json")}, errSub: "nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, rep bytes.Buffer
			o := tc.o
			o.Stdout, o.Report = &stdout, &rep
			err := Import(o)
			if tc.errSub != "" || strings.HasPrefix(tc.name, "bad") {
				var ie *ImportError
				if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.errSub) || ie.Internal != tc.internal {
					t.Fatalf("err = %v (%T), want an ImportError{Internal: %v} containing %q", err, err, tc.internal, tc.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(stdout.String(), tc.wantOut) || (tc.wantOut == "") != (stdout.Len() == 0) {
				t.Errorf("stdout = %.300q, want %q", stdout.String(), tc.wantOut)
			}
			if !strings.Contains(rep.String(), tc.wantRep) {
				t.Errorf("report = %q, want %q", rep.String(), tc.wantRep)
			}
			for _, f := range tc.wantFiles {
				if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
					t.Errorf("%s not written: %v", f, err)
				}
			}
		})
	}
}
