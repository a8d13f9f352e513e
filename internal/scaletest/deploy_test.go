package scaletest

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/handlewatch/handlewatch/internal/config"
)

const deployDir = "../../deploy"

// stageCommands are the commands a deployment runs as long-lived stages.
var stageCommands = []string{"run", "crawl", "detect", "sink"}

// checkCommand checks that args is a handlewatch command line the binary
// accepts: a known command, and every flag one its --help lists; it
// returns the --config value.
func checkCommand(t *testing.T, where string, args []string) string {
	t.Helper()
	if len(args) == 0 || !slices.Contains(stageCommands, args[0]) {
		t.Errorf("%s: command %q is not one of %v", where, args, stageCommands)
		return ""
	}
	var help bytes.Buffer
	cmd := exec.Command(binary, args[0], "--help")
	cmd.Stdout, cmd.Stderr = &help, &help
	_ = cmd.Run()
	cfg := ""
	for i, a := range args[1:] {
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.Contains(help.String(), "  -"+name+" ") && !strings.Contains(help.String(), "  -"+name+"\n") {
			t.Errorf("%s: flag %s is not a flag of handlewatch %s:\n%s", where, a, args[0], help.String())
		}
		if name == "config" && i+2 < len(args) {
			cfg = args[i+2]
		}
	}
	if cfg == "" {
		t.Errorf("%s: %q names no --config", where, args)
	}
	return cfg
}

type composeFile struct {
	Services map[string]struct {
		Image       string   `yaml:"image"`
		Command     []string `yaml:"command"`
		Volumes     []string `yaml:"volumes"`
		Environment map[string]string
		Deploy      struct {
			Replicas int `yaml:"replicas"`
		} `yaml:"deploy"`
	} `yaml:"services"`
}

// TestComposeFile parses deploy/compose.yaml (there is no docker here)
// and checks it against the CLI and the files it mounts: every stage runs
// a real command with real flags on a config that is mounted, exists and
// loads; two of each stage; three NATS nodes whose configs nats-server
// accepts.
func TestComposeFile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(deployDir, "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(data, &cf); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	stages := map[string]int{}
	natsNodes := 0
	for name, svc := range cf.Services {
		switch {
		case strings.HasPrefix(svc.Image, "handlewatch"):
			cfgPath := checkCommand(t, "compose service "+name, svc.Command)
			stages[svc.Command[0]] += max(svc.Deploy.Replicas, 1)
			mounted := false
			for _, v := range svc.Volumes {
				parts := strings.Split(v, ":")
				if len(parts) < 2 {
					continue
				}
				if _, err := os.Stat(filepath.Join(deployDir, parts[0])); err != nil {
					t.Errorf("compose service %s mounts %s, which does not exist: %v", name, parts[0], err)
				}
				if parts[1] == cfgPath {
					mounted = true
					loadDeployConfig(t, filepath.Join(deployDir, parts[0]))
				}
			}
			if !mounted {
				t.Errorf("compose service %s: its config %s is not mounted", name, cfgPath)
			}
		case strings.HasPrefix(svc.Image, "nats"):
			natsNodes++
			for _, v := range svc.Volumes {
				if src, _, ok := strings.Cut(v, ":"); ok && strings.HasSuffix(src, ".conf") {
					checkNATSConfig(t, filepath.Join(deployDir, src))
				}
			}
		}
	}
	for _, s := range []string{"crawl", "detect", "sink"} {
		if stages[s] < 2 {
			t.Errorf("compose runs %d %s processes, want at least 2", stages[s], s)
		}
	}
	if natsNodes != 3 {
		t.Errorf("compose runs %d NATS nodes, want 3", natsNodes)
	}
}

// loadDeployConfig loads a deployment's handlewatch config as the binary
// would, and checks it asks for three replicas.
func loadDeployConfig(t *testing.T, path string) {
	t.Helper()
	cfg, err := config.Load(path)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	if cfg.NATS.Replicas != 3 || cfg.Redis.URL == "" || cfg.NATS.URL == "" {
		t.Errorf("%s: nats.replicas %d, nats.url %q, redis.url %q; want 3 replicas on a cluster with Redis",
			path, cfg.NATS.Replicas, cfg.NATS.URL, cfg.Redis.URL)
	}
}

func checkNATSConfig(t *testing.T, path string) {
	t.Helper()
	out, err := exec.Command(findBinary(t, "nats-server"), "-t", "-c", path).CombinedOutput()
	if err != nil {
		t.Errorf("nats-server -t -c %s: %v: %s", path, err, out)
	}
	data, _ := os.ReadFile(path)
	for _, want := range []string{"jetstream", "cluster", "routes"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("%s has no %s block", path, want)
		}
	}
}

// TestKubernetesManifest checks every handlewatch container of the
// manifest against the CLI, two replicas of each stage, and a three-node
// NATS StatefulSet.
func TestKubernetesManifest(t *testing.T) {
	f, err := os.Open(filepath.Join(deployDir, "kubernetes", "handlewatch.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := yaml.NewDecoder(f)
	stages := map[string]int{}
	natsReplicas := 0
	for {
		var doc struct {
			Kind     string `yaml:"kind"`
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
			Spec struct {
				Replicas int `yaml:"replicas"`
				Template struct {
					Spec struct {
						Containers []struct {
							Image string   `yaml:"image"`
							Args  []string `yaml:"args"`
						} `yaml:"containers"`
					} `yaml:"spec"`
				} `yaml:"template"`
			} `yaml:"spec"`
		}
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("manifest: %v", err)
		}
		for _, c := range doc.Spec.Template.Spec.Containers {
			switch {
			case strings.HasPrefix(c.Image, "handlewatch"):
				checkCommand(t, doc.Kind+" "+doc.Metadata.Name, c.Args)
				stages[c.Args[0]] += doc.Spec.Replicas
			case strings.HasPrefix(c.Image, "nats") && doc.Kind == "StatefulSet":
				natsReplicas = doc.Spec.Replicas
			}
		}
	}
	for _, s := range []string{"crawl", "detect", "sink"} {
		if stages[s] < 2 {
			t.Errorf("manifest runs %d %s pods, want at least 2", stages[s], s)
		}
	}
	if natsReplicas != 3 {
		t.Errorf("NATS StatefulSet has %d replicas, want 3", natsReplicas)
	}
}

// TestSystemdUnit: the template unit runs a real command per instance.
func TestSystemdUnit(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(deployDir, "systemd", "handlewatch@.service"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "ExecStart="); ok {
			fields := strings.Fields(rest)
			for _, stage := range []string{"crawl", "detect", "sink"} {
				args := slices.Clone(fields[1:])
				args[slices.Index(args, "%i")] = stage
				checkCommand(t, "handlewatch@"+stage, args)
			}
			return
		}
	}
	t.Fatal("handlewatch@.service has no ExecStart")
}
