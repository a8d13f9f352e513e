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
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
	"unsafe"

	json "github.com/goccy/go-json"
	"go.uber.org/zap"
	"golang.org/x/term"

	"github.com/handlewatch/handlewatch/internal/dump"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// Scan limits.
const (
	scanBatchBytes   = 1 << 20  // lines handed to a worker at once
	scanMaxLine      = 64 << 20 // a longer line is counted malformed and skipped
	scanMaxMalformed = 20       // malformed lines listed by file:line in the summary
	// scanMaxText is where a post's text is cut, as the crawler cuts it:
	// no real post comes near, and the detector's work and offset maps
	// grow with the text.
	scanMaxText = 256 << 10
	// scanInFlight batches per worker may be read ahead of the output:
	// the bound on memory, whatever the file size or a slow batch.
	scanInFlight = 4
)

// ScanSummary is what Scan counted.
type ScanSummary struct {
	Files     int
	Posts     int64
	Findings  int64
	ByApp     map[string]int64 // findings per app (a finding counts once per app it names)
	Malformed int64
	Examples  []string // the first malformed lines, "file:line: reason"
	Failed    []string // files that could not be read to their end, "file: reason"
	Bytes     int64    // uncompressed bytes read
	Elapsed   time.Duration
}

// Scan reads NDJSON/JSONL files (.gz, .zst, .zstd, in any letter case)
// and writes findings as NDJSON to out; the summary goes to summary. Each
// line is one JSON object with "id" and "text", or Reddit dump fields
// (title, selftext, body, author, subreddit, permalink, created_utc), or a
// wire.Post. A malformed line is counted and listed in the summary, never
// fatal. A file that cannot be read to its end (corrupt, a decompression
// bomb) is listed in the summary after the lines read from it were
// scanned, and the next file is read; the error returned names the files
// that failed (the summary gives why) and wraps each one's error. Findings
// come out in input order, file after file, whatever the number of
// workers. "-" reads standard input.
func Scan(ctx context.Context, e *Engine, files []string, out, summary io.Writer, opts ScanOptions) error {
	sum, err := ScanFiles(ctx, e, files, out, opts)
	if sum != nil {
		sum.write(summary)
		var ff *filesFailed
		if summary != nil && errors.As(err, &ff) {
			// The summary gave each file's reason: said once.
			return &failedFilesError{names: ff.names, err: err}
		}
	}
	return err
}

// filesFailed joins the errors of the files that failed.
type filesFailed struct {
	names []string
	errs  []error
}

func (f *filesFailed) Error() string   { return errors.Join(f.errs...).Error() }
func (f *filesFailed) Unwrap() []error { return f.errs }

// failedFilesError is Scan's error when the summary already gave why each
// file failed: it names them, no more.
type failedFilesError struct {
	names []string
	err   error
}

func (e *failedFilesError) Error() string {
	names := e.names
	more := ""
	if len(names) > 5 {
		names, more = names[:5], fmt.Sprintf(" and %d more", len(e.names)-5)
	}
	return fmt.Sprintf("%d file(s) not read to the end (see failed: above): %s%s", len(e.names), strings.Join(names, ", "), more)
}
func (e *failedFilesError) Unwrap() error { return e.err }

// ScanFiles is Scan returning the summary instead of writing it.
//
// One goroutine reads large blocks and cuts them into line-aligned
// batches; the workers decode (internal/dump's flat-line fast path) and
// detect (Engine.Detect, nothing else of the engine); the caller's
// goroutine writes the results in batch order. At most scanInFlight
// batches per worker exist at once, a long line's batch counting as one
// per scanBatchBytes it holds.
func ScanFiles(ctx context.Context, e *Engine, files []string, out io.Writer, opts ScanOptions) (*ScanSummary, error) {
	return newScanner(e, out, opts).run(ctx, files)
}

