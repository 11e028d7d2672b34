package main

import (
	"slices"
	"testing"

	"runwatch/poller"
	"runwatch/ui"
)

func TestBaselineForNewSettings(t *testing.T) {
	base := poller.Config{Project: "p", Job: "j", Regions: []string{"us-east1", "us-west1"}}
	cases := []struct {
		name    string
		after   poller.Config
		demo    bool
		all     bool
		newOnes []string
	}{
		{"same", base, false, false, nil},
		{"other project", poller.Config{Project: "q", Job: "j", Regions: base.Regions}, false, true, nil},
		{"other job", poller.Config{Project: "p", Job: "k", Regions: base.Regions}, false, true, nil},
		{"region added", poller.Config{Project: "p", Job: "j", Regions: []string{"us-east1", "europe-west4", "us-west1"}}, false, false, []string{"europe-west4"}},
		{"region removed", poller.Config{Project: "p", Job: "j", Regions: []string{"us-east1"}}, false, false, nil},
		{"demo", base, true, true, nil},
	}
	for _, c := range cases {
		got := baselineFor(base, c.after, c.demo)
		if got.Baseline != c.all || !slices.Equal(got.BaselineRegions, c.newOnes) {
			t.Errorf("%s: %+v", c.name, got)
		}
	}
}

func TestFlagsWinOverSavedSettings(t *testing.T) {
	w := watchFlags{project: "flag-project", regions: "asia-east1", top: 7, set: map[string]bool{"project": true, "regions": true}}
	cfg := w.merge(uiSettings("saved-project", []string{"us-east1"}, 3))
	if cfg.Project != "flag-project" || !slices.Equal(cfg.Regions, []string{"asia-east1"}) || cfg.Top != 3 {
		t.Fatalf("%+v", cfg)
	}
}

func uiSettings(project string, regions []string, top int) ui.Settings {
	return ui.Settings{Project: project, Job: "vertex-ai-launcher", Regions: regions, Top: top, Interval: poller.DefaultInterval}
}
