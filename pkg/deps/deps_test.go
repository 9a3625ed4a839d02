package deps

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEcosystem(t *testing.T) {
	for path, want := range map[string]string{
		"go.mod":                        Go,
		"tools/go.mod":                  Go,
		"go.sum":                        "",
		"package.json":                  Npm,
		"web/package.json":              Npm,
		"package-lock.json":             "",
		"requirements.txt":              PyPI,
		"requirements-dev.txt":          PyPI,
		"requirements/base.txt":         PyPI,
		"docs/notes.txt":                "",
		"pyproject.toml":                PyPI,
		"Cargo.toml":                    Cargo,
		"cargo.toml":                    "",
		"Gemfile":                       RubyGems,
		"gems.rb":                       RubyGems,
		"Gemfile.lock":                  "",
		"src/requirements_parser.py":    "",
		"requirements.txt.bak":          "",
		"sub/dir/requirements-test.txt": PyPI,
	} {
		if got := Ecosystem(path); got != want {
			t.Errorf("Ecosystem(%q) = %q, want %q", path, got, want)
		}
	}
}

// dep is a compact expected declaration: name and line.
type dep struct {
	Name string
	Line int
}

func parsed(t *testing.T, path, content string) []dep {
	t.Helper()
	_, ds, err := Parse(path, []byte(content))
	if err != nil {
		t.Fatalf("Parse(%s): %v", path, err)
	}
	var out []dep
	for _, d := range ds {
		out = append(out, dep{d.Name, d.Line})
	}
	return out
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, path, content string
		want                []dep
	}{
		{"go.mod", "go.mod", `module example.com/app

go 1.22

toolchain go1.22.3

require github.com/spf13/cobra v1.8.0

require (
	github.com/go-git/go-git/v5 v5.11.0
	golang.org/x/sys v0.18.0 // indirect
	"example.com/quoted" v1.0.0
)

require ()

replace github.com/old/mod => github.com/fork/mod v1.2.3

replace (
	example.com/local => ../local
	example.com/win => C:\src\win
)

exclude golang.org/x/net v0.1.0
retract v1.0.0 // published by mistake
`, []dep{
			{"github.com/spf13/cobra", 7}, {"github.com/go-git/go-git/v5", 10}, {"golang.org/x/sys", 11},
			{"example.com/quoted", 12}, {"github.com/fork/mod", 17},
		}},
		{"package.json", "package.json", `{
  "name": "web",
  "version": "1.0.0",
  "scripts": {"dependencies": "not a section"},
  "dependencies": {
    "react": "^18.2.0",
    "@types/node": "20.1.0",
    "lodash-alias": "npm:lodash@^4.17.21",
    "scoped-alias": "npm:@babel/core@7.0.0",
    "local": "file:../local",
    "ws": "workspace:*"
  },
  "devDependencies": { "vitest": "1.0.0" },
  "peerDependencies": {"react-dom": ">=18"},
  "optionalDependencies": {"fsevents": "2.3.3"},
  "bundledDependencies": ["react"]
}`, []dep{
			{"react", 6}, {"@types/node", 7}, {"lodash", 8}, {"@babel/core", 9},
			{"vitest", 13}, {"react-dom", 14}, {"fsevents", 15},
		}},
		{"requirements", "requirements-dev.txt", `# tools
-r requirements.txt
-c constraints.txt
--index-url https://pypi.example.com/simple
-e git+https://github.com/org/repo.git#egg=repo
Django>=4.2,<5  # web
zope.interface==6.0
Flask_SQLAlchemy[async] ~= 3.1 ; python_version >= "3.8"
requests \
    --hash=sha256:abc
mypkg @ https://example.com/mypkg-1.0.tar.gz
https://example.com/other-1.0-py3-none-any.whl
./vendor/thing
`, []dep{
			{"django", 6}, {"zope-interface", 7}, {"flask-sqlalchemy", 8}, {"requests", 9}, {"mypkg", 11},
		}},
		{"pyproject PEP 621", "pyproject.toml", `[build-system]
requires = ["setuptools>=61", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "demo"
version = "0.1.0"
authors = [{ name = "Dev", email = "dev@example.com" }]
dependencies = [
  "httpx>=0.27",   # http client
  'PyYAML',
  """rich""",
]
released = 1979-05-27 07:32:00Z
weights = [1.5, -2, +inf, true]

[project.optional-dependencies]
test = ["pytest>=8", "Hypothesis"]

[dependency-groups]
dev = ["ruff", {include-group = "test"}]

[tool.ruff]
line-length = 100
"quoted key" = 'literal \ string'
`, []dep{
			{"setuptools", 2}, {"wheel", 2}, {"httpx", 10}, {"pyyaml", 11}, {"rich", 12},
			{"pytest", 18}, {"hypothesis", 18}, {"ruff", 21},
		}},
		{"pyproject poetry", "pyproject.toml", `[tool.poetry]
name = "demo"

[tool.poetry.dependencies]
python = "^3.11"
Django = "^5.0"
mylib = { path = "../mylib", develop = true }
gitdep = { git = "https://github.com/org/gitdep.git", branch = "main" }

[tool.poetry.group.dev.dependencies]
black = "^24"

[tool.poetry.group.docs.dependencies]
mkdocs = { version = "^1.5", optional = true }
`, []dep{{"django", 6}, {"gitdep", 8}, {"black", 11}, {"mkdocs", 14}}},
		{"Cargo.toml", "Cargo.toml", `[package]
name = "demo"
version = "0.1.0"
edition = "2021"

[dependencies]
serde = { version = "1", features = ["derive"] }
tokio = "1.36"
web = { package = "actix-web", version = "4" }
local = { path = "../local" }
shared.workspace = true

[dependencies.regex]
version = "1.10"

[dev-dependencies]
proptest = "1"

[build-dependencies]
cc = "1.0"

[target.'cfg(windows)'.dependencies]
winapi = "0.3"

[target."cfg(unix)".dev-dependencies]
nix = "0.28"

[[bin]]
name = "demo"
path = "src/main.rs"

[[bin]]
name = "other"
`, []dep{
			{"serde", 7}, {"tokio", 8}, {"actix-web", 9}, {"regex", 13}, {"proptest", 17}, {"cc", 20},
			{"winapi", 23}, {"nix", 26},
		}},
		{"Gemfile", "Gemfile", `source "https://rubygems.org"
ruby "3.3.0"

gemspec
gem "rails", "~> 7.1"
gem 'pg', '>= 1.1'
gem("puma")

group :development, :test do
  gem "rspec-rails"
  # gem "commented"
end
gem "plugin-#{name}"
gems = 1
`, []dep{{"rails", 5}, {"pg", 6}, {"puma", 7}, {"rspec-rails", 10}}},
		{"not a manifest", "README.md", "gem 'x'\n", nil},
		{"empty requirements", "requirements.txt", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, parsed(t, tt.path, tt.content)); diff != "" {
				t.Errorf("Parse mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ path, content, want string }{
		{"package.json", `{"dependencies": {"react": "1",}}`, "line 1: invalid JSON"},
		{"package.json", "{\n  \"dependencies\": {\n    \"a\": \"1\"\n  \n", "invalid JSON"},
		{"package.json", `[1, 2]`, "not a JSON object"},
		{"package.json", `{"dependencies": ["react"]}`, "expected an object"},
		{"package.json", `{"dependencies": {"react": 18}}`, "expected a version string"},
		{"go.mod", "module x\nrequire (\n\tgithub.com/a/b v1.0.0\n", "line 2: require block is never closed"},
		{"go.mod", "module x\nrequire github.com/a/b\n", "line 2: require needs"},
		{"go.mod", "module x\nfrobnicate y\n", `line 2: unknown directive "frobnicate"`},
		{"go.mod", "module x\nreplace a => \n", "replace needs"},
		{"go.mod", "require \"unterminated v1\n", "unterminated quoted string"},
		{"requirements.txt", "ok==1\n==1.0\n", "line 2: not a requirement"},
		{"requirements.txt", "foo bar\n", "line 1: not a requirement"},
		{"requirements.txt", "numpy#no-space-no-comment\n", "line 1: not a requirement"},
		{"pyproject.toml", "[project]\ndependencies = [\"a\",\n", "line 2: array is incomplete"},
		{"pyproject.toml", "[project]\ndependencies = [\"a\" \"b\"]\n", "line 2: expected ',' or ']' after array value"},
		{"pyproject.toml", "[project]\nname = \"a\"\nname = \"b\"\n", `line 3: duplicate key "name"`},
		{"pyproject.toml", "[project]\ndependencies = \"requests\"\n", "expected an array"},
		{"pyproject.toml", "[project\n", "line 1: expected ']' to close table name"},
		{"pyproject.toml", "key = @nope\n", "line 1: unexpected character U+0040 '@' at start of value"},
		{"pyproject.toml", "key = nope\n", "line 1: expected keyword"},
		{"pyproject.toml", "a = 1 b = 2\n", "line 1: expected newline but got U+0062 'b'"},
		{"pyproject.toml", "a = \"\\q\"\n", "invalid escape"},
		{"pyproject.toml", "a = " + strings.Repeat("[", 100) + strings.Repeat("]", 100) + "\n", "line 1: values nested deeper than 32"},
		{"pyproject.toml", "a = \"x\xff\"\n", "UTF-8"},
		{"Cargo.toml", "[dependencies]\nserde = 1\n", "line 2: dependencies.serde: expected a version string"},
		{"Cargo.toml", "[dependencies]\nx = { package = 3 }\n", "expected a crate name"},
		{"Cargo.toml", "a = [1]\n[a]\n", "already defined"},
		{"Gemfile", "gem \"rails\n", "line 1: unterminated string"},
	}
	for _, tt := range tests {
		_, _, err := Parse(tt.path, []byte(tt.content))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%s, %q) error = %v, want it to contain %q", tt.path, tt.content, err, tt.want)
		}
	}
}

