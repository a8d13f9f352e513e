package badinput

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Kinds of payload. The HTTP kinds are the crawler's source kinds polled
// over HTTP; Jetstream is a message of the Bluesky websocket; Line is one
// line of an NDJSON dump; Dump is a whole dump file.
const (
	Reddit    = "reddit"
	Mastodon  = "mastodon"
	Lemmy     = "lemmy"
	Tumblr    = "tumblr"
	Bluesky   = "bluesky"
	RSS       = "rss"
	Telegram  = "telegram"
	HTML      = "html"
	Jetstream = "jetstream"
	Line      = "line"
	Dump      = "dump"
)

// HTTPKinds are the kinds served as HTTP bodies.
var HTTPKinds = []string{Reddit, Mastodon, Lemmy, Tumblr, Bluesky, RSS, Telegram, HTML}

// AllKinds is every kind, in the order Corpus deals them.
var AllKinds = append(append([]string(nil), HTTPKinds...), Jetstream, Line, Dump)

// Classes of malformation.
const (
	InvalidJSON    = "invalid_json"
	HTMLForJSON    = "html_for_json"    // an HTML page (a login wall) where JSON is expected
	JSONForMarkup  = "json_for_markup"  // JSON where XML or HTML is expected
	InvalidUTF8    = "invalid_utf8"     // a well-formed payload whose text is not UTF-8
	DeepNesting    = "deep_nesting"     // JSON nested 12,000 to 40,000 deep, past every decoder's limit
	HugeField      = "huge_field"       // a well-formed payload with a 50 MB text field
	EndlessChunked = "endless_chunked"  // a chunked body that never ends
	GzipBomb       = "gzip_bomb"        // Content-Encoding: gzip, gigabytes of zeros
	Truncated      = "truncated"        // cut short (an HTTP body shorter than its Content-Length)
	Empty          = "empty"            // no bytes, or only whitespace or a BOM
	NULBytes       = "nul_bytes"        // NUL bytes in and around the payload
	BrokenXML      = "broken_xml"       // unclosed elements, undefined entities, an open CDATA
	DeepXML        = "deep_xml"         // XML nested 12,000 to 24,000 deep, past encoding/xml's limit
	DeepHTML       = "deep_html"        // a well-formed page with its posts under 600 to 1,600 nested elements
	BrokenHTML     = "broken_html"      // unclosed tags, stray end tags, garbage attributes
	WrongTypes     = "wrong_types"      // the right shape with fields of the wrong type
	CorruptGzip    = "corrupt_gzip"     // a .gz dump with flipped bytes mid-stream
	TruncatedZstd  = "truncated_zstd"   // a .zst dump cut in the middle
	NotCompressed  = "not_compressed"   // a .gz or .zst dump that is plain text
	ZstdBomb       = "zstd_bomb"        // a .zst dump of gigabytes of zeros
	DumpGzipBomb   = "dump_gzip_bomb"   // a .gz dump of gigabytes of zeros
	WindowBomb     = "zstd_window_bomb" // a .zst frame claiming a window over the limit
)

// classes are the classes each kind gets.
var classes = map[string][]string{
	Reddit:    jsonClasses,
	Mastodon:  jsonClasses,
	Lemmy:     jsonClasses,
	Tumblr:    jsonClasses,
	Bluesky:   jsonClasses,
	RSS:       {BrokenXML, DeepXML, JSONForMarkup, InvalidUTF8, HugeField, EndlessChunked, GzipBomb, Truncated, Empty, NULBytes, WrongTypes},
	Telegram:  htmlClasses,
	HTML:      htmlClasses,
	Jetstream: {InvalidJSON, HTMLForJSON, InvalidUTF8, DeepNesting, HugeField, Truncated, Empty, NULBytes, WrongTypes},
	Line:      {InvalidJSON, HTMLForJSON, InvalidUTF8, DeepNesting, HugeField, Truncated, NULBytes, WrongTypes},
	Dump:      {CorruptGzip, TruncatedZstd, NotCompressed, DumpGzipBomb, ZstdBomb, WindowBomb},
}

var (
	jsonClasses = []string{InvalidJSON, HTMLForJSON, InvalidUTF8, DeepNesting, HugeField, EndlessChunked, GzipBomb, Truncated, Empty, NULBytes, WrongTypes}
	htmlClasses = []string{DeepHTML, BrokenHTML, JSONForMarkup, InvalidUTF8, HugeField, EndlessChunked, GzipBomb, Truncated, Empty, NULBytes}
)

