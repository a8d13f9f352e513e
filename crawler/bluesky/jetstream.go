package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"
	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/fetch"
	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// jetstreamEvent is one Jetstream v1 event.
type jetstreamEvent struct {
	DID    string `json:"did"`
	TimeUS int64  `json:"time_us"`
	Kind   string `json:"kind"`
	Commit *struct {
		Rev        string          `json:"rev"`
		Operation  string          `json:"operation"`
		Collection string          `json:"collection"`
		RKey       string          `json:"rkey"`
		Record     json.RawMessage `json:"record"`
		CID        string          `json:"cid"`
	} `json:"commit"`
}

// parseJetstreamEvent decodes one event. It returns the event's time_us
// always (for the cursor) and a post for an app.bsky.feed.post create, or
// errNotPost for any other event.
func parseJetstreamEvent(line []byte, m meta) (int64, *wire.Post, error) {
	var ev jetstreamEvent
	if err := json.Unmarshal(line, &ev); err != nil {
		return 0, nil, fmt.Errorf("decoding jetstream event: %w", err)
	}
	if ev.TimeUS <= 0 {
		return 0, nil, errors.New("decoding jetstream event: no time_us")
	}
	c := ev.Commit
	if ev.Kind != "commit" || c == nil || c.Collection != postCollection || c.Operation != "create" {
		return ev.TimeUS, nil, errNotPost
	}
	if ev.DID == "" || c.RKey == "" || strings.Contains(c.RKey, "/") {
		return ev.TimeUS, nil, fmt.Errorf("jetstream post at %d: no did or rkey", ev.TimeUS)
	}
	var rec postRecord
	if err := json.Unmarshal(c.Record, &rec); err != nil {
		return ev.TimeUS, nil, fmt.Errorf("jetstream post %s/%s: %w", ev.DID, c.RKey, err)
	}
	uri := atURI{did: ev.DID, collection: postCollection, rkey: c.RKey}
	p, err := mapRecord(&rec, uri, author{did: ev.DID}, time.UnixMicro(ev.TimeUS).UTC(), m)
	if err != nil {
		return ev.TimeUS, nil, err
	}
	return ev.TimeUS, &p, nil
}

// Streamer reads new posts from Jetstream.
type Streamer struct {
	source, kind string
	log          *zap.Logger
	endpoint     string // ws(s)://host/subscribe
	client       *http.Client
	userAgent    string
	rewind       time.Duration
	idle         time.Duration
	backoffMin   time.Duration
	backoffMax   time.Duration
	now          func() time.Time
}

var _ source.Streamer = (*Streamer)(nil)

// readLimit bounds one event; post records are small, but a bad shard
// must not make us buffer without end.
const readLimit = 1 << 20

// advanceEvery is how often (in stream time) the cursor moves past
// events that are not posts, so a restart does not replay them.
const advanceEvery = 5 * time.Second

