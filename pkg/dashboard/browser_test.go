package dashboard

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"image/png"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// chromium finds a Chromium binary, or skips the test, or fails it when a
// browser is required (CI=1 or PUSHGUARD_REQUIRE_BROWSER=1, which .ci/run
// sets after scripts/ci-deps.sh installed Debian's chromium).
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PUSHGUARD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium on PATH (chromium, chromium-browser, google-chrome; or PUSHGUARD_CHROMIUM): the dashboard is not tested in a browser; scripts/ci-deps.sh installs Debian's chromium"
	if os.Getenv("CI") == "1" || os.Getenv("CI") == "true" || os.Getenv("PUSHGUARD_REQUIRE_BROWSER") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// proxyRecorder is an HTTP proxy that answers nothing and records the host
// of every request made through it: Chromium is pointed at it for every
// request (loopback included), so any fetch the page makes shows here.
// Chromium's own background requests to Google's services (its network
// time, sign-in and variations checks, which no flag turns off in every
// version) are told apart by host: the page names no host at all.
type proxyRecorder struct {
	ln    net.Listener
	mu    sync.Mutex
	hosts []string
}

func newProxyRecorder(t *testing.T) *proxyRecorder {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxyRecorder{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return p
}

// serve reads the request line ("GET http://host/path HTTP/1.1" or
// "CONNECT host:443 HTTP/1.1"), records its host and closes.
func (p *proxyRecorder) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, _ := bufio.NewReader(c).ReadString('\n')
	host := "?"
	if f := strings.Fields(line); len(f) >= 2 {
		target := f[1]
		if u, err := url.Parse(target); err == nil && u.Host != "" {
			host = u.Hostname()
		} else if h, _, err := net.SplitHostPort(target); err == nil {
			host = h
		} else {
			host = target
		}
	}
	p.mu.Lock()
	p.hosts = append(p.hosts, host)
	p.mu.Unlock()
}

// foreign returns the hosts requested that are not Chromium's own
// background services.
func (p *proxyRecorder) foreign() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, h := range p.hosts {
		own := false
		for _, suffix := range []string{".google.com", ".googleapis.com", ".gstatic.com", ".gvt1.com"} {
			if strings.HasSuffix("."+h, suffix) {
				own = true
			}
		}
		if !own {
			out = append(out, h)
		}
	}
	return out
}

// chromiumAttempts is how many times runChromium starts Chromium when it
// dies of a signal. Debian's Chromium has crashed at start-up on CI's
// machine (a segmentation fault 40 ms in, before loading the page, in one
// run of many), which says nothing about the page; a Chromium that crashes
// on every attempt, or fails in any other way, still fails the test.
const chromiumAttempts = 3

// runChromium runs headless Chromium over a file with extra arguments and
// returns its standard output. A start that dies of a signal is logged and
// retried with a fresh profile, up to chromiumAttempts times.
func runChromium(t *testing.T, bin string, proxy *proxyRecorder, file string, args ...string) string {
	t.Helper()
	for attempt := 1; ; attempt++ {
		out, errText, err := startChromium(t, bin, proxy, file, args...)
		if err == nil {
			return out
		}
		var exit *exec.ExitError
		crashed := errors.As(err, &exit) && exit.ProcessState != nil && !exit.Exited()
		if !crashed || attempt == chromiumAttempts {
			t.Fatalf("chromium %v (attempt %d of %d): %v\n%s", args, attempt, chromiumAttempts, err, errText)
		}
		t.Logf("chromium %v crashed (attempt %d of %d), starting it again: %v\n%s", args, attempt, chromiumAttempts, err, errText)
	}
}

// startChromium runs Chromium once with a fresh profile and home.
func startChromium(t *testing.T, bin string, proxy *proxyRecorder, file string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--no-default-browser-check",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio", "--no-pings",
		"--disable-domain-reliability", "--disable-client-side-phishing-detection",
		"--disable-features=NetworkTimeServiceQuerying,OptimizationHints,MediaRouter,Translate,AutofillServerCommunication",
		"--user-data-dir=" + t.TempDir(),
		"--proxy-server=http://" + proxy.ln.Addr().String(), "--proxy-bypass-list=<-loopback>",
	}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), "file://"+file)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("chromium ran past 120 s: %w", ctx.Err()) // killed, but not a crash: no retry
	}
	return out.String(), errb.String(), err
}

