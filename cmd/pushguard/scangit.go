package main

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
	"time"

	"github.com/pushguard/pushguard/pkg/textsafe"
)

// This is the one file outside the installer that starts a process: `scan
// --range` asks `git rev-parse` for the revisions go-git does not resolve
// (@{u}, @{push}, reflog entries). Only `pushguard scan` calls it, never
// the hook; the only argument that is not fixed is the user's own --range
// text, after --end-of-options; nothing read from a repository is passed.

// runRevParse runs git rev-parse in dir with args (the user's own
// revision after --end-of-options), with a deadline.
func runRevParse(dir string, args []string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir, "rev-parse"}, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", errors.New(textsafe.Clean(msg, 300))
	}
	return strings.TrimSpace(out.String()), nil
}

// gitAvailable reports whether git is on PATH.
func gitAvailable() bool {
	_, err := exec.LookPath("git")
	return err == nil
}
