package fakecloud

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	run "cloud.google.com/go/run/apiv2"
	"cloud.google.com/go/run/apiv2/runpb"
	"github.com/googleapis/gax-go/v2/apierror"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

const (
	testProject = "acme-ml-prod"
	testJob     = "vertex-ai-launcher"
)

var base = time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)

func startCloud(t *testing.T) *Cloud {
	t.Helper()
	c, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// clientOptions connect a real client library to the fake at addr.
func clientOptions(addr string) []option.ClientOption {
	return []option.ClientOption{
		option.WithEndpoint(addr),
		option.WithoutAuthentication(),
		option.WithGRPCDialOption(grpc.WithTransportCredentials(insecure.NewCredentials())),
	}
}

func runClient(t *testing.T, c *Cloud) *run.ExecutionsClient {
	t.Helper()
	rc, err := run.NewExecutionsClient(context.Background(), clientOptions(c.RunAddr())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = rc.Close() })
	return rc
}

func parent(region string) string {
	return jobName{testProject, region, testJob}.String()
}

// putFinished puts a succeeded execution of testJob created at created.
func putFinished(c *Cloud, region, id string, created time.Time) *runpb.Execution {
	e := ExecutionSpec{Project: testProject, Region: region, Job: testJob, ID: id, State: Succeeded, Created: created}.Build()
	c.PutExecution(e)
	return e
}

// listAll drains ListExecutions for parent with the given page size.
func listAll(ctx context.Context, rc *run.ExecutionsClient, parent string, pageSize int32) ([]*runpb.Execution, error) {
	return drain(rc.ListExecutions(ctx, &runpb.ListExecutionsRequest{Parent: parent, PageSize: pageSize}).Next)
}

func TestListExecutionsPagesNewestFirst(t *testing.T) {
	c := startCloud(t)
	var want []*runpb.Execution // newest first
	for i := range 7 {
		e := putFinished(c, "us-central1", fmt.Sprintf("%s-%05d", testJob, i), base.Add(time.Duration(i)*time.Minute))
		want = append([]*runpb.Execution{e}, want...)
	}
	putFinished(c, "europe-west1", testJob+"-other", base) // another region: not listed
	c.PutExecution(ExecutionSpec{Project: testProject, Region: "us-central1", Job: "other-job", ID: "other-job-x", Created: base}.Build())

	got, err := listAll(context.Background(), runClient(t, c), parent("us-central1"), 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d executions, want %d", len(got), len(want))
	}
	for i := range want {
		if !proto.Equal(got[i], want[i]) {
			t.Errorf("execution %d = %s, want %s", i, got[i].GetName(), want[i].GetName())
		}
	}
	reqs := c.ListExecutionsRequests()
	if len(reqs) != 3 {
		t.Fatalf("fake saw %d ListExecutions requests, want 3 (pages of 3, 3, 1)", len(reqs))
	}
	for i, r := range reqs {
		if r.GetParent() != parent("us-central1") || r.GetPageSize() != 3 {
			t.Errorf("request %d: parent %q page_size %d", i, r.GetParent(), r.GetPageSize())
		}
		if (i == 0) != (r.GetPageToken() == "") {
			t.Errorf("request %d: page_token %q", i, r.GetPageToken())
		}
	}
}

func TestListExecutionsUnknownJobIsEmpty(t *testing.T) {
	c := startCloud(t)
	putFinished(c, "us-central1", testJob+"-a", base)
	got, err := listAll(context.Background(), runClient(t, c), jobName{testProject, "us-central1", "nope"}.String(), 0)
	if err != nil || len(got) != 0 {
		t.Fatalf("got %d executions, err %v; want none, no error", len(got), err)
	}
}

func TestListExecutionsRejectsBadRequests(t *testing.T) {
	c := startCloud(t)
	putFinished(c, "us-central1", testJob+"-a", base)
	putFinished(c, "us-central1", testJob+"-b", base.Add(time.Minute))
	rc := runClient(t, c)
	ctx := context.Background()

	// A real token, made for another parent.
	it := rc.ListExecutions(ctx, &runpb.ListExecutionsRequest{Parent: parent("us-central1"), PageSize: 1})
	if _, err := it.Next(); err != nil {
		t.Fatal(err)
	}
	foreign := it.PageInfo().Token
	if foreign == "" {
		t.Fatal("no next_page_token after the first of two executions")
	}

	for _, req := range []*runpb.ListExecutionsRequest{
		{Parent: "projects/" + testProject + "/locations/us-central1"},
		{Parent: "projects/p/locations/r/jobs/j/executions/e"},
		{Parent: parent("us-central1"), PageToken: "not a token"},
		{Parent: parent("europe-west1"), PageToken: foreign},
	} {
		_, err := rc.ListExecutions(ctx, req).Next()
		if status.Code(err) != codes.InvalidArgument {
			t.Errorf("ListExecutions(%v): %v, want InvalidArgument", req, err)
		}
	}
}