// Classes returns the classes of kind.
func Classes(kind string) []string { return append([]string(nil), classes[kind]...) }

// huge reports the classes whose payloads are large to write or to read
// (megabytes to gigabytes, or without end): Options.Huge bounds them.
func huge(class string) bool {
	switch class {
	case HugeField, EndlessChunked, GzipBomb, DumpGzipBomb, ZstdBomb:
		return true
	}
	return false
}

// Sizes of the large payloads.
const (
	HugeFieldBytes   = 50 << 20 // a huge field's length
	HTTPBombBytes    = 1 << 30  // what an HTTP gzip bomb expands to
	DumpBombBytes    = 4 << 30  // what a dump bomb expands to
	deepLevels       = 12_000   // nesting of the deep JSON payloads, from
	deepLevelsSpread = 28_000   // … to deepLevels+deepLevelsSpread
	deepXMLLevels    = 12_000
	deepHTMLLevels   = 1000
)

// Payload is one malformed payload: what it is, not its bytes.
type Payload struct {
	N     int    // position in the corpus, from 0
	Kind  string // one of AllKinds
	Class string // one of Classes(Kind)
	seed  uint64
}

func (p Payload) String() string { return fmt.Sprintf("#%d %s/%s", p.N, p.Kind, p.Class) }

// Huge reports a payload that is large to write or read, or endless.
func (p Payload) Huge() bool { return huge(p.Class) }

// Endless reports a payload whose WriteTo never ends by itself: it writes
// until the writer fails.
func (p Payload) Endless() bool { return p.Class == EndlessChunked }

// ContentType is the Content-Type an HTTP payload is served with: what
// the kind expects, or what the class pretends to be.
func (p Payload) ContentType() string {
	switch p.Class {
	case HTMLForJSON:
		// Half of the login walls say what they are; the others claim JSON.
		if p.seed%2 == 0 {
			return "text/html; charset=utf-8"
		}
	case JSONForMarkup:
		if p.seed%2 == 0 {
			return "application/json"
		}
	}
	return ContentTypeOf(p.Kind)
}

// ContentTypeOf is the Content-Type of a well-formed body of kind.
func ContentTypeOf(kind string) string {
	switch kind {
	case RSS:
		return "application/rss+xml"
	case Telegram, HTML:
		return "text/html; charset=utf-8"
	}
	return "application/json"
}

// ContentEncoding is the Content-Encoding an HTTP payload is served
// with: "gzip" for a gzip bomb, "" otherwise.
func (p Payload) ContentEncoding() string {
	if p.Class == GzipBomb {
		return "gzip"
	}
	return ""
}

// ContentLength is the Content-Length an HTTP payload claims: more than
// it writes for Truncated, -1 (none: chunked) otherwise.
func (p Payload) ContentLength() int64 {
	if p.Class == Truncated && p.Kind != Jetstream && p.Kind != Line {
		return 64 << 10
	}
	return -1
}

// Ext is the file name extension a Dump payload needs (".ndjson.gz",
// ".ndjson.zst"); "" for other kinds.
func (p Payload) Ext() string {
	switch p.Class {
	case CorruptGzip, DumpGzipBomb:
		return ".ndjson.gz"
	case TruncatedZstd, ZstdBomb, WindowBomb:
		return ".ndjson.zst"
	case NotCompressed:
		if p.seed%2 == 0 {
			return ".ndjson.gz"
		}
		return ".ndjson.zst"
	}
	return ""
}

// Options of Corpus.
type Options struct {
	Seed uint64
	N    int // payloads, at least one of each kind and class
	// Huge is how many payloads of the large classes each kind may have
	// (at least one of each such class is always there); the rest of the
	// corpus draws from the small classes. Under the race detector a test
	// keeps this low; the count N stays.
	Huge int
	// HugeBy overrides Huge for some kinds (a Jetstream message over the
	// read limit costs a reconnect with a second's backoff).
	HugeBy map[string]int
	// Kinds limits the corpus to these kinds (nil: AllKinds).
	Kinds []string
}

