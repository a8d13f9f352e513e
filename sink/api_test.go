package sink

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink/cases"
)

func TestAPI(t *testing.T) {
	b := bustest.Embedded(t, "")
	rcv := startReceivers(t)
	cfg := rcv.config(t)
	cfg.Webhooks, cfg.Slack, cfg.Email = nil, nil, nil
	s := startSink(t, cfg, b, state.NewMemory())
	publish(t, b,
		finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAlert),
		finding(2, "telegram", "tg_demo_77", "forum-a", wire.SeverityMedium, wire.ModeAlert),
		finding(3, "kik", "example_seller", "forum-b", wire.SeverityLow, wire.ModeAlert),
	)
	waitFor(t, "3 cases", 10*time.Second, func() bool { return s.sightings(t) == 3 })
	wickr := wire.CaseKey("wickr", "placeholder_01")
	kik := wire.CaseKey("kik", "example_seller")
	decide := "/api/cases/" + wickr + "/decision"

	for _, tc := range []struct {
		name, method, path, token, body string
		hdr                             []string
		status                          int
		want                            string // substring of the body
	}{
		{"list needs the token", "GET", "/api/cases", "", "", nil, 401, "bearer token"},
		{"wrong token", "GET", "/api/cases", "nope-nope-nope-nope", "", nil, 401, "bearer token"},
		{"list", "GET", "/api/cases", testToken, "", nil, 200, `"handle":"placeholder_01"`},
		{"filter app", "GET", "/api/cases?app=kik", testToken, "", nil, 200, `"handle":"example_seller"`},
		{"filter severity", "GET", "/api/cases?severity=high&status=new", testToken, "", nil, 200, `"handle":"placeholder_01"`},
		{"page", "GET", "/api/cases?limit=1", testToken, "", nil, 200, `"next_offset":1`},
		{"bad status", "GET", "/api/cases?status=open", testToken, "", nil, 400, "status:"},
		{"bad app", "GET", "/api/cases?app=myspace", testToken, "", nil, 400, "app:"},
		{"bad severity", "GET", "/api/cases?severity=urgent", testToken, "", nil, 400, "severity:"},
		{"bad limit", "GET", "/api/cases?limit=100000", testToken, "", nil, 400, "limit:"},
		{"get", "GET", "/api/cases/" + wickr, testToken, "", nil, 200, `"recent":[{"finding_id"`},
		{"get shows its takedown requests", "GET", "/api/cases/" + wickr, testToken, "", nil, 200, `"takedowns":[`},
		{"get unknown", "GET", "/api/cases/wickr-0000000000000000", testToken, "", nil, 404, "no such case"},
		{"get malformed id", "GET", "/api/cases/..%2f..%2fetc", testToken, "", nil, 404, ""},
		{"decision needs the token", "POST", decide, "", `{"decision":"confirm","actor":"mod_a"}`, nil, 401, ""},
		{"unknown decision", "POST", decide, testToken, `{"decision":"nuke","actor":"mod_a"}`, nil, 400, "decision:"},
		{"no actor", "POST", decide, testToken, `{"decision":"confirm"}`, nil, 400, "actor: required"},
		{"control characters in actor", "POST", decide, testToken, `{"decision":"confirm","actor":"a\u0007b"}`, nil, 400, "actor:"},
		{"dismiss needs a reason", "POST", decide, testToken, `{"decision":"dismiss","actor":"mod_a"}`, nil, 400, "reason: required"},
		{"clear needs a reason", "POST", decide, testToken, `{"decision":"clear","actor":"mod_a","reason":"  "}`, nil, 400, "reason: required"},
		{"unknown field", "POST", decide, testToken, `{"decision":"confirm","actor":"mod_a","status":"x"}`, nil, 400, "body:"},
		{"two objects", "POST", decide, testToken, `{"decision":"confirm","actor":"mod_a"}{}`, nil, 400, "one JSON object"},
		{"not json", "POST", decide, testToken, `decision=confirm`, nil, 400, "body:"},
		{"too big", "POST", decide, testToken, `{"decision":"confirm","actor":"mod_a","reason":"` + strings.Repeat("x", 20000) + `"}`, nil, 413, "16 KiB"},
		{"decision on unknown case", "POST", "/api/cases/wickr-0000000000000000/decision", testToken, `{"decision":"confirm","actor":"mod_a"}`, nil, 404, ""},
		{"draft of a new case", "GET", "/api/cases/" + wickr + "/hotline-draft", testToken, "", nil, 409, "confirmed cases only"},
		{"confirm", "POST", decide, testToken, `{"decision":"confirm","actor":"mod_a","reason":"coded offer"}`,
			[]string{"Idempotency-Key", "req-1"}, 200, `"status":"confirmed"`},
		{"same request again", "POST", decide, testToken, `{"decision":"confirm","actor":"mod_a","reason":"coded offer"}`,
			[]string{"Idempotency-Key", "req-1"}, 200, `"status":"confirmed"`},
		{"draft of a confirmed case", "GET", "/api/cases/" + wickr + "/hotline-draft", testToken, "", nil, 200, `"screenName":"placeholder_01"`},
		{"draft text", "GET", "/api/cases/" + wickr + "/hotline-draft", testToken, "", nil, 200, `"text":"DRAFT for a moderator`},
		{"draft of a dismissed case", "GET", "/api/cases/" + kik + "/hotline-draft", testToken, "", nil, 409, ""},
		{"wrong method", "DELETE", "/api/cases/" + wickr, testToken, "", nil, 405, "not allowed"},
		{"get on decision", "GET", decide, testToken, "", nil, 405, "use POST"},
		{"unknown path", "GET", "/api/admin", testToken, "", nil, 404, "no such resource"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := s.call(t, tc.method, tc.path, tc.token, tc.body, tc.hdr...)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.want) {
				t.Fatalf("%s %s: %d %s; want %d with %q", tc.method, tc.path, resp.StatusCode, body, tc.status, tc.want)
			}
			for k, v := range map[string]string{
				"Content-Type":            "application/json; charset=utf-8",
				"X-Content-Type-Options":  "nosniff",
				"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
				"Cache-Control":           "no-store",
			} {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
			if !json.Valid(body) {
				t.Errorf("body is not JSON: %s", body)
			}
		})
	}
	// The retried request recorded one decision.
	c := s.getCase(t, "wickr", "placeholder_01")
	if len(c.History) != 1 || c.Decision.Reason != "coded offer" {
		t.Fatalf("history %+v", c.History)
	}
	// Newest first, and crawled text escaped for HTML contexts.
	_, body := s.call(t, "GET", "/api/cases?limit=10", testToken, "")
	var list struct{ Cases []cases.Case }
	if err := json.Unmarshal(body, &list); err != nil || len(list.Cases) != 3 {
		t.Fatalf("list %s: %v", body, err)
	}
	for i := 1; i < len(list.Cases); i++ {
		// Ordered to the millisecond (the Redis index score), then by id.
		if list.Cases[i].LastSeen.Truncate(time.Millisecond).After(list.Cases[i-1].LastSeen.Truncate(time.Millisecond)) {
			t.Fatalf("not newest first: %v after %v", list.Cases[i].LastSeen, list.Cases[i-1].LastSeen)
		}
	}
}

