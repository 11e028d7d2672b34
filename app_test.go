package main

import (
	"slices"
	"testing"

	"runwatch/poller"
	"runwatch/ui/view"
)

func TestFlagsWinOverSavedSettings(t *testing.T) {
	w := watchFlags{project: "flag-project", regions: "asia-east1", top: 7, set: map[string]bool{"project": true, "regions": true}}
	cfg := w.merge(uiSettings("saved-project", []string{"us-east1"}, 3))
	if cfg.Project != "flag-project" || !slices.Equal(cfg.Regions, []string{"asia-east1"}) || cfg.Top != 3 {
		t.Fatalf("%+v", cfg)
	}
}

func uiSettings(project string, regions []string, top int) view.Settings {
	return view.Settings{Project: project, Job: "vertex-ai-launcher", Regions: regions, Top: top, Interval: poller.DefaultInterval}
}
