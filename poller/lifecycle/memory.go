package lifecycle

import (
	"cmp"
	"maps"
	"slices"
	"time"
)

// State is what an execution is doing or did.
type State string

// The states runwatch tells apart.
const (
	Pending   State = "PENDING"
	Running   State = "RUNNING"
	Succeeded State = "SUCCEEDED"
	Failed    State = "FAILED"
	Cancelled State = "CANCELLED"
)

// Terminal reports whether the state can no longer change.
func (s State) Terminal() bool { return s == Succeeded || s == Failed || s == Cancelled }

// LogStatus says how far finding a failed execution's error got.
type LogStatus string

const (
	// LogsPending: not read yet, or the read failed; it will be tried again.
	LogsPending LogStatus = ""
	// LogsRead: read; Error may still be empty when no line looked like one.
	LogsRead LogStatus = "read"
	// LogsNone: Cloud Logging had no entries long after the execution ended.
	LogsNone LogStatus = "none"
	// LogsSkipped: Cloud Run's own reason is the whole answer (a timeout, an
	// OOM kill, a missing image); the logs were not read.
	LogsSkipped LogStatus = "skipped"
)

// Scope is what is watched: one job of one project in one region.
type Scope struct{ Project, Job, Region string }

// Key is the scope's key in the memory.
func (s Scope) Key() string { return s.Project + "/" + s.Job + "/" + s.Region }

func (s Scope) jobKey() string { return s.Project + "/" + s.Job }

// splitJobKey undoes Scope.jobKey: project IDs hold no "/".
func splitJobKey(key string) (project, job string) {
	for i := 0; i < len(key); i++ {
		if key[i] == '/' {
			return key[:i], key[i+1:]
		}
	}
	return key, ""
}

// Timing of the lifecycle.
const (
	// AnnounceAfter: a failure whose error is still unknown is announced
	// this long after it was first seen as failed, without its error.
	AnnounceAfter = 3 * time.Minute
	// AckFor: an acknowledgement lasts this long.
	AckFor = 24 * time.Hour
	// followFor: an execution seen running is followed this long at most
	// (Cloud Run's longest task timeout is 7 days).
	followFor = 8 * 24 * time.Hour
	// forgetAfter: records not listed for this long are pruned.
	forgetAfter = 30 * 24 * time.Hour
	// maxRecordsPerJob bounds the memory of a job that fails often.
	maxRecordsPerJob = 400
	// maxContextLine bounds each remembered log line around an error.
	maxContextLine = 500
	// keepListed: records listed this recently are not dropped to bound
	// the memory, or the next listing would make them again (as history:
	// see ScopeState.ForgotUpTo).
	keepListed = time.Hour
	// pruneEvery and touchEvery keep an idle refresh from rewriting the
	// memory: forgetting works in months.
	pruneEvery = time.Hour
	touchEvery = 24 * time.Hour
	// SkewAllowance: Cloud Run's clock and this machine's may differ by
	// this much; a run that ended this close to its region's first answer
	// is news, not history.
	SkewAllowance = 5 * time.Minute
)

// Memory is everything runwatch remembers between refreshes and restarts.
// It is one JSON document; Merge joins two copies of it, so two processes
// writing the same file lose nothing of each other.
type Memory struct {
	Version int                    `json:"version"`
	Scopes  map[string]*ScopeState `json:"scopes"` // by Scope.Key
	Jobs    map[string]*JobState   `json:"jobs"`   // by project/job
	Snooze  Snooze                 `json:"snooze"`
	// PrunedAt is when Prune last ran: Merge does not bring back from
	// another copy what pruning then forgot.
	PrunedAt time.Time `json:"pruned_at"`
	// Revision counts what a person did (acknowledgements, snoozes, the
	// settings' starting or stopping watching a scope) and what undoes it:
	// it only grows, Merge keeps the larger, and it orders those acts
	// across copies where the wall clock may have stepped back.
	Revision int64 `json:"revision,omitempty"`

	lastObserved time.Time // this process's last Observe (not stored)
}

