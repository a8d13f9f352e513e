package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/crawler"
	"github.com/handlewatch/handlewatch/detector"
	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/config"
	"github.com/handlewatch/handlewatch/internal/demo"
	"github.com/handlewatch/handlewatch/internal/ops"
	"github.com/handlewatch/handlewatch/internal/state"
	"github.com/handlewatch/handlewatch/internal/wire"
	"github.com/handlewatch/handlewatch/sink"
)

// stages says which stages a process runs.
type stages struct{ crawl, detect, sink bool }

// Pipeline is a running process: the shared plumbing and its stages.
type Pipeline struct {
	cfg   *config.Config
	log   *zap.Logger
	ops   *ops.Ops
	store state.Store
	bus   *bus.Bus
	demo  *demo.Site
	// leases share crawl targets among crawlers and keep a sink on memory
	// state from running beside another sink on the same NATS.
	leases    *bus.Leases
	sinkLease func() // releases the sink's mode lease

	crawler *crawler.Crawler
	worker  *detector.Worker
	sink    *sink.Sink
	http    *http.Server
	addr    string // where /healthz, /readyz, /metrics (and the dashboard) answer
	closeMu sync.Mutex

	// demoPassword is the demo moderator's password for this run.
	demoPassword string
}

// Start builds the plumbing and the stages; nothing is consumed or fetched
// until Run.
func Start(ctx context.Context, cfg *config.Config, log *zap.Logger, st stages) (_ *Pipeline, err error) {
	p := &Pipeline{cfg: cfg, log: log, ops: ops.New()}
	defer func() {
		if err != nil {
			p.close()
		}
	}()
	if cfg.Demo.Enabled {
		if err := p.startDemo(); err != nil {
			return nil, err
		}
	}
	p.store, err = state.Open(ctx, cfg.Redis.URL, cfg.Redis.Prefix)
	if err != nil {
		return nil, fmt.Errorf("opening state store: %w", err)
	}
	p.ops.AddCheck("state", p.store.Ping)
	p.bus, err = bus.Open(ctx, cfg.NATS, log.Named("bus"))
	if err != nil {
		return nil, err
	}
	p.ops.AddCheck("nats", p.bus.Ready)

	if st.sink || st.crawl {
		if p.leases, err = p.bus.Leases(ctx); err != nil {
			return nil, err
		}
	}
	if st.sink {
		if err := p.claimSinkMode(ctx); err != nil {
			return nil, err
		}
		deps := sink.Deps{Log: log.Named("sink"), Bus: p.bus, Store: p.store, Metrics: p.ops.Registry}
		if st.crawl {
			deps.SourceHealth = p.sourceHealth
		}
		if cfg.Demo.Enabled {
			if err := p.addDemoModerator(); err != nil {
				return nil, err
			}
		}
		p.sink, err = sink.New(cfg.Sink, deps)
		if err != nil {
			return nil, fmt.Errorf("starting sink: %w", err)
		}
		p.ops.AddCheck("sink", p.sink.Ready)
	}
	if st.detect {
		p.worker, err = detector.NewWorker(cfg.Detector, detector.WorkerDeps{Log: log.Named("detector"), Bus: p.bus,
			Sets: p.store, Metrics: p.ops.Registry})
		if err != nil {
			return nil, fmt.Errorf("starting detector: %w", err)
		}
		p.ops.AddCheck("detector", p.worker.Ready)
	}
	if st.crawl {
		var cursors state.Cursors = p.store
		if cfg.Redis.URL == "" {
			// Memory state does not survive a restart; cursors must, so
			// they live in a JetStream key-value bucket.
			if cursors, err = p.bus.Cursors(ctx); err != nil {
				return nil, err
			}
		}
		p.crawler, err = crawler.New(cfg.Crawler, cfg.Sources, crawler.Deps{Log: log.Named("crawler"), Seen: p.store,
			Cursors: cursors, Publisher: busPublisher{p.bus}, Metrics: p.ops.Registry, Leases: p.leases})
		if err != nil {
			return nil, fmt.Errorf("starting crawler: %w", err)
		}
		p.ops.AddCheck("crawler", p.crawler.Ready)
	}
	listen := cfg.Ops.Listen
	if st.sink {
		listen = cfg.Sink.Listen
	}
	if listen != "" {
		if err := p.serveHTTP(listen); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// startDemo serves the demo site and, when the demo's webhook secret is
// not set, makes one up for this run so the receiver can verify alerts.
func (p *Pipeline) startDemo() error {
	const secretEnv = "HW_DEMO_WEBHOOK_SECRET"
	secret := os.Getenv(secretEnv)
	if secret == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return fmt.Errorf("making demo webhook secret: %w", err)
		}
		secret = hex.EncodeToString(b)
		os.Setenv(secretEnv, secret)
	}
	p.demo = demo.New(p.log.Named("demo"), secret, 20*time.Second)
	return p.demo.Start(p.cfg.Demo.Listen)
}

