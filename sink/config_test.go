package sink

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

func TestConfigDefaults(t *testing.T) {
	c := Config{Webhooks: []WebhookConfig{{Name: "h", URL: "https://example.org/hook", SecretEnv: "S"}},
		Email: []EmailConfig{{Name: "m", Host: "mail.example.org", From: "a@example.org", To: []string{"b@example.org"}}}}.WithDefaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:8080" || c.BaseURL != "http://127.0.0.1:8080" || c.Webhooks[0].RatePerMinute != 30 ||
		c.Email[0].Port != 587 || c.Email[0].StartTLS != "required" || c.Alerts.MinSeverity != "medium" ||
		len(c.Alerts.EscalateAtSightings) != 3 || c.Alerts.EscalateAtSources[0] != 3 || c.Alerts.DigestInterval != 15*time.Minute ||
		c.Cases.MaxSightings != 200 || c.Alerts.Retry.Attempts != 5 {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestConfigValidate(t *testing.T) {
	hook := func(mod func(*WebhookConfig)) Config {
		w := WebhookConfig{Name: "hook", URL: "https://example.org/h", SecretEnv: "S"}
		mod(&w)
		return Config{Webhooks: []WebhookConfig{w}}
	}
	mail := func(mod func(*EmailConfig)) Config {
		e := EmailConfig{Name: "mail", Host: "mail.example.org", From: "a@example.org", To: []string{"b@example.org"}}
		mod(&e)
		return Config{Email: []EmailConfig{e}}
	}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // prefix of the error; "" for valid
	}{
		{"empty is valid", Config{}, ""},
		{"bad listen", Config{Listen: "8080"}, "sink.listen:"},
		{"bad base url", Config{BaseURL: "ftp://x"}, "sink.base_url:"},
		{"webhook url", hook(func(w *WebhookConfig) { w.URL = "javascript:alert(1)" }), "sink.webhooks[0].url: "},
		{"webhook relative url", hook(func(w *WebhookConfig) { w.URL = "/hook" }), "sink.webhooks[0].url: "},
		{"webhook unsigned", hook(func(w *WebhookConfig) { w.SecretEnv = "" }), "sink.webhooks[0].secret_env: required"},
		{"webhook no name", hook(func(w *WebhookConfig) { w.Name = "" }), "sink.webhooks[0].name: required"},
		{"webhook bad name", hook(func(w *WebhookConfig) { w.Name = "a b" }), "sink.webhooks[0].name:"},
		{"webhook rate", hook(func(w *WebhookConfig) { w.RatePerMinute = -1 }), "sink.webhooks[0].rate_per_minute:"},
		{"webhook timeout", hook(func(w *WebhookConfig) { w.Timeout = time.Millisecond }), "sink.webhooks[0].timeout:"},
		{"duplicate names", Config{Webhooks: []WebhookConfig{{Name: "x", URL: "https://e.org", SecretEnv: "S"}},
			Slack: []SlackConfig{{Name: "x", WebhookURLEnv: "U"}}}, "sink.slack[0].name: \"x\" is already the name of sink.webhooks[0]"},
		{"slack url env", Config{Slack: []SlackConfig{{Name: "s"}}}, "sink.slack[0].webhook_url_env: required"},
		{"email host", mail(func(e *EmailConfig) { e.Host = "" }), "sink.email[0].host: required"},
		{"email port", mail(func(e *EmailConfig) { e.Port = 70000 }), "sink.email[0].port:"},
		{"email from", mail(func(e *EmailConfig) { e.From = "nobody" }), "sink.email[0].from:"},
		{"email to", mail(func(e *EmailConfig) { e.To = []string{"ok@example.org", "bad"} }), "sink.email[0].to[1]:"},
		{"email no to", mail(func(e *EmailConfig) { e.To = nil }), "sink.email[0].to:"},
		{"email starttls", mail(func(e *EmailConfig) { e.StartTLS = "maybe" }), "sink.email[0].starttls:"},
		{"email password in clear", mail(func(e *EmailConfig) { e.StartTLS, e.Username, e.PasswordEnv = "none", "u", "P" }), "sink.email[0].starttls:"},
		{"email password in clear to loopback", mail(func(e *EmailConfig) {
			e.Host, e.StartTLS, e.Username, e.PasswordEnv = "127.0.0.1", "none", "u", "P"
		}), ""},
		{"email password env", mail(func(e *EmailConfig) { e.Username = "u" }), "sink.email[0].password_env:"},
		{"min severity", Config{Alerts: AlertsConfig{MinSeverity: "urgent"}}, "sink.alerts.min_severity:"},
		{"thresholds ascend", Config{Alerts: AlertsConfig{EscalateAtSightings: Thresholds{10, 5}}}, "sink.alerts.escalate_at_sightings[1]:"},
		{"threshold too small", Config{Alerts: AlertsConfig{EscalateAtSources: Thresholds{1}}}, "sink.alerts.escalate_at_sources[0]:"},
		{"no escalations", Config{Alerts: AlertsConfig{EscalateAtSightings: Thresholds{}, EscalateAtSources: Thresholds{}}}, ""},
		{"digest interval", Config{Alerts: AlertsConfig{DigestInterval: time.Millisecond}}, "sink.alerts.digest_interval:"},
		{"retry attempts", Config{Alerts: AlertsConfig{Retry: RetryConfig{Attempts: 50}}}, "sink.alerts.retry.attempts:"},
		{"max sightings", Config{Cases: CasesConfig{MaxSightings: -3}}, "sink.cases.max_sightings:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.WithDefaults().Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate() = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("Validate() = %v, want an error starting %q", err, tc.want)
			}
		})
	}
}

func TestConfigYAML(t *testing.T) {
	var c Config
	err := yaml.Unmarshal([]byte(`
base_url: https://hw.example.org
api_token_env: HW_API_TOKEN
webhooks:
  - {name: soc, url: "https://soc.example.org/hw", secret_env: HW_SOC_SECRET, rate_per_minute: 60}
slack:
  - {name: mods, webhook_url_env: HW_SLACK_URL, digest: true}
email:
  - name: queue
    host: smtp.example.org
    username: hw
    password_env: HW_SMTP_PASSWORD
    from: "handlewatch <hw@example.org>"
    to: [queue@example.org]
alerts:
  min_severity: high
  escalate_at_sightings: 25
  escalate_at_sources: [2, 5]
  digest_interval: 10m
  retry: {attempts: 3, initial_backoff: 2s}
cases: {max_sightings: 50}
`), &c)
	if err != nil {
		t.Fatal(err)
	}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Alerts.EscalateAtSightings[0] != 25 || len(c.Alerts.EscalateAtSources) != 2 || c.Alerts.DigestInterval != 10*time.Minute ||
		!c.Slack[0].Digest || c.Webhooks[0].RatePerMinute != 60 || c.Alerts.Retry.InitialBackoff != 2*time.Second || c.Cases.MaxSightings != 50 {
		t.Fatalf("decoded %+v", c)
	}
}
