package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	errPrepare := errors.New("prepare failed")
	tests := []struct {
		name     string
		old      string // existing content ("" none)
		perm     os.FileMode
		prepare  func(string) error
		wantErr  string
		wantBody string
	}{
		{name: "new file", perm: 0o644, wantBody: "new"},
		{name: "replaces", old: "old", perm: 0o755, wantBody: "new"},
		{name: "prepare sees the whole file", perm: 0o600, wantBody: "new", prepare: func(tmp string) error {
			b, err := os.ReadFile(tmp)
			if err != nil || string(b) != "new" {
				return errors.New("temporary file incomplete")
			}
			return nil
		}},
		{name: "prepare fails: old content stays", old: "old", perm: 0o644, prepare: func(string) error { return errPrepare }, wantErr: "prepare failed", wantBody: "old"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "f")
			if tc.old != "" {
				if err := os.WriteFile(p, []byte(tc.old), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := Write(p, []byte("new"), tc.perm, tc.prepare)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			b, err := os.ReadFile(p)
			if err != nil || string(b) != tc.wantBody {
				t.Fatalf("content %q (%v), want %q", b, err, tc.wantBody)
			}
			if tc.wantErr == "" {
				if st, _ := os.Stat(p); st.Mode().Perm() != tc.perm {
					t.Fatalf("mode %v, want %v", st.Mode().Perm(), tc.perm)
				}
			}
			// No temporary file is left behind.
			ents, _ := os.ReadDir(dir)
			if len(ents) != 1 {
				t.Fatalf("directory holds %d entries, want 1", len(ents))
			}
		})
	}
}

func TestWriteMissingDirectory(t *testing.T) {
	err := Write(filepath.Join(t.TempDir(), "no", "f"), []byte("x"), 0o644, nil)
	if err == nil || !strings.Contains(err.Error(), "write ") {
		t.Fatalf("err = %v", err)
	}
}
