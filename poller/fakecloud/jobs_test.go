package fakecloud

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	run "cloud.google.com/go/run/apiv2"
	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/api/iterator"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// listJobs drains ListJobs for parent with the given page size.
func listJobs(ctx context.Context, jc *run.JobsClient, parent string, pageSize int32) ([]string, error) {
	var out []string
	it := jc.ListJobs(ctx, &runpb.ListJobsRequest{Parent: parent, PageSize: pageSize})
	for {
		j, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, j.GetName())
	}
}

// ListJobs knows the jobs put explicitly and those of the executions the
// fake has, of the parent's project and region only, over pages.
func TestListJobsKnowsJobsOfExecutionsAndPutJobs(t *testing.T) {
	c := startCloud(t)
	jc, err := run.NewJobsClient(context.Background(), clientOptions(c.RunAddr())...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = jc.Close() })
	putFinished(c, "us-west3", "e1", time.Now())
	c.PutJob(testProject, "us-west3", "nightly-train")
	c.PutJob(testProject, "us-east1", "elsewhere")
	c.PutJob("another-project", "us-west3", "theirs")
	c.SetRegionError("europe-west1", status.Error(codes.PermissionDenied, "run.jobs.list denied"))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	want := []string{
		"projects/" + testProject + "/locations/us-west3/jobs/nightly-train",
		"projects/" + testProject + "/locations/us-west3/jobs/" + testJob,
	}
	cases := []struct {
		name     string
		parent   string
		pageSize int32
		want     []string
		code     codes.Code
	}{
		{"one page", "projects/" + testProject + "/locations/us-west3", 0, want, codes.OK},
		{"pages of one", "projects/" + testProject + "/locations/us-west3", 1, want, codes.OK},
		{"a region without jobs", "projects/" + testProject + "/locations/asia-east1", 0, nil, codes.OK},
		{"a region that refuses", "projects/" + testProject + "/locations/europe-west1", 0, nil, codes.PermissionDenied},
		{"a job's name for a parent", "projects/" + testProject + "/locations/us-west3/jobs/x", 0, nil, codes.InvalidArgument},
		{"every location", "projects/" + testProject + "/locations/-", 0, nil, codes.InvalidArgument},
	}
	for _, tc := range cases {
		got, err := listJobs(ctx, jc, tc.parent, tc.pageSize)
		if status.Code(err) != tc.code || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %q, %v; want %q, %s", tc.name, got, err, tc.want, tc.code)
		}
	}
	if n := len(c.ListJobsRequests()); n < 7 {
		t.Errorf("%d ListJobs requests recorded", n)
	}
}
