package takedown

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

const exampleYAML = `
enabled: true
shadow: true
total_daily_quota: 200
operator: Example T&S
contact: trust@example.org
targets:
  - name: mastodon-social
    channel: mastodon
    applies_to: [mastodon-social]
    base_url: https://mastodon.example
    token_env: HW_MASTODON_TOKEN
    mode: auto
    auto_min_severity: critical
    daily_quota: 50
    renotice_after: 24h
    recheck_every: 6h
    give_up_after: 30d
  - name: apps
    channel: app_abuse
    applies_to: ["*"]
    smtp: {host: smtp.example.org, username: reports@example.org, password_env: HW_SMTP_PASSWORD, from: reports@example.org}
    contacts: {telegram: abuse@telegram.example}
`

func TestConfigYAML(t *testing.T) {
	var c Config
	if err := yaml.Unmarshal([]byte(exampleYAML), &c); err != nil {
		t.Fatal(err)
	}
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	m := c.Targets[0]
	if m.GiveUpAfter.D() != 30*24*time.Hour || m.AutoMinSeverity != "critical" || m.Category != "other" || m.DailyQuota != 50 {
		t.Fatalf("target 0 = %+v", m)
	}
	if a := c.Targets[1]; a.SMTP.Port != 587 || a.SMTP.TLS != "starttls" || a.Mode != ModeReview || a.DailyQuota != 100 {
		t.Fatalf("target 1 defaults = %+v", a)
	}
}

func TestConfigValidate(t *testing.T) {
	ok := func() Config {
		return Config{Enabled: true, Targets: []TargetConfig{{Name: "m", Channel: ChannelMastodon, AppliesTo: []string{"x"},
			BaseURL: "https://m.example", TokenEnv: "T"}}}
	}
	cases := []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"valid", func(*Config) {}, ""},
		{"no name", func(c *Config) { c.Targets[0].Name = "" }, "sink.takedowns.targets[0].name: required"},
		{"dotted name", func(c *Config) { c.Targets[0].Name = "a.b" }, "sink.takedowns.targets[0].name:"},
		{"duplicate", func(c *Config) { c.Targets = append(c.Targets, c.Targets[0]) }, "sink.takedowns.targets[1].name: duplicate"},
		{"channel", func(c *Config) { c.Targets[0].Channel = "fax" }, "sink.takedowns.targets[0].channel: unknown channel"},
		{"mode", func(c *Config) { c.Targets[0].Mode = "yolo" }, "sink.takedowns.targets[0].mode:"},
		{"severity", func(c *Config) { c.Targets[0].AutoMinSeverity = "huge" }, "sink.takedowns.targets[0].auto_min_severity:"},
		{"base url", func(c *Config) { c.Targets[0].BaseURL = "mastodon.example" }, "sink.takedowns.targets[0].base_url:"},
		{"token", func(c *Config) { c.Targets[0].TokenEnv = "" }, "sink.takedowns.targets[0].token_env:"},
		{"applies", func(c *Config) { c.Targets[0].AppliesTo = nil }, "sink.takedowns.targets[0].applies_to:"},
		{"violation", func(c *Config) { c.Targets[0].Category = "violation" }, "sink.takedowns.targets[0].rule_ids:"},
		{"renotice", func(c *Config) { c.Targets[0].RenoticeAfter = Duration(time.Minute) }, "sink.takedowns.targets[0].renotice_after:"},
		{"give up", func(c *Config) { c.Targets[0].GiveUpAfter = Duration(2 * time.Hour) }, "sink.takedowns.targets[0].give_up_after:"},
		{"quota", func(c *Config) { c.Targets[0].DailyQuota = -1 }, "sink.takedowns.targets[0].daily_quota:"},
		{"total", func(c *Config) { c.TotalDailyQuota = -1 }, "sink.takedowns.total_daily_quota:"},
		{"bluesky creds", func(c *Config) {
			c.Targets[0] = TargetConfig{Name: "b", Channel: ChannelBluesky, AppliesTo: []string{"b"}}
		}, "sink.takedowns.targets[0].identifier:"},
		{"reddit creds", func(c *Config) {
			c.Targets[0] = TargetConfig{Name: "r", Channel: ChannelReddit, AppliesTo: []string{"r"}, ClientIDEnv: "A"}
		}, "sink.takedowns.targets[0].token_env:"},
		{"email to", func(c *Config) {
			c.Targets[0] = TargetConfig{Name: "e", Channel: ChannelEmail, AppliesTo: []string{"r"},
				SMTP: SMTPConfig{Host: "smtp.example", From: "a@example.org"}}
		}, "sink.takedowns.targets[0].to:"},
		{"smtp clear password", func(c *Config) {
			c.Targets[0] = TargetConfig{Name: "e", Channel: ChannelEmail, AppliesTo: []string{"r"}, To: []string{"b@example.org"},
				SMTP: SMTPConfig{Host: "smtp.example", From: "a@example.org", Username: "u", PasswordEnv: "P", TLS: "none"}}
		}, "sink.takedowns.targets[0].smtp.tls:"},
		{"app contacts", func(c *Config) {
			c.Targets[0] = TargetConfig{Name: "a", Channel: ChannelAppAbuse, AppliesTo: []string{"wickr"},
				SMTP: SMTPConfig{Host: "smtp.example", From: "a@example.org"}, Contacts: map[string]string{"icq": "x@example.org"}}
		}, "sink.takedowns.targets[0].contacts.icq: unknown app"},
		{"app applies", func(c *Config) {
			c.Targets[0] = TargetConfig{Name: "a", Channel: ChannelAppAbuse, AppliesTo: []string{"reddit"},
				SMTP: SMTPConfig{Host: "smtp.example", From: "a@example.org"}, Contacts: map[string]string{"wickr": "x@example.org"}}
		}, "sink.takedowns.targets[0].applies_to: \"reddit\" is not an app"},
		{"template", func(c *Config) { c.Targets[0].Template = "{{.Nope}}" }, "sink.takedowns.targets[0].template:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := ok()
			tc.edit(&c)
			c = c.WithDefaults()
			err := c.Validate()
			if err == nil && tc.want != "" {
				// Template errors surface in New.
				_, err = New(c, Deps{Publisher: newRecorder(), Store: newStoreMemory()})
			}
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("error %v, want prefix %q", err, tc.want)
			}
		})
	}
}
