package team

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestInstallationIsMadeOnceAndKept(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fyne", "io.runwatch.app")
	if id, err := ReadInstallation(dir); id != "" || err != nil {
		t.Fatalf("before: %q, %v", id, err)
	}
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			id, err := Installation(dir)
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		})
	}
	wg.Wait()
	for _, id := range ids {
		if id == "" || id != ids[0] {
			t.Fatalf("ids %q", ids)
		}
	}
	if id, err := ReadInstallation(dir); id != ids[0] || err != nil {
		t.Errorf("read back %q, %v", id, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left %v", entries)
	}
}

func TestReadInstallationSaysWhatIsWrongWithTheFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, InstallationFileName), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadInstallation(dir); err == nil {
		t.Error("no error for a broken team.json")
	}
}
