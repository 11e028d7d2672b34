package poller

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// gcloudDir writes gcloud's files under a new CLOUDSDK_CONFIG: files maps a
// path under it to its content.
func gcloudDir(t *testing.T, files map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("CLOUDSDK_CONFIG", dir)
	t.Setenv("CLOUDSDK_CORE_PROJECT", "")
	t.Setenv("CLOUDSDK_ACTIVE_CONFIG_NAME", "")
}

func TestProjectReadFromGcloudsActiveConfiguration(t *testing.T) {
	cases := []struct {
		name  string
		files map[string]string
		env   map[string]string
		want  string
	}{
		{"default configuration", map[string]string{
			"configurations/config_default": "[core]\naccount = me@example.com\nproject = my-proj\n",
		}, nil, "my-proj"},
		{"the active one", map[string]string{
			"active_config":                 "work\n",
			"configurations/config_default": "[core]\nproject = home-proj\n",
			"configurations/config_work":    "[compute]\nregion = us-west3\n\n[core]\n# a comment\nproject: work-proj  \n",
		}, nil, "work-proj"},
		{"a project of another section is not the project", map[string]string{
			"configurations/config_default": "[billing]\nproject = billed\n[core]\naccount = me@example.com\n",
		}, nil, ""},
		{"no gcloud at all", nil, nil, ""},
		{"named by the environment", map[string]string{
			"active_config":               "work",
			"configurations/config_work":  "[core]\nproject = work-proj\n",
			"configurations/config_other": "[core]\nproject = other-proj\n",
		}, map[string]string{"CLOUDSDK_ACTIVE_CONFIG_NAME": "other"}, "other-proj"},
		{"the property in the environment", map[string]string{
			"configurations/config_default": "[core]\nproject = my-proj\n",
		}, map[string]string{"CLOUDSDK_CORE_PROJECT": "env-proj"}, "env-proj"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			gcloudDir(t, c.files)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			got, err := gcloudProject()
			if err != nil || got != c.want {
				t.Fatalf("%q, %v; want %q", got, err, c.want)
			}
		})
	}
}

// A person who ran `gcloud auth application-default login` and `gcloud
// config set project` has credentials without a project: runwatch watches
// gcloud's project (issue 14).
func TestFindProjectFallsBackToGcloudsProject(t *testing.T) {
	creds := filepath.Join(t.TempDir(), "adc.json")
	if err := os.WriteFile(creds, []byte(`{"type":"authorized_user","client_id":"x","client_secret":"y","refresh_token":"z"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", creds)
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	gcloudDir(t, map[string]string{"configurations/config_default": "[core]\nproject = my-proj\n"})
	ctx := context.Background()
	if got, err := FindProject(ctx, ""); err != nil || got != "my-proj" {
		t.Fatalf("%q, %v; want gcloud's my-proj", got, err)
	}
	if got, err := FindProject(ctx, "flag-proj"); err != nil || got != "flag-proj" {
		t.Fatalf("%q, %v; want the flag's", got, err)
	}
	gcloudDir(t, nil)
	if _, err := FindProject(ctx, ""); err == nil {
		t.Fatal("a project found where none is set")
	}
}
