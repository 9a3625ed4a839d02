package benchrepo

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
)

// Create makes the bare repository dir (which must not exist) from the
// history Generate writes for o, repacked with packed refs as a server
// would hold it.
func Create(dir string, o Options) (Stats, error) {
	if _, err := os.Stat(dir); err == nil {
		return Stats{}, fmt.Errorf("%s already exists", dir)
	}
	if _, err := Git("", "init", "-q", "--bare", "-b", "main", dir); err != nil {
		return Stats{}, err
	}
	cmd := exec.Command("git", "fast-import", "--quiet", "--done")
	cmd.Dir = dir
	cmd.Env = GitEnv()
	in, err := cmd.StdinPipe()
	if err != nil {
		return Stats{}, fmt.Errorf("fast-import stdin: %w", err)
	}
	var errBuf strings.Builder
	cmd.Stderr = &errBuf
	if err := cmd.Start(); err != nil {
		return Stats{}, fmt.Errorf("start git fast-import: %w", err)
	}
	st, genErr := Generate(in, o)
	if genErr == nil {
		_, genErr = io.WriteString(in, "done\n")
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return Stats{}, fmt.Errorf("git fast-import: %w: %s", err, errBuf.String())
	}
	if genErr != nil {
		return Stats{}, fmt.Errorf("write fast-import stream: %w", genErr)
	}
	if _, err := Git(dir, "repack", "-a", "-d", "-q"); err != nil {
		return Stats{}, err
	}
	if _, err := Git(dir, "pack-refs", "--all"); err != nil {
		return Stats{}, err
	}
	return st, nil
}

// GitEnv is the environment for every git command run here: no user or
// system configuration, C locale, a fixed identity.
func GitEnv() []string {
	env := []string{"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "LC_ALL=C", "TZ=UTC",
		"GIT_AUTHOR_NAME=Bench", "GIT_AUTHOR_EMAIL=bench@example.com",
		"GIT_COMMITTER_NAME=Bench", "GIT_COMMITTER_EMAIL=bench@example.com"}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// Git runs git in dir ("" = the current directory) with GitEnv and
// returns its combined output; the error carries the output too.
func Git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = GitEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}