// Corpus is opts.N payloads: first one of every kind and class, then
// kinds in turn with classes drawn at random.
func Corpus(opts Options) []Payload {
	kinds := opts.Kinds
	if kinds == nil {
		kinds = AllKinds
	}
	r := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed))
	var out []Payload
	hugeLeft := map[string]int{}
	add := func(kind, class string) {
		out = append(out, Payload{N: len(out), Kind: kind, Class: class, seed: r.Uint64()})
	}
	for _, k := range kinds {
		hugeLeft[k] = opts.Huge
		if n, ok := opts.HugeBy[k]; ok {
			hugeLeft[k] = n
		}
		for _, c := range classes[k] {
			add(k, c)
			if huge(c) {
				hugeLeft[k]--
			}
		}
	}
	for i := 0; len(out) < opts.N; i++ {
		k := kinds[i%len(kinds)]
		cs := classes[k]
		c := cs[r.IntN(len(cs))]
		for huge(c) && hugeLeft[k] <= 0 {
			c = cs[r.IntN(len(cs))]
		}
		if huge(c) {
			hugeLeft[k]--
		}
		add(k, c)
	}
	return out
}

// Marker is the text a valid post carries: tests find their posts by it.
func Marker(n int) string { return fmt.Sprintf("valid-post-%06d", n) }

// postTime is the creation time of the post numbered n: later n, later
// post, so that cursors move forward.
func postTime(n int) time.Time {
	return time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Minute)
}

// ValidAfter is the number of a valid post that follows payload p: the
// posts inside bad payloads are numbered 2*p.N, so posts numbered this
// way come in the order of the corpus, and cursors (ids, times) only move
// forward.
func ValidAfter(p Payload) int { return 2*p.N + 1 }

// Valid writes a well-formed payload of kind (an HTTP kind, Jetstream or
// Line) carrying one post numbered n (its id and time increase with n)
// whose text holds Marker(n).
func Valid(w io.Writer, kind string, n int) error {
	_, err := io.WriteString(w, post(kind, n, jsonString(Marker(n)+" an ordinary post about the weather")))
	return err
}

// post is the well-formed payload of kind for post n with text, already
// escaped for its format (JSON string contents or markup).
func post(kind string, n int, text string) string {
	ts := postTime(n)
	iso := ts.Format(time.RFC3339)
	switch kind {
	case Reddit:
		return fmt.Sprintf(`{"kind":"Listing","data":{"after":null,"children":[{"kind":"t3","data":{"id":"v%d","name":"t3_v%d","author":"example_user","created_utc":%d,"permalink":"/r/example/comments/v%d/post/","subreddit":"example","title":"post %d","selftext":"%s"}}]}}`,
			n, n, ts.Unix(), n, n, text)
	case Mastodon:
		return fmt.Sprintf(`[{"id":"%d","uri":"https://social.example/users/u/statuses/%d","url":"https://social.example/@u/%d","created_at":"%s","content":"<p>%s</p>","visibility":"public","account":{"id":"1","acct":"u","username":"u","url":"https://social.example/@u"}}]`,
			100000+n, 100000+n, 100000+n, iso, text)
	case Lemmy:
		return fmt.Sprintf(`{"posts":[{"post":{"id":%d,"name":"post %d","body":"%s","published":"%s","ap_id":"https://lemmy.example/post/%d","local":true},"creator":{"id":1,"name":"u","actor_id":"https://lemmy.example/u/u"},"community":{"id":1,"name":"c","actor_id":"https://lemmy.example/c/c"}}]}`,
			100000+n, n, text, iso, 100000+n)
	case Tumblr:
		return fmt.Sprintf(`{"meta":{"status":200,"msg":"OK"},"response":[{"object_type":"post","type":"blocks","id":%d,"id_string":"%d","blog_name":"example","blog":{"name":"example","url":"https://example.tumblr.com/"},"post_url":"https://example.tumblr.com/post/%d/slug","timestamp":%d,"state":"published","content":[{"type":"text","text":"%s"}]}]}`,
			7000000000+n, 7000000000+n, 7000000000+n, ts.Unix(), text)
	case Bluesky:
		return fmt.Sprintf(`{"feed":[{"post":{"uri":"at://did:plc:example/app.bsky.feed.post/v%d","cid":"c%d","author":{"did":"did:plc:example","handle":"example.bsky.social"},"record":{"$type":"app.bsky.feed.post","text":"%s","createdAt":"%s"},"indexedAt":"%s"}}]}`,
			n, n, text, iso, iso)
	case Jetstream:
		return fmt.Sprintf(`{"did":"did:plc:example","time_us":%d,"kind":"commit","commit":{"rev":"r%d","operation":"create","collection":"app.bsky.feed.post","rkey":"v%d","record":{"$type":"app.bsky.feed.post","createdAt":"%s","text":"%s"},"cid":"c%d"}}`,
			ts.UnixMicro(), n, n, iso, text, n)
	case Line:
		return fmt.Sprintf(`{"id":"v%d","created_utc":%d,"text":"%s"}`, n, ts.Unix(), text)
	case RSS:
		return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>news</title><link>https://news.example/</link><item><title>post %d</title><link>https://news.example/p/%d</link><guid>https://news.example/p/%d</guid><pubDate>%s</pubDate><description>%s</description></item></channel></rss>`,
			n, n, n, ts.Format(time.RFC1123Z), text)
	case Telegram:
		return fmt.Sprintf(`<!doctype html><html><body><div class="tgme_channel_info"></div><div class="tgme_widget_message" data-post="example_channel/%d"><a class="tgme_widget_message_owner_name" href="https://t.me/example_channel">Example</a><div class="tgme_widget_message_text">%s</div><a class="tgme_widget_message_date" href="https://t.me/example_channel/%d"><time datetime="%s"></time></a></div></body></html>`,
			100000+n, text, 100000+n, iso)
	case HTML:
		return fmt.Sprintf(`<!doctype html><html lang="en"><body><article class="post" data-post-id="v%d"><a class="permalink" href="/t/v%d">post %d</a><span class="author">example_user</span><time datetime="%s"></time><div class="body">%s</div></article></body></html>`,
			n, n, n, iso, text)
	}
	panic("badinput: no well-formed payload for kind " + kind)
}

