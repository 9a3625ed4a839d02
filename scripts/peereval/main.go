// Command peereval is the helper of scripts/peer-eval.sh: it extracts the
// detector test samples of trufflehog from a git directory, lays the samples
// of both peers (trufflehog and gitleaks, the latter recorded by running
// gitleaks' own rule generator) out as files, and scores the reports of
// pushguard and gitleaks on them. See scripts/peer-eval.sh for what is
// measured; nothing it reads or writes belongs in this repository.
//
// Usage:
//
//	peereval truffle -git-dir DIR -out FILE
//	peereval layout -in FILE[,FILE...] -dir DIR -manifest FILE
//	peereval score -manifest FILE -pushguard FILE -gitleaks FILE [-misses FILE]
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// sample is one peer test sample: text a peer's test suite says its
// detector must find (kind "pos") or must not find (kind "neg").
type sample struct {
	Suite  string `json:"suite"`
	Family string `json:"family"`
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Path   string `json:"path,omitempty"`
	Text   string `json:"text"`
}

// entry is a laid-out sample: the file it is in and its lines there.
type entry struct {
	sample
	File  string `json:"file"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	// Sub splits a suite: gitleaks samples are "literal" (written in its
	// rule sources) or "generated" (from a regex); trufflehog negatives are
	// "invalid" (a wrong token shape), "keyword far" (a valid token too far
	// from the provider's name) or "other".
	Sub string `json:"sub,omitempty"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: peereval truffle|layout|score [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "truffle":
		err = cmdTruffle(os.Args[2:])
	case "layout":
		err = cmdLayout(os.Args[2:])
	case "score":
		err = cmdScore(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "peereval:", err)
		os.Exit(2)
	}
}

// ---- trufflehog extraction ----

func cmdTruffle(args []string) error {
	fs := flag.NewFlagSet("truffle", flag.ExitOnError)
	gitDir := fs.String("git-dir", "", "trufflehog git directory")
	rev := fs.String("rev", "HEAD", "revision")
	out := fs.String("out", "", "output JSON lines")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ls, err := exec.Command("git", "--git-dir", *gitDir, "ls-tree", "-r", "--name-only", *rev, "pkg/detectors").Output()
	if err != nil {
		return fmt.Errorf("git ls-tree: %w", err)
	}
	var files []string
	for _, f := range strings.Split(strings.TrimSpace(string(ls)), "\n") {
		if strings.HasSuffix(f, "_test.go") && !strings.HasSuffix(f, "_integration_test.go") {
			files = append(files, f)
		}
	}
	// One git cat-file --batch for all files.
	cmd := exec.Command("git", "--git-dir", *gitDir, "cat-file", "--batch")
	var in bytes.Buffer
	for _, f := range files {
		fmt.Fprintf(&in, "%s:%s\n", *rev, f)
	}
	cmd.Stdin = &in
	raw, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git cat-file: %w", err)
	}
	r := bufio.NewReader(bytes.NewReader(raw))
	w, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer w.Close()
	enc := json.NewEncoder(w)
	nfiles := 0
	for _, f := range files {
		hdr, err := r.ReadString('\n')
		if err != nil {
			return fmt.Errorf("git cat-file output: %w", err)
		}
		parts := strings.Fields(hdr)
		if len(parts) != 3 {
			return fmt.Errorf("git cat-file: %s: %q", f, hdr)
		}
		n, _ := strconv.Atoi(parts[2])
		src := make([]byte, n+1)
		if _, err := io.ReadFull(r, src); err != nil {
			return err
		}
		// family: the detector directory, without a version directory.
		dir := path.Dir(strings.TrimPrefix(f, "pkg/detectors/"))
		fam := dir
		if b := path.Base(dir); len(b) > 1 && b[0] == 'v' && isDigits(b[1:]) {
			fam = path.Dir(dir)
		}
		if fam == "." {
			continue // shared detector package tests
		}
		got := extractTruffle(src[:n], fam)
		if len(got) > 0 {
			nfiles++
		}
		for _, s := range got {
			if err := enc.Encode(s); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(os.Stderr, "peereval: trufflehog: %d test files, %d with pattern samples\n", len(files), nfiles)
	return nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// extractTruffle reads the table of a detector's *Pattern* test: every
// composite literal with an input field; a non-empty want makes it a
// positive, a nil or empty want a negative.
func extractTruffle(src []byte, fam string) []sample {
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "x_test.go", src, 0)
	if err != nil {
		return nil
	}
	ev := &evaluator{defs: map[string]ast.Expr{}}
	ast.Inspect(file, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ValueSpec:
			for i, id := range n.Names {
				if i < len(n.Values) {
					if _, dup := ev.defs[id.Name]; !dup {
						ev.defs[id.Name] = n.Values[i]
					}
				}
			}
		case *ast.AssignStmt:
			if n.Tok == token.DEFINE && len(n.Lhs) == len(n.Rhs) {
				for i, l := range n.Lhs {
					if id, ok := l.(*ast.Ident); ok {
						if _, dup := ev.defs[id.Name]; !dup {
							ev.defs[id.Name] = n.Rhs[i]
						}
					}
				}
			}
		}
		return true
	})
	var out []sample
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Body == nil || !strings.Contains(fn.Name.Name, "Pattern") {
			continue
		}
		before := len(out)
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			cl, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			var input, want, name ast.Expr
			for _, e := range cl.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					continue
				}
				k, ok := kv.Key.(*ast.Ident)
				if !ok {
					continue
				}
				switch k.Name {
				case "input":
					input = kv.Value
				case "want":
					want = kv.Value
				case "name":
					name = kv.Value
				}
			}
			if input == nil {
				return true
			}
			text, ok := ev.eval(input, 0)
			if !ok || strings.TrimSpace(text) == "" {
				return true
			}
			nm, _ := ev.eval(name, 0)
			kind := "neg"
			if want != nil && !isEmpty(want) {
				kind = "pos"
			}
			out = append(out, sample{Suite: "trufflehog", Family: fam, Kind: kind, Name: nm, Text: text})
			return false
		})
		if len(out) == before {
			out = append(out, singleCase(ev, fn, fam)...)
		}
	}
	return out
}

