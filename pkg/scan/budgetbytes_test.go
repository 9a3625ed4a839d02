package scan

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestByteBudget: the producer waits while the queued bytes would exceed
// the budget, one item larger than the budget passes when nothing is
// queued, and a cancelled producer stops waiting.
func TestByteBudget(t *testing.T) {
	b := &byteBudget{max: 100}
	b.cond = sync.NewCond(&b.mu)
	ctx := context.Background()
	if !b.take(ctx, 60) || !b.take(ctx, 40) {
		t.Fatal("bytes within the budget were refused")
	}
	took := make(chan bool)
	go func() { took <- b.take(ctx, 10) }()
	select {
	case <-took:
		t.Fatal("took bytes past the budget")
	case <-time.After(50 * time.Millisecond):
	}
	b.give(60)
	if !<-took {
		t.Fatal("take failed after bytes were given back")
	}
	b.give(50)
	if !b.take(ctx, 500) {
		t.Fatal("an item larger than the budget was refused with nothing queued")
	}
	cctx, cancel := context.WithCancel(ctx)
	go func() { took <- b.take(cctx, 1) }()
	cancel()
	b.wake()
	if <-took {
		t.Fatal("a cancelled take succeeded")
	}
}
