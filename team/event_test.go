package team

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/logging/apiv2/loggingpb"
	"google.golang.org/genproto/googleapis/api/monitoredres"
	"google.golang.org/genproto/googleapis/cloud/audit"
	ltype "google.golang.org/genproto/googleapis/logging/type"
	spb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"runwatch/poller/lifecycle"
)

func readSample(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/failed-execution.json")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestDecodeEventReadsAFailedExecutionFromTheSinksMessage(t *testing.T) {
	got, err := DecodeEvent(readSample(t))
	if err != nil {
		t.Fatal(err)
	}
	want := Event{
		Project: "acme-ml", Region: "us-west3", Job: "vertex-ai-launcher", Execution: "vertex-ai-launcher-x7k2p",
		Resource:     "projects/acme-ml/locations/us-west3/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-x7k2p",
		State:        lifecycle.Failed,
		Created:      mustTime(t, "2026-11-30T09:12:03.451229Z"),
		Started:      mustTime(t, "2026-11-30T09:12:05.297597Z"),
		Completed:    mustTime(t, "2026-11-30T09:13:36.584198Z"),
		Reason:       "NonZeroExitCode",
		Message:      "Task vertex-ai-launcher-x7k2p-task0 failed with message: The container exited with an error.",
		FailedCount:  1,
		RetriedCount: 2,
	}
	want.LogURI = got.LogURI
	if !strings.Contains(got.LogURI, "execution_name%22%3D%22vertex-ai-launcher-x7k2p") {
		t.Errorf("LogURI %q", got.LogURI)
	}
	if got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	s := got.Sighting()
	if s != (lifecycle.Sighting{Resource: want.Resource, State: lifecycle.Failed, Created: want.Created, Completed: want.Completed}) {
		t.Errorf("Sighting %+v", s)
	}
}

// TestSampleIsARealLogEntryWithAnAuditLog checks the sample against the
// real types: protojson, which refuses unknown fields, reads it as a
// loggingpb.LogEntry whose protoPayload is an audit.AuditLog.
func TestSampleIsARealLogEntryWithAnAuditLog(t *testing.T) {
	var e loggingpb.LogEntry
	if err := protojson.Unmarshal(readSample(t), &e); err != nil {
		t.Fatal(err)
	}
	var a audit.AuditLog
	if err := e.GetProtoPayload().UnmarshalTo(&a); err != nil {
		t.Fatal(err)
	}
	if a.GetMethodName() != "/Jobs.RunJob" || e.GetResource().GetType() != "cloud_run_job" || e.GetSeverity() != ltype.LogSeverity_ERROR {
		t.Errorf("method %q, resource %q, severity %v", a.GetMethodName(), e.GetResource().GetType(), e.GetSeverity())
	}
	if a.GetResponse().GetFields()["metadata"].GetStructValue().GetFields()["namespace"].GetStringValue() != "219597088506" {
		t.Errorf("response %v", a.GetResponse())
	}
}

// edit decodes the sample as JSON, lets change edit it, and encodes it again.
func edit(t testing.TB, change func(entry map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readSample(t), &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func path(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = m[k].(map[string]any)
	}
	return m
}

func completedCondition(m map[string]any) map[string]any {
	return path(m, "protoPayload", "response", "status")["conditions"].([]any)[0].(map[string]any)
}

func TestDecodeEventTellsSuccessFailureAndCancellationApart(t *testing.T) {
	cases := []struct {
		name   string
		change func(map[string]any)
		want   lifecycle.State
	}{
		{"failed", func(map[string]any) {}, lifecycle.Failed},
		{"succeeded", func(m map[string]any) {
			c := completedCondition(m)
			c["status"] = "True"
			delete(c, "reason")
			delete(c, "message")
			st := path(m, "protoPayload", "response", "status")
			delete(st, "failedCount")
			st["succeededCount"] = 1.0
		}, lifecycle.Succeeded},
		{"cancelled by its count", func(m map[string]any) {
			delete(completedCondition(m), "reason")
			st := path(m, "protoPayload", "response", "status")
			delete(st, "failedCount")
			st["cancelledCount"] = 1
		}, lifecycle.Cancelled},
		{"cancelled by its reason", func(m map[string]any) {
			completedCondition(m)["reason"] = "Cancelled"
		}, lifecycle.Cancelled},
		{"no condition, failed count", func(m map[string]any) {
			st := path(m, "protoPayload", "response", "status")
			delete(st, "conditions")
		}, lifecycle.Failed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := DecodeEvent(edit(t, tc.change))
			if err != nil {
				t.Fatal(err)
			}
			if ev.State != tc.want {
				t.Errorf("state %s, want %s", ev.State, tc.want)
			}
		})
	}
}

func TestDecodeEventFallsBackToTheExecutionsOwnNames(t *testing.T) {
	data := edit(t, func(m map[string]any) {
		delete(m, "resource")
		delete(m, "labels")
	})
	ev, err := DecodeEvent(data)
	if err != nil {
		t.Fatal(err)
	}
	if ev.Resource != "projects/acme-ml/locations/us-west3/jobs/vertex-ai-launcher/executions/vertex-ai-launcher-x7k2p" {
		t.Errorf("resource %q", ev.Resource)
	}
}

