package view

import (
	"strings"

	"runwatch/poller"
)

// SignInCommand gives runwatch the Application Default Credentials it
// polls with.
const SignInCommand = "gcloud auth application-default login"

// DemoTitle names --demo's windows, so a simulation is never taken for a
// real project.
const DemoTitle = "runwatch — demo (simulated Cloud Run)"

// NeedsCredentials reports whether polling waits for credentials only a
// person can give: the executions window then shows how to sign in
// instead of an empty table.
func NeedsCredentials(st Status) bool {
	return strings.HasPrefix(st.Problem, poller.ErrNoCredentials.Error())
}
