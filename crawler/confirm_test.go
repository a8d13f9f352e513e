package crawler

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// confirmer is a collector whose publishes stay unconfirmed while
// confirmErr is set (the posts stream cannot be read back, or lost them
// and cannot take them again).
type confirmer struct {
	collector
	mu         sync.Mutex
	confirmErr error
	confirmed  int
}

func (c *confirmer) PublishPostReceipt(ctx context.Context, p *wire.Post) (bus.Receipt, error) {
	if err := c.PublishPost(ctx, p); err != nil {
		return bus.Receipt{}, err
	}
	return bus.Receipt{Stream: "POSTS", MsgID: p.Key()}, nil
}

func (c *confirmer) Confirm(_ context.Context, rs []bus.Receipt) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.confirmErr != nil {
		return 0, c.confirmErr
	}
	c.confirmed += len(rs)
	return 0, nil
}

// TestCursorWaitsForConfirmation: a cursor is saved, and its posts
// marked seen, only once the posts published before it are confirmed
// stored; unconfirmed, the next run publishes them again.
func TestCursorWaitsForConfirmation(t *testing.T) {
	for _, tc := range []struct {
		name       string
		confirmErr error
		wantCursor bool
	}{
		{"confirmed", nil, true},
		{"not confirmed", errors.New("posts stream unreadable (test)"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := &feedSite{}
			site.add("p1", "p2", "p3")
			srv := site.serve(t)
			sources := []SourceConfig{rssSource("news", srv.URL)}
			ctx := context.Background()
			st := state.NewMemory()
			pub := &confirmer{confirmErr: tc.confirmErr}
			err := newTestCrawler(t, testConfig(), sources, testDeps{store: st, pub: pub}).Once(ctx)
			if (err == nil) != tc.wantCursor {
				t.Fatalf("Once = %v, want an error: %v", err, !tc.wantCursor)
			}
			if got := strings.Join(pub.ids(), ","); got != "p1,p2,p3" {
				t.Fatalf("published %s", got)
			}
			if _, ok, _ := st.Cursor(ctx, "news//feed.xml"); ok != tc.wantCursor {
				t.Errorf("cursor saved: %v, want %v", ok, tc.wantCursor)
			}
			for _, id := range []string{"p1", "p2", "p3"} {
				if seen, _ := st.IsSeen(ctx, "news/"+id); seen != tc.wantCursor {
					t.Errorf("%s marked seen: %v, want %v", id, seen, tc.wantCursor)
				}
			}
			if tc.wantCursor {
				if pub.confirmed != 3 {
					t.Errorf("%d posts confirmed, want 3", pub.confirmed)
				}
				return
			}
			// The stream can be read again: the next run publishes the
			// unconfirmed posts again and lets go of them.
			again := &confirmer{}
			if err := newTestCrawler(t, testConfig(), sources, testDeps{store: st, pub: again}).Once(ctx); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(again.ids(), ","); got != "p1,p2,p3" {
				t.Errorf("after the failed confirmation the next run published %q, want p1,p2,p3", got)
			}
			if _, ok, _ := st.Cursor(ctx, "news//feed.xml"); !ok {
				t.Error("cursor not saved once confirmed")
			}
		})
	}
}