func TestAPIWithoutTokenIsReadOnly(t *testing.T) {
	b := bustest.Embedded(t, "")
	rcv := startReceivers(t)
	cfg := rcv.config(t)
	cfg.Webhooks, cfg.Slack, cfg.Email, cfg.APITokenEnv = nil, nil, nil, ""
	s := startSink(t, cfg, b, state.NewMemory())
	publish(t, b, finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAlert))
	waitFor(t, "the case", 10*time.Second, func() bool { return s.sightings(t) == 1 })
	if resp, body := s.call(t, "GET", "/api/cases", "", ""); resp.StatusCode != 200 || !strings.Contains(string(body), "placeholder_01") {
		t.Fatalf("read: %d %s", resp.StatusCode, body)
	}
	resp, body := s.call(t, "POST", "/api/cases/"+wire.CaseKey("wickr", "placeholder_01")+"/decision", "anything-at-all-here", `{"decision":"confirm","actor":"mod_a"}`)
	if resp.StatusCode != 403 || !strings.Contains(string(body), "sink.api_token_env") {
		t.Fatalf("decision without a configured token: %d %s", resp.StatusCode, body)
	}
}

func TestAPIEscapesCrawledText(t *testing.T) {
	b := bustest.Embedded(t, "")
	rcv := startReceivers(t)
	cfg := rcv.config(t)
	cfg.Webhooks, cfg.Slack, cfg.Email = nil, nil, nil
	s := startSink(t, cfg, b, state.NewMemory())
	f := finding(1, "wickr", "placeholder_01", "forum-a", wire.SeverityHigh, wire.ModeAlert)
	f.Excerpt.Text = "<script>alert(1)</script> &" + f.Excerpt.Text[25:]
	f.Excerpt.Spans = nil
	f.Signals = nil
	f.Handles[0].Span = wire.Span{Start: 0, End: 8}
	publish(t, b, f)
	waitFor(t, "the case", 10*time.Second, func() bool { return s.sightings(t) == 1 })
	_, body := s.call(t, "GET", "/api/cases/"+wire.CaseKey("wickr", "placeholder_01"), testToken, "")
	if strings.Contains(string(body), "<script>") || !strings.Contains(string(body), `\u003cscript\u003e`) {
		t.Fatalf("crawled markup not escaped: %s", body)
	}
}
