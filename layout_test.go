package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The layout's dependency rules, as each package's doc states them:
//   - the Linux tray process never links Fyne (its driver ticks at 60 Hz):
//     no package that imports fyne.io/systray has fyne.io/fyne/v2 among its
//     dependencies, and none of them is the root;
//   - each process is a package of its own and none imports another's:
//     internal/tray, internal/window and internal/single;
//   - the decisions (ui/view), the protocol (internal/ipc), start-up, the
//     report, the notifier and the browser opener (desktop/browser) link no
//     toolkit, so the tray process can use them; ui/view, the opener and
//     the poller also talk no D-Bus;
//   - extract, poller, team and the relay know nothing of a GUI.
func TestPackagesKeepTheLayoutsDependencyRules(t *testing.T) {
	pkgs := listPackages(t)
	const module = "runwatch"
	linksFyne := func(p goPackage) bool {
		return slices.ContainsFunc(p.Deps, func(d string) bool { return strings.HasPrefix(d, "fyne.io/fyne/v2") })
	}
	importsSystray := 0
	for _, p := range pkgs {
		if !slices.Contains(p.Imports, "fyne.io/systray") {
			continue
		}
		importsSystray++
		if p.ImportPath == module {
			t.Errorf("the root package imports fyne.io/systray: the tray belongs in internal/tray")
		}
		if linksFyne(p) {
			t.Errorf("%s imports fyne.io/systray and links fyne.io/fyne/v2", p.ImportPath)
		}
	}
	if importsSystray == 0 {
		t.Error("no package imports fyne.io/systray: the listing is wrong")
	}

	processes := []string{"runwatch/internal/tray", "runwatch/internal/window", "runwatch/internal/single"}
	toolkitFree := map[string][]string{
		"runwatch/ui/view":           {"fyne.io/", "github.com/godbus/"},
		"runwatch/internal/ipc":      {"fyne.io/fyne/v2"},
		"runwatch/internal/startup":  {"fyne.io/fyne/v2"},
		"runwatch/internal/report":   {"fyne.io/fyne/v2"},
		"runwatch/internal/notifier": {"fyne.io/fyne/v2"},
		"runwatch/desktop/browser":   {"fyne.io/", "github.com/godbus/"},
		"runwatch/extract":           {"fyne.io/", "github.com/godbus/", "cloud.google.com/"},
		"runwatch/poller":            {"fyne.io/", "github.com/godbus/"},
		"runwatch/team":              {"fyne.io/", "github.com/godbus/"},
		"runwatch/internal/relay":    {"fyne.io/", "github.com/godbus/"},
	}
	found := map[string]bool{}
	for _, p := range pkgs {
		found[p.ImportPath] = true
		for _, other := range processes {
			if slices.Contains(processes, p.ImportPath) && other != p.ImportPath && slices.Contains(p.Deps, other) {
				t.Errorf("%s depends on %s: processes share packages, never each other", p.ImportPath, other)
			}
		}
		for _, banned := range toolkitFree[p.ImportPath] {
			for _, d := range p.Deps {
				if strings.HasPrefix(d, banned) {
					t.Errorf("%s depends on %s", p.ImportPath, d)
					break
				}
			}
		}
	}
	for _, p := range append(processes, "runwatch/ui/view", "runwatch/internal/ipc", "runwatch/desktop/browser", "runwatch/team", "runwatch/internal/relay") {
		if !found[p] {
			t.Errorf("package %s not found", p)
		}
	}
}

// goPackage is what `go list -json` says of a package.
type goPackage struct {
	ImportPath string
	Imports    []string
	Deps       []string
}

// listPackages lists the module's packages for Linux, with their imports
// and dependencies.
func listPackages(t *testing.T) []goPackage {
	t.Helper()
	cmd := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...")
	cmd.Env = append(cmd.Environ(), "GOOS=linux", "CGO_ENABLED=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var pkgs []goPackage
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p goPackage
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs
}
