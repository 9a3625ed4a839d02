package gitstore

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEnvFromGetenv(t *testing.T) {
	tests := []struct {
		name    string
		vars    map[string]string
		want    Env
		wantErr string
	}{
		{
			name: "defaults",
			vars: nil,
			want: Env{GitDir: "."},
		},
		{
			name: "plain",
			vars: map[string]string{
				"GIT_DIR":                          "/srv/repo.git",
				"GIT_OBJECT_DIRECTORY":             "/srv/repo.git/objects/tmp_objdir-incoming-abc",
				"GIT_ALTERNATE_OBJECT_DIRECTORIES": "/srv/repo.git/objects",
			},
			want: Env{
				GitDir:     "/srv/repo.git",
				ObjectDir:  "/srv/repo.git/objects/tmp_objdir-incoming-abc",
				Alternates: []string{"/srv/repo.git/objects"},
			},
		},
		{
			name: "multiple, empty entries and comments skipped",
			vars: map[string]string{
				"GIT_ALTERNATE_OBJECT_DIRECTORIES": ":/a/objects::#not a path:rel/objects:",
			},
			want: Env{GitDir: ".", Alternates: []string{"/a/objects", "rel/objects"}},
		},
		{
			name: "quoted with colon and escapes",
			vars: map[string]string{
				"GIT_ALTERNATE_OBJECT_DIRECTORIES": `"/odd:dir/obj\"q\\b\tt\nn":"/x\a\b\f\r\v":/plain`,
			},
			want: Env{GitDir: ".", Alternates: []string{
				"/odd:dir/obj\"q\\b\tt\nn", "/x\a\b\f\r\v", "/plain",
			}},
		},
		{
			name: "octal escapes",
			vars: map[string]string{
				"GIT_ALTERNATE_OBJECT_DIRECTORIES": `"/caf\303\251/\101\060"`,
			},
			want: Env{GitDir: ".", Alternates: []string{"/café/A0"}},
		},
		{
			name: "quoted entry last without separator, then nothing",
			vars: map[string]string{"GIT_ALTERNATE_OBJECT_DIRECTORIES": `/a:"/b c"`},
			want: Env{GitDir: ".", Alternates: []string{"/a", "/b c"}},
		},
		{
			name: "quote inside an unquoted entry is literal",
			vars: map[string]string{"GIT_ALTERNATE_OBJECT_DIRECTORIES": `/a"b`},
			want: Env{GitDir: ".", Alternates: []string{`/a"b`}},
		},
		{
			name:    "unterminated quote",
			vars:    map[string]string{"GIT_ALTERNATE_OBJECT_DIRECTORIES": `"/a:/b`},
			wantErr: "missing closing quote",
		},
		{
			name:    "unknown escape",
			vars:    map[string]string{"GIT_ALTERNATE_OBJECT_DIRECTORIES": `"/a\q"`},
			wantErr: `unknown escape \q`,
		},
		{
			name:    "short octal",
			vars:    map[string]string{"GIT_ALTERNATE_OBJECT_DIRECTORIES": `"/a\01"`},
			wantErr: "bad octal escape",
		},
		{
			name:    "octal above 0377",
			vars:    map[string]string{"GIT_ALTERNATE_OBJECT_DIRECTORIES": `"/a\400"`},
			wantErr: `unknown escape \4`,
		},
		{
			name:    "octal with non-octal digit",
			vars:    map[string]string{"GIT_ALTERNATE_OBJECT_DIRECTORIES": `"/a\018"`},
			wantErr: "bad octal escape",
		},
		{
			name:    "backslash at end",
			vars:    map[string]string{"GIT_ALTERNATE_OBJECT_DIRECTORIES": `"/a\`},
			wantErr: "backslash at end",
		},
		{
			name:    "text after closing quote",
			vars:    map[string]string{"GIT_ALTERNATE_OBJECT_DIRECTORIES": `"/a"b:/c`},
			wantErr: "after closing quote",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EnvFromGetenv(func(k string) string { return tc.vars[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q (got env %+v)", err, tc.wantErr, got)
				}
				if !strings.Contains(err.Error(), "GIT_ALTERNATE_OBJECT_DIRECTORIES") {
					t.Errorf("error %q does not name the variable", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("EnvFromGetenv: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Env mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAlternatesFile(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"lines", "/a/objects\n../../b/objects\n", []string{"/a/objects", "../../b/objects"}},
		{"colon is not a separator in the file", "/a:b/objects\n", []string{"/a:b/objects"}},
		{"comments and blank lines", "# comment\n\n/a\n", []string{"/a"}},
		{"quoted newline", "\"/a\\nb\"\n/c", []string{"/a\nb", "/c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseAlternates(tc.in, '\n')
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
