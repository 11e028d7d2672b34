package poller

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// gcloudProject returns the project of gcloud's active configuration (the
// [core] project property, as `gcloud config set project` writes it), or
// "" when gcloud has none. It reads gcloud's files as gcloud does, without
// running it: CLOUDSDK_CORE_PROJECT, else the configuration named by
// CLOUDSDK_ACTIVE_CONFIG_NAME or the file active_config ("default" when
// neither), under CLOUDSDK_CONFIG or gcloud's usual directory.
func gcloudProject() (string, error) {
	if p := strings.TrimSpace(os.Getenv("CLOUDSDK_CORE_PROJECT")); p != "" {
		return p, nil
	}
	dir, err := gcloudConfigDir()
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(os.Getenv("CLOUDSDK_ACTIVE_CONFIG_NAME"))
	if name == "" {
		b, err := os.ReadFile(filepath.Join(dir, "active_config"))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return "", fmt.Errorf("read gcloud's active configuration: %w", err)
		default:
			name = strings.TrimSpace(string(b))
		}
	}
	if name == "" {
		name = "default"
	}
	if strings.ContainsAny(name, `/\`) {
		return "", fmt.Errorf("gcloud configuration %q is not a configuration name", name)
	}
	f, err := os.Open(filepath.Join(dir, "configurations", "config_"+name))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read gcloud configuration %s: %w", name, err)
	}
	defer f.Close()
	p, err := iniValue(f, "core", "project")
	if err != nil {
		return "", fmt.Errorf("read gcloud configuration %s: %w", name, err)
	}
	return p, nil
}

// gcloudConfigDir returns where gcloud keeps its configurations.
func gcloudConfigDir() (string, error) {
	if dir := os.Getenv("CLOUDSDK_CONFIG"); dir != "" {
		return dir, nil
	}
	if runtime.GOOS == "windows" {
		return filepath.Join(os.Getenv("APPDATA"), "gcloud"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find gcloud's configuration: %w", err)
	}
	return filepath.Join(home, ".config", "gcloud"), nil
}

// iniValue returns the value of key in section of an INI file (Python's
// configparser, which gcloud writes: "key = value" or "key: value", "#" and
// ";" comment lines), "" when it is not there.
func iniValue(f *os.File, section, key string) (string, error) {
	in := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
			continue
		case line[0] == '[' && strings.HasSuffix(line, "]"):
			in = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		if in != section {
			continue
		}
		i := strings.IndexAny(line, "=:")
		if i < 0 {
			continue
		}
		if strings.TrimSpace(line[:i]) == key {
			return strings.TrimSpace(line[i+1:]), nil
		}
	}
	return "", sc.Err()
}
