package stix_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/stix"
	"github.com/handlewatch/handlewatch/internal/stix/stixtest"
)

var t0 = time.Date(2026, 11, 28, 10, 0, 0, 123456789, time.UTC)

func sampleObjects() []any {
	org := stix.NewIdentity("Example T&S", "abuse@example.org", t0)
	amber, _ := stix.TLP("amber")
	conf := 85
	until := stix.TS(t0.Add(90 * 24 * time.Hour))
	ind := stix.Indicator{Type: "indicator", SpecVersion: stix.SpecVersion, ID: stix.ID("indicator", "case:wickr-1"),
		CreatedByRef: org.ID, Created: stix.TS(t0), Modified: stix.TS(t0), Labels: []string{"solicitation"},
		Confidence: &conf, ObjectMarkingRefs: []string{amber.ID}, IndicatorTypes: []string{"malicious-activity"},
		Pattern: stix.AccountPattern("wickr", "placeholder_01"), PatternType: "stix", PatternVersion: "2.1",
		ValidFrom: stix.TS(t0), ValidUntil: &until}
	sg := stix.Sighting{Type: "sighting", SpecVersion: stix.SpecVersion, ID: stix.ID("sighting", "case:wickr-1"),
		CreatedByRef: org.ID, Created: stix.TS(t0), Modified: stix.TS(t0), ObjectMarkingRefs: []string{amber.ID},
		FirstSeen: stix.TS(t0.Add(-time.Hour)), LastSeen: stix.TS(t0), Count: 3, SightingOfRef: ind.ID,
		WhereSightedRefs: []string{org.ID}, SourceKinds: []string{"mastodon", "reddit"}, Sources: 2}
	return []any{org, amber, ind, sg}
}

// Every object we write validates against the OASIS schemas.
func TestObjectsValidate(t *testing.T) {
	for _, o := range sampleObjects() {
		stixtest.Must(t, o)
	}
	for _, lvl := range stix.TLPLevels {
		m, ok := stix.TLP(lvl)
		if !ok {
			t.Fatalf("TLP %s missing", lvl)
		}
		stixtest.Must(t, m)
	}
	b, err := stix.NewBundle(sampleObjects())
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(b)
	if err := stixtest.ValidateBundle(data); err != nil {
		t.Fatal(err)
	}
}

// The validator is not a rubber stamp: objects missing what STIX requires
// fail.
func TestSchemaRejects(t *testing.T) {
	cases := map[string]func(m map[string]any){
		"indicator without pattern":  func(m map[string]any) { delete(m, "pattern") },
		"indicator bad id":           func(m map[string]any) { m["id"] = "indicator--not-a-uuid" },
		"indicator local timestamp":  func(m map[string]any) { m["created"] = "2026-11-28T10:00:00+01:00" },
		"indicator uppercase custom": func(m map[string]any) { m["X_Custom"] = "v" },
		"indicator confidence 101":   func(m map[string]any) { m["confidence"] = 101 },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			b, _ := json.Marshal(sampleObjects()[2])
			var m map[string]any
			_ = json.Unmarshal(b, &m)
			mutate(m)
			if err := stixtest.Validate(m); err == nil {
				t.Fatal("schema accepted a bad object")
			}
		})
	}
}

func TestIDsAreStable(t *testing.T) {
	a, b := stix.ID("indicator", "x"), stix.ID("indicator", "x")
	if a != b || a == stix.ID("indicator", "y") {
		t.Fatalf("ids: %s %s", a, b)
	}
	if !stix.ValidID(a, "indicator") || stix.ValidID(a, "sighting") || stix.ValidID("indicator--1234", "") {
		t.Fatal("ValidID")
	}
	if !stix.ValidID("indicator--33fe3b22-0201-47cf-85d0-97c02164528d", "indicator") {
		t.Fatal("ValidID refuses the OASIS example id")
	}
}

