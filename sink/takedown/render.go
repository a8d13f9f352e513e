package takedown

import (
	"bytes"
	"embed"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"text/template"
	"time"
	"unicode/utf8"
)

//go:embed templates/*.tmpl
var builtinTemplates embed.FS

// NoticeData is what a notice template sees. It names what was found and
// where, never more crawled text than Excerpt (cut to excerpt_max, and
// only in e-mail notices by default), and never media.
type NoticeData struct {
	RequestID  string
	Target     string
	Operator   string
	Contact    string
	App        string
	Handle     string
	CaseID     string
	Source     string
	SourceKind string
	Permalink  string   // kind post
	Permalinks []string // kind handle: where the handle was seen (at most 10)
	Categories []string
	Severity   string
	Excerpt    string
	Notice     int  // 1 for the first notice
	Renotice   bool // Notice > 1
	// FirstSentAt is when the first notice went out (zero before).
	FirstSentAt time.Time
	Now         time.Time
}

var templateFuncs = template.FuncMap{
	"join": strings.Join,
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"cut": cutRunes,
}

// templates of one target: the notice body and, for e-mail, the subject.
type templates struct {
	body, subject *template.Template
}

func loadTemplates(t TargetConfig, key string) (templates, error) {
	name := t.Channel
	var out templates
	text := t.Template
	if t.TemplateFile != "" {
		b, err := os.ReadFile(t.TemplateFile)
		if err != nil {
			return out, fmt.Errorf("%s.template_file: %w", key, err)
		}
		text = string(b)
	}
	if text == "" {
		b, err := builtinTemplates.ReadFile("templates/" + name + ".tmpl")
		if err != nil {
			return out, fmt.Errorf("%s.channel: no built-in template for %s", key, name)
		}
		text = string(b)
	}
	body, err := template.New(name).Funcs(templateFuncs).Option("missingkey=error").Parse(text)
	if err != nil {
		return out, fmt.Errorf("%s.template: %w", key, err)
	}
	out.body = body
	if t.Channel == ChannelEmail || t.Channel == ChannelAppAbuse {
		subj := t.SubjectTemplate
		if subj == "" {
			b, err := builtinTemplates.ReadFile("templates/" + name + "_subject.tmpl")
			if err != nil {
				return out, fmt.Errorf("%s.subject_template: no built-in subject for %s", key, name)
			}
			subj = string(b)
		}
		st, err := template.New(name + "_subject").Funcs(templateFuncs).Parse(subj)
		if err != nil {
			return out, fmt.Errorf("%s.subject_template: %w", key, err)
		}
		out.subject = st
	}
	// Render a sample now, so a template that fails on real data fails at
	// start-up and not on the first finding.
	sample := NoticeData{RequestID: "td-sample", Target: t.Name, Operator: "op", App: "telegram",
		Handle: "placeholder_01", Source: "s", SourceKind: "k", Permalink: "https://example.invalid/p/1",
		Permalinks: []string{"https://example.invalid/p/1"}, Categories: []string{"offer"},
		Severity: "high", Notice: 1, Now: time.Unix(0, 0)}
	if _, _, err := out.render(sample); err != nil {
		return out, fmt.Errorf("%s.template: %w", key, err)
	}
	return out, nil
}

func (t templates) render(d NoticeData) (body, subject string, err error) {
	var b bytes.Buffer
	if err := t.body.Execute(&b, d); err != nil {
		return "", "", fmt.Errorf("rendering notice: %w", err)
	}
	body = strings.TrimSpace(b.String())
	if t.subject != nil {
		b.Reset()
		if err := t.subject.Execute(&b, d); err != nil {
			return "", "", fmt.Errorf("rendering subject: %w", err)
		}
		// One line: a template's newline must not become a header break.
		subject = strings.Join(strings.Fields(b.String()), " ")
	}
	return body, subject, nil
}

// cutRunes shortens s to at most n characters, marking the cut with "…".
func cutRunes(n int, s string) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// excerpt flattens crawled text to one line and cuts it.
func excerpt(s string, n int) string { return cutRunes(n, strings.Join(strings.Fields(s), " ")) }

// notice is a rendered template and what it was rendered from.
type notice struct {
	text    string // the body (report comment, reason, e-mail text)
	subject string // e-mail only
	data    NoticeData
}

// rendered is one notice exactly as it goes out, without credentials.
type rendered struct {
	// HTTP channels.
	method string
	url    string
	header http.Header
	body   []byte
	// E-mail channels.
	from    string
	to      []string
	message []byte
}

// String is the notice as recorded in the sent event (and in shadow mode):
// the request line, headers and body, or the envelope and message.
func (r rendered) String() string {
	var b strings.Builder
	if r.message != nil {
		fmt.Fprintf(&b, "MAIL FROM:<%s>\n", r.from)
		for _, to := range r.to {
			fmt.Fprintf(&b, "RCPT TO:<%s>\n", to)
		}
		b.WriteString("\n")
		b.Write(r.message)
		return b.String()
	}
	fmt.Fprintf(&b, "%s %s\n", r.method, r.url)
	keys := make([]string, 0, len(r.header))
	for k := range r.header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range r.header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
	b.Write(r.body)
	return b.String()
}