// Stream implements source.Streamer: it reads until ctx is done, and
// reconnects with backoff, resuming at the last cursor minus the rewind
// and dropping posts already emitted.
func (s *Streamer) Stream(ctx context.Context, t source.Target, cursor string, emit source.Emit) error {
	dids, err := jetstreamDIDs(t.Name)
	if err != nil {
		return err
	}
	st := &streamState{seen: map[string]int64{}}
	if cursor != "" {
		if st.last, err = strconv.ParseInt(cursor, 10, 64); err != nil || st.last < 0 {
			s.log.Warn("jetstream cursor unreadable, starting live", zap.String("cursor", cursor))
			st.last = 0
		}
	}
	st.advanced = st.last
	m := meta{source: s.source, kind: s.kind}
	failures := 0
	for {
		if ctx.Err() != nil {
			return nil
		}
		got, err := s.connect(ctx, dids, st, m, emit)
		var ee *emitError
		switch {
		case errors.As(err, &ee):
			return ee.err
		case ctx.Err() != nil:
			return nil
		case permanent(err):
			return fmt.Errorf("streaming jetstream %s: %w", s.endpoint, err)
		}
		if got {
			failures = 0
		}
		failures++
		wait := backoff(s.backoffMin, s.backoffMax, failures)
		s.log.Warn("jetstream disconnected, reconnecting", zap.Error(err), zap.Duration("wait", wait),
			zap.Int64("cursor", st.last))
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// streamState survives reconnects.
type streamState struct {
	last     int64            // largest time_us seen: the cursor
	advanced int64            // cursor last handed to emit
	seen     map[string]int64 // at-uri → time_us of posts emitted
}

// emitError carries the error of the crawler's Emit out of a connection:
// it ends the stream, it is not a reason to reconnect.
type emitError struct{ err error }

func (e *emitError) Error() string { return "emitting: " + e.err.Error() }

// connect runs one connection; got reports whether any event arrived.
func (s *Streamer) connect(ctx context.Context, dids []string, st *streamState, m meta, emit source.Emit) (got bool, err error) {
	u, err := s.subscribeURL(dids, st.last)
	if err != nil {
		return false, err
	}
	h := http.Header{}
	if s.userAgent != "" {
		h.Set("User-Agent", s.userAgent)
	}
	dialCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	conn, resp, err := websocket.Dial(dialCtx, u, &websocket.DialOptions{HTTPClient: s.client, HTTPHeader: h})
	cancel()
	if err != nil {
		if resp != nil && resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
			return false, &dialRefused{status: resp.StatusCode, err: err}
		}
		return false, fmt.Errorf("dialling %s: %w", redactURL(u), err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(readLimit)
	s.log.Info("jetstream connected", zap.String("url", redactURL(u)))
	// message numbers the messages of this connection from 1, so a
	// skipped event can be found again in a capture of the stream.
	for message := 1; ; message++ {
		readCtx, cancel := context.WithTimeout(ctx, s.idle)
		_, data, err := conn.Read(readCtx)
		idle := readCtx.Err() != nil && ctx.Err() == nil
		cancel()
		if err != nil {
			if idle {
				return got, fmt.Errorf("jetstream silent for %s", s.idle)
			}
			// An oversize message ends the connection: its number says
			// which one.
			return got, fmt.Errorf("reading jetstream message %d: %w", message, err)
		}
		got = true
		m.now = s.now()
		ts, p, err := parseJetstreamEvent(data, m)
		if ts > st.last {
			st.last = ts
		}
		if err != nil && !errors.Is(err, errNotPost) {
			s.log.Warn("jetstream event skipped", zap.String("url", redactURL(u)), zap.Int("message", message),
				zap.Int64("time_us", ts), zap.Int("bytes", len(data)), zap.Error(err))
		}
		if p != nil {
			if _, dup := st.seen[p.ID]; dup {
				continue
			}
			st.seen[p.ID] = ts
			st.advanced = st.last
			if err := emit(ctx, p, strconv.FormatInt(st.last, 10)); err != nil {
				return got, &emitError{err}
			}
			st.prune(s.rewind)
			continue
		}
		if st.last-st.advanced >= advanceEvery.Microseconds() {
			st.advanced = st.last
			if err := emit(ctx, nil, strconv.FormatInt(st.last, 10)); err != nil {
				return got, &emitError{err}
			}
		}
	}
}

// prune forgets emitted uris too old to come back in a replay.
func (st *streamState) prune(rewind time.Duration) {
	if len(st.seen) < 4096 {
		return
	}
	horizon := st.last - (2*rewind + time.Minute).Microseconds()
	for k, ts := range st.seen {
		if ts < horizon {
			delete(st.seen, k)
		}
	}
}

func (s *Streamer) subscribeURL(dids []string, last int64) (string, error) {
	u, err := url.Parse(s.endpoint)
	if err != nil {
		return "", err
	}
	q := u.Query()
	q.Set("wantedCollections", postCollection)
	for _, d := range dids {
		q.Add("wantedDids", d)
	}
	if last > 0 {
		resume := last - s.rewind.Microseconds()
		if resume < 1 {
			resume = 1
		}
		q.Set("cursor", strconv.FormatInt(resume, 10))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func redactURL(u string) string {
	if pu, err := url.Parse(u); err == nil {
		return pu.Redacted()
	}
	return u
}

// dialRefused is a handshake the server answered with a 4xx other than
// 429: a wrong endpoint or bad parameters, which retrying will not fix.
type dialRefused struct {
	status int
	err    error
}

func (e *dialRefused) Error() string {
	return fmt.Sprintf("jetstream refused the connection (%d): %v", e.status, e.err)
}
func (e *dialRefused) Unwrap() error { return e.err }

// permanent reports errors a reconnect cannot fix: a host or address the
// crawler refuses, a blocked client, a refused handshake.
func permanent(err error) bool {
	var dr *dialRefused
	return err != nil && (fetch.Reason(err) != "" || errors.Is(err, source.ErrBlocked) || errors.As(err, &dr))
}

// backoff doubles from lo to hi with the number of failures in a row.
func backoff(lo, hi time.Duration, failures int) time.Duration {
	d := lo
	for i := 1; i < failures && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}

// jetstreamDIDs parses "jetstream" or "jetstream:DID,DID".
func jetstreamDIDs(target string) ([]string, error) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(target), "jetstream")
	if !ok {
		return nil, fmt.Errorf("%q: not a jetstream target", target)
	}
	if rest == "" {
		return nil, nil
	}
	rest, ok = strings.CutPrefix(rest, ":")
	if !ok || rest == "" {
		return nil, fmt.Errorf("%q: want jetstream or jetstream:DID,DID", target)
	}
	var dids []string
	for _, d := range strings.Split(rest, ",") {
		d = strings.TrimSpace(d)
		if !didPattern.MatchString(d) {
			return nil, fmt.Errorf("%q: %q is not a DID", target, d)
		}
		dids = append(dids, d)
	}
	if len(dids) > 10000 {
		return nil, fmt.Errorf("%q: Jetstream takes at most 10000 DIDs", target)
	}
	return dids, nil
}
