package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
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

func TestWriteRefusesANonRegularFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	err := Write(fifo, []byte("x"), 0o644, nil)
	if err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("the FIFO was replaced: %v %v", st, err)
	}
}

func TestOutput(t *testing.T) {
	dir := t.TempDir()

	// A link to a device (here /dev/null, as --report-path /dev/stdout
	// is a link to one) is written through, never replaced.
	devLink := filepath.Join(dir, "devnull")
	if err := os.Symlink(os.DevNull, devLink); err != nil {
		t.Fatal(err)
	}
	if err := Output(devLink, []byte("report"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(devLink); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link to the device was replaced: %v %v", st, err)
	}
	if st, err := os.Stat(os.DevNull); err != nil || st.Mode()&os.ModeCharDevice == 0 {
		t.Fatalf("%s is no longer a device: %v %v", os.DevNull, st, err)
	}

	// A FIFO with a reader gets the data in place.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err == nil {
		got := make(chan string)
		go func() {
			b, _ := os.ReadFile(fifo)
			got <- string(b)
		}()
		if err := Output(fifo, []byte("through the pipe"), 0o644); err != nil {
			t.Fatal(err)
		}
		if s := <-got; s != "through the pipe" {
			t.Fatalf("reader got %q", s)
		}
	}

	// A link to a regular file: the target is replaced, the link stays.
	target := filepath.Join(dir, "target.json")
	if err := os.WriteFile(target, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "report.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := Output(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v %v", st, err)
	}
	if b, _ := os.ReadFile(target); string(b) != "new" {
		t.Fatalf("target holds %q, want new", b)
	}

	// A new path is written atomically.
	fresh := filepath.Join(dir, "fresh.html")
	if err := Output(fresh, []byte("page"), 0o644); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(fresh); string(b) != "page" {
		t.Fatalf("fresh holds %q", b)
	}
}
