package scan

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/pushguard/pushguard/pkg/diff"
	"github.com/pushguard/pushguard/pkg/ruleset"
	"github.com/pushguard/pushguard/pkg/textenc"
)

// This file lets line rules see text that is written encoded (issue 11,
// item 4): UTF-16 and UTF-32 files, which git calls binary, are scanned
// decoded; the base64 values of Kubernetes Secret data maps and of Docker
// config "auth" entries are decoded and scanned, and what matches in them
// is reported at the encoded value's line and column.

// utfText returns binary content decoded when it is UTF-16 or UTF-32 text,
// else nil.
func utfText(b []byte) []byte {
	text, _, ok := textenc.DecodeUTF(b)
	if !ok {
		return nil
	}
	return text
}

// asText returns b decoded when it is UTF-16 or UTF-32 text, else b: a
// parent version is compared with the new one in the same encoding.
func asText(b []byte) []byte {
	if diff.IsBinary(b) {
		if text := utfText(b); text != nil {
			return text
		}
	}
	return b
}

// kubeSecretIndex returns the decoded base64 values of the Kubernetes
// Secret data maps in a file, by line number; nil when there are none.
func kubeSecretIndex(file []byte) map[int][]textenc.Encoded {
	values := textenc.KubeSecretValues(file)
	if len(values) == 0 {
		return nil
	}
	idx := make(map[int][]textenc.Encoded, len(values))
	for _, v := range values {
		idx[v.Line] = append(idx[v.Line], v)
	}
	return idx
}

// maxDecodedLines bounds the decoded lines scanned per encoded value.
const maxDecodedLines = 10_000

// matchEncoded appends to out the matches of the line rules in the encoded
// values of l: kube (the Kubernetes Secret values of the line) and the
// Docker "auth" values the line holds, and, one level down, the "auth"
// values inside a decoded value (a .dockerconfigjson).
func (e *Engine) matchEncoded(out []lineMatch, l diff.Line, kube []textenc.Encoded) []lineMatch {
	values := kube
	if bytes.Contains(l.Text, []byte(`"auth"`)) {
		values = append(values[:len(values):len(values)], textenc.DockerAuths(l.Text, l.No)...)
	}
	for _, v := range values {
		col := utf8.RuneCount(l.Text[:v.Start]) + 1
		where := "the base64 value of " + v.Key
		lines := bytes.Split(v.Text, []byte("\n"))
		if len(lines) > maxDecodedLines {
			lines = lines[:maxDecodedLines]
		}
		before := len(out)
		for i, dl := range lines {
			dl = bytes.TrimSuffix(dl, []byte("\r"))
			out = e.matchDecoded(out, l, col, where, dl)
			for _, inner := range textenc.DockerAuths(dl, i+1) {
				out = e.matchDecoded(out, l, col, where+", in a Docker auth entry", inner.Text)
			}
		}
		// A one-line Secret value that matched nothing on its own (a
		// random password, a token without a known prefix) is matched
		// again as the assignment the manifest makes, "KEY: value", so
		// the rules that read a key name (provider context, the generic
		// credential rule) see it as they would in plain text.
		if len(out) == before && len(lines) == 1 && strings.HasPrefix(v.Key, "data.") {
			assign := make([]byte, 0, len(v.Key)+len(lines[0])+4)
			assign = append(assign, strings.TrimPrefix(v.Key, "data.")...)
			assign = append(assign, `: "`...)
			assign = append(assign, bytes.TrimSuffix(lines[0], []byte("\r"))...)
			assign = append(assign, '"')
			out = e.matchDecoded(out, l, col, where, assign)
		}
	}
	return out
}

// matchDecoded appends the matches in one decoded line dl, reported at the
// encoded value (line l, column col).
func (e *Engine) matchDecoded(out []lineMatch, l diff.Line, col int, where string, dl []byte) []lineMatch {
	e.matcher.MatchLine(dl, 0, nil, func(m ruleset.LineMatch) {
		detail := "decoded from " + where
		if m.Detail != "" {
			detail = m.Detail + ", " + detail
		}
		out = append(out, lineMatch{
			rule: m.Rule, line: l.No, col: col,
			match: string(dl[m.Start:m.End]), txt: capLine(l.Text), detail: detail,
		})
	})
	return out
}
