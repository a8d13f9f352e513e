package stix

import (
	"crypto/sha1" //nolint:gosec // UUIDv5 is defined on SHA-1; nothing here is a secret
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// SpecVersion is the STIX version of every object we write.
const SpecVersion = "2.1"

// MediaType is the STIX 2.1 media type, as TAXII manifests name it.
const MediaType = "application/stix+json;version=2.1"

// Timestamp is a STIX timestamp: RFC 3339 in UTC with a 'Z' and
// millisecond precision, which is what partners' parsers expect.
type Timestamp struct{ time.Time }

// TimestampLayout is how every timestamp is written.
const TimestampLayout = "2006-01-02T15:04:05.000Z"

// TS wraps t, truncated to the millisecond so that what we write is what
// we read back.
func TS(t time.Time) Timestamp { return Timestamp{t.UTC().Truncate(time.Millisecond)} }

// TSPtr is TS for an optional property; the zero time is absent.
func TSPtr(t time.Time) *Timestamp {
	if t.IsZero() {
		return nil
	}
	ts := TS(t)
	return &ts
}

func (t Timestamp) String() string { return t.UTC().Format(TimestampLayout) }

func (t Timestamp) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return nil, fmt.Errorf("stix: zero timestamp")
	}
	return json.Marshal(t.String())
}

func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: want a string, got %s", truncate(string(b), 40))
	}
	v, err := ParseTimestamp(s)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}

// ParseTimestamp reads a STIX timestamp: RFC 3339 with a 'Z' offset and any
// number of fraction digits.
func ParseTimestamp(s string) (time.Time, error) {
	if !strings.HasSuffix(s, "Z") {
		return time.Time{}, fmt.Errorf("timestamp %q: must be UTC with a 'Z'", truncate(s, 40))
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: not RFC 3339", truncate(s, 40))
	}
	return v.UTC(), nil
}

// namespace is handlewatch's UUIDv5 namespace: ids derived from it are the
// same on every run, so an object exported twice is one object to a
// partner, and a new version of it keeps its id.
var namespace = [16]byte{0x5b, 0x0e, 0x6e, 0x1c, 0x2f, 0x43, 0x4d, 0x2a, 0x9e, 0x07, 0x6c, 0x55, 0x1b, 0x2e, 0x90, 0x4f}

// ID is the deterministic STIX id of an object of type typ named by name
// (a UUIDv5 in handlewatch's namespace).
func ID(typ, name string) string { return typ + "--" + UUID5(name) }

