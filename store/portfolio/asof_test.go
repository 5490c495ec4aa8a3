package portfolio

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
)

// The history fixture: a report as of Wednesday 2026-09-30 (ISO week
// 2026-W40) read from a database written on "today", 2026-11-20, whose
// records moved on since. Its snapshot week is 2026-W39, the newest week
// that had ended by then.
var (
	pastDay   = mustDate("2026-09-30")
	histToday = mustDate("2026-11-20")
	histNow   = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
)

// History fixture IDs, in insertion order.
const (
	hZoe uint64 = 1 // manager
	hBob uint64 = 2 // account manager

	hOld     uint64 = 1 // Bob: 100k since 2025-01-10, renewed 2026-01-12; W39 yellow
	hNewbie  uint64 = 2 // Zoe: first ARR 2026-10-20, after the day: absent
	hLeaver  uint64 = 3 // Bob: 200k, churned 2026-11-01, after the day: live then; W39 red
	hGrower  uint64 = 4 // Bob: 300k, expanded to 450k on 2026-10-10: 300k then; W39 green
	hRenewed uint64 = 5 // Zoe: 500k, renewed 2026-10-18 for 2027: due 2026-10-20 then; W39 red
	hGone    uint64 = 6 // Bob: churned 2026-06-01, before the day
	hLate    uint64 = 7 // unassigned, no ledger, created after the day: absent
)

