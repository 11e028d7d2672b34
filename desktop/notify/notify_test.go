package notify

import (
	"reflect"
	"testing"
)

func TestEscapeMarkupEscapesOnlyAmpersandAndAngleBrackets(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"plain text", "plain text"},
		{"bad <b>config</b> & more", "bad &lt;b&gt;config&lt;/b&gt; &amp; more"},
		{"already &amp; escaped", "already &amp;amp; escaped"},
		{`quotes "stay" 'as' they are`, `quotes "stay" 'as' they are`},
		{"a->b", "a-&gt;b"},
	} {
		if got := EscapeMarkup(tc.in); got != tc.want {
			t.Errorf("EscapeMarkup(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCapabilitiesReadFromTheServersList(t *testing.T) {
	for _, tc := range []struct {
		caps []string
		want Capabilities
	}{
		{nil, Capabilities{}},
		{[]string{"body"}, Capabilities{All: []string{"body"}}},
		{[]string{"body", "body-markup", "actions", "persistence", "icon-static"},
			Capabilities{BodyMarkup: true, Actions: true, Persistence: true,
				All: []string{"body", "body-markup", "actions", "persistence", "icon-static"}}},
	} {
		if got := parseCapabilities(tc.caps); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("parseCapabilities(%q) = %+v, want %+v", tc.caps, got, tc.want)
		}
	}
}

func TestUrgencyLevelsAreTheSpecsBytes(t *testing.T) {
	for u, want := range map[Urgency]byte{UrgencyLow: 0, UrgencyNormal: 1, UrgencyCritical: 2} {
		if got := u.level(); got != want {
			t.Errorf("Urgency %d level %d, want %d", u, got, want)
		}
	}
}
