package bus

import (
	"fmt"

	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/zap"
)

// zapLogger sends the embedded server's log through our logger. Its
// notices (a twenty-line start-up banner, mostly) go to debug: our own
// start-up line says what matters; warnings and errors stay visible.
type zapLogger struct{ log *zap.Logger }

var _ server.Logger = zapLogger{}

func (l zapLogger) Noticef(format string, v ...any) { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l zapLogger) Warnf(format string, v ...any)   { l.log.Warn(fmt.Sprintf(format, v...)) }
func (l zapLogger) Fatalf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l zapLogger) Errorf(format string, v ...any)  { l.log.Error(fmt.Sprintf(format, v...)) }
func (l zapLogger) Debugf(format string, v ...any)  { l.log.Debug(fmt.Sprintf(format, v...)) }
func (l zapLogger) Tracef(format string, v ...any)  {}
