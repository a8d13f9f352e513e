// Package duration owns the one duration type of the config file that also
// reads days ("30d", "365d", "1d12h"): retention windows and takedown
// schedules are counted in days, and Go's time.ParseDuration stops at hours.
package duration
