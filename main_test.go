package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	byteorder "encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"steward/store/storetest"
	"strings"
	"syscall"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// These tests run the real binary: exit codes, stderr and file locks cross
// the process boundary and cannot be checked in-process.

var binary string

func TestMain(m *testing.M) {
	doneStamps := storetest.IsolateStamps()
	if path := os.Getenv("STEWARD_TEST_HOLD_LOCK"); path != "" {
		holdLock(path)
		return
	}
	dir, err := os.MkdirTemp("", "steward-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "steward")
	out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
	if err != nil {
		os.Stderr.Write(out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	doneStamps()
	os.Exit(code)
}

// holdLock is the child process of TestLockedDatabase: it takes an
// exclusive flock on the file, as a long import would, and waits to be killed.
func holdLock(path string) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		os.Exit(3)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		os.Exit(4)
	}
	os.Stdout.WriteString("locked\n")
	time.Sleep(time.Minute)
}

type result struct {
	code           int
	stdout, stderr string
	took           time.Duration
}

func steward(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "STEWARD_DB=", "NO_COLOR=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String(), took: time.Since(start)}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("running steward %v: %v", args, err)
	}
	return r
}

// oneCleanLine asserts the failure message is a single line with no stack
// trace.
func oneCleanLine(t *testing.T, r result) {
	t.Helper()
	if r.code == 0 {
		t.Fatalf("exit code 0, want failure; stdout %q", r.stdout)
	}
	lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
	if len(lines) != 1 || lines[0] == "" {
		t.Fatalf("stderr should be one line, got %d: %q", len(lines), r.stderr)
	}
	for _, bad := range []string{"panic", "goroutine", ".go:"} {
		if strings.Contains(r.stderr, bad) {
			t.Fatalf("stderr looks like a crash (%q): %q", bad, r.stderr)
		}
	}
}

func demoDB(t *testing.T) string {
	t.Helper()
	db := filepath.Join(t.TempDir(), "d.db")
	r := steward(t, "demo", "--db", db, "--no-tui")
	if r.code != 0 {
		t.Fatalf("demo failed (%d): %s", r.code, r.stderr)
	}
	if strings.TrimSpace(r.stdout) != db {
		t.Fatalf("demo --no-tui should print the path %q, printed %q", db, r.stdout)
	}
	return db
}