func TestDecodeEventRefusesWhatIsNotAnExecutionsEnd(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		says string
	}{
		{"empty", nil, "not a log entry in JSON"},
		{"garbage", []byte("\x00\xffnot json"), "not a log entry in JSON"},
		{"a JSON string", []byte(`"hello"`), "not a log entry in JSON"},
		{"a text entry", []byte(`{"textPayload":"hello","logName":"projects/p/logs/x"}`), "without an audit payload"},
		{"another method", edit(t, func(m map[string]any) { path(m, "protoPayload")["methodName"] = "/Services.ReplaceService" }), `"/Services.ReplaceService"`},
		{"no response", edit(t, func(m map[string]any) { delete(path(m, "protoPayload"), "response") }), "without the execution"},
		{"no job", edit(t, func(m map[string]any) {
			delete(path(m, "resource", "labels"), "job_name")
			delete(path(m, "protoPayload", "response", "metadata", "labels"), "run.googleapis.com/job")
		}), "no usable job"},
		{"a slash in a name", edit(t, func(m map[string]any) { path(m, "labels")["run.googleapis.com/execution_name"] = "a/b" }), "no usable execution"},
		{"still running", edit(t, func(m map[string]any) {
			completedCondition(m)["status"] = "Unknown"
		}), "has not ended"},
		{"a bad time", edit(t, func(m map[string]any) { path(m, "protoPayload", "response", "status")["startTime"] = "yesterday" }), `status.startTime "yesterday"`},
		{"labels of the wrong type", []byte(`{"protoPayload":{"serviceName":"run.googleapis.com","methodName":"/Jobs.RunJob","response":{"metadata":{"labels":{"a":1}}}}}`), "not a log entry in JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeEvent(tc.data)
			if !errors.Is(err, ErrNotExecutionEnd) || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %v, want ErrNotExecutionEnd saying %q", err, tc.says)
			}
		})
	}
}

// TestDecodeEventReadsWhatProtojsonWritesOfTheRealTypes builds the entry
// with the real LogEntry and AuditLog types, as Cloud Logging holds it, and
// decodes their JSON.
func TestDecodeEventReadsWhatProtojsonWritesOfTheRealTypes(t *testing.T) {
	response, err := structpb.NewStruct(map[string]any{
		"@type":    "type.googleapis.com/google.cloud.run.v1.Execution",
		"metadata": map[string]any{"name": "etl-daily-abcde", "namespace": "123456789012", "creationTimestamp": "2026-12-01T10:00:00Z", "labels": map[string]any{"run.googleapis.com/job": "etl-daily", "cloud.googleapis.com/location": "europe-west1"}},
		"status": map[string]any{
			"conditions":     []any{map[string]any{"type": "Completed", "status": "True"}},
			"startTime":      "2026-12-01T10:00:02Z",
			"completionTime": "2026-12-01T10:01:00Z",
			"succeededCount": 1,
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := anypb.New(&audit.AuditLog{ServiceName: "run.googleapis.com", MethodName: "/Jobs.RunJob",
		ResourceName: "namespaces/p1/executions/etl-daily-abcde",
		Status:       &spb.Status{Message: "Execution etl-daily-abcde has completed successfully."}, Response: response})
	if err != nil {
		t.Fatal(err)
	}
	entry := &loggingpb.LogEntry{
		LogName:  "projects/p1/logs/cloudaudit.googleapis.com%2Fsystem_event",
		Resource: &monitoredres.MonitoredResource{Type: "cloud_run_job", Labels: map[string]string{"project_id": "p1", "location": "europe-west1", "job_name": "etl-daily"}},
		Labels:   map[string]string{"run.googleapis.com/execution_name": "etl-daily-abcde"},
		Severity: ltype.LogSeverity_INFO, Timestamp: timestamppb.New(mustTime(t, "2026-12-01T10:01:01Z")),
		Payload: &loggingpb.LogEntry_ProtoPayload{ProtoPayload: payload},
	}
	data, err := protojson.Marshal(entry)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := DecodeEvent(data)
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if ev.Resource != "projects/p1/locations/europe-west1/jobs/etl-daily/executions/etl-daily-abcde" || ev.State != lifecycle.Succeeded ||
		!ev.Completed.Equal(mustTime(t, "2026-12-01T10:01:00Z")) || ev.Message != "Execution etl-daily-abcde has completed successfully." {
		t.Errorf("%+v", ev)
	}
}

func FuzzDecodeEvent(f *testing.F) {
	f.Add(readSample(f))
	f.Add([]byte(`{"protoPayload":{"serviceName":"run.googleapis.com","methodName":"/Jobs.RunJob","response":{}}}`))
	f.Add([]byte(`{"protoPayload":{"serviceName":"run.googleapis.com","methodName":"/Jobs.RunJob","response":{"status":{"failedCount":1e308,"completionTime":"2026-01-01T00:00:00Z"}}}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := DecodeEvent(data)
		if err != nil {
			if !errors.Is(err, ErrNotExecutionEnd) {
				t.Fatalf("error %v does not wrap ErrNotExecutionEnd", err)
			}
			return
		}
		if !ev.State.Terminal() || ev.Resource == "" || strings.Count(ev.Resource, "/") != 7 {
			t.Fatalf("decoded %+v", ev)
		}
	})
}
