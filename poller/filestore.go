package poller

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// FileStore reads and writes the preferences file of a Fyne app without
// starting it, for headless commands. It keeps every other key as it is.
// Unlike Fyne, which rewrites the file in place, it writes a temporary file
// and renames it, so a crash never leaves half a file.
type FileStore struct {
	path   string
	mu     sync.Mutex
	values map[string]any
}

// PreferencesPath is where Fyne keeps the preferences of the app with this ID.
func PreferencesPath(appID string) (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("find the preferences of %s: %w", appID, err)
	}
	return filepath.Join(dir, "fyne", appID, "preferences.json"), nil
}

// OpenFileStore reads the preferences at path. A missing file is an empty
// store. An empty or corrupt one is too, with an error to warn about; the
// corrupt bytes are kept beside it in path+".corrupt".
func OpenFileStore(path string) (*FileStore, error) {
	s := &FileStore{path: path, values: map[string]any{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read preferences %s: %w", path, err)
	}
	if len(data) == 0 {
		return s, fmt.Errorf("preferences %s are empty, starting afresh", path)
	}
	if err := json.Unmarshal(data, &s.values); err != nil {
		s.values = map[string]any{}
		keep := path + ".corrupt"
		_ = os.WriteFile(keep, data, 0o600)
		return s, fmt.Errorf("preferences %s are corrupt (kept as %s), starting afresh: %w", path, keep, err)
	}
	return s, nil
}

// String returns the string at key, or "".
func (s *FileStore) String(key string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, _ := s.values[key].(string)
	return v
}

// SetString sets key in memory; Flush writes it.
func (s *FileStore) SetString(key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values[key] = value
}

// Flush writes the preferences atomically.
func (s *FileStore) Flush() error {
	s.mu.Lock()
	data, err := json.Marshal(s.values)
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("encode preferences: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("write preferences: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".preferences-*.json")
	if err != nil {
		return fmt.Errorf("write preferences: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write preferences %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write preferences %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("write preferences %s: %w", s.path, err)
	}
	return nil
}
