package dump

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	json "github.com/goccy/go-json"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

const sample = `{"id":"a1","text":"trading young collection, wickr: placeholder_01"}
{"id":2,"title":"t","selftext":"s","subreddit":"x","created_utc":"1764300000"}
`

func compress(t *testing.T, kind Compression, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	switch kind {
	case Gzip:
		w := gzip.NewWriter(&buf)
		w.Write(data)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	case Zstd:
		w, err := zstd.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	default:
		buf.Write(data)
	}
	return buf.Bytes()
}

// TestNewReader is the conformance table of the one reader: every
// extension, in any case, gives back the same content.
func TestNewReader(t *testing.T) {
	cases := []struct {
		name string
		kind Compression
		base string
	}{
		{"dump.ndjson", Plain, "dump"},
		{"dump.jsonl", Plain, "dump"},
		{"dump", Plain, "dump"},
		{"dump.ndjson.gz", Gzip, "dump"},
		{"DUMP.NDJSON.GZ", Gzip, "DUMP"},
		{"RC_2024-01.zst", Zstd, "RC_2024-01"},
		{"RC_2024-01.ndjson.zst", Zstd, "RC_2024-01"},
		{"RC_2024-01.ndjson.zstd", Zstd, "RC_2024-01"},
		{"RC_2024-01.ndjson.ZST", Zstd, "RC_2024-01"},
		{"RC_2024-01.Zstd", Zstd, "RC_2024-01"},
	}
	dir := t.TempDir()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := CompressionOf(tc.name); got != tc.kind {
				t.Fatalf("CompressionOf = %d, want %d", got, tc.kind)
			}
			if got := Base(filepath.Join("a", tc.name)); got != tc.base {
				t.Fatalf("Base = %q, want %q", got, tc.base)
			}
			path := filepath.Join(dir, tc.name)
			if err := os.WriteFile(path, compress(t, tc.kind, []byte(sample)), 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			r, done, err := NewReader(f, path)
			if err != nil {
				t.Fatal(err)
			}
			defer done()
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != sample {
				t.Fatalf("read %q", got)
			}
			if _, seekable := r.(io.Seeker); seekable != (tc.kind == Plain) {
				t.Fatalf("seekable = %v: a plain file must stay an *os.File", seekable)
			}
		})
	}
}

func TestNewReaderCorrupt(t *testing.T) {
	for _, name := range []string{"x.gz", "x.zst", "x.ZSTD"} {
		r, done, err := NewReader(strings.NewReader("not compressed at all"), name)
		if err == nil {
			_, err = io.ReadAll(r)
			done()
		}
		if err == nil {
			t.Errorf("%s: corrupt input read without error", name)
		}
	}
}

func TestReadLine(t *testing.T) {
	long := strings.Repeat("x", 300)
	in := "short\n" + long + "\n\nlast"
	br := bufio.NewReaderSize(strings.NewReader(in), 16)
	type res struct {
		line string
		n    int
		err  error
	}
	want := []res{{"short\n", 6, nil}, {"", 301, ErrLineTooLong}, {"\n", 1, nil}, {"last", 4, io.EOF}, {"", 0, io.EOF}}
	for i, w := range want {
		line, n, err := ReadLine(br, 100)
		if string(line) != w.line || n != w.n || !errors.Is(err, w.err) || (w.err == nil && err != nil) {
			t.Fatalf("line %d: got %q %d %v, want %q %d %v", i, line, n, err, w.line, w.n, w.err)
		}
	}
}

