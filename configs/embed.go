// Package configs holds the default rule file and the trained model, built
// into the binary so that scan and eval work from any directory; --rules
// and --model (detector.rules, detector.model in the config) override them.
package configs

import _ "embed"

// Rules is configs/rules.yaml as built.
//
//go:embed rules.yaml
var Rules []byte

// Model is configs/model.json.gz as built: the scorer `handlewatch train`
// wrote.
//
//go:embed model.json.gz
var Model []byte

// RulesName and ModelName name the embedded files in messages.
const (
	RulesName = "configs/rules.yaml (built in)"
	ModelName = "configs/model.json.gz (built in)"
)
