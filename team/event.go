package team

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"runwatch/poller/lifecycle"
)

// Event is the end of one Cloud Run job execution, as the sink published
// it.
type Event struct {
	Project   string // project ID
	Region    string
	Job       string
	Execution string // the execution's short ID, e.g. vertex-ai-launcher-x7k2p
	// Resource is the execution's Cloud Run v2 name:
	// projects/P/locations/R/jobs/J/executions/E.
	Resource  string
	State     lifecycle.State // Succeeded, Failed or Cancelled
	Created   time.Time
	Started   time.Time // zero when no task started
	Completed time.Time
	// Reason and Message are the execution's Completed condition's (Reason
	// in Cloud Run v1's words, e.g. NonZeroExitCode); Message is the audit
	// entry's status message when the condition has none.
	Reason       string
	Message      string
	FailedCount  int
	RetriedCount int
	LogURI       string
}

// Sighting returns the event as the lifecycle takes an execution from a
// listing.
func (e Event) Sighting() lifecycle.Sighting {
	return lifecycle.Sighting{Resource: e.Resource, State: e.State, Created: e.Created, Completed: e.Completed}
}

// ErrNotExecutionEnd is wrapped by every error of DecodeEvent: the message
// is not the audit entry of a Cloud Run job execution's end.
var ErrNotExecutionEnd = errors.New("not the end of a Cloud Run job execution")

