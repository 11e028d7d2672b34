// Command desktopfile writes runwatch's launcher, a desktop entry, from
// FyneApp.toml, Fyne's packaging metadata, for `make install`:
//
//	go run ./scripts/desktopfile -exec /usr/local/bin/runwatch -o io.runwatch.app.desktop FyneApp.toml
//	go run ./scripts/desktopfile -get id FyneApp.toml     # io.runwatch.app; also name, icon, version
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"runwatch/desktopentry"
)

func main() {
	execPath := flag.String("exec", "", "the installed binary, absolute")
	out := flag.String("o", "", "write the entry to this file (replaced atomically) instead of standard output")
	get := flag.String("get", "", "print one value of FyneApp.toml instead: id, name, icon or version")
	flag.Parse()
	if flag.NArg() != 1 {
		fail(fmt.Errorf("usage: desktopfile [-exec PATH] [-o FILE] [-get KEY] FyneApp.toml"))
	}
	app, err := desktopentry.LoadFyneApp(flag.Arg(0))
	if err != nil {
		fail(err)
	}
	if *get != "" {
		v, ok := map[string]string{
			"id":      app.Details.ID,
			"name":    app.Details.Name,
			"icon":    filepath.Join(filepath.Dir(flag.Arg(0)), app.Details.Icon),
			"version": app.Details.Version,
		}[*get]
		if !ok {
			fail(fmt.Errorf("-get %s: not one of id, name, icon, version", *get))
		}
		fmt.Println(v)
		return
	}
	if !filepath.IsAbs(*execPath) {
		fail(fmt.Errorf("-exec %q: an absolute path is needed", *execPath))
	}
	b, err := app.Entry(*execPath).Marshal()
	if err != nil {
		fail(err)
	}
	if *out == "" {
		_, err = os.Stdout.Write(b)
	} else {
		err = desktopentry.WriteFile(*out, b)
	}
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "desktopfile: %v\n", err)
	os.Exit(1)
}
