package poller

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"runwatch/poller/fakecloud"
)

func actionCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// putAction puts an execution of testJob in us-west3 created ago and
// returns its resource name.
func (h *harness) putAction(id string, state fakecloud.State, ago time.Duration) string {
	spec := fakecloud.ExecutionSpec{Project: testProject, Region: "us-west3", Job: testJob, ID: id, State: state, Created: time.Now().Add(-ago)}
	if state != fakecloud.Running && state != fakecloud.Pending {
		spec.Completed = time.Now().Add(-ago + time.Minute)
	}
	h.cloud.Put(spec)
	return spec.Name()
}

const testJobResource = "projects/" + testProject + "/locations/us-west3/jobs/" + testJob

func TestParseExecutionReadsResourceNamesAndRegionSlashExecution(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want ExecutionName
		bad  bool
	}{
		{in: testJobResource + "/executions/vertex-ai-launcher-x7k2p", want: ExecutionName{testProject, "us-west3", testJob, "vertex-ai-launcher-x7k2p"}},
		{in: "us-west3/vertex-ai-launcher-x7k2p", want: ExecutionName{"", "us-west3", testJob, "vertex-ai-launcher-x7k2p"}},
		{in: "europe-west4/train-abcde", want: ExecutionName{"", "europe-west4", "train", "train-abcde"}},
		{in: "projects/example.com:ml/locations/us-west3/jobs/j/executions/j-abcde", want: ExecutionName{"example.com:ml", "us-west3", "j", "j-abcde"}},
		{in: "vertex-ai-launcher-x7k2p", bad: true},
		{in: "us-west3/launcher", bad: true},
		{in: "us-west3/launcher-", bad: true},
		{in: "us-west3/-abcde", bad: true},
		{in: "/vertex-ai-launcher-x7k2p", bad: true},
		{in: "us west3/vertex-ai-launcher-x7k2p", bad: true},
		{in: "projects/p/locations/us-west3/jobs/j/executions/", bad: true},
		{in: "projects/p/regions/us-west3/jobs/j/executions/j-abcde", bad: true},
		{in: "a/b/c", bad: true},
		{in: "", bad: true},
	} {
		got, err := ParseExecution(tc.in)
		if tc.bad {
			if err == nil || !strings.Contains(err.Error(), "REGION/EXECUTION") {
				t.Errorf("%q: %v, %v: want an error saying what to give", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %+v, %v: want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestOverridesSayWhatDiffersInWords(t *testing.T) {
	for _, tc := range []struct {
		o    Overrides
		want string
	}{
		{Overrides{}, ""},
		{Overrides{Containers: []ContainerOverride{{Args: []string{"--epochs", "3"}, Env: []EnvVar{{"LR", "0.1"}}}}, TaskCount: 4, Timeout: 20 * time.Minute},
			"args --epochs 3 · env LR=0.1 · 4 tasks · timeout 20m"},
		{Overrides{Containers: []ContainerOverride{{ClearArgs: true}}}, "no args"},
		{Overrides{Containers: []ContainerOverride{{Args: []string{"--name", "two words"}, Env: []EnvVar{{"A", ""}, {"B", "x y"}}}}},
			`args --name "two words" · env A="" B="x y"`},
		{Overrides{TaskCount: 1, Timeout: 90 * time.Minute}, "1 task · timeout 1h30m"},
		{Overrides{Timeout: 2 * time.Hour}, "timeout 2h"},
		{Overrides{Timeout: 45 * time.Second}, "timeout 45s"},
		{Overrides{Containers: []ContainerOverride{{Name: "main", Args: []string{"a"}}, {Name: "sidecar", Env: []EnvVar{{"X", "1"}}}}},
			"main: args a · sidecar: env X=1"},
	} {
		if got := tc.o.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.o, got, tc.want)
		}
		if (tc.want == "") != tc.o.Empty() {
			t.Errorf("%+v: Empty() = %v", tc.o, tc.o.Empty())
		}
	}
}

// Run again makes exactly one RunJob, of the execution's job, without
// overrides unless asked, and returns the new running execution.
func TestRunAgainMakesOneRunJobOfTheExecutionsJob(t *testing.T) {
	h := newHarness(t)
	ctx := actionCtx(t)
	old := h.putAction(testJob+"-x7k2p", fakecloud.Failed, 15*time.Minute)

	got, err := RunAgain(ctx, h.clients, old, false)
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^`+testJobResource+`/executions/`+testJob+`-[a-z0-9]{5}$`).MatchString(got) || got == old {
		t.Fatalf("new execution %q", got)
	}
	reqs := h.cloud.RunJobRequests()
	if len(reqs) != 1 || reqs[0].GetName() != testJobResource || reqs[0].GetOverrides() != nil {
		t.Fatalf("RunJob requests %v: want one of %s without overrides", reqs, testJobResource)
	}
	e, err := h.clients.Run.GetExecution(ctx, &runpb.GetExecutionRequest{Name: got})
	if err != nil || stateOf(e) != StateRunning {
		t.Fatalf("new execution: %v, %v", e, err)
	}
}

// launcherJob gives testJob in us-west3 a template with args and env, and
// starts an execution of it with overrides, as a person would have from the
// console; it returns the execution's resource name.
func launcherJob(t *testing.T, h *harness) string {
	t.Helper()
	ctx := actionCtx(t)
	h.cloud.SetJobTemplate(testProject, "us-west3", testJob, &runpb.ExecutionTemplate{TaskCount: 1, Template: &runpb.TaskTemplate{
		Containers: []*runpb.Container{{Image: "us-docker.pkg.dev/acme/launcher:latest", Args: []string{"--queue", "default"},
			Env: []*runpb.EnvVar{{Name: "LR", Values: &runpb.EnvVar_Value{Value: "0.01"}}, {Name: "WANDB_PROJECT", Values: &runpb.EnvVar_Value{Value: "launch"}}}}},
		Timeout: durationpb.New(10 * time.Minute),
	}})
	op, err := h.clients.Jobs.RunJob(ctx, &runpb.RunJobRequest{Name: testJobResource, Overrides: &runpb.RunJobRequest_Overrides{
		ContainerOverrides: []*runpb.RunJobRequest_Overrides_ContainerOverride{{
			Args: []string{"--epochs", "3"},
			Env:  []*runpb.EnvVar{{Name: "LR", Values: &runpb.EnvVar_Value{Value: "0.1"}}},
		}},
		TaskCount: 4,
		Timeout:   durationpb.New(20 * time.Minute),
	}})
	if err != nil {
		t.Fatal(err)
	}
	e, err := op.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	return e.GetName()
}

// The overrides of an execution are what it ran with beyond its job's
// template; run again with them, the new execution runs with the same.
func TestRunAgainWithOverridesRepeatsWhatTheExecutionRanWith(t *testing.T) {
	h := newHarness(t)
	ctx := actionCtx(t)
	old := launcherJob(t, h)

	o, err := OverridesOf(ctx, h.clients, old)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := o.String(), "args --epochs 3 · env LR=0.1 · 4 tasks · timeout 20m"; got != want {
		t.Fatalf("overrides %q, want %q", got, want)
	}

	got, err := RunAgain(ctx, h.clients, old, true)
	if err != nil {
		t.Fatal(err)
	}
	reqs := h.cloud.RunJobRequests()
	if len(reqs) != 2 || !proto.Equal(reqs[1].GetOverrides(), o.proto()) {
		t.Fatalf("RunJob requests %v: want the second with %v", reqs, o.proto())
	}
	before, err := h.clients.Run.GetExecution(ctx, &runpb.GetExecutionRequest{Name: old})
	if err != nil {
		t.Fatal(err)
	}
	after, err := h.clients.Run.GetExecution(ctx, &runpb.GetExecutionRequest{Name: got})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(after.GetTemplate(), before.GetTemplate()) || after.GetTaskCount() != 4 {
		t.Fatalf("the new execution's template %v (%d tasks), want %v (4 tasks)", after.GetTemplate(), after.GetTaskCount(), before.GetTemplate())
	}
	if a, _ := OverridesOf(ctx, h.clients, got); a.String() != o.String() {
		t.Fatalf("the new execution's overrides %q, want %q", a, o)
	}
}

// An execution that ran as its job says has no overrides: run again with
// them asks plain RunJob (which needs run.jobs.run only).
func TestRunAgainWithOverridesOfAPlainExecutionPassesNone(t *testing.T) {
	h := newHarness(t)
	ctx := actionCtx(t)
	old := h.putAction(testJob+"-plain", fakecloud.Succeeded, time.Hour)
	if o, err := OverridesOf(ctx, h.clients, old); err != nil || !o.Empty() {
		t.Fatalf("overrides %q, %v: want none", o, err)
	}
	if _, err := RunAgain(ctx, h.clients, old, true); err != nil {
		t.Fatal(err)
	}
	if reqs := h.cloud.RunJobRequests(); len(reqs) != 1 || reqs[0].GetOverrides() != nil {
		t.Fatalf("RunJob requests %v", reqs)
	}
}

func TestCancelCancelsARunningExecution(t *testing.T) {
	h := newHarness(t)
	ctx := actionCtx(t)
	name := h.putAction(testJob+"-run01", fakecloud.Running, 5*time.Minute)
	if err := Cancel(ctx, h.clients, name); err != nil {
		t.Fatal(err)
	}
	if reqs := h.cloud.CancelExecutionRequests(); len(reqs) != 1 || reqs[0].GetName() != name {
		t.Fatalf("CancelExecution requests %v", reqs)
	}
	e, err := h.clients.Run.GetExecution(ctx, &runpb.GetExecutionRequest{Name: name})
	if err != nil || stateOf(e) != StateCancelled {
		t.Fatalf("after cancel: %v, %v", e, err)
	}
}

// Cancelling a finished execution is refused with how and when it ended,
// and the execution stays as it was.
func TestCancelOfAFinishedExecutionSaysHowItEnded(t *testing.T) {
	h := newHarness(t)
	ctx := actionCtx(t)
	name := h.putAction(testJob+"-x7k2p", fakecloud.Failed, 13*time.Minute) // completed 12m ago
	before, err := h.clients.Run.GetExecution(ctx, &runpb.GetExecutionRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	err = Cancel(ctx, h.clients, name)
	want := "vertex-ai-launcher-x7k2p already finished (failed 12m ago); only a running or pending execution can be cancelled"
	if !errors.Is(err, ErrAlreadyFinished) || err.Error() != want {
		t.Fatalf("%v: want %q", err, want)
	}
	after, err := h.clients.Run.GetExecution(ctx, &runpb.GetExecutionRequest{Name: name})
	if err != nil || !proto.Equal(before, after) {
		t.Fatalf("the finished execution changed: %v, %v", after, err)
	}
}

// A refusal for want of a permission names the permission and the roles
// that hold it.
func TestActionsNameThePermissionTheyLack(t *testing.T) {
	h := newHarness(t)
	ctx := actionCtx(t)
	plain := h.putAction(testJob+"-x7k2p", fakecloud.Running, 5*time.Minute)
	overridden := launcherJob(t, h)
	denied := status.Error(codes.PermissionDenied, "Permission denied on resource project acme-ml-prod.")
	h.cloud.SetActionError("RunJob", denied)
	h.cloud.SetActionError("CancelExecution", denied)

	for _, tc := range []struct {
		name string
		act  func() error
		want string
	}{
		{"run again", func() error { _, err := RunAgain(ctx, h.clients, plain, false); return err },
			"permission denied: running vertex-ai-launcher in us-west3 needs run.jobs.run (roles/run.invoker or roles/run.developer)"},
		{"run again with overrides", func() error { _, err := RunAgain(ctx, h.clients, overridden, true); return err },
			"permission denied: running vertex-ai-launcher in us-west3 needs run.jobs.runWithOverrides (roles/run.developer)"},
		{"cancel", func() error { return Cancel(ctx, h.clients, plain) },
			"permission denied: cancelling vertex-ai-launcher-x7k2p needs run.executions.cancel (roles/run.developer)"},
	} {
		err := tc.act()
		if err == nil || err.Error() != tc.want || status.Code(err) != codes.PermissionDenied {
			t.Errorf("%s: %v (code %v), want %q", tc.name, err, status.Code(err), tc.want)
		}
	}
	if e, _ := h.clients.Run.GetExecution(ctx, &runpb.GetExecutionRequest{Name: plain}); stateOf(e) != StateRunning {
		t.Fatalf("a refused cancel changed the execution: %v", stateOf(e))
	}
}

// An action on an execution whose job or execution Cloud Run does not have
// says which.
func TestActionsOnWhatCloudRunDoesNotHaveSayNotFound(t *testing.T) {
	h := newHarness(t)
	ctx := actionCtx(t)
	ghost := "projects/" + testProject + "/locations/us-east1/jobs/ghost/executions/ghost-aaaaa"
	if _, err := RunAgain(ctx, h.clients, ghost, false); err == nil || err.Error() != "job ghost not found in us-east1 (project acme-ml-prod)" {
		t.Errorf("run again: %v", err)
	}
	if err := Cancel(ctx, h.clients, ghost); err == nil || err.Error() != "ghost-aaaaa not found in us-east1 (project acme-ml-prod)" {
		t.Errorf("cancel: %v", err)
	}
	if len(h.cloud.RunJobRequests()) != 1 {
		t.Errorf("RunJob requests %v", h.cloud.RunJobRequests())
	}
}