// singleCase reads a Pattern test without a table: `input := ...` and
// `want := ...` in the function body.
func singleCase(ev *evaluator, fn *ast.FuncDecl, fam string) []sample {
	var input, want ast.Expr
	for _, st := range fn.Body.List {
		as, ok := st.(*ast.AssignStmt)
		if !ok || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
			continue
		}
		if id, ok := as.Lhs[0].(*ast.Ident); ok {
			switch id.Name {
			case "input":
				input = as.Rhs[0]
			case "want":
				want = as.Rhs[0]
			}
		}
	}
	text, ok := ev.eval(input, 0)
	if !ok || strings.TrimSpace(text) == "" || want == nil {
		return nil
	}
	kind := "pos"
	if isEmpty(want) {
		kind = "neg"
	}
	return []sample{{Suite: "trufflehog", Family: fam, Kind: kind, Name: fn.Name.Name, Text: text}}
}

func isEmpty(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "nil"
	case *ast.CompositeLit:
		return len(e.Elts) == 0
	}
	return false
}

// evaluator folds the string expressions test tables are built from:
// literals, constants and variables of the file, +, fmt.Sprintf,
// strings.Repeat and strings.Join.
type evaluator struct {
	defs map[string]ast.Expr
}

func (ev *evaluator) eval(e ast.Expr, depth int) (string, bool) {
	if e == nil || depth > 20 {
		return "", false
	}
	switch e := e.(type) {
	case *ast.BasicLit:
		switch e.Kind {
		case token.STRING:
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		case token.INT, token.FLOAT:
			return e.Value, true
		case token.CHAR:
			s, err := strconv.Unquote(e.Value)
			return s, err == nil
		}
	case *ast.ParenExpr:
		return ev.eval(e.X, depth+1)
	case *ast.Ident:
		if d, ok := ev.defs[e.Name]; ok {
			return ev.eval(d, depth+1)
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			a, ok1 := ev.eval(e.X, depth+1)
			b, ok2 := ev.eval(e.Y, depth+1)
			return a + b, ok1 && ok2
		}
	case *ast.CallExpr:
		sel, ok := e.Fun.(*ast.SelectorExpr)
		if !ok {
			return "", false
		}
		pkg, ok := sel.X.(*ast.Ident)
		if !ok {
			return "", false
		}
		switch pkg.Name + "." + sel.Sel.Name {
		case "fmt.Sprintf":
			if len(e.Args) == 0 {
				return "", false
			}
			format, ok := ev.eval(e.Args[0], depth+1)
			if !ok {
				return "", false
			}
			var args []any
			for _, a := range e.Args[1:] {
				s, ok := ev.eval(a, depth+1)
				if !ok {
					return "", false
				}
				if n, err := strconv.Atoi(s); err == nil && isIntLit(a) {
					args = append(args, n)
				} else {
					args = append(args, s)
				}
			}
			return fmt.Sprintf(format, args...), true
		case "strings.Repeat":
			if len(e.Args) != 2 {
				return "", false
			}
			s, ok1 := ev.eval(e.Args[0], depth+1)
			n, ok2 := ev.eval(e.Args[1], depth+1)
			c, err := strconv.Atoi(n)
			if !ok1 || !ok2 || err != nil || c < 0 || c > 10000 {
				return "", false
			}
			return strings.Repeat(s, c), true
		case "strings.Join":
			if len(e.Args) != 2 {
				return "", false
			}
			cl, ok := e.Args[0].(*ast.CompositeLit)
			sep, ok2 := ev.eval(e.Args[1], depth+1)
			if !ok || !ok2 {
				return "", false
			}
			var parts []string
			for _, x := range cl.Elts {
				s, ok := ev.eval(x, depth+1)
				if !ok {
					return "", false
				}
				parts = append(parts, s)
			}
			return strings.Join(parts, sep), true
		}
	}
	return "", false
}

