package sink

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/web"
)

// Test accounts: one per role. Their hashes are made once per test binary
// (bcrypt is slow on purpose).
const (
	modName, modPass       = "mod_placeholder", "moderator-password-for-tests"
	resName, resPass       = "res_placeholder", "researcher-password-for-tests"
	adminName, adminPass   = "admin_placeholder", "admin-password-for-tests"
	browserName, browserPw = "browser_placeholder", "browser-password-for-tests"
)

var testUsers = sync.OnceValue(func() []web.User {
	var out []web.User
	for _, u := range []struct {
		name, pass string
		role       web.Role
	}{{modName, modPass, web.RoleModerator}, {resName, resPass, web.RoleResearcher}, {adminName, adminPass, web.RoleAdmin},
		{browserName, browserPw, web.RoleModerator}} {
		h, err := web.HashPassword(u.pass)
		if err != nil {
			panic(err)
		}
		out = append(out, web.User{Name: u.name, Role: u.role, PasswordHash: h})
	}
	return out
})

// dashboardSink is a sink with the test accounts, no notifier, and one
// case per finding given.
func dashboardSink(t *testing.T, b *bus.Bus, cfg Config, fs ...*wire.Finding) *running {
	t.Helper()
	return dashboardSinkOn(t, b, state.NewMemory(), cfg, fs...)
}

func dashboardSinkOn(t *testing.T, b *bus.Bus, st state.Store, cfg Config, fs ...*wire.Finding) *running {
	t.Helper()
	cfg.Dashboard.Users = testUsers()
	s := startSink(t, cfg, b, st)
	publish(t, b, fs...)
	waitFor(t, "the cases", 30*time.Second, func() bool { return s.sightings(t) == int64(len(fs)) })
	return s
}

func quietConfig(t *testing.T) Config {
	rcv := startReceivers(t)
	cfg := rcv.config(t)
	cfg.Webhooks, cfg.Slack, cfg.Email = nil, nil, nil
	return cfg
}

// browser is a person with a cookie jar who does not follow redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values, hdr ...string) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

var (
	tokenRE = regexp.MustCompile(`name="token" value="([^"]+)"`)
	csrfRE  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

func field(t *testing.T, re *regexp.Regexp, page string) string {
	t.Helper()
	m := re.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no %s in the page:\n%s", re, page)
	}
	return m[1]
}

// login logs in and returns the answer to the form.
func (b *browser) login(name, pass string) *http.Response {
	b.t.Helper()
	_, page := b.do("GET", "/login", nil)
	resp, _ := b.do("POST", "/login", url.Values{"token": {field(b.t, tokenRE, page)}, "name": {name}, "password": {pass}})
	return resp
}

// csrf is the session's form token, read off a page.
func (b *browser) csrf(path string) string {
	b.t.Helper()
	_, page := b.do("GET", path, nil)
	return field(b.t, csrfRE, page)
}

