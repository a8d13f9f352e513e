package signals_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/stix/stixtest"
	"github.com/handlewatch/handlewatch/internal/taxii"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
	"github.com/handlewatch/handlewatch/sink/signals"
)

const (
	hotlineToken  = "hotline-token-0123456789abcdef"
	platformToken = "platform-token-0123456789abcdef"
)

// producer is a first handlewatch serving its cases over TAXII on
// loopback.
func producer(t *testing.T, cs cases.Store, now *atomic.Pointer[time.Time]) (*signals.Service, *httptest.Server) {
	t.Helper()
	t.Setenv("HW_TEST_TAXII_HOTLINE", hotlineToken)
	t.Setenv("HW_TEST_TAXII_PLATFORM", platformToken)
	svc, err := signals.New(config(), signals.Deps{Cases: cs, State: state.NewMemory(), Publisher: &applier{},
		Now: func() time.Time { return *now.Load() }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(svc.TAXII())
	t.Cleanup(srv.Close)
	return svc, srv
}

// consumer is a second handlewatch polling the first as partner "a".
func consumer(t *testing.T, url string, now time.Time) (*signals.Service, *applier, *state.Memory) {
	t.Helper()
	t.Setenv("HW_TEST_FEED_A", hotlineToken)
	mem := state.NewMemory()
	ap := &applier{cases: cases.NewMemory(0), sets: mem, now: now}
	cfg := signals.Config{Feeds: []signals.FeedConfig{{Partner: "a", CollectionURL: url, TokenEnv: "HW_TEST_FEED_A"}}}
	svc, err := signals.New(cfg, signals.Deps{Cases: ap.cases, State: mem, Publisher: ap, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	return svc, ap, mem
}

// Export, serve over TAXII, poll back with a second handlewatch, compare.
func TestRoundTrip(t *testing.T) {
	cs := store(t)
	var now atomic.Pointer[time.Time]
	n := t0.Add(4 * time.Hour)
	now.Store(&n)
	prod, srv := producer(t, cs, &now)
	colID := config().Collections[0].ID
	colURL := srv.URL + "/taxii2/root/collections/" + colID + "/"

	// Everything served validates against the STIX schemas.
	var served []json.RawMessage
	if _, err := (&taxii.Client{Token: hotlineToken}).Poll(ctx, colURL, time.Time{}, 2, func(p taxii.Page) error {
		served = append(served, p.Objects...)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, o := range served {
		if err := stixtest.Validate(o); err != nil {
			t.Error(err)
		}
	}
	if len(served) != 6 {
		t.Fatalf("served %d objects", len(served))
	}

	cons, ap, mem := consumer(t, colURL, n)
	feed := cons.Feeds()[0]
	feed.Retry = signals.RetryPolicy{Attempts: 1}
	rep, err := feed.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Indicators != 2 || rep.Revoked != 1 || len(rep.Errors) != 0 {
		t.Fatalf("report %+v", rep)
	}
	// Compare: what the consumer holds is what the producer exported.
	want, err := prod.Exporter().Objects(ctx, signals.View{})
	if err != nil {
		t.Fatal(err)
	}
	wantInd := map[string]map[string]any{}
	for id, m := range decode(t, want) {
		if m["type"] == "indicator" {
			wantInd[id] = m
		}
	}
	for _, h := range []struct {
		app, handle string
		revoked     bool
	}{{"wickr", "placeholder_01", false}, {"kik", "placeholder_revoke", true}} {
		c, err := ap.cases.Get(ctx, wire.CaseKey(h.app, h.handle))
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Imports) != 1 || c.Sightings != 0 || c.Status != cases.StatusNew {
			t.Fatalf("%s: %+v", c.ID, c)
		}
		imp := c.Imports[0]
		w := wantInd[imp.IndicatorID]
		if w == nil || imp.Partner != "a" || imp.Revoked != h.revoked || float64(imp.Confidence) != w["confidence"] ||
			imp.ValidUntil.Format("2006-01-02T15:04:05.000Z") != w["valid_until"] ||
			imp.Modified.Format("2006-01-02T15:04:05.000Z") != w["modified"] {
			t.Fatalf("%s: import %+v, exported %v", c.ID, imp, w)
		}
		watched, _ := mem.InSet(ctx, wire.WatchlistImported, wire.WatchMember(h.app, h.handle))
		if watched == h.revoked {
			t.Fatalf("%s: watched=%v revoked=%v", c.ID, watched, h.revoked)
		}
	}

	// The cursor is kept: polling again changes nothing.
	before := ap.n
	if _, err := feed.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	c, _ := ap.cases.Get(ctx, wire.CaseKey("wickr", "placeholder_01"))
	if len(c.History) != 1 {
		t.Fatalf("repeat poll changed the case: %+v (%d publishes before, %d after)", c.History, before, ap.n)
	}
	if cur, ok, _ := mem.Cursor(ctx, "signals:feed:a:"+colURL); !ok || cur == "" {
		t.Fatal("no cursor kept")
	}

	// The producer's moderator dismisses the wickr case: the next poll
	// brings the revocation and the handle leaves the watchlist.
	if _, err := cs.Apply(ctx, decision("wickr", "placeholder_01", wire.DecisionDismiss, "d9", t0.Add(5*time.Hour))); err != nil {
		t.Fatal(err)
	}
	later := n.Add(time.Hour)
	now.Store(&later)
	rep, err = feed.Poll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Revoked < 1 {
		t.Fatalf("revocation not polled: %+v", rep)
	}
	if watched, _ := mem.InSet(ctx, wire.WatchlistImported, "wickr:placeholder_01"); watched {
		t.Fatal("a revoked handle is still watched")
	}
	c, _ = ap.cases.Get(ctx, wire.CaseKey("wickr", "placeholder_01"))
	if len(c.Imports) != 1 || !c.Imports[0].Revoked || len(c.History) != 2 {
		t.Fatalf("%+v", c)
	}
}

// The hotline partner cannot read the platform's collection, and neither
// can a bad token.
func TestRoundTripAuthorisation(t *testing.T) {
	var now atomic.Pointer[time.Time]
	n := t0.Add(4 * time.Hour)
	now.Store(&n)
	_, srv := producer(t, store(t), &now)
	kikURL := srv.URL + "/taxii2/root/collections/" + config().Collections[1].ID + "/"
	for tok, want := range map[string]int{hotlineToken: 403, "wrong-token-0123456789abcdef": 401, platformToken: 200} {
		_, err := (&taxii.Client{Token: tok}).Objects(ctx, kikURL, taxii.Query{})
		var he *taxii.HTTPError
		switch {
		case want == 200 && err != nil:
			t.Errorf("platform: %v", err)
		case want != 200 && (!errors.As(err, &he) || he.Status != want):
			t.Errorf("token %s: %v, want %d", tok[:8], err, want)
		}
	}
}

// A flaky partner is retried with backoff; a refusal is not.
func TestFeedRetries(t *testing.T) {
	var calls atomic.Int32
	var status atomic.Int32
	status.Store(503)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if n <= 2 || status.Load() == 401 {
			w.Header().Set("Content-Type", taxii.MediaType)
			w.WriteHeader(int(status.Load()))
			_, _ = w.Write([]byte(`{"title":"try later"}`))
			return
		}
		w.Header().Set("Content-Type", taxii.MediaType)
		_, _ = w.Write([]byte(`{"more":false}`))
	}))
	defer srv.Close()
	cons, _, _ := consumer(t, srv.URL+"/c/", t0)
	feed := cons.Feeds()[0]
	feed.Retry = signals.RetryPolicy{Attempts: 4, Initial: time.Millisecond, Max: 5 * time.Millisecond}
	if _, err := feed.Poll(ctx); err != nil || calls.Load() != 3 {
		t.Fatalf("%d calls: %v", calls.Load(), err)
	}
	calls.Store(10)
	status.Store(401)
	if _, err := feed.Poll(ctx); err == nil || calls.Load() != 11 {
		t.Fatalf("401 retried: %d calls, %v", calls.Load()-10, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	status.Store(503)
	calls.Store(-100)
	feed.Retry = signals.RetryPolicy{Attempts: 3, Initial: time.Millisecond, Max: time.Millisecond}
	if _, err := feed.Poll(cctx); err == nil || calls.Load() != -97 {
		t.Fatalf("attempts not bounded: %d, %v", calls.Load()+100, err)
	}
}
