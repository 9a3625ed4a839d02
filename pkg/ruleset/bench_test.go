package ruleset

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/pushguard/pushguard/rules"
)

// codeLines returns n realistic source lines (Go, Python, JavaScript, YAML,
// shell), deterministic; about one line in 200 holds a (fake) secret and
// many mention keywords such as token or password without one.
func codeLines(n int) [][]byte {
	rng := rand.New(rand.NewPCG(42, 7))
	templates := []string{
		"\tif err := s.store.Put(ctx, key%d, value); err != nil {",
		"\t\treturn nil, fmt.Errorf(\"load config %s: %w\", path, err)",
		"\t}",
		"func (c *Client) Do(ctx context.Context, req *http.Request) (*http.Response, error) {",
		"\tresp, err := c.http.Do(req.WithContext(ctx)) // retry %d",
		"// parseToken splits a bearer token into its parts.",
		"\ttoken := r.Header.Get(\"Authorization\")",
		"def authenticate(user, password):",
		"    if not check_password(user.hash, password):",
		"        raise AuthError(\"invalid password for %s\" % user.name)",
		"    return jwt.encode({\"sub\": user.id, \"n\": %d}, settings.SECRET_KEY)",
		"import { useState, useEffect } from 'react';",
		"const [items, setItems] = useState([]);",
		"export async function fetchItems(page = %d) {",
		"  const res = await fetch(`/api/items?page=${page}`, { headers });",
		"  image: registry.example.com/app:%d.0.1",
		"  replicas: %d",
		"    - name: API_TOKEN",
		"      valueFrom: { secretKeyRef: { name: app, key: token } }",
		"echo \"deploying build $BUILD_NUMBER to $ENV\"",
		"for f in *.go; do gofmt -l \"$f\"; done",
		"",
		"    # TODO: handle the %d edge case",
		"SELECT id, name FROM users WHERE org_id = %d ORDER BY name;",
		"  \"version\": \"%d.2.3\",",
		"  password_field = forms.CharField(widget=forms.PasswordInput)",
	}
	secrets := []string{
		"aws_access_key_id = AKIATESTKEY234567ABC",
		"GITHUB_TOKEN=ghp_TESTtoken0123456789abcdefghijABCDEFG",
		"-----BEGIN RSA PRIVATE KEY-----",
		"db_password = \"9fKq2LmX7vRt4Wz8NpBs\"",
		"STRIPE_SECRET_KEY=sk_live_TESTfake0123456789abcdefGH",
	}
	out := make([][]byte, n)
	for i := range out {
		var s string
		if rng.IntN(200) == 0 {
			s = secrets[rng.IntN(len(secrets))]
		} else {
			s = strings.ReplaceAll(templates[rng.IntN(len(templates))], "%d", fmt.Sprint(rng.IntN(1000)))
		}
		out[i] = []byte(s)
	}
	return out
}

// embeddedSet loads the embedded default rules.
func embeddedSet(tb testing.TB) *Set {
	tb.Helper()
	rs, err := LoadFS(rules.FS, ".")
	if err != nil {
		tb.Fatal(err)
	}
	return NewSet(rs)
}

// embeddedDocs parses the embedded rule files, by name.
func embeddedDocs(tb testing.TB) map[string]*yaml.Node {
	tb.Helper()
	docs := make(map[string]*yaml.Node)
	err := fs.WalkDir(rules.FS, ".", func(p string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(p, ".yml") {
			return err
		}
		data, err := fs.ReadFile(rules.FS, p)
		if err != nil {
			return err
		}
		doc, err := ParseDocument(p, data)
		docs[p] = doc
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return docs
}

// decodeDocs decodes parsed rule files into one Set.
func decodeDocs(tb testing.TB, docs map[string]*yaml.Node, opt DecodeOptions) *Set {
	tb.Helper()
	var all []*Rule
	for _, name := range slices.Sorted(maps.Keys(docs)) {
		rs, err := DecodeDocumentWith(context.Background(), name, docs[name], nil, opt)
		if err != nil {
			tb.Fatal(err)
		}
		all = append(all, rs...)
	}
	return NewSet(all)
}

// BenchmarkLoadRules decodes the parsed embedded rule files and builds
// their Set, as every hook run does (parsing is pkg/policy's, and cached):
// "eager" compiles every regex and decodes the tests, "lazy"
// (DecodeOptions.Lazy, for files validated before) does neither.
func BenchmarkLoadRules(b *testing.B) {
	docs := embeddedDocs(b)
	for _, tc := range []struct {
		name string
		opt  DecodeOptions
	}{{"eager", DecodeOptions{}}, {"lazy", DecodeOptions{Lazy: true}}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				decodeDocs(b, docs, tc.opt)
			}
		})
	}
}