// HTMLSelectors are the selectors of the html kind's pages (as a source
// config's html: section): post, id attribute, text, author, permalink,
// time.
var HTMLSelectors = [6]string{"article.post", "data-post-id", ".body", ".author", "a.permalink", "time"}

// jsonString escapes s for a JSON string (s is ASCII or UTF-8).
func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return r.Replace(s)
}

// WriteTo writes the payload's bytes to w, streamed in chunks of at most
// 64 KiB. An endless payload writes until w fails and returns its error.
// A Line payload never holds a newline (it is one line of a dump).
func (p Payload) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w, oneLine: p.Kind == Line}
	err := p.write(cw)
	return cw.n, err
}

type countWriter struct {
	w       io.Writer
	n       int64
	oneLine bool // newlines are written as spaces
}

func (c *countWriter) Write(b []byte) (int, error) {
	if c.oneLine && bytes.ContainsAny(b, "\r\n") {
		b = bytes.Clone(b) // bytewise: the payload may not be UTF-8
		for i, c := range b {
			if c == '\n' || c == '\r' {
				b[i] = ' '
			}
		}
	}
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// Bytes is the payload's bytes, for payloads that are not Huge.
func (p Payload) Bytes() []byte {
	if p.Huge() {
		panic("badinput: Bytes of a huge payload " + p.String())
	}
	var b bytes.Buffer
	if _, err := p.WriteTo(&b); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func (p Payload) rand() *rand.Rand { return rand.New(rand.NewPCG(p.seed, uint64(p.N))) }

func (p Payload) write(w io.Writer) error {
	r := p.rand()
	n := 2 * p.N // the number of a post inside a bad payload: see ValidAfter
	ws := func(s string) error { _, err := io.WriteString(w, s); return err }
	switch p.Class {
	case InvalidJSON:
		return ws(invalidJSON(r, p.Kind, n))
	case HTMLForJSON:
		return ws(loginWall(r))
	case JSONForMarkup:
		return ws(fmt.Sprintf(`{"items":[{"id":%d,"text":"not markup"}],"next":null}`, n))
	case InvalidUTF8:
		bad := []string{"\xff\xfe", "\xc3\x28", "\xed\xa0\x80", "\xf0\x28\x8c\xbc", "\xc0\xaf", "\xe2\x82"}
		var b strings.Builder
		b.WriteString("broken ")
		for range 1 + r.IntN(6) {
			b.WriteString(bad[r.IntN(len(bad))])
			b.WriteString(" text ")
		}
		if p.Kind == RSS || p.Kind == Telegram || p.Kind == HTML {
			return ws(post(p.Kind, n, b.String()))
		}
		return ws(post(p.Kind, n, jsonString(b.String())))
	case DeepNesting:
		// Past every decoder's depth limit (10,000 at most), under a
		// Jetstream message's 1 MiB, and not so many megabytes of
		// repetition that a .gz dump of such lines passes the 200:1 ratio
		// of a decompression bomb, or that the corpus spends its time
		// copying brackets.
		levels := deepLevels + r.IntN(deepLevelsSpread)
		open := []string{"[", `{"a":`, `{"data":{"children":[`}[r.IntN(3)]
		return repeat(w, "", open, levels, "")
	case HugeField:
		s := post(p.Kind, n, "\x00HUGE\x00")
		before, after, _ := strings.Cut(s, "\x00HUGE\x00")
		chunk := "filler text "
		if p.Kind == RSS || p.Kind == Telegram || p.Kind == HTML {
			chunk = "filler <b>text</b> "
		}
		if p.Kind == Line {
			// Random hex, which compresses about 2:1: a long line in a
			// .gz dump, not a bomb (a repeated chunk would pass the
			// dumps' 200:1 ratio and stop the file there, as designed).
			return randomHex(w, r, before, HugeFieldBytes, after)
		}
		return repeat(w, before, chunk, HugeFieldBytes/len(chunk), after)
	case EndlessChunked:
		chunk := strings.Repeat(`{"a":1},`, 8<<10)
		if p.Kind == RSS || p.Kind == Telegram || p.Kind == HTML {
			chunk = strings.Repeat("<p>more</p>", 6<<10)
		}
		if err := ws(map[bool]string{true: "[", false: "<html><body>"}[ContentTypeOf(p.Kind) == "application/json"]); err != nil {
			return err
		}
		for {
			if err := ws(chunk); err != nil {
				return err
			}
		}
	case GzipBomb:
		return gzipZeros(w, HTTPBombBytes)
	case Truncated:
		s := post(p.Kind, n, "a post cut short")
		return ws(s[:1+r.IntN(len(s)-2)])
	case Empty:
		if r.IntN(2) == 0 {
			return nil
		}
		return ws([]string{" ", "\n", "\r\n\t ", "\ufeff"}[r.IntN(4)])
	case NULBytes:
		s := post(p.Kind, n, "nul")
		i := r.IntN(len(s))
		return ws(s[:i] + strings.Repeat("\x00", 1+r.IntN(4096)) + s[i:])
	case BrokenXML:
		return ws([]string{
			`<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</title><description>&bogus;<![CDATA[`,
			`<?xml version="1.0"?><rss version="2.0"><channel><item><title>x</item></channel>`,
			`<?xml version="1.0"?><rss version="2.0"><channel><item><title a="1" a="2">x</title></item></channel></rss>`,
			`<?xml version="1.0" encoding="bogus-9"?><rss><channel><item><title>x</title></item></channel></rss>`,
			`<rss version="2.0"><channel><item><<<>>></item></channel></rss>`,
			`<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><rss><channel><item><title>&b;</title></item></channel></rss>`,
		}[r.IntN(6)])
	case DeepXML:
		// Past encoding/xml's 10,000 levels, and not so far past that
		// each payload costs the parser more than the point it makes.
		return repeat(w, `<?xml version="1.0"?><rss version="2.0"><channel>`, "<item>", deepXMLLevels+r.IntN(deepXMLLevels), "")
	case DeepHTML:
		s := post(p.Kind, n, "a post under deep nesting")
		i := strings.Index(s, "<body>") + len("<body>")
		j := strings.LastIndex(s, "</body>")
		levels := 600 + r.IntN(deepHTMLLevels)
		tag := []string{"div", "span", "section"}[r.IntN(3)]
		return ws(s[:i] + strings.Repeat("<"+tag+">", levels) + s[i:j] + strings.Repeat("</"+tag+">", levels) + s[j:])
	case BrokenHTML:
		return ws([]string{
			`<html><body><div class="post"><p>unclosed <b><i><a href="javascript:`,
			`</div></div></body></html><html><body>`,
			`<html><body <<<>>> <div class= = ="x"><script>`,
			`<html><body><table><tr><td><table><tr><td>` + strings.Repeat("<td>", 5000),
		}[r.IntN(4)])
	case WrongTypes:
		return ws(wrongTypes(r, p.Kind, n))
	case CorruptGzip:
		z := bytes.Clone(gzipped200())
		for range 8 {
			z[len(z)/3+r.IntN(len(z)/3)] ^= 0xff
		}
		_, err := w.Write(z)
		return err
	case TruncatedZstd:
		z := zstded5000()
		_, err := w.Write(z[:len(z)/2])
		return err
	case NotCompressed:
		return ws(goodLines(3))
	case DumpGzipBomb:
		if _, err := w.Write(gzipped10()); err != nil {
			return err
		}
		return gzipZeros(w, DumpBombBytes)
	case ZstdBomb:
		if _, err := w.Write(zstded10()); err != nil {
			return err
		}
		frame := zstdZeroFrame()
		for range DumpBombBytes >> 20 {
			if _, err := w.Write(frame); err != nil {
				return err
			}
		}
		return nil
	case WindowBomb:
		out := bytes.Clone(zstded10())
		out = append(out, 0x28, 0xB5, 0x2F, 0xFD, 0x00, byte((32-10)<<3)) // a frame claiming a 4 GiB window
		body := []byte("x\n")
		hdr := uint32(len(body))<<3 | 1 // raw block, last
		out = append(out, byte(hdr), byte(hdr>>8), byte(hdr>>16))
		_, err := w.Write(append(out, body...))
		return err
	}
	return fmt.Errorf("badinput: unknown class %q", p.Class)
}

// goodLines are n lines of a dump, ids d1…dn.
func goodLines(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `{"id":"d%d","text":"an ordinary dump line %d"}`+"\n", i, i)
	}
	return b.String()
}

