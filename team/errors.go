package team

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"cloud.google.com/go/pubsub/v2"

	"runwatch/poller/lifecycle"
)

// The errors topic carries two kinds of message, told apart by the
// attribute KindAttribute: an ErrorReport (KindError, ordering key = the
// execution's resource name) and a relay's Heartbeat (KindHeartbeat, no
// ordering key).
const (
	KindAttribute = "kind"
	KindError     = "error"
	KindHeartbeat = "heartbeat"
)

const (
	// HeartbeatEvery is how often a relay says it is alive.
	HeartbeatEvery = time.Minute
	// heartbeatsMissed is how many heartbeats may be missed before a relay
	// counts as gone.
	heartbeatsMissed = 3
	// ErrorsSubscriptionSuffix ends an installation's subscription to the
	// errors topic: runwatch-ID-errors beside runwatch-ID.
	ErrorsSubscriptionSuffix = "-errors"
	// publishTimeout bounds one publish, retries included.
	publishTimeout = 30 * time.Second
	// MaxContextLines and MaxContextLineLen bound the log lines an
	// ErrorReport carries (a message stays a few kilobytes): the poller
	// keeps 8 before the error line and 4 after it.
	MaxContextLines   = 13
	MaxContextLineLen = 500
)

// ErrorReport is a relay's extracted error of one failed execution, as it
// publishes it on the errors topic (JSON, the field names below).
type ErrorReport struct {
	// Execution is the execution's Cloud Run v2 resource name:
	// projects/P/locations/R/jobs/J/executions/E.
	Execution string `json:"execution"`
	Project   string `json:"project"`
	Region    string `json:"region"`
	Job       string `json:"job"`
	// Line is the error line ("" when none was found), Category and Rule
	// the extractor's, Fingerprint groups failures with the same error.
	Line        string `json:"line"`
	Category    string `json:"category,omitempty"`
	Rule        string `json:"rule,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	// Source says where Line came from: "logs" or "cloud_run".
	Source string `json:"source,omitempty"`
	// ExitCode, Signal and Reason are Cloud Run's: the first failed task's
	// exit code and signal, the Completed condition's reason enum name.
	ExitCode *int32 `json:"exit_code,omitempty"`
	Signal   string `json:"signal,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// Logs says how far reading the logs got: "read", "none" (there were
	// none) or "skipped" (Cloud Run's reason was the whole answer).
	Logs string `json:"logs"`
	// Context is log lines around Line (at most MaxContextLines, each at
	// most MaxContextLineLen bytes), Matched Line's index in it (-1: none).
	Context []string `json:"context,omitempty"`
	Matched int      `json:"matched"`
	// RelayID names the relay that published it, At when.
	RelayID string    `json:"relay_id"`
	At      time.Time `json:"at"`
}

// Heartbeat is what a relay publishes on the errors topic every Every, so
// that apps know whether one is alive.
type Heartbeat struct {
	RelayID string
	Project string
	At      time.Time
	Every   time.Duration
}

// heartbeatJSON is a Heartbeat on the wire: the period in seconds.
type heartbeatJSON struct {
	RelayID string    `json:"relay_id"`
	Project string    `json:"project"`
	At      time.Time `json:"at"`
	EveryS  float64   `json:"every_s"`
}

