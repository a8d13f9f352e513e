#!/usr/bin/env bash
# Runs every fuzz target of the module, one `go test -fuzz` per target (go
# fuzzes one target per invocation), for FUZZTIME each (default 10s).
# Stops at the first failure and names the target; the crashing input is
# left under the package's testdata/fuzz/<Target>/ for `go test -run`.
# PKGS= limits the packages (default ./...).
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-10s}
PKGS=${PKGS:-./...}
# One fuzz worker each: the machine is shared and -parallel defaults to
# GOMAXPROCS, which buys little for a few seconds per target.
PARALLEL=${FUZZPARALLEL:-1}

start=$(date +%s)
n=0
for dir in $($GO list -f '{{.Dir}}' $PKGS); do
  # The targets are read from the test files: `go test -list` would build
  # and run every package's tests just to list them (a second a package).
  targets=$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*\*testing\.F).*/\1/p' "$dir"/*_test.go 2>/dev/null || true)
  [ -n "$targets" ] || continue
  pkg=.; [ "$dir" = "$PWD" ] || pkg=./${dir#"$PWD"/}
  for target in $targets; do
    n=$((n + 1))
    t0=$(date +%s)
    fuzz() { $GO test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" -parallel "$PARALLEL" "$pkg" 2>&1; }
    ok=true
    out=$(fuzz) || ok=false
    # go's fuzzer can end a short run with "context deadline exceeded" and
    # no failing input when the time runs out during a slow execution (seen
    # on a loaded machine): not a crash, so once more before failing.
    if ! $ok && grep -q 'context deadline exceeded' <<<"$out" && ! grep -q 'Failing input written' <<<"$out"; then
      echo "fuzz: $pkg $target ran out of time inside an execution; once more"
      ok=true
      out=$(fuzz) || ok=false
    fi
    if ! $ok; then
      echo "$out"
      echo "fuzz: FAIL $pkg $target (crash input under $dir/testdata/fuzz/$target/)" >&2
      exit 1
    fi
    echo "fuzz: ok   $pkg $target ($(( $(date +%s) - t0 ))s)"
  done
done
echo "fuzz: $n targets passed, ${FUZZTIME} each, $(( $(date +%s) - start ))s in all"
