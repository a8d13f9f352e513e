package detector

import (
	"bytes"
	"fmt"

	"github.com/handlewatch/handlewatch/configs"
	"github.com/handlewatch/handlewatch/detector/model"
)

// NoModel, as a model path, runs the rules' gate alone.
const NoModel = "none"

// Load builds the engine from a rule file and a model file; an empty path
// takes the one built into the binary, and the model path NoModel runs
// the rules alone.
func Load(rulesPath, modelPath string) (*Engine, error) {
	var rs *RuleSet
	var err error
	if rulesPath == "" {
		rs, err = ParseRules(configs.RulesName, configs.Rules)
	} else {
		rs, err = LoadRules(rulesPath)
	}
	if err != nil {
		return nil, err
	}
	e, err := NewEngine(rs)
	if err != nil {
		return nil, err
	}
	m, err := LoadModel(modelPath)
	if err != nil || m == nil {
		return e, err
	}
	return e.WithModel(m), nil
}

// LoadModel reads a model file, the built-in one for "", none for NoModel.
func LoadModel(path string) (*model.Model, error) {
	switch path {
	case NoModel:
		return nil, nil
	case "":
		m, err := model.Read(bytes.NewReader(configs.Model))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", configs.ModelName, err)
		}
		return m, nil
	}
	return model.ReadFile(path)
}
