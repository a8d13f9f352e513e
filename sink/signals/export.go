package signals

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/handlewatch/handlewatch/internal/stix"
	"github.com/handlewatch/handlewatch/internal/taxii"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// CaseReader is what export needs of the case store.
type CaseReader interface {
	Get(ctx context.Context, id string) (*cases.Case, error)
	List(ctx context.Context, q cases.Query) (cases.Page, error)
}

// identityEpoch is the created time of the identity and the version of
// it: a constant, so the identity never looks changed.
var identityEpoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// MaxExcerpts is how many excerpts a text-enabled partner gets per case.
const MaxExcerpts = 3

// View says what one reader may see.
type View struct {
	Collection  *CollectionConfig // nil: every confirmed case
	IncludeText bool
	Since       time.Time // only object versions at or after
}

// Exporter turns confirmed cases into STIX objects.
type Exporter struct {
	cfg   Config
	cases CaseReader
}

// NewExporter builds the exporter of cfg (after WithDefaults).
func NewExporter(cfg Config, cs CaseReader) *Exporter { return &Exporter{cfg: cfg, cases: cs} }

func (x *Exporter) identity() stix.Identity {
	return stix.NewIdentity(x.cfg.Organisation, x.cfg.Contact, identityEpoch)
}

// Objects returns the objects v may see as TAXII objects: per shared case
// an indicator and a sighting, then our identity and the TLP marking. The
// identity and marking carry the newest date_added of the rest, so that a
// poller that receives anything new also receives who made it and how it
// may be shared.
func (x *Exporter) Objects(ctx context.Context, v View) ([]taxii.Object, error) {
	shared, err := x.sharedCases(ctx, v.Collection)
	if err != nil {
		return nil, err
	}
	org := x.identity()
	tlp, _ := stix.TLP(x.cfg.TLP)
	var out []taxii.Object
	newest := time.Time{}
	for _, c := range shared {
		ind, sg := x.objectsOf(c, org.ID, tlp.ID, v.IncludeText)
		for _, o := range []struct {
			id, typ string
			ver     time.Time
			v       any
		}{{ind.ID, ind.Type, ind.Modified.Time, ind}, {sg.ID, sg.Type, sg.Modified.Time, sg}} {
			if o.ver.Before(v.Since) {
				continue
			}
			raw, err := json.Marshal(o.v)
			if err != nil {
				return nil, fmt.Errorf("encoding %s: %w", o.id, err)
			}
			out = append(out, taxii.Object{ID: o.id, Type: o.typ, Version: o.ver, DateAdded: o.ver, Raw: raw})
			if o.ver.After(newest) {
				newest = o.ver
			}
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	for _, o := range []struct {
		id, typ string
		v       any
	}{{org.ID, org.Type, org}, {tlp.ID, tlp.Type, tlp}} {
		raw, err := json.Marshal(o.v)
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", o.id, err)
		}
		out = append(out, taxii.Object{ID: o.id, Type: o.typ, Version: identityEpoch, DateAdded: newest, Raw: raw})
	}
	return out, nil
}

// Bundle is every object v may see, as a STIX bundle.
func (x *Exporter) Bundle(ctx context.Context, v View) (stix.Bundle, error) {
	objs, err := x.Objects(ctx, v)
	if err != nil {
		return stix.Bundle{}, err
	}
	sort.Slice(objs, func(i, j int) bool { return objs[i].ID < objs[j].ID })
	var vals []any
	for _, o := range objs {
		vals = append(vals, o.Raw)
	}
	return stix.NewBundle(vals)
}

// shareable is a case with what its export needs.
type shareable struct {
	c           *cases.Case
	confirmedAt time.Time // first confirmation we know of
	revoked     bool
}

// sharedCases are the cases a moderator confirmed and that we sighted
// ourselves (an accepted import with no sighting of ours is the
// partner's, not ours to re-share), and those confirmed once and since
// dismissed or cleared: they go out revoked.
func (x *Exporter) sharedCases(ctx context.Context, col *CollectionConfig) ([]shareable, error) {
	var out []shareable
	minSev := wire.Severity("")
	if col != nil && col.MinSeverity != "" {
		minSev, _ = wire.ParseSeverity(col.MinSeverity)
	}
	for _, st := range []cases.Status{cases.StatusConfirmed, cases.StatusDismissed, cases.StatusCleared} {
		q := cases.Query{Status: st, Limit: cases.MaxLimit}
		for range 10000 { // at most 5 million cases per status
			p, err := x.cases.List(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("listing %s cases: %w", st, err)
			}
			for _, c := range p.Cases {
				if c.Sightings == 0 || c.Decision == nil {
					continue
				}
				if col != nil && len(col.Apps) > 0 && !slices.Contains(col.Apps, c.App) {
					continue
				}
				if minSev != "" && c.Severity.Rank() < minSev.Rank() {
					continue
				}
				full, err := x.cases.Get(ctx, c.ID)
				if err != nil {
					return nil, fmt.Errorf("reading case %s: %w", c.ID, err)
				}
				at, ok := firstConfirm(full)
				if !ok {
					continue // dismissed or cleared, never confirmed: never shared
				}
				out = append(out, shareable{c: full, confirmedAt: at, revoked: st != cases.StatusConfirmed})
			}
			if !p.More {
				break
			}
			q.Offset += len(p.Cases)
		}
	}
	return out, nil
}

// firstConfirm is when the case was first confirmed, from its history
// (the decision in force when that is a confirmation).
func firstConfirm(c *cases.Case) (time.Time, bool) {
	for _, e := range c.History {
		if e.Type == wire.EventDecision && e.What == string(wire.DecisionConfirm) {
			return e.At, true
		}
	}
	if c.Decision != nil && c.Decision.Decision == wire.DecisionConfirm {
		return c.Decision.At, true
	}
	return time.Time{}, false
}

// objectsOf builds the indicator and the sighting of one case. Their ids
// derive from our organisation and the case, so every export names the
// same objects and a change is a new version; their versions derive from
// the case alone, so an unchanged case exports byte for byte the same.
func (x *Exporter) objectsOf(s shareable, orgID, tlpID string, withText bool) (stix.Indicator, stix.Sighting) {
	c := s.c
	decided := c.Decision.At
	created := s.confirmedAt
	if decided.Before(created) {
		decided = created
	}
	conf := confidence(c)
	until := stix.TS(decided.Add(x.cfg.ValidFor.D()))
	markings := []string{tlpID}
	name := x.cfg.Organisation + "|" + c.ID
	labels := []string{"csam-solicitation"}
	var kinds, excerpts []string
	for _, sg := range c.Recent {
		if !sg.SeenAt.After(decided) {
			for _, cat := range sg.Categories {
				if !slices.Contains(labels, cat) {
					labels = append(labels, cat)
				}
			}
		}
		if sg.SourceKind != "" && !slices.Contains(kinds, sg.SourceKind) {
			kinds = append(kinds, sg.SourceKind)
		}
		if withText && len(excerpts) < MaxExcerpts && sg.Excerpt.Text != "" {
			excerpts = append(excerpts, sg.Excerpt.Text)
		}
	}
	sort.Strings(labels[1:])
	sort.Strings(kinds)
	if c.Severity != "" {
		labels = append(labels, "severity-"+string(c.Severity))
	}
	ind := stix.Indicator{Type: "indicator", SpecVersion: stix.SpecVersion, ID: stix.ID("indicator", name),
		CreatedByRef: orgID, Created: stix.TS(created), Modified: stix.TS(decided), Revoked: s.revoked,
		Labels: labels, Confidence: &conf, ObjectMarkingRefs: markings,
		Name:           c.App + " account advertised with abuse-material solicitation",
		Description:    "A moderator confirmed that this " + c.App + " account was advertised in public posts soliciting or offering child sexual abuse material.",
		IndicatorTypes: []string{"malicious-activity"},
		Pattern:        stix.AccountPattern(c.App, c.Handle), PatternType: "stix", PatternVersion: "2.1",
		ValidFrom: stix.TS(created), ValidUntil: &until}
	// The sighting changes as posts keep coming; its version is the
	// latest of the decision and the last sighting.
	ver := decided
	if c.LastSeen.After(ver) {
		ver = c.LastSeen
	}
	first, last := c.FirstSeen, c.LastSeen
	if first.IsZero() {
		first = created
	}
	if last.Before(first) {
		last = first
	}
	sg := stix.Sighting{Type: "sighting", SpecVersion: stix.SpecVersion, ID: stix.ID("sighting", name),
		CreatedByRef: orgID, Created: stix.TS(created), Modified: stix.TS(ver), Revoked: s.revoked,
		Confidence: &conf, ObjectMarkingRefs: markings,
		FirstSeen: stix.TS(first), LastSeen: stix.TS(last), Count: min(c.Sightings, stix.MaxSightingCount),
		SightingOfRef: ind.ID, WhereSightedRefs: []string{orgID}, SourceKinds: kinds, Sources: c.Sources,
		Excerpts: excerpts}
	return ind, sg
}

// confidence is the case's score as STIX confidence (0-100); a human
// confirmed it, so never below 50.
func confidence(c *cases.Case) int {
	v := int(math.Round(c.Score * 100))
	return max(50, min(100, v))
}

// CollectionID is the TAXII id of the collection named name, or "".
func (x *Exporter) CollectionID(name string) string {
	for _, c := range x.cfg.Collections {
		if c.Name == name {
			return c.ID
		}
	}
	return ""
}
