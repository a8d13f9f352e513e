// Package deps pins the modules the first wave uses until their importers land; delete it once go mod tidy keeps them.
package deps

import (
	_ "github.com/coder/websocket"
	_ "github.com/coregx/ahocorasick"
	_ "github.com/emersion/go-smtp"
	_ "github.com/goccy/go-json"
	_ "github.com/gocolly/colly/v2"
	_ "github.com/klauspost/compress/zstd"
	_ "github.com/mmcdole/gofeed"
	_ "github.com/nats-io/nats-server/v2/server"
	_ "github.com/nats-io/nats.go/jetstream"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/redis/go-redis/v9"
	_ "go.mau.fi/util/confusable"
	_ "go.uber.org/zap"
	_ "golang.org/x/text/unicode/norm"
	_ "gopkg.in/yaml.v3"
)

import (
	_ "github.com/PuerkitoBio/goquery"
	_ "github.com/emersion/go-sasl"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "go.uber.org/zap/zaptest"
	_ "golang.org/x/term"
	_ "golang.org/x/text/cases"
	_ "golang.org/x/text/runes"
)
