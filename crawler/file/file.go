package file

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler/source"
	"github.com/handlewatch/handlewatch/internal/dump"
)

// Defaults of the options.
const (
	DefaultMaxLineBytes = 16 << 20
	minMaxLineBytes     = 64 << 10
)

// Streamer replays the dump files of one source. Its targets are paths
// or globs; a target's files are read in lexical order.
type Streamer struct {
	source        string
	maxLine       int
	permalinkBase string
	log           *zap.Logger
}

var (
	_ source.Streamer = (*Streamer)(nil)
	_ source.Finite   = (*Streamer)(nil)
)

// Finite reports that a replay ends by itself: under Once it runs to the
// end of the files, however long they are.
func (s *Streamer) Finite() bool { return true }

// New builds the file adapter of one source. Options: max_line_bytes
// (longest line read, from 64 KiB, default 16 MiB; a longer line is
// skipped), permalink_base (prefix of relative permalinks, default
// https://www.reddit.com).
func New(sc source.Config, d source.Deps) (*Streamer, error) {
	s := &Streamer{source: sc.Name, log: d.Log}
	if s.log == nil {
		s.log = zap.NewNop()
	}
	o := source.NewOptions(sc.Options)
	var err error
	if s.maxLine, err = o.Int("max_line_bytes", DefaultMaxLineBytes, minMaxLineBytes, 1<<30); err != nil {
		return nil, err
	}
	s.permalinkBase = o.String("permalink_base", DefaultPermalinkBase)
	if !strings.HasPrefix(s.permalinkBase, "https://") && !strings.HasPrefix(s.permalinkBase, "http://") {
		return nil, fmt.Errorf("options.permalink_base: %q must be an http(s) URL", s.permalinkBase)
	}
	if err := o.Unknown(); err != nil {
		return nil, err
	}
	for i, t := range sc.Targets {
		if _, err := filepath.Match(t, ""); err != nil {
			return nil, fmt.Errorf("targets[%d]: %q is not a valid path or glob: %w", i, t, err)
		}
	}
	return s, nil
}

// Cursor is the position in a target's files: every file before File (in
// lexical order) is done; File is read up to Offset bytes (of its
// decompressed content) and Line lines. Done marks a file read to its
// end: a compressed one is not opened again, a plain one is re-read from
// Offset in case it grew.
type Cursor struct {
	File   string `json:"file"`
	Offset int64  `json:"offset"`
	Line   int64  `json:"line"`
	Done   bool   `json:"done,omitempty"`
}

func (c Cursor) String() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Stream reads the target's files from the cursor on and emits a post per
// good line. It returns nil when every file has been read.
func (s *Streamer) Stream(ctx context.Context, t source.Target, cur string, emit source.Emit) error {
	var c Cursor
	if cur != "" {
		if err := json.Unmarshal([]byte(cur), &c); err != nil {
			return fmt.Errorf("reading cursor %q: %w", cur, err)
		}
	}
	files, err := filepath.Glob(t.Name)
	if err != nil {
		return fmt.Errorf("expanding %q: %w", t.Name, err)
	}
	if len(files) == 0 {
		return fmt.Errorf("no file matches %q", t.Name)
	}
	slices.Sort(files)
	for _, name := range files {
		var from Cursor
		switch {
		case c.File != "" && name < c.File:
			continue // done in an earlier session
		case name == c.File:
			if c.Done && dump.Compressed(name) {
				continue
			}
			from = c
		}
		from.File, from.Done = name, false
		if err := s.readFile(ctx, from, emit); err != nil {
			return err
		}
	}
	return nil
}

// skipCorrupt logs, once, that the rest of compressed file c.File cannot
// be read (err, met n bytes into line c.Line+1), and marks the file done.
func (s *Streamer) skipCorrupt(ctx context.Context, c Cursor, n int, err error, emit source.Emit) error {
	s.log.Error("skipping the rest of a corrupt compressed file", zap.String("file", c.File),
		zap.Int64("line", c.Line+1), zap.Int64("offset", c.Offset-int64(n)), zap.Error(err))
	c.Done = true
	return emit(ctx, nil, c.String())
}

// readFile reads one file from c.Offset.
func (s *Streamer) readFile(ctx context.Context, c Cursor, emit source.Emit) error {
	f, err := os.Open(c.File)
	if err != nil {
		return fmt.Errorf("opening %s: %w", c.File, err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && !dump.Compressed(c.File) && info.Size() < c.Offset {
		s.log.Warn("file is shorter than the cursor: it was replaced, reading it from the start",
			zap.String("file", c.File), zap.Int64("size", info.Size()), zap.Int64("offset", c.Offset))
		c.Offset, c.Line = 0, 0
	}
	r, closeR, err := dump.NewReader(f, c.File)
	if err != nil {
		// A compressed file whose header cannot be read will not read
		// better next time: skipped for good, like a corrupt stream below.
		return s.skipCorrupt(ctx, c, 0, err, emit)
	}
	defer closeR()
	if c.Offset > 0 {
		if seeker, ok := r.(io.Seeker); ok {
			_, err = seeker.Seek(c.Offset, io.SeekStart)
		} else {
			_, err = io.CopyN(io.Discard, r, c.Offset)
		}
		if err != nil {
			return fmt.Errorf("resuming %s at byte %d: %w", c.File, c.Offset, err)
		}
	}
	br := bufio.NewReaderSize(r, 256<<10)
	start := c.Line
	for {
		if (c.Line-start)%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b, n, err := dump.ReadLine(br, s.maxLine)
		if n == 0 && errors.Is(err, io.EOF) {
			break
		}
		c.Offset += int64(n)
		c.Line++
		switch {
		case errors.Is(err, dump.ErrLineTooLong):
			s.log.Warn("skipping line longer than options.max_line_bytes", zap.String("file", c.File),
				zap.Int64("line", c.Line), zap.Int64("offset", c.Offset-int64(n)), zap.Int("max_line_bytes", s.maxLine))
			if err := emit(ctx, nil, c.String()); err != nil {
				return err
			}
			continue
		case errors.Is(err, dump.ErrDecompressionBomb):
			// Retrying would meet the bomb again: the rest of the file is
			// skipped for good (the cursor marks it done), logged once,
			// and the next file is read.
			s.log.Error("skipping the rest of a compressed file", zap.String("file", c.File),
				zap.Int64("line", c.Line), zap.Int64("offset", c.Offset-int64(n)), zap.Error(err))
			c.Done = true
			return emit(ctx, nil, c.String())
		case err != nil && !errors.Is(err, io.EOF) && dump.Compressed(c.File):
			// A corrupt or truncated compressed stream: retrying meets the
			// same bytes, so the rest of the file is skipped for good and
			// the next file is read.
			c.Line--
			return s.skipCorrupt(ctx, c, n, err, emit)
		case err != nil && !errors.Is(err, io.EOF):
			return fmt.Errorf("reading %s at line %d, byte %d: %w", c.File, c.Line, c.Offset-int64(n), err)
		}
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		p, derr := DecodeLine(b, s.permalinkBase)
		if derr != nil {
			s.log.Warn("skipping line", zap.String("file", c.File), zap.Int64("line", c.Line),
				zap.Int64("offset", c.Offset-int64(n)), zap.Error(derr))
		}
		if err := emit(ctx, p, c.String()); err != nil {
			return err
		}
		if errors.Is(err, io.EOF) {
			break
		}
	}
	c.Done = true
	return emit(ctx, nil, c.String())
}
