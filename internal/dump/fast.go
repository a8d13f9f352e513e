package dump

import (
	"bytes"
	"encoding/binary"
	"unicode/utf8"
	"unsafe"
)

// decodeFast decodes a flat line into l and reports whether it could. It
// never accepts what the general decoder would reject or read
// differently: on anything outside its subset (\u escapes, keys differing
// from a field's only in case, nested values in known fields, numbers of
// a shape it does not parse, deep nesting) it returns false and Decode
// starts again with goccy. Strings are copied, raw values alias b.
func decodeFast(b []byte, l *Line) bool {
	return decodeFastIn(b, "", l)
}

// decodeFastIn is decodeFast of b, which is src's memory when src is not
// empty: strings without escapes are then cut from src, not copied.
func decodeFastIn(b []byte, src string, l *Line) bool {
	d := fastDecoder{b: b, src: src}
	if !d.byte('{') {
		return false
	}
	if d.peekWS() == '}' {
		d.i++
		return d.end()
	}
	for {
		if d.peekWS() != '"' {
			return false
		}
		key, ok := d.rawKey()
		if !ok || !d.byte(':') {
			return false
		}
		d.ws()
		if !d.field(key, l) {
			return false
		}
		switch d.peekWS() {
		case ',':
			d.i++
		case '}':
			d.i++
			return d.end()
		default:
			return false
		}
	}
}

type fastDecoder struct {
	b   []byte
	src string // b as a string, or ""
	i   int
}

