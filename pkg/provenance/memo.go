package provenance

import "sync"

// memo is a bounded cache, safe for concurrent use, of what the markers
// find in a text that recurs from commit to commit (an identity).
// It keeps two generations: lookups fill the current one, and when it
// holds gen entries it becomes the previous one and a new current one
// starts; a hit in the previous generation moves the entry to the current
// one. So it holds at most 2*gen entries (2 when gen is not positive),
// and the ones in use stay.
// Callers bound the size of keys and copy their strings (a key may be a
// slice of a whole commit object, which the cache must not keep alive).
type memo[K comparable, V any] struct {
	gen int

	mu        sync.Mutex
	cur, prev map[K]V
}

// get returns the value cached for k, if any.
func (c *memo[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cur[k]; ok {
		return v, true
	}
	v, ok := c.prev[k]
	if ok {
		c.insert(k, v)
	}
	return v, ok
}

// put caches v for k.
func (c *memo[K, V]) put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.insert(k, v)
}

// insert adds k to the current generation, starting a new one when it is
// full; c.mu is held.
func (c *memo[K, V]) insert(k K, v V) {
	if c.cur == nil {
		c.cur = make(map[K]V)
	}
	if len(c.cur) >= max(c.gen, 1) {
		c.prev, c.cur = c.cur, make(map[K]V, c.gen/4)
	}
	c.cur[k] = v
}

// len returns the number of entries held (for tests).
func (c *memo[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.cur) + len(c.prev)
}
