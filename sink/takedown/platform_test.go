package takedown

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// ---- Bluesky: createSession, resolveHandle, getPosts (proxied by the
// PDS) and createReport, checking the bearer on every authed call.

type blueskyServer struct {
	*httptest.Server
	mu       sync.Mutex
	sessions int
	access   string
	expire   bool // refuse the current token once as expired
	deleted  bool
	reports  []map[string]any
	authHdrs []string
}

func newBlueskyServer(t testing.TB) *blueskyServer {
	s := &blueskyServer{}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /xrpc/com.atproto.server.createSession", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Identifier, Password string }
		if json.NewDecoder(r.Body).Decode(&in) != nil || in.Identifier != "reports.example.org" || in.Password != "app-pass-1" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"AuthenticationRequired","message":"Invalid identifier or password"}`)
			return
		}
		s.mu.Lock()
		s.sessions++
		s.access = fmt.Sprintf("access-jwt-%d", s.sessions)
		acc := s.access
		s.mu.Unlock()
		writeJSON(w, map[string]any{"accessJwt": acc, "refreshJwt": "refresh-jwt", "did": "did:plc:reporter", "handle": "reports.example.org"})
	})
	mux.HandleFunc("GET /xrpc/com.atproto.identity.resolveHandle", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("handle") != "example-seller.bsky.social" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"InvalidRequest","message":"Unable to resolve handle"}`)
			return
		}
		writeJSON(w, map[string]string{"did": "did:plc:seller123"})
	})
	authed := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			s.mu.Lock()
			ok := s.access != "" && r.Header.Get("Authorization") == "Bearer "+s.access
			expired := s.expire
			s.expire = false
			s.authHdrs = append(s.authHdrs, r.Header.Get("Authorization"))
			s.mu.Unlock()
			switch {
			case !ok:
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"error":"AuthenticationRequired","message":"Authentication Required"}`)
			case expired:
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, `{"error":"ExpiredToken","message":"Token has expired"}`)
			default:
				h(w, r)
			}
		}
	}
	mux.HandleFunc("GET /xrpc/app.bsky.feed.getPosts", authed(func(w http.ResponseWriter, r *http.Request) {
		uri := r.URL.Query().Get("uris")
		s.mu.Lock()
		deleted := s.deleted
		s.mu.Unlock()
		posts := []map[string]any{}
		if !deleted && uri == "at://did:plc:seller123/app.bsky.feed.post/3kq2examplerk" {
			posts = append(posts, map[string]any{"uri": uri, "cid": "bafyreiexamplecid", "author": map[string]string{"did": "did:plc:seller123"}})
		}
		writeJSON(w, map[string]any{"posts": posts})
	}))
	mux.HandleFunc("POST /xrpc/com.atproto.moderation.createReport", authed(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]any
		if r.Header.Get("Content-Type") != "application/json" || json.NewDecoder(r.Body).Decode(&in) != nil {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"InvalidRequest","message":"bad body"}`)
			return
		}
		subj, _ := in["subject"].(map[string]any)
		if in["reasonType"] != "com.atproto.moderation.defs#reasonViolation" || subj["$type"] != "com.atproto.repo.strongRef" ||
			subj["uri"] == "" || subj["cid"] != "bafyreiexamplecid" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"InvalidRequest","message":"Input/subject must be a strongRef"}`)
			return
		}
		s.mu.Lock()
		s.reports = append(s.reports, in)
		id := len(s.reports) + 100
		s.mu.Unlock()
		writeJSON(w, map[string]any{"id": id, "reasonType": in["reasonType"], "reason": in["reason"], "subject": subj,
			"reportedBy": "did:plc:reporter", "createdAt": "2026-03-02T09:00:00.000Z"})
	}))
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func (s *blueskyServer) with(f func(*blueskyServer)) { s.mu.Lock(); defer s.mu.Unlock(); f(s) }

func TestBlueskyReviewThenConfirm(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		srv := newBlueskyServer(t)
		t.Setenv("HW_TEST_TD_BSKY_PASSWORD", "app-pass-1")
		tg := TargetConfig{Name: "bsky", Channel: ChannelBluesky, AppliesTo: []string{"bluesky"}, BaseURL: srv.URL,
			Identifier: "reports.example.org", PasswordEnv: "HW_TEST_TD_BSKY_PASSWORD", Mode: ModeReview}
		h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{tg}}, store)
		f := finding("bsky-jet", "bluesky", "3kq2examplerk",
			"https://bsky.app/profile/example-seller.bsky.social/post/3kq2examplerk", "example-seller.bsky.social")
		s := subjectOf(f, cases.StatusNew)
		if err := h.m.OnFinding(ctx, s); err != nil {
			t.Fatal(err)
		}
		srv.with(func(b *blueskyServer) {
			if b.sessions != 0 || len(b.reports) != 0 {
				t.Fatalf("review mode talked to the PDS before a confirm (%d sessions)", b.sessions)
			}
		})
		if err := h.m.OnDecision(ctx, s, decision(s.CaseID, wire.DecisionConfirm, "mod_alice", h.clock.Now())); err != nil {
			t.Fatal(err)
		}
		id := requestID("bsky", KindPost, "bsky-jet/3kq2examplerk")
		r, _ := h.m.Request(id)
		if r.State != wire.TakedownAcknowledged || r.ReportID != "101" {
			t.Fatalf("request %+v, want acknowledged as 101", r)
		}
		srv.with(func(b *blueskyServer) {
			rep := b.reports[0]
			subj := rep["subject"].(map[string]any)
			if subj["uri"] != "at://did:plc:seller123/app.bsky.feed.post/3kq2examplerk" {
				t.Errorf("subject uri %v", subj["uri"])
			}
			if reason, _ := rep["reason"].(string); !strings.Contains(reason, id) || !strings.Contains(reason, "wickr contact") {
				t.Errorf("reason %q", reason)
			}
		})
		// An expired token is renewed once, transparently.
		srv.with(func(b *blueskyServer) { b.expire = true })
		h.m.Tick(ctx, h.clock.Advance(24*time.Hour)) // re-notice: getPosts (expired → new session) then createReport
		srv.with(func(b *blueskyServer) {
			if b.sessions != 2 || len(b.reports) != 2 {
				t.Fatalf("after an expired token: %d sessions, %d reports; want 2 and 2", b.sessions, len(b.reports))
			}
		})
		// Removed: getPosts no longer lists it.
		srv.with(func(b *blueskyServer) { b.deleted = true })
		h.m.Tick(ctx, h.clock.Advance(7*time.Hour))
		if r, _ := h.m.Request(id); r.State != wire.TakedownRemoved || r.TimeToRemoval != 31*time.Hour {
			t.Fatalf("after deletion: %s, time to removal %s", r.State, r.TimeToRemoval)
		}
	})
}

// ---- Reddit: the password grant, /api/report and /api/info.

type redditServer struct {
	*httptest.Server
	mu      sync.Mutex
	tokens  int
	reports []url.Values
	removed map[string]bool
}

func newRedditServer(t testing.TB) *redditServer {
	s := &redditServer{removed: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/access_token", func(w http.ResponseWriter, r *http.Request) {
		id, secret, ok := r.BasicAuth()
		if !ok || id != "client-id-1" || secret != "client-secret-1" || r.FormValue("grant_type") != "password" ||
			r.FormValue("username") != "hw_reports" || r.FormValue("password") != "reddit-pass-1" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"message": "Unauthorized", "error": 401}`)
			return
		}
		s.mu.Lock()
		s.tokens++
		s.mu.Unlock()
		writeJSON(w, map[string]any{"access_token": "reddit-token", "token_type": "bearer", "expires_in": 86400, "scope": "*"})
	})
	authed := func(h http.HandlerFunc) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer reddit-token" || !strings.HasPrefix(r.UserAgent(), "handlewatch-takedown/") {
				w.WriteHeader(http.StatusUnauthorized)
				io.WriteString(w, `{"message": "Unauthorized", "error": 401}`)
				return
			}
			h(w, r)
		}
	}
	mux.HandleFunc("POST /api/report", authed(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		f := r.PostForm
		if f.Get("api_type") != "json" || len([]rune(f.Get("reason"))) > 100 {
			writeJSON(w, map[string]any{"json": map[string]any{"errors": [][]string{{"TOO_LONG", "this is too long", "reason"}}}})
			return
		}
		s.mu.Lock()
		s.reports = append(s.reports, f)
		s.mu.Unlock()
		writeJSON(w, map[string]any{"json": map[string]any{"errors": []any{}}})
	}))
	mux.HandleFunc("GET /api/info", authed(func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("id")
		s.mu.Lock()
		removed := s.removed[id]
		s.mu.Unlock()
		data := map[string]any{"name": id, "author": "example_seller", "selftext": "wickr: placeholder_01", "removed_by_category": nil}
		if removed {
			data["removed_by_category"] = "moderator"
			data["selftext"] = "[removed]"
		}
		writeJSON(w, map[string]any{"kind": "Listing", "data": map[string]any{"children": []any{
			map[string]any{"kind": id[:2], "data": data}}}})
	}))
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestRedditReport(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		srv := newRedditServer(t)
		t.Setenv("HW_TEST_TD_REDDIT_ID", "client-id-1")
		t.Setenv("HW_TEST_TD_REDDIT_SECRET", "client-secret-1")
		t.Setenv("HW_TEST_TD_REDDIT_PASSWORD", "reddit-pass-1")
		tg := TargetConfig{Name: "reddit", Channel: ChannelReddit, AppliesTo: []string{"reddit"}, BaseURL: srv.URL,
			TokenURL: srv.URL + "/api/v1/access_token", ClientIDEnv: "HW_TEST_TD_REDDIT_ID",
			ClientSecretEnv: "HW_TEST_TD_REDDIT_SECRET", Username: "hw_reports", PasswordEnv: "HW_TEST_TD_REDDIT_PASSWORD",
			Mode: ModeAuto}
		h := newHarness(t, Config{Enabled: true, Targets: []TargetConfig{tg}}, store)
		posts := []struct {
			id, permalink, want string
		}{
			{"1abc2d", "https://www.reddit.com/r/example/comments/1abc2d/some_title/", "t3_1abc2d"},
			{"kx9z8y7", "https://www.reddit.com/r/example/comments/1abc2d/some_title/kx9z8y7/", "t1_kx9z8y7"},
			{"t3_1abc9z", "https://www.reddit.com/r/example/comments/1abc9z/x/", "t3_1abc9z"},
		}
		for _, p := range posts {
			f := finding("reddit-new", "reddit", p.id, p.permalink, "example_seller")
			if err := h.m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err != nil {
				t.Fatal(err)
			}
		}
		srv.mu.Lock()
		if len(srv.reports) != 3 || srv.tokens != 1 {
			t.Fatalf("%d reports with %d tokens, want 3 with 1", len(srv.reports), srv.tokens)
		}
		for i, p := range posts {
			if got := srv.reports[i].Get("thing_id"); got != p.want {
				t.Errorf("thing_id %q, want %q", got, p.want)
			}
			if got := srv.reports[i].Get("reason"); !strings.HasPrefix(got, "CSAM solicitation: wickr contact advertised (ref td-") {
				t.Errorf("reason %q", got)
			}
		}
		srv.removed["t1_kx9z8y7"] = true
		srv.mu.Unlock()
		for _, p := range posts {
			r, _ := h.m.Request(requestID("reddit", KindPost, "reddit-new/"+p.id))
			if r.State != wire.TakedownAcknowledged || r.ReportID != "" {
				t.Fatalf("reddit request %+v: want acknowledged (Reddit gives no report id)", r)
			}
		}
		h.m.Tick(ctx, h.clock.Advance(6*time.Hour))
		r, _ := h.m.Request(requestID("reddit", KindPost, "reddit-new/kx9z8y7"))
		if r.State != wire.TakedownRemoved || !strings.Contains(r.Reason, "removed_by_category=moderator") {
			t.Fatalf("removed comment: %s %q", r.State, r.Reason)
		}
		if r, _ := h.m.Request(requestID("reddit", KindPost, "reddit-new/1abc2d")); r.State != wire.TakedownAcknowledged {
			t.Fatalf("a listed post became %s", r.State)
		}
	})
}

