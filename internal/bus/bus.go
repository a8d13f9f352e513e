package bus

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	gojson "github.com/goccy/go-json"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
)

// Bus is a JetStream connection with the handlewatch streams in place.
type Bus struct {
	cfg Config
	log *zap.Logger
	srv *server.Server // nil for an external server
	nc  *nats.Conn
	js  jetstream.JetStream
	// reconnects counts the connection's reconnects: after one, the
	// consumers check that their streams did not lose messages
	// (tail.go).
	reconnects atomic.Uint64
	// ackWait replaces serverAckWait in tests (SetServerAckWait).
	ackWait time.Duration
}

// Open connects to cfg.URL, or starts the embedded server when it is empty,
// and creates or updates the streams.
func Open(ctx context.Context, cfg Config, log *zap.Logger) (*Bus, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &Bus{cfg: cfg, log: log}
	opts := []nats.Option{
		nats.Name("handlewatch"),
		nats.MaxReconnects(-1),
		nats.ReconnectWait(time.Second),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("nats disconnected", zap.Error(err))
			}
		}),
		nats.ReconnectHandler(func(nc *nats.Conn) {
			b.reconnects.Add(1)
			log.Info("nats reconnected", zap.String("url", nc.ConnectedUrlRedacted()))
		}),
	}
	url := cfg.URL
	if url == "" {
		srv, token, err := startEmbedded(cfg, log.Named("nats-server"))
		if err != nil {
			return nil, err
		}
		b.srv = srv
		opts = append(opts, nats.InProcessServer(srv))
		if token != "" {
			opts = append(opts, nats.Token(token))
		}
	} else if cfg.CredsFile != "" {
		opts = append(opts, nats.UserCredentials(cfg.CredsFile))
	}
	if cfg.token != "" {
		opts = append(opts, nats.Token(cfg.token))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		b.shutdownServer()
		return nil, fmt.Errorf("connecting to nats %s: %w", displayURL(url), err)
	}
	b.nc = nc
	// PublishBatch callers share the async window: room for many at once.
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(maxAsyncPending))
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("opening jetstream: %w", err)
	}
	b.js = js
	if err := b.ensureStreams(ctx); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

func displayURL(url string) string {
	if url == "" {
		return "(embedded)"
	}
	return url
}

// startEmbedded starts the embedded server. Without nats.listen it still
// accepts clients on a random loopback port, with a random token, and
// writes both to the data dir's client file (readable by the owner only),
// so that `stats` and `export` can read the streams beside a running
// `run` (the store itself is locked by the server that owns it).
func startEmbedded(cfg Config, log *zap.Logger) (*server.Server, string, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
		return nil, "", fmt.Errorf("creating nats data dir: %w", err)
	}
	opts := &server.Options{
		ServerName: "handlewatch-embedded",
		JetStream:  true,
		StoreDir:   cfg.DataDir,
		NoSigs:     true,
		Host:       "127.0.0.1",
		Port:       server.RANDOM_PORT,
	}
	var token string
	if cfg.Listen != "" {
		host, port, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			return nil, "", fmt.Errorf("nats.listen %q: %w", cfg.Listen, err)
		}
		p, err := strconv.Atoi(port)
		if err != nil {
			return nil, "", fmt.Errorf("nats.listen %q: bad port", cfg.Listen)
		}
		opts.Host, opts.Port = host, p
	} else {
		t := make([]byte, 24)
		if _, err := rand.Read(t); err != nil {
			return nil, "", fmt.Errorf("making the embedded server's token: %w", err)
		}
		token = hex.EncodeToString(t)
		opts.Authorization = token
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, "", fmt.Errorf("starting embedded nats: %w", err)
	}
	srv.SetLoggerV2(zapLogger{log}, false, false, false)
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		srv.Shutdown()
		return nil, "", errors.New("starting embedded nats: not ready after 10s")
	}
	if addr, ok := srv.Addr().(*net.TCPAddr); ok {
		if err := writeClientFile(cfg.DataDir, clientFile{URL: "nats://" + addr.String(), Token: token}); err != nil {
			log.Warn("stats and export cannot reach this server while it runs", zap.Error(err))
		}
	}
	return srv, token, nil
}

