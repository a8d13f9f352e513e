package hotline

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// ErrNotConfirmed: only a case a moderator confirmed gets a draft.
var ErrNotConfirmed = errors.New("hotline: drafts are for confirmed cases only")

// CyberTipline incident types used here (the report's incidentType
// values).
const (
	IncidentEnticement = "Online Enticement of Children for Sexual Acts"
	IncidentCSAM       = "Child Pornography (possession, manufacture, and distribution)"
)

// Notice heads every draft.
const Notice = "DRAFT for a moderator to review and file by hand. handlewatch is not the service provider " +
	"of these posts and never submits reports itself. Text only: no media was fetched or stored."

// MaxEvidence is how many sightings a draft quotes.
const MaxEvidence = 10

// Draft is a hotline report draft for one case.
type Draft struct {
	CaseID    string    `json:"case_id"`
	Notice    string    `json:"notice"`
	Generated time.Time `json:"generated"`
	Report    Report    `json:"report"`
	// Evidence quotes the newest sightings, with matched parts between
	// ⟦ and ⟧, for the report's free-text fields.
	Evidence []Evidence `json:"evidence"`
}

// Report mirrors the CyberTipline report's elements (names as in its
// schema), restricted to what a text-only third-party report can fill.
type Report struct {
	IncidentSummary      IncidentSummary      `json:"incidentSummary"`
	InternetDetails      []InternetDetails    `json:"internetDetails"`
	PersonOrUserReported PersonOrUserReported `json:"personOrUserReported"`
	AdditionalInfo       string               `json:"additionalInfo"`
}

// IncidentSummary is the report's incidentSummary.
type IncidentSummary struct {
	IncidentType      string    `json:"incidentType"`
	ReportAnnotations []string  `json:"reportAnnotations"`
	IncidentDateTime  time.Time `json:"incidentDateTime"`
	// IncidentDateTimeDescription says which date that is.
	IncidentDateTimeDescription string `json:"incidentDateTimeDescription"`
}

// InternetDetails holds one incident of the report's internetDetails.
type InternetDetails struct {
	WebPageIncident *WebPageIncident `json:"webPageIncident,omitempty"`
	ChatImIncident  *ChatImIncident  `json:"chatImIncident,omitempty"`
}

// WebPageIncident lists the pages where the handle was advertised.
type WebPageIncident struct {
	URL                     []string `json:"url"`
	ThirdPartyHostedContent bool     `json:"thirdPartyHostedContent"`
	AdditionalInfo          string   `json:"additionalInfo,omitempty"`
}

// ChatImIncident names the messaging app the handle belongs to.
type ChatImIncident struct {
	ChatClient     string `json:"chatClient"`
	AdditionalInfo string `json:"additionalInfo,omitempty"`
}

// PersonOrUserReported is the account behind the handle.
type PersonOrUserReported struct {
	ESPService             string   `json:"espService"`
	ScreenName             string   `json:"screenName"`
	ProfileURL             []string `json:"profileUrl,omitempty"`
	ThirdPartyUserReported bool     `json:"thirdPartyUserReported"`
	AdditionalInfo         string   `json:"additionalInfo,omitempty"`
}

// Evidence is one quoted sighting.
type Evidence struct {
	Permalink string    `json:"permalink,omitempty"`
	Source    string    `json:"source"`
	Author    string    `json:"author,omitempty"`
	PostedAt  time.Time `json:"posted_at,omitzero"`
	SeenAt    time.Time `json:"seen_at"`
	Text      string    `json:"text"`
}

