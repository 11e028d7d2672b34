package startup

import (
	"slices"
	"testing"

	"runwatch/poller"
	"runwatch/ui/view"
)

func TestFlagsWinOverSavedSettings(t *testing.T) {
	f := Flags{Project: "flag-project", Regions: "asia-east1", Top: 7, Given: map[string]bool{"project": true, "regions": true}}
	saved := view.Settings{Project: "saved-project", Job: "vertex-ai-launcher", Regions: []string{"us-east1"}, Top: 3, Interval: poller.DefaultInterval}
	cfg := f.Merge(saved)
	if cfg.Project != "flag-project" || !slices.Equal(cfg.Regions, []string{"asia-east1"}) || cfg.Top != 3 {
		t.Fatalf("%+v", cfg)
	}
}
