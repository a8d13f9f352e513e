package detector

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	json "github.com/goccy/go-json"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"golang.org/x/term"

	"github.com/handlewatch/handlewatch/internal/wire"
)

// Scan limits.
const (
	scanBatchBytes   = 1 << 20  // lines handed to a worker at once
	scanMaxLine      = 64 << 20 // a longer line is counted malformed and skipped
	scanMaxMalformed = 20       // malformed lines listed by file:line in the summary
)

// ScanSummary is what Scan counted.
type ScanSummary struct {
	Files     int
	Posts     int64
	Findings  int64
	ByApp     map[string]int64 // findings per app (a finding counts once per app it names)
	Malformed int64
	Examples  []string // the first malformed lines, "file:line: reason"
	Bytes     int64    // uncompressed bytes read
	Elapsed   time.Duration
}

// Scan reads NDJSON/JSONL files (.gz, .zst) and writes findings as NDJSON
// to out; the summary goes to summary. Each line is one JSON object with
// "id" and "text", or Reddit dump fields (title, selftext, body, author,
// subreddit, permalink, created_utc), or a wire.Post. A malformed line is
// counted and listed in the summary, never fatal. Findings come out in
// input order, file after file, whatever the number of workers. "-" reads
// standard input.
func Scan(ctx context.Context, e *Engine, files []string, out, summary io.Writer, opts ScanOptions) error {
	sum, err := ScanFiles(ctx, e, files, out, opts)
	if sum != nil {
		sum.write(summary)
	}
	return err
}

// ScanFiles is Scan returning the summary instead of writing it.
func ScanFiles(ctx context.Context, e *Engine, files []string, out io.Writer, opts ScanOptions) (*ScanSummary, error) {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	s := &scanner{e: e, workers: workers, sum: &ScanSummary{ByApp: map[string]int64{}}, out: bufio.NewWriterSize(out, 256<<10)}
	if f, ok := opts.Progress.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		s.progress = f
	}
	s.start = time.Now()
	var err error
	for _, path := range files {
		if err = s.file(ctx, path); err != nil {
			break
		}
		s.sum.Files++
	}
	if ferr := s.out.Flush(); ferr != nil && err == nil {
		err = fmt.Errorf("writing findings: %w", ferr)
	}
	s.sum.Elapsed = time.Since(s.start)
	if s.progress != nil {
		fmt.Fprint(s.progress, "\r\033[K")
	}
	return s.sum, err
}

type scanner struct {
	e        *Engine
	workers  int
	sum      *ScanSummary
	out      *bufio.Writer
	progress io.Writer
	start    time.Time
}

// batch is a run of lines of one file, in order.
type batch struct {
	seq      int
	firstNo  int // line number of the first line
	data     []byte
	ends     []int // end offset of each line in data
	overlong []int // line numbers skipped for being too long
}

type batchResult struct {
	seq       int
	out       []byte
	posts     int64
	findings  int64
	byApp     map[string]int64
	malformed []string
}

func (s *scanner) file(ctx context.Context, path string) error {
	name := path
	var raw io.Reader
	var size int64
	if path == "-" {
		name, raw = "stdin", os.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("opening %s: %w", path, err)
		}
		defer f.Close()
		if st, err := f.Stat(); err == nil {
			size = st.Size()
		}
		raw = f
	}
	counted := &countingReader{r: raw}
	r, closeFn, err := decompress(path, counted)
	if err != nil {
		return err
	}
	defer closeFn()

	batches := make(chan *batch, s.workers*2)
	results := make(chan *batchResult, s.workers*2)
	var wg sync.WaitGroup
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				results <- s.detectBatch(name, b)
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	readErr := make(chan error, 1)
	var uncompressed atomic.Int64
	go func() {
		readErr <- readBatches(ctx, r, batches, &uncompressed)
		close(batches)
	}()

	pending := map[int]*batchResult{}
	next := 0
	lastDraw := time.Time{}
	var werr error
	for res := range results {
		pending[res.seq] = res
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			if werr == nil {
				if _, err := s.out.Write(r.out); err != nil {
					werr = fmt.Errorf("writing findings: %w", err)
				}
			}
			s.sum.Posts += r.posts
			s.sum.Findings += r.findings
			for app, n := range r.byApp {
				s.sum.ByApp[app] += n
			}
			s.sum.Malformed += int64(len(r.malformed))
			for _, m := range r.malformed {
				if len(s.sum.Examples) < scanMaxMalformed {
					s.sum.Examples = append(s.sum.Examples, m)
				}
			}
		}
		if s.progress != nil && time.Since(lastDraw) > 200*time.Millisecond {
			lastDraw = time.Now()
			s.draw(name, counted.n.Load(), size, s.sum.Bytes+uncompressed.Load())
		}
	}
	s.sum.Bytes += uncompressed.Load()
	if err := <-readErr; err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return werr
}