// New drafts the report for c, which must be confirmed and carry its
// sightings (as cases.Store.Get returns them). dashboard is the case's
// URL in handlewatch, for the moderator's own reference.
func New(c *cases.Case, dashboard string, now time.Time) (*Draft, error) {
	if c.Status != cases.StatusConfirmed {
		return nil, ErrNotConfirmed
	}
	service := ServiceName(c.App)
	d := &Draft{CaseID: c.ID, Notice: Notice, Generated: now.UTC()}
	var urls []string
	for _, s := range c.Recent {
		if s.Permalink != "" && !slices.Contains(urls, s.Permalink) {
			urls = append(urls, s.Permalink)
		}
		if len(d.Evidence) < MaxEvidence {
			d.Evidence = append(d.Evidence, Evidence{Permalink: s.Permalink, Source: s.Source, Author: s.Author,
				PostedAt: s.PostedAt, SeenAt: s.SeenAt, Text: mark(s.Excerpt)})
		}
	}
	incident, why := incidentType(c)
	d.Report = Report{
		IncidentSummary: IncidentSummary{
			IncidentType:                incident,
			ReportAnnotations:           []string{"csamSolicitation"},
			IncidentDateTime:            c.FirstSeen.UTC(),
			IncidentDateTimeDescription: "first seen by handlewatch (UTC); last seen " + c.LastSeen.UTC().Format(time.RFC3339),
		},
		InternetDetails: []InternetDetails{
			{WebPageIncident: &WebPageIncident{URL: urls, ThirdPartyHostedContent: true,
				AdditionalInfo: fmt.Sprintf("Public posts advertising a %s contact with CSAM solicitation language: %s on %s by %s.",
					service, plural(c.Sightings, "post"), plural(c.Sources, "source"), plural(c.Authors, "author"))}},
			{ChatImIncident: &ChatImIncident{ChatClient: service,
				AdditionalInfo: "The posts invite readers to make contact on " + service + "; the conversation itself was not observed."}},
		},
		PersonOrUserReported: PersonOrUserReported{
			ESPService: service, ScreenName: c.Handle, ProfileURL: ProfileURLs(c.App, c.Handle),
			ThirdPartyUserReported: true,
			AdditionalInfo:         "Handle as advertised in the posts; the " + service + " account was not contacted.",
		},
		AdditionalInfo: additionalInfo(c, why, dashboard),
	}
	if d.Report.InternetDetails[0].WebPageIncident.URL == nil {
		d.Report.InternetDetails[0].WebPageIncident.URL = []string{}
	}
	return d, nil
}

// incidentType picks the best fitting type: posts that offer or trade
// material are distribution; anything else is enticement, the type the
// CyberTipline uses for contact invitations around child sexual abuse.
func incidentType(c *cases.Case) (string, string) {
	for _, s := range c.Recent {
		if slices.Contains(s.Categories, "offer") || slices.Contains(s.Categories, "trade") {
			return IncidentCSAM, "posts offer or trade material (signal categories offer/trade)"
		}
	}
	return IncidentEnticement, "posts invite contact around child sexual abuse material"
}

func additionalInfo(c *cases.Case, why, dashboard string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Incident type chosen because the %s. ", why)
	fmt.Fprintf(&b, "Highest severity %s (score %.2f). ", c.Severity, c.Score)
	if c.Decision != nil {
		fmt.Fprintf(&b, "Confirmed by moderator %s on %s", c.Decision.Actor, c.Decision.At.UTC().Format(time.RFC3339))
		if c.Decision.Reason != "" {
			fmt.Fprintf(&b, ": %s", c.Decision.Reason)
		}
		b.WriteString(". ")
	}
	fmt.Fprintf(&b, "Internal reference: %s (%s).", c.ID, dashboard)
	return b.String()
}

func mark(ex wire.Excerpt) string {
	var b strings.Builder
	at := 0
	for _, s := range cases.MergeSpans(ex.Text, ex.Spans) {
		b.WriteString(ex.Text[at:s.Start] + "⟦" + ex.Text[s.Start:s.End] + "⟧")
		at = s.End
	}
	b.WriteString(ex.Text[at:])
	return b.String()
}

var serviceNames = map[string]string{
	"wickr": "Wickr", "telegram": "Telegram", "kik": "Kik", "session": "Session", "signal": "Signal",
	"snapchat": "Snapchat", "whatsapp": "WhatsApp", "discord": "Discord", "threema": "Threema",
	"matrix": "Matrix", "simplex": "SimpleX Chat", "wire": "Wire", "teleguard": "TeleGuard", "tox": "Tox",
	"briar": "Briar", "viber": "Viber", "line": "LINE", "wechat": "WeChat", "skype": "Skype",
}

