package ruleset

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

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
func embeddedSet(b *testing.B) *Set {
	b.Helper()
	rs, err := LoadFS(rules.FS, ".")
	if err != nil {
		b.Fatal(err)
	}
	return NewSet(rs)
}

// BenchmarkLineMatcher runs 10k code lines through the embedded rules per
// iteration; "naive" runs every content rule's regex on every line, for
// comparison with the keyword prefilter.
func BenchmarkLineMatcher(b *testing.B) {
	set := embeddedSet(b)
	lines := codeLines(10_000)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	b.Run("prefilter", func(b *testing.B) {
		m := set.NewLineMatcher()
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
	b.Run("naive", func(b *testing.B) {
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

// BenchmarkPrefilter measures the keyword automaton alone over 10k lines.
func BenchmarkPrefilter(b *testing.B) {
	set := embeddedSet(b)
	lines := codeLines(10_000)
	size := 0
	for _, l := range lines {
		size += len(l)
	}
	m := set.NewLineMatcher()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	epoch := uint32(0)
	for b.Loop() {
		for _, l := range lines {
			epoch++
			m.hits = m.idx.ac.collect(l, m.seen, epoch, m.hits[:0])
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(lines)), "ns/line")
}
