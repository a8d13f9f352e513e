package dumptest

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// GoodLines is n one-line posts with ids g1…gn, each ending in a newline.
func GoodLines(n int) []byte {
	var b bytes.Buffer
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, `{"id":"g%d","text":"an ordinary post number %d"}`+"\n", i, i)
	}
	return b.Bytes()
}

// zeroChunk is what each repeated member or frame of a bomb expands to.
const zeroChunk = 1 << 20

// GzipBomb is a gzip file of good, then total zero bytes (no newline: one
// endless line), as members of zeroChunk each: gzip readers read
// concatenated members as one stream, so 4 GiB takes about 4 MB on disk
// and no time to build.
func GzipBomb(good []byte, total int64) []byte { return bomb(good, total, gzipOf) }

// ZstdBomb is GzipBomb in zstd: concatenated frames.
func ZstdBomb(good []byte, total int64) []byte { return bomb(good, total, zstdOf) }

// bomb is good then total zero bytes, each zeroChunk compressed once and
// repeated: both formats read concatenated members as one stream.
func bomb(good []byte, total int64, compress func([]byte) []byte) []byte {
	var out bytes.Buffer
	out.Write(compress(good))
	chunk := compress(make([]byte, zeroChunk))
	for n := int64(0); n < total; n += zeroChunk {
		out.Write(chunk)
	}
	return out.Bytes()
}

// ZstdWindowBomb is a zstd file of a normal frame holding good, then a
// frame whose header claims a window of 2^log2 bytes plus eighths eighths
// of that (the format's mantissa, 0–7) and holds one raw block of "x\n".
func ZstdWindowBomb(good []byte, log2, eighths int) []byte {
	if log2 < 10 || log2 > 41 || eighths < 0 || eighths > 7 {
		panic("ZstdWindowBomb: window out of the format's range")
	}
	out := zstdOf(good)
	out = append(out, 0x28, 0xB5, 0x2F, 0xFD) // magic
	out = append(out, 0x00)                   // descriptor: no content size, not single segment, no checksum, no dictionary
	out = append(out, byte((log2-10)<<3|eighths))
	body := []byte("x\n")
	hdr := uint32(len(body))<<3 | 0<<1 | 1 // raw block, last
	out = append(out, byte(hdr), byte(hdr>>8), byte(hdr>>16))
	return append(out, body...)
}

// LongLine is good, a line of length bytes of pseudo-random hex from seed
// (it compresses about 2:1: a long line, not a bomb), then tail.
func LongLine(good []byte, length int, seed uint64, tail []byte) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	raw := make([]byte, length/2+1)
	for i := range raw {
		raw[i] = byte(r.Uint32())
	}
	var b bytes.Buffer
	b.Write(good)
	b.WriteString(`{"id":"long","text":"`)
	h := hex.EncodeToString(raw)
	b.WriteString(h[:max(0, length-len(`{"id":"long","text":""}`))])
	b.WriteString("\"}\n")
	b.Write(tail)
	return b.Bytes()
}

// Gzip and Zstd compress b whole, at the fastest level: their inputs are
// long lines of random hex.
func Gzip(b []byte) []byte { return gzipAt(b, gzip.BestSpeed) }
func Zstd(b []byte) []byte { return zstdAt(b, zstd.SpeedFastest) }

func gzipOf(b []byte) []byte { return gzipAt(b, gzip.BestCompression) }
func zstdOf(b []byte) []byte { return zstdAt(b, zstd.SpeedBestCompression) }

func gzipAt(b []byte, level int) []byte {
	var out bytes.Buffer
	w, _ := gzip.NewWriterLevel(&out, level)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func zstdAt(b []byte, level zstd.EncoderLevel) []byte {
	w, _ := zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(1))
	defer w.Close()
	return w.EncodeAll(b, nil)
}

// Peak is the most memory seen while a function ran, above what was in
// use when it started.
type Peak struct {
	Heap uint64 // runtime.MemStats.HeapAlloc
	RSS  uint64 // VmRSS of /proc/self/status, 0 where there is none
}

func (p Peak) String() string {
	return fmt.Sprintf("peak heap +%d MiB, peak RSS +%d MiB", p.Heap>>20, p.RSS>>20)
}

// Measure runs f and samples memory every 10 ms until it returns. A GC
// first, so that the baseline is live memory only. The heap is read from
// runtime/metrics, which does not stop the world: ReadMemStats every few
// milliseconds starved the work it measured under the race detector.
func Measure(f func()) Peak {
	runtime.GC()
	heap := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	heapNow := func() uint64 {
		metrics.Read(heap)
		if heap[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return heap[0].Value.Uint64()
	}
	baseHeap, baseRSS := heapNow(), rss()
	var peak Peak
	sample := func() {
		if h := heapNow(); h > baseHeap {
			peak.Heap = max(peak.Heap, h-baseHeap)
		}
		if r := rss(); r > baseRSS {
			peak.RSS = max(peak.RSS, r-baseRSS)
		}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	sample()
	return peak
}

func rss() uint64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}
