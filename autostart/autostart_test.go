package autostart

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"runwatch/desktopentry"
)

func configHome(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	return dir
}

func TestEnableWritesAValidEntryThatDisableRemoves(t *testing.T) {
	dir := configHome(t)
	path := filepath.Join(dir, "autostart", "io.runwatch.app.desktop")
	if Enabled() {
		t.Fatal("enabled before Enable")
	}
	for _, exe := range []string{"/usr/local/bin/runwatch", "/home/a user/100% sure/runwatch"} {
		if err := Enable(exe); err != nil {
			t.Fatal(err)
		}
		if !Enabled() {
			t.Fatalf("not enabled after Enable(%q)", exe)
		}
		if err := desktopentry.Validate(path); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		for _, want := range []string{"\nX-GNOME-Autostart-enabled=true\n", "\nName=runwatch\n", "\nExec="} {
			if !strings.Contains(string(b), want) {
				t.Errorf("no %q in\n%s", want, b)
			}
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("%d files in autostart/, want only the entry", len(entries))
	}
	for range 2 { // the second time there is nothing to remove
		if err := Disable(); err != nil {
			t.Fatal(err)
		}
		if Enabled() {
			t.Fatal("enabled after Disable")
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Fatalf("entry still there: %v", err)
		}
	}
}

func TestEntrySwitchedOffBySessionIsNotEnabled(t *testing.T) {
	dir := configHome(t)
	if err := Enable("/usr/bin/runwatch"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "autostart", "io.runwatch.app.desktop")
	b, _ := os.ReadFile(path)
	for _, off := range []struct{ from, to string }{
		{"X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false"},
		{"X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=true\nHidden=true"},
	} {
		if err := os.WriteFile(path, []byte(strings.Replace(string(b), off.from, off.to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		if Enabled() {
			t.Errorf("enabled with %s", off.to)
		}
	}
	if err := Enable("/usr/bin/runwatch"); err != nil || !Enabled() {
		t.Errorf("Enable did not switch it back on: %v", err)
	}
}

func TestRelativeConfigHomeFallsBackToDotConfig(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "relative/dir")
	path, err := Path()
	if want := filepath.Join(home, ".config", "autostart", "io.runwatch.app.desktop"); err != nil || path != want {
		t.Errorf("Path() = %q, %v; want %q", path, err, want)
	}
}

func TestEnableRefusesARelativePath(t *testing.T) {
	configHome(t)
	if err := Enable("runwatch"); err == nil {
		t.Error("no error")
	}
	if Enabled() {
		t.Error("enabled")
	}
}

func TestNamesMatchFyneApp(t *testing.T) {
	app, err := desktopentry.LoadFyneApp(filepath.Join("..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if app.Details.ID != appID || app.Details.Name != name || app.LinuxAndBSD.Comment != comment {
		t.Errorf("FyneApp.toml says %q %q %q; autostart uses %q %q %q",
			app.Details.ID, app.Details.Name, app.LinuxAndBSD.Comment, appID, name, comment)
	}
}

// Issue 14: the entry dropped the flags, so a --project X user got another
// app at the next login, and --demo would have started the real one. The
// flags are in the Exec line, quoted as the specification says.
func TestEnableKeepsTheFlagsQuoted(t *testing.T) {
	dir := configHome(t)
	path := filepath.Join(dir, "autostart", "io.runwatch.app.desktop")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{args: []string{"--demo"}, want: "\nExec=/usr/bin/runwatch --demo\n"},
		{args: []string{"--project", "my-proj", "--regions", "us-east1,europe-west4", "--interval", "1m0s"},
			want: "\nExec=/usr/bin/runwatch --project my-proj --regions us-east1,europe-west4 --interval 1m0s\n"},
		{args: []string{"--job", "night $job 100%"}, want: "\nExec=/usr/bin/runwatch --job \"night \\\\$job 100%%\"\n"},
	} {
		if err := Enable("/usr/bin/runwatch", tc.args...); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if !strings.Contains(string(b), tc.want) {
			t.Errorf("%q: no %q in\n%s", tc.args, tc.want, b)
		}
		if err := desktopentry.Validate(path); err != nil {
			t.Errorf("%q: %v", tc.args, err)
		}
	}
}