// ScopeState is what is remembered of one watched region of a job.
type ScopeState struct {
	// LearnedAt is when the region first answered for this project and job
	// (or answered the app again after it stopped watching it): what ended
	// before is learned silently, never announced.
	LearnedAt time.Time `json:"learned_at"`
	// Watched: the app has watched it (runwatch status alone does not).
	Watched bool `json:"watched,omitempty"`
	// UnwatchedAt is when the app stopped watching it (settings changed);
	// zero while it watches it, or is closed.
	UnwatchedAt time.Time `json:"unwatched_at,omitempty"`
	// Revision is the memory's revision when the app last started or
	// stopped watching it: it orders two copies' watching in Merge.
	Revision int64 `json:"revision,omitempty"`
	// Following are executions seen pending or running: they are followed
	// until they end, even once newer ones push them out of the listing.
	Following map[string]time.Time `json:"following,omitempty"` // resource → first seen
	// Unfollowed are executions Cloud Run no longer has, so that a merge
	// does not follow them again.
	Unfollowed map[string]time.Time `json:"unfollowed,omitempty"` // resource → when
	// ForgotUpTo is when the newest execution of the scope the memory let
	// go of (bounded or forgotten) ended: one that ended no later and is
	// listed again is history, not news.
	ForgotUpTo time.Time `json:"forgot_up_to,omitempty"`
}

// watchingChanged is when the app last started or stopped watching the
// scope, to order two copies with equal revisions.
func (s *ScopeState) watchingChanged() time.Time {
	if s.UnwatchedAt.After(s.LearnedAt) {
		return s.UnwatchedAt
	}
	return s.LearnedAt
}

// seenBefore reports whether a record was first seen before the app
// stopped watching the scope: by revision, or by time where the scope's
// unwatching is from before the revision was stored.
func (s *ScopeState) seenBefore(r *Record) bool {
	if s.Revision > 0 {
		return r.SeenRevision < s.Revision
	}
	return r.FirstSeen.Before(s.UnwatchedAt)
}

// forgot reports whether an execution not remembered ended no later than
// what the memory let go of in the scope: it may have been announced.
func (s *ScopeState) forgot(r *Record) bool {
	return !s.ForgotUpTo.IsZero() && !r.end().After(s.ForgotUpTo)
}

// JobState is what is remembered of one job of one project, over all its
// regions.
type JobState struct {
	Records map[string]*Record `json:"records"` // terminal executions by resource
	// Verdict is the newest terminal execution already classified (or
	// learned): its state says whether the job is failing.
	Verdict string `json:"verdict,omitempty"`
	// Streak holds the fingerprints of the failures since the last success.
	Streak []string `json:"streak,omitempty"`
	Acks   []Ack    `json:"acks,omitempty"`
	// AcksRevision, then AcksChanged, order the acknowledgements of two
	// copies in Merge (files from before the revision have only the time).
	AcksRevision int64     `json:"acks_revision,omitempty"`
	AcksChanged  time.Time `json:"acks_changed"`
}

// Ack is an acknowledged error of a job: the tray stops showing red for
// failures with its fingerprint until it expires or the job is fixed.
type Ack struct {
	Fingerprint string    `json:"fingerprint"`
	Resource    string    `json:"resource"`
	At          time.Time `json:"at"`
}

// Snooze holds notifications back until a time; what was held is summed
// up once when it ends.
type Snooze struct {
	Until time.Time `json:"until"`
	// Revision, then Changed, order the snoozes of two copies in Merge.
	Revision int64     `json:"revision,omitempty"`
	Changed  time.Time `json:"changed"`
	Missed   []Change  `json:"missed,omitempty"`
	// Dropped counts what was held back beyond maxMissed: told as a number.
	Dropped int `json:"dropped,omitempty"`
}