// UUID5 is the RFC 9562 version 5 UUID of name in handlewatch's namespace.
func UUID5(name string) string {
	h := sha1.New() //nolint:gosec // see the import
	h.Write(namespace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	s := hex.EncodeToString(u[:])
	return s[0:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// ValidID reports whether id is "<type>--<UUID>" for typ ("" for any
// type), the shape the STIX identifier schema asks for.
func ValidID(id, typ string) bool {
	t, u, ok := strings.Cut(id, "--")
	if !ok || (typ != "" && t != typ) || !validType(t) || len(u) != 36 {
		return false
	}
	for i, c := range u {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		case 14:
			if c < '1' || c > '5' {
				return false
			}
		case 19:
			if !strings.ContainsRune("89abAB", c) {
				return false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return false
			}
		}
	}
	return true
}

func validType(t string) bool {
	if len(t) < 3 || len(t) > 250 {
		return false
	}
	for i, c := range t {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' && i > 0 || c == '-' && i > 0 && i < len(t)-1
		if !ok {
			return false
		}
	}
	return true
}

// Identity is the organisation that produced the objects.
type Identity struct {
	Type          string    `json:"type"` // identity
	SpecVersion   string    `json:"spec_version"`
	ID            string    `json:"id"`
	Created       Timestamp `json:"created"`
	Modified      Timestamp `json:"modified"`
	Name          string    `json:"name"`
	IdentityClass string    `json:"identity_class"`
	Contact       string    `json:"contact_information,omitempty"`
}

// NewIdentity is the identity of the organisation name; its id derives
// from the name, so it stays the same across exports.
func NewIdentity(name, contact string, created time.Time) Identity {
	return Identity{Type: "identity", SpecVersion: SpecVersion, ID: ID("identity", "org:"+name),
		Created: TS(created), Modified: TS(created), Name: name, IdentityClass: "organization", Contact: contact}
}

// Indicator says: an account with this login on this app solicits abuse
// material.
type Indicator struct {
	Type              string     `json:"type"` // indicator
	SpecVersion       string     `json:"spec_version"`
	ID                string     `json:"id"`
	CreatedByRef      string     `json:"created_by_ref,omitempty"`
	Created           Timestamp  `json:"created"`
	Modified          Timestamp  `json:"modified"`
	Revoked           bool       `json:"revoked,omitempty"`
	Labels            []string   `json:"labels,omitempty"`
	Confidence        *int       `json:"confidence,omitempty"`
	ObjectMarkingRefs []string   `json:"object_marking_refs,omitempty"`
	Name              string     `json:"name,omitempty"`
	Description       string     `json:"description,omitempty"`
	IndicatorTypes    []string   `json:"indicator_types,omitempty"`
	Pattern           string     `json:"pattern"`
	PatternType       string     `json:"pattern_type"`
	PatternVersion    string     `json:"pattern_version,omitempty"`
	ValidFrom         Timestamp  `json:"valid_from"`
	ValidUntil        *Timestamp `json:"valid_until,omitempty"`
}

// Sighting counts how often we saw what an indicator describes, and where.
type Sighting struct {
	Type              string    `json:"type"` // sighting
	SpecVersion       string    `json:"spec_version"`
	ID                string    `json:"id"`
	CreatedByRef      string    `json:"created_by_ref,omitempty"`
	Created           Timestamp `json:"created"`
	Modified          Timestamp `json:"modified"`
	Revoked           bool      `json:"revoked,omitempty"`
	Confidence        *int      `json:"confidence,omitempty"`
	ObjectMarkingRefs []string  `json:"object_marking_refs,omitempty"`
	FirstSeen         Timestamp `json:"first_seen"`
	LastSeen          Timestamp `json:"last_seen"`
	Count             int64     `json:"count"`
	SightingOfRef     string    `json:"sighting_of_ref"`
	WhereSightedRefs  []string  `json:"where_sighted_refs,omitempty"`
	// SourceKinds are the kinds of public source the posts were on
	// (reddit, mastodon, rss…): a custom property, never the posts.
	SourceKinds []string `json:"x_handlewatch_source_kinds,omitempty"`
	Sources     int64    `json:"x_handlewatch_source_count,omitempty"`
	// Excerpts is set only for a partner the operator allowed to see post
	// text.
	Excerpts []string `json:"x_handlewatch_excerpts,omitempty"`
}

// MaxSightingCount is the largest count a sighting may carry.
const MaxSightingCount = 999999999

// MarkingDefinition is a TLP marking.
type MarkingDefinition struct {
	Type           string            `json:"type"` // marking-definition
	SpecVersion    string            `json:"spec_version"`
	ID             string            `json:"id"`
	Created        Timestamp         `json:"created"`
	DefinitionType string            `json:"definition_type"`
	Name           string            `json:"name"`
	Definition     map[string]string `json:"definition"`
}

// The TLP 1.0 markings predefined by STIX 2.1 (section 7.2.1.4): fixed ids
// every STIX tool knows.
var tlpIDs = map[string]string{
	"white": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
	"green": "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
	"amber": "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
	"red":   "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
}

// TLPLevels lists the TLP levels, least restrictive first.
var TLPLevels = []string{"white", "green", "amber", "red"}

// TLP returns the predefined marking of level (white, green, amber or
// red) and whether level is one.
func TLP(level string) (MarkingDefinition, bool) {
	id, ok := tlpIDs[level]
	if !ok {
		return MarkingDefinition{}, false
	}
	return MarkingDefinition{Type: "marking-definition", SpecVersion: SpecVersion, ID: id,
		Created:        TS(time.Date(2017, 1, 20, 0, 0, 0, 0, time.UTC)),
		DefinitionType: "tlp", Name: "TLP:" + strings.ToUpper(level), Definition: map[string]string{"tlp": level}}, true
}

// Bundle is the STIX container of objects.
type Bundle struct {
	Type    string `json:"type"` // bundle
	ID      string `json:"id"`
	Objects []any  `json:"objects"`
}

// NewBundle wraps objects; the bundle id derives from the object versions,
// so one export written twice is the same bundle.
func NewBundle(objects []any) (Bundle, error) {
	h := sha1.New() //nolint:gosec // see the import
	for _, o := range objects {
		b, err := json.Marshal(o)
		if err != nil {
			return Bundle{}, fmt.Errorf("encoding bundle object: %w", err)
		}
		h.Write(b)
	}
	if objects == nil {
		objects = []any{}
	}
	return Bundle{Type: "bundle", ID: "bundle--" + UUID5(hex.EncodeToString(h.Sum(nil))), Objects: objects}, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