// repeat writes before, chunk n times (in 64 KiB writes), then after.
func repeat(w io.Writer, before, chunk string, n int, after string) error {
	if _, err := io.WriteString(w, before); err != nil {
		return err
	}
	per := max(1, (64<<10)/len(chunk))
	block := strings.Repeat(chunk, per)
	for n > 0 {
		k := min(n, per)
		if _, err := io.WriteString(w, block[:k*len(chunk)]); err != nil {
			return err
		}
		n -= k
	}
	_, err := io.WriteString(w, after)
	return err
}

// randomHex writes before, n bytes of pseudo-random hex from r (in 64 KiB
// writes), then after.
func randomHex(w io.Writer, r *rand.Rand, before string, n int, after string) error {
	if _, err := io.WriteString(w, before); err != nil {
		return err
	}
	const digits = "0123456789abcdef"
	block := make([]byte, 64<<10)
	for n > 0 {
		k := min(n, len(block))
		for i := 0; i < k; i += 16 {
			v := r.Uint64()
			for j := i; j < min(i+16, k); j++ {
				block[j] = digits[v&15]
				v >>= 4
			}
		}
		if _, err := w.Write(block[:k]); err != nil {
			return err
		}
		n -= k
	}
	_, err := io.WriteString(w, after)
	return err
}