// draw redraws the one-line progress bar: the file's share read (of the
// compressed size), posts, findings and throughput.
func (s *scanner) draw(name string, read, size, bytesOut int64) {
	const width = 24
	bar := ""
	if size > 0 {
		frac := min(1, float64(read)/float64(size))
		done := int(frac * width)
		bar = fmt.Sprintf(" [%s%s] %3.0f%%", strings.Repeat("=", done), strings.Repeat(" ", width-done), 100*frac)
	}
	mbs := float64(bytesOut) / 1e6 / max(time.Since(s.start).Seconds(), 1e-3)
	fmt.Fprintf(s.progress, "\r\033[K%s%s  %d posts  %d findings  %.1f MB/s", filepath.Base(name), bar,
		s.sum.Posts, s.sum.Findings, mbs)
}

// decompress picks the reader by file extension. Reddit dumps are zstd
// with a 2 GiB window, which the decoder refuses by default.
func decompress(path string, r io.Reader) (io.Reader, func(), error) {
	switch {
	case strings.HasSuffix(path, ".gz"):
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, nil, fmt.Errorf("opening %s: %w", path, err)
		}
		return zr, func() { zr.Close() }, nil
	case strings.HasSuffix(path, ".zst"):
		zr, err := zstd.NewReader(r, zstd.WithDecoderMaxWindow(1<<31))
		if err != nil {
			return nil, nil, fmt.Errorf("opening %s: %w", path, err)
		}
		return zr, zr.Close, nil
	}
	return r, func() {}, nil
}

// readBatches splits r into lines of any length (bufio.Reader, not
// Scanner, whose 64 KiB token limit Reddit selftexts exceed) and sends
// them in batches.
func readBatches(ctx context.Context, r io.Reader, out chan<- *batch, n *atomic.Int64) error {
	br := bufio.NewReaderSize(r, 256<<10)
	b := &batch{firstNo: 1}
	lineNo := 0
	send := func() bool {
		if len(b.ends) == 0 && len(b.overlong) == 0 {
			return true
		}
		select {
		case out <- b:
		case <-ctx.Done():
			return false
		}
		b = &batch{seq: b.seq + 1, firstNo: lineNo + 1, data: make([]byte, 0, scanBatchBytes+4096)}
		return true
	}
	b.data = make([]byte, 0, scanBatchBytes+4096)
	for {
		lineStart := len(b.data)
		overlong := false
		var err error
		for {
			var chunk []byte
			chunk, err = br.ReadSlice('\n')
			n.Add(int64(len(chunk)))
			if !overlong {
				if len(b.data)-lineStart+len(chunk) > scanMaxLine {
					overlong = true
					b.data = b.data[:lineStart]
				} else {
					b.data = append(b.data, chunk...)
				}
			}
			if err != bufio.ErrBufferFull {
				break
			}
		}
		atEOF := errors.Is(err, io.EOF)
		if err != nil && !atEOF {
			return err
		}
		if len(b.data) > lineStart || overlong || !atEOF {
			lineNo++
			if overlong {
				b.overlong = append(b.overlong, lineNo)
				b.ends = append(b.ends, lineStart)
			} else {
				b.ends = append(b.ends, len(b.data))
			}
		}
		if atEOF {
			if !send() {
				return ctx.Err()
			}
			return nil
		}
		if len(b.data) >= scanBatchBytes {
			if !send() {
				return ctx.Err()
			}
		}
	}
}

func (s *scanner) detectBatch(name string, b *batch) *batchResult {
	res := &batchResult{seq: b.seq}
	var buf bytes.Buffer
	start, skip := 0, 0
	for i, end := range b.ends {
		line := b.data[start:end]
		start = end
		no := b.firstNo + i
		if skip < len(b.overlong) && b.overlong[skip] == no {
			skip++
			res.malformed = append(res.malformed, fmt.Sprintf("%s:%d: line longer than %d MiB", name, no, scanMaxLine>>20))
			continue
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		p, err := DecodeScanLine(line, name, no)
		if err != nil {
			res.malformed = append(res.malformed, fmt.Sprintf("%s:%d: %v", name, no, err))
			continue
		}
		res.posts++
		f, err := safeDetect(s.e, p)
		if err != nil {
			res.malformed = append(res.malformed, fmt.Sprintf("%s:%d: %v", name, no, err))
			continue
		}
		if f == nil {
			continue
		}
		enc, err := json.Marshal(f)
		if err != nil {
			res.malformed = append(res.malformed, fmt.Sprintf("%s:%d: encoding finding: %v", name, no, err))
			continue
		}
		buf.Write(enc)
		buf.WriteByte('\n')
		res.findings++
		if res.byApp == nil {
			res.byApp = map[string]int64{}
		}
		for _, app := range apps(f.Handles) {
			res.byApp[app]++
		}
	}
	res.out = buf.Bytes()
	return res
}

// safeDetect turns a detector panic on one line into an error for that
// line: a scan of millions of posts does not die on one.
func safeDetect(e *Engine, p *wire.Post) (f *wire.Finding, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("detector panic: %v", r)
		}
	}()
	return e.Detect(p), nil
}