// TestBrowserRendersDashboard renders the dashboard of a generated log of
// 100,000 events over 50 repositories (with hostile repository names,
// pushers, rules and reasons among them) in headless Chromium: the DOM
// Chromium built holds the numbers and the escaped hostile text and no
// element that was not written on purpose; a screenshot is taken (and kept
// in $PUSHGUARD_SCREENSHOT_DIR when set); and nothing is fetched, which a
// control page with an image proves the check would see.
func TestBrowserRendersDashboard(t *testing.T) {
	bin := chromium(t)
	dir := t.TempDir()
	s := statsOf(genLog(100000, 50, 26, 1))
	if s.Pushes != 100001 || len(s.Repos) != 52 { // 50, the hostile name, the hand-written line
		t.Fatalf("generated %d pushes over %d repositories", s.Pushes, len(s.Repos))
	}
	var buf bytes.Buffer
	if err := Render(&buf, s, Options{Generated: "2026-07-06T00:00:00Z"}); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "report.html")
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	proxy := newProxyRecorder(t)

	dom := runChromium(t, bin, proxy, page, "--dump-dom", "--virtual-time-budget=2000")
	if !strings.Contains(dom, "<svg") || !strings.Contains(dom, "</html>") {
		t.Fatalf("Chromium's DOM is not the dashboard:\n%.2000s", dom)
	}
	checkMarkup(t, dom)
	if strings.Contains(strings.ToLower(dom), "<script") || strings.Contains(strings.ToLower(dom), "<img") {
		t.Error("Chromium's DOM holds a script or an image")
	}
	text := html.UnescapeString(strings.Join(strings.Fields(stripTags(dom)), " "))
	for _, want := range []string{
		"pushguard dashboard", "AI-assisted share of new code, per week", "Blocks by rule",
		"Top repositories by findings", "Landed or refused", "Bypasses", "Suppressed findings",
		"claude-code", "github-copilot", "group-0/service-00", "2026-W02", "aws-access-key",
		"100001 pushes", "hand/\\u202eedited", "<b>mallory</b>",
		hostileScript,                     // shown as text, not run
		`"><img src=x onerror=alert(2)>`,  // shown as text, not an element
		`evil\u202egnp.exe\u200b\x1b[31m`, // made visible
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the rendered page's text lacks %q", want)
		}
	}

	shot := filepath.Join(dir, "dashboard.png")
	runChromium(t, bin, proxy, page, "--screenshot="+shot, "--window-size=1280,1600", "--virtual-time-budget=2000")
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 1600 {
		t.Errorf("screenshot %v, want 1280x1600", b)
	}
	// Not a blank page: the charts' colours are there.
	colours := map[[3]uint32]bool{}
	for y := 0; y < img.Bounds().Dy(); y += 4 {
		for x := 0; x < img.Bounds().Dx(); x += 4 {
			r, g, b, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 12, g >> 12, b >> 12}] = true
		}
	}
	if len(colours) < 20 {
		t.Errorf("the screenshot has %d colours: blank?", len(colours))
	}
	if keep := os.Getenv("PUSHGUARD_SCREENSHOT_DIR"); keep != "" {
		data, _ := os.ReadFile(shot)
		if err := os.WriteFile(filepath.Join(keep, "dashboard.png"), data, 0o644); err != nil {
			t.Error(err)
		}
	}
	if hosts := proxy.foreign(); len(hosts) != 0 {
		t.Errorf("Chromium fetched from %q while showing the dashboard", hosts)
	}

	// Control: the same check sees a page that fetches something.
	control := filepath.Join(dir, "control.html")
	if err := os.WriteFile(control, []byte(`<!DOCTYPE html><html><body><img src="http://example.invalid/x.png"></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	runChromium(t, bin, proxy, control, "--dump-dom", "--virtual-time-budget=2000")
	if hosts := proxy.foreign(); !slices.Contains(hosts, "example.invalid") {
		t.Errorf("the control page's image fetch went unseen (%q): the no-network check proves nothing", hosts)
	}
}

// TestRunChromiumRetriesACrash runs a stand-in for Chromium that dies of a
// segmentation fault on its first start and prints a page on its second:
// runChromium returns the second start's output.
func TestRunChromiumRetriesACrash(t *testing.T) {
	dir := t.TempDir()
	count := filepath.Join(dir, "starts")
	fake := filepath.Join(dir, "chromium")
	script := "#!/bin/sh\necho x >> " + count + "\n" +
		"if [ $(wc -l < " + count + ") -lt 2 ]; then kill -SEGV $$; fi\necho '<html>page</html>'\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	proxy := newProxyRecorder(t)
	if got := runChromium(t, fake, proxy, filepath.Join(dir, "page.html"), "--dump-dom"); got != "<html>page</html>\n" {
		t.Errorf("output %q, want the second start's page", got)
	}
	data, err := os.ReadFile(count)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), "x"); n != 2 {
		t.Errorf("Chromium started %d times, want 2", n)
	}
}