// gzipZeros writes a gzip stream of total zero bytes as repeated members
// of 1 MiB: about 1 KB on the wire per MiB.
func gzipZeros(w io.Writer, total int64) error {
	member := gzipZeroMember()
	for n := int64(0); n < total; n += 1 << 20 {
		if _, err := w.Write(member); err != nil {
			return err
		}
	}
	return nil
}

func gzipOf(b []byte) []byte {
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return out.Bytes()
}

func zstdOf(b []byte) []byte { return zstdEncoder().EncodeAll(b, nil) }

// zstdEncoder is made once: making one allocates its window tables.
var zstdEncoder = sync.OnceValue(func() *zstd.Encoder {
	zw, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithEncoderConcurrency(1))
	return zw
})

// The compressed pieces of the dump payloads, made once: the same for
// every payload of a class.
var (
	gzipZeroMember = sync.OnceValue(func() []byte { return gzipOf(make([]byte, 1<<20)) })
	zstdZeroFrame  = sync.OnceValue(func() []byte { return zstdOf(make([]byte, 1<<20)) })
	gzipped10      = sync.OnceValue(func() []byte { return gzipOf([]byte(goodLines(10))) })
	gzipped200     = sync.OnceValue(func() []byte { return gzipOf([]byte(goodLines(200))) })
	zstded10       = sync.OnceValue(func() []byte { return zstdOf([]byte(goodLines(10))) })
	zstded5000     = sync.OnceValue(func() []byte { return zstdOf([]byte(goodLines(5000))) })
)

