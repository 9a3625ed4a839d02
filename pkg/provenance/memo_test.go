package provenance

import (
	"fmt"
	"sync"
	"testing"
)

// reset empties the cache.
func (c *memo[K, V]) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cur, c.prev = nil, nil
}

// TestMemoBounded: for several generation sizes, the cache never holds
// more than two generations; an entry in use survives every turn of a
// generation (a hit in the previous one moves it to the current one); one
// not used for two generations is dropped; the last one put is there.
func TestMemoBounded(t *testing.T) {
	for _, gen := range []int{0, 1, 2, 7, 64, identCacheGen} {
		t.Run(fmt.Sprint(gen), func(t *testing.T) {
			c := memo[string, int]{gen: gen}
			limit := 2 * max(gen, 1)
			c.put("hot", -1)
			n := 5*max(gen, 1) + 3
			for i := range n {
				c.put(fmt.Sprint(i), i)
				if v, ok := c.get("hot"); !ok || v != -1 {
					if gen > 1 {
						t.Fatalf("after %d puts: the entry in use was dropped", i+1)
					}
					c.put("hot", -1)
				}
				if l := c.len(); l > limit {
					t.Fatalf("after %d puts: %d entries, want at most %d", i+1, l, limit)
				}
			}
			if _, ok := c.get("0"); ok {
				t.Error("an entry unused for several generations is still cached")
			}
			if v, ok := c.get(fmt.Sprint(n - 1)); !ok || v != n-1 {
				t.Errorf("the last entry put: %d, %v; want %d, true", v, ok, n-1)
			}
		})
	}
}

// TestMemoConcurrent: goroutines putting and getting at once (run with
// -race) always read what was put for a key, never another key's value.
func TestMemoConcurrent(t *testing.T) {
	c := memo[int, int]{gen: 16}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				k := (i*31 + g) % 100
				if v, ok := c.get(k); ok && v != k*k {
					t.Errorf("key %d: got %d, want %d", k, v, k*k)
					return
				}
				c.put(k, k*k)
			}
		})
	}
	wg.Wait()
	if l := c.len(); l > 32 {
		t.Errorf("%d entries, want at most 32", l)
	}
}
