package startup

import (
	"slices"
	"testing"

	"runwatch/poller"
	"runwatch/ui/view"
)

// Given flags win over saved settings for the run, and WatchArgs starts
// the same app again. --all-jobs is a Go boolean flag: --all-jobs=false is
// given as much as --all-jobs, and says to watch the named job(s) although
// the saved settings watch every job.
func TestAllJobsFalseGivenWinsOverSavedAllJobs(t *testing.T) {
	f, err := parseApp(t, nil, "--all-jobs=false")
	if err != nil {
		t.Fatal(err)
	}
	saved := view.Settings{Project: "p", Job: "nightly-train", AllJobs: true, Regions: []string{"us-east1"}, Top: 3, Interval: poller.DefaultInterval}
	if cfg := f.Merge(saved); cfg.AllJobs {
		t.Errorf("--all-jobs=false over saved settings watching every job: Merge %+v watches every job", cfg)
	}
	if got := f.WatchArgs(); !slices.Contains(got, "--all-jobs=false") {
		t.Errorf("WatchArgs %q: the autostart entry drops --all-jobs=false and starts watching every job", got)
	}
}