// invalidJSON is a payload of kind broken one of several ways.
func invalidJSON(r *rand.Rand, kind string, n int) string {
	s := post(kind, n, "broken json")
	switch r.IntN(7) {
	case 0: // cut mid-string
		i := strings.Index(s, "broken")
		return s[:i+3]
	case 1: // trailing commas before the last closer
		return s[:len(s)-1] + ",," + s[len(s)-1:]
	case 2: // single quotes
		return strings.ReplaceAll(s, `"`, `'`)
	case 3: // the first key unquoted
		i := strings.Index(s, `{"`) + 1
		j := i + 1 + strings.IndexByte(s[i+1:], '"')
		return s[:i] + s[i+1:j] + s[j+1:]
	case 4: // garbage after the value
		return s + `}]}garbage`
	case 5: // a control character in a string
		return strings.Replace(s, "broken json", "broken\x01\x02json", 1)
	default: // random bytes after an opening brace
		b := make([]byte, 16+r.IntN(256))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return "{" + string(b)
	}
}

// loginWall is the HTML a platform answers with instead of JSON.
func loginWall(r *rand.Rand) string {
	return []string{
		`<!doctype html><html><head><title>Sign in</title></head><body><form action="/login"><input name="user"><input type="password"></form></body></html>`,
		`<html><body><h1>whoa there, pardner!</h1><p>your request has been blocked due to a network policy.</p></body></html>`,
		`<!DOCTYPE html><html><head><meta http-equiv="refresh" content="0;url=/challenge"></head><body>Checking your browser…</body></html>`,
	}[r.IntN(3)]
}

// wrongTypes is the kind's shape with fields of the wrong JSON type.
func wrongTypes(r *rand.Rand, kind string, n int) string {
	alts := map[string][]string{
		Reddit: {
			`{"kind":"Listing","data":{"children":"none"}}`,
			`{"kind":"Listing","data":[1,2,3]}`,
			fmt.Sprintf(`{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"id":%d,"title":["x"],"created_utc":"yesterday"}}]}}`, n),
			`["Listing"]`,
		},
		Mastodon: {
			`{"id":"1","content":"an object, not a list"}`,
			fmt.Sprintf(`[{"id":%d,"content":["x"],"created_at":12,"account":"nobody"}]`, n),
			`[1,2,3]`,
			`"a string"`,
		},
		Lemmy: {
			`{"posts":{"post":1}}`,
			fmt.Sprintf(`{"posts":[{"post":{"id":"%d","name":5,"published":true},"creator":[]}]}`, n),
			`{"posts":"none"}`,
			`[{"posts":[]}]`,
		},
		Tumblr: {
			`{"meta":{"status":"ok"},"response":"none"}`,
			fmt.Sprintf(`{"meta":{"status":200},"response":[{"id":"x","id_string":%d,"timestamp":"noon","content":"text"}]}`, n),
			`{"meta":[],"response":{"posts":7}}`,
			`[]`,
		},
		Bluesky: {
			`{"feed":"none"}`,
			fmt.Sprintf(`{"feed":[{"post":{"uri":%d,"author":"x","record":["text"]}}]}`, n),
			`{"feed":[1,2]}`,
			`[{"feed":[]}]`,
		},
		Jetstream: {
			`{"did":5,"time_us":"now","kind":"commit"}`,
			fmt.Sprintf(`{"did":"did:plc:x","time_us":%d,"kind":"commit","commit":"create"}`, postTime(n).UnixMicro()),
			fmt.Sprintf(`{"did":"did:plc:x","time_us":%d,"kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post","rkey":7,"record":{"text":["x"],"createdAt":1}}}`, postTime(n).UnixMicro()),
			`[{"kind":"commit"}]`,
		},
		Line: {
			fmt.Sprintf(`{"id":{"nested":%d},"text":"wrong id"}`, n),
			`{"id":"w1","text":["not","a","string"]}`,
			`{"id":"w2","text":"x","created_utc":"yesterday"}`,
			`["an","array","line"]`,
		},
		RSS: {
			`<?xml version="1.0"?><rss version="2.0"><channel><item><title><b>x</b></title><pubDate>not a date</pubDate><link>javascript:alert(1)</link></item></channel></rss>`,
			`<?xml version="1.0"?><rss version="2.0"><channel><item></item><item><guid/></item></channel></rss>`,
			`<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry><id></id><updated>never</updated></entry></feed>`,
		},
	}
	a := alts[kind]
	return a[r.IntN(len(a))]
}
