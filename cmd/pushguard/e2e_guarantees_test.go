package main

// Guarantees pushguard gives the server, tested with real pushes: pushed
// content never makes it run a hook, a filter, a textconv or configuration;
// pushed text is never evaluated as a template or format string; and the
// hook never writes to the repository.

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// markerCmd is a shell command that creates marker when run.
func markerCmd(marker string) string { return "touch " + shellQuote(marker) }

func TestGuaranteeNoPushedHooksFiltersOrConfigRun(t *testing.T) {
	w := newWorld(t)
	w.installHook()
	marker := filepath.Join(t.TempDir(), "executed")
	run := markerCmd(marker)
	// The server defines drivers that pushed .gitattributes can select: any
	// code path that applied filters, textconv or merge drivers to pushed
	// content would run them.
	for _, kv := range [][2]string{
		{"filter.evil.clean", run}, {"filter.evil.smudge", run}, {"filter.evil.process", run},
		{"filter.evil.required", "true"}, {"diff.evil.textconv", run}, {"diff.evil.command", run},
		{"merge.evil.driver", run}, {"core.fsmonitor", run},
	} {
		w.git(w.server, "config", kv[0], kv[1])
	}
	script := "#!/bin/sh\n" + run + "\n"
	// layout builds, on ref, a commit with hostile repository files; with
	// key, it also adds a private key so that the push is rejected.
	layout := func(ref string, key bool) []byte {
		var b bytes.Buffer
		fiCommitHeader(&b, ref, 1, 1, "hostile repository layout\n\n$("+run+")\n`"+run+"`\n")
		files := map[string]string{
			".gitattributes":     "* filter=evil diff=evil merge=evil text eol=crlf working-tree-encoding=UTF-16\n",
			".gitmodules":        "[submodule \"x\"]\n\tpath = x\n\turl = ext::sh -c " + run + "\n\tupdate = !" + run + "\n",
			"config":             "[core]\n\thooksPath = hooks\n\tfsmonitor = " + run + "\n[include]\n\tpath = /etc/passwd\n",
			".git/config":        "[core]\n\thooksPath = ../hooks\n\tsshCommand = " + run + "\n",
			"sub/.git/config":    "[core]\n\tfsmonitor = " + run + "\n",
			"$(" + run + ").txt": "`" + run + "`\n",
			".pushguard.yml":     "rules: []\ndefaults: false\n",
			"clean.txt":          "hello\n",
		}
		if key {
			files["id.pem"] = fakeKeyBlock
		}
		for path, content := range files {
			fmt.Fprintf(&b, "M 100644 inline %s\n", path)
			fiData(&b, content)
		}
		for _, hook := range []string{"hooks/pre-receive", "hooks/post-receive", "hooks/update", ".git/hooks/pre-receive", ".githooks/post-checkout"} {
			fmt.Fprintf(&b, "M 100755 inline %s\n", hook)
			fiData(&b, script)
		}
		b.WriteString("M 120000 inline hooks/reference-transaction\n")
		fiData(&b, "/bin/sh")
		b.WriteString("\ndone\n")
		return b.Bytes()
	}
	w.fastImport(layout("refs/heads/main", true))
	p := w.push("main")
	w.mustReject(p) // id.pem holds a private key: the rest was read and scanned too
	assertSafeOutput(t, p.out)
	mustContain(t, p.remote(), "id.pem:1:")
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("pushed content made something execute on the server")
	}

	// Without the key the same layout is accepted, and still nothing runs.
	w.fastImport(layout("refs/heads/clean", false))
	p = w.push("clean")
	w.mustAccept(p)
	assertSafeOutput(t, p.out)
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("pushed content made something execute on the server")
	}
	// Control: the command really creates the marker when something runs it.
	if out, err := exec.Command("sh", "-c", run).CombinedOutput(); err != nil {
		t.Fatalf("control run: %v %s", err, out)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("control: the marker command does not create %s", marker)
	}
}

// TestGuaranteeHookCodeCannotExecute: the packages the hook runs on import
// nothing that starts processes or evaluates templates; in cmd/pushguard,
// only the installer (an admin command, never the hook) runs git.
func TestGuaranteeHookCodeCannotExecute(t *testing.T) {
	banned := map[string]bool{"os/exec": true, "text/template": true, "html/template": true, "plugin": true}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", "../../pkg/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if banned[dep] {
			t.Errorf("the pkg/ packages depend on %s", dep)
		}
	}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range af.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			// scangit.go: `scan --range` asks git rev-parse for what
			// go-git cannot resolve (@{u}), with the user's own text only.
			if banned[p] && !strings.HasPrefix(f, "install") && !(f == "scangit.go" && p == "os/exec") {
				t.Errorf("%s imports %s: only the installer may", f, p)
			}
		}
	}
}

