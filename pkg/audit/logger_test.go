package audit

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// blockingWriter blocks every Write until release is closed, like a syslog
// socket or a pipe nobody reads.
type blockingWriter struct {
	release chan struct{}
	mu      sync.Mutex
	buf     bytes.Buffer
}

func (w *blockingWriter) Write(p []byte) (int, error) {
	<-w.release
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

// TestWriteContextBlockedDestination: a destination that blocks does not
// hold the caller past its context, nor does a second write queued behind
// it, nor Close.
func TestWriteContextBlockedDestination(t *testing.T) {
	w := &blockingWriter{release: make(chan struct{})}
	l := New(w)
	tests := []struct {
		name string
		want string
	}{
		{"destination blocks", "gave up waiting for the destination"},
		{"queued behind the blocked write", "gave up waiting for another write of this process"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
			defer cancel()
			err := l.WriteContext(ctx, sampleEvent())
			if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("WriteContext = %v, want %q wrapping the deadline", err, tc.want)
			}
		})
	}
	if err := l.Close(); err == nil || !strings.Contains(err.Error(), "still under way") {
		t.Errorf("Close with an abandoned write = %v", err)
	}
	close(w.release)
}

// TestWriteContextEndedContext: a destination that might block is not tried
// once the context has ended; a free one with a live context is written.
func TestWriteContextEndedContext(t *testing.T) {
	var buf bytes.Buffer
	l := New(&buf)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.WriteContext(ctx, sampleEvent()); !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "not tried") {
		t.Errorf("WriteContext with an ended context = %v", err)
	}
	if buf.Len() != 0 {
		t.Error("written although not tried")
	}
	if err := l.WriteContext(context.Background(), sampleEvent()); err != nil || strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("WriteContext = %v, log %q", err, buf.String())
	}
	if err := l.Close(); err != nil {
		t.Error(err)
	}
}
