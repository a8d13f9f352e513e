package sink

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/takedown"
)

// artifacts is where the browser tests leave their screenshots: a
// directory git ignores, kept after the run for CI to collect.
const artifacts = "testdata/artifacts"

// chromium starts Debian's Chromium for one test. Without it the test
// fails in CI (CI is set) and is skipped on a developer's machine.
func chromium(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed: scripts/services.sh installs it (apt-get install -y chromium)")
		}
		t.Skip("chromium is not installed (apt-get install -y chromium); CI fails here instead of skipping")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.WindowSize(1100, 720))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser now, without a timeout (a timeout on the first
	// run would stop the browser).
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	// Before any page script: count what the page runs and every CSP
	// violation, so the test sees whether anything was even tried.
	watch := `window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) { window.__csp.push(e.violatedDirective + " " + e.blockedURI); });`
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watch})
		return err
	})); err != nil {
		t.Fatalf("installing the page watch: %v", err)
	}
	return ctx
}

// step runs browser actions with a time limit, failing the test with what
// was being done.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		shoot(t, ctx, "failed-"+strings.ReplaceAll(what, " ", "-"))
		t.Fatalf("%s: %v", what, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(sctx, chromedp.Evaluate[T](js, opts...))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// waitJS waits until cond is true in the page, across navigations (an
// evaluation that meets one is tried again).
func waitJS(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		ok, err := chromedp.Run(sctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			shoot(t, ctx, "failed-wait")
			t.Fatalf("waiting for %s: %v", cond, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shoot saves a screenshot of the viewport under artifacts, and under
// HW_DOCS_IMG too when set (screenshots are artifacts, never committed).
func shoot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	for _, dir := range []string{artifacts, os.Getenv("HW_DOCS_IMG")} {
		if dir == "" {
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name+".png")
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot %s", p)
	}
}

// fakeMastodon answers the two calls a Mastodon report takes.
func fakeMastodon(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var reports atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "GET" && r.URL.Path == "/api/v1/accounts/lookup":
			fmt.Fprint(w, `{"id":"4242"}`)
		case r.Method == "POST" && r.URL.Path == "/api/v1/reports":
			n := reports.Add(1)
			fmt.Fprintf(w, `{"id":"report-%d"}`, n)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"not found"}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &reports
}

// hostileText is a crawled post that tries every way in: a script tag, an
// image with an error handler, javascript: links, a meta tag that would
// loosen the CSP, an SVG handler, and a script tag pointing at our own
// (allowed) script with a break-out in its URL.
const hostileText = `trading young collection <script>window.__pwned="script"</script> ` +
	`<img src=x onerror="window.__pwned='img'"> <a href="javascript:window.__pwned='link'">menu</a> ` +
	`javascript:window.__pwned='bare' <meta http-equiv="Content-Security-Policy" content="script-src 'unsafe-inline'">` +
	`<script>window.__pwned="meta"</script> "><svg onload="window.__pwned='svg'"></svg> ` +
	`<script src="/static/app.js?"></script><script>window.__pwned="self"</script> ` +
	`see https://evil.example/landing, wickr: placeholder_xss`

func hostileFinding() *wire.Finding {
	f := finding(3, "wickr", "placeholder_xss", "forum-x", wire.SeverityLow, wire.ModeAlert)
	f.Excerpt.Text = hostileText
	i := strings.Index(hostileText, "wickr: placeholder_xss")
	f.Handles[0].Span = wire.Span{Start: i, End: len(hostileText)}
	f.Handles[0].Raw = "wickr: placeholder_xss"
	f.Excerpt.Spans = []wire.Span{{Start: 0, End: 7}, {Start: 8, End: 13}}
	f.Post.Permalink = "javascript:window.__pwned='permalink'"
	f.Post.Author = `placeholder_<b onmouseover="window.__pwned='author'">author</b>`
	return f
}

// TestBrowserModeratorFlow drives the dashboard in Chromium: log in, the
// queue, a filter, a case, confirm it, the takedown request it sends, an
// in-place decision in the queue, hostile crawled text shown as text
// with nothing run, log out.
func TestBrowserModeratorFlow(t *testing.T) {
	ctx := chromium(t)
	masto, reports := fakeMastodon(t)
	t.Setenv("HW_TEST_MASTO_TOKEN", "masto-token-for-tests")
	b := bustest.Embedded(t, "")
	cfg := quietConfig(t)
	cfg.Takedowns = takedown.Config{Enabled: true, Operator: "handlewatch tests", Contact: "https://example.org/abuse",
		Targets: []takedown.TargetConfig{{Name: "masto-demo", Channel: takedown.ChannelMastodon, AppliesTo: []string{"masto-demo"},
			BaseURL: masto.URL, TokenEnv: "HW_TEST_MASTO_TOKEN", Mode: takedown.ModeReview, Category: "other"}}}
	onMasto := finding(1, "telegram", "placeholder_tg_01", "masto-demo", wire.SeverityCritical, wire.ModeAct)
	onMasto.Post.ID, onMasto.Post.Permalink, onMasto.Post.Author = "1001", masto.URL+"/@placeholder_author/1001", "placeholder_author"
	onMasto.ID = wire.FindingID(onMasto.Post.Source, onMasto.Post.ID, onMasto.RulesVersion)
	s := dashboardSink(t, b, cfg,
		onMasto,
		finding(2, "kik", "placeholder_kik_02", "forum-a", wire.SeverityMedium, wire.ModeAlert),
		hostileFinding(),
		finding(4, "session", "placeholder_sess_04", "forum-a", wire.SeverityLow, wire.ModeAlert))
	base := s.api.URL
	mastoCase := wire.CaseKey("telegram", "placeholder_tg_01")
	xssCase := wire.CaseKey("wickr", "placeholder_xss")
	// Posts scanned, for the statistics' denominators.
	day := onMasto.DetectedAt.Format(time.DateOnly)
	for i, src := range []string{"masto-demo", "forum-a", "forum-x"} {
		tally := wire.ScanTally{Schema: 1, ID: fmt.Sprintf("browser-%d", i), Source: src, Day: day, Posts: int64(200 * (i + 1)), At: onMasto.DetectedAt}
		if _, err := b.Publish(context.Background(), tally.Subject(), tally.ID, tally); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the request waiting for review", 30*time.Second, func() bool {
		rs := s.hooks.takedowns.Requests(mastoCase)
		return len(rs) == 1 && rs[0].Waiting == takedown.WaitReview
	})

	// Log in.
	step(t, ctx, "open the dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#login")))
	if got := eval[string](t, ctx, `location.pathname`); got != "/login" {
		t.Fatalf("without a session / led to %s", got)
	}
	step(t, ctx, "log in",
		chromedp.SendKeys(chromedp.CSS("#name"), browserName),
		chromedp.SendKeys(chromedp.CSS("#password"), browserPw),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#queue")))

	// The queue: severity first, every open case.
	rows := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#queue tbody tr")).map(r => r.dataset.case)`)
	if len(rows) != 4 || rows[0] != mastoCase || rows[1] != wire.CaseKey("kik", "placeholder_kik_02") {
		t.Fatalf("queue rows %v: want 4, critical then medium first", rows)
	}
	shoot(t, ctx, "queue")

	// Filter by app.
	step(t, ctx, "filter by app",
		chromedp.SetValue(chromedp.CSS("#filter-app"), "telegram"),
		chromedp.Click(chromedp.CSS("#apply-filters")))
	// The old page has the row too: wait for the new one.
	waitJS(t, ctx, `location.search.includes("app=telegram") && document.readyState === "complete"`)
	if n := eval[int](t, ctx, `document.querySelectorAll("#queue tbody tr").length`); n != 1 {
		t.Fatalf("%d rows with app=telegram, want 1", n)
	}

	// Open the case: the request waits for review.
	step(t, ctx, "open the case",
		chromedp.Click(chromedp.CSS("#row-"+mastoCase+" a.case-link")),
		chromedp.WaitVisible(chromedp.CSS("#case-status")))
	if st := eval[string](t, ctx, `document.querySelector("#takedowns .td-state").textContent`); !strings.Contains(st, "review_pending") {
		t.Fatalf("takedown before the confirm: %q", st)
	}

	// Confirm: the request goes out to the platform and the page shows it.
	step(t, ctx, "confirm",
		chromedp.SendKeys(chromedp.CSS("#reason"), "coded offer with a handle"),
		chromedp.Click(chromedp.CSS("#confirm")),
		chromedp.WaitVisible(chromedp.CSS("#flash")))
	if st := eval[string](t, ctx, `document.querySelector("#case-status").textContent`); st != "confirmed" {
		t.Fatalf("status after confirm: %q", st)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		st := eval[string](t, ctx, `(document.querySelector("#takedowns .td-state") || {textContent: ""}).textContent`)
		if strings.Contains(st, "acknowledged") || strings.Contains(st, "sent") {
			break
		}
		if time.Now().After(deadline) {
			shoot(t, ctx, "failed-takedown")
			t.Fatalf("the takedown request did not go out: %q", st)
		}
		step(t, ctx, "reload the case", chromedp.Sleep(200*time.Millisecond), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("#case-status")))
	}
	if reports.Load() != 1 {
		t.Fatalf("the platform got %d reports, want 1", reports.Load())
	}
	if h := eval[string](t, ctx, `document.querySelector("#decisions").textContent`); !strings.Contains(h, "confirm") || !strings.Contains(h, browserName) {
		t.Fatalf("decision history: %q", h)
	}
	shoot(t, ctx, "case")

	// An in-place decision in the queue: the row changes, the page does
	// not reload.
	step(t, ctx, "back to the queue", chromedp.Navigate(base+"/queue?app=kik"), chromedp.WaitVisible(chromedp.CSS("#queue")))
	eval[bool](t, ctx, `window.__sameDocument = true`)
	kik := wire.CaseKey("kik", "placeholder_kik_02")
	step(t, ctx, "escalate in place",
		chromedp.Click(chromedp.CSS("#row-"+kik+` button[value="escalate"]`)),
		chromedp.Poll[chromedp.Void](`document.querySelector("#row-`+kik+` td.status").textContent === "escalated"`, chromedp.WithPollingTimeout(20*time.Second)))
	if !eval[bool](t, ctx, `window.__sameDocument === true`) {
		t.Fatal("the queue reloaded for an in-place decision")
	}
	if got := s.getCase(t, "kik", "placeholder_kik_02"); got.Status != "escalated" || got.Decision.Actor != browserName {
		t.Fatalf("case after the in-place decision: %s %+v", got.Status, got.Decision)
	}

	// Hostile text: shown, as text; nothing ran, nothing was loaded.
	for _, p := range []string{"/queue?status=all", "/cases/" + xssCase} {
		step(t, ctx, "open "+p, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS("main")))
		var res struct {
			Pwned   any      `json:"pwned"`
			Scripts []string `json:"scripts"`
			Media   int      `json:"media"`
			Links   []string `json:"links"`
			CSP     []string `json:"csp"`
			Text    string   `json:"text"`
		}
		raw := eval[string](t, ctx, `JSON.stringify({
			pwned: window.__pwned === undefined ? null : window.__pwned,
			scripts: Array.from(document.scripts).map(s => s.src),
			media: document.querySelectorAll("img, svg:not(.chart svg), iframe, object, embed, video, audio, meta[http-equiv]").length,
			links: Array.from(document.querySelectorAll("a[href]")).map(a => a.getAttribute("href")).filter(h => !h.startsWith("/")),
			csp: window.__csp,
			text: document.querySelector("main").textContent})`)
		if err := json.Unmarshal([]byte(raw), &res); err != nil {
			t.Fatal(err)
		}
		switch {
		case res.Pwned != nil:
			t.Fatalf("%s: hostile text ran: %v", p, res.Pwned)
		case len(res.Scripts) != 1 || !strings.HasSuffix(res.Scripts[0], "/static/app.js"):
			t.Fatalf("%s: scripts %v, want only /static/app.js", p, res.Scripts)
		case res.Media != 0:
			t.Fatalf("%s: %d media or meta elements from crawled text", p, res.Media)
		case len(res.CSP) != 0:
			t.Fatalf("%s: the page tried what the CSP forbids: %v", p, res.CSP)
		case !strings.Contains(res.Text, `<script>window.__pwned="script"</script>`) || !strings.Contains(res.Text, `onerror="window.__pwned='img'"`):
			t.Fatalf("%s: the hostile text is not shown as text:\n%s", p, res.Text)
		}
		for _, l := range res.Links {
			if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") {
				t.Fatalf("%s: a link to %q", p, l)
			}
		}
	}
	// The link's host is marked, the javascript: scheme flagged.
	if hosts := eval[[]string](t, ctx, `Array.from(document.querySelectorAll(".evidence .host")).map(e => e.textContent)`); len(hosts) != 1 || hosts[0] != "evil.example" {
		t.Fatalf("marked hosts %v", hosts)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll(".evidence .danger").length`); n < 2 {
		t.Fatalf("%d javascript: schemes flagged, want 2", n)
	}
	shoot(t, ctx, "hostile-case")

	// Statistics: charts drawn on the server, with the numbers beside and
	// a CSV of each.
	step(t, ctx, "statistics", chromedp.Navigate(base+"/stats"), chromedp.WaitVisible(chromedp.CSS("#table-days svg polyline")))
	if n := eval[int](t, ctx, `document.querySelectorAll("section.stat svg").length`); n < 4 {
		t.Fatalf("%d charts on the statistics page", n)
	}
	if got := eval[string](t, ctx, `document.querySelector("#posts-scanned").textContent`); got != "1200" {
		t.Fatalf("posts scanned %q, want 1200", got)
	}
	csv := eval[string](t, ctx, `fetch(document.querySelector("#table-apps a.csv").href).then(r => r.text())`, chromedp.EvalAwaitPromise)
	if !strings.HasPrefix(csv, "app,posts_scanned,findings,per_10k,low_95,high_95") || !strings.Contains(csv, "\nwickr,1200,1,") {
		t.Fatalf("apps CSV:\n%s", csv)
	}
	shoot(t, ctx, "stats")

	// Log out: the session is gone.
	step(t, ctx, "log out", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login")))
	step(t, ctx, "queue after logout", chromedp.Navigate(base+"/queue"), chromedp.WaitVisible(chromedp.CSS("#login")))
	if got := eval[string](t, ctx, `location.pathname + location.search`); got != "/login?next=%2Fqueue" {
		t.Fatalf("after logout /queue led to %s", got)
	}
}