// TestGuaranteeNoTemplateEvaluation: template, format-string and shell
// syntax in pushed paths and lines is echoed verbatim.
func TestGuaranteeNoTemplateEvaluation(t *testing.T) {
	w := newWorld(t)
	rules := filepath.Join(t.TempDir(), "tmpl.yml")
	if err := os.WriteFile(rules, []byte(`rules:
  - id: template-marker
    description: flags lines holding TMPL so the test sees them echoed
    severity: block
    message: TMPL line
    redact: false
    content:
      regex: 'TMPL:.*'
`), 0o644); err != nil {
		t.Fatal(err)
	}
	w.installHook("--rules", rules)
	marker := filepath.Join(t.TempDir(), "executed")
	path := "tmpl/{{.}}{{printf \"%s\" 1}}%s%!d%v%n${HOME}$(id)`id`.txt"
	match := "TMPL: {{.}} {{template \"x\"}} %s %d %!v(MISSING) ${HOME} $(touch " + marker + ")"
	w.commit("{{.}} %s %!d ${HOME} $(touch "+marker+")", map[string]string{path: match + "\n"})
	p := w.push("main")
	w.mustReject(p)
	assertSafeOutput(t, p.out)
	mustContain(t, p.remote(), path+":1:1  "+match)
	if strings.Contains(p.remote(), w.home) || strings.Contains(p.remote(), "%!s(") || strings.Contains(p.remote(), "<no value>") {
		t.Errorf("pushed text was expanded:\n%s", p.remote())
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("pushed text was executed")
	}
}

// snapshot describes every file under dir (but hooks/): path, mode and
// content hash; with times, also size and modification time.
func snapshot(t *testing.T, dir string, times bool) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "hooks" {
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		entry := fmt.Sprintf("%s %v", rel, info.Mode())
		if d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			entry += fmt.Sprintf(" %x", sha256.Sum256(data))
			if times {
				entry += fmt.Sprintf(" %d %d", info.Size(), info.ModTime().UnixNano())
			}
		}
		out = append(out, entry)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// TestGuaranteeNoWritesToRepository: a rejected push leaves the server
// repository byte-identical (same files, contents and modification times);
// an accepted push changes exactly what the same push changes under a hook
// that does nothing.
func TestGuaranteeNoWritesToRepository(t *testing.T) {
	build := func(t *testing.T, hook string) *world {
		w := newWorld(t)
		if hook == "" {
			w.installHook()
		} else if err := os.WriteFile(filepath.Join(w.server, "hooks", "pre-receive"), []byte(hook), 0o755); err != nil {
			t.Fatal(err)
		}
		w.commit("base", map[string]string{"README.md": "# demo\n", "src/a.go": "package a\n"})
		w.mustAccept(w.push("main"))
		w.commit("more", map[string]string{"src/b.go": "package a\n\nconst B = 1\n"})
		w.git(w.client, "tag", "-a", "v1", "-m", "release")
		return w
	}

	t.Run("rejected push", func(t *testing.T) {
		w := build(t, "")
		w.commit("bad", map[string]string{"creds.txt": "token " + fakeGHToken + "\n"})
		before := snapshot(t, w.server, true)
		w.mustReject(w.push("main", "v1"))
		if diff := cmp.Diff(before, snapshot(t, w.server, true)); diff != "" {
			t.Errorf("rejected push changed the server repository (-before +after):\n%s", diff)
		}
	})

	t.Run("accepted push", func(t *testing.T) {
		guarded := build(t, "")
		plain := build(t, "#!/bin/sh\ncat >/dev/null\nexit 0\n")
		guarded.mustAccept(guarded.push("main", "v1"))
		plain.mustAccept(plain.push("main", "v1"))
		if guarded.serverRef("refs/heads/main") != plain.serverRef("refs/heads/main") {
			t.Fatal("the two worlds differ: commits are not reproducible")
		}
		if diff := cmp.Diff(snapshot(t, plain.server, false), snapshot(t, guarded.server, false)); diff != "" {
			t.Errorf("pushguard changed the repository beyond what git does (-no-op hook +pushguard):\n%s", diff)
		}
	})
}
