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

// ZstdMaxWindow is the largest zstd window accepted: the window of the
// Reddit dumps (zstd --long=31), which the decoder refuses by default.
// Small files have it too (per-subreddit dumps, streamed through zstd),
// so it cannot shrink with the file's size. The decoder allocates the
// window a frame asks for when the frame starts: a zstd file of any size
// may cost this much memory, and this is the bound.
// A larger window is refused.
const ZstdMaxWindow = 1 << 31

// Decompression bounds: what a small hostile file (a decompression bomb)
// may cost. NDJSON dumps compress 5 to 20:1 (Reddit's, zstd --long=31
// -19, about 12:1); gigabytes of one repeated byte compress about 1000:1
// in gzip and far more in zstd.
const (
	// MaxRatio is the highest decompressed:compressed ratio a file may
	// reach once RatioGrace bytes have come out of it.
	MaxRatio = 200
	// RatioGrace is how much any file may decompress to before its
	// ratio is checked: the files of tests and demos are small and
	// compress well.
	RatioGrace = 64 << 20
)

// ErrDecompressionBomb is a compressed file that expands beyond MaxRatio,
// or a zstd frame asking for a window over ZstdMaxWindow.
var ErrDecompressionBomb = errors.New("decompression bomb")

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
// the caller does; an error while decompressing gives the decompressed and
// compressed byte offsets, and a file past MaxRatio or asking for a window
// over ZstdMaxWindow is an ErrDecompressionBomb. A plain file is returned
// as is, so an *os.File can still seek.
func NewReader(r io.Reader, name string) (io.Reader, func(), error) {
	comp := CompressionOf(name)
	if comp == Plain {
		return r, func() {}, nil
	}
	in := &byteCounter{r: r}
	br := bufio.NewReaderSize(in, 256<<10)
	switch comp {
	case Gzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("reading gzip header: %w", err)
		}
		return &bounded{r: zr, in: in}, func() { zr.Close() }, nil
	default:
		// Two goroutines: the stream decoder then decodes blocks ahead
		// of the caller (measured 2.4 times the synchronous decoder), and
		// the extra memory is blocks, not windows.
		window := uint64(ZstdMaxWindow)
		zr, err := zstd.NewReader(br, zstd.WithDecoderMaxWindow(window), zstd.WithDecoderMaxMemory(window),
			zstd.WithDecoderConcurrency(2))
		if err != nil {
			return nil, nil, fmt.Errorf("starting zstd decoder: %w", err)
		}
		return &bounded{r: zr, in: in, window: window}, zr.Close, nil
	}
}

type byteCounter struct {
	r io.Reader
	n int64
}

func (c *byteCounter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// bounded is a decompressor's output held to MaxRatio, its errors given
// the offsets where they happened. in counts what the decompressor read,
// its read-ahead included: the ratio errs on the side of the file.
type bounded struct {
	r      io.Reader
	in     *byteCounter
	out    int64
	window uint64 // zstd's window limit, 0 for gzip
	err    error
}

func (b *bounded) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.r.Read(p)
	b.out += int64(n)
	switch {
	case b.out > RatioGrace && b.out > MaxRatio*b.in.n:
		err = fmt.Errorf("%w: over %d:1 (%d bytes out of %d) at decompressed byte %d, compressed byte %d",
			ErrDecompressionBomb, MaxRatio, b.out, b.in.n, b.out, b.in.n)
	case errors.Is(err, zstd.ErrWindowSizeExceeded) || errors.Is(err, zstd.ErrDecoderSizeExceeded):
		err = fmt.Errorf("%w: zstd frame asks for a window over %d bytes, (%v), at decompressed byte %d, compressed byte %d",
			ErrDecompressionBomb, b.window, err, b.out, b.in.n)
	case err != nil && !errors.Is(err, io.EOF):
		err = fmt.Errorf("at decompressed byte %d, compressed byte %d: %w", b.out, b.in.n, err)
	}
	if err != nil && !errors.Is(err, io.EOF) {
		b.err = err
	}
	return n, err
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
