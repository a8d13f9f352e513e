package stixtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// base is where the OASIS schemas say they live; their $refs are relative
// to it.
const base = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"

// schemaOf is the vendored schema of each object type we write.
var schemaOf = map[string]string{
	"indicator":          "sdos/indicator.json",
	"identity":           "sdos/identity.json",
	"sighting":           "sros/sighting.json",
	"marking-definition": "common/marking-definition.json",
}

type noNetwork struct{}

func (noNetwork) Load(url string) (any, error) {
	return nil, fmt.Errorf("schema %s is not vendored (no network in tests)", url)
}

var (
	once     sync.Once
	compiled map[string]*jsonschema.Schema
	loadErr  error
)

// Dir is the vendored schema directory.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "schemas")
}

func load() {
	c := jsonschema.NewCompiler()
	c.UseLoader(noNetwork{})
	dir := Dir()
	loadErr = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		rel, _ := filepath.Rel(dir, path)
		return c.AddResource(base+filepath.ToSlash(rel), doc)
	})
	if loadErr != nil {
		return
	}
	compiled = map[string]*jsonschema.Schema{}
	for typ, rel := range schemaOf {
		s, err := c.Compile(base + rel)
		if err != nil {
			loadErr = fmt.Errorf("compiling %s: %w", rel, err)
			return
		}
		compiled[typ] = s
	}
}

// Validate checks one object (any JSON-encodable value) against the
// schema of its type; a type without a vendored schema is an error, so an
// object we start exporting cannot skip the check.
func Validate(obj any) error {
	once.Do(load)
	if loadErr != nil {
		return loadErr
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	var head struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	s, ok := compiled[head.Type]
	if !ok {
		return fmt.Errorf("%s: no vendored schema for type %q", head.ID, head.Type)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	if err := s.Validate(inst); err != nil {
		return fmt.Errorf("%s: %w", head.ID, err)
	}
	return nil
}

// ValidateBundle checks a bundle's envelope (the vendored set leaves out
// bundle.json, which pulls in every STIX type) and every object in it.
func ValidateBundle(data []byte) error {
	var b struct {
		Type    string            `json:"type"`
		ID      string            `json:"id"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	if b.Type != "bundle" || !strings.HasPrefix(b.ID, "bundle--") || b.Objects == nil {
		return fmt.Errorf("not a bundle: type %q id %q", b.Type, b.ID)
	}
	var errs []error
	for _, o := range b.Objects {
		errs = append(errs, Validate(o))
	}
	return errors.Join(errs...)
}

// Must fails t when obj does not validate.
func Must(t testing.TB, obj any) {
	t.Helper()
	if err := Validate(obj); err != nil {
		t.Fatalf("STIX schema: %v", err)
	}
}
