package demo

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/sink/notify"
)

// Site is the demo site.
type Site struct {
	log    *zap.Logger
	secret []byte // the webhook HMAC key the demo config's sink uses
	every  time.Duration
	start  time.Time
	now    func() time.Time

	mu     sync.Mutex
	alerts []Alert
	srv    *http.Server
	addr   string
}

// Alert is one webhook delivery the demo receiver accepted.
type Alert struct {
	At       time.Time
	Verified bool
	Body     string
}

// New builds the site. every is how often a live post appears.
func New(log *zap.Logger, webhookSecret string, every time.Duration) *Site {
	if every <= 0 {
		every = 20 * time.Second
	}
	return &Site{log: log, secret: []byte(webhookSecret), every: every, now: time.Now}
}

// Start listens on addr (loopback) and serves until Close.
func (s *Site) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("demo site listening on %s: %w", addr, err)
	}
	s.addr = ln.Addr().String()
	s.start = s.now()
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("demo site stopped", zap.Error(err))
		}
	}()
	return nil
}

// URL is the site's base URL.
func (s *Site) URL() string { return "http://" + s.addr }

// Close stops the site.
func (s *Site) Close(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}

// Alerts returns the alerts received so far.
func (s *Site) Alerts() []Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Alert(nil), s.alerts...)
}

// Handler serves the site.
func (s *Site) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /robots.txt", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "User-agent: *\nAllow: /\n")
	})
	mux.HandleFunc("GET /feed.xml", s.feed)
	mux.HandleFunc("GET /posts/{n}", s.post)
	mux.HandleFunc("POST /hooks/alerts", s.receive)
	mux.HandleFunc("GET /alerts", s.alertsPage)
	mux.HandleFunc("GET /{$}", s.index)
	return secureHeaders(mux)
}

func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

type item struct {
	n    int
	post post
	at   time.Time
}

// items are the posts visible now: the seed posts, then one live post
// every s.every, newest first.
func (s *Site) items() []item {
	elapsed := s.now().Sub(s.start)
	live := int(elapsed / s.every)
	if live > len(livePosts) {
		live = len(livePosts)
	}
	var out []item
	for i, p := range seedPosts {
		out = append(out, item{n: i + 1, post: p, at: s.start.Add(-time.Duration(len(seedPosts)-i) * time.Minute)})
	}
	for i := 0; i < live; i++ {
		out = append(out, item{n: len(seedPosts) + i + 1, post: livePosts[i], at: s.start.Add(time.Duration(i+1) * s.every)})
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title       string    `xml:"title"`
	Link        string    `xml:"link"`
	Description string    `xml:"description"`
	Language    string    `xml:"language"`
	Items       []rssItem `xml:"item"`
}

type rssItem struct {
	Title       string `xml:"title"`
	Link        string `xml:"link"`
	GUID        string `xml:"guid"`
	Author      string `xml:"author"`
	PubDate     string `xml:"pubDate"`
	Description string `xml:"description"`
}

func (s *Site) base(r *http.Request) string { return "http://" + r.Host }

func (s *Site) feed(w http.ResponseWriter, r *http.Request) {
	doc := rssDoc{Version: "2.0", Channel: rssChannel{
		Title: "handlewatch demo forum", Link: s.base(r) + "/", Language: "en",
		Description: "Synthetic posts for the handlewatch offline demo",
	}}
	for _, it := range s.items() {
		doc.Channel.Items = append(doc.Channel.Items, rssItem{
			Title: it.post.Title, Link: fmt.Sprintf("%s/posts/%d", s.base(r), it.n),
			GUID: fmt.Sprintf("demo-post-%d", it.n), Author: it.post.Author,
			PubDate: it.at.UTC().Format(time.RFC1123Z), Description: it.post.Body,
		})
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	io.WriteString(w, xml.Header)
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		s.log.Warn("writing demo feed", zap.Error(err))
	}
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family: sans-serif; max-width: 50em; margin: 2em auto">
<h1>{{.Title}}</h1>
{{range .Items}}<article id="post-{{.N}}"><h2><a href="/posts/{{.N}}">{{.Title}}</a></h2>
<p class="author">{{.Author}} · <time datetime="{{.At}}">{{.At}}</time></p><p class="text">{{.Body}}</p></article>
{{end}}{{range .Alerts}}<pre style="white-space: pre-wrap; border: 1px solid #ccc; padding: .5em">{{if .Verified}}✔ signature verified{{else}}✘ bad signature{{end}} · {{.At}}
{{.Body}}</pre>{{end}}
</body></html>`))

type pageItem struct {
	N                       int
	Title, Author, Body, At string
}

func (s *Site) render(w http.ResponseWriter, title string, items []item, alerts []Alert) {
	data := struct {
		Title  string
		Items  []pageItem
		Alerts []Alert
	}{Title: title, Alerts: alerts}
	for _, it := range items {
		data.Items = append(data.Items, pageItem{N: it.n, Title: it.post.Title, Author: it.post.Author,
			Body: it.post.Body, At: it.at.UTC().Format(time.RFC3339)})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pageTmpl.Execute(w, data); err != nil {
		s.log.Warn("rendering demo page", zap.Error(err))
	}
}

func (s *Site) index(w http.ResponseWriter, _ *http.Request) {
	s.render(w, "handlewatch demo forum", s.items(), nil)
}

func (s *Site) post(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	for _, it := range s.items() {
		if it.n == n {
			s.render(w, it.post.Title, []item{it}, nil)
			return
		}
	}
	http.NotFound(w, r)
}

func (s *Site) alertsPage(w http.ResponseWriter, _ *http.Request) {
	alerts := s.Alerts()
	for i, j := 0, len(alerts)-1; i < j; i, j = i+1, j-1 {
		alerts[i], alerts[j] = alerts[j], alerts[i]
	}
	s.render(w, fmt.Sprintf("Alerts received by the demo webhook (%d)", len(alerts)), nil, alerts)
}

// receive is the demo's webhook endpoint: it verifies the HMAC signature
// and its timestamp the way a real receiver should, and keeps the alert
// for /alerts.
func (s *Site) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "reading body", http.StatusBadRequest)
		return
	}
	err = notify.Verify(s.secret, r.Header.Get("X-Handlewatch-Signature"), r.Header.Get("X-Handlewatch-Timestamp"),
		body, s.now(), 5*time.Minute)
	ok := err == nil
	s.mu.Lock()
	s.alerts = append(s.alerts, Alert{At: s.now().UTC(), Verified: ok, Body: string(body)})
	s.mu.Unlock()
	s.log.Info("demo webhook received an alert", zap.Bool("signature_ok", ok),
		zap.String("idempotency_key", r.Header.Get("Idempotency-Key")))
	if !ok {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
