package main

import (
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"runwatch/desktopentry"
)

// TestMakeInstallAndUninstall stages `make install` in a temporary DESTDIR
// with the default PREFIX (~/.local): the binary, a launcher that
// desktop-file-validate accepts and the 256×256 icon, all named by
// FyneApp.toml's ID; `make uninstall` takes them away.
func TestMakeInstallAndUninstall(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		t.Fatal(err)
	}
	destdir := t.TempDir()
	root := filepath.Join(destdir, home, ".local")
	files := map[string]string{
		"binary":   filepath.Join(root, "bin", "runwatch"),
		"launcher": filepath.Join(root, "share", "applications", "io.runwatch.app.desktop"),
		"icon":     filepath.Join(root, "share", "icons", "hicolor", "256x256", "apps", "io.runwatch.app.png"),
	}
	// -o deps: `make test` has installed the Debian packages; a test
	// never runs apt-get.
	runMake(t, "-o", "deps", "install", "DESTDIR="+destdir)
	for what, path := range files {
		if _, err := os.Stat(path); err != nil {
			t.Errorf("no %s: %v", what, err)
		}
	}
	if fi, err := os.Stat(files["binary"]); err == nil && fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("binary mode %v, not executable", fi.Mode())
	}
	if err := desktopentry.Validate(files["launcher"]); err != nil {
		t.Error(err)
	}
	if f, err := os.Open(files["icon"]); err == nil {
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != 256 || cfg.Height != 256 {
			t.Errorf("icon %dx%d, err %v; want a 256x256 PNG", cfg.Width, cfg.Height, err)
		}
	}

	runMake(t, "uninstall", "DESTDIR="+destdir)
	for what, path := range files {
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("%s still there after uninstall (%v)", what, err)
		}
	}
}

func runMake(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("make", args...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %v: %v\n%s", args, err, out)
	}
}