func newScanner(e *Engine, out io.Writer, opts ScanOptions) *scanner {
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	s := &scanner{e: e, workers: workers, batchBytes: scanBatchBytes, maxLine: scanMaxLine,
		sum: &ScanSummary{ByApp: map[string]int64{}}, out: bufio.NewWriterSize(out, 256<<10), log: opts.Log}
	if opts.Prefilter {
		s.pf = e.prefilter()
	}
	if f, ok := opts.Progress.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		s.progress = f
	}
	return s
}

func (s *scanner) run(ctx context.Context, files []string) (*ScanSummary, error) {
	s.start = time.Now()
	// A file that fails (unreadable, corrupt, a decompression bomb) is
	// listed in the summary and the next one is read: one bad file in an
	// archive of many does not end the scan. A failed write or a cancelled
	// context ends it.
	var errs []error
	var names []string
	var err error
	for _, path := range files {
		ferr := s.file(ctx, path)
		if ferr == nil {
			s.sum.Files++
			continue
		}
		var we *writeError
		if errors.As(ferr, &we) || ctx.Err() != nil {
			err = errors.Join(append(errs, ferr)...) // the files failed before it too
			break
		}
		s.sum.Failed = append(s.sum.Failed, ferr.Error())
		errs, names = append(errs, ferr), append(names, path)
	}
	if err == nil && len(errs) > 0 {
		err = &filesFailed{names: names, errs: errs}
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
	e          *Engine
	pf         *prefilter // nil: every line takes the full path
	workers    int
	batchBytes int // scanBatchBytes; smaller in tests
	maxLine    int // scanMaxLine; smaller in tests
	sum        *ScanSummary
	out        *bufio.Writer
	progress   io.Writer
	log        *zap.Logger // nil: malformed lines are only counted and listed
	start      time.Time
	bufs       sync.Pool // *[]byte of batchBytes capacity
}

// batch is a run of whole lines of one file, in order.
type batch struct {
	seq       int
	firstLine int64 // number of the first line of data
	offset    int64 // uncompressed byte offset of data (or of the overlong line)
	data      []byte
	buf       *[]byte // data's pooled buffer, nil when it was grown for a long line
	overlong  int64   // when not 0: the number of a line skipped for being too long (data is empty)
	slots     int     // read-ahead slots the batch holds
}

type batchResult struct {
	seq       int
	slots     int // the batch's, given back when it is written
	out       []byte
	posts     int64
	findings  int64
	byApp     map[string]int64
	malformed []malformedLine
}

// malformedLine is one line that was skipped, where it is and why.
type malformedLine struct {
	line, offset int64
	reason       string
}

// writeError is a failure to write findings: nothing more can be done.
type writeError struct{ err error }

func (e *writeError) Error() string { return "writing findings: " + e.err.Error() }
func (e *writeError) Unwrap() error { return e.err }

func (s *scanner) getBuf() *[]byte {
	if b, ok := s.bufs.Get().(*[]byte); ok {
		*b = (*b)[:0]
		return b
	}
	b := make([]byte, 0, s.batchBytes)
	return &b
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
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
			size = st.Size()
		}
		raw = f
	}
	counted := &countingReader{r: raw}
	r, closeFn, err := dump.NewReader(counted, path)
	if err != nil {
		return fmt.Errorf("opening %s: %w", path, err)
	}
	defer closeFn()

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	slots := make(chan struct{}, s.workers*scanInFlight)
	batches := make(chan *batch, s.workers*scanInFlight)
	results := make(chan *batchResult, s.workers*scanInFlight)
	var wg sync.WaitGroup
	for range s.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ld := lineDecoder{name: name, base: dump.Base(name)}
			var sc pfScratch
			for b := range batches {
				results <- s.detectBatch(b, &ld, &sc)
			}
		}()
	}
	go func() { wg.Wait(); close(results) }()

	readErr := make(chan error, 1)
	var uncompressed atomic.Int64
	go func() {
		defer close(batches)
		readErr <- s.readBatches(ctx, r, batches, slots, &uncompressed)
	}()

	pending := map[int]*batchResult{}
	next := 0
	fileStart, lastDraw := time.Now(), time.Time{}
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
			for range r.slots {
				<-slots
			}
			if werr == nil {
				if _, err := s.out.Write(r.out); err != nil {
					werr = &writeError{err}
					cancel() // nothing more can be written: stop reading
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
					s.sum.Examples = append(s.sum.Examples, fmt.Sprintf("%s:%d: %s", name, m.line, m.reason))
				}
				if s.log != nil {
					s.log.Warn("skipping malformed line", zap.String("file", name), zap.Int64("line", m.line),
						zap.Int64("offset", m.offset), zap.String("reason", m.reason))
				}
			}
		}
		if s.progress != nil && time.Since(lastDraw) > 200*time.Millisecond {
			lastDraw = time.Now()
			s.draw(name, counted.n.Load(), size, s.sum.Bytes+uncompressed.Load(), fileStart)
		}
	}
	s.sum.Bytes += uncompressed.Load()
	if werr != nil {
		return werr
	}
	if err := <-readErr; err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	return nil
}