// Record is one execution in a terminal state.
type Record struct {
	Region    string    `json:"region"`
	State     State     `json:"state"`
	Created   time.Time `json:"created"`
	Completed time.Time `json:"completed"`
	FirstSeen time.Time `json:"first_seen"` // the refresh that first saw it terminal
	// SeenRevision is the memory's revision when it was first seen: it
	// tells whether that was before the app stopped watching its scope,
	// whatever the wall clock did.
	SeenRevision int64     `json:"seen_revision,omitempty"`
	LastSeen     time.Time `json:"last_seen"` // within touchEvery
	// listedAt is when this process last saw it listed (not stored).
	listedAt time.Time
	// Learned: it ended before its region was watched; never announced.
	Learned bool `json:"learned,omitempty"`
	// Announced: classified and handed out once (or learned).
	Announced bool `json:"announced,omitempty"`
	Kind      Kind `json:"kind,omitempty"`
	// Undelivered: announced, and no notification server has taken the
	// news yet; it is offered again until one does (see Undelivered).
	Undelivered bool `json:"undelivered,omitempty"`
	// Fixes: for a Fixed record, the failure it fixed.
	Fixes string `json:"fixes,omitempty"`

	Error ErrorInfo `json:"error"`
}

// ErrorInfo is what is known of why an execution failed.
type ErrorInfo struct {
	Line        string    `json:"line,omitempty"`
	Category    string    `json:"category,omitempty"`
	Rule        string    `json:"rule,omitempty"`
	Source      string    `json:"source,omitempty"` // "logs" or "cloud_run"
	Fingerprint string    `json:"fingerprint,omitempty"`
	Context     []string  `json:"context,omitempty"` // log lines around Line
	Matched     int       `json:"matched,omitempty"` // Line's index in Context
	Logs        LogStatus `json:"logs,omitempty"`
	// CloudRun is what Cloud Run itself said, known without the logs.
	CloudRun *CloudRunReason `json:"cloud_run,omitempty"`
}

// CloudRunReason is what Cloud Run says of a failed execution: its
// Completed condition and its first failed task's last attempt.
type CloudRunReason struct {
	Message  string `json:"message"`          // one line: "task 0 exited with code 1 after 2 retries"
	Category string `json:"category"`         // the extractor's words, or "cancelled" / "killed"
	Reason   string `json:"reason,omitempty"` // the condition's reason enum name
	// The first failed task, when its tasks could be listed.
	TaskIndex *int32 `json:"task_index,omitempty"`
	ExitCode  *int32 `json:"exit_code,omitempty"`
	Signal    string `json:"signal,omitempty"` // "SIGKILL (9)"
	Retries   int32  `json:"retries,omitempty"`
	// TasksRead: its tasks were listed; false when only the condition is known.
	TasksRead bool `json:"tasks_read,omitempty"`
}

// Settled reports whether nothing about the error needs fetching again.
func (e ErrorInfo) Settled() bool { return e.Logs != LogsPending }

// end is the time an execution ended, or was created when that is unknown.
func (r *Record) end() time.Time { return cmp.Or(r.Completed, r.Created) }

// newer orders records by when they ended, then were created, then name.
func newer(a *Record, an string, b *Record, bn string) bool {
	if c := a.end().Compare(b.end()); c != 0 {
		return c > 0
	}
	if c := a.Created.Compare(b.Created); c != 0 {
		return c > 0
	}
	return an > bn
}

// revise counts one more act of a person (or its undoing) and returns the
// revision that orders it.
func (m *Memory) revise() int64 {
	m.Revision++
	return m.Revision
}

// laterAct reports whether an act at revision ar and time at came after one
// at br and bt: by revision, the wall clock only between equal revisions
// (two copies that acted at once, or files from before the revision).
func laterAct(ar int64, at time.Time, br int64, bt time.Time) bool {
	if ar != br {
		return ar > br
	}
	return at.After(bt)
}

// New is an empty memory.
func New() *Memory {
	return &Memory{Version: 1, Scopes: map[string]*ScopeState{}, Jobs: map[string]*JobState{}}
}