func TestDemoThenReportJSON(t *testing.T) {
	db := demoDB(t)
	st, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("database mode %v, want 0600", st.Mode().Perm())
	}
	r := steward(t, "--db", db, "report", "--format", "json")
	if r.code != 0 {
		t.Fatalf("report failed: %s", r.stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("report is not valid JSON: %v", err)
	}
	for _, k := range []string{"as_of", "accounts", "arr_cents", "nrr", "grr", "logo_retention", "renewal_rate", "nps", "csat",
		"expansion_pipeline_cents", "bands", "escalations", "renewals_due", "members"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("report JSON lacks %q", k)
		}
	}
	// The demo dates about 4% of its live accounts' inputs 31-120 days
	// back: the report counts them (README, data freshness).
	if sd, ok := rep["stale_data"].(map[string]any); !ok || sd["stale_days"] != 30.0 ||
		sd["accounts"].(float64) < 0.03*rep["accounts"].(float64) || sd["accounts"].(float64) > 0.05*rep["accounts"].(float64) || sd["arr_cents"].(float64) <= 0 {
		t.Errorf("stale_data = %v, want 30 days and about 4%% of %v accounts", rep["stale_data"], rep["accounts"])
	}
	bands := rep["bands"].(map[string]any)
	sum := 0.0
	for _, b := range []string{"green", "yellow", "red", "unknown"} {
		v, ok := bands[b].(float64)
		if !ok {
			t.Fatalf("bands.%s missing", b)
		}
		sum += v
	}
	if accounts := rep["accounts"].(float64); sum != accounts || accounts < 100 {
		t.Errorf("band counts add up to %v, accounts is %v", sum, accounts)
	}
	nrr, ok := rep["nrr"].(float64)
	if !ok || nrr < 1.0 || nrr > 1.2 {
		t.Errorf("demo NRR %v, want a fraction between 1.00 and 1.20", rep["nrr"])
	}
	esc := rep["escalations"].(map[string]any)
	for _, s := range []string{"open", "in_progress", "waiting_client", "with_director", "resolved"} {
		if _, ok := esc[s]; !ok {
			t.Errorf("escalations.%s missing", s)
		}
	}
	due := rep["renewals_due"].(map[string]any)
	for _, d := range []string{"30", "60", "90"} {
		if _, ok := due[d].(map[string]any)["arr_cents"]; !ok {
			t.Errorf("renewals_due.%s.arr_cents missing", d)
		}
	}
	if m := rep["members"].([]any); len(m) < 6 {
		t.Errorf("members has %d rows, want the manager and five members", len(m))
	}

	for _, f := range []string{"md", "csv"} {
		r := steward(t, "--db", db, "report", "--format", f)
		if r.code != 0 || len(r.stdout) < 200 {
			t.Errorf("report --format %s: code %d, %d bytes, stderr %q", f, r.code, len(r.stdout), r.stderr)
		}
	}
	if r := steward(t, "--db", db, "report"); !strings.Contains(r.stdout, "# Leadership report") {
		t.Errorf("default report is not Markdown: %.200q", r.stdout)
	}
	// The leadership keys: the demo sets targets, the comparison follows
	// --period, and the summary is three to five sentences.
	for _, k := range []string{"summary", "comparison", "targets", "trends", "top_arr_at_risk"} {
		if rep[k] == nil {
			t.Errorf("report JSON has no %q", k)
		}
	}
	if s := rep["summary"].([]any); len(s) < 3 || len(s) > 5 {
		t.Errorf("summary has %d sentences", len(s))
	}
	if tg := rep["targets"].(map[string]any); tg["nrr"] != 1.05 || tg["grr"] != 0.9 || tg["renewal_rate"] != 0.85 {
		t.Errorf("targets = %v, want the demo's 105%%, 90%%, 85%%", tg)
	}
	if c := rep["comparison"].(map[string]any); c["period"] != "quarter" {
		t.Errorf("default comparison %v", c["period"])
	}
	r = steward(t, "--db", db, "report", "--format", "json", "--period", "trailing-12")
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 0 {
		t.Fatalf("report --period trailing-12: %v %s", err, r.stderr)
	}
	if c := rep["comparison"].(map[string]any); c["period"] != "trailing-12" || c["current"].(map[string]any)["nrr"] != rep["nrr"] || c["year_ago"] != nil {
		t.Errorf("trailing-12 comparison %v, headline NRR %v", c, rep["nrr"])
	}
	if r := steward(t, "--db", db, "report", "--period", "month"); !strings.Contains(r.stdout, "## Summary") || !strings.Contains(r.stdout, "the month to ") {
		t.Errorf("report --period month: %.400q", r.stdout)
	}
}

func TestDemoRefusesToOverwrite(t *testing.T) {
	db := demoDB(t)
	r := steward(t, "demo", "--db", db, "--no-tui")
	oneCleanLine(t, r)
	if !strings.Contains(r.stderr, "--force") {
		t.Errorf("the refusal should name --force: %q", r.stderr)
	}
	if r := steward(t, "demo", "--db", db, "--no-tui", "--force", "--seed", "7"); r.code != 0 {
		t.Errorf("--force should overwrite: %s", r.stderr)
	}
}

func TestLockedDatabase(t *testing.T) {
	db := demoDB(t)
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), "STEWARD_TEST_HOLD_LOCK="+db)
	out, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { child.Process.Kill(); child.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("lock holder did not start: %q %v", line, err)
	}

	for _, args := range [][]string{
		{"--db", db, "--lock-timeout", "1s", "report"},
		{"--db", db, "--lock-timeout", "1s", "snapshot"},
		{"check", "--db", db, "--lock-timeout", "1s"},
	} {
		r := steward(t, args...)
		oneCleanLine(t, r)
		if !strings.Contains(r.stderr, "database is in use by another steward process") {
			t.Errorf("%v: stderr does not name the lock: %q", args, r.stderr)
		}
		if r.took > 2*time.Second {
			t.Errorf("%v took %s, want under 2s with --lock-timeout 1s", args, r.took)
		}
	}

	child.Process.Kill()
	child.Wait()
	if r := steward(t, "--db", db, "--lock-timeout", "1s", "report"); r.code != 0 {
		t.Errorf("report after the lock holder died: %s", r.stderr)
	}
}

