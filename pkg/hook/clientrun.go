package hook

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pushguard/pushguard/pkg/report"
	"github.com/pushguard/pushguard/pkg/textsafe"
)

// ClientError is why a client hook (PrePush, PreCommit) stopped before
// or instead of its check, with the exit code it ends with.
type ClientError struct {
	// Code is the exit code (ExitUsage or ExitInternal).
	Code int
	// Err is the cause.
	Err error
}

// Error returns the cause's message unchanged.
func (e *ClientError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ClientError) Unwrap() error { return e.Err }

// clientFail is a ClientError with code.
func clientFail(code int, err error) error {
	return &ClientError{Code: code, Err: err}
}

// ReportClient writes how a client hook ended on w (git shows a hook's
// stderr) and returns the exit code: err as "pushguard NAME: msg" (its
// code from a ClientError, else ExitInternal), nothing for a nil out (there
// was nothing to check), else the check's report.
func ReportClient(w io.Writer, name string, out *ClientOutcome, err error) int {
	if err != nil {
		code := ExitInternal
		var ce *ClientError
		if errors.As(err, &ce) {
			code = ce.Code
		}
		fmt.Fprintf(w, "pushguard %s: %s\n", name, textsafe.Clean(err.Error(), 0))
		return code
	}
	if out == nil {
		return ExitOK
	}
	if err := report.Text(w, out.Verdict, out.Text); err != nil {
		fmt.Fprintf(w, "pushguard: %s\n", err)
		return ExitInternal
	}
	return out.Code
}

// findRepository returns the repository of the working directory: dir
// ($GIT_DIR) when set, else the nearest directory upwards holding .git.
func findRepository(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return wd, nil // maybe bare: gitstore says if not
		}
	}
}

// clientRepo is the repository name for scopes: name when set, else
// derived from the remote URL (pre-push), else "".
func clientRepo(name, remoteURL string) string {
	if name != "" {
		return name
	}
	return RepoNameFromURL(remoteURL)
}

// RepoNameFromURL derives the repository name a server's scopes match
// from a remote URL: "group/app" from https://host/group/app.git,
// ssh://git@host/group/app.git or git@host:group/app.git; the absolute
// path for a local repository (plain git names repositories by GIT_DIR).
func RepoNameFromURL(raw string) string {
	if raw == "" {
		return ""
	}
	var p string
	switch {
	case strings.Contains(raw, "://"):
		u, err := url.Parse(raw)
		if err != nil {
			return ""
		}
		if u.Scheme == "file" {
			return filepath.Clean(u.Path)
		}
		p = u.Path
	case filepath.IsAbs(raw) || strings.HasPrefix(raw, "."):
		abs, err := filepath.Abs(raw)
		if err != nil {
			return raw
		}
		return abs
	default:
		_, after, ok := strings.Cut(raw, ":") // scp-like user@host:path
		if !ok {
			return raw
		}
		p = after
	}
	p = strings.Trim(p, "/")
	p = strings.TrimSuffix(p, ".git")
	return p
}
