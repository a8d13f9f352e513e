// Package ops owns the operational endpoints every process serves:
// /healthz (the process is alive), /readyz (every dependency answers) and
// /metrics (Prometheus, from the process's one registry).
package ops