func TestTimestampRoundTrip(t *testing.T) {
	b, err := json.Marshal(stix.TS(t0))
	if err != nil || string(b) != `"2026-11-28T10:00:00.123Z"` {
		t.Fatalf("%s %v", b, err)
	}
	var got stix.Timestamp
	if err := json.Unmarshal([]byte(`"2014-05-08T09:00:00.000000Z"`), &got); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{`"2014-05-08T09:00:00+01:00"`, `"yesterday"`, `12`} {
		if err := json.Unmarshal([]byte(bad), &got); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestAccountPattern(t *testing.T) {
	tests := []struct {
		in, typ, login, err string
	}{
		{in: stix.AccountPattern("wickr", "placeholder_01"), typ: "wickr", login: "placeholder_01"},
		{in: stix.AccountPattern("telegram", `o'brien\x`), typ: "telegram", login: `o'brien\x`},
		{in: "[user-account:account_login='placeholder_02' AND user-account:account_type='kik']", typ: "kik", login: "placeholder_02"},
		{in: "[ user-account:user_id = 'demo_3'  AND\n user-account:account_type = 'session' ]", typ: "session", login: "demo_3"},
		{in: "[user-account:account_login = 'a' OR user-account:account_type = 'kik']", err: "only"},
		{in: "[ipv4-addr:value = '10.0.0.0']", err: "only"},
		{in: "[user-account:account_login = 'a']", err: "needs account_type"},
		{in: "[user-account:account_login != 'a' AND user-account:account_type = 'kik']", err: "only '='"},
		{in: "[user-account:account_login = 'a AND user-account:account_type = 'kik']", err: ""},
		{in: "[user-account:account_login = 'a' AND user-account:account_type = 'kik'] WITHIN 5 SECONDS", err: "only"},
		{in: "[user-account:account_login = 'a' AND user-account:account_login = 'b']", err: "twice"},
		{in: "", err: "only"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			typ, login, err := stix.ParseAccountPattern(tt.in)
			if tt.typ == "" {
				if err == nil {
					t.Fatalf("accepted: %q %q", typ, login)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %q does not say %q", err, tt.err)
				}
				return
			}
			if err != nil || typ != tt.typ || login != tt.login {
				t.Fatalf("got %q %q %v", typ, login, err)
			}
		})
	}
}

func TestReadIndicator(t *testing.T) {
	good, _ := json.Marshal(sampleObjects()[2])
	a, err := stix.ReadIndicator(good)
	if err != nil {
		t.Fatal(err)
	}
	if a.AccountType != "wickr" || a.Login != "placeholder_01" || a.Confidence != 85 || a.ValidUntil.IsZero() {
		t.Fatalf("%+v", a)
	}
	bad := map[string]string{
		"no valid_from":     `{"type":"indicator","id":"indicator--33fe3b22-0201-47cf-85d0-97c02164528d","created":"2014-05-08T09:00:00Z","modified":"2014-05-08T09:00:00Z","pattern_type":"stix","pattern":"[user-account:account_login = 'a' AND user-account:account_type = 'kik']"}`,
		"until before from": `{"type":"indicator","id":"indicator--33fe3b22-0201-47cf-85d0-97c02164528d","created":"2014-05-08T09:00:00Z","modified":"2014-05-08T09:00:00Z","pattern_type":"stix","valid_from":"2014-05-08T09:00:00Z","valid_until":"2014-05-07T09:00:00Z","pattern":"[user-account:account_login = 'a' AND user-account:account_type = 'kik']"}`,
		"sigma pattern":     `{"type":"indicator","id":"indicator--33fe3b22-0201-47cf-85d0-97c02164528d","created":"2014-05-08T09:00:00Z","modified":"2014-05-08T09:00:00Z","pattern_type":"sigma","valid_from":"2014-05-08T09:00:00Z","pattern":"x"}`,
		"confidence 200":    `{"type":"indicator","id":"indicator--33fe3b22-0201-47cf-85d0-97c02164528d","created":"2014-05-08T09:00:00Z","modified":"2014-05-08T09:00:00Z","pattern_type":"stix","valid_from":"2014-05-08T09:00:00Z","confidence":200,"pattern":"[user-account:account_login = 'a' AND user-account:account_type = 'kik']"}`,
	}
	for name, raw := range bad {
		if _, err := stix.ReadIndicator(json.RawMessage(raw)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestSplitObjects(t *testing.T) {
	objs, err := stix.SplitObjects([]byte(`{"type":"bundle","id":"bundle--44af6c39-c09b-49c5-9de2-394224b04982","objects":[{"a":1},{"b":2}]}`))
	if err != nil || len(objs) != 2 {
		t.Fatalf("%d %v", len(objs), err)
	}
	if _, err := stix.SplitObjects([]byte(`{"type":"indicator"}`)); err == nil {
		t.Fatal("an indicator is not a bundle")
	}
	if _, err := stix.SplitObjects([]byte(`{"objects":[]} {}`)); err == nil {
		t.Fatal("trailing data accepted")
	}
	_, err = stix.HeadOf(json.RawMessage(`{"type":"indicator","id":"indicator--33fe3b22-0201-47cf-85d0-97c02164528d"}`))
	if err == nil || !strings.Contains(err.Error(), "spec_version") {
		t.Fatalf("a 2.0 object: %v", err)
	}
	var oe *stix.ObjectError
	e := error(&stix.ObjectError{Index: 2, ID: "indicator--x", Err: stix.ErrPatternShape})
	if !errors.As(e, &oe) || !errors.Is(e, stix.ErrPatternShape) || !strings.Contains(e.Error(), "indicator--x") {
		t.Fatal(e)
	}
}

func FuzzParseAccountPattern(f *testing.F) {
	f.Add(stix.AccountPattern("wickr", "placeholder_01"))
	f.Add("[user-account:account_login = 'a\\'b' AND user-account:account_type = 'kik']")
	f.Add("[a:b = 'c' AND")
	f.Fuzz(func(t *testing.T, p string) {
		typ, login, err := stix.ParseAccountPattern(p)
		if err != nil {
			return
		}
		// What we read, written back, reads the same.
		t2, l2, err := stix.ParseAccountPattern(stix.AccountPattern(typ, login))
		if err != nil || t2 != typ || l2 != login {
			t.Fatalf("round trip of %q: %q %q %v", p, t2, l2, err)
		}
	})
}

func FuzzReadIndicator(f *testing.F) {
	good, _ := json.Marshal(sampleObjects()[2])
	f.Add(good)
	f.Add([]byte(`{"type":"indicator"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = stix.ReadIndicator(b)
		_, _ = stix.SplitObjects(b)
		_, _ = stix.HeadOf(b)
	})
}