func TestDamagedFiles(t *testing.T) {
	dir := t.TempDir()
	random := make([]byte, 64<<10)
	rand.Read(random)
	files := map[string][]byte{
		"random.db": random,
		"text.db":   []byte("hello, this is not a database\n"),
	}
	// A real database cut short.
	good := demoDB(t)
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	// Cut inside the pages in use (bbolt grows a file by doubling, so its
	// second half may hold nothing yet): half of the high-water mark the
	// newer meta page records.
	files["truncated.db"] = b[:highWater(t, b)/2]

	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"--db", path, "report"},
			{"--db", path, "report", "--format", "json"},
			{"--db", path, "snapshot"},
			{"--db", path, "check"},
			{"--db", path, "backup", filepath.Join(dir, name+".bak")},
		} {
			r := steward(t, args...)
			oneCleanLine(t, r)
			if !strings.Contains(r.stderr, "damaged") {
				t.Errorf("%s %v: message should say the file is damaged: %q", name, args[2:], r.stderr)
			}
		}
		after, _ := os.ReadFile(path)
		if !bytes.Equal(after, content) {
			t.Errorf("%s was modified by a failed command", name)
		}
	}
}

func TestCommandLineMistakes(t *testing.T) {
	db := demoDB(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--db", db, "report", "--format", "xml"}, 2, "md, csv, json or html"},
		{[]string{"--db", db, "report", "--period", "week"}, 2, "quarter, month or trailing-12"},
		{[]string{"--db", db, "report", "--as-of", "2026-02-30"}, 2, "not a real calendar date"},
		{[]string{"--db", db, "frobnicate"}, 2, "unknown command"},
		{[]string{"--db", db, "backup"}, 2, "backup FILE"},
		{[]string{"--db", db, "backup", db}, 1, "already exists"},
		{[]string{"--db", filepath.Join(t.TempDir(), "none.db"), "report"}, 1, "steward demo"},
		{[]string{"--db", filepath.Join(t.TempDir(), "none.db")}, 1, "steward demo"},
		{[]string{"--db", db, "--lock-timeout", "0s", "report"}, 2, "lock-timeout"},
		{[]string{"demo", "--accounts", "-5", "--db", filepath.Join(t.TempDir(), "x.db"), "--no-tui"}, 2, "--accounts"},
	} {
		r := steward(t, tc.args...)
		oneCleanLine(t, r)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d stderr %q; want exit %d mentioning %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
	if r := steward(t, "report", "--help"); r.code != 0 || !strings.Contains(r.stderr, "--format") {
		t.Errorf("report --help: exit %d, %q", r.code, r.stderr)
	}
}

func TestSnapshotBackupCheck(t *testing.T) {
	db := demoDB(t)
	r := steward(t, "--db", db, "snapshot")
	if r.code != 0 || !strings.Contains(r.stdout, "snapshot of") {
		t.Fatalf("snapshot: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := steward(t, "--db", db, "snapshot"); !strings.Contains(r.stdout, "retook") {
		t.Errorf("a second snapshot in the same week should say it retook it: %q", r.stdout)
	}
	bak := filepath.Join(t.TempDir(), "copy.db")
	if r := steward(t, "--db", db, "backup", bak); r.code != 0 {
		t.Fatalf("backup: %s", r.stderr)
	}
	st, err := os.Stat(bak)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v %v", err, st)
	}
	r = steward(t, "--db", bak, "check")
	if r.code != 0 || !strings.Contains(r.stdout, "ok") {
		t.Fatalf("check on the backup: %d %q %q", r.code, r.stdout, r.stderr)
	}
	orig := steward(t, "--db", db, "report", "--format", "json", "--as-of", "2026-11-24")
	copy := steward(t, "--db", bak, "report", "--format", "json", "--as-of", "2026-11-24")
	if orig.stdout != copy.stdout {
		t.Error("the backup's report differs from the original's")
	}
}

func TestImportExportSettingsCommands(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "sf.csv")
	os.WriteFile(good, []byte("Account ID,Account Name,Account Owner,ARR,Renewal Date,Type,Industry\r\n"+
		"001XX,Northwind Test,,\"$120,000.00\",2027-03-01,Customer,Manufacturing\r\n"), 0o600)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("Account ID,Account Name,ARR,Renewal Date,NPS\n"+
		"B1,Bad One,-5,2026-02-30,11\n"), 0o600)

	before := steward(t, "--db", db, "export", "accounts")
	r := steward(t, "--db", db, "import", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "bad.csv:2:") || !strings.Contains(r.stderr, "nothing was written") {
		t.Errorf("bad import: exit %d, stderr %q", r.code, r.stderr)
	}
	if after := steward(t, "--db", db, "export", "accounts"); after.stdout != before.stdout {
		t.Error("a refused import changed the database")
	}
	r = steward(t, "--db", db, "import", good, "--dry-run")
	if r.code != 0 || !strings.Contains(r.stdout, "1 created") {
		t.Errorf("dry run: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := steward(t, "--db", db, "import", good); r.code != 0 || !strings.Contains(r.stdout, "1 created") {
		t.Errorf("import: %d %q %q", r.code, r.stdout, r.stderr)
	}
	// The file states a health input (the renewal date), so the re-import
	// changes nothing but dates the inputs: refreshed, not unchanged.
	if r := steward(t, "--db", db, "import", good); r.code != 0 || !strings.Contains(r.stdout, "0 updated, 1 refreshed, 0 unchanged") {
		t.Errorf("re-import should only refresh: %d %q %q", r.code, r.stdout, r.stderr)
	}
	out := filepath.Join(dir, "accounts.csv")
	if r := steward(t, "--db", db, "export", "accounts", "--out", out); r.code != 0 {
		t.Fatalf("export --out: %s", r.stderr)
	}
	if b, _ := os.ReadFile(out); !strings.Contains(string(b), "Northwind Test") {
		t.Error("the export lacks the imported account")
	}
	if r := steward(t, "--db", db, "export", "accounts", "--out", out); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("export must not overwrite: %d %q", r.code, r.stderr)
	}

	if r := steward(t, "--db", db, "settings", "set", "bands.yellow", "80"); r.code != 1 || !strings.Contains(r.stderr, "yellow") {
		t.Errorf("invalid setting: %d %q", r.code, r.stderr)
	}
	if r := steward(t, "--db", db, "settings", "set", "weights.adoption", "50"); r.code != 0 || !strings.Contains(r.stdout, "35 → 50") {
		t.Errorf("settings set: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := steward(t, "--db", db, "settings", "get", "weights.adoption"); strings.TrimSpace(r.stdout) != "50" {
		t.Errorf("settings get: %q", r.stdout)
	}
	if r := steward(t, "--db", db, "settings"); !strings.Contains(r.stdout, "latest changes") {
		t.Errorf("settings should list the change log: %q", r.stdout)
	}
	// Setting a value to what it is changes nothing and logs nothing; an
	// unknown currency code is refused.
	logLines := func() int { return strings.Count(steward(t, "--db", db, "settings").stdout, " set ") }
	logged := logLines()
	if r := steward(t, "--db", db, "settings", "set", "weights.adoption", "50"); r.code != 0 || !strings.Contains(r.stdout, "already 50") {
		t.Errorf("settings set to the same value: %d %q %q", r.code, r.stdout, r.stderr)
	}
	if after := logLines(); after != logged {
		t.Errorf("an unchanged setting was logged: %d changes, want %d", after, logged)
	}
	if r := steward(t, "--db", db, "settings", "set", "currency", "ZZZ"); r.code != 1 || !strings.Contains(r.stderr, "ISO 4217") {
		t.Errorf("currency ZZZ: %d %q", r.code, r.stderr)
	}
	if r := steward(t, "--db", db, "settings", "set", "currency", "chf"); r.code != 0 || !strings.Contains(r.stdout, "CHF") {
		t.Errorf("currency chf: %d %q %q", r.code, r.stdout, r.stderr)
	}
}

