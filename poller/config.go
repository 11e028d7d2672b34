// Package poller builds the picture runwatch shows: the newest Cloud Run job
// executions over many regions, each failure's error read once from Cloud
// Logging and remembered for ever. It knows the Google clients and the
// memory, not widgets.
package poller

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// DefaultJob is the Cloud Run job runwatch was built for.
const DefaultJob = "vertex-ai-launcher"

// DefaultRegions are the regions the launcher job is deployed to.
func DefaultRegions() []string {
	return []string{
		"us-central1", "us-east1", "us-east4", "us-east5", "us-south1",
		"us-west1", "us-west2", "us-west3", "us-west4", "northamerica-northeast1",
		"europe-west1", "europe-west2", "europe-west3", "europe-west4", "europe-north1",
		"asia-east1", "asia-northeast1", "asia-southeast1",
	}
}

// Defaults for the Config fields left zero.
const (
	DefaultTop      = 5
	DefaultInterval = 30 * time.Second
	// MinInterval keeps a mistyped setting from hammering the API.
	MinInterval = 2 * time.Second
	// MaxTop is the most executions runwatch shows.
	MaxTop = 50
	// DefaultReconcileInterval is the time between refreshes in team mode
	// while Pub/Sub's events flow: they bring every end of an execution,
	// and the refresh only finds running ones and anything missed.
	DefaultReconcileInterval = 5 * time.Minute
)

// Config says what to watch.
type Config struct {
	// Project is one Google Cloud project or a comma-separated list of them.
	Project string
	// Job is one Cloud Run job or a comma-separated list of them; AllJobs
	// watches every job of each project instead (one jobs/- listing per
	// project and region).
	Job      string
	AllJobs  bool
	Regions  []string
	Top      int           // how many of the newest executions to show
	Interval time.Duration // time between refreshes of the app
	// Team is team mode: the ends of executions come from Pub/Sub (see
	// Watcher.UseFeed), and while they flow the refreshes come every
	// ReconcileInterval instead of every Interval.
	Team bool
	// ReconcileInterval is the time between refreshes while team mode's
	// events flow; DefaultReconcileInterval when zero, never below
	// Interval.
	ReconcileInterval time.Duration
}

// WithDefaults fills the zero fields and tidies the region list.
func (c Config) WithDefaults() Config {
	c.Project = strings.Join(ParseList(c.Project), ",")
	c.Job = strings.Join(ParseList(c.Job), ",")
	if c.Job == "" && !c.AllJobs {
		c.Job = DefaultJob
	}
	if len(c.Regions) == 0 {
		c.Regions = DefaultRegions()
	}
	c.Regions = tidyRegions(c.Regions)
	if c.Top <= 0 {
		c.Top = DefaultTop
	}
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	c.Interval = max(c.Interval, MinInterval)
	if c.ReconcileInterval <= 0 {
		c.ReconcileInterval = DefaultReconcileInterval
	}
	c.ReconcileInterval = max(c.ReconcileInterval, c.Interval)
	return c
}

// Validate says what a person must fix before polling can start.
func (c Config) Validate() error {
	if c.Project == "" {
		return fmt.Errorf("no Google Cloud project: pass --project or set GOOGLE_CLOUD_PROJECT")
	}
	for _, name := range slices.Concat(c.Projects(), c.Jobs()) {
		if strings.ContainsAny(name, `/" `) || name == AllJobsName {
			return fmt.Errorf("project or job %q holds a character a resource name cannot", name)
		}
	}
	for _, r := range c.Regions {
		if strings.ContainsAny(r, `/" `) || r == "" {
			return fmt.Errorf("region %q is not a region name", r)
		}
	}
	return nil
}

// AllJobsName stands for every job of a project in a Cloud Run listing's
// parent (projects/P/locations/R/jobs/-).
const AllJobsName = "-"

// Projects returns the watched projects, in the order given.
func (c Config) Projects() []string { return ParseList(c.Project) }

// Jobs returns the watched jobs by name, in the order given; none with
// AllJobs.
func (c Config) Jobs() []string {
	if c.AllJobs {
		return nil
	}
	return ParseList(c.Job)
}

// JobsLabel names what is watched of each project: "vertex-ai-launcher",
// "nightly-train, etl-daily" or "all jobs".
func (c Config) JobsLabel() string {
	if c.AllJobs {
		return "all jobs"
	}
	return strings.Join(c.Jobs(), ", ")
}

// Watches reports whether the configuration watches the scope's job of
// its project in its region.
func (c Config) Watches(project, job, region string) bool {
	if !slices.Contains(c.Projects(), project) || !slices.Contains(c.Regions, region) {
		return false
	}
	if c.AllJobs {
		return true
	}
	return slices.Contains(c.Jobs(), job)
}

// ParseList reads a comma- or space-separated list of names, trimmed and
// de-duplicated, in the order given.
func ParseList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// ParseRegions reads a comma- or space-separated region list.
func ParseRegions(s string) []string {
	return tidyRegions(strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }))
}

// tidyRegions trims, lower-cases and de-duplicates, keeping the order given.
func tidyRegions(in []string) []string {
	var out []string
	for _, r := range in {
		r = strings.ToLower(strings.TrimSpace(r))
		if r != "" && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// target is one listing a refresh asks for: a job of a project in a
// region, or every job there (job AllJobsName).
type target struct{ project, job, region string }

// parent is the listing's Cloud Run v2 parent.
func (t target) parent() string {
	return fmt.Sprintf("projects/%s/locations/%s/jobs/%s", t.project, t.region, t.job)
}

// allJobs reports whether the target lists every job of its project.
func (t target) allJobs() bool { return t.job == AllJobsName }

// targets are the listings one refresh asks for: per project and region,
// one for every job (AllJobs), else one per job named.
func (c Config) targets() []target {
	var out []target
	for _, project := range c.Projects() {
		for _, region := range c.Regions {
			if c.AllJobs {
				out = append(out, target{project, AllJobsName, region})
				continue
			}
			for _, job := range c.Jobs() {
				out = append(out, target{project, job, region})
			}
		}
	}
	return out
}
