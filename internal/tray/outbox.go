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
// the loop: what a refresh classified, and the summary of what a snooze
// held back, wait here until a server takes them, and go out again at the
// next refresh or when a server appears. What is being sent is not sent
// twice; summaries of several snoozes join, none replaces another.
type outbox struct {
	waiting    map[string]lifecycle.Change // by execution resource
	missed     map[string]lifecycle.Change // a snooze's summary, by resource, waiting
	missedMore int
	inFlight   map[string]bool // resources being sent (news or summary)
	told       map[string]bool // resources a server took, while refreshes still offer them
	failing    string          // why the last send failed ("" once one is taken)
}

func newOutbox() *outbox {
	return &outbox{waiting: map[string]lifecycle.Change{}, missed: map[string]lifecycle.Change{}, inFlight: map[string]bool{}, told: map[string]bool{}}
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
	for _, c := range res.Missed {
		offered["missed:"+c.Resource] = true
		if !o.told["missed:"+c.Resource] {
			o.missed[c.Resource] = c
		}
	}
	maps.DeleteFunc(o.told, func(r string, _ bool) bool { return !offered[r] })
	o.missedMore = max(o.missedMore, res.MissedMore)
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
	for _, r := range slices.Sorted(maps.Keys(o.missed)) {
		if !o.inFlight["missed:"+r] {
			res.Missed = append(res.Missed, o.missed[r])
			o.inFlight["missed:"+r] = true
		}
	}
	slices.SortStableFunc(res.Missed, func(a, b lifecycle.Change) int { return a.Record.Completed.Compare(b.Record.Completed) })
	if len(res.Missed) > 0 {
		res.MissedMore = o.missedMore
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
	for _, r := range told.Missed {
		delete(o.inFlight, "missed:"+r)
		if err == nil {
			delete(o.missed, r)
			o.told["missed:"+r] = true
		}
	}
	if err == nil && len(told.Missed) > 0 && len(o.missed) == 0 {
		o.missedMore = 0
	}
	if err != nil {
		if o.failing == "" {
			log.Printf("runwatch: %v; the news waits for a notification server", err)
		}
		o.failing = err.Error()
		return false
	}
	if !told.Skipped { // a server took it: none is missing
		o.failing = ""
	}
	return true
}

// undelivered counts the notifications' worth of news that waits while
// no server takes it (0 while sends succeed or are under way).
func (o *outbox) undelivered() int {
	if o.failing == "" {
		return 0
	}
	n := len(o.waiting)
	if len(o.missed) > 0 {
		n++ // one summary
	}
	return n
}

// state sets what the window process and the menu show of the outbox.
func (o *outbox) state(s *ipc.State) { s.Status.Undelivered = o.undelivered() }
