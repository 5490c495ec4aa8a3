package tui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

// TestMondayQuestionsInTmux asks the real binary, in a real terminal
// (tmux at 170x60) on the demo portfolio, the questions a team lead has on
// Monday, each answered from the screen within three keys of the review,
// and holds every answer to the database read with the store and
// portfolio packages:
//
//  1. how much ARR is at risk (header) and who holds most of it (team);
//  2. what worsened and improved since the baseline week, and how ARR
//     moved (review);
//  3. the same against the week before ([, then ] back);
//  4. what to discuss in a 1:1 (member page), then logging it (1);
//  5. which escalations need the acting manager now (queue: u, !).
//
// It ends with q and a clean exit. Like the other tmux tests it skips
// under -short or without tmux.
func TestMondayQuestionsInTmux(t *testing.T) {
	tmux := needTmux(t)
	start := time.Now()
	dir := t.TempDir()
	bin := os.Getenv("STEWARD_E2E_BINARY") // a prebuilt binary, for debugging
	if bin == "" {
		bin = filepath.Join(dir, "steward")
		build := exec.Command("go", "build", "-o", bin, ".")
		build.Dir = ".."
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("go build: %v\n%s", err, out)
		}
	}
	db := filepath.Join(dir, "demo.db")
	if out, err := exec.Command(bin, "demo", "--db", db, "--no-tui").CombinedOutput(); err != nil {
		t.Fatalf("steward demo --no-tui: %v\n%s", err, out)
	}

	sock := fmt.Sprintf("steward-monday-%d", os.Getpid())
	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// The acting member must be the default one (the first active
	// manager): a STEWARD_USER of the environment would change it. The
	// shell line reports the exit status after the alt screen closes.
	stderrPath := filepath.Join(dir, "stderr")
	env := "TERM=xterm-256color NO_COLOR=1"
	if c := os.Getenv("STEWARD_CACHE_DIR"); c != "" {
		env += fmt.Sprintf(" STEWARD_CACHE_DIR=%q", c)
	}
	script := fmt.Sprintf("unset STEWARD_USER; %s %q --db %q 2>%q; echo \"steward exited with $?\"; sleep 60", env, bin, db, stderrPath)
	tm("new-session", "-d", "-s", "monday", "-x", "170", "-y", "60", "sh", "-c", script)
	t.Cleanup(func() { _ = exec.Command(tmux, "-L", sock, "kill-server").Run() })

	screen := ""
	capture := func() string {
		t.Helper()
		screen = tm("capture-pane", "-p", "-t", "monday")
		return screen
	}
	// waitUntil polls the screen until ok holds; on timeout it fails with
	// the screen, what was expected (want()) and steward's stderr.
	waitUntil := func(what string, want func() string, ok func(s string) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			if ok(capture()) {
				return
			}
			if time.Now().After(deadline) {
				stderr, _ := os.ReadFile(stderrPath)
				t.Fatalf("%s: not on screen after 10 s\nexpected: %s\nscreen:\n%s\nstderr: %s", what, want(), screen, stderr)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	waitFor := func(what string, parts ...string) {
		t.Helper()
		waitUntil(what, func() string { return fmt.Sprintf("%q", parts) }, func(s string) bool {
			for _, p := range parts {
				if !strings.Contains(s, p) {
					return false
				}
			}
			return true
		})
	}
	keys := func(k ...string) { t.Helper(); tm(append([]string{"send-keys", "-t", "monday"}, k...)...) }
	text := func(s string) { t.Helper(); tm("send-keys", "-t", "monday", "-l", s) }
	lines := func(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }
	statusLine := func(s string) string {
		l := lines(s)
		if len(l) < 2 {
			return ""
		}
		return l[len(l)-2]
	}
	// lineAfter is the screen line after the first that contains marker.
	lineAfter := func(s, marker string) string {
		l := lines(s)
		for i := range l {
			if strings.Contains(l[i], marker) && i+1 < len(l) {
				return l[i+1]
			}
		}
		return ""
	}
	load := func() *portfolio.Portfolio {
		t.Helper()
		now := time.Now()
		p, err := portfolio.Load(db, store.Options{}, portfolio.Today(now), now)
		if err != nil {
			t.Fatalf("portfolio.Load: %v", err)
		}
		return p
	}
	view := func(fn func(tx *store.Tx) error) {
		t.Helper()
		if err := store.View(db, store.Options{}, fn); err != nil {
			t.Fatalf("store.View: %v", err)
		}
	}

	waitFor("review on open", "[1 Review]", "Monday review", "Worsened since", "as ")
	// The dashboard takes this week's snapshot when it opens: read the
	// database once it is there, so both sides see the same file.
	thisWeek := metrics.WeekOf(portfolio.Today(time.Now()))
	for deadline := time.Now().Add(10 * time.Second); ; {
		has := false
		view(func(tx *store.Tx) error {
			for _, w := range tx.SnapshotWeeks() {
				has = has || w == thisWeek
			}
			return nil
		})
		if has {
			break
		}
		if time.Now().After(deadline) {
			t.Logf("no snapshot of %s after 10 s: comparing with the file as it is", thisWeek)
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	p := load()
	cur := p.Settings.Currency
	var acting *store.Member
	for i := range p.Members {
		if m := &p.Members[i]; m.Active && m.Role == store.RoleManager {
			acting = m
			break
		}
	}
	if acting == nil {
		t.Fatal("the demo has no active manager")
	}

	// 1. How much ARR is at risk, and who holds it.
	wantRisk := "at risk " + money(p.KPIs.AtRiskARRCents, cur)
	waitUntil("header: ARR at risk and the acting manager", func() string { return wantRisk + " · as " + acting.Name }, func(s string) bool {
		h := lines(s)[0]
		return strings.Contains(h, wantRisk+" ") && strings.HasSuffix(strings.TrimSpace(h), "as "+acting.Name)
	})
	var top *portfolio.MemberRow
	for i := range p.Team {
		r := &p.Team[i]
		if !r.Unassigned && (top == nil || r.AtRiskARRCents > top.AtRiskARRCents) {
			top = r
		}
	}
	if top == nil || top.AtRiskARRCents == 0 {
		t.Fatalf("the demo has no member with ARR at risk: %+v", p.Team)
	}
	keys("2")
	waitFor("team", "[2 Team]", fmt.Sprintf("Team · %d of %d rows", len(p.Team), len(p.Team)), "At risk")
	wantTop := money(top.AtRiskARRCents, cur)
	waitUntil("team: the At risk column of "+top.Member.Name, func() string { return top.Member.Name + " at risk " + wantTop }, func(s string) bool {
		return teamCell(s, top.Member.Name, "At risk", "ARR") == wantTop
	})
	// Rows are in p.Team order, the first selected.
	var names []string
	for _, l := range lines(screen) {
		for _, r := range p.Team {
			if n := r.Member.Name; strings.HasPrefix(teamRowText(l), n+" ") {
				names = append(names, n)
			}
		}
	}
	if len(names) != len(p.Team) {
		t.Fatalf("team: %d rows on screen, want %d:\n%s", len(names), len(p.Team), screen)
	}
	for i, r := range p.Team {
		if names[i] != r.Member.Name {
			t.Fatalf("team: row %d is %q, want %q (p.Team order):\n%s", i, names[i], r.Member.Name, screen)
		}
	}

	// 2. What improved and what worsened since the baseline week.
	w := p.Review.ComparedWithWeek
	if w == 0 {
		t.Fatal("the demo has no earlier snapshot week to compare with")
	}
	keys("1")
	reviewWant := func(week metrics.Week, r *portfolio.Review) []string {
		return []string{
			"[1 Review]", "baseline week " + week.String(),
			fmt.Sprintf("Worsened since week %s (%d)", week, len(r.Worsened)),
			fmt.Sprintf("Improved since week %s (%d)", week, len(r.Improved)),
		}
	}
	waitFor("review against "+w.String(), reviewWant(w, &p.Review)...)
	movement := func(then int64) string {
		return "ARR " + money(p.KPIs.ARRCents, cur) + " " + signedMoney(p.KPIs.ARRCents-then, cur)
	}
	checkMovement := func(what string, then int64) {
		t.Helper()
		waitUntil(what, func() string { return "a line under the title: \"Since …: " + movement(then) + " …\"" }, func(s string) bool {
			m := strings.TrimSpace(lineAfter(s, "Monday review · "))
			return strings.HasPrefix(m, "Since ") && strings.Contains(m, movement(then)+" ·")
		})
	}
	checkMovement("review: ARR and its change since "+w.String(), p.Review.Then.ARRCents)

	// 3. ...and against the week before.
	var prevW metrics.Week
	var scores map[uint64]store.WeekScore
	view(func(tx *store.Tx) error {
		for _, wk := range tx.SnapshotWeeks() {
			if wk < w && wk > prevW {
				prevW = wk
			}
		}
		if prevW == 0 {
			return nil
		}
		var err error
		scores, err = tx.WeekScores(prevW)
		return err
	})
	if prevW == 0 {
		t.Fatalf("the demo has no snapshot week before %s", w)
	}
	alt := p.ReviewAgainst(prevW, scores)
	keys("[")
	waitFor("review against "+prevW.String()+" ([)", reviewWant(prevW, &alt)...)
	checkMovement("review: ARR and its change since "+prevW.String(), alt.Then.ARRCents)
	keys("]")
	waitFor("review back against "+w.String()+" (])", reviewWant(w, &p.Review)...)
	checkMovement("review: ARR and its change since "+w.String()+" again", p.Review.Then.ARRCents)

	// 4. What to discuss in the 1:1: the first non-manager active member
	// with a last 1:1.
	row := -1
	for i, r := range p.Team {
		if !r.Unassigned && r.Member.Active && r.Member.Role != store.RoleManager && !r.Member.LastOneOnOne.IsZero() {
			row = i
			break
		}
	}
	if row < 0 {
		t.Fatal("the demo has no member other than a manager with a last 1:1")
	}
	mem := p.Team[row]
	renewals := 0
	for i := range p.Accounts {
		a := &p.Accounts[i]
		if a.Live && a.OwnerID == mem.Member.ID && !a.RenewalDate.IsZero() && a.DaysToRenewal <= 90 {
			renewals++
		}
	}
	var logged []store.OneOnOne
	view(func(tx *store.Tx) (err error) {
		logged, err = tx.OneOnOnes(mem.Member.ID)
		return err
	})
	keys("2")
	waitFor("team again", "[2 Team]", "▸ "+p.Team[0].Member.Name+" ")
	for range row {
		keys("j")
	}
	waitFor("team: "+mem.Member.Name+" selected", "▸ "+mem.Member.Name+" ")
	keys("Enter")
	waitFor("member page of "+mem.Member.Name,
		mem.Member.Name+" · ", "1:1 prep", "Last 1:1", mem.Member.LastOneOnOne.String(),
		fmt.Sprintf("Renewals within 90 days (%d)", renewals),
		fmt.Sprintf("Open escalations (%d)", mem.OpenEsc),
		fmt.Sprintf("1:1s logged (%d)", len(logged)))
	keys("1")
	waitFor("1:1 form", "Log a 1:1 with "+mem.Member.Name, "Notes")
	keys("Tab")
	const notes = "E2E 1:1 notes"
	text(notes)
	waitFor("notes typed", "▸ Notes", notes)
	keys("Enter")
	waitUntil("1:1 logged", func() string {
		return fmt.Sprintf("status \"Logged the 1:1 with %s\", \"1:1s logged (%d)\" and %q", mem.Member.Name, len(logged)+1, notes)
	}, func(s string) bool {
		return strings.Contains(statusLine(s), "Logged the 1:1 with "+mem.Member.Name) &&
			strings.Contains(s, fmt.Sprintf("1:1s logged (%d)", len(logged)+1)) && strings.Contains(s, notes)
	})
	var after []store.OneOnOne
	view(func(tx *store.Tx) (err error) {
		after, err = tx.OneOnOnes(mem.Member.ID)
		return err
	})
	if len(after) != len(logged)+1 {
		t.Fatalf("database: %d 1:1s with %s after logging one, want %d: %+v", len(after), mem.Member.Name, len(logged)+1, after)
	}
	found := false
	for _, o := range after {
		if o.Notes == notes {
			found = true
			if o.Author != acting.Name || o.Date != portfolio.Today(time.Now()) {
				t.Fatalf("database: the 1:1 logged is %+v, want author %q on %s", o, acting.Name, portfolio.Today(time.Now()))
			}
		}
	}
	if !found {
		t.Fatalf("database: no 1:1 with %s has the notes %q: %+v", mem.Member.Name, notes, after)
	}

	// 5. Which escalations need the acting manager now.
	p = load()
	total := len(p.Escalations)
	decide := 0
	for i := range p.Escalations {
		if e := &p.Escalations[i]; e.Decision == "" && e.Status == store.StatusOpen {
			decide++
		}
	}
	keys("4")
	waitFor("queue", "[4 Escalations]", "Escalations · ")
	keys("u")
	wantDecide := fmt.Sprintf("Escalations · %d of %d · status unresolved · needs me: awaiting my decision", decide, total)
	waitFor("queue: awaiting my decision", wantDecide)
	keys("u")
	waitUntil("queue: awaiting my decision off", func() string { return "a queue title without \"needs me\"" }, func(s string) bool {
		return strings.Contains(s, "Escalations · ") && !strings.Contains(s, "needs me")
	})
	keys("!")
	// The queue judges SLAs at the minute tick's time, which lies between
	// the top of this minute and now: either count may be on screen.
	dueAt := func(now time.Time) int {
		n := 0
		for i := range p.Escalations {
			e := &p.Escalations[i]
			if e.Open() && !e.SLADue.IsZero() && e.SLADue.After(now) && e.SLADue.Sub(now) <= 24*time.Hour {
				n++
			}
		}
		return n
	}
	dueTitle := regexp.MustCompile(`Escalations · (\d+) of (\d+) · status unresolved · needs me: due within 24 h`)
	var wantDue []int
	waitUntil("queue: due within 24 h", func() string {
		return fmt.Sprintf("\"Escalations · N of %d · status unresolved · needs me: due within 24 h\" with N in %v", total, wantDue)
	}, func(s string) bool {
		now := time.Now()
		wantDue = []int{dueAt(now), dueAt(now.Truncate(time.Minute))}
		m := dueTitle.FindStringSubmatch(s)
		if m == nil || m[2] != strconv.Itoa(total) {
			return false
		}
		n, _ := strconv.Atoi(m[1])
		return n == wantDue[0] || n == wantDue[1]
	})

	// 6. Which renewals this quarter and next are at risk, and what each
	// quarter's forecast GRR is: the renewals view.
	keys("5")
	first, _ := metrics.Quarter(p.AsOf)
	for q, f := range p.KPIs.Forecast {
		name := metrics.QuarterName(first.AddMonths(3 * q))
		waitFor("renewals: the forecast of "+name, "[5 Renewals]", name+": due "+money(f.DueARRCents, cur)+" ("+itoa(f.Count)+")",
			"forecast GRR "+pct(f.GRR))
	}
	// The renewal at risk with the soonest date this quarter is listed
	// with its category.
	var soon *portfolio.Account
	_, last := metrics.Quarter(p.AsOf)
	for i := range p.Accounts {
		a := &p.Accounts[i]
		if a.Live && a.Forecast == metrics.AtRiskRenewal && a.DaysToRenewal >= 0 && a.RenewalDate <= last && (soon == nil || a.RenewalDate < soon.RenewalDate) {
			soon = a
		}
	}
	if soon != nil {
		waitUntil("renewals: "+soon.Name+" at risk", func() string { return soon.Name + " … at risk" }, func(s string) bool {
			for _, l := range lines(s) {
				if strings.Contains(l, soon.Name) && strings.Contains(l, "at risk") {
					return true
				}
			}
			return false
		})
	}

	// 7. How last quarter's forecast held up: [ sets its first weekly call
	// against what renewed, the largest shortfall first.
	var q portfolio.QuarterCalls
	if err := store.View(db, store.Options{}, func(tx *store.Tx) (err error) {
		q, err = portfolio.ReadQuarterCalls(tx, portfolio.PrevQuarter(p.AsOf))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	rec := p.Reconcile(q)
	if rec.Weeks == 0 || len(rec.Rows) == 0 {
		t.Fatalf("the demo has no closed quarter to reconcile: %+v", q)
	}
	keys("[")
	waitFor("forecast versus actual", metrics.QuarterName(q.First)+" closed: forecast GRR "+pct(rec.Sums.ForecastGRR)+" → actual "+pct(rec.Sums.ActualGRR),
		"variance "+signedMoney(rec.Sums.VarianceCents, cur), "renewed "+itoa(rec.Sums.Renewed)+" of "+itoa(rec.Sums.Count))
	if a := p.Account(rec.Rows[0].AccountID); a != nil {
		waitUntil("the largest shortfall leads", func() string { return "▸ " + a.Name }, func(s string) bool {
			for _, l := range lines(s) {
				if strings.Contains(l, "▸") && strings.Contains(l, a.Name) && strings.Contains(l, signedMoney(rec.Rows[0].Variance(), cur)) {
					return true
				}
			}
			return false
		})
	}

	keys("q")
	waitFor("clean exit", "steward exited with 0")
	t.Logf("answered the Monday questions in %v: at risk %s (most with %s, %s); worsened %d / improved %d since %s, worsened %d since %s; 1:1 with %s logged; %d awaiting a decision, %v due within 24 h",
		time.Since(start).Round(time.Millisecond), money(p.KPIs.AtRiskARRCents, cur), top.Member.Name, wantTop,
		len(p.Review.Worsened), len(p.Review.Improved), w, len(alt.Worsened), prevW, mem.Member.Name, decide, wantDue)
}

// teamCell is the text of the team table's column title on the row of the
// member called name: the screen between the end of the column title
// before it (prev) and the end of its own title (both right-aligned),
// trimmed; "" when the header or the row is not on screen.
func teamCell(screen, name, title, prev string) string {
	var header, row string
	for _, l := range strings.Split(screen, "\n") {
		switch {
		case header == "" && strings.Contains(l, " Member ") && strings.Contains(l, " "+title+" "):
			header = l
		case strings.HasPrefix(teamRowText(l), name+" "):
			row = l
		}
	}
	if header == "" || row == "" {
		return ""
	}
	end := func(t string) int {
		i := strings.Index(header, " "+t+" ")
		if i < 0 {
			return -1
		}
		return ansi.StringWidth(header[:i+1]) + ansi.StringWidth(t)
	}
	from, to := end(prev), end(title)
	if from < 0 || to <= from {
		return ""
	}
	return strings.TrimSpace(ansi.Cut(row, from, to))
}

// teamRowText is a table line without its selection mark ("▸ " or two
// spaces).
func teamRowText(l string) string {
	if r, ok := strings.CutPrefix(l, "▸ "); ok {
		return r
	}
	if r, ok := strings.CutPrefix(l, "  "); ok && !strings.HasPrefix(r, " ") {
		return r
	}
	return ""
}
