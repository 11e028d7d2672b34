package startup

import (
	"slices"
	"testing"

	"runwatch/poller"
	"runwatch/ui/view"
)

// The team mode setting is read from the settings; --team, given either
// way, wins over it for the run, and the autostart entry keeps it.
func TestTeamFlagWinsOverTheSettingAndIsKept(t *testing.T) {
	saved := view.Settings{Project: "p", Job: "j", Regions: []string{"us-east1"}, Top: 3, Interval: poller.DefaultInterval}
	for _, tc := range []struct {
		args      []string
		savedTeam bool
		want      bool
		wantArgs  []string
	}{
		{args: nil, savedTeam: true, want: true},
		{args: nil, savedTeam: false, want: false},
		{args: []string{"--team"}, savedTeam: false, want: true, wantArgs: []string{"--team=true"}},
		{args: []string{"--team=false"}, savedTeam: true, want: false, wantArgs: []string{"--team=false"}},
	} {
		f, err := parseApp(t, nil, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		saved.Team = tc.savedTeam
		if cfg := f.Merge(saved); cfg.Team != tc.want {
			t.Errorf("%q over saved team %v: team %v, want %v", tc.args, tc.savedTeam, cfg.Team, tc.want)
		}
		if got := f.WatchArgs(); !slices.Equal(got, tc.wantArgs) {
			t.Errorf("%q: WatchArgs %q, want %q", tc.args, got, tc.wantArgs)
		}
	}
}
