package source

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// maxLinkLen bounds one link: no real outbound link comes near it.
const maxLinkLen = 2048

// CleanLinks keeps absolute http(s) links that are not media, once each,
// in order, and reports how many media links it dropped.
func CleanLinks(links []string) ([]string, int) {
	var out []string
	media := 0
	seen := make(map[string]bool, len(links))
	for _, l := range links {
		l = strings.TrimSpace(l)
		if len(l) > maxLinkLen || !utf8.ValidString(l) {
			continue
		}
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			continue
		}
		if IsMediaURL(l) {
			media++
			continue
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out, media
}

// FinishPost applies the post invariants every adapter owes the wire
// contract, whatever its source: valid UTF-8 and clean text (CleanText),
// no media URL in the text or the links (each one removed from the text
// is counted in Attachments; media links were counted when reduced),
// links absolute, unique and non-media. It is idempotent.
func FinishPost(p *wire.Post) {
	p.Schema = wire.SchemaVersion
	text, n := ScrubMedia(strings.ToValidUTF8(p.Text, "\uFFFD"))
	p.Text = CleanText(text)
	p.Links, _ = CleanLinks(p.Links)
	p.Attachments = max(p.Attachments, 0) + n
	p.Author = CleanText(p.Author)
	p.Lang = strings.ToValidUTF8(p.Lang, "")
	if !p.CreatedAt.IsZero() {
		p.CreatedAt = p.CreatedAt.UTC()
	}
	if !p.FetchedAt.IsZero() {
		p.FetchedAt = p.FetchedAt.UTC()
	}
}