func TestDashboardNeedsLoginAndCSRF(t *testing.T) {
	b := bustest.Embedded(t, "")
	f := finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAlert)
	s := dashboardSink(t, b, quietConfig(t), f)
	id := wire.CaseKey("wickr", "placeholder_01")
	decide := "/cases/" + id + "/decision"

	anon := newBrowser(t, s.api.URL)
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/", "/login"},
		{"GET", "/queue", "/login?next=%2Fqueue"},
		{"GET", "/cases/" + id, "/login?next=%2Fcases%2F" + id},
		{"GET", "/stats", "/login?next=%2Fstats"},
		{"GET", "/audit", "/login?next=%2Faudit"},
		{"GET", "/nowhere", "/login?next=%2Fnowhere"},
		{"POST", decide, "/login"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			var form url.Values
			if tc.method == "POST" {
				form = url.Values{"decision": {"confirm"}}
			}
			resp, _ := anon.do(tc.method, tc.path, form)
			if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != tc.want {
				t.Fatalf("got %d to %q, want 303 to %q", resp.StatusCode, resp.Header.Get("Location"), tc.want)
			}
		})
	}
	// The JSON API keeps its own answers.
	if resp, body := anon.do("GET", "/api/nowhere", nil); resp.StatusCode != 404 || !strings.Contains(body, "no such resource") {
		t.Fatalf("api 404: %d %s", resp.StatusCode, body)
	}

	t.Run("login form without its token", func(t *testing.T) {
		resp, _ := newBrowser(t, s.api.URL).do("POST", "/login", url.Values{"name": {modName}, "password": {modPass}})
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("got %d, want 403", resp.StatusCode)
		}
	})
	t.Run("wrong password", func(t *testing.T) {
		if resp := newBrowser(t, s.api.URL).login(modName, "not-the-password"); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("got %d, want 401", resp.StatusCode)
		}
	})

	mod := newBrowser(t, s.api.URL)
	if resp := mod.login(modName, modPass); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/queue" {
		t.Fatalf("login: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, page := mod.do("GET", "/queue", nil)
	if resp.StatusCode != 200 || !strings.Contains(page, "placeholder_01") {
		t.Fatalf("queue: %d\n%s", resp.StatusCode, page)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
		t.Fatalf("CSP %q", csp)
	}
	token := field(t, csrfRE, page)
	for _, tc := range []struct{ name, csrf string }{{"no token", ""}, {"wrong token", "x" + token}} {
		t.Run("decision with "+tc.name, func(t *testing.T) {
			form := url.Values{"decision": {"confirm"}}
			if tc.csrf != "" {
				form.Set("csrf", tc.csrf)
			}
			if resp, _ := mod.do("POST", decide, form); resp.StatusCode != http.StatusForbidden {
				t.Fatalf("got %d, want 403", resp.StatusCode)
			}
		})
	}
	t.Run("logout needs the token too", func(t *testing.T) {
		if resp, _ := mod.do("POST", "/logout", url.Values{}); resp.StatusCode != http.StatusForbidden {
			t.Fatalf("got %d, want 403", resp.StatusCode)
		}
	})
	if n := len(caseEvents(t, b, "hw.cases.decision")); n != 0 {
		t.Fatalf("%d decisions recorded from refused forms", n)
	}

	// With the token the decision is taken, and Post/Redirect/Get leads
	// back to the case.
	resp, _ = mod.do("POST", decide, url.Values{"decision": {"escalate"}, "csrf": {token}, "idem": {"form-1"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cases/"+id {
		t.Fatalf("decision: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if got := s.getCase(t, "wickr", "placeholder_01"); got.Status != "escalated" || got.Decision.Actor != modName {
		t.Fatalf("case after the decision: %s by %+v", got.Status, got.Decision)
	}
	// The same form submitted twice is one decision.
	mod.do("POST", decide, url.Values{"decision": {"escalate"}, "csrf": {token}, "idem": {"form-1"}})
	if n := len(caseEvents(t, b, "hw.cases.decision")); n != 1 {
		t.Fatalf("%d decision events, want 1", n)
	}
	// An open redirect is not on offer.
	resp, _ = mod.do("POST", decide, url.Values{"decision": {"escalate"}, "csrf": {token}, "next": {"//evil.example/x"}})
	if loc := resp.Header.Get("Location"); loc != "/cases/"+id {
		t.Fatalf("next=//evil.example led to %q", loc)
	}

	// Logging out ends the session: the old cookie opens nothing.
	if resp, _ := mod.do("POST", "/logout", url.Values{"csrf": {token}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", resp.StatusCode)
	}
	if resp, _ := mod.do("GET", "/queue", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("queue after logout: %d", resp.StatusCode)
	}
}

func TestDashboardRoles(t *testing.T) {
	b := bustest.Embedded(t, "")
	s := dashboardSink(t, b, quietConfig(t), finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAlert))
	id := wire.CaseKey("wickr", "placeholder_01")

	res := newBrowser(t, s.api.URL)
	if resp := res.login(resName, resPass); resp.Header.Get("Location") != "/stats" {
		t.Fatalf("a researcher's login leads to %q, want /stats", resp.Header.Get("Location"))
	}
	token := res.csrf("/stats")
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/stats", 200},
		{"GET", "/stats.csv?table=apps", 200},
		{"GET", "/queue", 403},
		{"GET", "/cases/" + id, 403},
		{"GET", "/cases/" + id + "/hotline-draft", 403},
		{"GET", "/audit", 403},
		{"GET", "/sources", 403},
		{"POST", "/cases/" + id + "/decision", 403},
		{"POST", "/queue/bulk", 403},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			var form url.Values
			if tc.method == "POST" {
				form = url.Values{"decision": {"confirm"}, "csrf": {token}, "id": {id}, "step": {"apply"}}
			}
			if resp, body := res.do(tc.method, tc.path, form); resp.StatusCode != tc.want {
				t.Fatalf("got %d, want %d\n%s", resp.StatusCode, tc.want, body)
			}
		})
	}
	if n := len(caseEvents(t, b, "hw.cases.decision")); n != 0 {
		t.Fatalf("a researcher recorded %d decisions", n)
	}

	admin := newBrowser(t, s.api.URL)
	admin.login(adminName, adminPass)
	for _, p := range []string{"/queue", "/cases/" + id, "/stats", "/audit", "/sources"} {
		if resp, _ := admin.do("GET", p, nil); resp.StatusCode != 200 {
			t.Fatalf("admin %s: %d", p, resp.StatusCode)
		}
	}
}

