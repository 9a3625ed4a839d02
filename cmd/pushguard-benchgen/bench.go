package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pushguard/pushguard/internal/benchrepo"
)

// benchConfig is what the bench subcommand measures.
type benchConfig struct {
	pushguard, self string
	dir, repo       string
	pushes, runs    int
	commits         int
	refCommits      int // commits of the ref-heavy repository
	refs            int // extra branches of the ref-heavy repository
	bigMB           int // size of the big file pushed, in MB
}

func benchCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := benchConfig{}
	fs.StringVar(&c.pushguard, "pushguard", "bin/pushguard", "pushguard binary to measure")
	fs.StringVar(&c.dir, "dir", "testdata/bench", "where generated repositories are kept")
	fs.StringVar(&c.repo, "repo", "", "scan this repository instead of the generated history")
	fs.IntVar(&c.pushes, "pushes", 50, "one-commit pushes into the 10k-ref repository")
	fs.IntVar(&c.runs, "runs", 3, "runs of each whole-history measurement (the median is reported)")
	fs.IntVar(&c.commits, "commits", 2000, "commits of the generated history")
	fs.IntVar(&c.refCommits, "ref-commits", 5000, "commits of the ref-heavy repository (also the many-commit push)")
	fs.IntVar(&c.refs, "refs", 10000, "extra branches of the ref-heavy repository")
	fs.IntVar(&c.bigMB, "big-mb", 200, "size of the big file pushed, in MB")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var err error
	if c.pushguard, err = absPath(c.pushguard); err != nil {
		return err
	}
	if c.dir, err = absPath(c.dir); err != nil {
		return err
	}
	if c.self, err = os.Executable(); err != nil {
		return fmt.Errorf("own path: %w", err)
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return fmt.Errorf("bench dir: %w", err)
	}
	t := &table{}
	progress := func(format string, a ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", a...) }
	if err := benchScan(c, t, progress); err != nil {
		return err
	}
	if err := benchHook(c, t, progress); err != nil {
		return err
	}
	if err := benchBigFile(c, t, progress); err != nil {
		return err
	}
	if err := benchManyCommits(c, t, progress); err != nil {
		return err
	}
	t.write(stdout)
	return nil
}

// table is the one Markdown table bench prints.
type table struct{ rows [][5]string }

// add appends a row: what was measured, wall time, CPU time (user +
// system), the ratio to `git log -p`, peak RSS.
func (t *table) add(what, wall, cpu, ratio, rss string) {
	t.rows = append(t.rows, [5]string{what, wall, cpu, ratio, rss})
}

func (t *table) write(w io.Writer) {
	fmt.Fprintln(w, "| measurement | wall | CPU | ratio (wall / CPU) | peak RSS |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	for _, r := range t.rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", r[0], r[1], r[2], r[3], r[4])
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
func secs(d time.Duration) string {
	return fmt.Sprintf("%.2f s", d.Seconds())
}
func mib(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }

// percentile returns the p-th percentile (nearest rank) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.999999) - 1
	return s[max(0, min(i, len(s)-1))]
}

// runStats summarises several runs of one command.
type runStats struct {
	wall, cpu time.Duration // medians
	rss       int64         // the largest
}

// interleaved runs each command of mks runs times, round-robin so that a
// change in machine load affects them alike, and returns the median wall
// and CPU time and the largest peak RSS of each. Exit codes in okExit
// count as success (1: findings).
func interleaved(runs int, mks []func() *exec.Cmd, okExit ...int) ([]runStats, error) {
	walls := make([][]time.Duration, len(mks))
	cpus := make([][]time.Duration, len(mks))
	out := make([]runStats, len(mks))
	for range runs {
		for i, mk := range mks {
			cmd := mk()
			var errBuf strings.Builder
			cmd.Stderr = &errBuf
			u, err := measure(cmd)
			if err != nil {
				return nil, err
			}
			if u.Exit != 0 && !slices.Contains(okExit, u.Exit) {
				return nil, fmt.Errorf("%s exited %d: %s", strings.Join(cmd.Args, " "), u.Exit, clip(errBuf.String()))
			}
			walls[i] = append(walls[i], u.Wall)
			cpus[i] = append(cpus[i], u.CPU)
			out[i].rss = max(out[i].rss, u.MaxRSS)
		}
	}
	for i := range out {
		out[i].wall, out[i].cpu = percentile(walls[i], 50), percentile(cpus[i], 50)
	}
	return out, nil
}

func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "..."
	}
	return s
}

