package dump

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// ZstdMaxWindow is the window of the Reddit dumps (zstd --long=31), which
// the decoder refuses by default.
const ZstdMaxWindow = 1 << 31

// Compression is how a file is compressed, chosen by its extension.
type Compression int

// The compressions NewReader reads.
const (
	Plain Compression = iota
	Gzip
	Zstd
)

// CompressionOf returns the compression of a file by its name's extension,
// in any letter case: .gz is gzip, .zst and .zstd are zstd, anything else
// is plain.
func CompressionOf(name string) Compression {
	switch n := strings.ToLower(name); {
	case strings.HasSuffix(n, ".gz"):
		return Gzip
	case strings.HasSuffix(n, ".zst"), strings.HasSuffix(n, ".zstd"):
		return Zstd
	}
	return Plain
}

// Compressed reports whether name has a compression extension.
func Compressed(name string) bool { return CompressionOf(name) != Plain }

// NewReader returns the decompressed content of r, a file called name, and
// the function that releases the decoder. Its errors do not name the file:
// the caller does. A plain file is returned as is,
// so an *os.File can still seek.
func NewReader(r io.Reader, name string) (io.Reader, func(), error) {
	switch CompressionOf(name) {
	case Gzip:
		zr, err := gzip.NewReader(bufio.NewReaderSize(r, 256<<10))
		if err != nil {
			return nil, nil, fmt.Errorf("reading gzip header: %w", err)
		}
		return zr, func() { zr.Close() }, nil
	case Zstd:
		// Two goroutines: the stream decoder then decodes blocks ahead
		// of the caller (measured 2.4 times the synchronous decoder), and
		// the extra memory is blocks, not windows.
		zr, err := zstd.NewReader(bufio.NewReaderSize(r, 256<<10),
			zstd.WithDecoderMaxWindow(ZstdMaxWindow), zstd.WithDecoderConcurrency(2))
		if err != nil {
			return nil, nil, fmt.Errorf("starting zstd decoder: %w", err)
		}
		return zr, zr.Close, nil
	}
	return r, func() {}, nil
}

// Base is a file's base name without its compression and JSON-lines
// extensions (any letter case): "RC_2024-01.ndjson.ZST" is "RC_2024-01".
func Base(path string) string {
	name := filepath.Base(path)
	for _, ext := range []string{".gz", ".zstd", ".zst", ".ndjson", ".jsonl", ".json"} {
		if len(name) > len(ext) && strings.EqualFold(name[len(name)-len(ext):], ext) {
			name = name[:len(name)-len(ext)]
		}
	}
	return name
}

// ErrLineTooLong is a line over the reader's bound; it was consumed.
var ErrLineTooLong = errors.New("line too long")

// ReadLine reads one line of any length up to max bytes plus its newline
// (a longer one is consumed and reported as ErrLineTooLong). n
// counts the bytes consumed, newline included; err is io.EOF with the last
// line of a file that does not end in a newline. bufio.Scanner is no use
// here: its token limit is below Reddit's longest selftexts.
func ReadLine(br *bufio.Reader, max int) (line []byte, n int, err error) {
	var buf []byte
	tooLong := false
	for {
		chunk, err := br.ReadSlice('\n')
		n += len(chunk)
		if !tooLong {
			// The cap is on the line without its newline: a last line
			// without one gets no extra byte.
			limit := max
			if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
				limit++
			}
			if len(buf)+len(chunk) > limit {
				tooLong, buf = true, nil
			} else {
				buf = append(buf, chunk...)
			}
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err != nil && !errors.Is(err, io.EOF):
			return nil, n, err
		}
		if tooLong {
			if err == nil {
				err = ErrLineTooLong
			} else {
				err = errors.Join(ErrLineTooLong, err)
			}
			return nil, n, err
		}
		return buf, n, err
	}
}
