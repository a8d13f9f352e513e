package config

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// applyEnv overrides scalar settings from the environment: the key path in
// upper case with '_' for '.', behind HW_ (nats.url → HW_NATS_URL,
// sink.listen → HW_SINK_LISTEN). A string setting may also come from the
// file named by the same variable with _FILE appended, for secrets such as
// a Redis URL with a password. Lists (sources, webhooks) are not
// overridden: they belong in the file.
func applyEnv(cfg *Config, env func(string) (string, bool)) error {
	return overrideStruct(reflect.ValueOf(cfg).Elem(), "HW", "", env)
}

var durationType = reflect.TypeOf(time.Duration(0))

func overrideStruct(v reflect.Value, prefix, keyPath string, env func(string) (string, bool)) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "" || tag == "-" || !f.IsExported() {
			continue
		}
		name := prefix + "_" + strings.ToUpper(tag)
		key := tag
		if keyPath != "" {
			key = keyPath + "." + tag
		}
		fv := v.Field(i)
		if fv.Kind() == reflect.Struct && fv.Type() != durationType {
			if err := overrideStruct(fv, name, key, env); err != nil {
				return err
			}
			continue
		}
		raw, ok := env(name)
		if !ok && fv.Kind() == reflect.String {
			if path, fok := env(name + "_FILE"); fok && path != "" {
				b, err := os.ReadFile(path)
				if err != nil {
					return fmt.Errorf("%s_FILE (for %s): %w", name, key, err)
				}
				raw, ok = strings.TrimRight(string(b), "\r\n"), true
			}
		}
		if !ok {
			continue
		}
		if err := setScalar(fv, raw); err != nil {
			return fmt.Errorf("%s (for %s): %w", name, key, err)
		}
	}
	return nil
}

func setScalar(v reflect.Value, raw string) error {
	switch {
	case v.Type() == durationType:
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("%q is not a duration such as 30s, 5m or 2h", raw)
		}
		v.SetInt(int64(d))
		return nil
	case v.Kind() == reflect.String:
		v.SetString(raw)
		return nil
	case v.Kind() == reflect.Slice, v.Kind() == reflect.Map, v.Kind() == reflect.Pointer:
		return fmt.Errorf("cannot be set from the environment (%s): set it in the file", v.Kind())
	}
	// Everything else (numbers, booleans, the stages' own duration types
	// that accept "30d") decodes exactly as it would from the file.
	if err := yaml.Unmarshal([]byte(raw), v.Addr().Interface()); err != nil {
		msg := err.Error()
		if sm := reBadValue.FindStringSubmatch(msg); sm != nil {
			return fmt.Errorf("%q is not a valid %s", raw, sm[3])
		}
		return fmt.Errorf("%q: %s", raw, strings.TrimPrefix(msg, "yaml: "))
	}
	return nil
}
