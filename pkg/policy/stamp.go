package policy

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

// Validation stamps. Compiling the regexes of ~400 secret rules is most of
// what loading the rules costs, and the hook loads them in a new process on
// every push, to meet a few of them. So a rule file is validated in full
// (every regex compiled, every check made, its tests decoded) the first
// time this build loads it, and a stamp is then written to the cache
// directory: an empty file named by the SHA-256 of stampVersion, the
// build's identity and the file's content. When the stamp exists, the same
// bytes are decoded lazily (ruleset.DecodeOptions.Lazy): their content
// regexes are compiled on first use. A stamp only says that these bytes
// gave no error to this build, which is a property of the bytes and the
// build: the same bytes with a new binary (another version, another Go,
// the same version rebuilt) are validated again. So an invalid regex is
// reported at load time, where a broken policy always rejects, and never
// first met while matching; should it still be (a stamp forged in the
// cache), the lazy compile panics (ruleset.ErrLazyCompile) and the hook
// rejects the push as an internal error. Like the parse cache, a stamp
// that cannot be written is skipped: the next load validates again.

// stampVersion names what a stamp vouches for; bump it when that changes.
const stampVersion = "pushguard-rules-validated-v1"

// stamps are the validation stamps in one cache directory, for this build.
// The zero value has none and stores none.
type stamps struct {
	dir   string
	build string // this build's identity
}

// newStamps returns the stamps in dir ("" for none). When the running
// executable cannot be identified, there are none: a stamp must never
// outlive the build that wrote it.
func newStamps(dir string) stamps {
	if dir == "" {
		return stamps{}
	}
	build := buildIdentity()
	if build == "" {
		return stamps{}
	}
	return stamps{dir: dir, build: build}
}

// buildIdentity identifies the running build: Go version, module version
// and VCS revision when known, and the executable's path, size and
// modification time (a rebuilt binary has another). "" when the executable
// cannot be found.
func buildIdentity() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	st, err := os.Stat(exe)
	if err != nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\x00%s\x00%d\x00%d\x00", runtime.Version(), exe, st.Size(), st.ModTime().UnixNano())
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(&b, "%s\x00%s\x00%s\x00", bi.Main.Path, bi.Main.Version, bi.Main.Sum)
		for _, s := range bi.Settings {
			if strings.HasPrefix(s.Key, "vcs.") {
				fmt.Fprintf(&b, "%s=%s\x00", s.Key, s.Value)
			}
		}
	}
	return b.String()
}

// path is the stamp file of content data.
func (s stamps) path(data []byte) string {
	return cachePath(s.dir, ".ok", []byte(stampVersion), []byte(s.build), data)
}

// valid reports whether this build validated content data in full before.
func (s stamps) valid(data []byte) bool {
	if s.dir == "" {
		return false
	}
	st, err := os.Lstat(s.path(data))
	return err == nil && st.Mode().IsRegular()
}

// store records that this build validated content data in full; errors
// are ignored (the next load validates again).
func (s stamps) store(data []byte) {
	if s.dir == "" {
		return
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return
	}
	f, err := os.CreateTemp(s.dir, ".tmp-*")
	if err != nil {
		return
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return
	}
	if err := os.Rename(f.Name(), s.path(data)); err != nil {
		os.Remove(f.Name())
	}
}
