package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set with -ldflags "-X github.com/handlewatch/handlewatch/internal/version.Version=…".
var (
	Version = "dev"
	Commit  = ""
	Date    = ""
)

// String is the one line `handlewatch version` prints.
func String() string {
	commit, date := Commit, Date
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch {
			case s.Key == "vcs.revision" && commit == "":
				commit = s.Value
			case s.Key == "vcs.time" && date == "":
				date = s.Value
			}
		}
	}
	if len(commit) > 12 {
		commit = commit[:12]
	}
	if commit == "" {
		commit = "unknown"
	}
	s := fmt.Sprintf("handlewatch %s (commit %s", Version, commit)
	if date != "" {
		s += ", built " + date
	}
	return s + ", " + runtime.Version() + ")"
}
