package gitstore

import (
	"errors"
	"io"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/go-git/go-git/v5/plumbing"
)

// TestTreeFSConformance runs the standard library's fs.FS checks over a
// commit's tree, packed and loose, and over a subdirectory through fs.Sub.
func TestTreeFSConformance(t *testing.T) {
	for _, packed := range []bool{false, true} {
		r := newRepo(t, true)
		h := newHistory()
		h.commit("c1", 1, nil,
			put("rules/a.yml", "rules: []\n"),
			put("rules/b/c.yaml", "x: 1\n"),
			putExe("tool.sh", "echo\n"),
			put("README", "r\n"),
			put("rules-x/z", "z\n"), // sorts between "rules" and "rules/" in git's order
		)
		h.ref("refs/heads/main", "c1")
		var commits map[string]plumbing.Hash
		if packed {
			commits = h.loadPacked(r)
		} else {
			commits = h.load(r)
		}
		s := r.open()
		tfs, err := s.TreeFS(commits["c1"], 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if err := fstest.TestFS(tfs, "rules/a.yml", "rules/b/c.yaml", "tool.sh", "README", "rules-x/z"); err != nil {
			t.Errorf("packed=%v: %v", packed, err)
		}
		sub, err := fs.Sub(tfs, "rules")
		if err != nil {
			t.Fatal(err)
		}
		if err := fstest.TestFS(sub, "a.yml", "b/c.yaml"); err != nil {
			t.Errorf("packed=%v: sub: %v", packed, err)
		}
		data, err := fs.ReadFile(tfs, "rules/b/c.yaml")
		if err != nil || string(data) != "x: 1\n" {
			t.Errorf("ReadFile = %q, %v", data, err)
		}
		if fi, err := fs.Stat(tfs, "tool.sh"); err != nil || fi.Mode() != 0o555 || fi.Size() != 5 {
			t.Errorf("Stat(tool.sh) = %v, %v; want mode 0555 size 5", fi, err)
		}
	}
}

// TestTreeFSBounds: links and submodules are described but never followed,
// files over the bound are refused without being read, bad paths are
// invalid, and the FS is read-only by construction.
func TestTreeFSBounds(t *testing.T) {
	r := newRepo(t, true)
	h := newHistory()
	h.commit("c1", 1, nil,
		put("small.yml", "a: 1\n"),
		put("big.yml", strings.Repeat("x", 2000)),
		symlink("link.yml", "/etc/passwd"),
		put("dir/f", "f\n"),
	)
	h.ref("refs/heads/main", "c1")
	commits := h.load(r)
	// A tree with a submodule entry, built by hand.
	blob := strings.TrimSpace(r.gitIn("rules: []\n", "hash-object", "-w", "--stdin"))
	tree := strings.TrimSpace(r.gitIn("160000 commit "+commits["c1"].String()+"\tsub.yml\n100644 blob "+blob+"\tr.yml\n", "mktree"))

	s := r.open()
	tfs, err := s.TreeFS(commits["c1"], 1000)
	if err != nil {
		t.Fatal(err)
	}
	withSub, err := s.TreeFS(plumbing.NewHash(tree), 1000)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		fsys    *TreeFS
		path    string
		wantErr error       // for ReadFile and Open
		mode    fs.FileMode // Stat's type bits, when Stat succeeds
	}{
		{"small file", tfs, "small.yml", nil, 0},
		{"over the bound", tfs, "big.yml", ErrFileTooLarge, 0},
		{"symbolic link", tfs, "link.yml", ErrNotRegular, fs.ModeSymlink},
		{"submodule", withSub, "sub.yml", ErrNotRegular, fs.ModeIrregular},
		{"file in a tree built by hand", withSub, "r.yml", nil, 0},
		{"directory", tfs, "dir", nil, fs.ModeDir},
		{"missing", tfs, "nope.yml", fs.ErrNotExist, 0},
		{"below a file", tfs, "small.yml/x", fs.ErrNotExist, 0},
		{"escaping", tfs, "../x", fs.ErrInvalid, 0},
		{"absolute", tfs, "/etc/passwd", fs.ErrInvalid, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := tt.fsys.Open(tt.path)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Errorf("Open(%s) error %v; want %v", tt.path, err, tt.wantErr)
			}
			if f != nil {
				f.Close()
			}
			if tt.mode != fs.ModeDir {
				_, err = tt.fsys.ReadFile(tt.path)
				if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
					t.Errorf("ReadFile(%s) error %v; want %v", tt.path, err, tt.wantErr)
				}
			}
			fi, err := tt.fsys.Stat(tt.path)
			switch {
			case errors.Is(tt.wantErr, fs.ErrNotExist) || errors.Is(tt.wantErr, fs.ErrInvalid):
				if err == nil {
					t.Errorf("Stat(%s) succeeded", tt.path)
				}
			case err != nil:
				t.Errorf("Stat(%s): %v", tt.path, err)
			case fi.Mode().Type() != tt.mode:
				t.Errorf("Stat(%s) type %v; want %v", tt.path, fi.Mode().Type(), tt.mode)
			}
		})
	}
	// The directory listing shows the link with its type.
	entries, err := fs.ReadDir(tfs, ".")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name()+":"+e.Type().String())
	}
	if got, want := strings.Join(names, " "), "big.yml:---------- dir:d--------- link.yml:L--------- small.yml:----------"; got != want {
		t.Errorf("ReadDir(.) = %s; want %s", got, want)
	}
	// A directory reads in pieces through the fs.ReadDirFile interface.
	d, err := tfs.Open(".")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rd := d.(fs.ReadDirFile)
	first, err := rd.ReadDir(3)
	if err != nil || len(first) != 3 {
		t.Fatalf("ReadDir(3) = %d entries, %v", len(first), err)
	}
	rest, err := rd.ReadDir(3)
	if err != nil || len(rest) != 1 {
		t.Fatalf("ReadDir(3) again = %d entries, %v", len(rest), err)
	}
	if _, err := rd.ReadDir(3); err != io.EOF {
		t.Errorf("ReadDir at the end: %v; want io.EOF", err)
	}
	if _, err := s.TreeFS(commits["c1"], 0); err == nil {
		t.Error("TreeFS with no bound accepted")
	}
	if _, err := s.TreeFS(plumbing.NewHash(blob), 10); err == nil {
		t.Error("TreeFS of a blob accepted")
	}
}
