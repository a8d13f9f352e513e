package logging

import (
	"fmt"
	"strings"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Config is the `log:` section of the config file.
type Config struct {
	Format string `yaml:"format"` // json (default) or console
	Level  string `yaml:"level"`  // debug, info (default), warn, error
}

// WithDefaults fills the zero fields.
func (c Config) WithDefaults() Config {
	if c.Format == "" {
		c.Format = "json"
	}
	if c.Level == "" {
		c.Level = "info"
	}
	return c
}

// Validate reports the first bad setting, by its key.
func (c Config) Validate() error {
	switch c.Format {
	case "json", "console":
	default:
		return fmt.Errorf("log.format: %q is not json or console", c.Format)
	}
	if _, err := zapcore.ParseLevel(c.Level); err != nil {
		return fmt.Errorf("log.level: %q is not debug, info, warn or error", c.Level)
	}
	return nil
}

// New builds the logger for c.
func New(c Config) (*zap.Logger, error) {
	c = c.WithDefaults()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	level, _ := zapcore.ParseLevel(c.Level)
	var zc zap.Config
	if strings.EqualFold(c.Format, "console") {
		zc = zap.NewDevelopmentConfig()
		zc.EncoderConfig.EncodeLevel = zapcore.CapitalColorLevelEncoder
		zc.EncoderConfig.EncodeTime = zapcore.TimeEncoderOfLayout("15:04:05.000")
		zc.DisableStacktrace = true
	} else {
		zc = zap.NewProductionConfig()
		zc.EncoderConfig.TimeKey = "time"
		zc.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
		zc.Sampling = nil // one summary line per item: never drop them
	}
	zc.Level = zap.NewAtomicLevelAt(level)
	zc.OutputPaths = []string{"stderr"}
	zc.ErrorOutputPaths = []string{"stderr"}
	log, err := zc.Build()
	if err != nil {
		return nil, fmt.Errorf("building logger: %w", err)
	}
	return log, nil
}