func TestDashboardThrottlesWrongPasswords(t *testing.T) {
	b := bustest.Embedded(t, "")
	s := dashboardSink(t, b, quietConfig(t))
	guesser := newBrowser(t, s.api.URL)
	for i := range web.MaxFailures {
		if resp := guesser.login(modName, "guess-number-"+string(rune('a'+i))); resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, resp.StatusCode)
		}
	}
	// Now even the right password waits, for everyone.
	resp := newBrowser(t, s.api.URL).login(modName, modPass)
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("after %d wrong passwords: %d (Retry-After %q)", web.MaxFailures, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Another account is not held.
	if resp := newBrowser(t, s.api.URL).login(resName, resPass); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("another account: %d", resp.StatusCode)
	}
}

// TestDashboardDecisionIsTheAPIDecision: a decision from the page and one
// from the API publish the same event, both show on the audit page, and
// the queue's in-place answer carries the new status.
func TestDashboardDecisionIsTheAPIDecision(t *testing.T) {
	b := bustest.Embedded(t, "")
	s := dashboardSink(t, b, quietConfig(t),
		finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAlert),
		finding(2, "kik", "placeholder_02", "forum-a", wire.SeverityHigh, wire.ModeAlert))
	page, api := wire.CaseKey("wickr", "placeholder_01"), wire.CaseKey("kik", "placeholder_02")

	mod := newBrowser(t, s.api.URL)
	mod.login(modName, modPass)
	token := mod.csrf("/queue")
	resp, body := mod.do("POST", "/cases/"+page+"/decision",
		url.Values{"decision": {"confirm"}, "reason": {"coded offer"}, "csrf": {token}, "idem": {"row-1"}}, "Accept", "application/json")
	var answer struct{ ID, Status, Decision, Actor, NextIdem string }
	if err := json.Unmarshal([]byte(body), &answer); resp.StatusCode != 200 || err != nil {
		t.Fatalf("in-place decision: %d %s", resp.StatusCode, body)
	}
	if answer.Status != "confirmed" || answer.Actor != modName {
		t.Fatalf("answer %+v", answer)
	}
	if r, b := s.call(t, "POST", "/api/cases/"+api+"/decision", testToken,
		`{"decision":"confirm","actor":"`+modName+`","reason":"coded offer"}`); r.StatusCode != 200 {
		t.Fatalf("api decision: %d %s", r.StatusCode, b)
	}
	evs := caseEvents(t, b, "hw.cases.decision")
	if len(evs) != 2 {
		t.Fatalf("%d decision events, want 2", len(evs))
	}
	byCase := map[string]*wire.CaseEvent{}
	for _, e := range evs {
		byCase[e.CaseID] = e
	}
	p, a := *byCase[page], *byCase[api]
	// Everything but the case, the id and the time is the same.
	for _, e := range []*wire.CaseEvent{&p, &a} {
		if !strings.HasPrefix(e.ID, "decision-"+e.CaseID+"-") {
			t.Fatalf("event id %q", e.ID)
		}
		e.ID, e.CaseID, e.App, e.Handle, e.At = "", "", "", "", time.Time{}
	}
	if pj, aj := mustJSON(t, p), mustJSON(t, a); pj != aj {
		t.Fatalf("page event %s\n api event %s", pj, aj)
	}
	// A confirmed case has a hotline draft to download; an open one not.
	if resp, body := mod.do("GET", "/cases/"+page+"/hotline-draft", nil); resp.StatusCode != 200 ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(body, "placeholder_01") {
		t.Fatalf("hotline draft: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Disposition"), body)
	}
	openCase := wire.CaseKey("session", "placeholder_03")
	publish(t, b, finding(3, "session", "placeholder_03", "forum-a", wire.SeverityLow, wire.ModeAlert))
	waitFor(t, "the third case", 30*time.Second, func() bool { return s.sightings(t) == 3 })
	if resp, _ := mod.do("GET", "/cases/"+openCase+"/hotline-draft", nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("hotline draft of an open case: %d", resp.StatusCode)
	}
	_, audit := mod.do("GET", "/audit", nil)
	for _, want := range []string{"placeholder_01", "placeholder_02", modName, "coded offer"} {
		if !strings.Contains(audit, want) {
			t.Fatalf("audit page lacks %q:\n%s", want, audit)
		}
	}
}