// cachedRepo generates a repository once under dir/name; the options are
// part of the name so that a stale cache is never reused.
func cachedRepo(c benchConfig, name string, o benchrepo.Options, progress func(string, ...any)) (string, error) {
	p := filepath.Join(c.dir, fmt.Sprintf("%s-s%d-c%d-r%d.git", name, o.Seed, o.Commits, o.Refs))
	if _, err := os.Stat(filepath.Join(p, "packed-refs")); err == nil {
		return p, nil
	}
	_ = os.RemoveAll(p)
	progress("generating %s (%d commits, %d refs)", p, o.Commits, o.Refs)
	st, err := benchrepo.Create(p, o)
	if err != nil {
		_ = os.RemoveAll(p)
		return "", err
	}
	progress("  %d commits, %d merges, %d renames, %d binaries, %d large, %d secrets, %d AI trailers", st.Commits, st.Merges, st.Renames, st.Binaries, st.Large, st.Secrets, st.AITrailers)
	return p, nil
}

func benchScan(c benchConfig, t *table, progress func(string, ...any)) error {
	repo := c.repo
	if repo == "" {
		var err error
		if repo, err = cachedRepo(c, "history", benchrepo.Options{Seed: 1, Commits: c.commits, Large: true}, progress); err != nil {
			return err
		}
	}
	count, err := gitOut(repo, "rev-list", "--all", "--count")
	if err != nil {
		return err
	}
	count = strings.TrimSpace(count)
	mks := []func() *exec.Cmd{
		func() *exec.Cmd {
			cmd := exec.Command("git", "log", "-p", "-U0", "--no-color", "--all")
			cmd.Dir, cmd.Env = repo, hermeticEnv()
			return cmd
		},
		func() *exec.Cmd {
			return exec.Command(c.pushguard, "scan", "--all", "--format", "json", "--repo", repo)
		},
	}
	gitleaks, _ := exec.LookPath("gitleaks")
	if gitleaks != "" {
		mks = append(mks, func() *exec.Cmd {
			return exec.Command(gitleaks, "git", "--no-banner", "--log-level", "error", "--log-opts=--all", repo)
		})
	}
	progress("timing git log -p -U0, pushguard scan --all%s over %s commits, %d runs each", map[bool]string{true: ", gitleaks"}[gitleaks != ""], count, c.runs)
	rs, err := interleaved(c.runs, mks, 1)
	if err != nil {
		return err
	}
	base := rs[0]
	ratio := func(r runStats) string {
		return fmt.Sprintf("%.2f× / %.2f×", r.wall.Seconds()/base.wall.Seconds(), r.cpu.Seconds()/base.cpu.Seconds())
	}
	t.add(fmt.Sprintf("`git log -p -U0 --no-color --all` (%s commits, median of %d)", count, c.runs), secs(base.wall), secs(base.cpu), "1.00×", mib(base.rss))
	t.add("`pushguard scan --all`, default rules", secs(rs[1].wall), secs(rs[1].cpu), ratio(rs[1]), mib(rs[1].rss))
	if gitleaks != "" {
		t.add("`gitleaks git --log-opts=--all`", secs(rs[2].wall), secs(rs[2].cpu), ratio(rs[2]), mib(rs[2].rss))
	} else {
		t.add("gitleaks", "not on PATH", "", "", "")
	}
	return nil
}

// hookScript makes the rss wrapper run pushguard as repo's pre-receive
// hook, appending one measurement per push to log.
func hookScript(c benchConfig, repo, log string, enabled bool) error {
	hook := filepath.Join(repo, "hooks", "pre-receive")
	_ = os.Remove(hook)
	if !enabled {
		return nil
	}
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
	script := fmt.Sprintf("#!/bin/sh\nexec %s rss --append %s -- %s pre-receive\n", q(c.self), q(log), q(c.pushguard))
	if err := os.WriteFile(hook, []byte(script), 0o755); err != nil {
		return fmt.Errorf("install hook: %w", err)
	}
	return nil
}

// hookLog reads the measurements the rss wrapper appended.
func hookLog(path string) ([]Usage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("hook log: %w", err)
	}
	defer f.Close()
	var out []Usage
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 4 {
			return nil, fmt.Errorf("hook log %s: malformed line %q", path, sc.Text())
		}
		ns, err1 := strconv.ParseInt(fields[0], 10, 64)
		kib, err2 := strconv.ParseInt(fields[1], 10, 64)
		code, err3 := strconv.Atoi(fields[2])
		cpu, err4 := strconv.ParseInt(fields[3], 10, 64)
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			return nil, fmt.Errorf("hook log %s: %w", path, err)
		}
		out = append(out, Usage{Wall: time.Duration(ns), CPU: time.Duration(cpu), MaxRSS: kib, Exit: code})
	}
	return out, sc.Err()
}