// writeHistoryDB writes the history fixture through the store's actions,
// so the escalation timelines are the ones the dashboard writes.
func writeHistoryDB(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "history.db")
	end := EndOfDay(pastDay)
	// Instants relative to the end of the day, so the test holds in every
	// time zone.
	before := func(h int) time.Time { return end.Add(-time.Duration(h) * time.Hour) }
	after := func(h int) time.Time { return end.Add(time.Duration(h) * time.Hour) }
	le := func(id uint64, d string, arr int64, k metrics.LedgerKind) store.LedgerEntry {
		return store.LedgerEntry{AccountID: id, Date: mustDate(d), ARRCents: arr, Kind: k, Author: "test"}
	}
	zoe := store.Actor{ID: hZoe, Name: "Zoe Lead"}
	err := store.Update(path, opt0, func(tx *store.Tx) error {
		for _, m := range []store.Member{
			{Name: "Zoe Lead", Email: "zoe@example.com", Role: store.RoleManager, Active: true},
			{Name: "Bob Ray", Email: "bob@example.com", Role: store.RoleAccountManager, Active: true},
		} {
			if err := tx.PutMember(&m); err != nil {
				return err
			}
		}
		smb := metrics.SMB
		for _, a := range []store.Account{
			{Name: "Old", OwnerID: hBob, Segment: smb, ARRCents: 10_000_000, ContractStart: mustDate("2025-01-10"),
				RenewalDate: mustDate("2027-01-10"), NPS: metrics.Some(9), CSAT: metrics.Some(5), PipelineCents: 700_000},
			{Name: "Newbie", OwnerID: hZoe, Segment: smb, ARRCents: 4_000_000, ContractStart: mustDate("2026-10-20"),
				RenewalDate: mustDate("2027-10-20"), NPS: metrics.Some(10)},
			{Name: "Leaver", OwnerID: hBob, Segment: smb, Lifecycle: store.Churned, ContractStart: mustDate("2025-11-01"),
				RenewalDate: mustDate("2026-11-01"), NPS: metrics.Some(2)},
			{Name: "Grower", OwnerID: hBob, Segment: smb, ARRCents: 45_000_000, ContractStart: mustDate("2025-05-01"),
				RenewalDate: mustDate("2027-05-01"), PipelineCents: 1_000_000},
			{Name: "Renewed", OwnerID: hZoe, Segment: smb, ARRCents: 50_000_000, ContractStart: mustDate("2025-10-20"),
				RenewalDate: mustDate("2027-10-20"), CSAT: metrics.Some(2)},
			{Name: "Gone", OwnerID: hBob, Segment: smb, Lifecycle: store.Churned, ContractStart: mustDate("2024-06-01"),
				RenewalDate: mustDate("2026-06-01")},
			{Name: "Late", Segment: smb, ARRCents: 900_000, CreatedAt: after(24 * 20)},
		} {
			if err := tx.PutAccount(&a); err != nil {
				return err
			}
		}
		for _, l := range []store.LedgerEntry{
			le(hOld, "2025-01-10", 10_000_000, metrics.KindNew),
			le(hOld, "2026-01-12", 10_000_000, metrics.KindRenewal),
			le(hNewbie, "2026-10-20", 4_000_000, metrics.KindNew),
			le(hLeaver, "2025-11-01", 20_000_000, metrics.KindNew),
			le(hLeaver, "2026-11-01", 0, metrics.KindChurn),
			le(hGrower, "2025-05-01", 30_000_000, metrics.KindNew),
			le(hGrower, "2026-10-10", 45_000_000, metrics.KindExpansion),
			le(hRenewed, "2025-10-20", 50_000_000, metrics.KindNew),
			le(hRenewed, "2026-10-18", 50_000_000, metrics.KindRenewal),
			le(hGone, "2024-06-01", 5_000_000, metrics.KindNew),
			le(hGone, "2026-06-01", 0, metrics.KindChurn),
		} {
			if err := tx.AppendLedger(&l); err != nil {
				return err
			}
		}
		snap := func(id uint64, w metrics.Week, score int, band metrics.Band) error {
			return tx.PutSnapshot(&store.Snapshot{AccountID: id, Week: w, Score: score, Band: band})
		}
		for _, s := range []struct {
			id    uint64
			week  metrics.Week
			score int
			band  metrics.Band
		}{
			// W38: older still, must not be used.
			{hOld, 202638, 95, metrics.Green}, {hGrower, 202638, 10, metrics.Red}, {hRenewed, 202638, 60, metrics.Yellow},
			// W39 (21-27 Sep): the week that had ended by the day.
			{hOld, 202639, 55, metrics.Yellow}, {hLeaver, 202639, 30, metrics.Red},
			{hGrower, 202639, 80, metrics.Green}, {hRenewed, 202639, 35, metrics.Red},
			// W40: the day's own week, which may have been taken after it.
			{hOld, 202640, 90, metrics.Green}, {hLeaver, 202640, 75, metrics.Green},
			{hGrower, 202640, 20, metrics.Red}, {hRenewed, 202640, 85, metrics.Green},
			// W46: long after.
			{hOld, 202646, 10, metrics.Red}, {hNewbie, 202646, 88, metrics.Green},
			{hGrower, 202646, 50, metrics.Yellow}, {hRenewed, 202646, 90, metrics.Green},
		} {
			if err := snap(s.id, s.week, s.score, s.band); err != nil {
				return err
			}
		}

		create := func(acct uint64, sev string, at time.Time) (uint64, error) {
			e, err := tx.CreateEscalation(store.NewEscalation{AccountID: acct, Title: "Issue", Severity: sev}, zoe, at)
			return e.ID, err
		}
		steps := []func() error{
			// e1 Leaver: high, raised 10 days before, in progress, resolved
			// 5 days after: open and past its 24-hour SLA on the day.
			func() error { _, err := create(hLeaver, store.SevHigh, before(240)); return err },
			func() error { _, err := tx.SetStatus(1, store.StatusInProgress, zoe, before(200)); return err },
			func() error { _, err := tx.Resolve(1, "fixed", zoe, after(120)); return err },
			// e2 Old: raised after the day: absent.
			func() error { _, err := create(hOld, store.SevMedium, after(72)); return err },
			// e3 Grower: raised and resolved before the day.
			func() error { _, err := create(hGrower, store.SevLow, before(24*29)); return err },
			func() error { _, err := tx.Resolve(3, "done", zoe, before(24*20)); return err },
			// e4 Renewed: medium (SLA 72 h, not yet due) on the day; made
			// critical after it, which moves the SLA into the past.
			func() error { _, err := create(hRenewed, store.SevMedium, before(30)); return err },
			func() error { _, err := tx.SetSeverity(4, store.SevCritical, zoe, after(30)); return err },
			// e5 Old: resolved before the day, reopened after it.
			func() error { _, err := create(hOld, store.SevLow, before(24*20)); return err },
			func() error { _, err := tx.Resolve(5, "done", zoe, before(24*15)); return err },
			func() error { _, err := tx.Reopen(5, "back again", zoe, after(24*10)); return err },
			func() error { _, err := tx.SetStatus(5, store.StatusWaitingClient, zoe, after(24*11)); return err },
			// e6 Grower: resolved, reopened and sent to the director before
			// the day's end, resolved after it: with_director on the day.
			func() error { _, err := create(hGrower, store.SevLow, before(24*5)); return err },
			func() error { _, err := tx.Resolve(6, "done", zoe, before(24*2)); return err },
			func() error { _, err := tx.Reopen(6, "not done", zoe, before(24)); return err },
			func() error { _, err := tx.Decide(6, store.DecisionDirector, zoe, before(6)); return err },
			func() error { _, err := tx.Resolve(6, "done now", zoe, after(48)); return err },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("writing the history fixture: %v", err)
	}
	return path
}

func loadPast(t *testing.T, path string, day metrics.Date) *Past {
	t.Helper()
	p, err := LoadPast(path, opt0, day)
	if err != nil {
		t.Fatalf("LoadPast(%s): %v", day, err)
	}
	return p
}

func TestReportAsOfPastDay(t *testing.T) {
	path := writeHistoryDB(t)
	r := loadPast(t, path, pastDay).Report()
	m := decodeReportJSON(t, r)
	for _, k := range reportKeys {
		if _, ok := m[k]; !ok {
			t.Errorf("past report JSON has no %q key", k)
		}
	}
	if m["as_of"] != "2026-09-30" || m["window_start"] != "2025-09-30" || m["window_end"] != "2026-09-30" {
		t.Errorf("as_of %v window %v..%v", m["as_of"], m["window_start"], m["window_end"])
	}

	// Accounts and ARR from the ledger: Old 100k, Leaver 200k (churned
	// later), Grower 300k (expanded later), Renewed 500k; Newbie and Late
	// did not exist yet, Gone had churned.
	if number(t, m, "accounts") != 4 || number(t, m, "arr_cents") != 110_000_000 {
		t.Errorf("accounts %v arr_cents %v, want 4 and 110000000 (Old, Leaver, Grower at 300k, Renewed)", m["accounts"], m["arr_cents"])
	}
	// Bands from W39, not the day's own week W40 nor a later one.
	bands := obj(t, m, "bands")
	for b, want := range map[string]float64{"green": 1, "yellow": 1, "red": 2, "unknown": 0} {
		if bands[b] != want {
			t.Errorf("bands = %v, want green 1 (Grower), yellow 1 (Old), red 2 (Leaver, Renewed), unknown 0", bands)
			break
		}
	}
	// Cohort at 2025-09-30: Old 100k -> 100k, Grower 300k -> 300k (its
	// expansion came later), Gone 50k -> 0.
	if !near(number(t, m, "nrr"), 400.0/450) || !near(number(t, m, "logo_retention"), 2.0/3) {
		t.Errorf("nrr %v logo_retention %v, want %v and %v", m["nrr"], m["logo_retention"], 400.0/450, 2.0/3)
	}
	// Due in the window: Old 2026-01-10 (renewed), Grower 2026-05-01, Gone
	// 2026-06-01 (churned).
	if m["renewals_due_in_window"] != 3.0 || m["renewals_renewed"] != 1.0 {
		t.Errorf("renewals due %v renewed %v, want 3 and 1", m["renewals_due_in_window"], m["renewals_renewed"])
	}

	// Escalations at the end of the day: e1 in progress (breached), e4
	// open (medium then: not yet due), e6 with the director, e3 and e5
	// resolved; e2 absent.
	esc := obj(t, m, "escalations")
	for s, want := range map[string]float64{"open": 1, "in_progress": 1, "waiting_client": 0, "with_director": 1, "resolved": 2} {
		if esc[s] != want {
			t.Errorf("escalations = %v, want open 1, in_progress 1, waiting_client 0, with_director 1, resolved 2", esc)
			break
		}
	}
	if m["escalations_breached"] != 1.0 {
		t.Errorf("escalations_breached = %v, want 1 (e1; e4 was medium then)", m["escalations_breached"])
	}

	// Renewals relative to the day: Renewed was due 2026-10-20 (renewed
	// later, so today's date is a term on), Leaver 2026-11-01.
	due := obj(t, m, "renewals_due")
	for d, w := range map[string][2]float64{"30": {1, 50_000_000}, "60": {2, 70_000_000}, "90": {2, 70_000_000}} {
		if b := obj(t, due, d); b["count"] != w[0] || b["arr_cents"] != w[1] {
			t.Errorf("renewals_due[%s] = %v, want count %v arr_cents %v", d, b, w[0], w[1])
		}
	}
	risk := m["at_risk_renewals"].([]any)
	var names []string
	for _, x := range risk {
		a := x.(map[string]any)
		names = append(names, a["account"].(string))
		switch a["account"] {
		case "Renewed":
			if a["renewal_date"] != "2026-10-20" || a["days_left"] != 20.0 || a["score"] != 35.0 || a["band"] != "red" || a["arr_cents"] != 50_000_000.0 {
				t.Errorf("Renewed at risk = %v, want 2026-10-20, 20 days, score 35, red, 500k", a)
			}
			// W38 60 -> W39 35.
			if flags := a["flags"].([]any); len(flags) != 2 || flags[0] != "renewal-risk" || flags[1] != "dropping" {
				t.Errorf("Renewed flags = %v, want renewal-risk and dropping", flags)
			}
		case "Leaver":
			flags := a["flags"].([]any)
			if len(flags) != 2 || flags[0] != "renewal-risk" || flags[1] != "sla-breach" {
				t.Errorf("Leaver flags = %v, want renewal-risk and sla-breach", flags)
			}
		}
	}
	if strings.Join(names, ",") != "Renewed,Leaver" {
		t.Errorf("at-risk renewals = %v, want Renewed,Leaver", names)
	}

	// Members: today's owners over the accounts live on the day.
	rows := map[string]map[string]any{}
	for _, x := range m["members"].([]any) {
		mr := x.(map[string]any)
		rows[mr["name"].(string)] = mr
		if mr["csat"] != nil || mr["nps"] != nil {
			t.Errorf("member %v csat %v nps %v, want null on a past day", mr["name"], mr["csat"], mr["nps"])
		}
	}
	if len(rows) != 2 {
		t.Errorf("member rows %v, want Zoe and Bob only (Late, the unassigned account, did not exist)", rows)
	}
	if b := rows["Bob Ray"]; b == nil || b["accounts"] != 3.0 || b["arr_cents"] != 60_000_000.0 || b["open_escalations"] != 2.0 ||
		b["renewals_due_90"] != 1.0 || b["renewals_due_90_arr_cents"] != 20_000_000.0 {
		t.Errorf("Bob = %v, want 3 accounts, 600k, 2 open escalations, 1 renewal due (200k)", b)
	}
	if z := rows["Zoe Lead"]; z == nil || z["accounts"] != 1.0 || z["arr_cents"] != 50_000_000.0 || z["open_escalations"] != 1.0 {
		t.Errorf("Zoe = %v, want 1 account, 500k, 1 open escalation", z)
	}

	// What only has a latest value is null and listed.
	for _, k := range []string{"nps", "nps_responses", "csat", "csat_mean", "csat_responses", "expansion_pipeline_cents"} {
		if v, ok := m[k]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null on a past day", k, v, ok)
		}
	}
	current := map[string]bool{}
	for _, x := range m["current_only"].([]any) {
		current[x.(string)] = true
	}
	for _, k := range []string{"nps", "csat", "expansion_pipeline_cents", "members.csat", "members.nps"} {
		if !current[k] {
			t.Errorf("current_only = %v, lacks %q", m["current_only"], k)
		}
	}
	src := obj(t, m, "as_of_sources")
	if src["snapshot_week"] != "2026-W39" || src["accounts"] != "ledger" || src["bands"] != "snapshot" || src["escalations"] != "timeline" ||
		src["owners"] != "current" || src["renewal_dates"] != "current_by_term" {
		t.Errorf("as_of_sources = %v", src)
	}

	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# Leadership report, 2026-09-30",
		"4 live accounts, $1,100,000 ARR",
		"As of 2026-09-30, a past day.",
		"the 2026-W39 snapshot",
		"Owners and capacity are today's",
		"Left out, as steward keeps only their latest value: NPS, CSAT (also per member), expansion pipeline",
		"| NPS | left out: only today's value is kept |",
		"| CSAT (4-5 share) | left out: only today's value is kept |",
		"| Expansion pipeline | left out: only today's value is kept |",
		"| Health bands | green 1, yellow 1, red 2, unknown 0 |",
		"open 1, in progress 1, waiting on the client 0, with the director 1, resolved 2; 1 past SLA",
		"| Renewed | Zoe Lead | $500,000 | 2026-10-20 | 20 | 35 | red | renewal-risk, dropping |",
	} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("past markdown lacks %q\n%s", want, md.String())
		}
	}
	var csvOut bytes.Buffer
	if err := r.WriteCSV(&csvOut); err != nil {
		t.Fatal(err)
	}
	var portfolioRow string
	for _, line := range strings.Split(strings.TrimSpace(csvOut.String()), "\n") {
		if strings.Contains(line, ",Portfolio,") {
			portfolioRow = line
		}
	}
	if !strings.Contains(portfolioRow, ",2,70000000,,,2,70000000,") {
		t.Errorf("past CSV Portfolio row %q: want renewals 2, 70000000, empty csat and nps, and both renewals (red) at risk", portfolioRow)
	}
}