// The LogEntry JSON a sink publishes, as much of it as an Event needs.
// Field names are LogEntry's JSON names (cloud.google.com/go/logging's
// loggingpb.LogEntry through protojson), protoPayload is a
// google.cloud.audit.AuditLog whose response is the Cloud Run v1 Execution
// (metadata, status) as a JSON object.
type (
	logEntry struct {
		LogName  string `json:"logName"`
		Resource struct {
			Type   string            `json:"type"`
			Labels map[string]string `json:"labels"`
		} `json:"resource"`
		Labels       map[string]string `json:"labels"`
		Severity     string            `json:"severity"`
		Timestamp    string            `json:"timestamp"`
		ProtoPayload *auditLog         `json:"protoPayload"`
	}
	auditLog struct {
		Type         string `json:"@type"`
		ServiceName  string `json:"serviceName"`
		MethodName   string `json:"methodName"`
		ResourceName string `json:"resourceName"`
		Status       struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"status"`
		Response *v1Execution `json:"response"`
	}
	v1Execution struct {
		Metadata struct {
			Name              string            `json:"name"`
			Namespace         string            `json:"namespace"` // the project number
			Labels            map[string]string `json:"labels"`
			CreationTimestamp string            `json:"creationTimestamp"`
		} `json:"metadata"`
		Status struct {
			Conditions     []v1Condition `json:"conditions"`
			StartTime      string        `json:"startTime"`
			CompletionTime string        `json:"completionTime"`
			// Counts are numbers in a google.protobuf.Struct: 1 or 1.0.
			FailedCount    float64 `json:"failedCount"`
			SucceededCount float64 `json:"succeededCount"`
			CancelledCount float64 `json:"cancelledCount"`
			RetriedCount   float64 `json:"retriedCount"`
			LogURI         string  `json:"logUri"`
		} `json:"status"`
	}
	v1Condition struct {
		Type    string `json:"type"`
		Status  string `json:"status"` // "True", "False" or "Unknown"
		Reason  string `json:"reason"`
		Message string `json:"message"`
	}
)

const (
	auditMethod  = "/Jobs.RunJob"
	auditService = "run.googleapis.com"
	// Labels of the v1 Execution's metadata.
	jobLabel      = "run.googleapis.com/job"
	locationLabel = "cloud.googleapis.com/location"
	// The entry's label naming the execution.
	executionLabel = "run.googleapis.com/execution_name"
)

// DecodeEvent decodes the data of a message the sink published: a Cloud
// Logging LogEntry as JSON whose protoPayload is the audit entry Cloud Run
// writes when a job execution ends. Anything else is an error wrapping
// ErrNotExecutionEnd that says what it is instead.
func DecodeEvent(data []byte) (Event, error) {
	var e logEntry
	if err := json.Unmarshal(data, &e); err != nil {
		return Event{}, notAnEnd("not a log entry in JSON (%v)", err)
	}
	a := e.ProtoPayload
	switch {
	case a == nil:
		return Event{}, notAnEnd("a log entry without an audit payload (log %q)", e.LogName)
	case a.ServiceName != auditService || a.MethodName != auditMethod:
		return Event{}, notAnEnd("an audit entry of %q %q, not of %s %s", a.ServiceName, a.MethodName, auditService, auditMethod)
	case a.Response == nil:
		return Event{}, notAnEnd("an audit entry of %s without the execution in its response", auditMethod)
	}
	x := a.Response
	ev := Event{
		Project:   first(e.Resource.Labels["project_id"], namespaceOf(a.ResourceName), projectOfLog(e.LogName)),
		Region:    first(e.Resource.Labels["location"], x.Metadata.Labels[locationLabel]),
		Job:       first(e.Resource.Labels["job_name"], x.Metadata.Labels[jobLabel]),
		Execution: first(e.Labels[executionLabel], x.Metadata.Name),
		LogURI:    x.Status.LogURI,
	}
	for _, f := range []struct{ what, value string }{
		{"project", ev.Project}, {"region", ev.Region}, {"job", ev.Job}, {"execution", ev.Execution},
	} {
		if f.value == "" || strings.Contains(f.value, "/") {
			return Event{}, notAnEnd("an audit entry of %s with no usable %s (%q)", auditMethod, f.what, f.value)
		}
	}
	ev.Resource = fmt.Sprintf("projects/%s/locations/%s/jobs/%s/executions/%s", ev.Project, ev.Region, ev.Job, ev.Execution)
	var err error
	if ev.Created, err = timeOf("metadata.creationTimestamp", x.Metadata.CreationTimestamp); err != nil {
		return Event{}, err
	}
	if ev.Started, err = timeOf("status.startTime", x.Status.StartTime); err != nil {
		return Event{}, err
	}
	if ev.Completed, err = timeOf("status.completionTime", x.Status.CompletionTime); err != nil {
		return Event{}, err
	}
	ev.FailedCount, ev.RetriedCount = count(x.Status.FailedCount), count(x.Status.RetriedCount)
	var completed *v1Condition
	for i, c := range x.Status.Conditions {
		if c.Type == "Completed" {
			completed = &x.Status.Conditions[i]
			break
		}
	}
	if completed != nil {
		ev.Reason, ev.Message = completed.Reason, completed.Message
	}
	if ev.Message == "" {
		ev.Message = a.Status.Message
	}
	ev.State = stateOf(completed, x, a.Status.Code)
	if ev.State == "" {
		return Event{}, notAnEnd("execution %s has not ended (its Completed condition is %s)", ev.Execution, conditionStatus(completed))
	}
	if ev.Completed.IsZero() {
		if ev.Completed, err = timeOf("timestamp", e.Timestamp); err != nil {
			return Event{}, err
		}
	}
	return ev, nil
}

// stateOf reads how the execution ended from its Completed condition (True:
// succeeded; False: failed, or cancelled when its tasks were cancelled and
// none failed), else from its counts once it has a completion time; "" when
// it has not ended.
func stateOf(completed *v1Condition, x *v1Execution, code int) lifecycle.State {
	cancelled := strings.Contains(strings.ToLower(conditionReason(completed)), "cancel") ||
		(x.Status.CancelledCount > 0 && x.Status.FailedCount == 0)
	status := conditionStatus(completed)
	if status == "" && x.Status.CompletionTime != "" {
		// No condition: the counts and the audit status say how it ended.
		status = "False"
		if code == 0 && x.Status.FailedCount == 0 && x.Status.CancelledCount == 0 {
			status = "True"
		}
	}
	switch {
	case status == "True":
		return lifecycle.Succeeded
	case status == "False" && cancelled:
		return lifecycle.Cancelled
	case status == "False":
		return lifecycle.Failed
	}
	return ""
}

func conditionStatus(c *v1Condition) string {
	if c == nil {
		return ""
	}
	return c.Status
}

func conditionReason(c *v1Condition) string {
	if c == nil {
		return ""
	}
	return c.Reason
}

// notAnEnd returns an error wrapping ErrNotExecutionEnd that says what the
// message is instead.
func notAnEnd(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotExecutionEnd, fmt.Sprintf(format, args...))
}

// timeOf parses an RFC 3339 time of field; empty is the zero time.
func timeOf(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, notAnEnd("%s %q is not a time", field, s)
	}
	return t, nil
}

// count turns a Struct number into a count, whatever came.
func count(f float64) int {
	if math.IsNaN(f) || f < 0 {
		return 0
	}
	return int(min(f, math.MaxInt32))
}

// namespaceOf returns the namespace of an audit resource name
// "namespaces/PROJECT/executions/E" (Cloud Run writes the project ID there).
func namespaceOf(resourceName string) string {
	rest, ok := strings.CutPrefix(resourceName, "namespaces/")
	if !ok {
		return ""
	}
	ns, _, _ := strings.Cut(rest, "/")
	return ns
}

// projectOfLog returns P of a log name "projects/P/logs/L".
func projectOfLog(logName string) string {
	rest, ok := strings.CutPrefix(logName, "projects/")
	if !ok {
		return ""
	}
	p, _, _ := strings.Cut(rest, "/")
	return p
}

// first returns the first non-empty string.
func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