// copyRepo makes a throwaway copy of a bare repository, maintained as a
// server keeps it (git gc, GitLab and Gitea housekeeping): packed refs and
// a commit-graph.
func copyRepo(src, dst string) error {
	_ = os.RemoveAll(dst)
	if err := gitRun("", "clone", "-q", "--bare", "--mirror", src, dst); err != nil {
		return err
	}
	if err := gitRun(dst, "pack-refs", "--all"); err != nil {
		return err
	}
	return gitRun(dst, "commit-graph", "write", "--reachable", "--no-progress")
}

// benchHook measures one-commit pushes into a 10,000-ref, 5,000-commit
// repository: the whole `git push`, and the hook process alone as git ran
// it (measured by the rss wrapper around it).
func benchHook(c benchConfig, t *table, progress func(string, ...any)) error {
	src, err := cachedRepo(c, "refs", benchrepo.Options{Seed: 2, Commits: c.refCommits, Refs: c.refs}, progress)
	if err != nil {
		return err
	}
	work := filepath.Join(c.dir, "run-hook")
	_ = os.RemoveAll(work)
	server, client := filepath.Join(work, "server.git"), filepath.Join(work, "client")
	if err := copyRepo(src, server); err != nil {
		return err
	}
	if err := gitRun("", "clone", "-q", "--single-branch", "-b", "main", server, client); err != nil {
		return err
	}
	refs, err := gitOut(server, "for-each-ref", "--format=x")
	if err != nil {
		return err
	}
	nrefs := strings.Count(refs, "\n")
	log := filepath.Join(work, "hook.log")
	onePush := func(i int) (Usage, error) {
		name := filepath.Join(client, "internal", "bench", "push.go")
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			return Usage{}, err
		}
		f, err := os.OpenFile(name, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return Usage{}, err
		}
		fmt.Fprintf(f, "// change %d\nvar v%d = compute(%d)\n", i, i, i)
		f.Close()
		if err := gitRun(client, "add", "-A"); err != nil {
			return Usage{}, err
		}
		if err := gitRun(client, "commit", "-q", "-m", fmt.Sprintf("Change %d", i)); err != nil {
			return Usage{}, err
		}
		cmd := exec.Command("git", "push", "-q", "origin", "main")
		cmd.Dir, cmd.Env = client, hermeticEnv()
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		u, err := measure(cmd)
		if err != nil {
			return Usage{}, err
		}
		if u.Exit != 0 {
			return Usage{}, fmt.Errorf("push %d rejected: %s", i, clip(out.String()))
		}
		return u, nil
	}
	// Baseline: the same pushes without a hook.
	progress("one-commit pushes without a hook (%d refs)", nrefs)
	var base []Usage
	for i := range 10 {
		u, err := onePush(i)
		if err != nil {
			return err
		}
		base = append(base, u)
	}
	if err := hookScript(c, server, log, true); err != nil {
		return err
	}
	progress("%d one-commit pushes with the hook", c.pushes)
	var whole []Usage
	for i := range c.pushes {
		u, err := onePush(1000 + i)
		if err != nil {
			return err
		}
		whole = append(whole, u)
	}
	us, err := hookLog(log)
	if err != nil {
		return err
	}
	var rss int64
	for _, u := range us {
		rss = max(rss, u.MaxRSS)
	}
	// The same without the commit-graph, as on a server nobody maintains.
	progress("10 one-commit pushes with the hook, no commit-graph")
	for _, p := range []string{filepath.Join(server, "objects", "info", "commit-graph"), filepath.Join(server, "objects", "info", "commit-graphs")} {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	noGraphLog := filepath.Join(work, "hook-nograph.log")
	if err := hookScript(c, server, noGraphLog, true); err != nil {
		return err
	}
	for i := range 10 {
		if _, err := onePush(2000 + i); err != nil {
			return err
		}
	}
	noGraph, err := hookLog(noGraphLog)
	if err != nil {
		return err
	}
	pp := func(us []Usage, cpu bool) string {
		var ds []time.Duration
		for _, u := range us {
			if cpu {
				ds = append(ds, u.CPU)
			} else {
				ds = append(ds, u.Wall)
			}
		}
		return fmt.Sprintf("p50 %s / p95 %s", ms(percentile(ds, 50)), ms(percentile(ds, 95)))
	}
	what := fmt.Sprintf("one-commit push, %d refs / %d commits", nrefs, c.refCommits)
	t.add(what+": `git push`, no hook (10 pushes)", pp(base, false), pp(base, true), "", "")
	t.add(fmt.Sprintf("%s: `git push` with the hook (%d pushes)", what, c.pushes), pp(whole, false), pp(whole, true), "", "")
	t.add(what+": **hook process alone**", pp(us, false), pp(us, true), "", mib(rss))
	t.add(what+": hook process alone, no commit-graph (10 pushes)", pp(noGraph, false), pp(noGraph, true), "", "")
	return nil
}

