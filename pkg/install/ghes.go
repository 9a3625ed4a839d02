package install

import (
	"archive/tar"
	"compress/gzip"
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/pushguard/pushguard/pkg/push"
)

// ghesHookScript is the script to commit to the GHES hooks repository. It
// runs inside the environment's chroot.
func ghesHookScript() string {
	return `#!/bin/sh
# pushguard pre-receive hook for GitHub Enterprise Server.
` + HookMarker + `
# Commit this file, executable, to the repository that holds your pre-receive
# hooks, and run it in the environment built by "pushguard install --ghes-bundle".
# A pushguard.yml committed next to this script overrides the configuration
# built into the environment (/etc/pushguard/config.yml).
case "$0" in
*/*) here=${0%/*} ;;
*) here=. ;;
esac
if [ -f "$here/pushguard.yml" ]; then
	exec /` + GHESBinary + ` pre-receive --config "$here/pushguard.yml"
fi
if [ -f /` + GHESConfig + ` ]; then
	exec /` + GHESBinary + ` pre-receive --config /` + GHESConfig + `
fi
exec /` + GHESBinary + ` pre-receive
`
}

// GHESBundle writes a GitHub Enterprise Server pre-receive hook environment
// to out: the gzip'd tar root filesystem base (which must provide /bin/sh
// unless Force) with the static linux/amd64 binary Bin at /GHESBinary, the
// hook script at /GHESScript and, with Config, the configuration at
// /GHESConfig. The hook script to commit to the hooks repository is written
// next to out as GHESHookScriptName.
func (in *Installer) GHESBundle(out, base string) error {
	in, err := in.prepare(push.PlatformGHES)
	if err != nil {
		return err
	}
	if err := checkStaticLinuxAMD64(in.Bin); err != nil {
		return err
	}
	bin, err := os.ReadFile(in.Bin)
	if err != nil {
		return fmt.Errorf("read binary: %w", err)
	}
	binInfo, err := os.Stat(in.Bin)
	if err != nil {
		return fmt.Errorf("binary: %w", err)
	}
	added := []tarFile{
		{name: GHESBinary, mode: 0o755, data: bin},
		{name: GHESScript, mode: 0o755, data: []byte(ghesHookScript())},
	}
	if in.Config != "" {
		data, err := os.ReadFile(in.Config)
		if err != nil {
			return fmt.Errorf("read configuration: %w", err)
		}
		added = append(added, tarFile{name: GHESConfig, mode: 0o644, data: data})
	}

	outAbs, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("bundle %s: %w", out, err)
	}
	if st, err := os.Stat(filepath.Dir(outAbs)); err != nil || !st.IsDir() {
		return argErrorf("directory %s does not exist (create it first)", filepath.Dir(outAbs))
	}
	tmp, err := os.CreateTemp(filepath.Dir(outAbs), "."+filepath.Base(outAbs)+"-*~")
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	defer os.Remove(tmp.Name())
	hasShell, err := writeBundle(tmp, base, added, binInfo.ModTime())
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if !hasShell {
		msg := fmt.Sprintf("%s has no bin/sh: GHES needs /bin/sh in the environment to run the hook script", base)
		if !in.Force {
			return &ArgError{errors.New(msg + " (use a base such as an exported alpine or busybox container, or --force)")}
		}
		in.warnf("%s", msg)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("chmod %s: %w", out, err)
	}
	if err := os.Rename(tmp.Name(), outAbs); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	fmt.Fprintf(in.Out, "wrote %s (GHES pre-receive environment: /%s", outAbs, GHESBinary)
	if in.Config != "" {
		fmt.Fprintf(in.Out, ", /%s", GHESConfig)
	}
	fmt.Fprintln(in.Out, ")")
	script := filepath.Join(filepath.Dir(outAbs), GHESHookScriptName)
	if err := in.writeHook(script, ghesHookScript(), filepath.Dir(outAbs)); err != nil {
		return err
	}
	fmt.Fprintf(in.Out, "next: commit %s to your hooks repository and create the hook (docs/install.md, GitHub Enterprise Server)\n", GHESHookScriptName)
	return nil
}

// tarFile is a file added to the bundle.
type tarFile struct {
	name string
	mode int64
	data []byte
}

// writeBundle copies the gzip'd tar base to w, leaving out entries the
// bundle replaces, then appends the added files (and their missing parent
// directories). It reports whether the base provides bin/sh. Problems
// with the base are *ArgError.
func writeBundle(w io.Writer, base string, added []tarFile, mtime time.Time) (hasShell bool, err error) {
	bf, err := os.Open(base)
	if err != nil {
		return false, &ArgError{fmt.Errorf("base: %w", err)}
	}
	defer bf.Close()
	gr, err := gzip.NewReader(bf)
	if err != nil {
		return false, &ArgError{fmt.Errorf("base %s is not a .tar.gz: %w", base, err)}
	}
	gw := gzip.NewWriter(w)
	tw := tar.NewWriter(gw)
	replaced := map[string]bool{}
	for _, f := range added {
		replaced[f.name] = true
	}
	dirs := map[string]bool{}
	tr := tar.NewReader(gr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return false, &ArgError{fmt.Errorf("base %s: %w", base, err)}
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		if replaced[name] {
			continue
		}
		switch name {
		case "bin/sh", "usr/bin/sh":
			hasShell = true
		}
		if h.Typeflag == tar.TypeDir {
			dirs[name] = true
		}
		if err := tw.WriteHeader(h); err != nil {
			return false, fmt.Errorf("copy %s from the base: %w", h.Name, err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return false, &ArgError{fmt.Errorf("base %s: %w", base, err)}
		}
	}
	t := mtime.UTC().Truncate(time.Second)
	for _, f := range added {
		var parents []string
		for d := path.Dir(f.name); d != "." && !dirs[d]; d = path.Dir(d) {
			parents = append([]string{d}, parents...)
		}
		for _, d := range parents {
			dirs[d] = true
			if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: t, Format: tar.FormatPAX}); err != nil {
				return false, fmt.Errorf("add %s: %w", d, err)
			}
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: f.mode, Size: int64(len(f.data)), ModTime: t, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return false, fmt.Errorf("add %s: %w", f.name, err)
		}
		if _, err := tw.Write(f.data); err != nil {
			return false, fmt.Errorf("add %s: %w", f.name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return false, fmt.Errorf("finish tar: %w", err)
	}
	if err := gw.Close(); err != nil {
		return false, fmt.Errorf("finish gzip: %w", err)
	}
	return hasShell, nil
}

// checkStaticLinuxAMD64 checks that the binary can run in a GHES hook
// environment: a linux/amd64 ELF executable without a dynamic loader. Its
// errors are *ArgError.
func checkStaticLinuxAMD64(p string) error {
	f, err := elf.Open(p)
	if err != nil {
		return argErrorf("%s is not a Linux ELF binary (%v): build one with CGO_ENABLED=0 GOOS=linux GOARCH=amd64 and pass --binary", p, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_X86_64 {
		return argErrorf("%s is built for %s; GHES runs x86-64: build with GOOS=linux GOARCH=amd64 and pass --binary", p, f.Machine)
	}
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return argErrorf("%s is dynamically linked; the GHES environment needs a static binary: build with CGO_ENABLED=0 (make build)", p)
		}
	}
	return nil
}
