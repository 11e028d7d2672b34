package poller

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"runwatch/poller/fakecloud"
)

func TestSplitRegionsTakesCommasAndRejectsSpacesInsideANameNamingIt(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []string
		wantErr string
	}{
		{in: "us-central1,europe-west4", want: []string{"us-central1", "europe-west4"}},
		{in: " us-central1 , US-East1,,us-central1, ", want: []string{"us-central1", "us-east1"}},
		{in: "", want: nil},
		{in: "us central1", wantErr: `"us central1"`},
		{in: "us-east1,us central1", wantErr: `"us central1"`},
		{in: "us-east1;us-west1", wantErr: `"us-east1;us-west1"`},
	} {
		got, err := SplitRegions(tc.in)
		switch {
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "commas")):
			t.Errorf("SplitRegions(%q) error %v, want one naming %s and commas", tc.in, err, tc.wantErr)
		case tc.wantErr == "" && (err != nil || !slices.Equal(got, tc.want)):
			t.Errorf("SplitRegions(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestCheckRegionsNamesUnknownRegionsAndTheCloseOnes(t *testing.T) {
	listed := func(ids ...string) LocationLister {
		return func(context.Context) ([]string, error) { return ids, nil }
	}
	unreachable := func(context.Context) ([]string, error) { return nil, errors.New("no credentials") }
	for _, tc := range []struct {
		name    string
		regions []string
		ask     LocationLister
		want    []string // substrings of the error; nil: no error
		notWant string
	}{
		{name: "all built in", regions: DefaultRegions(), ask: nil},
		{name: "built in, never asks", regions: []string{"me-west1"}, ask: unreachable},
		{name: "unknown, not asked", regions: []string{"us-central1", "mars-north1"}, want: []string{"unknown Cloud Run region mars-north1"}, notWant: "did you mean"},
		{name: "a typo", regions: []string{"us-centrall1"}, want: []string{"us-centrall1", "did you mean us-central1?"}},
		{name: "two unknown", regions: []string{"us-centrall1", "mars-north1"}, want: []string{"regions us-centrall1, mars-north1", "did you mean us-central1?"}},
		{name: "new region Cloud Run lists", regions: []string{"us-central1", "moon-south1"}, ask: listed("us-central1", "moon-south1")},
		{name: "Cloud Run does not list it", regions: []string{"mars-north1"}, ask: listed("us-central1"), want: []string{"mars-north1"}, notWant: "could not be read"},
		{name: "Cloud Run cannot be asked", regions: []string{"mars-north1"}, ask: unreachable, want: []string{"mars-north1", "could not be read"}},
		{name: "not a name", regions: []string{"a/b"}, want: []string{`"a/b" is not a region name`}},
	} {
		err := CheckRegions(context.Background(), tc.regions, tc.ask)
		if tc.want == nil {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tc.name, err, w)
			}
		}
		if tc.notWant != "" && strings.Contains(err.Error(), tc.notWant) {
			t.Errorf("%s: %q holds %q", tc.name, err, tc.notWant)
		}
	}
}

func TestDefaultRegionsAreAllKnown(t *testing.T) {
	for _, r := range DefaultRegions() {
		if !KnownRegion(r) {
			t.Errorf("default region %s is not in the built-in list", r)
		}
	}
}

// Cloud Run's Locations API is asked over gRPC, as the real client does.
func TestListLocationsAsksCloudRun(t *testing.T) {
	cloud, err := fakecloud.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer cloud.Close()
	cloud.SetLocations("us-central1", "moon-south1")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := ListLocations(ctx, Endpoints{Run: cloud.RunAddr(), Logging: cloud.LoggingAddr()}, "p1")
	if err != nil || !slices.Equal(got, []string{"us-central1", "moon-south1"}) {
		t.Fatalf("ListLocations = %q, %v", got, err)
	}
}
