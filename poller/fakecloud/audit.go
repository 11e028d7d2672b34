package fakecloud

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"strings"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/genproto/googleapis/api/monitoredres"
	"google.golang.org/genproto/googleapis/cloud/audit"
	ltype "google.golang.org/genproto/googleapis/logging/type"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// This file writes the System Event audit entry Cloud Run writes when a job
// execution ends (method /Jobs.RunJob, for a success too), in the shape of
// public samples of real entries: the AuditLog's status says how it ended
// ("Execution E has completed successfully." or, code 2, "Execution E has
// failed to complete, 0/1 tasks were a success.", a cancellation included),
// resourceName is namespaces/PROJECT-ID/executions/E, and response is the
// Cloud Run v1 Execution (metadata with the project number as namespace,
// status with v1 conditions and counts).

// ProjectNumber returns the fake's project number of a project ID: twelve
// digits, the same for the same ID.
func ProjectNumber(project string) string {
	sum := sha256.Sum256([]byte(project))
	return fmt.Sprintf("%012d", 100000000000+binary.BigEndian.Uint64(sum[:8])%900000000000)
}

// AuditEntry returns the System Event audit entry Cloud Run writes when
// execution e ends, as the LogEntry a sink routes; ok is false when e has
// not ended or has no valid name.
func AuditEntry(e *runpb.Execution) (entry *loggingpb.LogEntry, ok bool) {
	j, id, named := parseExecutionName(e.GetName())
	if !named || e.GetCompletionTime() == nil {
		return nil, false
	}
	succeeded := e.GetSucceededCount() == e.GetTaskCount() && e.GetFailedCount() == 0 && e.GetCancelledCount() == 0
	for _, c := range e.GetConditions() {
		if c.GetType() == "Completed" {
			succeeded = c.GetState() == runpb.Condition_CONDITION_SUCCEEDED
		}
	}
	st := &spb.Status{Message: fmt.Sprintf("Execution %s has completed successfully.", id)}
	severity := ltype.LogSeverity_INFO
	if !succeeded {
		st = &spb.Status{Code: 2, Message: fmt.Sprintf("Execution %s has failed to complete, %d/%d tasks were a success.",
			id, e.GetSucceededCount(), e.GetTaskCount())}
		severity = ltype.LogSeverity_ERROR
	}
	response, err := structpb.NewStruct(v1Execution(j, id, e))
	if err != nil {
		return nil, false // v1Execution holds only JSON values
	}
	payload, err := anypb.New(&audit.AuditLog{
		ServiceName:  "run.googleapis.com",
		MethodName:   "/Jobs.RunJob",
		ResourceName: "namespaces/" + j.project + "/executions/" + id,
		Status:       st,
		Response:     response,
	})
	if err != nil {
		return nil, false
	}
	at := e.GetCompletionTime().AsTime().Add(150 * time.Millisecond)
	sum := sha256.Sum256([]byte(e.GetName() + "/audit"))
	return &loggingpb.LogEntry{
		LogName:  "projects/" + j.project + "/logs/cloudaudit.googleapis.com%2Fsystem_event",
		Resource: &monitoredres.MonitoredResource{Type: "cloud_run_job", Labels: map[string]string{"job_name": j.job, "location": j.region, "project_id": j.project}},
		Labels:   map[string]string{"run.googleapis.com/execution_name": id},
		Payload:  &loggingpb.LogEntry_ProtoPayload{ProtoPayload: payload},
		Severity: severity, Timestamp: timestamppb.New(at), ReceiveTimestamp: timestamppb.New(at.Add(400 * time.Millisecond)),
		InsertId: fmt.Sprintf("-%x", sum[:6]),
	}, true
}

// auditLogOf returns the AuditLog of an entry's protoPayload, or nil.
func auditLogOf(e *loggingpb.LogEntry) *audit.AuditLog {
	var a audit.AuditLog
	if e.GetProtoPayload() == nil || e.GetProtoPayload().UnmarshalTo(&a) != nil {
		return nil
	}
	return &a
}

// v1Execution returns e as Cloud Run's v1 API shows it, as JSON values.
func v1Execution(j jobName, id string, e *runpb.Execution) map[string]any {
	number := ProjectNumber(j.project)
	labels := map[string]any{"cloud.googleapis.com/location": j.region, "run.googleapis.com/job": j.job}
	for k, v := range maps.All(e.GetLabels()) {
		labels[k] = v
	}
	var conditions []any
	for _, c := range e.GetConditions() {
		vc := map[string]any{"type": c.GetType(), "status": v1Status(c.GetState())}
		if r := v1Reason(c); r != "" {
			vc["reason"] = r
		}
		if c.GetMessage() != "" {
			vc["message"] = c.GetMessage()
		}
		if t := c.GetLastTransitionTime(); t != nil {
			vc["lastTransitionTime"] = rfc3339(t)
		}
		if c.GetSeverity() == runpb.Condition_ERROR {
			vc["severity"] = "Error"
		}
		conditions = append(conditions, vc)
	}
	status := map[string]any{"observedGeneration": 1, "conditions": conditions, "logUri": e.GetLogUri()}
	for k, t := range map[string]*timestamppb.Timestamp{"startTime": e.GetStartTime(), "completionTime": e.GetCompletionTime()} {
		if t != nil {
			status[k] = rfc3339(t)
		}
	}
	for k, n := range map[string]int32{"succeededCount": e.GetSucceededCount(), "failedCount": e.GetFailedCount(),
		"cancelledCount": e.GetCancelledCount(), "retriedCount": e.GetRetriedCount()} {
		if n != 0 { // proto3 JSON leaves zero counts out
			status[k] = n
		}
	}
	return map[string]any{
		"@type":      "type.googleapis.com/google.cloud.run.v1.Execution",
		"apiVersion": "run.googleapis.com/v1",
		"kind":       "Execution",
		"metadata": map[string]any{
			"name":              id,
			"namespace":         number,
			"selfLink":          "/apis/run.googleapis.com/v1/namespaces/" + number + "/executions/" + id,
			"uid":               e.GetUid(),
			"generation":        1,
			"creationTimestamp": rfc3339(e.GetCreateTime()),
			"labels":            labels,
		},
		"spec":   map[string]any{"parallelism": e.GetParallelism(), "taskCount": e.GetTaskCount()},
		"status": status,
	}
}

func rfc3339(t *timestamppb.Timestamp) string { return t.AsTime().UTC().Format(time.RFC3339Nano) }

// v1Status is a v2 condition state in v1's words.
func v1Status(s runpb.Condition_State) string {
	switch s {
	case runpb.Condition_CONDITION_SUCCEEDED:
		return "True"
	case runpb.Condition_CONDITION_FAILED:
		return "False"
	}
	return "Unknown"
}

// v1Reason is a v2 condition's reason enum in v1's words: NON_ZERO_EXIT_CODE
// is NonZeroExitCode.
func v1Reason(c *runpb.Condition) string {
	var name string
	switch {
	case c.GetExecutionReason() != runpb.Condition_EXECUTION_REASON_UNDEFINED:
		name = c.GetExecutionReason().String()
	case c.GetReason() != runpb.Condition_COMMON_REASON_UNDEFINED:
		name = c.GetReason().String()
	default:
		return ""
	}
	var b strings.Builder
	for w := range strings.SplitSeq(strings.ToLower(name), "_") {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}