func isIntLit(e ast.Expr) bool {
	b, ok := e.(*ast.BasicLit)
	return ok && b.Kind == token.INT
}

// ---- layout ----

func cmdLayout(args []string) error {
	fs := flag.NewFlagSet("layout", flag.ExitOnError)
	in := fs.String("in", "", "comma-separated JSON-lines sample files")
	dir := fs.String("dir", "", "directory to write the sample files into")
	manifest := fs.String("manifest", "", "manifest to write")
	glRules := fs.String("gitleaks-rules", "", "gitleaks' cmd/generate/config/rules directory: tells literal samples from generated ones")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var glSrc string
	if *glRules != "" {
		files, err := filepath.Glob(filepath.Join(*glRules, "*.go"))
		if err != nil {
			return err
		}
		var b strings.Builder
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			b.Write(src)
		}
		glSrc = b.String()
	}
	var all []sample
	for _, f := range strings.Split(*in, ",") {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		for {
			var s sample
			if err := dec.Decode(&s); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				return fmt.Errorf("%s: %w", f, err)
			}
			all = append(all, s)
		}
	}
	// gitleaks' generator builds its samples from maps: sort for a stable layout.
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Suite != b.Suite {
			return a.Suite < b.Suite
		}
		if a.Family != b.Family {
			return a.Family < b.Family
		}
		if a.Kind != b.Kind {
			return a.Kind > b.Kind
		}
		if a.Suite == "gitleaks" {
			return a.Text < b.Text
		}
		return false
	})
	var entries []entry
	for i, s := range all {
		text := dedent(s.Text)
		rel, pre, post := place(s, text, i)
		lines := pre + text
		if !strings.HasSuffix(lines, "\n") {
			lines += "\n"
		}
		start := strings.Count(pre, "\n") + 1
		end := start + strings.Count(strings.TrimRight(text, "\n"), "\n")
		full := filepath.Join(*dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, []byte(lines+post), 0o644); err != nil {
			return err
		}
		entries = append(entries, entry{sample: s, File: rel, Start: start, End: end, Sub: subKind(s, glSrc)})
	}
	b, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	return os.WriteFile(*manifest, b, 0o644)
}

// subKind classifies a sample within its suite (see entry.Sub).
func subKind(s sample, glSrc string) string {
	switch {
	case s.Suite == "gitleaks" && glSrc != "":
		q := strconv.Quote(s.Text)
		if strings.Contains(glSrc, s.Text) || strings.Contains(glSrc, q[1:len(q)-1]) {
			return "literal"
		}
		return "generated"
	case s.Suite == "trufflehog" && s.Kind == "neg":
		n := strings.ToLower(s.Name)
		switch {
		case strings.Contains(n, "invalid"):
			return "invalid"
		case strings.Contains(n, "range") || strings.Contains(n, "not close") || strings.Contains(n, "far") ||
			strings.Contains(n, "without keyword") || strings.Contains(n, "no keyword"):
			return "keyword far"
		}
		return "other"
	}
	return ""
}