// draw redraws the one-line progress bar: the file's share read (of its
// size on disk, compressed or not), posts, findings, throughput of
// uncompressed bytes, posts per second and the time left on this file.
func (s *scanner) draw(name string, read, size, bytesOut int64, fileStart time.Time) {
	const width = 24
	bar, eta := "", ""
	if size > 0 {
		frac := min(1, float64(read)/float64(size))
		done := int(frac * width)
		bar = fmt.Sprintf(" [%s%s] %3.0f%%", strings.Repeat("=", done), strings.Repeat(" ", width-done), 100*frac)
		if frac > 0 {
			left := time.Duration(float64(time.Since(fileStart)) * (1 - frac) / frac)
			eta = "  ETA " + left.Round(time.Second).String()
		}
	}
	secs := max(time.Since(s.start).Seconds(), 1e-3)
	fmt.Fprintf(s.progress, "\r\033[K%s%s  %.1f MB  %.1f MB/s  %d posts  %.0f posts/s  %d findings%s", filepath.Base(name), bar,
		float64(bytesOut)/1e6, float64(bytesOut)/1e6/secs, s.sum.Posts, float64(s.sum.Posts)/secs, s.sum.Findings, eta)
}

// readBatches reads r in large blocks and sends them cut after their last
// newline; the rest of a block starts the next batch. A line longer than
// a block grows its batch up to scanMaxLine; a longer one is skipped to
// its end and sent as an overlong marker. Every batch takes a slot, which
// the writer gives back.
func (s *scanner) readBatches(ctx context.Context, r io.Reader, out chan<- *batch, slots chan struct{}, n *atomic.Int64) error {
	seq := 0
	line := int64(1)
	pos := int64(0) // uncompressed offset of buf[0]
	nl := 0         // buf[:nl] ends at buf's last newline (0: none yet)
	send := func(b *batch) error {
		// A batch takes a slot per batchBytes it holds: read-ahead is
		// bounded in bytes, so a file of 50 MB lines does not hold
		// scanInFlight of them per worker at once.
		b.slots = min(cap(slots), max(1, (len(b.data)+s.batchBytes-1)/s.batchBytes))
		for range b.slots {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		b.seq = seq
		seq++
		out <- b // never blocks: a slot guarantees room
		return nil
	}
	// drain waits until every batch sent has been written.
	drain := func() error {
		for range cap(slots) {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		for range cap(slots) {
			<-slots
		}
		return nil
	}
	pb := s.getBuf()
	buf := *pb
	skipping := false
	for {
		if len(buf) == cap(buf) {
			if len(buf) >= s.maxLine {
				// A line without end in sight: skip it.
				if err := send(&batch{firstLine: line, offset: pos, overlong: line}); err != nil {
					return err
				}
				pos += int64(len(buf))
				skipping, buf, nl = true, buf[:0], 0
			} else {
				if pb != nil {
					// A long line starts: the ones before it are written
					// first, so that one long line at most is in memory.
					if err := drain(); err != nil {
						return err
					}
				}
				grown := make([]byte, len(buf), min(2*cap(buf), s.maxLine))
				copy(grown, buf)
				s.putBuf(pb, buf)
				pb, buf = nil, grown
			}
		}
		k, err := r.Read(buf[len(buf):cap(buf)])
		n.Add(int64(k))
		if err != nil && !errors.Is(err, io.EOF) {
			// Whole lines read so far are sent: they are scanned.
			if cut := bytes.LastIndexByte(buf[:len(buf)+k], '\n') + 1; cut > 0 && !skipping {
				b := &batch{firstLine: line, offset: pos, data: buf[:cut], buf: pb}
				line += int64(bytes.Count(b.data, []byte{'\n'}))
				if serr := send(b); serr != nil {
					return serr
				}
			}
			return fmt.Errorf("line %d: %w", line, err)
		}
		if skipping && k > 0 {
			chunk := buf[len(buf) : len(buf)+k]
			i := bytes.IndexByte(chunk, '\n')
			if i < 0 {
				pos += int64(k)
				k = 0 // still inside the long line
			} else {
				pos += int64(i + 1)
				k = copy(buf[:cap(buf)], chunk[i+1:]) // buf is empty: the rest of the chunk starts it
				line++
				skipping = false
			}
		}
		// Only the bytes just read are searched for a newline: searching
		// the whole buffer after each read was quadratic in a long line.
		if i := bytes.LastIndexByte(buf[len(buf):len(buf)+k], '\n'); i >= 0 {
			nl = len(buf) + i + 1
		}
		buf = buf[:len(buf)+k]
		atEOF := errors.Is(err, io.EOF)
		if err != nil && !atEOF {
			return err
		}
		if len(buf) >= s.batchBytes || (atEOF && len(buf) > 0) {
			cut := nl
			if atEOF {
				cut = len(buf)
			}
			if cut > 0 {
				nextPB := s.getBuf()
				*nextPB = append(*nextPB, buf[cut:]...)
				b := &batch{firstLine: line, offset: pos, data: buf[:cut], buf: pb}
				line += int64(bytes.Count(b.data, []byte{'\n'}))
				if err := send(b); err != nil {
					return err
				}
				pos += int64(cut)
				pb, buf, nl = nextPB, *nextPB, 0
			}
		}
		if atEOF {
			return nil
		}
	}
}

// putBuf returns a batch's buffer to the pool, unless it was grown.
func (s *scanner) putBuf(pb *[]byte, buf []byte) {
	if pb != nil && cap(buf) == s.batchBytes {
		*pb = buf[:0]
		s.bufs.Put(pb)
	}
}

func (s *scanner) detectBatch(b *batch, ld *lineDecoder, sc *pfScratch) *batchResult {
	res := &batchResult{seq: b.seq, slots: b.slots}
	if b.overlong != 0 {
		res.malformed = append(res.malformed, malformedLine{b.overlong, b.offset, "line longer than " + sizeText(s.maxLine)})
		return res
	}
	var buf bytes.Buffer
	no := b.firstLine - 1
	off, next := b.offset, b.offset
	// One copy of a pooled batch: the posts' strings are cut from it, and
	// the buffer goes back to the pool at once. A buffer grown for a long
	// line is not pooled and never written again: its bytes are the
	// string, and a line of 50 MB is not held twice.
	var data string
	if b.buf == nil {
		data = unsafe.String(unsafe.SliceData(b.data), len(b.data))
	} else {
		data = string(b.data)
		s.putBuf(b.buf, b.data)
	}
	for len(data) > 0 {
		var line string
		if i := strings.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, ""
		}
		no++
		off, next = next, next+int64(len(line))+1
		line = strings.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if s.pf != nil && s.pf.skip(line, sc) {
			res.posts++ // a well-formed post without a handle candidate
			continue
		}
		p, err := ld.decode(line, no)
		if err != nil {
			res.malformed = append(res.malformed, malformedLine{no, off, err.Error()})
			continue
		}
		res.posts++
		f, err := safeDetect(s.e, p)
		if err != nil {
			res.malformed = append(res.malformed, malformedLine{no, off, err.Error()})
			continue
		}
		if f == nil {
			continue
		}
		enc, err := json.Marshal(f)
		if err != nil {
			res.malformed = append(res.malformed, malformedLine{no, off, "encoding finding: " + err.Error()})
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
	ld.l, ld.p = dump.Line{}, wire.Post{} // let the batch's string go
	res.out = buf.Bytes()
	return res
}

// sizeText is n bytes in MiB, or in bytes below one.
func sizeText(n int) string {
	if n >= 1<<20 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
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

// cutText is s cut to at most n bytes, at a rune start.
func cutText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
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

// scanPost turns one line of a dump into the post scan detects on: the
// text as written ("text", else title, selftext and body), with name and
// lineNo standing in for a missing source and id. l is scratch space.
func scanPost(line string, l *dump.Line, name string, lineNo int64) (*wire.Post, error) {
	return decodePost(line, l, &wire.Post{}, name, dump.Base(name), lineNo)
}

// lineDecoder is one scan worker's decoding state, reused line after
// line: the post is detected on and encoded before the next line is
// read, and nothing the engine returns points into it, so one Post and
// one Line serve a whole file (a fresh Post per line was a tenth of
// scan's allocated bytes), and the file's base name is worked out once.
type lineDecoder struct {
	l          dump.Line
	p          wire.Post
	name, base string // the file, and dump.Base of it
}

func (ld *lineDecoder) decode(line string, lineNo int64) (*wire.Post, error) {
	return decodePost(line, &ld.l, &ld.p, ld.name, ld.base, lineNo)
}

// decodePost is scanPost into p, with base = dump.Base(name).
func decodePost(line string, l *dump.Line, p *wire.Post, name, base string, lineNo int64) (*wire.Post, error) {
	if err := dump.DecodeString(line, l); err != nil {
		if errors.Is(err, dump.ErrNotObject) {
			return nil, fmt.Errorf("invalid JSON: %w", err)
		}
		return nil, err
	}
	id, err := dump.ParseID(l.ID)
	if err != nil {
		return nil, fmt.Errorf("invalid JSON: %w", err)
	}
	*p = wire.Post{Schema: wire.SchemaVersion, Source: l.Source, SourceKind: l.SourceKind, ID: id,
		Permalink: l.Permalink, Author: l.Author, Links: l.Links, Lang: l.Lang}
	switch {
	case l.Text != nil && *l.Text != "":
		p.Text = *l.Text
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
	p.Text = cutText(p.Text, scanMaxText)
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
		if p.Source = base; p.Source == "" {
			p.Source = "file"
		}
	}
	if p.SourceKind == "" {
		p.SourceKind = "file"
	}
	if p.ID == "" {
		p.ID = fmt.Sprintf("%s:%d", filepath.Base(name), lineNo)
	}
	for _, t := range []struct {
		dst  *time.Time
		raws []dump.RawJSON
	}{{&p.CreatedAt, []dump.RawJSON{l.CreatedUTC, l.CreatedAt}}, {&p.FetchedAt, []dump.RawJSON{l.FetchedAt, l.RetrievedOn}}} {
		for _, raw := range t.raws {
			v, err := dump.ParseTime(raw)
			if err != nil {
				return nil, fmt.Errorf("invalid JSON: %w", err)
			}
			if t.dst.IsZero() {
				*t.dst = v
			}
		}
	}
	return p, nil
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
	for _, f := range sum.Failed {
		fmt.Fprintf(w, "failed: %s\n", f)
	}
}
