package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// steward playbooks through the real binary: list and show the demo's
// defaults, export, edit the file, import it back (by name: updated, and
// a new one created), a bad file refused with where and how to fix it and
// nothing written, and a non-manager refused.
func TestPlaybooksCommand(t *testing.T) {
	db := demoDB(t)
	list := steward(t, "--db", db, "playbooks", "list")
	if list.code != 0 {
		t.Fatalf("list: %d %q", list.code, list.stderr)
	}
	for _, want := range []string{"Red account recovery", "band_to_red", "Champion change", "champion_changed", "Renewal prep (120 days)", "renewal_in_days 120"} {
		if !strings.Contains(list.stdout, want) {
			t.Errorf("list lacks %q:\n%s", want, list.stdout)
		}
	}
	show := steward(t, "--db", db, "playbooks", "show", "red account recovery")
	if show.code != 0 || !strings.Contains(show.stdout, "Recovery plan agreed with the manager") || !strings.Contains(show.stdout, "the owner's manager") || !strings.Contains(show.stdout, "+21d") {
		t.Fatalf("show: %d %q %q", show.code, show.stdout, show.stderr)
	}
	if r := steward(t, "--db", db, "playbooks", "show", "Nope"); r.code != 1 || !strings.Contains(r.stderr, "no playbook is named") {
		t.Errorf("show of an unknown one: %d %q", r.code, r.stderr)
	}
	out := filepath.Join(t.TempDir(), "pb.json")
	if r := steward(t, "--db", db, "playbooks", "export", "--out", out); r.code != 0 {
		t.Fatalf("export: %d %q", r.code, r.stderr)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var doc []playbookJSON
	if err := json.Unmarshal(raw, &doc); err != nil || len(doc) != 3 {
		t.Fatalf("export holds %d playbooks, %v:\n%s", len(doc), err, raw)
	}
	am := anAccountManager(t, db)
	doc[0].Steps[0].OffsetDays = 1
	doc = append(doc, playbookJSON{Name: "QBR rescue", Trigger: "qbr_overdue", Active: true,
		Steps: []stepJSON{{Title: "Book the QBR", OffsetDays: 7, Owner: "member", Member: am.Email}}})
	write := func(name string, v any) string {
		p := filepath.Join(t.TempDir(), name)
		b, _ := json.Marshal(v)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", doc)
	if r := steward(t, "--db", db, "--as", am.Email, "playbooks", "import", good); r.code != 1 || !strings.Contains(r.stderr, "only a manager can change the playbooks") {
		t.Errorf("import as an AM: %d %q", r.code, r.stderr)
	}
	if r := steward(t, "--db", db, "playbooks", "import", good); r.code != 0 || !strings.Contains(r.stdout, "4 playbooks: 1 created, 3 updated") {
		t.Fatalf("import: %d %q %q", r.code, r.stdout, r.stderr)
	}
	show = steward(t, "--db", db, "playbooks", "show", "QBR rescue")
	if !strings.Contains(show.stdout, "Book the QBR") || !strings.Contains(show.stdout, am.Name) {
		t.Errorf("after import: %q", show.stdout)
	}
	bad := doc
	bad[1].Steps = append([]stepJSON(nil), bad[1].Steps...)
	bad[1].Steps[1].OffsetDays = 400
	before := steward(t, "--db", db, "playbooks", "export").stdout
	r := steward(t, "--db", db, "playbooks", "import", write("bad.json", bad))
	oneCleanLine(t, r)
	if r.code != 1 || !strings.Contains(r.stderr, "playbook 2") || !strings.Contains(r.stderr, "step 2") || !strings.Contains(r.stderr, "-365 to 365") {
		t.Errorf("bad offset: %d %q", r.code, r.stderr)
	}
	r = steward(t, "--db", db, "playbooks", "import", write("typo.json", []map[string]any{{"name": "X", "trigger": "band_to_red", "stepz": []any{}}}))
	if r.code != 1 || !strings.Contains(r.stderr, "stepz") {
		t.Errorf("unknown field: %d %q", r.code, r.stderr)
	}
	if after := steward(t, "--db", db, "playbooks", "export").stdout; after != before {
		t.Errorf("a refused import changed the playbooks")
	}
	if r := steward(t, "--db", db, "playbooks", "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, "usage") {
		t.Errorf("bad usage: %d %q", r.code, r.stderr)
	}
	if r := steward(t, "--db", db, "check"); r.code != 0 {
		t.Errorf("check: %d %q", r.code, r.stderr)
	}
}
