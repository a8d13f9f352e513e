package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ObjectError is one object of a partner's bundle that could not be used,
// named by its id (or its position when it has none).
type ObjectError struct {
	Index int
	ID    string
	Err   error
}

func (e *ObjectError) Error() string {
	if e.ID != "" {
		return fmt.Sprintf("object %d (%s): %v", e.Index, e.ID, e.Err)
	}
	return fmt.Sprintf("object %d: %v", e.Index, e.Err)
}

func (e *ObjectError) Unwrap() error { return e.Err }

// Head is what every object of a bundle has.
type Head struct {
	Type        string `json:"type"`
	SpecVersion string `json:"spec_version"`
	ID          string `json:"id"`
}

// MaxObjects bounds a bundle: more is refused whole rather than read half.
const MaxObjects = 100000

// SplitObjects reads a STIX bundle (or a TAXII envelope: any object with
// an "objects" array) and returns its objects undecoded.
func SplitObjects(data []byte) ([]json.RawMessage, error) {
	var env struct {
		Type    string            `json:"type"`
		Objects []json.RawMessage `json:"objects"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&env); err != nil {
		return nil, fmt.Errorf("reading bundle: %w", err)
	}
	if dec.More() {
		return nil, errors.New("reading bundle: trailing data after the JSON object")
	}
	if env.Type != "" && env.Type != "bundle" {
		return nil, fmt.Errorf("reading bundle: type is %q, not bundle", env.Type)
	}
	if len(env.Objects) > MaxObjects {
		return nil, fmt.Errorf("reading bundle: %d objects, more than %d", len(env.Objects), MaxObjects)
	}
	return env.Objects, nil
}

// HeadOf decodes the common head of an object and checks it.
func HeadOf(raw json.RawMessage) (Head, error) {
	var h Head
	if err := json.Unmarshal(raw, &h); err != nil {
		return h, fmt.Errorf("not a JSON object with type and id: %w", err)
	}
	switch {
	case h.Type == "":
		return h, errors.New("missing type")
	case !ValidID(h.ID, h.Type):
		return h, fmt.Errorf("id %q is not %s--<UUID>", truncate(h.ID, 80), h.Type)
	case h.Type != "marking-definition" && h.SpecVersion != SpecVersion:
		// STIX 2.0 objects carry no spec_version; their patterns and
		// properties differ enough that guessing would be wrong.
		return h, fmt.Errorf("spec_version %q: only 2.1 is read", h.SpecVersion)
	}
	return h, nil
}

// Account is an indicator of one messaging account, as read from a
// partner.
type Account struct {
	ID          string
	CreatedBy   string
	AccountType string // the app, as the partner wrote it
	Login       string
	Confidence  int // 0 to 100; -1 when the partner gave none
	Labels      []string
	Modified    time.Time
	ValidFrom   time.Time
	ValidUntil  time.Time // zero: no end
	Revoked     bool
}

// ReadIndicator decodes an indicator of a messaging account and checks
// what acting on it needs.
func ReadIndicator(raw json.RawMessage) (Account, error) {
	var in struct {
		ID           string     `json:"id"`
		CreatedByRef string     `json:"created_by_ref"`
		Created      *Timestamp `json:"created"`
		Modified     *Timestamp `json:"modified"`
		Revoked      bool       `json:"revoked"`
		Labels       []string   `json:"labels"`
		Confidence   *int       `json:"confidence"`
		Pattern      string     `json:"pattern"`
		PatternType  string     `json:"pattern_type"`
		ValidFrom    *Timestamp `json:"valid_from"`
		ValidUntil   *Timestamp `json:"valid_until"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return Account{}, fmt.Errorf("decoding indicator: %w", err)
	}
	switch {
	case in.Created == nil || in.Modified == nil:
		return Account{}, errors.New("created and modified are required")
	case in.Modified.Before(in.Created.Time):
		return Account{}, errors.New("modified is before created")
	case in.PatternType != "stix":
		return Account{}, fmt.Errorf("pattern_type %q: only stix patterns are read", truncate(in.PatternType, 40))
	case in.ValidFrom == nil:
		return Account{}, errors.New("valid_from is required")
	case in.ValidUntil != nil && !in.ValidUntil.After(in.ValidFrom.Time):
		return Account{}, errors.New("valid_until is not after valid_from")
	case in.Confidence != nil && (*in.Confidence < 0 || *in.Confidence > 100):
		return Account{}, fmt.Errorf("confidence %d is not 0 to 100", *in.Confidence)
	}
	typ, login, err := ParseAccountPattern(in.Pattern)
	if err != nil {
		return Account{}, err
	}
	a := Account{ID: in.ID, CreatedBy: in.CreatedByRef, AccountType: typ, Login: login, Confidence: -1,
		Labels: in.Labels, Modified: in.Modified.Time, ValidFrom: in.ValidFrom.Time, Revoked: in.Revoked}
	if in.Confidence != nil {
		a.Confidence = *in.Confidence
	}
	if in.ValidUntil != nil {
		a.ValidUntil = in.ValidUntil.Time
	}
	return a, nil
}