func (d *fastDecoder) ws() {
	for d.i < len(d.b) {
		switch d.b[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peekWS skips white space and returns the next byte (0 at the end).
func (d *fastDecoder) peekWS() byte {
	d.ws()
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *fastDecoder) byte(c byte) bool {
	if d.peekWS() != c {
		return false
	}
	d.i++
	return true
}

func (d *fastDecoder) end() bool {
	d.ws()
	return d.i == len(d.b)
}

// rawKey reads a key without escapes.
func (d *fastDecoder) rawKey() ([]byte, bool) {
	d.i++ // '"'
	start := d.i
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			k := d.b[start:d.i]
			d.i++
			return k, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, false
		}
		d.i++
	}
	return nil, false
}

// knownKeys are Line's JSON keys: an unknown key equal to one of them but
// for letter case is a field to the general decoder.
var knownKeys = []string{"schema", "id", "name", "source", "source_kind", "text", "title", "selftext", "body",
	"author", "author_url", "subreddit", "permalink", "url", "link_id", "lang", "links", "created_utc",
	"created_at", "fetched_at", "retrieved_on", "is_self", "is_video", "post_hint", "media_metadata", "attachments"}

func (d *fastDecoder) field(key []byte, l *Line) bool {
	switch string(key) { // no allocation: the compiler compares in place
	case "text":
		if d.null() {
			l.Text = nil
			return true
		}
		s, ok := d.str()
		if ok {
			l.Text = &s
		}
		return ok
	case "title":
		return d.strField(&l.Title)
	case "selftext":
		return d.strField(&l.Selftext)
	case "body":
		return d.strField(&l.Body)
	case "author":
		return d.strField(&l.Author)
	case "name":
		return d.strField(&l.Name)
	case "source":
		return d.strField(&l.Source)
	case "source_kind":
		return d.strField(&l.SourceKind)
	case "author_url":
		return d.strField(&l.AuthorURL)
	case "subreddit":
		return d.strField(&l.Subreddit)
	case "permalink":
		return d.strField(&l.Permalink)
	case "url":
		return d.strField(&l.URL)
	case "link_id":
		return d.strField(&l.LinkID)
	case "lang":
		return d.strField(&l.Lang)
	case "post_hint":
		return d.strField(&l.PostHint)
	case "id":
		return d.scalarRaw(&l.ID)
	case "created_utc":
		return d.scalarRaw(&l.CreatedUTC)
	case "created_at":
		return d.scalarRaw(&l.CreatedAt)
	case "fetched_at":
		return d.scalarRaw(&l.FetchedAt)
	case "retrieved_on":
		return d.scalarRaw(&l.RetrievedOn)
	case "schema":
		return d.intField(&l.Schema)
	case "attachments":
		return d.intField(&l.Attachments)
	case "is_self":
		if d.null() {
			l.IsSelf = nil
			return true
		}
		v, ok := d.boolean()
		if ok {
			l.IsSelf = &v
		}
		return ok
	case "is_video":
		if d.null() {
			return true
		}
		v, ok := d.boolean()
		l.IsVideo = v
		return ok
	case "links":
		if d.null() {
			l.Links = nil
			return true
		}
		return d.strings(&l.Links)
	case "media_metadata":
		if d.null() {
			l.MediaMetadata = nil
			return true
		}
		return false
	}
	for _, k := range knownKeys {
		if equalFoldASCII(k, key) {
			return false
		}
	}
	return d.skip(0)
}

// equalFoldASCII is strings.EqualFold for ASCII keys (rawKey sends keys
// with other bytes to the general decoder).
func equalFoldASCII(k string, key []byte) bool {
	if len(k) != len(key) {
		return false
	}
	for i := range len(k) {
		a, b := k[i], key[i]
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		if a != b {
			return false
		}
	}
	return true
}

func (d *fastDecoder) null() bool {
	if d.i+4 <= len(d.b) && string(d.b[d.i:d.i+4]) == "null" {
		d.i += 4
		return true
	}
	return false
}

func (d *fastDecoder) strField(dst *string) bool {
	if d.null() {
		return true // null leaves a string as it was, as encoding/json does
	}
	s, ok := d.str()
	if ok {
		*dst = s
	}
	return ok
}

// str reads a string value: copied as is when it has no escapes, with
// the short escapes decoded otherwise; \u escapes and invalid UTF-8 (which
// the general decoder replaces) are left to it. The scans for the closing
// quote and a backslash are bytes.IndexByte's (vector instructions).
func (d *fastDecoder) str() (string, bool) {
	if d.i >= len(d.b) || d.b[d.i] != '"' {
		return "", false
	}
	rest := d.b[d.i+1:]
	q := bytes.IndexByte(rest, '"')
	if q < 0 {
		return "", false
	}
	raw := rest[:q]
	if bs := bytes.IndexByte(raw, '\\'); bs >= 0 {
		return d.escaped(rest, bs, q)
	}
	if hasControl(raw) || !utf8.Valid(raw) {
		return "", false
	}
	start := d.i + 1
	d.i += q + 2
	if d.src != "" {
		return d.src[start : start+q], true
	}
	return string(raw), true
}

// escaped decodes a string from rest (after its opening quote), whose
// first backslash is at bs and first quote at q (bs < q).
func (d *fastDecoder) escaped(rest []byte, bs, q int) (string, bool) {
	buf := make([]byte, 0, len(rest[:bs])+64)
	i := 0
	for {
		// rest[i:bs] has no quote and no backslash.
		seg := rest[i:bs]
		if hasControl(seg) {
			return "", false
		}
		buf = append(buf, seg...)
		if bs >= len(rest) {
			return "", false
		}
		if rest[bs] == '"' {
			if !utf8.Valid(buf) {
				return "", false
			}
			d.i += 1 + bs + 1
			// buf is this string's alone: no second copy.
			return unsafe.String(unsafe.SliceData(buf), len(buf)), true
		}
		if bs+1 >= len(rest) {
			return "", false
		}
		var r byte
		switch rest[bs+1] {
		case '"':
			r = '"'
		case '\\':
			r = '\\'
		case '/':
			r = '/'
		case 'n':
			r = '\n'
		case 't':
			r = '\t'
		case 'r':
			r = '\r'
		case 'b':
			r = '\b'
		case 'f':
			r = '\f'
		default:
			return "", false // \u and invalid escapes: the general decoder's
		}
		buf = append(buf, r)
		i = bs + 2
		// The next stop is the nearer of a quote and a backslash. The quote
		// found before is still the next one unless this escape was it:
		// searching again from every escape made a text with many "\n"
		// cost its length times theirs.
		if q < i {
			k := bytes.IndexByte(rest[i:], '"')
			if k < 0 {
				return "", false
			}
			q = i + k
		}
		bs = q
		if b := bytes.IndexByte(rest[i:q], '\\'); b >= 0 {
			bs = i + b
		}
	}
}

// hasControl reports whether b has a byte below 0x20, eight at a time.
func hasControl(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for len(b) >= 8 {
		v := binary.LittleEndian.Uint64(b)
		// High bit of a byte set when it is below 0x20, for bytes below
		// 0x80; bytes from 0x80 never carry out of their lane.
		if (v-0x20*ones)&^v&highs != 0 {
			return true
		}
		b = b[8:]
	}
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// scalarRaw keeps a string, number or null as written.
func (d *fastDecoder) scalarRaw(dst *RawJSON) bool {
	start := d.i
	switch c := d.peekWS(); {
	case c == '"':
		if !d.skipString() {
			return false
		}
	case c == 'n':
		if !d.null() {
			return false
		}
	case c == '-' || c >= '0' && c <= '9':
		if !d.number() {
			return false
		}
	default:
		return false
	}
	*dst = d.b[start:d.i]
	return true
}

// intField reads a plain integer of at most 18 digits.
func (d *fastDecoder) intField(dst *int) bool {
	if d.null() {
		return true
	}
	neg := false
	if d.i < len(d.b) && d.b[d.i] == '-' {
		neg = true
		d.i++
	}
	start := d.i
	v := 0
	for d.i < len(d.b) && d.b[d.i] >= '0' && d.b[d.i] <= '9' {
		v = v*10 + int(d.b[d.i]-'0')
		d.i++
	}
	n := d.i - start
	if n == 0 || n > 18 || (n > 1 && d.b[start] == '0') {
		return false
	}
	if d.i < len(d.b) {
		switch d.b[d.i] {
		case '.', 'e', 'E':
			return false
		}
	}
	if neg {
		v = -v
	}
	*dst = v
	return true
}

func (d *fastDecoder) boolean() (bool, bool) {
	switch {
	case d.i+4 <= len(d.b) && string(d.b[d.i:d.i+4]) == "true":
		d.i += 4
		return true, true
	case d.i+5 <= len(d.b) && string(d.b[d.i:d.i+5]) == "false":
		d.i += 5
		return false, true
	}
	return false, false
}

// strings reads an array of strings.
func (d *fastDecoder) strings(dst *[]string) bool {
	if !d.byte('[') {
		return false
	}
	out := []string{}
	if d.peekWS() == ']' {
		d.i++
		*dst = out
		return true
	}
	for {
		d.ws()
		s, ok := d.str()
		if !ok {
			return false
		}
		out = append(out, s)
		switch d.peekWS() {
		case ',':
			d.i++
		case ']':
			d.i++
			*dst = out
			return true
		default:
			return false
		}
	}
}

// maxSkipDepth bounds the nesting skipped in place; deeper is the general
// decoder's.
const maxSkipDepth = 16

// skip validates and passes over one value of an unknown key.
func (d *fastDecoder) skip(depth int) bool {
	switch c := d.peekWS(); {
	case c == '"':
		return d.skipString()
	case c == '-' || c >= '0' && c <= '9':
		return d.number()
	case c == 'n':
		return d.null()
	case c == 't' || c == 'f':
		_, ok := d.boolean()
		return ok
	case c == '[' || c == '{':
		if depth >= maxSkipDepth {
			return false
		}
		d.i++
		closer := byte(']')
		if c == '{' {
			closer = '}'
		}
		if d.peekWS() == closer {
			d.i++
			return true
		}
		for {
			if c == '{' {
				if d.peekWS() != '"' || !d.skipString() || !d.byte(':') {
					return false
				}
			}
			if !d.skip(depth + 1) {
				return false
			}
			switch d.peekWS() {
			case ',':
				d.i++
			case closer:
				d.i++
				return true
			default:
				return false
			}
		}
	}
	return false
}

// skipString passes over a string, checking its escapes and bytes as the
// general decoder would (invalid UTF-8 is harmless here: skipped values
// are not kept).
func (d *fastDecoder) skipString() bool {
	d.i++ // '"'
	for d.i < len(d.b) {
		c := d.b[d.i]
		switch {
		case c == '"':
			d.i++
			return true
		case c == '\\':
			if d.i+1 >= len(d.b) {
				return false
			}
			switch d.b[d.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				d.i += 2
			case 'u':
				if d.i+6 > len(d.b) {
					return false
				}
				for _, h := range d.b[d.i+2 : d.i+6] {
					if !isHex(h) {
						return false
					}
				}
				d.i += 6
			default:
				return false
			}
			continue
		case c < 0x20:
			return false
		}
		d.i++
	}
	return false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// number passes over a number in JSON's grammar.
func (d *fastDecoder) number() bool {
	b, i := d.b, d.i
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	d.i = i
	return true
}
