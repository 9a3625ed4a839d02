package scan_test

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pushguard/pushguard/internal/benchrepo"
	"github.com/pushguard/pushguard/pkg/scan"
)

// cancelAfter is a context cancelled by its n-th Err call: the engine
// checks Err once per commit, so the scan stops after n-1 commits.
type cancelAfter struct {
	context.Context
	cancel context.CancelFunc
	n      int
}

func (c *cancelAfter) Err() error {
	if c.n--; c.n <= 0 {
		c.cancel()
	}
	return c.Context.Err()
}

// TestRunCancelStopsPrefetch checks that a cancelled scan returns the usual
// error and leaves no read-ahead goroutine behind.
func TestRunCancelStopsPrefetch(t *testing.T) {
	dir, _, set, _ := generated(t, benchrepo.Options{Seed: 1, Commits: 60})
	store := openStore(t, dir)
	tips := allTips(t, store)
	full, err := scan.New(store, set, scan.Options{}).Run(context.Background(), tips, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{1, 6} {
		before := runtime.NumGoroutine()
		parent, cancel := context.WithCancel(context.Background())
		ctx := &cancelAfter{Context: parent, cancel: cancel, n: n}
		_, err := scan.New(store, set, scan.Options{}).Run(ctx, tips, nil)
		cancel()
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancel at check %d: err = %v, want context.Canceled", n, err)
		}
		if want := "scan stopped after " + strconv.Itoa(n-1) + " of " + strconv.Itoa(len(full.Commits)) + " commits"; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("err = %q, want prefix %q", err, want)
		}
		deadline := time.Now().Add(2 * time.Second)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := runtime.NumGoroutine(); got > before {
			t.Errorf("cancel at check %d: %d goroutines, %d before the scan", n, got, before)
		}
	}
}