func TestNormalizePyPI(t *testing.T) {
	for in, want := range map[string]string{
		"Django": "django", "zope.interface": "zope-interface", "Foo__Bar-.baz": "foo-bar-baz",
		"a": "a", "ruamel.yaml.clib": "ruamel-yaml-clib",
	} {
		if got := NormalizePyPI(in); got != want {
			t.Errorf("NormalizePyPI(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAdded(t *testing.T) {
	tests := []struct {
		name, path string
		old        *string
		new        string
		want       []dep
	}{
		{"new file: everything", "requirements.txt", nil, "flask\nrequests==2\n", []dep{{"flask", 1}, {"requests", 2}}},
		{"version bump adds nothing", "package.json", ptr(`{"dependencies": {"react": "17"}}`),
			`{"dependencies": {"react": "18"}}`, nil},
		{"one added", "package.json", ptr("{\n\"dependencies\": {\"react\": \"17\"}\n}"),
			"{\n\"dependencies\": {\n\"react\": \"18\",\n\"left-padd\": \"1.0.0\"\n}\n}", []dep{{"left-padd", 4}}},
		{"moved between sections", "package.json", ptr(`{"devDependencies": {"jest": "29"}}`),
			`{"dependencies": {"jest": "29"}}`, nil},
		{"pypi normalization", "requirements.txt", ptr("Flask_Cors==1\n"), "flask-cors==2\nnew.pkg\n", []dep{{"new-pkg", 2}}},
		{"duplicates once", "Gemfile", ptr(""), "gem 'a'\ngem 'a'\n", []dep{{"a", 1}}},
		{"cargo rename of existing crate", "Cargo.toml", ptr("[dependencies]\nactix-web = \"4\"\n"),
			"[dependencies]\nweb = { package = \"actix_web\", version = \"4\" }\n", nil},
		{"old unparsable: names in its text are not new", "package.json", ptr(`{"dependencies": {"react": "17",}`),
			`{"dependencies": {"react": "18", "axios": "1"}}`, []dep{{"axios", 1}}},
		{"go replace target", "go.mod", ptr("module m\nrequire a.com/x v1.0.0\n"),
			"module m\nrequire a.com/x v1.0.0\nreplace a.com/x => evil.com/x v1.0.0\n", []dep{{"evil.com/x", 3}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var old []byte
			if tt.old != nil {
				old = []byte(*tt.old)
			}
			ds, err := Added(tt.path, old, []byte(tt.new))
			if err != nil {
				t.Fatal(err)
			}
			var got []dep
			for _, d := range ds {
				got = append(got, dep{d.Name, d.Line})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Added mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAddedFromMerge(t *testing.T) {
	// A dependency one parent already has is not new in the merge.
	a := []byte("alpha\nbeta\n")
	b := []byte("alpha\ngamma\n")
	ds, err := AddedFrom("requirements.txt", [][]byte{a, b}, []byte("alpha\nbeta\ngamma\ndelta\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 || ds[0].String() != "pypi:delta" || ds[0].Line != 4 {
		t.Errorf("AddedFrom = %v, want [pypi:delta at line 4]", ds)
	}
}

func TestAddedMalformedNew(t *testing.T) {
	if _, err := Added("package.json", nil, []byte(`{"dependencies": `)); err == nil {
		t.Error("Added of a malformed package.json: no error")
	}
}

func TestNames(t *testing.T) {
	eco, names, err := Names("Gemfile", []byte("gem 'z'\ngem 'a'\ngem 'z'\n"))
	if err != nil || eco != RubyGems || !cmp.Equal(names, []string{"a", "z"}) {
		t.Errorf("Names = %q, %q, %v", eco, names, err)
	}
}

func ptr(s string) *string { return &s }
