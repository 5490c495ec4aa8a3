package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// report --out writes the file whole (a temporary file beside it, then a
// rename), replaces last week's for a cron job, keeps its mode, and
// leaves nothing else in the folder.
func TestReportOut(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "weekly.html")
	r := steward(t, "--db", db, "report", "--format", "html", "--out", out)
	if r.code != 0 || r.stdout != "" || strings.TrimSpace(r.stderr) != "wrote "+out {
		t.Fatalf("report --out: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	first, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(first), "<!DOCTYPE html>") || !strings.HasSuffix(string(first), "</html>\n") || strings.Count(string(first), "<svg") != 4 {
		t.Fatalf("not a whole HTML report: %d bytes, %.80q ... %q", len(first), first, first[max(0, len(first)-20):])
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o644 {
		t.Errorf("a new report has mode %v, want 0644 (others read it)", st.Mode().Perm())
	}
	// The same command a week on replaces it, keeping the mode it was given.
	if err := os.Chmod(out, 0o640); err != nil {
		t.Fatal(err)
	}
	if r := steward(t, "--db", db, "report", "--format", "html", "--out", out); r.code != 0 {
		t.Fatalf("report --out over last week's: %s", r.stderr)
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o640 {
		t.Errorf("the replaced report has mode %v, want the 0640 it had", st.Mode().Perm())
	}
	// Every format writes through --out; stdout gets the same bytes.
	for _, f := range []string{"md", "csv", "json"} {
		path := filepath.Join(dir, "r."+f)
		if r := steward(t, "--db", db, "report", "--format", f, "--out", path); r.code != 0 {
			t.Fatalf("report --format %s --out: %s", f, r.stderr)
		}
		got, _ := os.ReadFile(path)
		if want := steward(t, "--db", db, "report", "--format", f).stdout; string(got) != want {
			t.Errorf("--format %s: the file (%d bytes) differs from stdout (%d bytes)", f, len(got), len(want))
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "r.csv r.json r.md weekly.html" {
		t.Errorf("the folder holds %v: a temporary file was left behind", names)
	}
}

// A path steward cannot write is one line that says why, exit 1, and no
// file.
func TestReportOutUnwritable(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	locked := filepath.Join(dir, "locked")
	if err := os.Mkdir(locked, 0o500); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ out, want string }{
		{filepath.Join(dir, "no-such-folder", "r.html"), "does not exist"},
		{dir, "it is a folder"},
	}
	if os.Geteuid() == 0 {
		// root writes through permissions; /proc takes no new file from
		// anyone.
		cases = append(cases, struct{ out, want string }{"/proc/steward-report.html", "choose a folder you can write to"})
	} else {
		cases = append(cases, struct{ out, want string }{filepath.Join(locked, "r.html"), "permission denied"})
	}
	for _, c := range cases {
		r := steward(t, "--db", db, "report", "--format", "html", "--out", c.out)
		oneCleanLine(t, r)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || !strings.Contains(r.stderr, "--out") {
			t.Errorf("--out %s: exit %d, %q; want exit 1 and %q", c.out, r.code, r.stderr, c.want)
		}
	}
	if entries, _ := os.ReadDir(locked); len(entries) != 0 {
		t.Errorf("a refused write left %d files", len(entries))
	}
}
