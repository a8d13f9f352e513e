package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Lease names of the sinks' state modes: a sink on memory state holds
// sink/memory alone; each sink on Redis holds sink/redis/<owner>.
const (
	leaseSinkMemory = "sink/memory"
	leaseSinkRedis  = "sink/redis/"
)

// errSinkMode is a sink that must not start beside the sinks already on
// this NATS.
var errSinkMode = errors.New("refusing to start the sink")

// claimSinkMode keeps a sink on memory state from sharing a NATS with any
// other sink. Sinks share the findings consumer, so each would see only
// part of the findings, and alert dedupe (which lives in the state store)
// would not be shared: an alert could go out once per sink. Several sinks
// need Redis. The lease is held while the process runs and expires within
// nats.lease_ttl after it dies; an embedded NATS nobody else can reach
// needs no check.
func (p *Pipeline) claimSinkMode(ctx context.Context) error {
	if p.bus.Embedded() && p.cfg.NATS.Listen == "" {
		return nil
	}
	l := p.leases
	memory := p.cfg.Redis.URL == ""
	name := leaseSinkMemory
	if !memory {
		name = leaseSinkRedis + l.Owner()
	}
	ns := p.cfg.NATS.WithDefaults().Namespace
	if memory {
		others, err := l.Held(ctx, "sink/")
		if err != nil {
			return err
		}
		ok, err := l.Acquire(ctx, name)
		if err != nil {
			return err
		}
		if !ok || len(others) > 0 {
			if ok {
				_ = l.Release(ctx, name)
			}
			held := leaseSinkMemory
			if len(others) > 0 {
				held = strings.Join(others, ", ")
			}
			return fmt.Errorf("%w: another sink runs on NATS namespace %q (lease %s); a sink on in-memory state "+
				"must be the only one, since sinks share the findings and alert dedupe lives in the state store: "+
				"set redis.url on every sink to run several", errSinkMode, ns, held)
		}
	} else {
		if h, ok, err := l.Holder(ctx, leaseSinkMemory); err != nil {
			return err
		} else if ok {
			return fmt.Errorf("%w: a sink on in-memory state (%s) runs on NATS namespace %q; "+
				"stop it, or give it redis.url, before starting sinks on Redis", errSinkMode, h, ns)
		}
		if _, err := l.Acquire(ctx, name); err != nil {
			return err
		}
	}
	_, stop := l.Hold(context.WithoutCancel(ctx), name)
	p.sinkLease = stop
	return nil
}
