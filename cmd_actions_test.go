package main

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	"runwatch/internal/testenv"
	"runwatch/poller"
	"runwatch/poller/fakecloud"
)

const (
	launcherJob  = "projects/p1/locations/us-west3/jobs/vertex-ai-launcher"
	launcherExec = launcherJob + "/executions/vertex-ai-launcher-x7k2p"
)

// actionCloud is a fake cloud in private directories, with no project or
// credentials in the environment, so a command that looked for them would
// fail the test rather than find the developer's.
func actionCloud(t *testing.T) (*fakecloud.Cloud, []string) {
	t.Helper()
	testenv.PrivateDirs(t)
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/credentials.json")
	t.Setenv("CLOUDSDK_CONFIG", t.TempDir())
	c, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c, []string{"--run-endpoint", c.RunAddr(), "--logging-endpoint", c.LoggingAddr()}
}

// readExecution reads an execution from the fake through the real client.
func readExecution(t *testing.T, c *fakecloud.Cloud, name string) *runpb.Execution {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	clients, err := poller.NewClients(ctx, poller.Endpoints{Run: c.RunAddr(), Logging: c.LoggingAddr()})
	if err != nil {
		t.Fatal(err)
	}
	defer clients.Close()
	e, err := clients.Run.GetExecution(ctx, &runpb.GetExecutionRequest{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func putLauncher(c *fakecloud.Cloud, state fakecloud.State, completedAgo time.Duration) {
	spec := fakecloud.ExecutionSpec{Project: "p1", Region: "us-west3", Job: "vertex-ai-launcher", ID: "vertex-ai-launcher-x7k2p",
		State: state, Created: time.Now().Add(-completedAgo - time.Minute)}
	if state != fakecloud.Running && state != fakecloud.Pending {
		spec.Completed = time.Now().Add(-completedAgo)
	}
	c.Put(spec)
}

var startedLine = regexp.MustCompile(`^started (vertex-ai-launcher-[a-z0-9]{5}) in us-west3 \(run again of vertex-ai-launcher-x7k2p\)\n$`)

func TestRerunMakesExactlyOneRunJobOfTheExecutionsJob(t *testing.T) {
	c, endpoints := actionCloud(t)
	putLauncher(c, fakecloud.Failed, 12*time.Minute)
	code, out, errOut := runCmd(t, "", append([]string{"rerun", launcherExec}, endpoints...)...)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	m := startedLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("stdout %q", out)
	}
	reqs := c.RunJobRequests()
	if len(reqs) != 1 || reqs[0].GetName() != launcherJob || reqs[0].GetOverrides() != nil {
		t.Fatalf("RunJob requests %v: want one of %s", reqs, launcherJob)
	}
	if e := readExecution(t, c, launcherJob+"/executions/"+m[1]); e.GetCompletionTime() != nil || e.GetRunningCount() != 1 {
		t.Fatalf("the new execution is not running: %v", e)
	}
}

func TestRerunWithOverridesPassesThemAndTheNewExecutionRunsWithThem(t *testing.T) {
	c, endpoints := actionCloud(t)
	c.PutJob("p1", "us-west3", "vertex-ai-launcher")
	old := fakecloud.ExecutionSpec{Project: "p1", Region: "us-west3", Job: "vertex-ai-launcher", ID: "vertex-ai-launcher-x7k2p",
		State: fakecloud.Failed, Created: time.Now().Add(-20 * time.Minute), Tasks: 4}.Build()
	old.Template.Containers[0].Args = []string{"--epochs", "3"}
	old.Template.Containers[0].Env = []*runpb.EnvVar{{Name: "LR", Values: &runpb.EnvVar_Value{Value: "0.1"}}}
	old.Template.Timeout = durationpb.New(20 * time.Minute)
	c.PutExecution(old)

	code, out, errOut := runCmd(t, "", append([]string{"rerun", launcherExec, "--with-overrides"}, endpoints...)...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	m := regexp.MustCompile(`^started (vertex-ai-launcher-[a-z0-9]{5}) in us-west3 \(run again of vertex-ai-launcher-x7k2p with args --epochs 3 · env LR=0.1 · 4 tasks · timeout 20m\)\n$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("stdout %q", out)
	}
	reqs := c.RunJobRequests()
	if len(reqs) != 1 || reqs[0].GetOverrides().GetTaskCount() != 4 || reqs[0].GetOverrides().GetTimeout().AsDuration() != 20*time.Minute ||
		len(reqs[0].GetOverrides().GetContainerOverrides()) != 1 {
		t.Fatalf("RunJob requests %v", reqs)
	}
	e := readExecution(t, c, launcherJob+"/executions/"+m[1])
	container := e.GetTemplate().GetContainers()[0]
	if !slices.Equal(container.GetArgs(), []string{"--epochs", "3"}) || len(container.GetEnv()) != 1 || container.GetEnv()[0].GetValue() != "0.1" ||
		e.GetTaskCount() != 4 || e.GetTemplate().GetTimeout().AsDuration() != 20*time.Minute {
		t.Fatalf("the new execution ran with args %q, env %v, %d tasks, timeout %v", container.GetArgs(), container.GetEnv(), e.GetTaskCount(), e.GetTemplate().GetTimeout().AsDuration())
	}
}

func TestCancelOfARunningExecutionMakesOneCancelAndCancelsIt(t *testing.T) {
	c, endpoints := actionCloud(t)
	putLauncher(c, fakecloud.Running, 0)
	code, out, errOut := runCmd(t, "", append([]string{"cancel", launcherExec}, endpoints...)...)
	if code != 0 || out != "cancelled vertex-ai-launcher-x7k2p in us-west3\n" || errOut != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if reqs := c.CancelExecutionRequests(); len(reqs) != 1 || reqs[0].GetName() != launcherExec {
		t.Fatalf("CancelExecution requests %v", reqs)
	}
	e := readExecution(t, c, launcherExec)
	if e.GetCompletionTime() == nil || e.GetCancelledCount() != 1 || e.GetConditions()[0].GetExecutionReason() != runpb.Condition_CANCELLED {
		t.Fatalf("not cancelled: %v", e)
	}
}

func TestCancelOfAFinishedExecutionExits1AndChangesNothing(t *testing.T) {
	c, endpoints := actionCloud(t)
	putLauncher(c, fakecloud.Failed, 12*time.Minute)
	before := readExecution(t, c, launcherExec)
	code, out, errOut := runCmd(t, "", append([]string{"cancel", launcherExec}, endpoints...)...)
	want := "runwatch cancel: vertex-ai-launcher-x7k2p already finished (failed 12m ago); only a running or pending execution can be cancelled\n"
	if code != 1 || out != "" || errOut != want {
		t.Fatalf("exit %d, stdout %q, stderr %q: want 1 and %q", code, out, errOut, want)
	}
	if after := readExecution(t, c, launcherExec); after.GetUpdateTime().AsTime() != before.GetUpdateTime().AsTime() || after.GetCancelledCount() != 0 {
		t.Fatalf("the finished execution changed: %v", after)
	}
}

func TestActionCommandsNameThePermissionTheyLack(t *testing.T) {
	c, endpoints := actionCloud(t)
	putLauncher(c, fakecloud.Running, 0)
	denied := status.Error(codes.PermissionDenied, "Permission 'run.jobs.run' denied on resource")
	c.SetActionError("RunJob", denied)
	c.SetActionError("CancelExecution", denied)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"rerun", launcherExec}, "runwatch rerun: permission denied: running vertex-ai-launcher in us-west3 needs run.jobs.run (roles/run.invoker or roles/run.developer)\n"},
		{[]string{"cancel", launcherExec}, "runwatch cancel: permission denied: cancelling vertex-ai-launcher-x7k2p needs run.executions.cancel (roles/run.developer)\n"},
	} {
		code, out, errOut := runCmd(t, "", append(tc.args, endpoints...)...)
		if code != 1 || out != "" || errOut != tc.want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q: want 1 and %q", tc.args, code, out, errOut, tc.want)
		}
	}
}

// A malformed EXECUTION is a bad argument: exit 2 with the usage, before a
// project is looked for or Cloud Run is asked anything.
func TestMalformedExecutionExits2WithoutAProject(t *testing.T) {
	c, endpoints := actionCloud(t)
	for _, args := range [][]string{
		{"rerun", "vertex-ai-launcher-x7k2p"},
		{"rerun", "us-west3/launcher"},
		{"cancel", "projects/p1/locations/us-west3/jobs/vertex-ai-launcher"},
		{"cancel", "projects/p1/regions/us-west3/jobs/j/executions/j-abcde"},
		{"cancel"},
		{"rerun", "us-west3/a-b", "us-west3/a-c"},
		{"cancel", launcherExec, "--project", "p2"},
		{"rerun", "us-west3/vertex-ai-launcher-x7k2p", "--bogus"},
		{"cancel", "us-west3/vertex-ai-launcher-x7k2p", "--run-endpoint", c.RunAddr()},
	} {
		if !slices.Contains(args, "--run-endpoint") {
			args = append(args, endpoints...)
		}
		code, out, errOut := runCmd(t, "", args...)
		if code != 2 || out != "" || !strings.HasPrefix(errOut, "runwatch "+args[0]+": ") {
			t.Errorf("%q: exit %d, stdout %q, stderr %q: want 2", args, code, out, errOut)
		}
		if !strings.Contains(errOut, "usage: runwatch "+args[0]) && !strings.Contains(errOut, "--help") {
			t.Errorf("%q: stderr %q names neither the usage nor --help", args, errOut)
		}
	}
	if n, m := len(c.RunJobRequests()), len(c.CancelExecutionRequests()); n+m != 0 {
		t.Fatalf("%d RunJob and %d CancelExecution requests for bad arguments", n, m)
	}
	// Help is not an error.
	if code, out, _ := runCmd(t, "", "rerun", "--help"); code != 0 || !strings.Contains(out, "run.jobs.runWithOverrides") || strings.Contains(out, "run-endpoint") {
		t.Fatalf("help: exit %d, stdout %q", code, out)
	}
}

// REGION/EXECUTION takes its project from --project and its job from the
// execution ID; without a project it says how to give one.
func TestRegionSlashExecutionWithProjectWorks(t *testing.T) {
	c, endpoints := actionCloud(t)
	putLauncher(c, fakecloud.Running, 0)
	short := "us-west3/vertex-ai-launcher-x7k2p"

	code, out, errOut := runCmd(t, "", append([]string{"rerun", short, "--project", "p1"}, endpoints...)...)
	if code != 0 || !startedLine.MatchString(out) {
		t.Fatalf("rerun: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if reqs := c.RunJobRequests(); len(reqs) != 1 || reqs[0].GetName() != launcherJob {
		t.Fatalf("RunJob requests %v", reqs)
	}
	code, out, errOut = runCmd(t, "", append([]string{"cancel", "--project", "p1", short}, endpoints...)...)
	if code != 0 || out != "cancelled vertex-ai-launcher-x7k2p in us-west3\n" {
		t.Fatalf("cancel: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if reqs := c.CancelExecutionRequests(); len(reqs) != 1 || reqs[0].GetName() != launcherExec {
		t.Fatalf("CancelExecution requests %v", reqs)
	}

	code, _, errOut = runCmd(t, "", append([]string{"cancel", short}, endpoints...)...)
	if code != 1 || !strings.Contains(errOut, "--project") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("without a project: exit %d, stderr %q", code, errOut)
	}
}

// A --project that is no project ID (a list as status takes, a typo with
// a slash or capitals) is a bad argument like a malformed EXECUTION: exit
// 2, naming --project, not exit 1 blaming the execution the person typed
// right ("\"projects/p1,p2/…\" is not an execution").
func TestABadProjectIsABadArgumentThatNamesTheProject(t *testing.T) {
	c, endpoints := actionCloud(t)
	putLauncher(c, fakecloud.Running, 0)
	for _, project := range []string{"p1,p2", "P1", "p1/x"} {
		for _, command := range []string{"rerun", "cancel"} {
			args := append([]string{command, "us-west3/vertex-ai-launcher-x7k2p", "--project", project}, endpoints...)
			code, out, errOut := runCmd(t, "", args...)
			if code != 2 || out != "" || !strings.Contains(errOut, "--project") || strings.Contains(errOut, "is not an execution") {
				t.Errorf("%s --project %q: exit %d, stdout %q, stderr %q: want 2 and --project named", command, project, code, out, errOut)
			}
		}
	}
}
