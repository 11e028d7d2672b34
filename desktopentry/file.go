package desktopentry

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// WriteFile puts data at path atomically, mode 0644: a temporary file in
// the same directory, synced, renamed over path, the directory synced. A
// reader (a session starting, a menu rescanning) sees the old file or the
// new one, never a part.
func WriteFile(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// Validate runs desktop-file-validate (Debian's desktop-file-utils) on the
// file: an error when it is missing or has anything to say, even a hint.
func Validate(path string) error {
	bin, err := exec.LookPath("desktop-file-validate")
	if err != nil {
		return fmt.Errorf("%w (Debian: apt-get install desktop-file-utils; `make test` does)", err)
	}
	out, err := exec.Command(bin, path).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		return fmt.Errorf("desktop-file-validate %s: %v: %s", path, err, out)
	}
	return nil
}