// MarshalJSON writes the heartbeat with its period in seconds (every_s).
func (h Heartbeat) MarshalJSON() ([]byte, error) {
	return json.Marshal(heartbeatJSON{RelayID: h.RelayID, Project: h.Project, At: h.At, EveryS: h.Every.Seconds()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (h *Heartbeat) UnmarshalJSON(data []byte) error {
	var w heartbeatJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*h = Heartbeat{RelayID: w.RelayID, Project: w.Project, At: w.At, Every: time.Duration(w.EveryS * float64(time.Second))}
	return nil
}

// RelayAlive reports whether the relay whose last heartbeat is last is
// alive at now: its heartbeat is younger than three of its periods. No
// heartbeat (a zero At) is no relay.
func RelayAlive(last Heartbeat, now time.Time) bool {
	if last.At.IsZero() {
		return false
	}
	every := last.Every
	if every <= 0 {
		every = HeartbeatEvery
	}
	return now.Sub(last.At) < heartbeatsMissed*every
}

// NewErrorReport returns the report of the error info known of the
// failed execution resource (a Cloud Run v2 execution name), its context
// cut to MaxContextLines lines of at most MaxContextLineLen bytes around
// the matched line.
func NewErrorReport(resource string, info lifecycle.ErrorInfo) ErrorReport {
	r := ErrorReport{
		Execution: resource, Line: info.Line, Category: info.Category, Rule: info.Rule,
		Fingerprint: info.Fingerprint, Source: info.Source, Logs: string(info.Logs), Matched: info.Matched,
	}
	r.Project, r.Region, r.Job = partsOf(resource)
	if cr := info.CloudRun; cr != nil {
		r.ExitCode, r.Signal, r.Reason = cr.ExitCode, cr.Signal, cr.Reason
		if r.Category == "" {
			r.Category = cr.Category
		}
	}
	r.Context, r.Matched = cutContext(info.Context, info.Matched)
	return r
}

// ErrorInfo returns the report as the lifecycle keeps an execution's
// error; Cloud Run's own reason carries only what the report has (its
// reason, exit code and signal).
func (r ErrorReport) ErrorInfo() lifecycle.ErrorInfo {
	info := lifecycle.ErrorInfo{
		Line: r.Line, Category: r.Category, Rule: r.Rule, Source: r.Source, Fingerprint: r.Fingerprint,
		Context: r.Context, Matched: r.Matched, Logs: lifecycle.LogStatus(r.Logs),
	}
	if r.Reason != "" || r.ExitCode != nil || r.Signal != "" {
		info.CloudRun = &lifecycle.CloudRunReason{Reason: r.Reason, ExitCode: r.ExitCode, Signal: r.Signal, Category: r.Category}
		if r.Source == "cloud_run" {
			info.CloudRun.Message = r.Line
		}
	}
	return info
}

// cutContext keeps at most MaxContextLines lines of context, around
// matched when it is one of them (else the last ones), each cut to
// MaxContextLineLen bytes; it returns them and matched's index among them.
func cutContext(lines []string, matched int) ([]string, int) {
	if len(lines) == 0 {
		return nil, matched
	}
	from, to := max(len(lines)-MaxContextLines, 0), len(lines)
	if matched >= 0 && matched < len(lines) {
		from = max(min(matched-MaxContextLines/2, len(lines)-MaxContextLines), 0)
		to = min(from+MaxContextLines, len(lines))
		matched -= from
	} else {
		matched = -1
	}
	out := make([]string, 0, to-from)
	for _, l := range lines[from:to] {
		out = append(out, cutLine(l, MaxContextLineLen))
	}
	return out, matched
}

// cutLine cuts s to at most n bytes, at a rune boundary.
func cutLine(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// partsOf returns the project, region and job of an execution's resource
// name; "" for each part it lacks.
func partsOf(resource string) (project, region, job string) {
	f := strings.Split(resource, "/")
	get := func(key string) string {
		for i := 0; i+1 < len(f); i += 2 {
			if f[i] == key {
				return f[i+1]
			}
		}
		return ""
	}
	return get("projects"), get("locations"), get("jobs")
}

// ErrorsPublisher returns a publisher to project's errors topic that keeps
// each execution's messages in order (its ordering key). The caller stops
// it.
func ErrorsPublisher(client *pubsub.Client, project string) *pubsub.Publisher {
	p := client.Publisher(TopicName(project, ErrorsTopic))
	p.EnableMessageOrdering = true
	return p
}

// PublishError publishes r on the errors topic with its execution as the
// ordering key, and waits until Pub/Sub has it. A publisher from
// ErrorsPublisher is needed (one with message ordering).
func PublishError(ctx context.Context, publisher *pubsub.Publisher, r ErrorReport) error {
	if r.Execution == "" {
		return fmt.Errorf("publish the error: no execution named")
	}
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("publish the error of %s: %w", r.Execution, err)
	}
	err = publish(ctx, publisher, &pubsub.Message{Data: data, OrderingKey: r.Execution, Attributes: map[string]string{KindAttribute: KindError}})
	if err != nil {
		// A failed publish pauses its ordering key until resumed.
		publisher.ResumePublish(r.Execution)
		return fmt.Errorf("publish the error of %s: %w", r.Execution, err)
	}
	return nil
}

// PublishHeartbeat publishes h on the errors topic and waits until Pub/Sub
// has it.
func PublishHeartbeat(ctx context.Context, publisher *pubsub.Publisher, h Heartbeat) error {
	data, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("publish a heartbeat: %w", err)
	}
	if err := publish(ctx, publisher, &pubsub.Message{Data: data, Attributes: map[string]string{KindAttribute: KindHeartbeat}}); err != nil {
		return fmt.Errorf("publish a heartbeat: %w", err)
	}
	return nil
}

// publish publishes m and waits, at most publishTimeout, for its ID.
func publish(ctx context.Context, publisher *pubsub.Publisher, m *pubsub.Message) error {
	ctx, cancel := context.WithTimeout(ctx, publishTimeout)
	defer cancel()
	_, err := publisher.Publish(ctx, m).Get(ctx)
	return err
}

// ErrorsSubscriptionID returns the ID of an installation's subscription to
// the errors topic.
func ErrorsSubscriptionID(installation string) string {
	return SubscriptionID(installation) + ErrorsSubscriptionSuffix
}

// EnsureErrorsSubscription makes the installation's subscription to the
// errors topic unless it exists — with message ordering, expiring and
// keeping messages as EnsureSubscription's — and returns its full name.
func EnsureErrorsSubscription(ctx context.Context, client *pubsub.Client, project, installation string) (string, error) {
	return ensureSubscription(ctx, client, project, ErrorsSubscriptionID(installation), ErrorsTopic, true)
}

// ReceiveErrors reads subscription (its full name, on the errors topic)
// until ctx ends, handing each error report to onError and each heartbeat
// to onHeartbeat (either may be nil), one at a time, and acknowledging each
// message once handled. A message of neither kind, or that does not decode,
// is acknowledged and dropped: delivered again it would be no better. It
// returns nil when ctx ends, else why it stopped.
func ReceiveErrors(ctx context.Context, client *pubsub.Client, subscription string, onError func(ErrorReport), onHeartbeat func(Heartbeat)) error {
	sub := client.Subscriber(subscription)
	sub.ReceiveSettings.MaxOutstandingMessages = 100
	var one sync.Mutex
	err := sub.Receive(ctx, func(_ context.Context, m *pubsub.Message) {
		one.Lock()
		defer one.Unlock()
		defer m.Ack()
		switch m.Attributes[KindAttribute] {
		case KindError:
			var r ErrorReport
			if json.Unmarshal(m.Data, &r) == nil && r.Execution != "" && onError != nil {
				onError(r)
			}
		case KindHeartbeat:
			var h Heartbeat
			if json.Unmarshal(m.Data, &h) == nil && !h.At.IsZero() && onHeartbeat != nil {
				onHeartbeat(h)
			}
		}
	})
	if err != nil {
		return fmt.Errorf("read subscription %s: %w", subscription, err)
	}
	return nil
}