func TestDecode(t *testing.T) {
	cases := []struct {
		line  string
		check func(l *Line) bool
		err   string
	}{
		{`{"id":"a","text":"hi"}`, func(l *Line) bool { return string(l.ID) == `"a"` && *l.Text == "hi" }, ""},
		{` {"id":7,"body":"b\n\"q\"","created_utc":1764300000} `, func(l *Line) bool {
			return string(l.ID) == "7" && l.Body == "b\n\"q\"" && l.Text == nil
		}, ""},
		{`{"text":"caf\u00e9"}`, func(l *Line) bool { return *l.Text == "café" }, ""},
		{`{"TEXT":"upper"}`, func(l *Line) bool { return *l.Text == "upper" }, ""},
		{`{"text":""}`, func(l *Line) bool { return l.Text != nil && *l.Text == "" }, ""},
		{`{"links":["t.me/a","b"],"is_self":false,"attachments":2,"schema":1}`, func(l *Line) bool {
			return len(l.Links) == 2 && l.IsSelf != nil && !*l.IsSelf && l.Attachments == 2 && l.Schema == 1
		}, ""},
		{`{"media_metadata":{"a":{},"b":{}},"x":[1,{"y":null}]}`, func(l *Line) bool { return len(l.MediaMetadata) == 2 }, ""},
		{`[1,2]`, nil, "not a JSON object"},
		{`{"text":"x",}`, nil, "invalid JSON"},
		{`{"text":5}`, nil, "invalid JSON"},
		{`{"text":"x"} trailing`, nil, "invalid JSON"},
		{``, nil, "not a JSON object"},
	}
	for _, tc := range cases {
		var l Line
		err := Decode([]byte(tc.line), &l)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.line, err, tc.err)
			}
			continue
		}
		if err != nil || !tc.check(&l) {
			t.Errorf("%s: err %v, decoded %+v", tc.line, err, l)
		}
	}
}

func TestParseTimeAndID(t *testing.T) {
	times := []struct {
		raw, want string
		err       bool
	}{
		{``, "", false}, {`null`, "", false}, {`""`, "", false},
		{`1764300000`, "2025-11-28T03:20:00Z", false},
		{`1764300000.25`, "2025-11-28T03:20:00.25Z", false},
		{`"1764300000"`, "2025-11-28T03:20:00Z", false},
		{`"2026-11-28T10:00:00+01:00"`, "2026-11-28T09:00:00Z", false},
		{`"yesterday"`, "", true}, {`-5`, "", true}, {`1e300`, "", true}, {`{}`, "", true},
	}
	for _, tc := range times {
		got, err := ParseTime(RawJSON(tc.raw))
		s := ""
		if !got.IsZero() {
			s = got.Format(time.RFC3339Nano)
		}
		if s != tc.want || (err != nil) != tc.err {
			t.Errorf("ParseTime(%s) = %q, %v", tc.raw, s, err)
		}
	}
	ids := []struct {
		raw, want string
		err       bool
	}{{`"a b "`, "a b", false}, {`12`, "12", false}, {`null`, "", false}, {`{"x":1}`, "", true}, {`"\ud800"`, "\uFFFD", false}}
	for _, tc := range ids {
		got, err := ParseID(RawJSON(tc.raw))
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("ParseID(%s) = %q, %v", tc.raw, got, err)
		}
	}
	var v struct {
		T Time `json:"t"`
	}
	if err := json.Unmarshal([]byte(`{"t":"1764300000"}`), &v); err != nil || v.T.Unix() != 1764300000 {
		t.Fatalf("Time: %v %v", v.T, err)
	}
}

