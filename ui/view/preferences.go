package view

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"runwatch/poller"
)

// preferencesFile is where Fyne keeps an app's preferences, in its storage
// directory: one JSON object of key → value.
const preferencesFile = "preferences.json"

// PreferencesFile is Fyne's preferences.json read without starting a Fyne
// app, for the tray process (which never starts Fyne's driver).
type PreferencesFile map[string]any

// ReadPreferencesFile reads the preferences in dir (the app's storage
// directory); a missing file is empty preferences. When they lost the
// settings, the backup beside them (settings.json) stands in.
func ReadPreferencesFile(dir string) (PreferencesFile, error) {
	p := PreferencesFile{}
	data, err := os.ReadFile(filepath.Join(dir, preferencesFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return p, err
	case len(data) > 0:
		if err := json.Unmarshal(data, &p); err != nil {
			p = PreferencesFile{}
			err = fmt.Errorf("%s: %w", preferencesFile, err)
			p.restore(dir)
			return p, err
		}
	}
	p.restore(dir)
	return p, nil
}

// restore fills in the backed-up settings when the preferences lost them.
func (p PreferencesFile) restore(dir string) { RestoreSettings(p, dir) }

// SaveNotifications turns notifications on or off in the preferences in
// dir and in their backup, as the tray process does for "Pause
// notifications"; a Fyne app with them open reloads the file.
func SaveNotifications(dir string, on bool) error {
	p, _ := ReadPreferencesFile(dir) // a corrupt file is replaced
	p.SetBool(keyNotifications, on)
	data, err := json.Marshal(map[string]any(p))
	if err != nil {
		return err
	}
	if err := poller.WriteAtomically(filepath.Join(dir, preferencesFile), data); err != nil {
		return fmt.Errorf("save preferences: %w", err)
	}
	return backUpSettings(LoadSettings(p), dir)
}

// String is the string at key, or "".
func (p PreferencesFile) String(key string) string { return p.StringWithFallback(key, "") }

// StringWithFallback is the string at key, or fallback.
func (p PreferencesFile) StringWithFallback(key, fallback string) string {
	if v, ok := p[key].(string); ok {
		return v
	}
	return fallback
}

// IntWithFallback is the number at key (JSON numbers are float64), or fallback.
func (p PreferencesFile) IntWithFallback(key string, fallback int) int {
	switch v := p[key].(type) {
	case float64:
		return int(v)
	case int:
		return v
	}
	return fallback
}

// BoolWithFallback is the boolean at key, or fallback.
func (p PreferencesFile) BoolWithFallback(key string, fallback bool) bool {
	if v, ok := p[key].(bool); ok {
		return v
	}
	return fallback
}

// SetString, SetInt and SetBool let Settings.Save write into the map.
func (p PreferencesFile) SetString(key, v string) { p[key] = v }

// SetInt sets a number.
func (p PreferencesFile) SetInt(key string, v int) { p[key] = float64(v) }

// SetBool sets a boolean.
func (p PreferencesFile) SetBool(key string, v bool) { p[key] = v }
