// Package autostart starts runwatch at login the freedesktop.org way
// (https://specifications.freedesktop.org/autostart-spec/latest/): a desktop
// entry in $XDG_CONFIG_HOME/autostart, ~/.config/autostart when that is
// unset. Settings' "Start at login" calls Enable with the running binary's
// path and the app's flags, and Disable; Enabled says what to show.
package autostart

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"runwatch/desktopentry"
)

// The entry's file is named by the app ID, as its launcher is; Name and
// Comment are what session managers list. They match FyneApp.toml (a test
// holds them to it).
const (
	appID   = "io.runwatch.app"
	name    = "runwatch"
	comment = "Watch Google Cloud Run job executions from the tray and see why a failed one failed"
)

// Path is where the entry lives: $XDG_CONFIG_HOME/autostart/io.runwatch.app.desktop,
// with ~/.config for an unset or relative XDG_CONFIG_HOME, as the base
// directory specification says.
func Path() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("start at login: no configuration directory: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", appID+".desktop"), nil
}

// Enabled reports whether runwatch starts at login: the entry exists and
// is not switched off (Hidden=true, or X-GNOME-Autostart-enabled=false as
// GNOME's Startup Applications writes).
func Enabled() bool {
	path, err := Path()
	if err != nil {
		return false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	group := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			group = line
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || group != "[Desktop Entry]" {
			continue
		}
		switch strings.TrimSpace(key) {
		case "Hidden":
			if strings.TrimSpace(value) == "true" {
				return false
			}
		case "X-GNOME-Autostart-enabled":
			if strings.TrimSpace(value) == "false" {
				return false
			}
		}
	}
	return true
}

// Enable writes the entry that starts execPath (absolute) at login with
// args (the flags that name what to watch, so the app started at login is
// the one that was running), replacing any earlier one atomically. The Exec
// line is quoted as the Desktop Entry specification says.
func Enable(execPath string, args ...string) error {
	if !filepath.IsAbs(execPath) {
		return fmt.Errorf("start at login: %q is not an absolute path", execPath)
	}
	path, err := Path()
	if err != nil {
		return err
	}
	b, err := desktopentry.Entry{
		Name:    name,
		Comment: comment,
		Exec:    append([]string{execPath}, args...),
		Icon:    appID,
		Extra:   []desktopentry.Field{{Key: "X-GNOME-Autostart-enabled", Value: "true"}},
	}.Marshal()
	if err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	if err := desktopentry.WriteFile(path, b); err != nil {
		return fmt.Errorf("start at login: %w", err)
	}
	return nil
}

// Disable removes the entry; without one it does nothing.
func Disable() error {
	path, err := Path()
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("start at login: %w", err)
	}
	return nil
}
