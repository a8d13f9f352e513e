package signals

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/detector/handles"
	"github.com/handlewatch/handlewatch/internal/stix"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// ImportOptions say how a partner's objects are taken.
type ImportOptions struct {
	Partner       string
	Now           time.Time
	MinConfidence int           // indicators below it are skipped
	ValidFor      time.Duration // for indicators without valid_until
}

// Report says what one bundle or page brought.
type Report struct {
	Objects    int // objects read
	Indicators int // indicators of messaging accounts taken
	Revoked    int // of which revoked or expired
	Skipped    int // below the minimum confidence
	Other      int // objects of other types, left alone
	Errors     []*stix.ObjectError
}

// Add folds r2 into r.
func (r *Report) Add(r2 Report) {
	r.Objects += r2.Objects
	r.Indicators += r2.Indicators
	r.Revoked += r2.Revoked
	r.Skipped += r2.Skipped
	r.Other += r2.Other
	r.Errors = append(r.Errors, r2.Errors...)
}

// Err joins the object errors, or nil.
func (r Report) Err() error {
	errs := make([]error, len(r.Errors))
	for i, e := range r.Errors {
		errs[i] = e
	}
	return errors.Join(errs...)
}

// ReadBundle reads a partner's bundle (or TAXII envelope) into import
// events. Only an unreadable container is an error; a bad object is
// reported in the Report by id and the others are kept.
func ReadBundle(data []byte, opts ImportOptions) ([]*wire.CaseEvent, Report, error) {
	objs, err := stix.SplitObjects(data)
	if err != nil {
		return nil, Report{}, err
	}
	evs, rep := ReadObjects(objs, opts)
	return evs, rep, nil
}

// ReadObjects is ReadBundle for objects already split out.
func ReadObjects(objs []json.RawMessage, opts ImportOptions) ([]*wire.CaseEvent, Report) {
	var rep Report
	var out []*wire.CaseEvent
	for i, raw := range objs {
		rep.Objects++
		h, err := stix.HeadOf(raw)
		if err != nil {
			rep.Errors = append(rep.Errors, &stix.ObjectError{Index: i, ID: h.ID, Err: err})
			continue
		}
		if h.Type != "indicator" {
			rep.Other++
			continue
		}
		e, skipped, err := importEvent(raw, opts)
		switch {
		case err != nil:
			rep.Errors = append(rep.Errors, &stix.ObjectError{Index: i, ID: h.ID, Err: err})
		case skipped:
			rep.Skipped++
		default:
			rep.Indicators++
			if !e.Import.ValidUntil.IsZero() && !opts.Now.Before(e.Import.ValidUntil) || e.Import.Revoked {
				rep.Revoked++
			}
			out = append(out, e)
		}
	}
	return out, rep
}

func importEvent(raw json.RawMessage, opts ImportOptions) (*wire.CaseEvent, bool, error) {
	a, err := stix.ReadIndicator(raw)
	if err != nil {
		return nil, false, err
	}
	app := strings.ToLower(strings.TrimSpace(a.AccountType))
	if !wire.IsApp(app) {
		return nil, false, fmt.Errorf("account_type %q is not one of the apps handlewatch watches (%s)",
			a.AccountType, strings.Join(wire.Apps, ", "))
	}
	handle, ok := handles.Canonical(app, a.Login)
	if !ok {
		return nil, false, fmt.Errorf("account_login %q is not a valid %s handle", a.Login, app)
	}
	// A revocation is taken whatever its confidence: it only takes away.
	if !a.Revoked && a.Confidence >= 0 && a.Confidence < opts.MinConfidence {
		return nil, true, nil
	}
	until := a.ValidUntil
	if until.IsZero() {
		until = a.Modified.Add(opts.ValidFor)
	}
	rec := &wire.ImportRecord{Partner: opts.Partner, IndicatorID: a.ID, Confidence: a.Confidence, Labels: a.Labels,
		Modified: a.Modified, ValidFrom: a.ValidFrom, ValidUntil: until, Revoked: a.Revoked}
	sum := sha256.Sum256([]byte(opts.Partner + "\x00" + a.ID + "\x00" + a.Modified.Format(time.RFC3339Nano) + "\x00" + strconv.FormatBool(a.Revoked)))
	reason := fmt.Sprintf("partner %s shared indicator %s (confidence %s, valid until %s)", opts.Partner, a.ID,
		confText(a.Confidence), until.UTC().Format(time.RFC3339))
	if a.Revoked {
		reason = fmt.Sprintf("partner %s revoked indicator %s", opts.Partner, a.ID)
	}
	e := &wire.CaseEvent{Schema: wire.SchemaVersion, ID: "import-" + hex.EncodeToString(sum[:12]),
		CaseID: wire.CaseKey(app, handle), App: app, Handle: handle, Type: wire.EventImport, Import: rec,
		Actor: "partner:" + opts.Partner, Reason: reason, At: opts.Now.UTC()}
	if err := e.Validate(); err != nil {
		return nil, false, err
	}
	return e, false, nil
}

func confText(c int) string {
	if c < 0 {
		return "not given"
	}
	return strconv.Itoa(c)
}

// Publisher puts case events on the bus (*bus.Bus has it).
type Publisher interface {
	Publish(ctx context.Context, subject, msgID string, v any) (bool, error)
}

// Publish puts the import events on hw.cases.>, where every sink applies
// them; their ids make a repeat harmless.
func Publish(ctx context.Context, pub Publisher, evs []*wire.CaseEvent) error {
	for _, e := range evs {
		if _, err := pub.Publish(ctx, e.Subject(), e.ID, e); err != nil {
			return fmt.Errorf("publishing import %s for %s: %w", e.ID, e.CaseID, err)
		}
	}
	return nil
}