// ---- E-mail: abuse addresses per post, and the app's abuse address per
// handle, through a real SMTP server with STARTTLS and PLAIN.

func TestEmailAndAppAbuse(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		mailSrv := newSMTPServer(t)
		smtpCfg := mailSrv.config(t)
		tgEmail := TargetConfig{Name: "forum-abuse", Channel: ChannelEmail, AppliesTo: []string{"forum"},
			SMTP: smtpCfg, To: []string{"abuse@forum.example"}, Mode: ModeAuto}
		tgApp := TargetConfig{Name: "apps", Channel: ChannelAppAbuse, AppliesTo: []string{"*"}, SMTP: smtpCfg,
			Contacts: map[string]string{"wickr": "abuse@wickr.example", "telegram": "abuse@telegram.example"}, Mode: ModeAuto}
		tme := telegramPages(t)
		h := newHarness(t, Config{Enabled: true, ExcerptMax: 20, Operator: "Example T&S", Contact: "trust@example.org",
			TelegramURL: tme.URL, Targets: []TargetConfig{tgEmail, tgApp}}, store,
			func(d *Deps) { d.TLSConfig = mailSrv.tls })
		forum := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		defer forum.Close()
		link := forum.URL + "/t/77#p1"
		f := finding("forum", "html", "p-77", link, "someone_else")
		if err := h.m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err != nil {
			t.Fatal(err)
		}
		mails := mailSrv.mails()
		if len(mails) != 2 {
			t.Fatalf("%d mails, want 2", len(mails))
		}
		byTo := map[string]mail{}
		for _, m := range mails {
			if m.user != "reports@example.org" || m.from != "reports@example.org" {
				t.Fatalf("mail %+v not authenticated as the sender", m)
			}
			byTo[m.to[0]] = m
		}
		post := decodeMail(t, byTo["abuse@forum.example"].data)
		for _, want := range []string{"URL:        " + link, "Advertised: wickr contact placeholder_01",
			`Excerpt:    "trading young colle…"`, "Contact:   trust@example.org", "no images or other media"} {
			if !strings.Contains(post.body, want) {
				t.Errorf("post mail lacks %q:\n%s", want, post.body)
			}
		}
		if strings.Contains(post.body, "placeholder_01\"") || strings.Contains(post.body, "someone_else") {
			t.Errorf("post mail quotes more than the excerpt or names the author:\n%s", post.body)
		}
		if post.subject != "Child-safety report: CSAM solicitation at "+link {
			t.Errorf("subject %q", post.subject)
		}
		app := decodeMail(t, byTo["abuse@wickr.example"].data)
		if !strings.Contains(app.body, "Account:    placeholder_01 (wickr)") || !strings.Contains(app.body, link) {
			t.Errorf("app mail:\n%s", app.body)
		}
		// E-mail has no acknowledgement: the request stays at sent, with the
		// server's answer recorded.
		r, _ := h.m.Request(requestID("apps", KindHandle, subjectOf(f, "").CaseID))
		if r.State != wire.TakedownSent || !strings.Contains(r.Reason, "smtp ") {
			t.Fatalf("app request %+v", r)
		}
		// After renotice_after the post, still answering 200, is re-noticed;
		// the wickr handle has no public page: no re-notice.
		h.m.Tick(ctx, h.clock.Advance(25*time.Hour))
		mails = mailSrv.mails()
		if len(mails) != 3 || mails[2].to[0] != "abuse@forum.example" {
			t.Fatalf("%d mails after renotice_after, want 3 (one re-notice of the post)", len(mails))
		}
		if again := decodeMail(t, mails[2].data); !strings.HasPrefix(again.subject, "[re-notice 2] ") {
			t.Errorf("re-notice subject %q", again.subject)
		}
		h.m.Tick(ctx, h.clock.Advance(30*24*time.Hour))
		r, _ = h.m.Request(r.ID)
		if r.State != wire.TakedownFailed || !strings.HasPrefix(r.Reason, "unverifiable:") {
			t.Fatalf("wickr handle request after give_up_after: %s %q", r.State, r.Reason)
		}
		p, _ := h.m.Request(requestID("forum-abuse", KindPost, "forum/p-77"))
		if p.State != wire.TakedownFailed || !strings.HasPrefix(p.Reason, "gave_up:") {
			t.Fatalf("post request after give_up_after: %s %q", p.State, p.Reason)
		}
		if n := len(mailSrv.mails()); n != 3 {
			t.Fatalf("%d mails in all, want 3", n)
		}
	})
}

