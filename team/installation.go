package team

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// InstallationFileName is the file, in the app's storage beside its
// memory.json, that keeps the installation's ID.
const InstallationFileName = "team.json"

// installationFile is team.json.
type installationFile struct {
	// Installation names this installation's subscription
	// (SubscriptionID).
	Installation string `json:"installation"`
}

// ReadInstallation returns the installation ID kept in dir (the app's
// storage); "" when none was made yet.
func ReadInstallation(dir string) (string, error) {
	path := filepath.Join(dir, InstallationFileName)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the team installation ID: %w", err)
	}
	var f installationFile
	if err := json.Unmarshal(data, &f); err != nil {
		return "", fmt.Errorf("read the team installation ID: %s: %w", path, err)
	}
	return f.Installation, nil
}

// Installation returns the installation ID kept in dir, making and keeping
// one (NewInstallationID) the first time. Two processes that make one at
// once keep the first: the file is linked into place only if absent.
func Installation(dir string) (string, error) {
	if id, err := ReadInstallation(dir); err != nil || id != "" {
		return id, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("keep the team installation ID: %w", err)
	}
	data, err := json.Marshal(installationFile{Installation: NewInstallationID()})
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, InstallationFileName+".*")
	if err != nil {
		return "", fmt.Errorf("keep the team installation ID: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Link(tmp.Name(), filepath.Join(dir, InstallationFileName))
	}
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("keep the team installation ID: %w", err)
	}
	return ReadInstallation(dir)
}
