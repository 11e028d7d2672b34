package startup

import (
	"errors"
	"testing"
)

func TestNoDisplayIsSaidOnlyWhereWindowsNeedOne(t *testing.T) {
	for _, tc := range []struct {
		goos    string
		env     map[string]string
		missing bool
	}{
		{goos: "linux", env: nil, missing: true},
		{goos: "freebsd", env: map[string]string{"DISPLAY": ""}, missing: true},
		{goos: "linux", env: map[string]string{"DISPLAY": ":0"}},
		{goos: "linux", env: map[string]string{"WAYLAND_DISPLAY": "wayland-0"}},
		{goos: "windows", env: nil},
		{goos: "darwin", env: nil},
	} {
		err := CheckDisplay(tc.goos, func(k string) string { return tc.env[k] })
		if got := errors.Is(err, ErrNoDisplay); got != tc.missing {
			t.Errorf("%s %v: %v", tc.goos, tc.env, err)
		}
	}
}