type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// scanLine is the union of the line formats Scan reads.
type scanLine struct {
	Schema     int        `json:"schema"`
	ID         flexString `json:"id"`
	Source     string     `json:"source"`
	SourceKind string     `json:"source_kind"`
	Text       string     `json:"text"`
	Title      string     `json:"title"`
	Selftext   string     `json:"selftext"`
	Body       string     `json:"body"`
	Author     string     `json:"author"`
	Subreddit  string     `json:"subreddit"`
	Permalink  string     `json:"permalink"`
	Links      []string   `json:"links"`
	Lang       string     `json:"lang"`
	CreatedUTC flexTime   `json:"created_utc"`
	CreatedAt  flexTime   `json:"created_at"`
	FetchedAt  flexTime   `json:"fetched_at"`
	Retrieved  flexTime   `json:"retrieved_on"`
}

// DecodeScanLine turns one line of a dump into a post. name and lineNo
// stand in for a missing source and id.
func DecodeScanLine(line []byte, name string, lineNo int) (*wire.Post, error) {
	var l scanLine
	if err := json.Unmarshal(line, &l); err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	p := &wire.Post{Schema: wire.SchemaVersion, Source: l.Source, SourceKind: l.SourceKind, ID: string(l.ID),
		Permalink: l.Permalink, Author: l.Author, Links: l.Links, Lang: l.Lang}
	switch {
	case l.Text != "":
		p.Text = l.Text
	default:
		var parts []string
		for _, s := range []string{l.Title, l.Selftext, l.Body} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		p.Text = strings.Join(parts, "\n\n")
	}
	if p.Text == "" {
		return nil, errors.New("no text, title, selftext or body")
	}
	if l.Subreddit != "" {
		if p.Source == "" {
			p.Source = "reddit"
		}
		if p.SourceKind == "" {
			p.SourceKind = "reddit"
		}
		if strings.HasPrefix(p.Permalink, "/") {
			p.Permalink = "https://www.reddit.com" + p.Permalink
		}
	}
	if p.Source == "" {
		p.Source = dumpName(name)
	}
	if p.SourceKind == "" {
		p.SourceKind = "file"
	}
	if p.ID == "" {
		p.ID = fmt.Sprintf("%s:%d", filepath.Base(name), lineNo)
	}
	p.CreatedAt = l.CreatedUTC.t
	if p.CreatedAt.IsZero() {
		p.CreatedAt = l.CreatedAt.t
	}
	p.FetchedAt = l.FetchedAt.t
	if p.FetchedAt.IsZero() {
		p.FetchedAt = l.Retrieved.t
	}
	return p, nil
}

// dumpName is a file's base name without its compression and JSON-lines
// extensions: the source name of the posts of a plain dump.
func dumpName(path string) string {
	name := filepath.Base(path)
	for _, ext := range []string{".gz", ".zst", ".ndjson", ".jsonl", ".json"} {
		name = strings.TrimSuffix(name, ext)
	}
	if name == "" {
		return "file"
	}
	return name
}

// flexString accepts a JSON string or number (some dumps write ids as
// numbers).
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
		return nil
	}
	if string(b) == "null" {
		return nil
	}
	if _, err := strconv.ParseFloat(string(b), 64); err != nil {
		return fmt.Errorf("id: want a string or number, got %.20s", b)
	}
	*s = flexString(b)
	return nil
}

// flexTime accepts Unix seconds as an integer, a float or a string (dumps
// have all three), or an RFC 3339 string.
type flexTime struct{ t time.Time }

func (f *flexTime) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || s == `""` {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		s = v
		if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			f.t = t.UTC()
			return nil
		}
	}
	sec, err := strconv.ParseFloat(s, 64)
	if err != nil || sec < 0 || sec > 1e11 {
		return fmt.Errorf("time: want Unix seconds or RFC 3339, got %.40s", b)
	}
	whole := int64(sec)
	f.t = time.Unix(whole, int64((sec-float64(whole))*1e9)).UTC()
	return nil
}

func (sum *ScanSummary) write(w io.Writer) {
	if w == nil {
		return
	}
	mbs := 0.0
	if sum.Elapsed > 0 {
		mbs = float64(sum.Bytes) / 1e6 / sum.Elapsed.Seconds()
	}
	fmt.Fprintf(w, "scanned %d file(s): %d posts, %d findings, %d malformed lines, %.1f MB in %s (%.1f MB/s)\n",
		sum.Files, sum.Posts, sum.Findings, sum.Malformed, float64(sum.Bytes)/1e6, sum.Elapsed.Round(time.Millisecond), mbs)
	if len(sum.ByApp) > 0 {
		keys := make([]string, 0, len(sum.ByApp))
		for k := range sum.ByApp {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if sum.ByApp[keys[i]] != sum.ByApp[keys[j]] {
				return sum.ByApp[keys[i]] > sum.ByApp[keys[j]]
			}
			return keys[i] < keys[j]
		})
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %d", k, sum.ByApp[k])
		}
		fmt.Fprintf(w, "findings by app: %s\n", strings.Join(parts, ", "))
	}
	for _, m := range sum.Examples {
		fmt.Fprintf(w, "malformed: %s\n", m)
	}
	if sum.Malformed > int64(len(sum.Examples)) {
		fmt.Fprintf(w, "malformed: … and %d more\n", sum.Malformed-int64(len(sum.Examples)))
	}
}
