package desktopentry

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExecQuotesWhatTheSpecReserves(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want string // the Exec line as written, after string escaping
	}{
		{[]string{"/usr/bin/runwatch"}, `Exec=/usr/bin/runwatch`},
		{[]string{"/home/a b/runwatch", "--demo"}, `Exec="/home/a b/runwatch" --demo`},
		{[]string{"/opt/100%/runwatch"}, `Exec=/opt/100%%/runwatch`},
		{[]string{`/x/$HOME"q"/r`}, `Exec="/x/\\$HOME\\"q\\"/r"`},
		{[]string{`/x\y/r`}, `Exec="/x\\\\y/r"`},
		{[]string{"/x/r", ""}, `Exec=/x/r ""`},
	} {
		b, err := Entry{Name: "n", Exec: tc.argv}.Marshal()
		if err != nil {
			t.Fatalf("%q: %v", tc.argv, err)
		}
		if !strings.Contains(string(b), "\n"+tc.want+"\n") {
			t.Errorf("%q: want line %s in\n%s", tc.argv, tc.want, b)
		}
	}
}

func TestMarshalRefusesWhatCannotBeWritten(t *testing.T) {
	for name, e := range map[string]Entry{
		"no name":            {Exec: []string{"/r"}},
		"no exec":            {Name: "n"},
		"line break in exec": {Name: "n", Exec: []string{"/a\nb"}},
		"bad extra key":      {Name: "n", Exec: []string{"/r"}, Extra: []Field{{"A=B", "c"}}},
	} {
		if _, err := e.Marshal(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestFyneAppEntryPassesDesktopFileValidate(t *testing.T) {
	app, err := LoadFyneApp(filepath.Join("..", "FyneApp.toml"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.Entry("/home/a user/.local/bin/runwatch").Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), app.Details.ID+".desktop")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Validate(path); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Name=runwatch\n", "Icon=io.runwatch.app\n", `Exec="/home/a user/.local/bin/runwatch"` + "\n"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("no %q in\n%s", want, b)
		}
	}
}

func TestWriteFileReplacesAndLeavesNoTemporary(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.desktop")
	for _, data := range []string{"first\n", "second\n"} {
		if err := WriteFile(path, []byte(data)); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(path)
		if err != nil || string(b) != data {
			t.Fatalf("read back %q, %v; want %q", b, err, data)
		}
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, err %v; want 0644", fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the directory, want only the entry", len(entries))
	}
}
