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
	"sort"

	gojson "github.com/goccy/go-json"
)

// FormatVersion is the version of the model file layout; a file of
// another layout is refused rather than misread.
const FormatVersion = 1

// Model is a trained, calibrated linear scorer.
type Model struct {
	Format  int    `json:"format"`
	Version string `json:"version"` // goes into every finding and its id
	Bits    uint8  `json:"bits"`    // 2^Bits hashed weights
	Bias    float64
	// Platt scaling: p = 1/(1+exp(-(A*raw+B))), fitted on the validation
	// split so that a score reads as a probability.
	PlattA    float64 `json:"platt_a"`
	PlattB    float64 `json:"platt_b"`
	Threshold float64 `json:"threshold"` // calibrated probability at or above which a post is a finding
	Trained   Report  `json:"trained"`   // how it was trained and what the validation split said
	Weights   []float32
}

// Report records a training run in the model file, so a model says where
// it came from.
type Report struct {
	Seed         uint64         `json:"seed"`
	Epochs       int            `json:"epochs"`
	L2           float64        `json:"l2"`
	Dropout      float64        `json:"dropout"`
	Examples     int            `json:"examples"`
	Positives    int            `json:"positives"`
	Validation   int            `json:"validation"`
	Folds        int            `json:"folds,omitempty"`   // cross-fitted by writer group; 0: a random split
	Average      int            `json:"average,omitempty"` // fits averaged over consecutive seeds; 0: one
	ValPrec      float64        `json:"validation_precision"`
	ValRecall    float64        `json:"validation_recall"`
	TargetPrec   float64        `json:"target_precision"`
	Sources      map[string]int `json:"sources,omitempty"` // examples per data source
	RulesVersion string         `json:"rules_version,omitempty"`
}

// fileModel is the on-disk JSON: weights as base64 little-endian float32.
type fileModel struct {
	Format    int     `json:"format"`
	Version   string  `json:"version"`
	Bits      uint8   `json:"bits"`
	Bias      float64 `json:"bias"`
	PlattA    float64 `json:"platt_a"`
	PlattB    float64 `json:"platt_b"`
	Threshold float64 `json:"threshold"`
	Trained   Report  `json:"trained"`
	Weights   string  `json:"weights"`
}

// Raw is the uncalibrated margin w·x + b.
func (m *Model) Raw(x *Vector) float64 {
	s := m.Bias
	for _, f := range x.Feats {
		s += float64(m.Weights[f.Index]) * float64(f.Value)
	}
	return s
}

// Prob is the calibrated probability that x is solicitation.
func (m *Model) Prob(x *Vector) float64 { return m.calibrate(m.Raw(x)) }

func (m *Model) calibrate(raw float64) float64 {
	return sigmoid(m.PlattA*raw + m.PlattB)
}

// Contribution is one feature's share of a score.
type Contribution struct {
	Name   string
	Weight float64 // w·x: positive pushes towards a finding
}

// Explain returns the k features that pushed the score most towards a
// finding (or, when against is set, away from it), strongest first.
func (m *Model) Explain(x *Vector, k int, against bool) []Contribution {
	out := make([]Contribution, 0, len(x.Feats))
	for _, f := range x.Feats {
		c := float64(m.Weights[f.Index]) * float64(f.Value)
		if (c > 0) != against && c != 0 {
			out = append(out, Contribution{Name: f.Name, Weight: c})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if math.Abs(out[i].Weight) != math.Abs(out[j].Weight) {
			return math.Abs(out[i].Weight) > math.Abs(out[j].Weight)
		}
		return out[i].Name < out[j].Name
	})
	if len(out) > k {
		out = out[:k]
	}
	return out
}

func sigmoid(z float64) float64 {
	if z >= 0 {
		return 1 / (1 + math.Exp(-z))
	}
	e := math.Exp(z)
	return e / (1 + e)
}

// Write stores m as gzip-compressed JSON.
func (m *Model) Write(w io.Writer) error {
	raw := make([]byte, 4*len(m.Weights))
	for i, v := range m.Weights {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	fm := fileModel{Format: FormatVersion, Version: m.Version, Bits: m.Bits, Bias: m.Bias,
		PlattA: m.PlattA, PlattB: m.PlattB, Threshold: m.Threshold, Trained: m.Trained,
		Weights: base64.StdEncoding.EncodeToString(raw)}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(zw)
	enc.SetIndent("", " ")
	if err := enc.Encode(fm); err != nil {
		return fmt.Errorf("encoding model: %w", err)
	}
	return zw.Close()
}

// WriteFile stores m at path, atomically.
func (m *Model) WriteFile(path string) error {
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("writing model: %w", err)
	}
	return os.Rename(tmp, path)
}

// Read parses a model file (gzip-compressed JSON, or plain JSON).
func Read(r io.Reader) (*Model, error) {
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
	// goccy, not encoding/json: the weights are one base64 string of
	// megabytes, which encoding/json scanned three times over, half of
	// every command's start (callgrind: 0.46G of 1G instructions).
	// Writing stays with encoding/json, so model files keep their bytes.
	dec := gojson.NewDecoder(bytes.NewReader(data))
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

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// ReadFile reads a model file.
func ReadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}