// CRM exports as they come (issue 9): Salesforce API names are accounts,
// owner IDs are named as such, a churn flag churns through the ledger, and
// a UTF-16 file without a byte-order mark gets the conversion advice.
func TestImportCRMExportsCommand(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "crm.db")
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	header := "Id,name,phone,type,industry,annualrevenue,description,BillingCity,OwnerId,annual_recurring_revenue\n"
	ids := write("Account-ids.csv", header+"001A,Wayne Enterprises,555,Customer,Mfg,9000000,Big,Gotham,0055g00000AbCdEAAV,120000\n")
	r := steward(t, "--db", db, "import", ids, "--create-members")
	if r.code != 1 || !strings.Contains(r.stderr, `column "OwnerId": is a CRM user ID`) || !strings.Contains(r.stderr, "nothing was written") {
		t.Errorf("owner IDs: exit %d, stderr %q", r.code, r.stderr)
	}
	names := write("Account.csv", header+"001A,Wayne Enterprises,555,Customer,Mfg,9000000,Big,Gotham,Bruce Wayne,120000\n")
	r = steward(t, "--db", db, "import", names, "--create-members")
	if r.code != 0 || !strings.Contains(r.stdout, "1 accounts: 1 created") ||
		strings.Count(r.stderr, "ignored columns: phone, type, industry, annualrevenue, description, BillingCity\n") != 1 {
		t.Fatalf("Salesforce API accounts: exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}

	churn := write("churn.csv", "Account ID,ARR,Churned,Plan\n001A,120000,TRUE,Enterprise\n")
	if r := steward(t, "--db", db, "import", churn); r.code != 0 || !strings.Contains(r.stdout, "1 updated") {
		t.Fatalf("churn import: %d %q %q", r.code, r.stdout, r.stderr)
	}
	ledger := steward(t, "--db", db, "export", "ledger").stdout
	if !strings.Contains(ledger, ",120000.00,new,") || !strings.Contains(ledger, ",0.00,churn,") {
		t.Errorf("ledger after the churn:\n%s", ledger)
	}
	accts := steward(t, "--db", db, "export", "accounts").stdout
	if !strings.Contains(accts, ",churned,Enterprise,0.00,") {
		t.Errorf("accounts after the churn:\n%s", accts)
	}

	var u16 []byte
	for _, c := range "Account Name,ARR\nAcme,1000\n" {
		u16 = append(u16, byte(c), 0)
	}
	file := write("excel.csv", string(u16))
	r = steward(t, "--db", db, "import", file)
	oneCleanLine(t, r)
	if !strings.Contains(r.stderr, "UTF-16") || !strings.Contains(r.stderr, "iconv -f UTF-16LE -t UTF-8 "+file) {
		t.Errorf("UTF-16 without a BOM: %q", r.stderr)
	}
}

// Every command-line mistake is one line, never the usage dump.
func TestFlagMistakesAreOneLine(t *testing.T) {
	db := demoDB(t)
	for _, args := range [][]string{
		{"--bogus"},
		{"report", "--bogus", "--db", db},
		{"--db", db, "--lock-timeout", "-1", "check"},
		{"demo", "--accounts", "abc"},
		{"--db", db, "--lock-timeout", "0"},
		{"--db", db, "snapshot", "--as-of", "9999-12-31"},
		{"--db", filepath.Join(t.TempDir(), "missing", "x.db"), "snapshot"},
	} {
		r := steward(t, args...)
		oneCleanLine(t, r)
		if r.code != 2 && r.code != 1 {
			t.Errorf("%v: exit %d", args, r.code)
		}
	}
	// A negative value is a value, not a flag: the settings rule answers.
	r := steward(t, "--db", db, "settings", "set", "weights.adoption", "-5")
	oneCleanLine(t, r)
	if !strings.Contains(r.stderr, "weights must be 0 or more") {
		t.Errorf("negative setting: %q", r.stderr)
	}
	empty := filepath.Join(t.TempDir(), "zero.db")
	os.WriteFile(empty, nil, 0o600)
	for _, cmd := range []string{"report", "check", "snapshot"} {
		r := steward(t, "--db", empty, cmd)
		oneCleanLine(t, r)
		if !strings.Contains(r.stderr, "is empty (0 bytes)") {
			t.Errorf("%s on a 0-byte file: %q", cmd, r.stderr)
		}
	}
}

// TestReportAsOfPastDay runs `report --as-of` for a past day on a database
// whose records moved on since: the report must show that day, not today.
func TestReportAsOfPastDay(t *testing.T) {
	today := portfolio.Today(time.Now())
	day := today.AddDays(-40)
	end := portfolio.EndOfDay(day)
	// The newest week that had ended by the end of the day, and a later one.
	older, later := metrics.WeekOf(day.AddDays(1)).Prev(), metrics.WeekOf(today).Prev()
	db := filepath.Join(t.TempDir(), "h.db")
	err := store.Update(db, store.Options{}, func(tx *store.Tx) error {
		zoe := store.Member{Name: "Zoe Lead", Email: "zoe@example.com", Role: store.RoleManager, Active: true}
		if err := tx.PutMember(&zoe); err != nil {
			return err
		}
		accts := []store.Account{
			{Name: "Steady", OwnerID: zoe.ID, ARRCents: 1_000_000, NPS: metrics.Some(10)},
			{Name: "Fresh", OwnerID: zoe.ID, ARRCents: 4_000_000},
			{Name: "Bigger", OwnerID: zoe.ID, ARRCents: 3_000_000, PipelineCents: 500_000},
		}
		for i := range accts {
			if err := tx.PutAccount(&accts[i]); err != nil {
				return err
			}
		}
		for _, l := range []store.LedgerEntry{
			{AccountID: accts[0].ID, Date: today.AddDays(-400), ARRCents: 1_000_000, Kind: metrics.KindNew},
			{AccountID: accts[1].ID, Date: today.AddDays(-10), ARRCents: 4_000_000, Kind: metrics.KindNew},
			{AccountID: accts[2].ID, Date: today.AddDays(-400), ARRCents: 2_000_000, Kind: metrics.KindNew},
			{AccountID: accts[2].ID, Date: today.AddDays(-5), ARRCents: 3_000_000, Kind: metrics.KindExpansion},
		} {
			if err := tx.AppendLedger(&l); err != nil {
				return err
			}
		}
		for _, s := range []store.Snapshot{
			{AccountID: accts[0].ID, Week: older, Score: 50, Band: metrics.Yellow},
			{AccountID: accts[0].ID, Week: later, Score: 90, Band: metrics.Green},
			{AccountID: accts[2].ID, Week: later, Score: 20, Band: metrics.Red},
		} {
			if err := tx.PutSnapshot(&s); err != nil {
				return err
			}
		}
		// Raised two days before the day (high: 24-hour SLA), resolved
		// after it: open and past its SLA then.
		by := store.Actor{ID: zoe.ID, Name: zoe.Name}
		e, err := tx.CreateEscalation(store.NewEscalation{AccountID: accts[0].ID, Title: "Outage", Severity: store.SevHigh}, by, end.Add(-48*time.Hour))
		if err != nil {
			return err
		}
		_, err = tx.Resolve(e.ID, "fixed", by, end.Add(72*time.Hour))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	r := steward(t, "--db", db, "report", "--as-of", day.String(), "--format", "json")
	if r.code != 0 {
		t.Fatalf("report --as-of %s: exit %d: %s", day, r.code, r.stderr)
	}
	var rep map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("report is not valid JSON: %v", err)
	}
	if rep["as_of"] != day.String() || rep["accounts"] != 2.0 || rep["arr_cents"] != 3_000_000.0 {
		t.Errorf("as_of %v: accounts %v arr_cents %v, want %s, 2 (Fresh came later) and 3000000 (Bigger before its expansion)",
			rep["as_of"], rep["accounts"], rep["arr_cents"], day)
	}
	if b := rep["bands"].(map[string]any); b["yellow"] != 1.0 || b["unknown"] != 1.0 || b["green"] != 0.0 || b["red"] != 0.0 {
		t.Errorf("bands = %v, want yellow 1 (Steady in %s), unknown 1 (Bigger had no snapshot)", b, older)
	}
	if e := rep["escalations"].(map[string]any); e["open"] != 1.0 || e["resolved"] != 0.0 || rep["escalations_breached"] != 1.0 {
		t.Errorf("escalations %v breached %v, want 1 open and breached", e, rep["escalations_breached"])
	}
	if rep["nps"] != nil || rep["expansion_pipeline_cents"] != nil {
		t.Errorf("nps %v pipeline %v, want null on a past day", rep["nps"], rep["expansion_pipeline_cents"])
	}
	if cur, ok := rep["current_only"].([]any); !ok || len(cur) == 0 || cur[0] != "nps" {
		t.Errorf("current_only = %v, want the list starting with nps", rep["current_only"])
	}
	if src, ok := rep["as_of_sources"].(map[string]any); !ok || src["snapshot_week"] != older.String() {
		t.Errorf("as_of_sources = %v, want snapshot_week %s", rep["as_of_sources"], older)
	}

	// Today, with or without --as-of, is today's report.
	now := steward(t, "--db", db, "report", "--format", "json")
	same := steward(t, "--db", db, "report", "--format", "json", "--as-of", today.String())
	if now.code != 0 || now.stdout != same.stdout {
		t.Errorf("--as-of today differs from no --as-of (exit %d):\n%s\n%s", now.code, now.stdout, same.stdout)
	}
	var cur map[string]any
	if err := json.Unmarshal([]byte(now.stdout), &cur); err != nil || cur["accounts"] != 3.0 || cur["arr_cents"] != 8_000_000.0 || cur["as_of_sources"] != nil {
		t.Errorf("today: accounts %v arr %v as_of_sources %v (%v), want 3, 8000000, null", cur["accounts"], cur["arr_cents"], cur["as_of_sources"], err)
	}

	// Before the first record: an empty report, not an error.
	if r := steward(t, "--db", db, "report", "--as-of", "2001-01-01"); r.code != 0 || !strings.Contains(r.stdout, "0 live accounts") {
		t.Errorf("as of 2001-01-01: exit %d, stderr %q, stdout %.300q", r.code, r.stderr, r.stdout)
	}
	// A day still to come is a command-line mistake.
	r = steward(t, "--db", db, "report", "--as-of", today.AddDays(1).String())
	oneCleanLine(t, r)
	if r.code != 2 || !strings.Contains(r.stderr, "after today") {
		t.Errorf("--as-of tomorrow: exit %d %q, want 2 saying it is after today", r.code, r.stderr)
	}
}

// steward members keys: a manager adds, lists and removes a member's SSH
// public key; the fingerprint is ssh-keygen's; a duplicate, a non-key, an
// unknown member and a non-manager are refused with exit 1 and change
// nothing; bad usage exits 2.
func TestMembersKeysCommand(t *testing.T) {
	db := demoDB(t)
	line, fp := storetest.NewPublicKey(t, "kenji@laptop")
	am := anAccountManager(t, db)
	r := steward(t, "--db", db, "members", "keys", "add", am.Email, line)
	if r.code != 0 || !strings.Contains(r.stdout, "added key "+fp+" to "+am.Name) {
		t.Fatalf("add: %d %q %q", r.code, r.stdout, r.stderr)
	}
	list := steward(t, "--db", db, "members", "keys", "list", am.Name)
	if list.code != 0 || !strings.Contains(list.stdout, fp) || !strings.Contains(list.stdout, "kenji@laptop") {
		t.Fatalf("list: %d %q %q", list.code, list.stdout, list.stderr)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"members", "keys", "add", am.Name, line}, "already belongs to " + am.Name},
		{[]string{"members", "keys", "add", am.Name, "ssh-ed25519 AAAAnotakey"}, "not an SSH public key"},
		{[]string{"members", "keys", "add", "Nobody At All", line}, "no member is named"},
		{[]string{"--as", am.Email, "members", "keys", "remove", am.Name, fp}, "only a manager"},
	} {
		r := steward(t, append([]string{"--db", db}, c.args...)...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and %q", c.args, r.code, r.stderr, c.want)
		}
	}
	if again := steward(t, "--db", db, "members", "keys", "list"); again.stdout != list.stdout {
		t.Errorf("a refused command changed the keys:\n%s\nwas\n%s", again.stdout, list.stdout)
	}
	if r := steward(t, "--db", db, "members", "keys"); r.code != 2 || !strings.Contains(r.stderr, "usage") {
		t.Errorf("bad usage: %d %q", r.code, r.stderr)
	}
	if r := steward(t, "--db", db, "members", "keys", "remove", am.Name, fp); r.code != 0 {
		t.Fatalf("remove: %d %q", r.code, r.stderr)
	}
	if r := steward(t, "--db", db, "members", "keys", "list"); !strings.Contains(r.stdout, "no SSH keys") {
		t.Errorf("after remove: %q", r.stdout)
	}
	if r := steward(t, "--db", db, "check"); r.code != 0 {
		t.Errorf("check after the key changes: %d %q", r.code, r.stderr)
	}
}

