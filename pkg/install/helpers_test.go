package install

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"encoding/binary"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeBinary writes a stand-in for pushguard that records its arguments,
// stdin and first push option next to itself and exits with $FAKE_EXIT.
// Its directory has a space and a quote, to exercise the wrapper's quoting.
func fakeBinary(t *testing.T) (bin, dir string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "it's bin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(dir, "pushguard")
	script := `#!/bin/sh
d=$(dirname "$0")
printf '%s\n' "$@" > "$d/args"
cat > "$d/stdin"
printf '%s' "${GIT_PUSH_OPTION_0-}" > "$d/option"
exit "${FAKE_EXIT:-0}"
`
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin, dir
}

// writeConfig writes a configuration file with content (a valid one when
// content is "") and returns its path.
func writeConfig(t *testing.T, content string) string {
	t.Helper()
	if content == "" {
		content = "mode: audit\n"
	}
	p := filepath.Join(t.TempDir(), "pushguard.yml")
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// newInstaller returns an installer for bin that records its output.
func newInstaller(bin string) (in *Installer, out, warn *bytes.Buffer) {
	out, warn = new(bytes.Buffer), new(bytes.Buffer)
	return &Installer{Bin: bin, Out: out, Warn: warn}, out, warn
}

// gitEnv is a hermetic environment for git.
func gitEnv(home string) []string {
	return []string{
		"HOME=" + home,
		"PATH=" + os.Getenv("PATH"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=Dev Eloper",
		"GIT_AUTHOR_EMAIL=dev@example.com",
		"GIT_COMMITTER_NAME=Dev Eloper",
		"GIT_COMMITTER_EMAIL=dev@example.com",
		"GIT_AUTHOR_DATE=2026-01-02T03:04:05Z",
		"GIT_COMMITTER_DATE=2026-01-02T03:04:05Z",
		"LC_ALL=C",
		"TZ=UTC",
	}
}

// gitCmd runs git hermetically in dir.
func gitCmd(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(gitEnv(t.TempDir()), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// bareRepo creates a bare repository at p.
func bareRepo(t *testing.T, p string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	gitCmd(t, filepath.Dir(p), nil, "init", "-q", "--bare", "-b", "main", p)
	return p
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mode(t *testing.T, p string) os.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// tarGz builds a .tar.gz from entries (a name ending in / is a directory).
func tarGz(t *testing.T, p string, entries map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	gw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gw)
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		h := &tar.Header{Name: name, Mode: 0o755, Typeflag: tar.TypeReg, Size: int64(len(entries[name]))}
		if strings.HasSuffix(name, "/") {
			h.Typeflag, h.Size = tar.TypeDir, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(entries[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

type tarEntry struct {
	mode int64
	dir  bool
	data string
}

// readTarGz returns the entries of a .tar.gz, failing on duplicates.
func readTarGz(t *testing.T, p string) map[string]tarEntry {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gr)
	got := map[string]tarEntry{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, dup := got[h.Name]; dup {
			t.Errorf("duplicate entry %s", h.Name)
		}
		data, _ := io.ReadAll(tr)
		got[h.Name] = tarEntry{mode: h.Mode, dir: h.Typeflag == tar.TypeDir, data: string(data)}
	}
	return got
}

// writeELF writes a minimal 64-bit little-endian ELF executable for
// machine, with a PT_INTERP program header when dynamic, and returns its
// path. debug/elf reads it like a real binary; it is never run.
func writeELF(t *testing.T, machine elf.Machine, dynamic bool) string {
	t.Helper()
	progs := []elf.Prog64{{Type: uint32(elf.PT_LOAD), Flags: uint32(elf.PF_R | elf.PF_X), Align: 0x1000}}
	if dynamic {
		progs = append([]elf.Prog64{{Type: uint32(elf.PT_INTERP), Flags: uint32(elf.PF_R), Align: 1}}, progs...)
	}
	h := elf.Header64{
		Type: uint16(elf.ET_EXEC), Machine: uint16(machine), Version: uint32(elf.EV_CURRENT),
		Entry: 0x401000, Phoff: 64, Ehsize: 64, Phentsize: 56, Phnum: uint16(len(progs)), Shentsize: 64,
	}
	copy(h.Ident[:], []byte{0x7f, 'E', 'L', 'F', byte(elf.ELFCLASS64), byte(elf.ELFDATA2LSB), byte(elf.EV_CURRENT)})
	var buf bytes.Buffer
	if err := binary.Write(&buf, binary.LittleEndian, h); err != nil {
		t.Fatal(err)
	}
	if err := binary.Write(&buf, binary.LittleEndian, progs); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "pushguard")
	if err := os.WriteFile(p, buf.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}