type decoded struct{ subject, body string }

func decodeMail(t *testing.T, raw string) decoded {
	t.Helper()
	head, body, ok := strings.Cut(raw, "\r\n\r\n")
	if !ok {
		t.Fatalf("no header/body split in %q", raw)
	}
	var d decoded
	for _, line := range strings.Split(head, "\r\n") {
		if v, ok := strings.CutPrefix(line, "Subject: "); ok {
			s, err := new(mime.WordDecoder).DecodeHeader(v)
			if err != nil {
				t.Fatal(err)
			}
			d.subject = s
		}
	}
	for _, want := range []string{"Content-Transfer-Encoding: quoted-printable", "Auto-Submitted: auto-generated", "Message-ID: <td-"} {
		if !strings.Contains(head, want) {
			t.Errorf("header lacks %q:\n%s", want, head)
		}
	}
	b, err := io.ReadAll(quotedPrintable(body))
	if err != nil {
		t.Fatal(err)
	}
	d.body = strings.ReplaceAll(string(b), "\r\n", "\n")
	return d
}

// ---- Telegram pages (recorded fixtures).

func telegramPages(t testing.TB) *httptest.Server {
	page := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	habr, missing := page("tme_s_habr_com_2023-05.html"), page("tme_not_existed.html")
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		switch r.URL.Path {
		case "/s/habr_com":
			w.Write(habr)
		default:
			w.Write(missing)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func TestTelegramChecks(t *testing.T) {
	tme := telegramPages(t)
	h := newHarness(t, Config{Enabled: true, TelegramURL: tme.URL}, newStoreMemory())
	tests := []struct {
		name string
		r    Request
		f    checkFunc
		want verdict
	}{
		{"listed post is up", Request{Post: PostRef{Permalink: "https://t.me/habr_com/56630"}}, h.m.telegramPost, verdictUp},
		{"post missing between its neighbours is gone", Request{Post: PostRef{Permalink: "https://t.me/habr_com/56650"}}, h.m.telegramPost, verdictGone},
		{"post of a vanished channel is gone", Request{Post: PostRef{Permalink: "https://t.me/placeholder_chan/12"}}, h.m.telegramPost, verdictGone},
		{"channel handle is up", Request{App: "telegram", Handle: "habr_com"}, h.m.telegramHandle, verdictUp},
		{"unknown handle is gone", Request{App: "telegram", Handle: "tg_demo_77"}, h.m.telegramHandle, verdictGone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, detail, err := tc.f(ctx, tc.r)
			if err != nil || got != tc.want {
				t.Fatalf("verdict %s (%s, %v), want %s", got, detail, err, tc.want)
			}
		})
	}
}

func TestPermalinkCheck(t *testing.T) {
	var status int
	var mu sync.Mutex
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer elsewhere.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/p/1", http.StatusMovedPermanently)
			return
		case "/removed":
			http.Redirect(w, r, elsewhere.URL+"/login", http.StatusFound)
			return
		}
		if r.Method == http.MethodHead && status == 0 {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		if status == 0 {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()
	h := newHarness(t, Config{Enabled: true}, newStoreMemory())
	for _, tc := range []struct {
		status int
		want   verdict
	}{{0, verdictUp}, {200, verdictUp}, {404, verdictGone}, {410, verdictGone}, {403, verdictUnknown}, {503, verdictUnknown}} {
		mu.Lock()
		status = tc.status
		mu.Unlock()
		got, detail, _ := h.m.permalink(ctx, Request{Post: PostRef{Permalink: srv.URL + "/p/1"}})
		if got != tc.want {
			t.Errorf("status %d: %s (%s), want %s", tc.status, got, detail, tc.want)
		}
	}
	mu.Lock()
	status = 200
	mu.Unlock()
	for path, want := range map[string]verdict{"/moved": verdictUp, "/removed": verdictUnknown} {
		if got, detail, _ := h.m.permalink(ctx, Request{Post: PostRef{Permalink: srv.URL + path}}); got != want {
			t.Errorf("%s: %s (%s), want %s", path, got, detail, want)
		}
	}
}

func TestAppAbuseTelegramHandleRemoved(t *testing.T) {
	mailSrv := newSMTPServer(t)
	tme := telegramPages(t)
	tg := TargetConfig{Name: "apps", Channel: ChannelAppAbuse, AppliesTo: []string{"telegram"}, SMTP: mailSrv.config(t),
		Contacts: map[string]string{"telegram": "abuse@telegram.example"}, Mode: ModeAuto}
	h := newHarness(t, Config{Enabled: true, TelegramURL: tme.URL, Targets: []TargetConfig{tg}}, newStoreMemory(),
		func(d *Deps) { d.TLSConfig = mailSrv.tls })
	f := finding("forum", "html", "p-1", "https://forum.example/t/1", "x", withHandle("telegram", "tg_demo_77"))
	if err := h.m.OnFinding(ctx, subjectOf(f, cases.StatusNew)); err != nil {
		t.Fatal(err)
	}
	id := requestID("apps", KindHandle, wire.CaseKey("telegram", "tg_demo_77"))
	r, _ := h.m.Request(id)
	if r.State != wire.TakedownSent || r.URL != "https://t.me/tg_demo_77" {
		t.Fatalf("handle request %+v", r)
	}
	h.m.Tick(ctx, h.clock.Advance(6*time.Hour))
	if r, _ := h.m.Request(id); r.State != wire.TakedownRemoved || r.TimeToRemoval != 6*time.Hour {
		t.Fatalf("after the handle page shows no account: %s %s", r.State, r.TimeToRemoval)
	}
}

// ---- Golden notices: each channel's request exactly as it goes out,
// rendered offline (as shadow mode records it).

func TestNoticeGolden(t *testing.T) {
	t.Setenv("HW_TEST_TD_GOLDEN", "secret-never-shown")
	smtpCfg := SMTPConfig{Host: "smtp.example.org", Username: "reports@example.org", PasswordEnv: "HW_TEST_TD_GOLDEN",
		From: "reports@example.org"}
	targets := []TargetConfig{
		{Name: "mastodon", Channel: ChannelMastodon, AppliesTo: []string{"masto"}, BaseURL: "https://mastodon.example", TokenEnv: "HW_TEST_TD_GOLDEN"},
		{Name: "bluesky", Channel: ChannelBluesky, AppliesTo: []string{"bsky"}, BaseURL: "https://pds.example",
			Identifier: "reports.example.org", PasswordEnv: "HW_TEST_TD_GOLDEN", ProxyDID: "did:plc:moderationexample"},
		{Name: "reddit", Channel: ChannelReddit, AppliesTo: []string{"reddit"}, BaseURL: "https://oauth.reddit.example", TokenEnv: "HW_TEST_TD_GOLDEN"},
		{Name: "email", Channel: ChannelEmail, AppliesTo: []string{"forum"}, SMTP: smtpCfg, To: []string{"abuse@forum.example"}},
		{Name: "app_abuse", Channel: ChannelAppAbuse, AppliesTo: []string{"*"}, SMTP: smtpCfg,
			Contacts: map[string]string{"wickr": "abuse@wickr.example"}},
	}
	h := newHarness(t, Config{Enabled: true, Operator: "Example T&S", Contact: "trust@example.org", Targets: targets}, newStoreMemory())
	posts := map[string]PostRef{
		"mastodon": {Source: "masto", SourceKind: "mastodon", PostID: "110000000000000001", Permalink: "https://mastodon.example/@example_seller/110000000000000001", Author: "example_seller"},
		"bluesky":  {Source: "bsky", SourceKind: "bluesky", PostID: "3kq2examplerk", Permalink: "https://bsky.app/profile/example-seller.bsky.social/post/3kq2examplerk"},
		"reddit":   {Source: "reddit", SourceKind: "reddit", PostID: "1abc2d", Permalink: "https://www.reddit.com/r/example/comments/1abc2d/t/"},
		"email":    {Source: "forum", SourceKind: "html", PostID: "p-77", Permalink: "https://forum.example/t/77", Excerpt: "trading young collection, wickr: placeholder_01 and much more text after it"},
	}
	for _, tg := range targets {
		t.Run(tg.Name, func(t *testing.T) {
			tt := h.m.byName[tg.Name]
			r := Request{ID: "td-golden0000000000001", CaseID: wire.CaseKey("wickr", "placeholder_01"), App: "wickr",
				Handle: "placeholder_01", Target: tg.Name, Channel: tg.Channel, Kind: KindPost, Post: posts[tg.Name],
				Severity: wire.SeverityCritical, Categories: []string{"contact_invitation", "minor_indicator", "offer"}}
			if tg.Channel == ChannelAppAbuse {
				r.Kind, r.Permalinks = KindHandle, []string{"https://forum.example/t/77", "https://forum.example/t/78"}
			}
			r.Post.Excerpt = excerpt(r.Post.Excerpt, 140)
			for _, notice := range []int{1, 2} {
				if notice == 2 {
					r.Notices, r.FirstSentAt = 1, h.clock.Now().Add(-24*time.Hour)
				}
				n, err := h.m.renderNotice(ctx, tt, r, notice, h.clock.Now(), true)
				if err != nil {
					t.Fatal(err)
				}
				got := n.String()
				if strings.Contains(got, "secret-never-shown") {
					t.Fatal("a credential in the rendered notice")
				}
				path := filepath.Join("testdata", "golden", fmt.Sprintf("%s_%d.txt", tg.Name, notice))
				if *update {
					os.MkdirAll(filepath.Dir(path), 0o755)
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update)", err)
				}
				if got != string(want) {
					t.Errorf("%s differs from the golden file:\n%s", path, got)
				}
			}
		})
	}
}

// ---- Rebuild: a fresh Manager fed the events gives the same records.

func TestRebuildGivesSameRecords(t *testing.T) {
	forEachStore(t, func(t *testing.T, store Store) {
		srv := newMastodonServer(t)
		auto := mastodonTarget(t, srv, "auto", ModeAuto)
		auto.DailyQuota = 3
		review := mastodonTarget(t, srv, "review", ModeReview)
		shadow := mastodonTarget(t, srv, "shadow", ModeAuto)
		shadow.Shadow = true
		cfg := Config{Enabled: true, Targets: []TargetConfig{auto, review, shadow}}
		h := newHarness(t, cfg, store)
		var subjects []Subject
		for i := 0; i < 5; i++ {
			f := mastodonFinding(srv, fmt.Sprint(9000+i), withHandle("telegram", fmt.Sprintf("tg_demo_%d", i%2)))
			s := subjectOf(f, cases.StatusNew)
			subjects = append(subjects, s)
			if err := h.m.OnFinding(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		h.m.OnDecision(ctx, subjects[0], decision(subjects[0].CaseID, wire.DecisionConfirm, "mod_alice", h.clock.Now()))
		h.m.OnDecision(ctx, subjects[1], decision(subjects[1].CaseID, wire.DecisionDismiss, "mod_bob", h.clock.Now()))
		srv.setGone("9000")
		h.m.Tick(ctx, h.clock.Advance(6*time.Hour))
		h.m.Tick(ctx, h.clock.Advance(20*time.Hour))
		live := h.m.Requests("")
		if len(live) < 8 {
			t.Fatalf("only %d requests: the scenario is too thin", len(live))
		}
		states := map[wire.TakedownState]int{}
		for _, r := range live {
			states[r.State]++
		}
		if states[wire.TakedownRemoved] == 0 || states[wire.TakedownFailed] == 0 || states[wire.TakedownRequested] == 0 {
			t.Fatalf("scenario lacks a state: %v", states)
		}

		fresh := newHarness(t, cfg, newStoreMemory())
		events := h.pub.all()
		for _, ev := range events {
			fresh.m.Apply(ev)
		}
		for _, ev := range events { // replaying twice changes nothing
			fresh.m.Apply(ev)
		}
		if got := fresh.m.Requests(""); !reflect.DeepEqual(got, live) {
			for i := range live {
				if i < len(got) && !reflect.DeepEqual(got[i], live[i]) {
					t.Errorf("request %d differs:\nlive    %+v\nrebuilt %+v", i, live[i], got[i])
				}
			}
			t.Fatalf("rebuilt %d requests, live %d", len(got), len(live))
		}
	})
}

func quotedPrintable(s string) io.Reader {
	return quotedprintable.NewReader(strings.NewReader(s))
}
