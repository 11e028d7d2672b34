package poller

import (
	"encoding/json"
	"fmt"
	"time"
)

// Store is the part of fyne.Preferences the memory needs, so the app passes
// its preferences and a headless run a FileStore on the same file.
type Store interface {
	String(key string) string
	SetString(key, value string)
}

// memoryKey holds the memory, as one JSON document, in the preferences.
const memoryKey = "runwatch.memory.v1"

// forgetAfter bounds the memory: executions not seen for this long go.
const forgetAfter = 30 * 24 * time.Hour

// record is what runwatch remembers of one execution in a terminal state.
type record struct {
	State    State     `json:"state"`
	Error    string    `json:"error,omitempty"`
	Category string    `json:"category,omitempty"`
	Rule     string    `json:"rule,omitempty"`
	Context  []string  `json:"context,omitempty"` // log lines around the error line
	Matched  int       `json:"matched,omitempty"` // index of the error line in Context
	Logs     LogStatus `json:"logs,omitempty"`
	// Announced: reported once as a new failure (or seen on a baseline refresh).
	Announced bool  `json:"announced,omitempty"`
	First     int64 `json:"first"` // unix seconds of the refresh that first listed it
	Seen      int64 `json:"seen"`  // unix seconds of the last refresh that listed it
}

// LogStatus says how far the reading of a failed execution's logs got.
type LogStatus string

const (
	// LogsPending: not read yet, or the read failed; it will be tried again.
	LogsPending LogStatus = ""
	// LogsRead: read and extracted; Error may still be empty when no line looked like one.
	LogsRead LogStatus = "read"
	// LogsNone: Cloud Logging had no entries long after the execution ended.
	LogsNone LogStatus = "none"
)

// settled reports whether nothing about the execution needs fetching again.
func (r record) settled() bool {
	return r.State != StateFailed || r.Logs != LogsPending
}

// memory is the remembered terminal executions, keyed by resource name.
type memory struct {
	store   Store
	since   int64 // unix seconds the memory was started; 0: not stored yet
	records map[string]record
	dirty   bool
}

// memoryDocument is the stored form. Since tells an installation that has
// polled before, with nothing to remember, from a new one.
type memoryDocument struct {
	Since      int64             `json:"since"`
	Executions map[string]record `json:"executions"`
}

// loadMemory reads the memory. An empty or unreadable one gives a clean
// start; the error says why, for a warning, and never stops the app.
func loadMemory(store Store) (*memory, error) {
	m := &memory{store: store, records: map[string]record{}}
	raw := store.String(memoryKey)
	if raw == "" {
		return m, nil
	}
	var doc memoryDocument
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		return m, fmt.Errorf("remembered executions are unreadable, starting afresh: %w", err)
	}
	m.since = doc.Since
	for name, r := range doc.Executions {
		if r.State.Terminal() {
			m.records[name] = r
		}
	}
	return m, nil
}

// fresh reports whether nothing was ever stored: a new installation, or an
// unreadable memory.
func (m *memory) fresh() bool { return m.since == 0 && len(m.records) == 0 }

// start marks the memory as in use from now on, so a restart is no longer fresh.
func (m *memory) start(now time.Time) {
	if m.since == 0 {
		m.since = now.Unix()
		m.dirty = true
	}
}

func (m *memory) get(name string) (record, bool) {
	r, ok := m.records[name]
	return r, ok
}

func (m *memory) put(name string, r record) {
	m.records[name] = r
	m.dirty = true
}

// touch marks a remembered execution as seen now, so pruning keeps it.
func (m *memory) touch(name string, now time.Time) {
	r, ok := m.records[name]
	if !ok {
		return
	}
	// Only a day's change is worth a write: pruning works in months.
	if now.Unix()-r.Seen > int64(24*time.Hour/time.Second) {
		r.Seen = now.Unix()
		m.put(name, r)
	}
}

// save writes the memory when it changed, first forgetting what was not
// seen for forgetAfter.
func (m *memory) save(now time.Time) error {
	if !m.dirty {
		return nil
	}
	cutoff := now.Add(-forgetAfter).Unix()
	for name, r := range m.records {
		if r.Seen < cutoff {
			delete(m.records, name)
		}
	}
	data, err := json.Marshal(memoryDocument{Since: m.since, Executions: m.records})
	if err != nil {
		return fmt.Errorf("encode remembered executions: %w", err)
	}
	m.store.SetString(memoryKey, string(data))
	m.dirty = false
	return nil
}
