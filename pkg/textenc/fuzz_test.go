package textenc

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// FuzzDecode checks that no input crashes the decoders, that decoded text
// is valid UTF-8 without NUL, and that offsets stay within their lines.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("\xff\xfea\x00b\x00"))
	f.Add([]byte("a\x00b\x00c\x00d\x00"))
	f.Add([]byte("\x00\x00\xfe\xff\x00\x00\x00a"))
	f.Add([]byte("kind: Secret\ndata:\n  k: QUtJQVFZTFBNTjVIRklRUjdYWVo=\n"))
	f.Add([]byte("{\n  \"kind\": \"Secret\",\n  \"data\": {\n    \"k\": \"dXNlcjpwYXNz\"\n  }\n}\n"))
	f.Add([]byte(`{"auths":{"r":{"auth":"dXNlcjpwYXNzd29yZA=="}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if text, _, ok := DecodeUTF(b); ok {
			if !utf8.Valid(text) || bytes.IndexByte(text, 0) >= 0 {
				t.Fatalf("DecodeUTF gave invalid text %q", text)
			}
		}
		if text, ok := Base64Text(b); ok && (!utf8.Valid(text) || bytes.IndexByte(text, 0) >= 0) {
			t.Fatalf("Base64Text gave invalid text %q", text)
		}
		lines := splitLines(b)
		for _, e := range KubeSecretValues(b) {
			if e.Line < 1 || e.Line > len(lines) || e.Start < 0 || e.End > len(lines[e.Line-1]) || e.Start >= e.End {
				t.Fatalf("bad span %+v", e)
			}
		}
		for _, name := range []string{"a.yaml", "a.toml", "a.json", "a.xml"} {
			if p := ConfigPaths(name, b); len(p) != len(lines) {
				t.Fatalf("%s: %d paths for %d lines", name, len(p), len(lines))
			}
		}
		for i, l := range lines {
			for _, e := range DockerAuths(l, i+1) {
				if e.Start < 0 || e.End > len(l) || e.Start >= e.End {
					t.Fatalf("bad span %+v", e)
				}
			}
		}
	})
}