// Normalize makes a decoded memory usable: nil maps made, impossible
// records dropped.
func (m *Memory) Normalize() {
	m.Version = 1
	if m.Scopes == nil {
		m.Scopes = map[string]*ScopeState{}
	}
	if m.Jobs == nil {
		m.Jobs = map[string]*JobState{}
	}
	for k, s := range m.Scopes {
		if s == nil {
			delete(m.Scopes, k)
		}
	}
	for k, j := range m.Jobs {
		if j == nil {
			delete(m.Jobs, k)
			continue
		}
		if j.Records == nil {
			j.Records = map[string]*Record{}
		}
		for name, r := range j.Records {
			if r == nil || !r.State.Terminal() {
				delete(j.Records, name)
			}
		}
	}
}

func (m *Memory) job(key string) *JobState {
	j := m.Jobs[key]
	if j == nil {
		j = &JobState{Records: map[string]*Record{}}
		m.Jobs[key] = j
	}
	return j
}

// Record returns what is remembered of a terminal execution.
func (m *Memory) Record(scope Scope, resource string) (Record, bool) {
	j := m.Jobs[scope.jobKey()]
	if j == nil || j.Records[resource] == nil {
		return Record{}, false
	}
	return *j.Records[resource], true
}

// Learned reports whether the scope has answered before.
func (m *Memory) Learned(scope Scope) bool { return m.Scopes[scope.Key()] != nil }

// Following lists the executions of a scope followed until they end.
func (m *Memory) Following(scope Scope) []string {
	s := m.Scopes[scope.Key()]
	if s == nil {
		return nil
	}
	return slices.Sorted(maps.Keys(s.Following))
}

// Unfollow stops following an execution that no longer exists.
func (m *Memory) Unfollow(scope Scope, resource string, now time.Time) {
	if s := m.Scopes[scope.Key()]; s != nil {
		delete(s.Following, resource)
		if s.Unfollowed == nil {
			s.Unfollowed = map[string]time.Time{}
		}
		s.Unfollowed[resource] = now
	}
}

// SetError records what is known of a failed execution's error. A line
// already known from the logs is not replaced by a less specific one.
func (m *Memory) SetError(scope Scope, resource string, e ErrorInfo) {
	j := m.Jobs[scope.jobKey()]
	if j == nil || j.Records[resource] == nil {
		return
	}
	r := j.Records[resource]
	if r.Error.Source == "logs" && r.Error.Line != "" && e.Source != "logs" {
		return
	}
	e.Context = clipLines(e.Context)
	e.Fingerprint = Fingerprint(e.Rule, e.Line)
	r.Error = e
}

// clipLines bounds the context lines kept in the memory.
func clipLines(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) > maxContextLine {
			l = l[:maxContextLine] + "…"
		}
		out[i] = l
	}
	return out
}

// Occurrences counts the remembered failures of the job that share the
// execution's fingerprint, itself included, and when the first ended.
func (m *Memory) Occurrences(scope Scope, resource string) (n int, first time.Time) {
	j := m.Jobs[scope.jobKey()]
	if j == nil || j.Records[resource] == nil {
		return 0, time.Time{}
	}
	fp := j.Records[resource].Error.Fingerprint
	if fp == "" {
		return 1, j.Records[resource].end()
	}
	for _, r := range j.Records {
		if r.State == Failed && r.Error.Fingerprint == fp {
			n++
			if first.IsZero() || r.end().Before(first) {
				first = r.end()
			}
		}
	}
	return n, first
}

// Awaiting lists the failures of a scope not announced yet whose error is
// not settled: their logs are worth reading wherever they are.
func (m *Memory) Awaiting(scope Scope) []string {
	j := m.Jobs[scope.jobKey()]
	if j == nil {
		return nil
	}
	var out []string
	for name, r := range j.Records {
		if r.Region == scope.Region && r.State == Failed && !r.Announced && !r.Error.Settled() {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}
