package audit

import (
	"bytes"
	"errors"
	"strings"
	"syscall"
	"testing"
)

// fakeFile is an appendFile in memory that behaves like a filling disk:
// writes stop at capacity (short write, then the error), at most perWrite
// bytes go in per call, and chosen calls fail or let another program
// append first.
type fakeFile struct {
	data        []byte
	capacity    int           // 0: unlimited
	perWrite    int           // 0: unlimited
	failCall    map[int]error // write call number (from 1) that fails outright
	foreign     []byte        // appended by "another program" right after write call 1
	truncateErr error
	calls       int
	truncated   bool
}

func (f *fakeFile) size() (int64, error) { return int64(len(f.data)), nil }

func (f *fakeFile) write(p []byte) (int, error) {
	f.calls++
	defer func() {
		if f.calls == 1 && f.foreign != nil {
			f.data = append(f.data, f.foreign...)
		}
	}()
	if err := f.failCall[f.calls]; err != nil {
		return 0, err
	}
	n := len(p)
	if f.perWrite > 0 && n > f.perWrite {
		n = f.perWrite
	}
	if f.capacity > 0 {
		room := f.capacity - len(f.data)
		if room <= 0 {
			return 0, syscall.ENOSPC
		}
		n = min(n, room)
	}
	f.data = append(f.data, p[:n]...)
	return n, nil
}

func (f *fakeFile) truncate(n int64) error {
	if f.truncateErr != nil {
		return f.truncateErr
	}
	f.truncated = true
	f.data = f.data[:n]
	return nil
}

// TestAppendAll covers every way an append can end: complete, refused
// before a byte went in, cut back after a short write, and the fallbacks
// when it cannot be cut back.
func TestAppendAll(t *testing.T) {
	const prev = "{\"time\":\"old\"}\n"
	line := []byte(`{"time":"2026-01-01T00:00:00.000Z","decision":"accepted","padding":"` + strings.Repeat("p", 200) + `"}` + "\n")
	tests := []struct {
		name     string
		f        *fakeFile
		want     string   // file content afterwards
		wantErr  []string // substrings of the error; nil: no error
		errIs    error
		truncate bool
	}{
		{name: "fits", f: &fakeFile{}, want: prev + string(line)},
		{name: "short writes are continued", f: &fakeFile{perWrite: 7}, want: prev + string(line)},
		{
			name: "nothing written", f: &fakeFile{failCall: map[int]error{1: syscall.EFBIG}},
			want: prev, wantErr: []string{"append to audit.jsonl", "file too large"}, errIs: syscall.EFBIG,
		},
		{
			name: "disk full mid-line: cut back", f: &fakeFile{capacity: len(prev) + 100},
			want: prev, wantErr: []string{"wrote 100 of 271 bytes", "no space left", "removed (log cut back to 15 bytes)"}, errIs: syscall.ENOSPC, truncate: true,
		},
		{
			name: "error after several short writes: cut back", f: &fakeFile{perWrite: 50, failCall: map[int]error{3: syscall.EIO}},
			want: prev, wantErr: []string{"wrote 100 of 271 bytes", "input/output error", "cut back"}, errIs: syscall.EIO, truncate: true,
		},
		{
			name: "truncate fails: fragment ended with a newline", f: &fakeFile{perWrite: 100, failCall: map[int]error{2: syscall.EIO}, truncateErr: syscall.EROFS},
			want: prev + string(line[:100]) + "\n", wantErr: []string{"could not be removed", "read-only file system", "ended with a newline"}, errIs: syscall.EIO,
		},
		{
			name: "truncate fails on a full disk: reported", f: &fakeFile{capacity: len(prev) + 100, truncateErr: syscall.EROFS},
			want: prev + string(line[:100]), wantErr: []string{"could not be removed", "read-only file system", "ending the fragment with a newline", "no space left"}, errIs: syscall.ENOSPC,
		},
		{
			name: "another program appended meanwhile: not cut", f: &fakeFile{perWrite: 100, foreign: []byte("X\n"), failCall: map[int]error{2: syscall.EIO}},
			want: prev + string(line[:100]) + "X\n\n", wantErr: []string{"without the lock", "ended with a newline"}, errIs: syscall.EIO,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.data = []byte(prev)
			err := appendAll(tc.f, "audit.jsonl", line)
			if got := string(tc.f.data); got != tc.want {
				t.Errorf("file = %q\nwant   %q", got, tc.want)
			}
			if tc.f.truncated != tc.truncate {
				t.Errorf("truncated = %v, want %v", tc.f.truncated, tc.truncate)
			}
			if tc.wantErr == nil {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range tc.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if tc.errIs != nil && !errors.Is(err, tc.errIs) {
				t.Errorf("error %v does not wrap %v", err, tc.errIs)
			}
		})
	}
}

// TestAppendAllThenStats: after any failed append, the log still reads
// back as whole events: the next event is never glued to a fragment.
func TestAppendAllThenStats(t *testing.T) {
	ev := func(repo string) []byte {
		e := sampleEvent()
		e.Repo = repo
		line, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return line
	}
	f := &fakeFile{}
	if err := appendAll(f, "log", ev("a")); err != nil {
		t.Fatal(err)
	}
	f.capacity = len(f.data) + 57 // the disk fills up during the second event
	if err := appendAll(f, "log", ev("b")); err == nil {
		t.Fatal("second append did not fail")
	}
	f.capacity = 0 // space freed
	if err := appendAll(f, "log", ev("c")); err != nil {
		t.Fatal(err)
	}
	s, err := ComputeStats(bytes.NewReader(f.data), StatsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Pushes != 2 || s.Malformed != 0 || len(s.Repos) != 2 || s.Repos[0].Repo != "a" || s.Repos[1].Repo != "c" {
		t.Errorf("stats after a failed append: pushes %d malformed %d repos %+v", s.Pushes, s.Malformed, s.Repos)
	}
}