// FuzzDecode holds the fast path to the general decoder: whatever the fast
// path accepts, goccy accepts and reads the same way.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","text":"hi"}`,
		`{"id":7,"title":"t","selftext":"s","created_utc":"1764300000.5","subreddit":"x","permalink":"/r/x/"}`,
		`{"id":"d","text":"x\n\"y\"","created_at":"2026-11-28T10:00:00Z","links":["t.me/x"],"is_self":true,"attachments":3}`,
		`{"text":"\u0000\ud800","Title":"x","media_metadata":null,"other":{"a":[1,2.5e3,-0,true,null,"s\\"]}}`,
		`{"text":"a","text":null,"title":"b","title":null,"is_video":false,"schema":-1}`,
		"{\"text\":\"caf\xc3\xa9 \xff\"}",
		`{"id":01}`, `{"x":[}`, `{"links":[]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast Line
		trimmed := bytes.TrimSpace(b)
		if len(trimmed) == 0 || trimmed[0] != '{' || !decodeFast(trimmed, &fast) {
			return
		}
		var slow Line
		if err := json.Unmarshal(trimmed, &slow); err != nil {
			t.Fatalf("fast path accepted what goccy rejects (%v): %q", err, b)
		}
		for _, raw := range []*RawJSON{&fast.ID, &slow.ID, &fast.CreatedUTC, &slow.CreatedUTC, &fast.CreatedAt, &slow.CreatedAt,
			&fast.FetchedAt, &slow.FetchedAt, &fast.RetrievedOn, &slow.RetrievedOn} {
			if len(*raw) == 0 {
				*raw = nil
			}
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("fast and general decoders differ on %q:\nfast %+v\nslow %+v", b, fast, slow)
		}
		var fromString Line
		if err := DecodeString(string(b), &fromString); err != nil {
			t.Fatalf("DecodeString: %v", err)
		}
		for _, raw := range []*RawJSON{&fromString.ID, &fromString.CreatedUTC, &fromString.CreatedAt, &fromString.FetchedAt, &fromString.RetrievedOn} {
			if len(*raw) == 0 {
				*raw = nil
			}
		}
		if !reflect.DeepEqual(fromString, slow) {
			t.Fatalf("DecodeString differs on %q:\n%+v\n%+v", b, fromString, slow)
		}
	})
}

// FuzzParseID holds ParseID's shortcut for plain string ids to the
// general decoder's reading.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{`"a"`, `" a "`, `"a\"b"`, `"\u00e9"`, "\"\xff\"", `12`, `null`, `"`, `""`, `{"x":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, err := ParseID(raw)
		trimmed := bytes.TrimSpace(raw)
		if len(trimmed) == 0 || trimmed[0] != '"' {
			return
		}
		var want string
		werr := json.Unmarshal(trimmed, &want)
		if (err != nil) != (werr != nil) || (err == nil && got != strings.TrimSpace(want)) {
			t.Fatalf("ParseID(%q) = %q, %v; goccy reads %q, %v", raw, got, err, want, werr)
		}
	})
}

// FuzzReadLine holds ReadLine to a plain split on '\n': every line up to
// the cap comes back whole, a longer one is consumed and reported, and
// the bytes consumed add up to the input whatever the buffer size.
func FuzzReadLine(f *testing.F) {
	for _, s := range []string{"a\nb\n", "", "\n\n", "no newline", strings.Repeat("x", 40) + "\nshort\n", "\xff\x00\r\n"} {
		f.Add([]byte(s), uint8(8))
	}
	f.Fuzz(func(t *testing.T, in []byte, capByte uint8) {
		maxLine := int(capByte%64) + 1
		br := bufio.NewReaderSize(bytes.NewReader(in), 16) // smaller than most lines: ErrBufferFull paths
		want := bytes.SplitAfter(in, []byte{'\n'})
		if len(want) > 0 && len(want[len(want)-1]) == 0 {
			want = want[:len(want)-1]
		}
		total := 0
		for i := 0; ; i++ {
			line, n, err := ReadLine(br, maxLine)
			total += n
			if n == 0 && errors.Is(err, io.EOF) {
				if i != len(want) {
					t.Fatalf("%q: %d lines read, want %d", in, i, len(want))
				}
				break
			}
			if i >= len(want) {
				t.Fatalf("%q: more lines than %d", in, len(want))
			}
			if n != len(want[i]) {
				t.Fatalf("%q line %d: consumed %d, want %d", in, i, n, len(want[i]))
			}
			body := bytes.TrimSuffix(want[i], []byte{'\n'})
			switch {
			case len(body) > maxLine:
				if !errors.Is(err, ErrLineTooLong) || line != nil {
					t.Fatalf("%q line %d over the cap %d: got %q, %v", in, i, maxLine, line, err)
				}
			case !bytes.Equal(line, want[i]):
				t.Fatalf("%q line %d: got %q, want %q (err %v)", in, i, line, want[i], err)
			}
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, ErrLineTooLong) {
				t.Fatal(err)
			}
		}
		if total != len(in) {
			t.Fatalf("%q: consumed %d of %d bytes", in, total, len(in))
		}
	})
}
