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
)

// Config says what to watch.
type Config struct {
	Project  string
	Job      string
	Regions  []string
	Top      int           // how many of the newest executions to show
	Interval time.Duration // time between refreshes of the app
}

// WithDefaults fills the zero fields and tidies the region list.
func (c Config) WithDefaults() Config {
	if c.Job == "" {
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
	return c
}

// Validate says what a person must fix before polling can start.
func (c Config) Validate() error {
	if c.Project == "" {
		return fmt.Errorf("no Google Cloud project: pass --project or set GOOGLE_CLOUD_PROJECT")
	}
	if strings.ContainsAny(c.Project+c.Job, `/" `) {
		return fmt.Errorf("project %q or job %q holds a character a resource name cannot", c.Project, c.Job)
	}
	for _, r := range c.Regions {
		if strings.ContainsAny(r, `/" `) || r == "" {
			return fmt.Errorf("region %q is not a region name", r)
		}
	}
	return nil
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

// jobParent is the Cloud Run v2 name of the job in one region.
func (c Config) jobParent(region string) string {
	return fmt.Sprintf("projects/%s/locations/%s/jobs/%s", c.Project, region, c.Job)
}
