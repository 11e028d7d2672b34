package poller

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"cloud.google.com/go/run/apiv2/runpb"
	"google.golang.org/api/iterator"
)

// A region's jobs are read in pages of jobsPerRegion, at most jobPagesMax
// of them, once per project and job.
const (
	jobsPerRegion = 100
	jobPagesMax   = 10
)

// jobCheck is what Cloud Run's ListJobs said of the watched job.
type jobCheck struct {
	missing bool
	others  []string // the jobs it knows, by short name, sorted
}

// checkJob tells a watched job that lists no execution in any region that
// answered from a job that does not exist (a mistyped name): once per
// project and job, it asks ListJobs in those regions, one page each. A job
// that exists is one that has no executions yet. A region whose ListJobs
// fails may have the job: the job is then taken for existing, and asked
// again at the next refresh unless the refusal is for good (no
// run.jobs.list permission).
func (p *Poller) checkJob(ctx context.Context, listings []regionListing, snap *Snapshot) {
	if len(snap.Executions) > 0 {
		return // a region that did not answer now listed some before
	}
	var answered []string
	for _, l := range listings {
		if l.err != nil {
			continue
		}
		if len(l.executions) > 0 || len(l.followed) > 0 {
			return // the job exists
		}
		answered = append(answered, l.region)
	}
	if len(answered) == 0 || p.jobs == nil {
		return
	}
	if p.jobCheck == nil {
		check, err := p.listJobs(ctx, answered)
		if err != nil && !refusedForGood(err) && !errors.Is(err, errTooManyJobs) {
			return // asked again at the next refresh that lists nothing
		}
		p.jobCheck = &check
	}
	snap.JobMissing, snap.OtherJobs = p.jobCheck.missing, slices.Clone(p.jobCheck.others)
}

// listJobs asks ListJobs in regions at once, each within the list timeout,
// and says whether the watched job is among the jobs there. When a region
// fails, the job may be there: it returns the first error, the job not
// missing.
func (p *Poller) listJobs(ctx context.Context, regions []string) (jobCheck, error) {
	names := make([][]string, len(regions))
	errs := make([]error, len(regions))
	var wg sync.WaitGroup
	for i, region := range regions {
		wg.Go(func() {
			names[i], errs[i] = p.listRegionJobs(ctx, region)
		})
	}
	wg.Wait()
	var check jobCheck
	for _, err := range errs {
		if err != nil {
			return check, err
		}
	}
	for _, ns := range names {
		for _, name := range ns {
			if !slices.Contains(check.others, name) {
				check.others = append(check.others, name)
			}
		}
	}
	check.missing = !slices.Contains(check.others, p.cfg.Job)
	check.others = slices.DeleteFunc(check.others, func(n string) bool { return n == p.cfg.Job })
	slices.Sort(check.others)
	return check, nil
}

// listRegionJobs returns the short names of the project's jobs in region,
// following ListJobs' pages up to jobPagesMax; more than that (a project
// with thousands of jobs) is an error, so the job is not called missing
// from a partial list.
func (p *Poller) listRegionJobs(ctx context.Context, region string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, p.listTimeout)
	defer cancel()
	req := &runpb.ListJobsRequest{Parent: fmt.Sprintf("projects/%s/locations/%s", p.cfg.Project, region), PageSize: jobsPerRegion}
	pager := iterator.NewPager(p.jobs.ListJobs(ctx, req), jobsPerRegion, "")
	var out []string
	for range jobPagesMax {
		var page []*runpb.Job
		next, err := pager.NextPage(&page)
		if err != nil && !errors.Is(err, iterator.Done) {
			return nil, fmt.Errorf("list jobs in %s: %w", region, err)
		}
		for _, j := range page {
			out = append(out, shortName(j.GetName()))
		}
		if next == "" {
			return out, nil
		}
	}
	return nil, fmt.Errorf("list jobs in %s: %w", region, errTooManyJobs)
}

// errTooManyJobs: a region holds more jobs than are read; the job is then
// taken for existing, and not asked again for this configuration.
var errTooManyJobs = fmt.Errorf("more than %d jobs", jobsPerRegion*jobPagesMax)
