package bus

import "time"

// SetServerAckWait shortens the ack wait the server applies to the
// consumers b makes from now on, so a test can outlast it.
func (b *Bus) SetServerAckWait(d time.Duration) { b.ackWait = d }