// Today's report of the same database is today's: the as-of machinery
// does not touch it.
func TestReportTodayUnchangedByHistory(t *testing.T) {
	path := writeHistoryDB(t)
	p, err := Load(path, opt0, histToday, histNow)
	if err != nil {
		t.Fatal(err)
	}
	r := p.Report()
	m := decodeReportJSON(t, r)
	// Live today: Old, Newbie, Grower at 450k, Renewed, Late.
	if number(t, m, "accounts") != 5 || number(t, m, "arr_cents") != 109_900_000 {
		t.Errorf("today: accounts %v arr %v, want 5 and 109900000", m["accounts"], m["arr_cents"])
	}
	esc := obj(t, m, "escalations")
	if esc["open"] != 2.0 || esc["waiting_client"] != 1.0 || esc["resolved"] != 3.0 || m["escalations_breached"] != 3.0 {
		t.Errorf("today: escalations %v breached %v, want open 2, waiting 1, resolved 3, 3 breached (e2, e4 critical now, e5)", esc, m["escalations_breached"])
	}
	if number(t, m, "nps_responses") != 2 || number(t, m, "expansion_pipeline_cents") != 1_700_000 || m["nps"] == nil {
		t.Errorf("today: nps %v (%v responses), pipeline %v", m["nps"], m["nps_responses"], m["expansion_pipeline_cents"])
	}
	if cur, ok := m["current_only"].([]any); !ok || len(cur) != 0 {
		t.Errorf("today: current_only = %v, want []", m["current_only"])
	}
	if v, ok := m["as_of_sources"]; !ok || v != nil {
		t.Errorf("today: as_of_sources = %v (present %v), want null", v, ok)
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(md.String(), "a past day") || strings.Contains(md.String(), "left out") {
		t.Errorf("today's markdown carries the past-day note:\n%s", md.String())
	}
	if !strings.Contains(md.String(), "| NPS | 100 (2 responses) |") || !strings.Contains(md.String(), "| Expansion pipeline | $17,000 |") {
		t.Errorf("today's markdown lost NPS or pipeline:\n%s", md.String())
	}
}

func TestReportAsOfBeforeAnyRecord(t *testing.T) {
	path := writeHistoryDB(t)
	r := loadPast(t, path, mustDate("2020-01-01")).Report()
	m := decodeReportJSON(t, r)
	if m["accounts"] != 0.0 || m["arr_cents"] != 0.0 || m["nrr"] != nil || m["escalations_breached"] != 0.0 {
		t.Errorf("before any record: accounts %v arr %v nrr %v breached %v, want 0, 0, null, 0", m["accounts"], m["arr_cents"], m["nrr"], m["escalations_breached"])
	}
	if src := obj(t, m, "as_of_sources"); src["snapshot_week"] != nil {
		t.Errorf("snapshot_week = %v, want null before any snapshot", src["snapshot_week"])
	}
	for _, x := range obj(t, m, "escalations") {
		if x != 0.0 {
			t.Errorf("escalations = %v, want all zero", m["escalations"])
		}
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "0 live accounts, $0 ARR") || !strings.Contains(md.String(), "every account counts as unknown") {
		t.Errorf("before any record, markdown:\n%s", md.String())
	}
}

// The snapshot week is the newest one that had ended by the end of the
// day: the day's own week only on its Sunday.
func TestReportAsOfSnapshotWeek(t *testing.T) {
	path := writeHistoryDB(t)
	for day, want := range map[string]metrics.Week{
		"2026-09-27": 202639, // Sunday of W39
		"2026-09-28": 202639, // Monday of W40
		"2026-10-04": 202640, // Sunday of W40
		"2026-09-20": 202638, // Sunday of W38
		"2026-09-19": 0,      // W38 had not ended
		"2026-11-14": 202640, // W46 had not ended
		"2026-11-19": 202646,
	} {
		if got := loadPast(t, path, mustDate(day)).SnapshotWeek; got != want {
			t.Errorf("as of %s: snapshot week %v, want %v", day, got, want)
		}
	}
}

func TestEscalationAtWithoutTimeline(t *testing.T) {
	cfg := metrics.DefaultConfig()
	end := time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)
	// Imported with no timeline of its own: resolved after the day, so
	// open then; its SLA stays.
	e := store.Escalation{ID: 9, Severity: store.SevHigh, Status: store.StatusResolved, CreatedAt: end.Add(-48 * time.Hour),
		UpdatedAt: end.Add(24 * time.Hour), ResolvedAt: end.Add(24 * time.Hour), SLADue: end.Add(-24 * time.Hour)}
	got, ok := EscalationAt(e, nil, end, cfg)
	if !ok || got.Status != store.StatusOpen || !got.ResolvedAt.IsZero() || !got.Breached(end) {
		t.Errorf("EscalationAt = %+v (ok %v), want open and breached", got, ok)
	}
	// Unchanged since the day: as stored.
	e.UpdatedAt, e.ResolvedAt = end.Add(-time.Hour), end.Add(-time.Hour)
	if got, _ := EscalationAt(e, nil, end, cfg); got.Status != store.StatusResolved {
		t.Errorf("resolved before the day: status %s", got.Status)
	}
	if _, ok := EscalationAt(e, nil, e.CreatedAt.Add(-time.Second), cfg); ok {
		t.Errorf("an escalation exists before it was raised")
	}
}

func TestArrowPair(t *testing.T) {
	tests := []struct {
		text     string
		vocab    []string
		from, to string
	}{
		{"status open → in_progress", store.Statuses, "open", "in_progress"},
		{"in_progress → with_director", store.Statuses, "in_progress", "with_director"},
		{"decision: send to the director; status open → with_director", store.Statuses, "open", "with_director"},
		{"severity low → high; SLA due 2026-09-30 12:00 UTC", store.Severities, "low", "high"},
		{"Severity medium → high after talking to the customer", store.Severities, "medium", "high"},
		{"updated by import from f.csv: severity low → high, status open → resolved", store.Statuses, "open", "resolved"},
		{"updated by import from f.csv: severity low → high, status open → resolved", store.Severities, "low", "high"},
		{"owner → Bob", store.Statuses, "", ""},
		{"Decision: send to the director", store.Statuses, "", ""},
	}
	for _, tc := range tests {
		from, to, ok := arrowPair(tc.text, tc.vocab)
		if from != tc.from || to != tc.to || ok != (tc.to != "") {
			t.Errorf("arrowPair(%q) = %q, %q, %v; want %q, %q", tc.text, from, to, ok, tc.from, tc.to)
		}
	}
}