func TestDashboardBulkPreviewsThenDecides(t *testing.T) {
	b := bustest.Embedded(t, "")
	s := dashboardSink(t, b, quietConfig(t),
		finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAlert),
		finding(2, "kik", "placeholder_02", "forum-b", wire.SeverityLow, wire.ModeAlert),
		finding(3, "session", "placeholder_03", "forum-a", wire.SeverityMedium, wire.ModeAlert))
	mod := newBrowser(t, s.api.URL)
	mod.login(modName, modPass)

	// Filters: source and severity, with the counts per status.
	_, page := mod.do("GET", "/queue?source=forum-a", nil)
	if !strings.Contains(page, "placeholder_01") || !strings.Contains(page, "placeholder_03") || strings.Contains(page, "placeholder_02") {
		t.Fatalf("source filter:\n%s", page)
	}
	if i, j := strings.Index(page, "placeholder_01"), strings.Index(page, "placeholder_03"); i > j {
		t.Fatal("the high case is not above the medium one")
	}
	_, page = mod.do("GET", "/queue?severity=low", nil)
	if !strings.Contains(page, "placeholder_02") || strings.Contains(page, "placeholder_01") {
		t.Fatalf("severity filter:\n%s", page)
	}
	token := field(t, csrfRE, page)
	ids := []string{wire.CaseKey("wickr", "placeholder_01"), wire.CaseKey("kik", "placeholder_02")}
	// Dismissing needs a reason, before the preview already.
	resp, _ := mod.do("POST", "/queue/bulk", url.Values{"csrf": {token}, "decision": {"dismiss"}, "id": ids, "step": {"preview"}})
	if _, page := mod.do("GET", resp.Header.Get("Location"), nil); !strings.Contains(page, "Give a reason to dismiss cases.") {
		t.Fatalf("bulk dismissal without a reason:\n%s", page)
	}
	form := url.Values{"csrf": {token}, "decision": {"dismiss"}, "reason": {"test posts"}, "id": ids, "step": {"preview"}}
	resp, preview := mod.do("POST", "/queue/bulk", form)
	if resp.StatusCode != 200 || !strings.Contains(preview, "these <strong>2</strong> cases") {
		t.Fatalf("preview: %d\n%s", resp.StatusCode, preview)
	}
	if n := len(caseEvents(t, b, "hw.cases.decision")); n != 0 {
		t.Fatalf("the preview recorded %d decisions", n)
	}
	form.Set("step", "apply")
	form.Set("idem", "bulk-1")
	if resp, _ := mod.do("POST", "/queue/bulk", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("apply: %d", resp.StatusCode)
	}
	mod.do("POST", "/queue/bulk", form) // submitted twice: still one decision per case
	if n := len(caseEvents(t, b, "hw.cases.decision")); n != 2 {
		t.Fatalf("%d decisions, want 2", n)
	}
	_, page = mod.do("GET", "/queue", nil)
	if !strings.Contains(page, "2 cases dismissed.") || !strings.Contains(page, `id="status-dismissed">dismissed <span class="count">2</span>`) {
		t.Fatalf("queue after the bulk dismissal:\n%s", page)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestDashboardOnRedisAndNATS: the queue's filters, a decision and the
// audit page on the real servers, where the cases live in Redis.
func TestDashboardOnRedisAndNATS(t *testing.T) {
	b := bustest.External(t)
	st, _ := redisStore(t, "")
	s := dashboardSinkOn(t, b, st, quietConfig(t),
		finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAlert),
		finding(2, "wickr", "placeholder_01", "forum-b", wire.SeverityHigh, wire.ModeAlert),
		finding(3, "kik", "placeholder_02", "forum-c", wire.SeverityLow, wire.ModeAlert))
	mod := newBrowser(t, s.api.URL)
	mod.login(modName, modPass)
	// The older source of a case still finds it.
	_, page := mod.do("GET", "/queue?source=forum-a", nil)
	if !strings.Contains(page, "placeholder_01") || strings.Contains(page, "placeholder_02") {
		t.Fatalf("source filter on Redis:\n%s", page)
	}
	id := wire.CaseKey("wickr", "placeholder_01")
	resp, _ := mod.do("POST", "/cases/"+id+"/decision", url.Values{"decision": {"confirm"}, "reason": {"coded offer"},
		"csrf": {field(t, csrfRE, page)}, "idem": {"redis-1"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("decision: %d", resp.StatusCode)
	}
	_, page = mod.do("GET", "/cases/"+id, nil)
	for _, want := range []string{`data-status="confirmed"`, "forum-a", "forum-b", "offer.trading", "coded offer"} {
		if !strings.Contains(page, want) {
			t.Fatalf("case page lacks %q:\n%s", want, page)
		}
	}
	if _, audit := mod.do("GET", "/audit", nil); !strings.Contains(audit, "coded offer") {
		t.Fatalf("audit page:\n%s", audit)
	}
}

// TestCasePageShowsTheScorersEvidence: the words that pushed a finding's
// score reach the case page, escaped like every crawled text.
func TestCasePageShowsTheScorersEvidence(t *testing.T) {
	b := bustest.Embedded(t, "")
	f := finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAlert)
	f.Model = "test-model-1"
	f.Evidence = []wire.Evidence{{Text: `a word for a minor "young" next to the contact`, Weight: 0.61},
		{Text: `the words "<script>alert(1)</script>"`, Weight: 0.2}}
	s := dashboardSink(t, b, quietConfig(t), f)
	mod := newBrowser(t, s.api.URL)
	mod.login(modName, modPass)
	id := wire.CaseKey("wickr", "placeholder_01")
	var body string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var resp *http.Response
		if resp, body = mod.do("GET", "/cases/"+id, nil); resp.StatusCode == 200 && strings.Contains(body, "test-model-1") {
			break
		}
	}
	for _, want := range []string{"Why the scorer flagged it", "test-model-1", "next to the contact", "&lt;script&gt;alert(1)&lt;/script&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("evidence text rendered as markup")
	}
}
