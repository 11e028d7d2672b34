// Package desktopentry writes freedesktop.org desktop entries
// (https://specifications.freedesktop.org/desktop-entry-spec/latest/): the
// launcher `make install` puts in share/applications and the entry that
// starts runwatch at login. Values are escaped and Exec is quoted as the
// specification says, so any path works.
package desktopentry

import (
	"bytes"
	"fmt"
	"strings"
)

// Entry is a desktop entry of Type=Application.
type Entry struct {
	Name        string   // required: what menus and launchers show
	GenericName string   // e.g. "Cloud Run monitor"
	Comment     string   // a tooltip: what the app does
	Exec        []string // required: the program, absolute or on PATH, and its arguments
	TryExec     string   // a program that must exist for the entry to be shown
	Icon        string   // an icon name of the icon theme or an absolute path
	Terminal    bool
	Categories  []string // registered categories, e.g. Development, Monitor
	Keywords    []string
	Extra       []Field // further keys after the standard ones, e.g. X-GNOME-Autostart-enabled
}

// Field is one key=value line; Value is escaped when written.
type Field struct{ Key, Value string }

// Marshal is the entry as the file's bytes.
func (e Entry) Marshal() ([]byte, error) {
	if e.Name == "" {
		return nil, fmt.Errorf("desktop entry: no Name")
	}
	exec, err := execValue(e.Exec)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	line := func(key, value string) {
		if value != "" {
			fmt.Fprintf(&b, "%s=%s\n", key, value)
		}
	}
	b.WriteString("[Desktop Entry]\n")
	line("Type", "Application")
	line("Name", escape(e.Name))
	line("GenericName", escape(e.GenericName))
	line("Comment", escape(e.Comment))
	line("TryExec", escape(e.TryExec))
	line("Exec", escape(exec))
	line("Icon", escape(e.Icon))
	line("Terminal", fmt.Sprint(e.Terminal))
	line("Categories", list(e.Categories))
	line("Keywords", list(e.Keywords))
	for _, f := range e.Extra {
		if f.Key == "" || strings.ContainsAny(f.Key, "=[]\n") {
			return nil, fmt.Errorf("desktop entry: bad key %q", f.Key)
		}
		line(f.Key, escape(f.Value))
	}
	return b.Bytes(), nil
}

// escape applies the escapes of a string value: backslash, newline, tab,
// carriage return.
func escape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`, "\t", `\t`, "\r", `\r`).Replace(s)
}

// list is a ;-separated list with its trailing separator; a ; inside an
// item is escaped.
func list(items []string) string {
	if len(items) == 0 {
		return ""
	}
	var b strings.Builder
	for _, it := range items {
		b.WriteString(strings.ReplaceAll(escape(it), ";", `\;`))
		b.WriteString(";")
	}
	return b.String()
}

// execValue quotes each argument that holds a reserved character in double
// quotes, backslash-escaping ", `, $ and \ inside them, and doubles % so
// that no argument reads as a field code. The result is escaped again as a
// string value by Marshal, as the specification requires.
func execValue(argv []string) (string, error) {
	if len(argv) == 0 || argv[0] == "" {
		return "", fmt.Errorf("desktop entry: no Exec")
	}
	quoted := make([]string, len(argv))
	for i, arg := range argv {
		if strings.ContainsAny(arg, "\n\r") {
			return "", fmt.Errorf("desktop entry: Exec argument %q has a line break", arg)
		}
		arg = strings.ReplaceAll(arg, "%", "%%")
		if arg == "" || strings.ContainsAny(arg, " \t\"'\\><~|&;$*?#()`") {
			arg = `"` + strings.NewReplacer(`"`, `\"`, "`", "\\`", `$`, `\$`, `\`, `\\`).Replace(arg) + `"`
		}
		quoted[i] = arg
	}
	return strings.Join(quoted, " "), nil
}
