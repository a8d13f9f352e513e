package links

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/handlewatch/handlewatch/sink/cases"
)

// Kind is what two cases share.
type Kind string

const (
	KindHandle  Kind = "handle"  // the same handle value on another app
	KindAuthor  Kind = "author"  // the same author on the same source
	KindProfile Kind = "profile" // the same profile link in the posts
	KindInvite  Kind = "invite"  // the same invite link in the posts
	KindPost    Kind = "post"    // advertised in the same post
)

// Via is one thing shared.
type Via struct {
	Kind  Kind   `json:"kind"`
	Value string `json:"value"`
}

// Node is a case in the graph.
type Node struct {
	CaseID    string       `json:"case_id"`
	App       string       `json:"app"`
	Handle    string       `json:"handle"`
	Status    cases.Status `json:"status"`
	Severity  string       `json:"severity,omitempty"`
	Sightings int64        `json:"sightings"`
	Sources   []string     `json:"sources,omitempty"` // of the kept sightings
}

// Link is another case and what it shares with the case.
type Link struct {
	Node
	Via []Via `json:"via"`
}

// Graph is a case and its links, strongest first.
type Graph struct {
	Case  Node   `json:"case"`
	Links []Link `json:"links"`
	// Scanned is how many cases were compared; Truncated says the scan
	// stopped at its bound before the oldest case.
	Scanned   int  `json:"scanned"`
	Truncated bool `json:"truncated,omitempty"`
}

// Store is what linking needs of the case store.
type Store interface {
	Get(ctx context.Context, id string) (*cases.Case, error)
	List(ctx context.Context, q cases.Query) (cases.Page, error)
}

// DefaultMaxScan bounds the cases compared per request.
const DefaultMaxScan = 5000

// Find links c (with its sightings, as Get returns it) to the other cases,
// comparing at most maxScan of them (DefaultMaxScan when 0).
func Find(ctx context.Context, st Store, c *cases.Case, maxScan int) (Graph, error) {
	if maxScan <= 0 {
		maxScan = DefaultMaxScan
	}
	g := Graph{Case: nodeOf(c)}
	mine := Keys(c)
	q := cases.Query{Limit: cases.MaxLimit}
	for {
		p, err := st.List(ctx, q)
		if err != nil {
			return Graph{}, fmt.Errorf("listing cases to link %s: %w", c.ID, err)
		}
		for _, o := range p.Cases {
			if o.ID == c.ID {
				continue
			}
			if g.Scanned == maxScan {
				g.Truncated = true
				break
			}
			g.Scanned++
			var via []Via
			if o.Handle == c.Handle && o.App != c.App {
				via = append(via, Via{KindHandle, c.Handle})
			}
			// Only the handle can be read off the listing; the rest
			// needs the sightings.
			full, err := st.Get(ctx, o.ID)
			if err != nil {
				return Graph{}, fmt.Errorf("reading case %s: %w", o.ID, err)
			}
			for k := range Keys(full) {
				if mine[k] && k.Kind != KindHandle {
					via = append(via, k)
				}
			}
			if len(via) > 0 {
				sortVia(via)
				g.Links = append(g.Links, Link{Node: nodeOf(full), Via: via})
			}
		}
		if !p.More || g.Truncated {
			break
		}
		q.Offset += len(p.Cases)
	}
	sort.SliceStable(g.Links, func(i, j int) bool {
		if len(g.Links[i].Via) != len(g.Links[j].Via) {
			return len(g.Links[i].Via) > len(g.Links[j].Via)
		}
		return g.Links[i].CaseID < g.Links[j].CaseID
	})
	return g, nil
}

func sortVia(v []Via) {
	sort.Slice(v, func(i, j int) bool {
		if v[i].Kind != v[j].Kind {
			return v[i].Kind < v[j].Kind
		}
		return v[i].Value < v[j].Value
	})
}

func nodeOf(c *cases.Case) Node {
	n := Node{CaseID: c.ID, App: c.App, Handle: c.Handle, Status: c.Status, Severity: string(c.Severity), Sightings: c.Sightings}
	for _, s := range c.Recent {
		if s.Source != "" && !slices.Contains(n.Sources, s.Source) {
			n.Sources = append(n.Sources, s.Source)
		}
	}
	sort.Strings(n.Sources)
	return n
}

// Keys is everything about c that could tie it to another case.
func Keys(c *cases.Case) map[Via]bool {
	out := map[Via]bool{}
	if c.Handle != "" {
		out[Via{KindHandle, c.Handle}] = true
	}
	for _, s := range c.Recent {
		if s.Author != "" {
			out[Via{KindAuthor, s.Source + "/" + s.Author}] = true
		}
		if s.PostID != "" {
			out[Via{KindPost, s.Source + "/" + s.PostID}] = true
		}
		for _, l := range LinksIn(s.Excerpt.Text) {
			out[l] = true
		}
	}
	return out
}

var linkRE = regexp.MustCompile(`(?i)\b(?:https?://)?(?:www\.)?(?:t\.me|telegram\.me|discord\.gg|discord\.com/invite|chat\.whatsapp\.com|wa\.me|signal\.group|signal\.me|join\.skype\.com|line\.me|matrix\.to|simplex\.chat|linktr\.ee|session\.chat)/[^\s<>"'()\[\]{}]+|https?://[^\s<>"'()\[\]{}]+`)

// invite link shapes: what joins a group rather than names a person.
var invitePrefixes = []string{"t.me/+", "t.me/joinchat/", "telegram.me/joinchat/", "discord.gg/", "discord.com/invite/",
	"chat.whatsapp.com/", "signal.group/", "join.skype.com/", "line.me/ti/g/", "simplex.chat/invitation", "simplex.chat/contact"}

// LinksIn finds the profile and invite links in text, normalised: no
// scheme, no "www.", the host lowercased, trailing punctuation dropped.
// Invite codes keep their case (they are case-sensitive); profile paths
// are lowercased (usernames are not).
func LinksIn(text string) []Via {
	var out []Via
	for _, m := range linkRE.FindAllString(text, 20) {
		m = strings.TrimRight(m, ".,;:!?…")
		s := m
		if !strings.Contains(s, "://") {
			s = "https://" + s
		}
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			continue
		}
		host := strings.TrimPrefix(strings.ToLower(u.Host), "www.")
		path := strings.TrimRight(u.EscapedPath(), "/")
		if path == "" {
			continue
		}
		v := host + path
		kind := KindProfile
		for _, p := range invitePrefixes {
			if strings.HasPrefix(strings.ToLower(v), p) {
				kind = KindInvite
			}
		}
		if kind == KindProfile {
			v = strings.ToLower(v)
		}
		out = append(out, Via{kind, v})
	}
	return out
}
