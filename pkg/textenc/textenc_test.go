package textenc

import (
	"encoding/base64"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
)

func utf16Bytes(s string, big, bom bool) []byte {
	var out []byte
	if bom {
		if big {
			out = append(out, 0xFE, 0xFF)
		} else {
			out = append(out, 0xFF, 0xFE)
		}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if big {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func utf32Bytes(s string, big, bom bool) []byte {
	var out []byte
	rs := []rune(s)
	if bom {
		rs = append([]rune{0xFEFF}, rs...)
	}
	for _, r := range rs {
		if big {
			out = append(out, byte(r>>24), byte(r>>16), byte(r>>8), byte(r))
		} else {
			out = append(out, byte(r), byte(r>>8), byte(r>>16), byte(r>>24))
		}
	}
	return out
}

func TestDecodeUTF(t *testing.T) {
	const text = "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\r\nname = \"Zoë 東京\"\n"
	const ascii = "password = hunter2hunter2\nline two\n"
	tests := []struct {
		name string
		in   []byte
		want string
		enc  Encoding
	}{
		{"utf-16le bom", utf16Bytes(text, false, true), text, UTF16LE},
		{"utf-16be bom", utf16Bytes(text, true, true), text, UTF16BE},
		{"utf-16le no bom", utf16Bytes(ascii, false, false), ascii, UTF16LE},
		{"utf-16be no bom", utf16Bytes(ascii, true, false), ascii, UTF16BE},
		{"utf-32le bom", utf32Bytes(text, false, true), text, UTF32LE},
		{"utf-32be bom", utf32Bytes(text, true, true), text, UTF32BE},
		{"utf-32le no bom", utf32Bytes(ascii, false, false), ascii, UTF32LE},
		{"utf-32be no bom", utf32Bytes(ascii, true, false), ascii, UTF32BE},
		{"odd length", append(utf16Bytes("abcdefghij", false, true), 'x'), "abcdefghij\uFFFD", UTF16LE},
		{"lone surrogate", append(utf16Bytes("abcdefghij", false, true), 0x00, 0xD8, 'c', 0), "abcdefghij\uFFFDc", UTF16LE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, enc, ok := DecodeUTF(tt.in)
			if !ok {
				t.Fatal("not decoded")
			}
			if string(got) != tt.want || enc != tt.enc {
				t.Errorf("got %q %s; want %q %s", got, enc, tt.want, tt.enc)
			}
		})
	}
	for _, bad := range []struct {
		name string
		in   []byte
	}{
		{"png header", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00")},
		{"plain utf-8", []byte("hello world, this is text\n")},
		{"zeros", make([]byte, 64)},
		{"utf-16 of control bytes", utf16Bytes(strings.Repeat("\x01\x02\x03", 20), false, true)},
		{"utf-16 holding NUL", utf16Bytes("abc\x00def", false, true)},
		{"too short", []byte{'a', 0}},
		{"elf", []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00\x01\x00\x00\x00")},
	} {
		if got, enc, ok := DecodeUTF(bad.in); ok {
			t.Errorf("%s: decoded as %s: %q", bad.name, enc, got)
		}
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestBase64Text(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for not decoded
	}{
		{b64("AKIAQYLPMN5HFIQR7XYZ"), "AKIAQYLPMN5HFIQR7XYZ"},
		{strings.TrimRight(b64("user:pass-word"), "="), "user:pass-word"},
		{base64.URLEncoding.EncodeToString([]byte("a>b?c>d?e")), "a>b?c>d?e"},
		{"  " + b64("with spaces around") + "\n", "with spaces around"},
		{b64("\x00\x01\x02\x03binary\xff\xfe"), ""},
		{"not base64 at all!", ""},
		{"c2hvcnQ=", "short"},
		{"YQ==", ""}, // too short
	}
	for _, tt := range tests {
		got, ok := Base64Text([]byte(tt.in))
		if (tt.want == "") == ok || string(got) != tt.want {
			t.Errorf("Base64Text(%q) = %q, %t; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestKubeSecretValues(t *testing.T) {
	const key = "AKIAQYLPMN5HFIQR7XYZ"
	yamlDoc := `apiVersion: v1
kind: ConfigMap
metadata:
  name: not-a-secret
data:
  value: ` + b64("ignored because the document is a ConfigMap") + `
---
apiVersion: v1
kind: Secret
metadata:
  name: aws
  annotations:
    note: "data: is below"
type: Opaque
data:
  # the key id
  AWS_ACCESS_KEY_ID: ` + b64(key) + `
  quoted: "` + b64("quoted value") + `"
  binary: ` + base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8}) + `
  empty: ""
stringData:
  plain: not-encoded
`
	jsonDoc := `{
  "apiVersion": "v1",
  "kind": "Secret",
  "metadata": {"name": "x"},
  "data": {
    "token": "` + b64("json token value") + `",
    "other": "` + b64("second") + `"
  }
}
`
	type got struct {
		Line       int
		Key, Text  string
		Start, End int
	}
	collect := func(doc string) []got {
		var out []got
		for _, e := range KubeSecretValues([]byte(doc)) {
			out = append(out, got{e.Line, e.Key, string(e.Text), e.Start, e.End})
		}
		return out
	}
	keyLine := "  AWS_ACCESS_KEY_ID: " + b64(key)
	want := []got{
		{17, "data.AWS_ACCESS_KEY_ID", key, len("  AWS_ACCESS_KEY_ID: "), len(keyLine)},
		{18, "data.quoted", "quoted value", len(`  quoted: "`), len(`  quoted: "`) + len(b64("quoted value"))},
	}
	if diff := cmp.Diff(want, collect(yamlDoc)); diff != "" {
		t.Errorf("YAML (-want +got)\n%s", diff)
	}
	wantJSON := []got{
		{6, "data.token", "json token value", len(`    "token": "`), len(`    "token": "`) + len(b64("json token value"))},
		{7, "data.other", "second", len(`    "other": "`), len(`    "other": "`) + len(b64("second"))},
	}
	if diff := cmp.Diff(wantJSON, collect(jsonDoc)); diff != "" {
		t.Errorf("JSON (-want +got)\n%s", diff)
	}
	if g := collect("kind: Deployment\ndata:\n  x: " + b64("not a secret manifest") + "\n"); g != nil {
		t.Errorf("non-Secret: %v", g)
	}
}

func TestDockerAuths(t *testing.T) {
	line := `{"auths":{"ghcr.io":{"auth":"` + b64("octocat:ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3sXy") + `"},"x.io":{"auth": "` + b64("no colon here") + `"}}}`
	got := DockerAuths([]byte(line), 3)
	if len(got) != 1 {
		t.Fatalf("got %d auths; want 1", len(got))
	}
	e := got[0]
	if e.Line != 3 || string(e.Text) != "octocat:ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3sXy" || line[e.Start:e.End] != b64("octocat:ghp_R4nd0mT0k3nV4lu3F0rT3st1ngPurp0s3sXy") {
		t.Errorf("got %+v", e)
	}
	if got := DockerAuths([]byte(`"auth": "`), 1); got != nil {
		t.Errorf("truncated: %v", got)
	}
}
