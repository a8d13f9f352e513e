package model

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readRef is Read as it was with encoding/json: the reference the goccy
// decoding must equal, model for model.
func readRef(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(io.LimitReader(r, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("reading model: %w", err)
	}
	if len(data) > 2 && data[0] == 0x1f && data[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("reading model: %w", err)
		}
		if data, err = io.ReadAll(io.LimitReader(zr, 256<<20)); err != nil {
			return nil, fmt.Errorf("reading model: %w", err)
		}
	}
	var fm fileModel
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fm); err != nil {
		return nil, fmt.Errorf("decoding model: %w", err)
	}
	switch {
	case fm.Format != FormatVersion:
		return nil, fmt.Errorf("model format %d: this build reads format %d", fm.Format, FormatVersion)
	case fm.Version == "":
		return nil, errors.New("model: missing version")
	case fm.Bits < 8 || fm.Bits > 26:
		return nil, fmt.Errorf("model: bits %d outside 8..26", fm.Bits)
	case fm.Threshold <= 0 || fm.Threshold >= 1:
		return nil, fmt.Errorf("model: threshold %v outside (0,1)", fm.Threshold)
	case !finite(fm.Bias) || !finite(fm.PlattA) || !finite(fm.PlattB) || fm.PlattA <= 0:
		return nil, fmt.Errorf("model: bias %v and calibration (%v, %v) must be finite, the slope positive", fm.Bias, fm.PlattA, fm.PlattB)
	}
	raw, err := base64.StdEncoding.DecodeString(fm.Weights)
	if err != nil {
		return nil, fmt.Errorf("model weights: %w", err)
	}
	if len(raw) != 4<<fm.Bits {
		return nil, fmt.Errorf("model weights: %d bytes, want %d for %d bits", len(raw), 4<<fm.Bits, fm.Bits)
	}
	m := &Model{Format: fm.Format, Version: fm.Version, Bits: fm.Bits, Bias: fm.Bias, PlattA: fm.PlattA,
		PlattB: fm.PlattB, Threshold: fm.Threshold, Trained: fm.Trained, Weights: make([]float32, 1<<fm.Bits)}
	for i := range m.Weights {
		v := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return nil, fmt.Errorf("model weights: weight %d is not finite", i)
		}
		m.Weights[i] = v
	}
	return m, nil
}

// TestReadSameAsReference: the shipped model and a trained one read the
// same, field for field and weight for weight, as with encoding/json.
func TestReadSameAsReference(t *testing.T) {
	shipped, err := os.ReadFile(filepath.Join("..", "..", "configs", "model.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Train(synthetic(200, 1, 8), Options{Version: "ref", Bits: 8, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	var trained bytes.Buffer
	if err := m.Write(&trained); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"shipped": shipped, "trained": trained.Bytes()} {
		got, err := Read(bytes.NewReader(data))
		want, werr := readRef(bytes.NewReader(data))
		if err != nil || werr != nil {
			t.Fatalf("%s: %v / reference %v", name, err, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: read differs from the reference", name)
		}
	}
}

// FuzzReadSameAsReference: on any bytes, Read accepts what the reference
// accepts, and then reads the same model.
func FuzzReadSameAsReference(f *testing.F) {
	m, err := Train(synthetic(200, 1, 8), Options{Version: "fz", Bits: 8, Seed: 1})
	if err != nil {
		f.Fatal(err)
	}
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	plain := `{"format":1,"version":"v","bits":8,"bias":0.5,"platt_a":1,"platt_b":0,"threshold":0.5,"weights":"` + base64.StdEncoding.EncodeToString(make([]byte, 4<<8)) + `"}`
	f.Add([]byte(plain))
	f.Add([]byte(`{"format":1,"version":"v","bits":8,"threshold":0.5,"weights":""}`))
	// Edges where JSON decoders are known to part: key case, duplicate
	// keys, escapes and bad UTF-8 in strings, null, number shapes and
	// overflow, trailing data, unknown and nested keys.
	w := base64.StdEncoding.EncodeToString(make([]byte, 4<<8))
	for _, edit := range []struct{ from, to string }{
		{`"format"`, `"FORMAT"`}, {`"bits":8`, `"Bits":8`}, {`"version":"v"`, `"version":"v","version":"w"`},
		{`"version":"v"`, `"version":"\u00e9\ud800x"`}, {`"version":"v"`, "\"version\":\"\xff\xfe\""},
		{`"version":"v"`, `"version":null`}, {`"bits":8`, `"bits":8.0`}, {`"bits":8`, `"bits":264`}, {`"bits":8`, `"bits":-8`},
		{`"bits":8`, `"bits":"8"`}, {`"bias":0.5`, `"bias":1e400`}, {`"bias":0.5`, `"bias":-0`}, {`}`, `} trailing`},
		{`}`, `}{"x":1}`}, {`"bias":0.5`, `"bias":0.5,"extra":{"a":[1]}`}, {`"bias":0.5`, `"bias":0.5,"trained":{"x":1}`},
		{`"bias":0.5`, `"bias":0.5,"trained":null`}, {`"platt_a":1`, `"platt_a":01`}, {`"format":1`, `"format":1,`},
	} {
		f.Add([]byte(strings.Replace(strings.Replace(plain, `"weights":"`+w, `"weights":"`+w, 1), edit.from, edit.to, 1)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Read(bytes.NewReader(data))
		want, werr := readRef(bytes.NewReader(data))
		if (err == nil) != (werr == nil) {
			t.Fatalf("Read error %v, reference error %v, on %q", err, werr, data)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("Read and the reference read different models from %q", data)
		}
	})
}
