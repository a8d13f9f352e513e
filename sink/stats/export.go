package stats

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/secret"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// ExportOptions are the flags of a research export.
type ExportOptions struct {
	Format string // "csv" (default) or "ndjson"
	// StudyKey pseudonymises; if empty, it is read from the environment
	// variable StudyKeyEnv (or its _FILE twin). An export without a key of
	// at least 16 bytes is refused.
	StudyKeyEnv string
	StudyKey    []byte
	// IncludeText adds the finding's evidence excerpt (crawled text, which
	// may contain the raw handle). Off by default.
	IncludeText bool
	From, To    time.Time // UTC days, included; zero: unbounded
	// OnSkip, if set, hears of every message left out as malformed.
	OnSkip func(msgID string, err error)
}

// ExportRow is one finding in an export. It holds no raw handle, author,
// author URL, permalink, post id or finding id:
//
//   - handles and authors are keyed HMAC-SHA256 pseudonyms, stable within
//     a study (one key) and unlinkable across studies;
//   - the finding id is pseudonymised too, because it is an unkeyed hash
//     of source and post id: anyone could test a known post against it;
//   - permalinks and post ids are dropped, not pseudonymised: they name
//     the author on most platforms (/u/name, /@name, t.me/channel) and
//     a pseudonym of them would add nothing the finding pseudonym lacks.
type ExportRow struct {
	Finding          string   `json:"finding_pseudonym"`
	Source           string   `json:"source"`
	SourceKind       string   `json:"source_kind"`
	Day              string   `json:"day"`
	Apps             []string `json:"apps"`
	HandlePseudonyms []string `json:"handle_pseudonyms"`
	AuthorPseudonym  string   `json:"author_pseudonym"`
	Severity         string   `json:"severity"`
	Score            float64  `json:"score"`
	RulesVersion     string   `json:"rules_version"`
	SignalCategories []string `json:"signal_categories"`
	Text             *string  `json:"text,omitempty"`
}

// CSVHeader is the column order of a CSV export (text last, when asked).
var CSVHeader = []string{"finding_pseudonym", "source", "source_kind", "day", "apps", "handle_pseudonyms",
	"author_pseudonym", "severity", "score", "rules_version", "signal_categories"}

// Pseudonymizer turns identifiers into keyed pseudonyms for one study.
type Pseudonymizer struct{ key []byte }

// MinStudyKey is the shortest study key accepted, in bytes.
const MinStudyKey = 16

// NewPseudonymizer checks the key and returns the study's pseudonymizer.
func NewPseudonymizer(key []byte) (*Pseudonymizer, error) {
	if len(key) < MinStudyKey {
		return nil, fmt.Errorf("study key: %d bytes, need at least %d (e.g. openssl rand -hex 32)", len(key), MinStudyKey)
	}
	return &Pseudonymizer{key: append([]byte(nil), key...)}, nil
}

// pseudonym is HMAC-SHA256(key, domain NUL value) as 32 hex digits, with
// a prefix naming the domain. Domains keep a handle and an author that
// happen to be spelt alike apart.
func (p *Pseudonymizer) pseudonym(prefix, domain string, parts ...string) string {
	mac := hmac.New(sha256.New, p.key)
	mac.Write([]byte(domain))
	for _, s := range parts {
		mac.Write([]byte{0})
		mac.Write([]byte(s))
	}
	return prefix + hex.EncodeToString(mac.Sum(nil)[:16])
}

// Handle pseudonymises an app's canonical handle.
func (p *Pseudonymizer) Handle(app, handle string) string {
	return p.pseudonym("h_", "handle", app, handle)
}

// Author pseudonymises an author within a source ("" stays "").
func (p *Pseudonymizer) Author(source, author string) string {
	if author == "" {
		return ""
	}
	return p.pseudonym("a_", "author", source, author)
}

// Finding pseudonymises a finding id.
func (p *Pseudonymizer) Finding(id string) string { return p.pseudonym("f_", "finding", id) }