// ServiceName is the app's name as its operator writes it.
func ServiceName(app string) string {
	if n, ok := serviceNames[app]; ok {
		return n
	}
	return app
}

// ProfileURLs returns the app's public link for a handle, where the app
// has one that does not need an account to resolve.
func ProfileURLs(app, handle string) []string {
	esc := url.PathEscape(handle)
	switch app {
	case "telegram":
		return []string{"https://t.me/" + esc}
	case "kik":
		return []string{"https://kik.me/" + esc}
	case "snapchat":
		return []string{"https://www.snapchat.com/add/" + esc}
	case "whatsapp":
		digits := strings.TrimPrefix(handle, "+")
		if digits != "" && strings.Trim(digits, "0123456789") == "" {
			return []string{"https://wa.me/" + digits}
		}
	case "discord":
		return []string{"https://discord.gg/" + esc}
	case "matrix":
		if strings.HasPrefix(handle, "@") || strings.HasPrefix(handle, "#") {
			return []string{"https://matrix.to/#/" + handle}
		}
	case "line":
		return []string{"https://line.me/ti/p/~" + esc}
	}
	return nil
}

// Text renders the draft for hotlines without an API and the CyberTipline
// web form: one labelled field a line, evidence quoted below.
func (d *Draft) Text() string {
	var b strings.Builder
	r := &d.Report
	line := func(k, v string) { fmt.Fprintf(&b, "%s: %s\n", k, oneLine(v)) }
	b.WriteString(wrap(d.Notice) + "\n\n")
	line("Case", d.CaseID)
	line("Generated", d.Generated.Format(time.RFC3339))
	b.WriteString("\nINCIDENT\n")
	line("Incident type", r.IncidentSummary.IncidentType)
	line("Report annotations", strings.Join(r.IncidentSummary.ReportAnnotations, ", "))
	line("Incident date/time", r.IncidentSummary.IncidentDateTime.Format(time.RFC3339)+" ("+r.IncidentSummary.IncidentDateTimeDescription+")")
	b.WriteString("\nREPORTED USER (third party)\n")
	p := &r.PersonOrUserReported
	line("Service", p.ESPService)
	line("Screen name", p.ScreenName)
	for _, u := range p.ProfileURL {
		line("Profile URL", u)
	}
	line("Note", p.AdditionalInfo)
	b.WriteString("\nWHERE IT WAS ADVERTISED (third-party hosted)\n")
	for _, id := range r.InternetDetails {
		if w := id.WebPageIncident; w != nil {
			for _, u := range w.URL {
				line("URL", u)
			}
			line("Note", w.AdditionalInfo)
		}
		if c := id.ChatImIncident; c != nil {
			line("Chat client", c.ChatClient)
			line("Note", c.AdditionalInfo)
		}
	}
	b.WriteString("\nADDITIONAL INFORMATION\n" + wrap(r.AdditionalInfo) + "\n")
	b.WriteString("\nEVIDENCE (text of the posts, matched parts between ⟦ and ⟧)\n")
	for i, e := range d.Evidence {
		fmt.Fprintf(&b, "\n[%d] %s, posted %s by %s\n", i+1, oneLine(e.Source), when(e.PostedAt, e.SeenAt), orUnknown(oneLine(e.Author)))
		if e.Permalink != "" {
			b.WriteString("    " + oneLine(e.Permalink) + "\n")
		}
		for _, l := range strings.Split(e.Text, "\n") {
			b.WriteString("    > " + l + "\n")
		}
	}
	return b.String()
}

func when(posted, seen time.Time) string {
	if posted.IsZero() {
		return "(seen " + seen.UTC().Format(time.RFC3339) + ")"
	}
	return posted.UTC().Format(time.RFC3339)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown author"
	}
	return s
}

func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// wrap breaks prose at 78 columns.
func wrap(s string) string {
	var b strings.Builder
	col := 0
	for i, w := range strings.Fields(s) {
		if i > 0 {
			if col+1+len(w) > 78 {
				b.WriteByte('\n')
				col = 0
			} else {
				b.WriteByte(' ')
				col++
			}
		}
		b.WriteString(w)
		col += len(w)
	}
	return b.String()
}

func plural(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
