package lifecycle

import (
	"maps"
	"slices"
	"time"
)

// classified reports whether a record is the app's to announce: its scope
// is one the app watched when it was seen.
func (m *Memory) classified(jobKey string, r *Record) bool {
	project, job := splitJobKey(jobKey)
	s := m.Scopes[Scope{Project: project, Job: job, Region: r.Region}.Key()]
	return s != nil && s.Watched && (s.UnwatchedAt.IsZero() || s.seenBefore(r))
}

// Kind is what a terminal execution meant for its job.
type Kind string

// The kinds of change, decided before anything is worded.
const (
	// NewFailure: failed while the job was not failing in its region.
	NewFailure Kind = "new_failure"
	// SameError: failed again, with an error this failing streak had already.
	SameError Kind = "same_error"
	// NewKindOfError: failed again, with an error not seen in this streak.
	NewKindOfError Kind = "new_kind"
	// Fixed: succeeded, newer than the failure that was the job's verdict
	// in the same region.
	Fixed Kind = "fixed"
	// WasCancelled: cancelled; it does not change whether the job is failing.
	WasCancelled Kind = "cancelled"
)

// Change is one classified terminal execution, to be announced.
type Change struct {
	Kind     Kind   `json:"kind"`
	Scope    Scope  `json:"scope"`
	Resource string `json:"resource"`
	Record   Record `json:"record"`
	// Occurrences: failures of the job sharing its fingerprint, itself
	// included; First: when the first of them ended.
	Occurrences int       `json:"occurrences,omitempty"`
	First       time.Time `json:"first,omitempty"`
	// Fixes: for Fixed, the failure that was the job's verdict.
	Fixes string `json:"fixes,omitempty"`
}

// Announcement is what a refresh has to say.
type Announcement struct {
	Changes []Change
	// Missed: what a snooze that ended held back, for one summary, offered
	// until a server takes it (MissedDelivered); MissedMore counts what it
	// held beyond maxMissed, told as a number.
	Missed     []Change
	MissedMore int
}

// maxMissed bounds what a snooze keeps in full for its summary; beyond it
// only the number is kept.
const maxMissed = 1000

// Classify decides, per job, what the terminal executions not announced yet
// mean, oldest end first, and marks them announced. A failure whose error is
// unknown waits up to AnnounceAfter, and holds back what ended after it, so
// the order of news is the order of events. While snoozed, changes are kept
// for one summary when the snooze ends.
func (m *Memory) Classify(now time.Time) Announcement {
	var changes []Change
	for _, key := range slices.Sorted(maps.Keys(m.Jobs)) {
		j := m.Jobs[key]
		var pending []string
		for name, r := range j.Records {
			if !r.Announced && m.classified(key, r) {
				pending = append(pending, name)
			}
		}
		slices.SortFunc(pending, func(a, b string) int {
			if newer(j.Records[a], a, j.Records[b], b) {
				return 1
			}
			return -1
		})
		for _, name := range pending {
			r := j.Records[name]
			if r.State == Failed && !r.Error.Settled() && now.Sub(r.FirstSeen) < AnnounceAfter {
				break
			}
			c, ok := j.classify(name, r)
			r.Announced, r.Kind = true, c.Kind
			if !ok {
				continue
			}
			if c.Kind == Fixed && len(j.Acks) > 0 {
				j.Acks, j.AcksChanged, j.AcksRevision = nil, now, m.revise()
			}
			project, job := splitJobKey(key)
			c.Scope = Scope{Project: project, Job: job, Region: r.Region}
			c.Record = *r
			if r.State == Failed {
				c.Occurrences, c.First = m.Occurrences(c.Scope, name)
			}
			changes = append(changes, c)
		}
	}
	if now.Before(m.Snooze.Until) {
		room := max(maxMissed-len(m.Snooze.Missed), 0)
		m.Snooze.Missed = append(m.Snooze.Missed, changes[:min(room, len(changes))]...)
		m.Snooze.Dropped += len(changes) - min(room, len(changes))
		return Announcement{}
	}
	for _, c := range changes {
		r := m.Jobs[c.Scope.jobKey()].Records[c.Resource]
		r.Undelivered, r.Fixes = true, c.Fixes
	}
	a := Announcement{Changes: changes}
	if len(m.Snooze.Missed) > 0 || m.Snooze.Dropped > 0 {
		// Offered at each refresh until a server takes the summary
		// (MissedDelivered).
		a.Missed, a.MissedMore = slices.Clone(m.Snooze.Missed), m.Snooze.Dropped
	}
	return a
}

