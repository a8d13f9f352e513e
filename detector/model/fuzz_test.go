package model

import (
	"bytes"
	"testing"
)

// FuzzRead: a model file is outside input (--model FILE); a bad one is an
// error, never a panic or a model with weights of the wrong size.
func FuzzRead(f *testing.F) {
	m, err := Train(synthetic(200, 1, 8), Options{Version: "fz", Bits: 8, Seed: 1})
	if err != nil {
		f.Fatal(err)
	}
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte(`{"format":1,"version":"v","bits":8,"threshold":0.5,"weights":""}`))
	f.Add([]byte{0x1f, 0x8b, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		if len(got.Weights) != 1<<got.Bits || got.Threshold <= 0 || got.Threshold >= 1 {
			t.Fatalf("accepted a bad model: bits %d, %d weights, threshold %v", got.Bits, len(got.Weights), got.Threshold)
		}
		x := NewVector(got.Bits)
		x.Add("bias", 1)
		_ = got.Prob(x)
	})
}
