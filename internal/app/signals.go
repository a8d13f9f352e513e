package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/handlewatch/handlewatch/internal/bus"
	"github.com/handlewatch/handlewatch/internal/duration"
	"github.com/handlewatch/handlewatch/internal/secret"
	"github.com/handlewatch/handlewatch/internal/stix"
	"github.com/handlewatch/handlewatch/internal/version"
	"github.com/handlewatch/handlewatch/sink/signals"
)

// cmdSignals is `handlewatch signals export|import`.
func cmdSignals(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return &usageError{msg: "signals needs a subcommand: export or import"}
	}
	switch args[0] {
	case "export":
		return cmdSignalsExport(ctx, args[1:], stdout, stderr)
	case "import":
		return cmdSignalsImport(ctx, args[1:], stdout, stderr)
	}
	return &usageError{msg: fmt.Sprintf("signals: unknown subcommand %q (want export or import)", args[0])}
}

// cmdSignalsExport writes the confirmed cases as a STIX 2.1 bundle,
// rebuilt by replaying the streams (it changes nothing).
func cmdSignalsExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("signals export", stderr)
	var cf commonFlags
	cf.register(fs)
	since := fs.String("since", "24h", "only object versions from this `DURATION` ago (24h, 7d; 0: all)")
	out := fs.String("out", "", "write the bundle to `FILE` instead of stdout")
	partner := fs.String("partner", "", "export what partner `NAME` sees (its collections; text only if include_text)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return &usageError{msg: fmt.Sprintf("signals export takes no arguments, got %q", fs.Args())}
	}
	window, err := duration.Parse(*since)
	if err != nil || window < 0 {
		return &usageError{msg: fmt.Sprintf("signals export: --since %q is not a duration like 24h or 7d", *since)}
	}
	cfg, log, err := cf.load()
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck // stderr may not sync
	sc := cfg.Sink.Signals
	if sc.Organisation == "" {
		return &usageError{msg: "signals export: set sink.signals.organisation (it names who produced the objects)"}
	}
	var view signals.View
	if window > 0 {
		view.Since = time.Now().Add(-window)
	}
	var cols []*signals.CollectionConfig
	if *partner != "" {
		i := slices.IndexFunc(sc.Partners, func(p signals.PartnerConfig) bool { return p.Name == *partner })
		if i < 0 {
			return &usageError{msg: fmt.Sprintf("signals export: no partner %q in sink.signals.partners", *partner)}
		}
		view.IncludeText = sc.Partners[i].IncludeText
		for _, name := range sc.Partners[i].Collections {
			for j := range sc.Collections {
				if sc.Collections[j].Name == name {
					cols = append(cols, &sc.Collections[j])
				}
			}
		}
	}
	b, err := bus.Open(ctx, cfg.NATS, log.Named("bus"))
	if err != nil {
		return err
	}
	defer b.Close()
	store, skipped, err := signals.Rebuild(ctx, b.Replay, cfg.Sink.Cases.MaxSightings)
	if err != nil {
		return err
	}
	if skipped > 0 {
		log.Warn("signals export: malformed messages left out", zap.Int("count", skipped))
	}
	x := signals.NewExporter(sc, store)
	if cols == nil {
		cols = []*signals.CollectionConfig{nil}
	}
	// A partner with several collections gets their union in one bundle.
	var raws []any
	var ids []string
	seen := map[string]bool{}
	for _, c := range cols {
		v := view
		v.Collection = c
		objs, err := x.Objects(ctx, v)
		if err != nil {
			return err
		}
		for _, o := range objs {
			if !seen[o.ID] {
				seen[o.ID] = true
				ids = append(ids, o.ID)
				raws = append(raws, o.Raw)
			}
		}
	}
	// In id order, so that the same export is the same bundle.
	order := make([]int, len(raws))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return ids[order[a]] < ids[order[b]] })
	sorted := make([]any, len(raws))
	for i, j := range order {
		sorted[i] = raws[j]
	}
	bundle, err := stix.NewBundle(sorted)
	if err != nil {
		return err
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return fmt.Errorf("signals export: %w", err)
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(bundle); err != nil {
		return fmt.Errorf("signals export: writing the bundle: %w", err)
	}
	log.Info("signals export", zap.Int("objects", len(raws)))
	return nil
}

// cmdSignalsImport reads a partner's bundle from a file or URL and puts
// its indicators on hw.cases.> as shadow-only imports.
func cmdSignalsImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("signals import", stderr)
	var cf commonFlags
	cf.register(fs)
	partner := fs.String("partner", "", "the partner `NAME` the indicators come from (their provenance; required)")
	tokenEnv := fs.String("token-env", "", "environment `VARIABLE` holding a bearer token for a URL")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return &usageError{msg: "signals import needs one FILE or URL (- for stdin)"}
	}
	if !signals.ValidName(*partner) {
		return &usageError{msg: "signals import: --partner NAME is required (letters, digits, '-' and '_')"}
	}
	src := fs.Arg(0)
	cfg, log, err := cf.load()
	if err != nil {
		return err
	}
	defer log.Sync() //nolint:errcheck // stderr may not sync
	data, err := readBundleSource(ctx, src, *tokenEnv)
	if err != nil {
		return err
	}
	sc := cfg.Sink.Signals
	evs, rep, err := signals.ReadBundle(data, signals.ImportOptions{Partner: *partner, Now: time.Now(),
		MinConfidence: sc.ImportMinConfidence, ValidFor: sc.ImportValidFor.D()})
	if err != nil {
		return fmt.Errorf("signals import %s: %w", src, err)
	}
	b, err := bus.Open(ctx, cfg.NATS, log.Named("bus"))
	if err != nil {
		return err
	}
	defer b.Close()
	if err := signals.Publish(ctx, b, evs); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d objects; %d indicators imported from %s (%d of them revoked or expired), %d below the minimum confidence, %d of other types left alone\n",
		src, rep.Objects, rep.Indicators, *partner, rep.Revoked, rep.Skipped, rep.Other)
	if len(rep.Errors) > 0 {
		return fmt.Errorf("%d objects of %s left out, the rest is imported:\n%w", len(rep.Errors), src, rep.Err())
	}
	return nil
}

// maxBundle bounds a bundle read by `signals import`.
const maxBundle = 64 << 20

func readBundleSource(ctx context.Context, src, tokenEnv string) ([]byte, error) {
	var r io.Reader
	switch {
	case src == "-":
		r = os.Stdin
	case strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://"):
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return nil, &usageError{msg: fmt.Sprintf("signals import: %v", err)}
		}
		req.Header.Set("Accept", "application/stix+json;version=2.1, application/taxii+json;version=2.1, application/json")
		req.Header.Set("User-Agent", "handlewatch/"+version.String())
		if tokenEnv != "" {
			tok, err := secret.Lookup(tokenEnv)
			if err != nil {
				return nil, &usageError{msg: fmt.Sprintf("signals import: --token-env: %v", err)}
			}
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := (&http.Client{Timeout: time.Minute}).Do(req)
		if err != nil {
			return nil, fmt.Errorf("signals import: fetching %s: %w", src, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("signals import: fetching %s: HTTP %d", src, resp.StatusCode)
		}
		r = resp.Body
	default:
		f, err := os.Open(src)
		if err != nil {
			return nil, fmt.Errorf("signals import: %w", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBundle+1))
	if err != nil {
		return nil, fmt.Errorf("signals import: reading %s: %w", src, err)
	}
	if len(data) > maxBundle {
		return nil, fmt.Errorf("signals import: %s is larger than %d MiB", src, maxBundle>>20)
	}
	return data, nil
}