// classify decides what one record means given what the job's announced
// records in its region say; ok is false when it is no news (a success of
// a job that was not failing there). A job is failing or fixed per region:
// a success in one region fixes nothing in another (a quota failure in
// us-west3 is not fixed by a run in us-east1).
func (j *JobState) classify(name string, r *Record) (Change, bool) {
	verdict, vname := j.verdict(r.Region)
	c := Change{Resource: name}
	failing := verdict != nil && verdict.State == Failed
	switch r.State {
	case Cancelled:
		c.Kind = WasCancelled
	case Succeeded:
		if !failing || !newer(r, name, verdict, vname) {
			return c, false
		}
		c.Kind, c.Fixes = Fixed, vname
	case Failed:
		fp := r.Error.Fingerprint
		streak := j.streak(r.Region)
		switch {
		case !failing:
			c.Kind = NewFailure
		case fp != "" && len(streak) > 0 && !slices.Contains(streak, fp):
			c.Kind = NewKindOfError
		default:
			c.Kind = SameError
		}
	}
	return c, true
}

// verdict is the newest announced execution in region that succeeded or
// failed: it says whether the job is failing there. Cancellations say
// nothing either way.
func (j *JobState) verdict(region string) (*Record, string) {
	var best *Record
	var bestName string
	for name, r := range j.Records {
		if !r.Announced || r.State == Cancelled || r.Region != region {
			continue
		}
		if best == nil || newer(r, name, best, bestName) {
			best, bestName = r, name
		}
	}
	return best, bestName
}

// LastFinished returns the scope's newest finished execution (succeeded
// or failed, announced or not; cancellations say nothing either way): a
// failure there means the job is failing in that region now.
func (m *Memory) LastFinished(scope Scope) (resource string, r Record, ok bool) {
	j := m.Jobs[scope.jobKey()]
	if j == nil {
		return "", Record{}, false
	}
	var best *Record
	for name, rec := range j.Records {
		if rec.Region != scope.Region || (rec.State != Succeeded && rec.State != Failed) {
			continue
		}
		if best == nil || newer(rec, name, best, resource) {
			best, resource = rec, name
		}
	}
	if best == nil {
		return "", Record{}, false
	}
	return resource, *best, true
}

// verdicts names each region's verdict, which pruning keeps.
func (j *JobState) verdicts() map[string]bool {
	regions := map[string]bool{}
	for _, r := range j.Records {
		regions[r.Region] = true
	}
	out := map[string]bool{}
	for region := range regions {
		if _, name := j.verdict(region); name != "" {
			out[name] = true
		}
	}
	return out
}

// streak is the fingerprints of the announced failures in region newer
// than the newest announced success there.
func (j *JobState) streak(region string) []string {
	var lastOK *Record
	var lastOKName string
	for name, r := range j.Records {
		if r.Region != region {
			continue
		}
		if r.Announced && r.State == Succeeded && (lastOK == nil || newer(r, name, lastOK, lastOKName)) {
			lastOK, lastOKName = r, name
		}
	}
	var fps []string
	for name, r := range j.Records {
		if r.Region == region && r.Announced && r.State == Failed && r.Error.Fingerprint != "" &&
			(lastOK == nil || newer(r, name, lastOK, lastOKName)) {
			fps = append(fps, r.Error.Fingerprint)
		}
	}
	return fps
}