// Row is the export row of f.
func (p *Pseudonymizer) Row(f wire.Finding, includeText bool) ExportRow {
	author := f.Post.Author
	if author == "" {
		author = f.Post.AuthorURL
	}
	row := ExportRow{
		Finding: p.Finding(f.ID), Source: f.Post.Source, SourceKind: f.Post.SourceKind,
		Day: FindingDay(f).Format(time.DateOnly), AuthorPseudonym: p.Author(f.Post.Source, author),
		Severity: string(f.Severity), Score: f.Score, RulesVersion: f.RulesVersion,
		Apps: []string{}, HandlePseudonyms: []string{}, SignalCategories: []string{},
	}
	seen := map[string]bool{}
	for _, h := range f.Handles {
		ps := p.Handle(h.App, h.Handle)
		if seen[ps] {
			continue
		}
		seen[ps] = true
		row.Apps = append(row.Apps, h.App)
		row.HandlePseudonyms = append(row.HandlePseudonyms, ps)
	}
	cats := map[string]bool{}
	for _, s := range f.Signals {
		if s.Category != "" && !cats[s.Category] {
			cats[s.Category] = true
			row.SignalCategories = append(row.SignalCategories, s.Category)
		}
	}
	sort.Strings(row.SignalCategories)
	if includeText {
		t := f.Excerpt.Text
		row.Text = &t
	}
	return row
}

// Export writes one row per finding on hw.findings.> between From and To,
// as CSV or NDJSON, pseudonymised with the study key. Repeats of a
// finding id are written once.
func Export(ctx context.Context, replay func(ctx context.Context, stream, filter string, fn func(bus.Msg) error) error, w io.Writer, opts ExportOptions) error {
	key := opts.StudyKey
	if len(key) == 0 {
		if opts.StudyKeyEnv == "" {
			return errors.New("export: no study key (set sink.research.study_key_env)")
		}
		k, err := secret.Lookup(opts.StudyKeyEnv)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		key = []byte(k)
	}
	ps, err := NewPseudonymizer(key)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	var write func(ExportRow) error
	bw := bufio.NewWriter(w)
	switch strings.ToLower(opts.Format) {
	case "", "csv":
		cw := csv.NewWriter(bw)
		header := CSVHeader
		if opts.IncludeText {
			header = append(append([]string(nil), header...), "text")
		}
		if err := cw.Write(header); err != nil {
			return err
		}
		write = func(r ExportRow) error {
			rec := []string{r.Finding, r.Source, r.SourceKind, r.Day, strings.Join(r.Apps, ";"),
				strings.Join(r.HandlePseudonyms, ";"), r.AuthorPseudonym, r.Severity,
				strconv.FormatFloat(r.Score, 'f', 4, 64), r.RulesVersion, strings.Join(r.SignalCategories, ";")}
			if r.Text != nil {
				rec = append(rec, spreadsheetSafe(*r.Text))
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
			cw.Flush()
			return cw.Error()
		}
	case "ndjson", "jsonl":
		enc := json.NewEncoder(bw)
		enc.SetEscapeHTML(false)
		write = func(r ExportRow) error { return enc.Encode(r) }
	default:
		return fmt.Errorf("export: unknown format %q (csv or ndjson)", opts.Format)
	}
	from, to := utcDay(opts.From), utcDay(opts.To)
	seen := map[[16]byte]struct{}{}
	err = replay(ctx, bus.StreamFindings, wire.SubjectFindings+".>", func(m bus.Msg) error {
		var f wire.Finding
		err := json.Unmarshal(m.Data, &f)
		if err == nil {
			err = f.Validate()
		}
		if err != nil {
			if opts.OnSkip != nil {
				opts.OnSkip(m.MsgID, err)
			}
			return nil
		}
		day := FindingDay(f)
		if (!opts.From.IsZero() && day.Before(from)) || (!opts.To.IsZero() && day.After(to)) {
			return nil
		}
		id := sha256.Sum256([]byte(f.ID))
		var k [16]byte
		copy(k[:], id[:16])
		if _, dup := seen[k]; dup {
			return nil
		}
		seen[k] = struct{}{}
		return write(ps.Row(f, opts.IncludeText))
	})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return bw.Flush()
}

// spreadsheetSafe stops a crawled text from being read as a formula by a
// spreadsheet that opens the CSV.
func spreadsheetSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
