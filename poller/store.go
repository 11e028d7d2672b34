package poller

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"runwatch/poller/lifecycle"
)

// MemoryStore keeps the lifecycle's memory between refreshes and restarts.
type MemoryStore interface {
	// Load reads the memory. A warning (an unreadable file moved aside)
	// comes with a usable, possibly empty, memory.
	Load() (*lifecycle.Memory, error)
	// Save writes the memory, first joining in what another process wrote
	// since, so mem ends up holding both.
	Save(mem *lifecycle.Memory) error
	// Catch joins into mem what another process wrote since mem was loaded
	// or saved, if anything (a cheap check when nothing was), so that work
	// it did (a log read) is not done again.
	Catch(mem *lifecycle.Memory) error
}

// MemoryFileName is the memory's file in the app's storage directory.
const MemoryFileName = "memory.json"

// FileStore keeps the memory in one JSON file, safely: written to a
// temporary file, synced and renamed over the old one, so a crash leaves the
// old or the new file, never half of one; one writer at a time across
// processes (a lock file beside it), each joining what the other wrote; and
// an unreadable file moved aside and replaced, with a warning.
type FileStore struct {
	path string
	lock *flock.Flock
	// lastWritten skips writing a memory that did not change; lastStat is
	// the file as this store last read or wrote it.
	lastWritten []byte
	lastStat    os.FileInfo
}

// NewFileStore keeps the memory at path.
func NewFileStore(path string) *FileStore {
	return &FileStore{path: path, lock: flock.New(path + ".lock")}
}

// Path is where the memory is kept.
func (s *FileStore) Path() string { return s.path }

// lockTimeout bounds the wait for another process's write.
const lockTimeout = 10 * time.Second

func (s *FileStore) withLock(do func() error) error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(s.path), err)
	}
	deadline := time.Now().Add(lockTimeout)
	for {
		ok, err := s.lock.TryLock()
		if err != nil {
			return fmt.Errorf("lock %s: %w", s.lock.Path(), err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("lock %s: another runwatch held it for %s", s.lock.Path(), lockTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	defer s.lock.Unlock()
	return do()
}

// Load reads the memory under the lock.
func (s *FileStore) Load() (*lifecycle.Memory, error) {
	var mem *lifecycle.Memory
	var warning error
	err := s.withLock(func() error {
		mem, warning = s.read()
		s.lastStat, _ = os.Stat(s.path)
		return nil
	})
	if err != nil {
		return lifecycle.New(), err
	}
	return mem, warning
}

// read decodes the file; a missing one is an empty memory, an unreadable
// one is moved aside (and an empty memory given, with a warning) so the
// next save replaces it.
func (s *FileStore) read() (*lifecycle.Memory, error) {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return lifecycle.New(), nil
	}
	if err != nil {
		return lifecycle.New(), fmt.Errorf("read remembered executions %s: %w", s.path, err)
	}
	mem := lifecycle.New()
	if err := json.Unmarshal(data, mem); err != nil || len(bytes.TrimSpace(data)) == 0 {
		aside := fmt.Sprintf("%s.corrupt-%d", s.path, time.Now().Unix())
		if mvErr := os.Rename(s.path, aside); mvErr != nil {
			return lifecycle.New(), fmt.Errorf("remembered executions %s are unreadable and could not be moved aside: %w", s.path, mvErr)
		}
		if err == nil {
			err = errors.New("empty file")
		}
		return lifecycle.New(), fmt.Errorf("remembered executions %s were unreadable (moved to %s), starting afresh: %w", s.path, aside, err)
	}
	mem.Normalize()
	return mem, nil
}

// Save joins what is on disk into mem and writes the result.
func (s *FileStore) Save(mem *lifecycle.Memory) error {
	return s.withLock(func() error {
		disk, warning := s.read()
		mem.Merge(disk)
		data, err := json.Marshal(mem)
		if err != nil {
			return fmt.Errorf("encode remembered executions: %w", err)
		}
		if bytes.Equal(data, s.lastWritten) && warning == nil {
			return nil
		}
		if err := WriteAtomically(s.path, data); err != nil {
			return err
		}
		s.lastWritten = data
		s.lastStat, _ = os.Stat(s.path)
		return warning
	})
}

// Catch joins in the file when another process replaced it since this
// store last read or wrote it (it is always replaced whole, so a new file
// means a new memory).
func (s *FileStore) Catch(mem *lifecycle.Memory) error {
	info, err := os.Stat(s.path)
	if err != nil || (s.lastStat != nil && os.SameFile(info, s.lastStat) && info.ModTime().Equal(s.lastStat.ModTime())) {
		return nil
	}
	return s.withLock(func() error {
		disk, warning := s.read()
		mem.Merge(disk)
		s.lastStat, _ = os.Stat(s.path)
		return warning
	})
}

// WriteAtomically replaces path with data: a temporary file beside it,
// synced, renamed over it, and the directory synced, so that after a crash
// the file is the old one or the new one.
func WriteAtomically(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // not supported everywhere (Windows); the rename stands
		d.Close()
	}
	return nil
}

// MemoryOnly keeps the memory in this process only: for --demo, whose
// simulated cloud must never reach the real memory, and for tests.
type MemoryOnly struct {
	mu   sync.Mutex
	data []byte
}

// Load decodes the last saved copy.
func (s *MemoryOnly) Load() (*lifecycle.Memory, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mem := lifecycle.New()
	if s.data != nil {
		if err := json.Unmarshal(s.data, mem); err != nil {
			return lifecycle.New(), fmt.Errorf("decode remembered executions: %w", err)
		}
		mem.Normalize()
	}
	return mem, nil
}

// Catch does nothing: no other process shares this memory.
func (s *MemoryOnly) Catch(*lifecycle.Memory) error { return nil }

// Save joins the last saved copy into mem and keeps the result.
func (s *MemoryOnly) Save(mem *lifecycle.Memory) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.data != nil {
		prev := lifecycle.New()
		if err := json.Unmarshal(s.data, prev); err == nil {
			prev.Normalize()
			mem.Merge(prev)
		}
	}
	data, err := json.Marshal(mem)
	if err != nil {
		return fmt.Errorf("encode remembered executions: %w", err)
	}
	s.data = data
	return nil
}