func (p *Pipeline) serveHTTP(listen string) error {
	mux := http.NewServeMux()
	p.ops.Mount(mux)
	if p.sink != nil {
		mux.Handle("/", p.sink.Handler())
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", listen, err)
	}
	p.addr = ln.Addr().String()
	p.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := p.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.log.Error("http server stopped", zap.Error(err))
		}
	}()
	return nil
}

// Addr is where the HTTP endpoints answer ("" when none).
func (p *Pipeline) Addr() string { return p.addr }

// Reload re-reads the detector's rules (SIGHUP).
func (p *Pipeline) Reload() error {
	if p.worker == nil {
		return nil
	}
	return p.worker.Reload()
}

// Run runs the stages until ctx is done, then shuts down in stage order:
// stop fetching, let the detector finish the post in hand, let the sink
// finish the finding in hand, close. What is not processed stays in
// JetStream for the next start.
func (p *Pipeline) Run(ctx context.Context) error {
	defer p.close()
	type stage struct {
		name string
		run  func(context.Context) error
	}
	var order []stage
	if p.crawler != nil {
		order = append(order, stage{"crawler", p.crawler.Run})
	}
	if p.worker != nil {
		order = append(order, stage{"detector", p.worker.Run})
	}
	if p.sink != nil {
		order = append(order, stage{"sink", p.sink.Run})
	}
	failed := make(chan error, len(order))
	cancels := make([]context.CancelFunc, len(order))
	dones := make([]chan struct{}, len(order))
	for i, s := range order {
		sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		cancels[i], dones[i] = cancel, make(chan struct{})
		go func() {
			defer close(dones[i])
			if err := s.run(sctx); err != nil && !errors.Is(err, context.Canceled) {
				failed <- fmt.Errorf("%s: %w", s.name, err)
			}
		}()
	}
	p.announce()
	var err error
	select {
	case <-ctx.Done():
	case err = <-failed:
		p.log.Error("stage failed: shutting down", zap.Error(err))
	}
	for i, s := range order {
		cancels[i]()
		select {
		case <-dones[i]:
		case <-time.After(30 * time.Second):
			p.log.Warn("stage did not stop in time", zap.String("stage", s.name))
		}
	}
	return err
}

func (p *Pipeline) announce() {
	fields := []zap.Field{
		zap.Bool("nats_embedded", p.bus.Embedded()),
		zap.Bool("state_in_memory", p.cfg.Redis.URL == ""),
		zap.Int("sources", len(p.cfg.Sources)),
	}
	if p.addr != "" {
		fields = append(fields, zap.String("health", "http://"+p.addr+"/readyz"), zap.String("metrics", "http://"+p.addr+"/metrics"))
	}
	if p.sink != nil && p.addr != "" {
		fields = append(fields, zap.String("dashboard", "http://"+p.addr+"/"))
	}
	if p.demo != nil {
		fields = append(fields, zap.String("demo_site", p.demo.URL()+"/"), zap.String("demo_alerts", p.demo.URL()+"/alerts"))
	}
	p.log.Info("handlewatch running", fields...)
	p.announceDemoLogin()
}

func (p *Pipeline) close() {
	p.closeMu.Lock()
	defer p.closeMu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if p.http != nil {
		_ = p.http.Shutdown(ctx)
		p.http = nil
	}
	if p.sinkLease != nil {
		p.sinkLease()
		p.sinkLease = nil
	}
	if p.bus != nil {
		p.bus.Close()
		p.bus = nil
	}
	if p.store != nil {
		_ = p.store.Close()
		p.store = nil
	}
	if p.demo != nil {
		_ = p.demo.Close(ctx)
		p.demo = nil
	}
}

// busPublisher publishes posts with their key as the message id, so a
// repeat publish is dropped by JetStream.
type busPublisher struct{ b *bus.Bus }

var _ crawler.PagePublisher = busPublisher{}

func (bp busPublisher) PublishPost(ctx context.Context, post *wire.Post) error {
	_, err := bp.b.Publish(ctx, post.Subject(), post.Key(), post)
	return err
}

// PublishPosts publishes a page of posts at once (bus.PublishBatch) and
// returns when every one is acknowledged; on an error publish them all
// again, the keys drop the repeats.
func (bp busPublisher) PublishPosts(ctx context.Context, posts []*wire.Post) error {
	outs := make([]bus.Out, len(posts))
	for i, p := range posts {
		outs[i] = bus.Out{Subject: p.Subject(), MsgID: p.Key(), V: p}
	}
	_, err := bp.b.PublishBatch(ctx, outs)
	return err
}
