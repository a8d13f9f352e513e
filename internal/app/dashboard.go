package app

import (
	"fmt"
	"slices"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/sink/web"
)

// DemoModerator is the demo's dashboard account; its password is made up
// at each start and printed.
const DemoModerator = "demo-moderator"

// addDemoModerator gives the demo's dashboard an account with a password
// made up for this run: the repository holds no password.
func (p *Pipeline) addDemoModerator() error {
	pass := web.NewPassword()
	hash, err := web.HashPassword(pass)
	if err != nil {
		return fmt.Errorf("making the demo moderator: %w", err)
	}
	d := &p.cfg.Sink.Dashboard
	d.Users = append(slices.Clone(d.Users), web.User{Name: DemoModerator, Role: web.RoleModerator, PasswordHash: hash})
	p.demoPassword = pass
	return nil
}

// announceDemoLogin prints the demo's login where the person who typed
// `make run` reads it.
func (p *Pipeline) announceDemoLogin() {
	if p.demoPassword == "" || p.addr == "" {
		return
	}
	p.log.Info("dashboard demo login (this run only)", zap.String("url", "http://"+p.addr+"/login"),
		zap.String("user", DemoModerator), zap.String("password", p.demoPassword))
}

// sourceHealth is the crawler's target health for the dashboard.
func (p *Pipeline) sourceHealth() []web.SourceHealth {
	if p.crawler == nil {
		return nil
	}
	var out []web.SourceHealth
	for _, h := range p.crawler.Health() {
		out = append(out, web.SourceHealth{Source: h.Source, Target: h.Target, Kind: h.Kind, LastSuccess: h.LastSuccess,
			LastError: h.LastError, LastErrorAt: h.LastErrorAt, LastPosts: h.LastPosts,
			ConsecutiveFailures: h.ConsecutiveFailures, NextRun: h.NextRun})
	}
	return out
}