// clientFile is how a process reaches the embedded server another process
// on the same data dir runs.
type clientFile struct {
	URL   string `json:"url"`
	Token string `json:"token,omitempty"`
}

const clientFileName = "client.json"

func writeClientFile(dir string, c clientFile) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, clientFileName+".tmp")
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	return os.Rename(tmp, filepath.Join(dir, clientFileName))
}

// OpenShared is Open for the commands that only read the streams (stats,
// export): with an embedded server already running on the data dir (in
// `run`), it connects to that one through its client file; otherwise it
// opens as Open does.
func OpenShared(ctx context.Context, cfg Config, log *zap.Logger) (*Bus, error) {
	if cfg.URL == "" {
		data, err := os.ReadFile(filepath.Join(cfg.WithDefaults().DataDir, clientFileName))
		var c clientFile
		if err == nil && json.Unmarshal(data, &c) == nil && c.URL != "" {
			shared := cfg
			shared.URL, shared.token = c.URL, c.Token
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if b, err := Open(cctx, shared, log); err == nil {
				log.Debug("reading the streams of the embedded server that runs on the data dir", zap.String("url", c.URL))
				return b, nil
			}
			// A file left by a process that died: start the server here.
		}
	}
	return Open(ctx, cfg, log)
}

func (b *Bus) ensureStreams(ctx context.Context) error {
	for _, sc := range streamConfigs(b.cfg) {
		if _, err := b.js.CreateOrUpdateStream(ctx, sc); err != nil {
			return fmt.Errorf("creating stream %s: %w", sc.Name, err)
		}
	}
	return nil
}

// Embedded reports whether this bus runs its own server.
func (b *Bus) Embedded() bool { return b.srv != nil }

// JetStream is the JetStream context.
func (b *Bus) JetStream() jetstream.JetStream { return b.js }

// StreamName is the server-side name of a logical stream (StreamPosts…).
func (b *Bus) StreamName(logical string) string { return b.cfg.streamName(logical) }

// Ready reports whether NATS answers and JetStream is usable.
func (b *Bus) Ready(ctx context.Context) error {
	if !b.nc.IsConnected() {
		return fmt.Errorf("nats: %s", b.nc.Status())
	}
	if _, err := b.js.AccountInfo(ctx); err != nil {
		return fmt.Errorf("jetstream: %w", err)
	}
	return nil
}

// Close drains the connection (in-flight acks go out) and stops the
// embedded server. It is safe to call more than once.
func (b *Bus) Close() {
	if b.nc != nil && !b.nc.IsClosed() {
		if err := b.nc.Drain(); err != nil {
			b.nc.Close()
		}
		deadline := time.Now().Add(5 * time.Second)
		for !b.nc.IsClosed() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		b.nc.Close()
	}
	b.shutdownServer()
}

func (b *Bus) shutdownServer() {
	if b.srv != nil {
		_ = os.Remove(filepath.Join(b.cfg.DataDir, clientFileName))
		b.srv.Shutdown()
		b.srv.WaitForShutdown()
		b.srv = nil
	}
}

// maxAsyncPending bounds the messages PublishBatch has in flight over all
// its callers.
const maxAsyncPending = 1 << 14

// Publish sends v as JSON on subject with msgID as its JetStream message
// id. A repeat of a msgID inside the duplicate window is dropped by the
// server; duplicate reports that. v is encoded by goccy/go-json, whose
// output for the wire types is encoding/json's byte for byte, at a third
// of its CPU (every post goes through here).
func (b *Bus) Publish(ctx context.Context, subject, msgID string, v any) (duplicate bool, err error) {
	data, err := gojson.Marshal(v)
	if err != nil {
		return false, fmt.Errorf("encoding %s: %w", subject, err)
	}
	ack, err := b.js.Publish(ctx, b.cfg.subject(subject), data, jetstream.WithMsgID(msgID))
	if err != nil {
		return false, fmt.Errorf("publishing %s to %s: %w", msgID, subject, err)
	}
	return ack.Duplicate, nil
}
