package lifecycle

import "time"

// Acknowledge marks a failure as seen by a person: the tray stops showing
// red for failures of the job with its error until AckFor passes, the job
// is fixed, or a new kind of error comes.
func (m *Memory) Acknowledge(scope Scope, resource string, now time.Time) bool {
	j := m.Jobs[scope.jobKey()]
	if j == nil || j.Records[resource] == nil || j.Records[resource].State != Failed {
		return false
	}
	j.Acks = append(j.Acks, Ack{Fingerprint: j.Records[resource].Error.Fingerprint, Resource: resource, At: now})
	j.AcksChanged, j.AcksRevision = now, m.revise()
	return true
}

// Acknowledged reports whether a failure is covered by an acknowledgement:
// its own, or one of the same error of the same job.
func (m *Memory) Acknowledged(scope Scope, resource string, now time.Time) bool {
	j := m.Jobs[scope.jobKey()]
	if j == nil || j.Records[resource] == nil || j.Records[resource].State != Failed {
		return false
	}
	fp := j.Records[resource].Error.Fingerprint
	for _, a := range j.Acks {
		acked := a.Fingerprint
		if r := j.Records[a.Resource]; r != nil {
			acked = r.Error.Fingerprint // the error may be better known since
		}
		if now.Sub(a.At) < AckFor && (a.Resource == resource || (fp != "" && (a.Fingerprint == fp || acked == fp))) {
			return true
		}
	}
	return false
}

// SnoozeUntil holds notifications back until t (the zero time ends a snooze
// at the next Classify, with its summary).
func (m *Memory) SnoozeUntil(t, now time.Time) {
	m.Snooze.Until, m.Snooze.Changed, m.Snooze.Revision = t, now, m.revise()
}

// SnoozedUntil is when the current snooze ends, zero when there is none.
func (m *Memory) SnoozedUntil(now time.Time) time.Time {
	if now.Before(m.Snooze.Until) {
		return m.Snooze.Until
	}
	return time.Time{}
}
