package state

import "context"

// Open returns the Redis store when url is set, and the memory store when it
// is empty: the zero-setup default.
func Open(ctx context.Context, url, prefix string) (Store, error) {
	if url == "" {
		return NewMemory(), nil
	}
	return NewRedis(ctx, url, prefix)
}