// BenchmarkNewSet builds the Set of the embedded rules: merging and the
// keyword automaton of the line matcher.
func BenchmarkNewSet(b *testing.B) {
	rs, err := LoadFS(rules.FS, ".")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		NewSet(rs)
	}
}

// BenchmarkMatchLines runs 10k code lines through the embedded rules per
// iteration; "naive" runs every content rule's regex on every line, for
// comparison with the keyword prefilter; "lazy" is the prefilter with the
// rules decoded lazily (their regexes compiled in the first iteration).
func BenchmarkMatchLines(b *testing.B) {
	set := embeddedSet(b)
	lazySet := decodeDocs(b, embeddedDocs(b), DecodeOptions{Lazy: true})
	lines := codeLines(10_000)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	for _, tc := range []struct {
		name string
		set  *Set
	}{{"prefilter", set}, {"lazy", lazySet}} {
		b.Run(tc.name, func(b *testing.B) {
			m := tc.set.NewLineMatcher()
			found := 0
			fn := func(*Rule, int, int) { found++ }
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				for _, l := range lines {
					m.Match(l, nil, fn)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
			if found == 0 {
				b.Fatal("no findings")
			}
		})
	}
	// "batch" is "prefilter" with the keywords of 200 lines at a time
	// found by ScanLines (as the scanner matches a file's added lines).
	b.Run("batch", func(b *testing.B) {
		m := set.NewLineMatcher()
		found := 0
		fn := func(LineMatch) { found++ }
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for i := 0; i < len(lines); i += 200 {
				batch := lines[i:min(i+200, len(lines))]
				m.ScanLines(batch)
				for j := range batch {
					m.MatchScanned(j, i+j+1, nil, nil, fn)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
		if found == 0 {
			b.Fatal("no findings")
		}
	})
	b.Run("naive", func(b *testing.B) {
		lines := lines[:200] // every rule on every line is slow
		size := 0
		for _, l := range lines {
			size += len(l)
		}
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, l := range lines {
				for _, r := range set.Rules {
					if r.content != nil && r.content.re != nil { // not content.unicode
						r.content.re.FindAllIndex(l, -1)
					}
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
	})
}

// BenchmarkMatchPrefilter measures the keyword automaton alone over 10k
// lines: "line" one line at a time (automaton.collect, as MatchLineIn
// does), "batch" all of them at once (ScanLines, in batches of 200 lines,
// a file's worth).
func BenchmarkMatchPrefilter(b *testing.B) {
	set := embeddedSet(b)
	lines := codeLines(10_000)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	b.Run("line", func(b *testing.B) {
		m := set.NewLineMatcher()
		b.SetBytes(int64(size))
		b.ReportAllocs()
		epoch := uint32(0)
		for b.Loop() {
			for _, l := range lines {
				epoch++
				m.hits = m.idx.ac.collect(l, m.seen, epoch, m.hits[:0], &m.dfa)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
	})
	b.Run("batch", func(b *testing.B) {
		m := set.NewLineMatcher()
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for i := 0; i < len(lines); i += 200 {
				m.ScanLines(lines[i:min(i+200, len(lines))])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
	})
	// "cold" is "batch" with a new matcher each time: its DFA table is
	// built as the lines need it (every scan, hook run and pipeline worker
	// pays this once).
	b.Run("cold", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			m := set.NewLineMatcher()
			for i := 0; i < len(lines); i += 200 {
				m.ScanLines(lines[i:min(i+200, len(lines))])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
	})
}

// BenchmarkScanLinesRepo measures ScanLines on real text: the first
// 10 MB of the lines added in the history of the repository BENCH_REPO (a
// bare clone such as gin's; skipped without it), in batches of 64 lines,
// with one matcher, as a pipeline worker runs them.
func BenchmarkScanLinesRepo(b *testing.B) {
	repo := os.Getenv("BENCH_REPO")
	if repo == "" {
		b.Skip("BENCH_REPO not set")
	}
	out, err := exec.Command("git", "-C", repo, "log", "-p", "-U0", "--no-color", "--all").Output()
	if err != nil {
		b.Fatal(err)
	}
	var lines [][]byte
	size := 0
	for l := range bytes.Lines(out) {
		if size >= 10<<20 {
			break
		}
		if len(l) > 1 && l[0] == '+' && !bytes.HasPrefix(l, []byte("+++ ")) {
			l = bytes.TrimSuffix(l[1:], []byte("\n"))
			lines = append(lines, l)
			size += len(l) + 1
		}
	}
	m := embeddedSet(b).NewLineMatcher()
	b.SetBytes(int64(size))
	for b.Loop() {
		for i := 0; i < len(lines); i += 64 {
			m.ScanLines(lines[i:min(i+64, len(lines))])
		}
		m.ScanLines(nil)
	}
}

// BenchmarkRequiredRun measures the required run of the two rules whose
// regexes cost most on a real history (gin): generic-secret-assignment on
// code lines that name a token or password, gmail-app-password on commit
// identities with a gmail address (its keyword "gmail." is in each); a
// few lines of each set match. "regex" runs the regex on every line,
// "run" only on the lines that hold the rule's required run, as
// contentCond.each does. "find" is the cost of finding the runs of every
// embedded content regex (parse included), which a rule pays once.
func BenchmarkRequiredRun(b *testing.B) {
	set := embeddedSet(b)
	byID := make(map[string]*regexp.Regexp)
	var exprs []string
	for _, r := range set.Rules {
		if r.content != nil && r.content.re != nil {
			byID[r.ID] = r.content.re
			exprs = append(exprs, r.content.re.String())
		}
	}
	lines := map[string][]string{
		"generic-secret-assignment": {
			"\th.WriteToken(jsontext.String(\"packet_type\"))",
			"func (g *Tokengroups) AllGroups() []SIDAndAttributes {",
			"\tSTATUS_NO_TRUST_LSA_SECRET                                                NTStatus      = 0xC000018A",
			"\t\tbase := user + \":\" + password",
			"\tr1, _, e1 := syscall.SyscallN(procOpenProcessToken.Addr(), uintptr(process), uintptr(access), uintptr(unsafe.Pointer(token)))",
			"\t\t\tif json.User == \"manu\" && json.Password == \"123\" {",
			"//sys\tOpenProcessToken(process Handle, access uint32, token *Token) (err error) = advapi32.OpenProcessToken",
			"\treturn Token{}, d.newSyntaxError(\"invalid scalar value: %s\", errId(d.in))",
			"\t\"github.com/gin-gonic/gin/internal/token\"",
			"\tdb_password = \"9fKq2LmX7vRt4Wz8NpBs\"",
		},
		"gmail-app-password": {
			"Co-authored-by: Bo-Yi Wu <appleboy.tw@gmail.com>",
			"- Harindu Perera <harinduenator@gmail.com>",
			"manu.valladolid@gmail.com",
			"- Kaushik Neelichetty <kaushikneelichetty6132@gmail.com>",
			"\t// Deprecated: USE `TrustedPlatform` WITH VALUE `gin.PlatformGoogleAppEngine` INSTEAD",
			"Signed-off-by: thinkerou <thinkerou@gmail.com>",
			"golang.chen@gmail.com",
			"  gmail_token: \"lfvd krbg tlgr mgjz\"",
		},
	}
	for _, id := range slices.Sorted(maps.Keys(lines)) {
		re := byID[id]
		run := regexRun(re.String())
		if re == nil || run == nil {
			b.Fatalf("%s: no regex or no run", id)
		}
		var bs [][]byte
		for _, l := range lines[id] {
			bs = append(bs, []byte(l))
		}
		for _, mode := range []string{"regex", "run"} {
			b.Run(id+"/"+mode, func(b *testing.B) {
				found := 0
				for b.Loop() {
					for _, l := range bs {
						if mode == "run" && !run.in(l) {
							continue
						}
						if re.Match(l) {
							found++
						}
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(bs)), "ns/line")
				if found == 0 {
					b.Fatal("no line matched")
				}
			})
		}
	}
	b.Run("find", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, e := range exprs {
				regexRun(e)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(exprs)), "ns/regex")
	})
}
