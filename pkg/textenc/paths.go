package textenc

import (
	"bytes"
	"path"
	"strings"

	"github.com/pushguard/pushguard/pkg/textsafe"
)

// ConfigPaths returns, for each line of a configuration file, the path of
// the keys that enclose it, joined with '.': "services.sendgrid" for the
// line "    api_key: …" below "services:" and "  sendgrid:". Index i is line
// i+1; empty at the top level. Lines under the same keys share one slice:
// do not modify them. name (the file's path) decides the format:
// YAML (.yml, .yaml) by indentation, TOML and INI (.toml, .ini, .cfg,
// .conf) by [section] headers, JSON (.json) by "key": { … } blocks written
// one key per line, XML (.xml, .config, .plist) by elements whose start and
// end tags stand alone on their lines. It returns nil for other files. It is line-based, not
// a parser: flow collections and multi-line strings are taken as they
// come, which may give a wrong path, never a failure.
func ConfigPaths(name string, doc []byte) [][]byte {
	switch strings.ToLower(path.Ext(name)) {
	case ".yml", ".yaml":
		return yamlPaths(doc)
	case ".toml", ".ini", ".cfg", ".conf":
		return sectionPaths(doc)
	case ".json":
		return jsonPaths(doc)
	case ".xml", ".config", ".plist":
		return xmlPaths(doc)
	}
	return nil
}

// maxPathKeys bounds the depth a path records, and maxKeyLen the bytes of
// each key in it: a path is read again for every line below it, so a
// crafted file must not make it long.
const (
	maxPathKeys = 16
	maxKeyLen   = 128
)

type pathKey struct {
	indent int
	key    string
}

// joined keeps the joined path of a stack, recomputed only when it changes.
type joined struct {
	stack []pathKey
	s     []byte
	dirty bool
}

func (j *joined) push(k pathKey) {
	k.key = textsafe.Prefix(k.key, maxKeyLen)
	if len(j.stack) < maxPathKeys {
		j.stack = append(j.stack, k)
		j.dirty = true
	}
}

func (j *joined) popTo(indent int) {
	for len(j.stack) > 0 && j.stack[len(j.stack)-1].indent >= indent {
		j.stack = j.stack[:len(j.stack)-1]
		j.dirty = true
	}
}

func (j *joined) path() []byte {
	if j.dirty {
		var keys []string
		for _, k := range j.stack {
			if k.key != "" {
				keys = append(keys, k.key)
			}
		}
		j.s, j.dirty = []byte(strings.Join(keys, ".")), false
	}
	return j.s
}

func yamlPaths(doc []byte) [][]byte {
	lines := splitLines(doc)
	out := make([][]byte, len(lines))
	var j joined
	for i, l := range lines {
		t := bytes.TrimSpace(l)
		if len(t) == 0 || t[0] == '#' {
			out[i] = j.path()
			continue
		}
		if isDocSeparator(l) {
			j.popTo(0)
			continue
		}
		ind := indent(l)
		rest := l[ind:]
		for len(rest) >= 2 && rest[0] == '-' && rest[1] == ' ' { // a list item
			ind += 2
			rest = rest[2:]
			for len(rest) > 0 && rest[0] == ' ' {
				ind++
				rest = rest[1:]
			}
		}
		j.popTo(ind)
		out[i] = j.path()
		key, _, colon, ok := entry(rest)
		if !ok {
			continue
		}
		v := bytes.TrimSpace(rest[colon+1:])
		if h := bytes.Index(v, []byte(" #")); h >= 0 {
			v = bytes.TrimSpace(v[:h])
		}
		if len(v) == 0 || v[0] == '&' { // a mapping (or anchored one) follows
			j.push(pathKey{indent: ind, key: key})
		}
	}
	return out
}

func sectionPaths(doc []byte) [][]byte {
	lines := splitLines(doc)
	out := make([][]byte, len(lines))
	var section []byte
	for i, l := range lines {
		t := bytes.TrimSpace(l)
		if len(t) > 2 && t[0] == '[' {
			if end := bytes.IndexByte(t, ']'); end > 0 {
				section = bytes.Trim(bytes.Trim(t[:end], "[] \t"), `"'`)
				section = textsafe.Prefix(section, maxKeyLen)
			}
		}
		out[i] = section
	}
	return out
}

func jsonPaths(doc []byte) [][]byte {
	lines := splitLines(doc)
	out := make([][]byte, len(lines))
	var j joined
	depth := 0
	for i, l := range lines {
		t := bytes.TrimSpace(l)
		for len(t) > 0 && (t[0] == '}' || t[0] == ']') {
			depth--
			j.popTo(depth + 1)
			t = bytes.TrimSpace(t[1:])
		}
		out[i] = j.path()
		if len(t) == 0 {
			continue
		}
		opens := bytes.Count(t, []byte("{")) + bytes.Count(t, []byte("[")) - bytes.Count(t, []byte("}")) - bytes.Count(t, []byte("]"))
		if opens > 0 && (bytes.HasSuffix(t, []byte("{")) || bytes.HasSuffix(t, []byte("["))) {
			depth++
			if key, _, _, ok := entry(t); ok {
				j.push(pathKey{indent: depth, key: key})
			} else {
				j.push(pathKey{indent: depth, key: ""})
			}
			continue
		}
		if opens < 0 {
			depth += opens
			j.popTo(depth + 1)
		}
	}
	return out
}

// xmlPaths tracks the elements whose start tag (<name> or <name attr="…">)
// stands alone on its line, closed by an end tag </name> that starts a
// line: the lines between them, such as a value written on its own line
// (<apiKey>\n  value\n</apiKey>), are under name. Elements opened and
// closed on one line do not nest.
func xmlPaths(doc []byte) [][]byte {
	lines := splitLines(doc)
	out := make([][]byte, len(lines))
	var j joined
	depth := 0
	for i, l := range lines {
		t := bytes.TrimSpace(l)
		if bytes.HasPrefix(t, []byte("</")) {
			name := xmlName(t[2:])
			for k := len(j.stack) - 1; k >= 0; k-- {
				if j.stack[k].key == name {
					depth = j.stack[k].indent - 1
					j.popTo(j.stack[k].indent)
					break
				}
			}
		}
		out[i] = j.path()
		if len(t) < 3 || t[0] != '<' || t[len(t)-1] != '>' || t[len(t)-2] == '/' ||
			bytes.IndexByte(t[1:], '<') >= 0 {
			continue // not a lone start tag
		}
		name := xmlName(t[1:])
		if name == "" {
			continue
		}
		depth++
		j.push(pathKey{indent: depth, key: name})
	}
	return out
}

// xmlName returns the element name at the start of b (after '<' or
// "</"), or "" when b starts with none ('?', '!', a space).
func xmlName(b []byte) string {
	n := 0
	for n < len(b) && n < maxKeyLen && (b[n] == '_' || b[n] == '-' || b[n] == '.' || b[n] == ':' ||
		'a' <= b[n] && b[n] <= 'z' || 'A' <= b[n] && b[n] <= 'Z' || '0' <= b[n] && b[n] <= '9') {
		n++
	}
	if n == 0 || !('a' <= b[0] && b[0] <= 'z' || 'A' <= b[0] && b[0] <= 'Z' || b[0] == '_') {
		return ""
	}
	return string(b[:n])
}
