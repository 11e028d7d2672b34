package tray

import (
	"log"
	"maps"
	"slices"

	"runwatch/internal/ipc"
	"runwatch/internal/notifier"
	"runwatch/poller"
	"runwatch/poller/lifecycle"
)

// outbox is the news a notification server has not taken yet, owned by
// the loop: what a refresh classified waits here until a server takes it,
// and goes out again at the next refresh or when a server appears. What
// is being sent is not sent twice.
type outbox struct {
	waiting    map[string]lifecycle.Change // by execution resource
	missed     []lifecycle.Change          // a snooze's summary, waiting
	missedMore int
	inFlight   map[string]bool // resources being sent
	told       map[string]bool // resources a server took, while refreshes still offer them
	missedOut  bool            // the snooze's summary is being sent
	failing    string          // why the last send failed ("" once one is taken)
}

func newOutbox() *outbox {
	return &outbox{waiting: map[string]lifecycle.Change{}, inFlight: map[string]bool{}, told: map[string]bool{}}
}

// add keeps what a refresh has to say until a server takes it. A refresh
// may offer again what a server took a moment ago, before the memory heard
// of it: that is not sent twice.
func (o *outbox) add(res poller.Result) {
	offered := map[string]bool{}
	for _, c := range slices.Concat(res.Changes, res.Undelivered) {
		offered[c.Resource] = true
		if !o.told[c.Resource] {
			o.waiting[c.Resource] = c
		}
	}
	maps.DeleteFunc(o.told, func(r string, _ bool) bool { return !offered[r] })
	if len(res.Missed) > 0 || res.MissedMore > 0 {
		o.missed, o.missedMore = res.Missed, res.MissedMore
	}
}

// next returns what waits and is not being sent, marking it as being sent.
func (o *outbox) next() poller.Result {
	var res poller.Result
	for _, r := range slices.Sorted(maps.Keys(o.waiting)) {
		if !o.inFlight[r] {
			res.Changes = append(res.Changes, o.waiting[r])
			o.inFlight[r] = true
		}
	}
	slices.SortStableFunc(res.Changes, func(a, b lifecycle.Change) int { return a.Record.Completed.Compare(b.Record.Completed) })
	if (len(o.missed) > 0 || o.missedMore > 0) && !o.missedOut {
		res.Missed, res.MissedMore, o.missedOut = o.missed, o.missedMore, true
	}
	return res
}

// settle records a send's outcome; it reports whether it was taken.
func (o *outbox) settle(told notifier.Told, err error) bool {
	for _, r := range told.Resources {
		delete(o.inFlight, r)
		if err == nil {
			delete(o.waiting, r)
			o.told[r] = true
		}
	}
	if told.Missed {
		o.missedOut = false
		if err == nil {
			o.missed, o.missedMore = nil, 0
		}
	}
	if err != nil {
		if o.failing == "" {
			log.Printf("runwatch: %v; the news waits for a notification server", err)
		}
		o.failing = err.Error()
		return false
	}
	o.failing = ""
	return true
}

// undelivered counts the notifications' worth of news that waits while
// no server takes it (0 while sends succeed or are under way).
func (o *outbox) undelivered() int {
	if o.failing == "" {
		return 0
	}
	n := len(o.waiting)
	if len(o.missed) > 0 || o.missedMore > 0 {
		n++
	}
	return n
}

// state sets what the window process and the menu show of the outbox.
func (o *outbox) state(s *ipc.State) { s.Status.Undelivered = o.undelivered() }
