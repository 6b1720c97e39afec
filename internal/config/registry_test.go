package config

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadRegistry checks where the registry setting points, from the
// file and from BATCHCTL_REGISTRY, which wins.
func TestLoadRegistry(t *testing.T) {
	home := t.TempDir()
	tests := []struct {
		name, file, env, want string
	}{
		{"default", "", "", filepath.Join(home, "batchctl.db")},
		{"relative path", "registry: team/reg.db\n", "", filepath.Join(home, "team/reg.db")},
		{"absolute path", "registry: /srv/batchctl/reg.db\n", "", "/srv/batchctl/reg.db"},
		{"postgres", "registry: postgres://alice@db.example/batchctl\n", "", "postgres://alice@db.example/batchctl"},
		{"environment wins", "registry: /srv/reg.db\n", "postgresql://db.example/batchctl?sslmode=require", "postgresql://db.example/batchctl?sslmode=require"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			writeConfig(t, home, tt.file)
			cfg, err := Load(env(map[string]string{"BATCHCTL_HOME": home, "BATCHCTL_REGISTRY": tt.env}))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Registry != tt.want {
				t.Errorf("registry = %q, want %q", cfg.Registry, tt.want)
			}
		})
	}
}

func TestLoadRegistryErrors(t *testing.T) {
	home := t.TempDir()
	writeConfig(t, home, "")
	_, err := Load(env(map[string]string{"BATCHCTL_HOME": home, "BATCHCTL_REGISTRY": "mysql://root:pw@db/batchctl"}))
	if want := `unsupported registry "mysql://...": want a path (SQLite) or a postgres:// URL`; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
	_, err = Load(env(map[string]string{"BATCHCTL_HOME": home, "BATCHCTL_REGISTRY": "postgres://alice:s3cret@db:port/x"}))
	if err == nil || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "alice:xxxxx@db:port") {
		t.Errorf("err = %v, want the URL refused without its password", err)
	}
}
