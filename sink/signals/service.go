package signals

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/secret"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/taxii"
	"github.com/handlewatch/handlewatch/internal/version"
	"github.com/handlewatch/handlewatch/sink/cases"
)

// Deps is what the service needs from the sink.
type Deps struct {
	Log       *zap.Logger
	Cases     cases.Store
	State     state.Store
	Publisher Publisher
	// PublicURL is the sink's public base URL, for the discovery's
	// absolute API root.
	PublicURL string
	Now       func() time.Time
	// HTTP is the client of the feeds; nil: one per feed with its timeout.
	HTTP *http.Client
}

// Service serves the TAXII API root and runs the feeds and the sweep.
type Service struct {
	cfg    Config
	deps   Deps
	export *Exporter
	taxii  *taxii.Server // nil: no partners
	feeds  []*Feed

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	at   time.Time
	objs []taxii.Object
}

// cacheTTL keeps one export for the pages of one poll.
const cacheTTL = 15 * time.Second

// SweepInterval is how often expired imports leave the watchlist.
const SweepInterval = time.Minute

// New builds the service; partner and feed tokens are read here, so a
// missing one fails start-up.
func New(cfg Config, deps Deps) (*Service, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.Log == nil {
		deps.Log = zap.NewNop()
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	s := &Service{cfg: cfg, deps: deps, export: NewExporter(cfg, deps.Cases), cache: map[string]cached{}}
	if len(cfg.Partners) > 0 {
		var cols []taxii.Collection
		for _, c := range cfg.Collections {
			cols = append(cols, taxii.Collection{ID: c.ID, Title: c.Title, Description: c.Description, Alias: c.Name})
		}
		var ps []taxii.Partner
		for i, p := range cfg.Partners {
			tok, err := secret.Lookup(p.TokenEnv)
			if err != nil {
				return nil, fmt.Errorf("sink.signals.partners[%d].token_env: %w", i, err)
			}
			var ids []string
			for _, n := range p.Collections {
				ids = append(ids, s.collection(n).ID)
			}
			ps = append(ps, taxii.Partner{Name: p.Name, Token: tok, Collections: ids})
		}
		srv, err := taxii.NewServer(taxii.ServerConfig{Title: cfg.Organisation + " (handlewatch)",
			Description: "Messaging accounts a moderator confirmed as advertised with child sexual abuse material solicitation.",
			Contact:     cfg.Contact, PublicURL: deps.PublicURL, Collections: cols, Partners: ps, Source: s,
			Log: deps.Log})
		if err != nil {
			return nil, fmt.Errorf("sink.signals: %w", err)
		}
		s.taxii = srv
	}
	for i, f := range cfg.Feeds {
		tok, err := secret.Lookup(f.TokenEnv)
		if err != nil {
			return nil, fmt.Errorf("sink.signals.feeds[%d].token_env: %w", i, err)
		}
		hc := deps.HTTP
		if hc == nil {
			hc = &http.Client{Timeout: f.Timeout.D()}
		}
		s.feeds = append(s.feeds, &Feed{cfg: f, client: &taxii.Client{HTTP: hc, Token: tok, UserAgent: "handlewatch/" + version.String()},
			cursors: deps.State, pub: deps.Publisher, log: deps.Log, now: deps.Now, Retry: DefaultRetry,
			opts: s.ImportOptions(f.Partner)})
	}
	return s, nil
}

// ImportOptions are the options an import from partner takes.
func (s *Service) ImportOptions(partner string) ImportOptions {
	return ImportOptions{Partner: partner, Now: s.deps.Now(), MinConfidence: s.cfg.ImportMinConfidence,
		ValidFor: s.cfg.ImportValidFor.D()}
}

func (s *Service) collection(name string) *CollectionConfig {
	i := slices.IndexFunc(s.cfg.Collections, func(c CollectionConfig) bool { return c.Name == name })
	if i < 0 {
		return nil
	}
	return &s.cfg.Collections[i]
}

// TAXII is the TAXII handler, mounted at /taxii2/; nil without partners.
func (s *Service) TAXII() http.Handler {
	if s.taxii == nil {
		return nil
	}
	return s.taxii
}

// Exporter is the service's exporter.
func (s *Service) Exporter() *Exporter { return s.export }

// Feeds are the configured partner feeds.
func (s *Service) Feeds() []*Feed { return s.feeds }

// Objects is the TAXII source: the collection as partner may see it.
func (s *Service) Objects(ctx context.Context, collection, partner string) ([]taxii.Object, error) {
	i := slices.IndexFunc(s.cfg.Collections, func(c CollectionConfig) bool { return c.ID == collection })
	if i < 0 {
		return nil, errNoCollection
	}
	j := slices.IndexFunc(s.cfg.Partners, func(p PartnerConfig) bool { return p.Name == partner })
	if j < 0 {
		return nil, errors.New("no such partner")
	}
	v := View{Collection: &s.cfg.Collections[i], IncludeText: s.cfg.Partners[j].IncludeText}
	key := collection + "\x00" + partner
	now := s.deps.Now()
	s.mu.Lock()
	if c, ok := s.cache[key]; ok && now.Sub(c.at) < cacheTTL {
		s.mu.Unlock()
		return c.objs, nil
	}
	s.mu.Unlock()
	objs, err := s.export.Objects(ctx, v)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.cache[key] = cached{at: now, objs: objs}
	s.mu.Unlock()
	return objs, nil
}

// Run polls the feeds and sweeps expired imports until ctx is done.
func (s *Service) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, f := range s.feeds {
		wg.Go(func() { f.Run(ctx) })
	}
	t := time.NewTicker(SweepInterval)
	defer t.Stop()
	for {
		if n, err := Sweep(ctx, s.deps.State, s.deps.Cases, s.deps.Now()); err != nil && ctx.Err() == nil {
			s.deps.Log.Warn("signals: sweeping the imported watchlist", zap.Error(err))
		} else if n > 0 {
			s.deps.Log.Info("signals: expired imports left the watchlist", zap.Int("handles", n))
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			return nil
		case <-t.C:
		}
	}
}