// dedent removes the indentation common to all non-blank lines and blank
// leading and trailing lines (trufflehog's inputs are indented raw strings).
func dedent(s string) string {
	lines := strings.Split(s, "\n")
	// A raw string that starts on the line of its backquote has an
	// unindented first line: leave it out of the common indentation.
	skipFirst := len(lines) > 1 && strings.TrimSpace(lines[0]) != "" && lines[0] == strings.TrimLeft(lines[0], " \t")
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	prefix := ""
	first := true
	for i, l := range lines {
		if strings.TrimSpace(l) == "" || (i == 0 && skipFirst) {
			continue
		}
		ind := l[:len(l)-len(strings.TrimLeft(l, " \t"))]
		if first {
			prefix, first = ind, false
			continue
		}
		for !strings.HasPrefix(ind, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	for i, l := range lines {
		l = strings.TrimPrefix(l, prefix)
		// Leading tabs become two spaces: YAML allows no tabs there.
		rest := strings.TrimLeft(l, "\t")
		lines[i] = strings.Repeat("  ", len(l)-len(rest)) + rest
	}
	return strings.Join(lines, "\n")
}

// place picks a file for a sample by its shape (the path gitleaks' test
// gives, else JSON, XML, YAML, shell, env-style assignments, source code or
// plain text) and the neutral lines around it.
func place(s sample, text string, i int) (rel, pre, post string) {
	base := fmt.Sprintf("%s/%s/%s-%05d", s.Suite, safe(s.Family), s.Kind, i)
	if s.Path != "" {
		return base + "/" + strings.TrimLeft(path.Clean("/"+s.Path), "/"), "", ""
	}
	t := strings.TrimSpace(text)
	switch {
	case strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[{") || strings.HasPrefix(t, "[\"") ||
		strings.HasPrefix(t, "[\n") || strings.HasPrefix(t, "[ "):
		return base + "/config/settings.json", "", ""
	case logLine.MatchString(t):
		return base + "/logs/service.log", "", ""
	case strings.HasPrefix(t, "<"):
		return base + "/config/credentials.xml", "", ""
	case strings.HasPrefix(t, "curl ") || strings.HasPrefix(t, "export ") || strings.HasPrefix(t, "#!"):
		return base + "/scripts/deploy.sh", "#!/bin/sh\nset -eu\n", "echo done\n"
	case strings.Contains(t, ":=") || strings.HasPrefix(t, "package ") || strings.HasPrefix(t, "func "):
		return base + "/internal/client/client.go", "// Package client talks to the service.\n", "\n// end of settings\n"
	case strings.HasPrefix(t, "const ") || strings.HasPrefix(t, "let ") || strings.HasPrefix(t, "var ") || strings.Contains(t, "require("):
		return base + "/src/client.js", "'use strict';\n", "module.exports = {};\n"
	case strings.HasPrefix(t, "import ") || strings.HasPrefix(t, "def ") || strings.HasPrefix(t, "from "):
		return base + "/app/client.py", "# service client\n", "\n"
	case isYAMLish(t):
		return base + "/config/service.yaml", "# service settings\n", "timeout: 30\n"
	case isAssign(t):
		return base + "/config/service.conf", "# service settings\n", "timeout=30\n"
	}
	return base + "/docs/notes.txt", "Service notes\n\n", "\n"
}

// logLine matches a log line: a level in brackets or a timestamp.
var logLine = regexp.MustCompile(`^(\[(?i:info|debug|warn|warning|error|trace)\]|\d{4}-\d\d-\d\d[ T]\d\d:)`)

func isYAMLish(t string) bool {
	for strings.HasPrefix(t, "#") {
		_, t, _ = strings.Cut(t, "\n")
		t = strings.TrimSpace(t)
	}
	return yamlKey.MatchString(strings.SplitN(t, "\n", 2)[0]) && strings.Count(t, "\n") > 0
}

// yamlKey matches a line that opens with a YAML mapping key.
var yamlKey = regexp.MustCompile(`^[\w.-]+:(\s|$)`)

func isAssign(t string) bool {
	l := strings.SplitN(t, "\n", 2)[0]
	k, _, ok := strings.Cut(l, "=")
	k = strings.TrimSpace(k)
	return ok && k != "" && !strings.ContainsAny(k, " \t\"'(<{")
}

func safe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == ' ' {
			return '_'
		}
		return r
	}, s)
}

// ---- scoring ----

type pgReport struct {
	Findings []struct {
		Rule     string `json:"rule"`
		Severity string `json:"severity"`
		Kind     string `json:"kind"`
		Path     string `json:"path"`
		Line     int    `json:"line"`
	} `json:"findings"`
}

type glFinding struct {
	RuleID    string `json:"RuleID"`
	File      string `json:"File"`
	StartLine int    `json:"StartLine"`
	EndLine   int    `json:"EndLine"`
}

// hit records which tools found a sample (a finding on one of its lines).
type hit struct {
	pgBlock, pgAny, gl, glSpecific bool
	pgRules, glRules               []string
}

func cmdScore(args []string) error {
	fs := flag.NewFlagSet("score", flag.ExitOnError)
	manifest := fs.String("manifest", "", "manifest written by layout")
	pgFile := fs.String("pushguard", "", "pushguard JSON report")
	glFile := fs.String("gitleaks", "", "gitleaks JSON report")
	root := fs.String("root", "", "the directory gitleaks scanned (its paths are prefixed with it)")
	misses := fs.String("misses", "", "write missed positives and flagged negatives here")
	top := fs.Int("top", 25, "families listed in the miss breakdown")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var entries []entry
	if err := readJSON(*manifest, &entries); err != nil {
		return err
	}
	var pg pgReport
	if err := readJSON(*pgFile, &pg); err != nil {
		return err
	}
	var gl []glFinding
	if err := readJSON(*glFile, &gl); err != nil {
		return err
	}
	byFile := map[string][]int{}
	for i, e := range entries {
		byFile[e.File] = append(byFile[e.File], i)
	}
	hits := make([]hit, len(entries))
	find := func(file string, from, to int, f func(h *hit)) {
		for _, i := range byFile[file] {
			e := entries[i]
			if from <= e.End && to >= e.Start {
				f(&hits[i])
			}
		}
	}
	for _, f := range pg.Findings {
		if f.Kind != "line" || f.Line < 1 {
			continue
		}
		find(f.Path, f.Line, f.Line, func(h *hit) {
			h.pgAny = true
			if f.Severity == "block" {
				h.pgBlock = true
				h.pgRules = appendUniq(h.pgRules, f.Rule)
			}
		})
	}
	prefix := strings.TrimSuffix(*root, "/") + "/"
	for _, f := range gl {
		rel := strings.TrimPrefix(filepath.ToSlash(f.File), prefix)
		end := f.EndLine
		if end < f.StartLine {
			end = f.StartLine
		}
		find(rel, f.StartLine, end, func(h *hit) {
			h.gl = true
			h.glRules = appendUniq(h.glRules, f.RuleID)
			if f.RuleID != "generic-api-key" {
				h.glSpecific = true
			}
		})
	}

	type agg struct{ n, pgBlock, pgAny, gl, glSpecific int }
	add := func(a *agg, h hit) {
		a.n++
		if h.pgBlock {
			a.pgBlock++
		}
		if h.pgAny {
			a.pgAny++
		}
		if h.gl {
			a.gl++
		}
		if h.glSpecific {
			a.glSpecific++
		}
	}
	type sk struct{ suite, kind string }
	totals := map[sk]*agg{}
	fams := map[string]map[string]*agg{} // suite -> family -> positives
	famMiss := map[string]map[string][]int{}
	for i, e := range entries {
		k := sk{e.Suite, e.Kind}
		if totals[k] == nil {
			totals[k] = &agg{}
		}
		add(totals[k], hits[i])
		if e.Kind == "pos" {
			if fams[e.Suite] == nil {
				fams[e.Suite] = map[string]*agg{}
				famMiss[e.Suite] = map[string][]int{}
			}
			if fams[e.Suite][e.Family] == nil {
				fams[e.Suite][e.Family] = &agg{}
			}
			add(fams[e.Suite][e.Family], hits[i])
			if !hits[i].pgBlock {
				famMiss[e.Suite][e.Family] = append(famMiss[e.Suite][e.Family], i)
			}
		}
	}
	pct := func(a, n int) string {
		if n == 0 {
			return "-"
		}
		return fmt.Sprintf("%5.1f%%", 100*float64(a)/float64(n))
	}
	fmt.Println("Positives: share with a finding on the sample's lines (pushguard: block severity).")
	fmt.Println("Negatives: share of samples flagged the same way.")
	fmt.Println()
	fmt.Printf("%-11s %-4s %6s  %10s %10s  %10s %12s\n", "suite", "kind", "n", "pg block", "pg any", "gitleaks", "gl -generic")
	for _, suite := range []string{"gitleaks", "trufflehog"} {
		for _, kind := range []string{"pos", "neg"} {
			a := totals[sk{suite, kind}]
			if a == nil {
				continue
			}
			fmt.Printf("%-11s %-4s %6d  %10s %10s  %10s %12s\n", suite, kind, a.n,
				pct(a.pgBlock, a.n), pct(a.pgAny, a.n), pct(a.gl, a.n), pct(a.glSpecific, a.n))
		}
	}
	type sub struct{ suite, kind, sub string }
	subs := map[sub]*agg{}
	var subKeys []sub
	for i, e := range entries {
		if e.Sub == "" {
			continue
		}
		k := sub{e.Suite, e.Kind, e.Sub}
		if subs[k] == nil {
			subs[k] = &agg{}
			subKeys = append(subKeys, k)
		}
		add(subs[k], hits[i])
	}
	sort.Slice(subKeys, func(i, j int) bool {
		a, b := subKeys[i], subKeys[j]
		if a.suite != b.suite {
			return a.suite < b.suite
		}
		if a.kind != b.kind {
			return a.kind > b.kind
		}
		return a.sub < b.sub
	})
	if len(subKeys) > 0 {
		fmt.Println()
		for _, k := range subKeys {
			a := subs[k]
			fmt.Printf("%-11s %-4s %6d  %10s %10s  %10s %12s   %s\n", k.suite, k.kind, a.n,
				pct(a.pgBlock, a.n), pct(a.pgAny, a.n), pct(a.gl, a.n), pct(a.glSpecific, a.n), k.sub)
		}
	}
	for _, suite := range []string{"gitleaks", "trufflehog"} {
		fm := fams[suite]
		found, total := 0, 0
		for _, a := range fm {
			total++
			if a.pgBlock == a.n {
				found++
			}
		}
		glAll := 0
		for _, a := range fm {
			if a.gl == a.n {
				glAll++
			}
		}
		fmt.Printf("\n%s: %d families with positives; all positives blocked by pushguard in %d, all found by gitleaks in %d\n", suite, total, found, glAll)
		type fr struct {
			name string
			a    *agg
		}
		var list []fr
		for n, a := range fm {
			if a.pgBlock < a.n {
				list = append(list, fr{n, a})
			}
		}
		sort.Slice(list, func(i, j int) bool {
			mi, mj := list[i].a.n-list[i].a.pgBlock, list[j].a.n-list[j].a.pgBlock
			if mi != mj {
				return mi > mj
			}
			return list[i].name < list[j].name
		})
		fmt.Printf("largest pushguard misses (family: missed/n, gitleaks found):\n")
		for i, f := range list {
			if i >= *top {
				fmt.Printf("  ... %d more families with misses\n", len(list)-*top)
				break
			}
			fmt.Printf("  %-34s %4d/%-4d gitleaks %d\n", f.name, f.a.n-f.a.pgBlock, f.a.n, f.a.gl)
		}
	}
	if *misses != "" {
		var b strings.Builder
		for i, e := range entries {
			h := hits[i]
			var tag string
			switch {
			case e.Kind == "pos" && !h.pgBlock:
				tag = "MISS"
			case e.Kind == "neg" && h.pgBlock:
				tag = "FLAG"
			default:
				continue
			}
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s:%d-%d\tpg=%s\tgl=%s\n\t%s\n", tag, e.Suite, e.Family, e.Name,
				e.File, e.Start, e.End, strings.Join(h.pgRules, ","), strings.Join(h.glRules, ","),
				strings.ReplaceAll(strings.TrimSpace(dedent(e.Text)), "\n", "\n\t"))
		}
		if err := os.WriteFile(*misses, []byte(b.String()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func appendUniq(l []string, s string) []string {
	for _, x := range l {
		if x == s {
			return l
		}
	}
	return append(l, s)
}

func readJSON(file string, v any) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		b = []byte("[]")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}
