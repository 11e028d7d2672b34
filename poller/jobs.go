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

// jobCheck is what Cloud Run's ListJobs said of a project's jobs.
type jobCheck struct {
	known bool     // names are all the jobs in the regions asked
	names []string // the jobs it knows, by short name, sorted
}

// checkJob tells a watched job that lists no execution in any region that
// answered from a job that does not exist (a mistyped name): once per
// project and configuration, it asks ListJobs in those regions, one page
// each. A job that exists is one that has no executions yet. A region
// whose ListJobs fails may have the job: the job is then taken for
// existing, and asked again at the next refresh unless the refusal is for
// good (no run.jobs.list permission). With every job watched, no job can
// be missing.
func (p *Poller) checkJob(ctx context.Context, listings []regionListing, snap *Snapshot) {
	if p.cfg.AllJobs || p.jobs == nil {
		return
	}
	listedSome := map[JobRef]bool{}
	answered := map[string][]string{} // project → regions that answered
	for _, l := range listings {
		if l.err != nil {
			continue
		}
		if len(l.executions) > 0 || len(l.followed) > 0 {
			listedSome[JobRef{l.project, l.job}] = true
		}
		if !slices.Contains(answered[l.project], l.region) {
			answered[l.project] = append(answered[l.project], l.region)
		}
	}
	for _, e := range snap.Executions { // a region that did not answer now listed some before
		listedSome[JobRef{e.Project, e.Job}] = true
	}
	watched, missing := 0, 0
	var others []string
	for _, project := range p.cfg.Projects() {
		var quiet []string
		for _, job := range p.cfg.Jobs() {
			watched++
			if !listedSome[JobRef{project, job}] {
				quiet = append(quiet, job)
			}
		}
		if len(quiet) == 0 || len(answered[project]) == 0 {
			continue
		}
		check := p.jobChecks[project]
		if check == nil {
			names, err := p.listJobs(ctx, project, answered[project])
			if err != nil && !refusedForGood(err) && !errors.Is(err, errTooManyJobs) {
				continue // asked again at the next refresh that lists nothing
			}
			check = &jobCheck{known: err == nil, names: names}
			p.jobChecks[project] = check
		}
		if !check.known {
			continue
		}
		for _, job := range quiet {
			if !slices.Contains(check.names, job) {
				snap.MissingJobs = append(snap.MissingJobs, JobRef{project, job})
				missing++
			}
		}
		for _, name := range check.names {
			if !slices.Contains(p.cfg.Jobs(), name) && !slices.Contains(others, name) {
				others = append(others, name)
			}
		}
	}
	slices.Sort(others)
	snap.OtherJobs = others
	snap.JobMissing = missing > 0 && missing == watched && len(snap.Executions) == 0
}

// listJobs asks ListJobs in a project's regions at once, each within the
// list timeout, and returns the jobs there by short name, sorted. When a
// region fails, a job may be there: it returns the first error.
func (p *Poller) listJobs(ctx context.Context, project string, regions []string) ([]string, error) {
	names := make([][]string, len(regions))
	errs := make([]error, len(regions))
	var wg sync.WaitGroup
	for i, region := range regions {
		wg.Go(func() {
			names[i], errs[i] = p.listRegionJobs(ctx, project, region)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	var out []string
	for _, ns := range names {
		for _, name := range ns {
			if !slices.Contains(out, name) {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return out, nil
}

// listRegionJobs returns the short names of the project's jobs in region,
// following ListJobs' pages up to jobPagesMax; more than that (a project
// with thousands of jobs) is an error, so the job is not called missing
// from a partial list.
func (p *Poller) listRegionJobs(ctx context.Context, project, region string) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, p.listTimeout)
	defer cancel()
	req := &runpb.ListJobsRequest{Parent: fmt.Sprintf("projects/%s/locations/%s", project, region), PageSize: jobsPerRegion}
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