// highWater is how many bytes of a bbolt file are pages in use: the
// newer meta page's page count times the page size (the meta pages are
// the first two pages; in each, after the 16-byte page header: magic,
// version, page size, flags, the root bucket (16 bytes), the freelist
// page, the page count, the transaction ID).
func highWater(t *testing.T, b []byte) int {
	t.Helper()
	best, bestTx := 0, uint64(0)
	for _, off := range []int{0, 4096} {
		if len(b) < off+16+64 {
			t.Fatal("the file is too short to hold meta pages")
		}
		m := b[off+16:]
		size := int(byteorder.LittleEndian.Uint32(m[8:]))
		pages := int(byteorder.LittleEndian.Uint64(m[40:]))
		tx := byteorder.LittleEndian.Uint64(m[48:])
		if tx >= bestTx {
			best, bestTx = size*pages, tx
		}
	}
	if best <= 0 || best > len(b) {
		t.Fatalf("high-water mark %d of a %d-byte file", best, len(b))
	}
	return best
}

// A demo made with STEWARD_CLOCK is of the clock's day: read on that day
// its report is as of it and nothing in it happened later.
func TestDemoFollowsTheClock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.db")
	t.Setenv("STEWARD_CLOCK", "2026-11-23T09:00:00Z")
	if r := steward(t, "demo", "--no-tui", "--db", path); r.code != 0 {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	r := steward(t, "--db", path, "export", "escalations", "--format", "json")
	if r.code != 0 {
		t.Fatalf("export: %d %s", r.code, r.stderr)
	}
	var escs []struct {
		CreatedAt time.Time `json:"created_at"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &escs); err != nil || len(escs) == 0 {
		t.Fatalf("escalations JSON: %v (%d)", err, len(escs))
	}
	clock := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for _, e := range escs {
		if e.CreatedAt.After(clock) {
			t.Fatalf("an escalation of the demo was raised at %s, after the clock's %s", e.CreatedAt, clock)
		}
	}
	if e := escs[len(escs)-1]; clock.Sub(e.CreatedAt) > 90*24*time.Hour {
		t.Fatalf("the demo's escalations are months before the clock (%s): it used another day", e.CreatedAt)
	}
}

// anAccountManager is the first active member of db who is not a manager.
func anAccountManager(t *testing.T, db string) store.Member {
	t.Helper()
	var members []store.Member
	if err := store.View(db, store.Options{ReadOnly: true}, func(tx *store.Tx) (err error) { members, err = tx.Members(); return err }); err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.Role != store.RoleManager && m.Active {
			return m
		}
	}
	t.Fatalf("%s has no active account manager", db)
	return store.Member{}
}
