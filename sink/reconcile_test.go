package sink

import (
	"fmt"
	"testing"
	"time"

	"github.com/handlewatch/handlewatch/internal/bus/bustest"
	"github.com/handlewatch/handlewatch/internal/wire"
)

// TestReconcileSendsAlertsNeverRecorded: cases whose findings were acked
// without their alerts going out (here: by a sink with no notifier, as
// after a crash between ack and delivery) are alerted once by the next
// sink's reconcile pass, within the catch-up window only.
func TestReconcileSendsAlertsNeverRecorded(t *testing.T) {
	b := bustest.External(t)
	rcv := startReceivers(t)
	full := hookOnly(rcv.config(t))
	quiet := full
	quiet.Webhooks = nil
	st1, prefix := redisStore(t, "")
	s1 := startSink(t, quiet, b, st1)
	for i := range 5 {
		publish(t, b, finding(i, "wickr", fmt.Sprintf("placeholder_%02d", i), "forum-a", wire.SeverityMedium, wire.ModeAlert))
	}
	old := finding(9, "wickr", "placeholder_old", "forum-a", wire.SeverityMedium, wire.ModeAlert)
	old.DetectedAt = time.Now().Add(-48 * time.Hour)
	publish(t, b, old)
	waitFor(t, "6 sightings", 10*time.Second, func() bool { return s1.sightings(t) == 6 })
	s1.stop()

	st2, _ := redisStore(t, prefix)
	s2 := startSink(t, full, b, st2)
	waitFor(t, "5 alerts", 10*time.Second, func() bool { return rcv.hook.Count() == 5 })
	time.Sleep(300 * time.Millisecond)
	s2.stop()
	if rcv.hook.Count() != 5 {
		t.Fatalf("%d deliveries, want 5 (the 48-hour-old case is outside the catch-up window)", rcv.hook.Count())
	}
	for _, d := range rcv.hook.Deliveries() {
		if d.Payload.Alerts[0].Handle == "placeholder_old" {
			t.Fatal("the case outside the catch-up window was alerted")
		}
	}
	st3, _ := redisStore(t, prefix)
	s3 := startSink(t, full, b, st3)
	time.Sleep(300 * time.Millisecond) // its reconcile pass runs at start
	s3.stop()
	if rcv.hook.Count() != 5 {
		t.Fatalf("%d deliveries after another restart", rcv.hook.Count())
	}
}
