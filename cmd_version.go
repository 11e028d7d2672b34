package main

import (
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

// runVersion implements `runwatch version` and `runwatch --version`.
func runVersion(stdout io.Writer) int {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintln(stdout, "runwatch (version unknown)")
		return 0
	}
	fmt.Fprintln(stdout, versionLine(info))
	return 0
}

// versionLine says the module's version and, when the build recorded it,
// the commit it was built from: "runwatch v1.2.0", "runwatch (devel)
// 0123456789ab (modified) 2026-12-07T05:30:00Z".
func versionLine(info *debug.BuildInfo) string {
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	parts := []string{"runwatch", v}
	vcs := map[string]string{}
	for _, s := range info.Settings {
		vcs[s.Key] = s.Value
	}
	if rev := vcs["vcs.revision"]; rev != "" {
		parts = append(parts, rev[:min(12, len(rev))])
		if vcs["vcs.modified"] == "true" {
			parts = append(parts, "(modified)")
		}
		if t := vcs["vcs.time"]; t != "" {
			parts = append(parts, t)
		}
	}
	return strings.Join(parts, " ")
}