func TestGetExecution(t *testing.T) {
	c := startCloud(t)
	want := putFinished(c, "us-central1", testJob+"-a", base)
	rc := runClient(t, c)
	got, err := rc.GetExecution(context.Background(), &runpb.GetExecutionRequest{Name: want.GetName()})
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(got, want) {
		t.Errorf("GetExecution = %v, want %v", got, want)
	}
	_, err = rc.GetExecution(context.Background(), &runpb.GetExecutionRequest{Name: want.GetName() + "x"})
	if status.Code(err) != codes.NotFound {
		t.Errorf("GetExecution of a missing execution: %v, want NotFound", err)
	}
}

func TestRegionLatencyDelaysOnlyThatRegion(t *testing.T) {
	c := startCloud(t)
	const latency = 300 * time.Millisecond
	c.SetRegionLatency("europe-west1", latency)
	putFinished(c, "europe-west1", testJob+"-a", base)
	rc := runClient(t, c)

	start := time.Now()
	got, err := listAll(context.Background(), rc, parent("europe-west1"), 0)
	if err != nil || len(got) != 1 {
		t.Fatalf("slow region: %d executions, %v", len(got), err)
	}
	if d := time.Since(start); d < latency {
		t.Errorf("slow region answered in %v, want at least %v", d, latency)
	}
	start = time.Now()
	if _, err := listAll(context.Background(), rc, parent("us-central1"), 0); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d >= latency {
		t.Errorf("other region took %v, want less than the injected %v", d, latency)
	}
}

func TestRegionLatencyRespectsClientDeadline(t *testing.T) {
	c := startCloud(t)
	c.SetRegionLatency("europe-west1", time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := listAll(ctx, runClient(t, c), parent("europe-west1"), 0)
	if status.Code(err) != codes.DeadlineExceeded {
		t.Errorf("got %v, want DeadlineExceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("call took %v despite a 100ms deadline", d)
	}
}

func TestRegionErrorReturnedAsGRPCCode(t *testing.T) {
	c := startCloud(t)
	putFinished(c, "us-central1", testJob+"-a", base)
	c.SetRegionError("asia-east1", status.Error(codes.PermissionDenied, "Permission 'run.executions.list' denied"))
	rc := runClient(t, c)
	ctx := context.Background()

	_, err := listAll(ctx, rc, parent("asia-east1"), 0)
	if status.Code(err) != codes.PermissionDenied {
		t.Fatalf("got %v, want PermissionDenied", err)
	}
	var ae *apierror.APIError
	if !errors.As(err, &ae) || ae.GRPCStatus().Code() != codes.PermissionDenied {
		t.Errorf("error %v is not an apierror with code PermissionDenied", err)
	}
	if got, err := listAll(ctx, rc, parent("us-central1"), 0); err != nil || len(got) != 1 {
		t.Errorf("healthy region: %d executions, %v", len(got), err)
	}
	c.SetRegionError("asia-east1", nil)
	if _, err := listAll(ctx, rc, parent("asia-east1"), 0); err != nil {
		t.Errorf("after clearing the error: %v", err)
	}
}

func TestRegionHangEndsWithClientContext(t *testing.T) {
	c := startCloud(t)
	c.SetRegionHang("us-east4")
	e := putFinished(c, "us-east4", testJob+"-a", base)
	rc := runClient(t, c)

	for name, call := range map[string]func(context.Context) error{
		"list": func(ctx context.Context) error { _, err := listAll(ctx, rc, parent("us-east4"), 0); return err },
		"get": func(ctx context.Context) error {
			_, err := rc.GetExecution(ctx, &runpb.GetExecutionRequest{Name: e.GetName()})
			return err
		},
	} {
		start := time.Now() // before the deadline is set, so the call cannot seem to end early
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		err := call(ctx)
		cancel()
		if status.Code(err) != codes.DeadlineExceeded {
			t.Errorf("%s: got %v, want DeadlineExceeded", name, err)
		}
		if d := time.Since(start); d < 200*time.Millisecond || d > 5*time.Second {
			t.Errorf("%s: hung call returned after %v, want about 200ms", name, d)
		}
	}

	c.ClearRegionFaults("us-east4")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if got, err := listAll(ctx, rc, parent("us-east4"), 0); err != nil || len(got) != 1 {
		t.Errorf("after clearing the hang: %d executions, %v", len(got), err)
	}
}

func TestCloseEndsHangingCalls(t *testing.T) {
	c := startCloud(t)
	c.SetRegionHang("us-east4")
	rc := runClient(t, c)
	errc := make(chan error, 1)
	go func() {
		_, err := listAll(context.Background(), rc, parent("us-east4"), 0)
		errc <- err
	}()
	time.Sleep(100 * time.Millisecond) // let the call reach the server
	c.Close()
	select {
	case err := <-errc:
		if err == nil {
			t.Error("hanging call succeeded after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("hanging call still running 5s after Close")
	}
}

// drain reads an iterator of the Google client libraries to its end.
func drain[T any](next func() (T, error)) ([]T, error) {
	var out []T
	for {
		v, err := next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
}
