//go:build race

package gen

const raceSlowdown = 8
