package dump

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	json "github.com/goccy/go-json"
)

// Line is the union of the shapes a dump line takes: {id, text} at
// least, a Reddit submission or comment, or a wire.Post. Fields whose type
// drifted across the years of Reddit dumps are kept raw (ID, the times):
// ParseID and ParseTime read them. Raw fields may alias the decoded bytes
// (after DecodeString, the string's memory: never write them).
type Line struct {
	Schema     int     `json:"schema"`
	ID         RawJSON `json:"id"`
	Name       string  `json:"name"`
	Source     string  `json:"source"`
	SourceKind string  `json:"source_kind"`
	// Text is nil when the line has no "text": a wire.Post's empty text
	// is not a Reddit line's missing one.
	Text        *string  `json:"text"`
	Title       string   `json:"title"`
	Selftext    string   `json:"selftext"`
	Body        string   `json:"body"`
	Author      string   `json:"author"`
	AuthorURL   string   `json:"author_url"`
	Subreddit   string   `json:"subreddit"`
	Permalink   string   `json:"permalink"`
	URL         string   `json:"url"`
	LinkID      string   `json:"link_id"`
	Lang        string   `json:"lang"`
	Links       []string `json:"links"`
	CreatedUTC  RawJSON  `json:"created_utc"`
	CreatedAt   RawJSON  `json:"created_at"`
	FetchedAt   RawJSON  `json:"fetched_at"`
	RetrievedOn RawJSON  `json:"retrieved_on"`
	IsSelf      *bool    `json:"is_self"`
	IsVideo     bool     `json:"is_video"`
	PostHint    string   `json:"post_hint"`
	// MediaMetadata is Reddit's map of a body's inline images: only how
	// many there are matters.
	MediaMetadata map[string]RawJSON `json:"media_metadata"`
	Attachments   int                `json:"attachments"`
}

// RawJSON is one JSON value as written.
type RawJSON = json.RawMessage

// ErrNotObject is a line that is not a JSON object.
var ErrNotObject = errors.New("line is not a JSON object")

// Decode decodes one line (surrounding space allowed) into l, which it
// resets first.
func Decode(b []byte, l *Line) error {
	b = bytes.TrimSpace(b)
	*l = Line{}
	if len(b) == 0 || b[0] != '{' {
		return ErrNotObject
	}
	if decodeFast(b, l) {
		return nil
	}
	*l = Line{}
	if err := json.Unmarshal(b, l); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	return nil
}

// DecodeString is Decode of a string: the strings of l without escapes
// are cut from s instead of copied, so that a caller holding a batch of
// lines as one string allocates once per batch, not once per field. l
// then keeps s alive.
func DecodeString(s string, l *Line) error {
	s = strings.TrimSpace(s)
	*l = Line{}
	if len(s) == 0 || s[0] != '{' {
		return ErrNotObject
	}
	// Read-only: the fast path never writes b, goccy copies its input.
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	if decodeFastIn(b, s, l) {
		return nil
	}
	*l = Line{}
	if err := json.Unmarshal(b, l); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	return nil
}

// ParseID reads an id that is a string or a number; "" when it is absent
// or null.
func ParseID(raw RawJSON) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	if raw[0] == '"' {
		if len(raw) >= 2 && raw[len(raw)-1] == '"' {
			in := raw[1 : len(raw)-1]
			if bytes.IndexByte(in, '\\') < 0 && bytes.IndexByte(in, '"') < 0 && !hasControl(in) && utf8.Valid(in) {
				return strings.TrimSpace(string(in)), nil // the common id: nothing to unescape
			}
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", fmt.Errorf("decoding id: %w", err)
		}
		return strings.TrimSpace(s), nil
	}
	if _, err := strconv.ParseFloat(string(raw), 64); err != nil {
		return "", fmt.Errorf("id: want a string or number, got %.20s", raw)
	}
	return string(raw), nil
}

// ParseTime reads Unix seconds as an integer, a float or a string (dumps
// have all three: Reddit's of 2007–2015 write created_utc as a string),
// or an RFC 3339 string. Absent, null and "" are the zero time.
func ParseTime(raw RawJSON) (time.Time, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` {
		return time.Time{}, nil
	}
	if len(raw) <= 11 { // whole seconds, the common case: no float parse
		v := int64(0)
		for _, c := range raw {
			if c < '0' || c > '9' {
				v = -1
				break
			}
			v = v*10 + int64(c-'0')
		}
		if v >= 0 && v <= 1e11 {
			return time.Unix(v, 0).UTC(), nil
		}
	}
	s := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, fmt.Errorf("time: %w", err)
		}
		s = strings.TrimSpace(s)
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return t.UTC(), nil
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		return time.Time{}, fmt.Errorf("time: want Unix seconds or RFC 3339, got %.40s", raw)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
}

// Time is a time field decoded with ParseTime, for structs decoded whole
// (the Reddit API's listings share the dumps' created_utc).
type Time struct{ time.Time }

// UnmarshalJSON implements json.Unmarshaler.
func (t *Time) UnmarshalJSON(b []byte) error {
	v, err := ParseTime(b)
	if err != nil {
		return err
	}
	t.Time = v
	return nil
}
