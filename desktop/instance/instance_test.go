package instance

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
)

func TestAnswerTellsRequestsFromGarbage(t *testing.T) {
	echo := func(_ context.Context, req Request) (any, error) {
		if req.Cmd == "fail" {
			return nil, errors.New("cannot")
		}
		return req.Cmd, nil
	}
	for _, tc := range []struct {
		line      string
		want      envelope
		isRequest bool
	}{
		{`{"cmd":"show"}`, envelope{Result: json.RawMessage(`"show"`)}, true},
		{`{"cmd":"fail"}`, envelope{Error: "cannot"}, true},
		{`{"cmd":""}`, envelope{Error: `bad request: no "cmd"`}, false},
		{`{}`, envelope{Error: `bad request: no "cmd"`}, false},
		{`["cmd","show"]`, envelope{Error: "bad request: not a JSON object: json: cannot unmarshal array into Go value of type instance.Request"}, false},
		{`GET / HTTP/1.1`, envelope{Error: "bad request: not a JSON object: invalid character 'G' looking for beginning of value"}, false},
	} {
		got, isRequest := answer(context.Background(), []byte(tc.line), echo)
		if string(got.Result) != string(tc.want.Result) || got.Error != tc.want.Error || isRequest != tc.isRequest {
			t.Errorf("answer(%s) = {%s %q} %v, want {%s %q} %v", tc.line,
				got.Result, got.Error, isRequest, tc.want.Result, tc.want.Error, tc.isRequest)
		}
	}
}

func TestNamesThatCouldLeaveTheDirectoryAreRefused(t *testing.T) {
	for _, name := range []string{"", ".", "..", "../x", "a/b", ".hidden", "a b"} {
		if err := checkName(name); err == nil {
			t.Errorf("checkName(%q) accepted", name)
		}
	}
	for _, name := range []string{"runwatch", "runwatch-demo", "io.runwatch.app", "a_1"} {
		if err := checkName(name); err != nil {
			t.Errorf("checkName(%q): %v", name, err)
		}
	}
}
