package single

import (
	"errors"
	"sync"

	"runwatch/poller"
)

// lastSnapshot keeps the last refresh's snapshot for `runwatch status`,
// across goroutines.
type lastSnapshot struct {
	mu   sync.Mutex
	snap *poller.Snapshot
}

func (l *lastSnapshot) set(s poller.Snapshot) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.snap = &s
}

// get returns the last snapshot, or an error before the first refresh.
func (l *lastSnapshot) get() (poller.Snapshot, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.snap == nil {
		return poller.Snapshot{}, errors.New("no refresh yet")
	}
	return *l.snap, nil
}
