// Package dumptest owns the hostile dump files of the tests of scan and
// the file crawler: decompression bombs, zstd frames that claim huge
// windows and lines far over a cap, all generated (nothing big is
// committed), and the sampler that measures what reading them cost.
package dumptest
