package deps

import (
	"testing"
)

// FuzzNames feeds arbitrary content to every manifest parser: none may
// panic, and a successful parse gives names and lines within the file.
func FuzzNames(f *testing.F) {
	seeds := []struct{ path, content string }{
		{"go.mod", "module m\nrequire (\n\ta.com/b v1.0.0 // indirect\n)\nreplace x => y v1\n"},
		{"package.json", `{"dependencies": {"a": "1", "b": "npm:@s/c@2"}, "devDependencies": {}}`},
		{"requirements.txt", "a==1\n-r b.txt\nc @ https://x/y.whl\nd \\\n  --hash=sha256:0\n"},
		{"pyproject.toml", "[project]\ndependencies = [\"a>=1\", '''b''']\n[tool.poetry.group.g.dependencies]\nc = {version = \"1\"}\n"},
		{"Cargo.toml", "[dependencies]\na = \"1\"\nb.workspace = true\n[target.'cfg(x)'.dependencies.c]\nversion = \"1\"\n[[bin]]\nname = \"x\"\n"},
		{"Gemfile", "gem 'a'\ngroup :x do\n  gem(\"b\", '1')\nend\n"},
		{"pyproject.toml", "a = \"\"\"\nmulti \\\n  line\"\"\"\nb = 1979-05-27 07:32:00\nc = {d = [1, [2, {e = 3}]]}\n"},
	}
	for _, s := range seeds {
		f.Add(s.path, []byte(s.content))
	}
	f.Fuzz(func(t *testing.T, path string, content []byte) {
		// Fuzz every parser, whatever path the fuzzer picked.
		for _, p := range []string{path, "go.mod", "package.json", "requirements.txt", "pyproject.toml", "Cargo.toml", "Gemfile"} {
			_, ds, err := Parse(p, content)
			if err != nil {
				continue
			}
			lines := 1
			for _, c := range content {
				if c == '\n' {
					lines++
				}
			}
			for _, d := range ds {
				if d.Name == "" || d.Line < 1 || d.Line > lines {
					t.Fatalf("Parse(%s): bad dependency %+v (file has %d lines)", p, d, lines)
				}
			}
			if _, err := Added(p, content, content); err != nil {
				t.Fatalf("Added(%s) of a parsable file failed: %v", p, err)
			}
		}
	})
}