// benchBigFile pushes one commit carrying a 200 MB text file, as a pack.
func benchBigFile(c benchConfig, t *table, progress func(string, ...any)) error {
	client := filepath.Join(c.dir, fmt.Sprintf("bigfile-%dmb-client", c.bigMB))
	if _, err := os.Stat(filepath.Join(client, ".git", "refs", "heads", "main")); err != nil {
		progress("creating a %d MB file commit", c.bigMB)
		_ = os.RemoveAll(client)
		if err := gitRun("", "init", "-q", "-b", "main", client); err != nil {
			return err
		}
		if err := writeBigFile(filepath.Join(client, "data", "dump.sql"), c.bigMB<<20); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(client, "README.md"), []byte("# data\n"), 0o644); err != nil {
			return err
		}
		if err := gitRun(client, "add", "-A"); err != nil {
			return err
		}
		if err := gitRun(client, "commit", "-q", "-m", "Add the data dump"); err != nil {
			return err
		}
	}
	u, err := pushInto(c, client, "main", filepath.Join(c.dir, "run-bigfile"))
	if err != nil {
		return err
	}
	t.add(fmt.Sprintf("push of one commit with a %d MB file: hook process", c.bigMB), ms(u.Wall), ms(u.CPU), "", mib(u.MaxRSS))
	return nil
}

// writeBigFile writes size bytes of SQL-looking text.
func writeBigFile(name string, size int) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	for n, i := 0, 0; n < size; i++ {
		k, _ := fmt.Fprintf(w, "INSERT INTO events (id, kind, payload) VALUES (%d, 'click', '{\"x\": %d, \"y\": %d}');\n", i, i*7%1000, i*13%1000)
		n += k
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// benchManyCommits pushes the 5,000-commit history into an empty
// repository.
func benchManyCommits(c benchConfig, t *table, progress func(string, ...any)) error {
	src, err := cachedRepo(c, "refs", benchrepo.Options{Seed: 2, Commits: c.refCommits, Refs: c.refs}, progress)
	if err != nil {
		return err
	}
	progress("pushing %d commits into an empty repository", c.refCommits)
	u, err := pushInto(c, src, "main", filepath.Join(c.dir, "run-many"))
	if err != nil {
		return err
	}
	t.add(fmt.Sprintf("push of %d commits into an empty repository: hook process", c.refCommits), ms(u.Wall), ms(u.CPU), "", mib(u.MaxRSS))
	return nil
}

// pushInto pushes branch of repo into a fresh bare repository at work
// whose hook is pushguard under the rss wrapper, and returns the hook's
// measurement. The server unpacks nothing (receive.unpackLimit=1): the
// objects arrive as a pack in the quarantine, the costlier case.
func pushInto(c benchConfig, repo, branch, work string) (Usage, error) {
	_ = os.RemoveAll(work)
	server := filepath.Join(work, "server.git")
	if err := gitRun("", "init", "-q", "--bare", "-b", "main", server); err != nil {
		return Usage{}, err
	}
	if err := gitRun(server, "config", "receive.unpackLimit", "1"); err != nil {
		return Usage{}, err
	}
	log := filepath.Join(work, "hook.log")
	if err := hookScript(c, server, log, true); err != nil {
		return Usage{}, err
	}
	cmd := exec.Command("git", "push", "-q", server, branch+":refs/heads/"+branch)
	cmd.Dir, cmd.Env = repo, hermeticEnv()
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if _, err := measure(cmd); err != nil {
		return Usage{}, err
	}
	us, err := hookLog(log)
	if err != nil {
		return Usage{}, fmt.Errorf("%w (push output: %s)", err, clip(out.String()))
	}
	if len(us) != 1 {
		return Usage{}, fmt.Errorf("hook ran %d times", len(us))
	}
	return us[0], nil
}
