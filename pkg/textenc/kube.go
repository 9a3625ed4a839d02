package textenc

import (
	"bytes"

	"github.com/pushguard/pushguard/pkg/textsafe"
)

// Encoded is a base64 value found in a line, with what it decodes to.
type Encoded struct {
	// Line is the 1-based number of the line that holds the value.
	Line int
	// Start and End are the value's byte offsets in that line.
	Start, End int
	// Key is the key the value is assigned to (data.KEY of a Secret,
	// "auth" in a Docker config).
	Key string
	// Text is the decoded value.
	Text []byte
}

// maxDecoded bounds the decoded bytes one file may yield, so that a crafted
// manifest cannot multiply the work of a scan.
const maxDecoded = 4 << 20

// KubeSecretValues returns the base64 values of the data maps of the
// Kubernetes Secret manifests in doc, decoded (values that do not decode to
// text are left out). doc may hold several YAML documents (separated by
// "---" lines); a document counts when it has a top-level "kind: Secret".
// Both YAML manifests and pretty-printed JSON ones ("kind": "Secret",
// "data": { "KEY": "VALUE", … }, one key per line) are read. The scan is
// line-based, not a YAML parser: it reads the block-style data maps
// kubectl and Helm write.
func KubeSecretValues(doc []byte) []Encoded {
	if !bytes.Contains(doc, []byte("Secret")) || !bytes.Contains(doc, []byte("data")) {
		return nil
	}
	var out []Encoded
	budget := maxDecoded
	lines := splitLines(doc)
	start := 0
	for i := 0; i <= len(lines); i++ {
		if i < len(lines) && !isDocSeparator(lines[i]) {
			continue
		}
		out = appendSecretValues(out, lines[start:i], start, &budget)
		start = i + 1
	}
	return out
}

// appendSecretValues reads one YAML document (lines, the first of which is
// line first+1 of the file).
func appendSecretValues(out []Encoded, lines [][]byte, first int, budget *int) []Encoded {
	secret := false
	for _, l := range lines {
		if k, v, ok := topLevel(l); ok && k == "kind" && unquote(v) == "Secret" {
			secret = true
			break
		}
	}
	if !secret {
		return out
	}
	for i := 0; i < len(lines); i++ {
		k, v, ok := topLevel(lines[i])
		if !ok || k != "data" {
			continue
		}
		v = bytes.TrimSpace(v)
		json := bytes.HasPrefix(v, []byte("{"))
		if len(v) > 0 && !json {
			continue // "data: {}" or a flow mapping on one line: not read
		}
		for j := i + 1; j < len(lines); j++ {
			l := lines[j]
			t := bytes.TrimSpace(l)
			if len(t) == 0 || t[0] == '#' {
				continue
			}
			if (json && t[0] == '}') || (!json && indent(l) == 0) {
				break
			}
			key, _, ke, ok := entry(l)
			if !ok {
				continue
			}
			vs, vend := valueSpan(l, ke+1)
			if vs == vend {
				continue
			}
			text, ok := Base64Text(l[vs:vend])
			if !ok || len(text) > *budget {
				continue
			}
			*budget -= len(text)
			if len(key) > maxKeyLen {
				key = textsafe.Prefix(key, maxKeyLen) + "…"
			}
			out = append(out, Encoded{Line: first + j + 1, Start: vs, End: vend, Key: "data." + key, Text: text})
		}
	}
	return out
}

// DockerAuths returns the base64 "auth" values of a line of a Docker
// config.json (or .dockerconfigjson) that decode to text: "user:password".
func DockerAuths(line []byte, lineNo int) []Encoded {
	var out []Encoded
	rest, off := line, 0
	for {
		i := bytes.Index(rest, []byte(`"auth"`))
		if i < 0 {
			return out
		}
		p := off + i + len(`"auth"`)
		for p < len(line) && (line[p] == ' ' || line[p] == '\t') {
			p++
		}
		if p < len(line) && line[p] == ':' {
			vs, ve := valueSpan(line, p+1)
			if text, ok := Base64Text(line[vs:ve]); ok && bytes.IndexByte(text, ':') > 0 {
				out = append(out, Encoded{Line: lineNo, Start: vs, End: ve, Key: "auth", Text: text})
			}
		}
		off = p
		rest = line[p:]
	}
}

// splitLines splits b at "\n", dropping a "\r" before it.
func splitLines(b []byte) [][]byte {
	lines := bytes.Split(b, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for i, l := range lines {
		lines[i] = bytes.TrimSuffix(l, []byte("\r"))
	}
	return lines
}

func isDocSeparator(l []byte) bool {
	return bytes.HasPrefix(l, []byte("---")) && len(bytes.TrimSpace(l[3:])) == 0
}

// topLevel reads a top-level "key: value" line: YAML at indentation 0, or
// JSON at indentation 2 or less ("kind": "Secret",).
func topLevel(l []byte) (key string, value []byte, ok bool) {
	if indent(l) > 2 {
		return "", nil, false
	}
	k, _, ke, ok := entry(l)
	if !ok {
		return "", nil, false
	}
	if indent(l) > 0 && l[indent(l)] != '"' {
		return "", nil, false // an indented YAML key is not top-level
	}
	return k, bytes.TrimRight(bytes.TrimSpace(l[ke+1:]), ","), true
}

// entry reads the key of a "key: value" or "\"key\": value" line: its text,
// and the offsets of its start and of the colon.
func entry(l []byte) (key string, start, colon int, ok bool) {
	i := indent(l)
	quoted := i < len(l) && (l[i] == '"' || l[i] == '\'')
	if quoted {
		q := l[i]
		j := bytes.IndexByte(l[i+1:], q)
		if j < 0 {
			return "", 0, 0, false
		}
		key = string(l[i+1 : i+1+j])
		k := i + 2 + j
		for k < len(l) && l[k] == ' ' {
			k++
		}
		if k >= len(l) || l[k] != ':' {
			return "", 0, 0, false
		}
		return key, i, k, true
	}
	j := bytes.IndexByte(l[i:], ':')
	if j <= 0 {
		return "", 0, 0, false
	}
	key = string(bytes.TrimSpace(l[i : i+j]))
	if bytes.ContainsAny([]byte(key), " \t#{}[]") {
		return "", 0, 0, false
	}
	return key, i, i + j, true
}

// valueSpan returns the offsets of the scalar value after the colon at
// colon-1 (so from p = colon+1): spaces and one quote are skipped; the
// value ends at a quote, a space, a comma or the end of the line.
func valueSpan(l []byte, p int) (int, int) {
	for p < len(l) && (l[p] == ' ' || l[p] == '\t') {
		p++
	}
	if p < len(l) && (l[p] == '"' || l[p] == '\'') {
		p++
	}
	e := p
	for e < len(l) && l[e] != '"' && l[e] != '\'' && l[e] != ' ' && l[e] != '\t' && l[e] != ',' && l[e] != '}' {
		e++
	}
	return p, e
}

func indent(l []byte) int {
	i := 0
	for i < len(l) && (l[i] == ' ' || l[i] == '\t') {
		i++
	}
	return i
}

// unquote removes one pair of surrounding quotes and a trailing comment.
func unquote(v []byte) string {
	if i := bytes.Index(v, []byte(" #")); i >= 0 {
		v = v[:i]
	}
	v = bytes.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
	}
	return string(v)
}
