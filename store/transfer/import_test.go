package transfer

import (
	"crypto/sha256"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"steward/metrics"
	"steward/store"
	"steward/store/portfolio"
)

const salesforceCSV = "Account ID,Account Name,Account Owner,ARR,Renewal Date,Type,Industry\r\n" +
	"0015g00000AbCdE,Wayne Enterprises,Omar Haddad,\"$250,000.00\",2026-09-30,Customer,Manufacturing\r\n" +
	"0015g00000AbCdF,\"Stark Industries, LLC\",lena@example.com,12.5k,2027-01-15,Customer - Direct,Technology\r\n" +
	"0015g00000AbCdG,Umbrella Corp,OMAR HADDAD,12500,,Customer,Pharma\r\n"

func TestSalesforceExportImportsAndShowsEverywhere(t *testing.T) {
	db := fixtureDB(t)
	file := writeFile(t, "salesforce.csv", salesforceCSV)
	res := mustImport(t, db, file, ImportOptions{})
	if res.Kind != Accounts || res.Rows != 3 || res.Created != 3 || res.Updated != 0 || res.Unchanged != 0 {
		t.Fatalf("result = %+v", res)
	}
	if !slices.Equal(res.Ignored, []string{"Type", "Industry"}) {
		t.Errorf("Ignored = %q, want Type and Industry", res.Ignored)
	}
	accts := accountsOf(t, db)
	if len(accts) != 6 {
		t.Fatalf("%d accounts, want 6", len(accts))
	}
	byExt := map[string]store.Account{}
	for _, a := range accts {
		byExt[a.ExternalID] = a
	}
	w := byExt["0015g00000AbCdE"]
	if w.Name != "Wayne Enterprises" || w.ARRCents != 250_000_00 || w.RenewalDate != day0("2026-09-30") || w.OwnerID != 2 {
		t.Errorf("Wayne = %+v", w)
	}
	if s := byExt["0015g00000AbCdF"]; s.Name != "Stark Industries, LLC" || s.ARRCents != 12_500_00 || s.OwnerID != 3 {
		t.Errorf("Stark = %+v", s)
	}
	if u := byExt["0015g00000AbCdG"]; u.OwnerID != 2 || !u.RenewalDate.IsZero() {
		t.Errorf("Umbrella = %+v", u)
	}
	if l := ledgerOf(t, db, w.ID); len(l) != 1 || l[0].Kind != metrics.KindNew || l[0].ARRCents != 250_000_00 || l[0].Date != testToday || l[0].Author != "import" {
		t.Errorf("ledger of a new account = %+v", l)
	}

	// Every view reads the portfolio: the accounts, the team rows, the KPIs.
	p, err := portfolio.Load(db, testOpt, testToday, testNow)
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"0015g00000AbCdE", "0015g00000AbCdF", "0015g00000AbCdG"} {
		a := p.Account(byExt[ext].ID)
		if a == nil || a.OwnerName == "" || !a.Live {
			t.Errorf("portfolio account %s = %+v", ext, a)
		}
	}
	var omar *portfolio.MemberRow
	for i := range p.Team {
		if p.Team[i].Member.Name == "Omar Haddad" {
			omar = &p.Team[i]
		}
	}
	if omar == nil || omar.Accounts != 3 || omar.ARRCents != 120_000_00+250_000_00+12_500_00 {
		t.Errorf("Omar's team row = %+v", omar)
	}
	if p.KPIs.LiveAccounts != 6 {
		t.Errorf("KPIs.LiveAccounts = %d", p.KPIs.LiveAccounts)
	}

	// Re-importing the same file, twice, changes nothing but the date of
	// the health inputs it states (the renewal date): each row is
	// refreshed, and no export shows a difference.
	before := snapshotAll(t, db)
	for i := 0; i < 2; i++ {
		res = mustImport(t, db, file, ImportOptions{})
		if res.Created != 0 || res.Updated != 0 || res.Refreshed != 3 || res.Unchanged != 0 {
			t.Fatalf("re-import %d = %+v", i+1, res)
		}
	}
	if after := snapshotAll(t, db); after != before {
		t.Errorf("re-import changed the database")
	}
	if n := len(accountsOf(t, db)); n != 6 {
		t.Errorf("%d accounts after re-import, want 6", n)
	}
}

func TestARRChangesAppendLedgerEntries(t *testing.T) {
	db := fixtureDB(t)
	file := writeFile(t, "arr.csv", "Account ID,ARR\n001A,130000\n001B,40000\n001C,0\n")
	res := mustImport(t, db, file, ImportOptions{Author: "Maya Chen"})
	if res.Updated != 3 {
		t.Fatalf("result = %+v", res)
	}
	want := map[string]metrics.LedgerKind{"001A": metrics.KindExpansion, "001B": metrics.KindContraction, "001C": metrics.KindChurn}
	for _, a := range accountsOf(t, db) {
		l := ledgerOf(t, db, a.ID)
		last := l[len(l)-1]
		if len(l) != 2 || last.Kind != want[a.ExternalID] || last.ARRCents != a.ARRCents || last.Date != testToday || last.Author != "Maya Chen" {
			t.Errorf("%s: ledger %+v", a.ExternalID, l)
		}
	}
	// Columns absent from the file are left alone.
	for _, a := range accountsOf(t, db) {
		if a.ExternalID == "001A" && (a.Name != "Acme Corp" || a.OwnerID != 2 || !a.NPS.Set || a.Seats != 100) {
			t.Errorf("untouched fields changed: %+v", a)
		}
	}
	// Same ARR again: no new entry.
	res = mustImport(t, db, file, ImportOptions{})
	if res.Unchanged != 3 {
		t.Fatalf("second import = %+v", res)
	}
	for _, a := range accountsOf(t, db) {
		if n := len(ledgerOf(t, db, a.ID)); n != 2 {
			t.Errorf("%s: %d ledger entries after an unchanged import", a.ExternalID, n)
		}
	}
}

func TestEmptyCellsClearOptionalValuesAndAbsentOwnerKeepsOwner(t *testing.T) {
	db := fixtureDB(t)
	file := writeFile(t, "clear.csv", "Account ID,NPS,CSAT,Active Users,Renewal Date,ARR\n001A,,,,,\n")
	mustImport(t, db, file, ImportOptions{})
	a := accountsOf(t, db)[0]
	if a.NPS.Set || a.CSAT.Set || a.ActiveUsers.Set || !a.RenewalDate.IsZero() {
		t.Errorf("empty cells did not clear: %+v", a)
	}
	if a.ARRCents != 120_000_00 || a.OwnerID != 2 {
		t.Errorf("an empty ARR cell or an absent owner column changed the account: %+v", a)
	}
	// A file without an owner column puts new accounts in the Unassigned pool.
	file = writeFile(t, "new.csv", "Account Name,ARR\nHooli,5000\n")
	mustImport(t, db, file, ImportOptions{})
	accts := accountsOf(t, db)
	if h := accts[len(accts)-1]; h.Name != "Hooli" || h.OwnerID != 0 {
		t.Errorf("new account = %+v", h)
	}
	// Matched by exact name when there is no ID column.
	file = writeFile(t, "byname.csv", "Name,NPS\nHooli,7\nInitech,8\n")
	res := mustImport(t, db, file, ImportOptions{Kind: Accounts})
	if res.Updated != 2 || res.Created != 0 {
		t.Errorf("by-name upsert = %+v", res)
	}
}

func TestCreateMembers(t *testing.T) {
	db := fixtureDB(t)
	file := writeFile(t, "owners.csv", "Account ID,Account Name,Account Owner,Owner Email\nX1,Hooli,Gavin Belson,gavin@hooli.test\nX2,Pied Piper,gavin@hooli.test,\nX3,Raviga,,\n")
	res, err := Import(db, testOpt, file, opts(ImportOptions{}))
	if err != nil || len(res.Errors) != 2 || !strings.Contains(res.Errors[0].Error(), "--create-members") {
		t.Fatalf("without --create-members: %v %+v", err, res.Errors)
	}
	res = mustImport(t, db, file, ImportOptions{CreateMembers: true})
	if !slices.Equal(res.MembersCreated, []string{"Gavin Belson"}) {
		t.Errorf("MembersCreated = %q", res.MembersCreated)
	}
	var ms []store.Member
	store.View(db, testOpt, func(tx *store.Tx) error { ms, _ = tx.Members(); return nil })
	g := ms[len(ms)-1]
	if len(ms) != 4 || g.Name != "Gavin Belson" || g.Email != "gavin@hooli.test" || g.Role != store.RoleAccountManager || !g.Active {
		t.Errorf("members = %+v", ms)
	}
	for _, a := range accountsOf(t, db)[3:] {
		want := g.ID
		if a.ExternalID == "X3" {
			want = 0
		}
		if a.OwnerID != want {
			t.Errorf("%s owner %d, want %d", a.Name, a.OwnerID, want)
		}
	}
}

func TestDryRunWritesNothing(t *testing.T) {
	db := fixtureDB(t)
	before := fileSum(t, db)
	file := writeFile(t, "accounts.csv", "Account ID,Account Name,ARR,Account Owner\n001A,Acme Corp,130000,Omar Haddad\nN1,New Co,100,Nobody New\n001B,\"Globex, Inc.\",45500.50,Lena Vogel\n")
	res, err := Import(db, testOpt, file, opts(ImportOptions{DryRun: true, CreateMembers: true}))
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	if res.Created != 1 || res.Updated != 1 || res.Unchanged != 1 || !slices.Equal(res.MembersCreated, []string{"Nobody New"}) || res.Written() {
		t.Errorf("dry run = %+v", res)
	}
	if !strings.Contains(res.Summary("accounts.csv"), "dry run") {
		t.Errorf("summary %q", res.Summary("accounts.csv"))
	}
	if fileSum(t, db) != before {
		t.Errorf("a dry run changed the database file")
	}
	// A dry run against a database that does not exist creates nothing.
	missing := emptyDB(t)
	if _, err := Import(missing, testOpt, file, opts(ImportOptions{DryRun: true, CreateMembers: true})); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("a dry run created %s", missing)
	}
}

func fileSum(t testing.TB, path string) [32]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func TestMembersImport(t *testing.T) {
	db := fixtureDB(t)
	file := writeFile(t, "team.csv", "Full Name,Email Address,Role,Max Accounts,Last 1:1,Active\n"+
		"Omar Haddad,OMAR@example.com,Senior AM,45,2026-03-01,yes\n"+
		"Priya Nair,priya@example.com,CSM,,,\n"+
		"Tom Ford,tom@example.com,Team Lead,12,,no\n")
	res := mustImport(t, db, file, ImportOptions{})
	if res.Kind != Members || res.Created != 2 || res.Updated != 1 {
		t.Fatalf("result = %+v", res)
	}
	var ms []store.Member
	store.View(db, testOpt, func(tx *store.Tx) error { ms, _ = tx.Members(); return nil })
	byName := map[string]store.Member{}
	for _, m := range ms {
		byName[m.Name] = m
	}
	if o := byName["Omar Haddad"]; o.ID != 2 || o.Role != store.RoleSeniorAM || o.Capacity != 45 || o.LastOneOnOne != day0("2026-03-01") || o.Email != "OMAR@example.com" {
		t.Errorf("Omar = %+v", o)
	}
	if p := byName["Priya Nair"]; p.Role != store.RoleAccountManager || p.Capacity != 30 || !p.Active {
		t.Errorf("Priya = %+v", p)
	}
	if tf := byName["Tom Ford"]; tf.Role != store.RoleManager || tf.Active {
		t.Errorf("Tom = %+v", tf)
	}
	if res := mustImport(t, db, file, ImportOptions{}); res.Unchanged != 3 {
		t.Errorf("re-import = %+v", res)
	}
	// Members round trip through their own export.
	out := writeFile(t, "members.csv", export(t, db, Members, "csv"))
	if res := mustImport(t, db, out, ImportOptions{}); res.Unchanged != 5 || res.Kind != Members {
		t.Errorf("members export re-imported = %+v", res)
	}
}

func TestEscalationsImport(t *testing.T) {
	db := fixtureDB(t)
	file := writeFile(t, "esc.csv", "Account,Subject,Priority,Status,Assignee,Created\n"+
		"Acme Corp,Invoices wrong,P2,Open,Lena Vogel,2026-03-01T09:30:00Z\n"+
		"initech,Data export broken,urgent,Closed,,2026-02-20 10:00\n")
	res := mustImport(t, db, file, ImportOptions{Kind: Escalations})
	if res.Created != 2 {
		t.Fatalf("result = %+v", res)
	}
	var escs []store.Escalation
	var tl []store.Event
	store.View(db, testOpt, func(tx *store.Tx) error {
		escs, _ = tx.Escalations()
		tl, _ = tx.Timeline(escs[1].ID)
		return nil
	})
	e := escs[1]
	if e.Title != "Invoices wrong" || e.Severity != store.SevHigh || e.Status != store.StatusOpen || e.OwnerID != 3 ||
		!e.SLADue.Equal(e.CreatedAt.Add(24*3600e9)) || e.CreatedAt.Hour() != 9 {
		t.Errorf("escalation = %+v", e)
	}
	if len(tl) != 1 || tl[0].Kind != "imported" {
		t.Errorf("timeline = %+v", tl)
	}
	if r := escs[2]; r.Status != store.StatusResolved || r.ResolvedAt.IsZero() || r.Severity != store.SevCritical {
		t.Errorf("resolved escalation = %+v", r)
	}
	if res := mustImport(t, db, file, ImportOptions{Kind: Escalations}); res.Unchanged != 2 {
		t.Errorf("re-import = %+v", res)
	}
	// The export (with IDs) imports back unchanged, and an edit of it is
	// an update with a timeline event saying what changed.
	exp := export(t, db, Escalations, "csv")
	if res := mustImport(t, db, writeFile(t, "e.csv", exp), ImportOptions{}); res.Unchanged != 3 || res.Kind != Escalations {
		t.Errorf("export re-imported = %+v", res)
	}
	edited := strings.Replace(exp, ",in_progress,", ",with_director,", 1)
	if res := mustImport(t, db, writeFile(t, "e2.csv", edited), ImportOptions{}); res.Updated != 1 {
		t.Errorf("edited export = %+v", res)
	}
	store.View(db, testOpt, func(tx *store.Tx) error { tl, _ = tx.Timeline(1); return nil })
	if last := tl[len(tl)-1]; last.Kind != "imported" || !strings.Contains(last.Text, "status in_progress → with_director") {
		t.Errorf("timeline after update = %+v", tl)
	}
	if !strings.Contains(export(t, db, Escalations, "json"), `"timeline": [{"at": `) {
		t.Errorf("JSON export has no timeline")
	}
}

func TestActivitiesImport(t *testing.T) {
	db := fixtureDB(t)
	file := writeFile(t, "act.csv", "Account ID,Date,Type,Notes,Author\n"+
		"001C,2026-03-01 15:00,Phone Call,\"Kickoff, with \"\"all\"\" hands\",Omar Haddad\n"+
		"001C,2026-02-15,QBR,Q1 review,\n"+
		"001C,2026-02-15,QBR,Q1 review,\n")
	res := mustImport(t, db, file, ImportOptions{})
	if res.Kind != Activities || res.Created != 2 || res.Unchanged != 1 {
		t.Fatalf("result = %+v", res)
	}
	a := accountsOf(t, db)[2]
	if a.LastTouch != day0("2026-03-01") || a.LastQBR != day0("2026-02-15") {
		t.Errorf("activities did not move last touch / QBR: %+v", a)
	}
	if res := mustImport(t, db, file, ImportOptions{}); res.Created != 0 || res.Unchanged != 3 {
		t.Errorf("re-import = %+v", res)
	}
	exp := export(t, db, Activities, "csv")
	if !strings.Contains(exp, `"Kickoff, with ""all"" hands"`) || !strings.Contains(exp, ",import,") {
		t.Errorf("activities export:\n%s", exp)
	}
	if res := mustImport(t, db, writeFile(t, "a.csv", exp), ImportOptions{}); res.Unchanged != 3 || res.Created != 0 {
		t.Errorf("export re-imported = %+v", res)
	}
}

func TestCSVDialectsAndJSON(t *testing.T) {
	cases := []struct {
		name, file, content string
		o                   ImportOptions
	}{
		{"BOM and CRLF", "a.csv", "\xEF\xBB\xBFAccount ID,Account Name,ARR\r\nQ1,\"Multi\r\nLine, \"\"Quoted\"\" Co\",1000\r\nQ2,Plain,2000\r\n", ImportOptions{}},
		{"TSV by extension", "a.tsv", "Account ID\tAccount Name\tARR\nQ1\t\"Multi\nLine, \"\"Quoted\"\" Co\"\t1000\nQ2\tPlain\t2000\n", ImportOptions{}},
		{"semicolon sniffed", "a.csv", "Account ID;Account Name;ARR\nQ1;\"Multi\nLine, \"\"Quoted\"\" Co\";1000\nQ2;Plain;2000\n", ImportOptions{}},
		{"semicolon given", "a.txt", "Account ID;Account Name;ARR\nQ1;\"Multi\nLine, \"\"Quoted\"\" Co\";1000\nQ2;Plain;\"2,000\"\n", ImportOptions{Delimiter: ';'}},
		{"JSON", "a.json", `[{"account_id": "Q1", "account_name": "Multi\nLine, \"Quoted\" Co", "arr": 1000},
			{"Account ID": "Q2", "Account Name": "Plain", "ARR": "2,000", "nps": null, "Flags": ["x"]}]`, ImportOptions{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := emptyDB(t)
			res := mustImport(t, db, writeFile(t, c.file, c.content), c.o)
			if res.Created != 2 || res.Kind != Accounts {
				t.Fatalf("result = %+v", res)
			}
			accts := accountsOf(t, db)
			if accts[0].Name != "Multi\nLine, \"Quoted\" Co" || accts[0].ARRCents != 1000_00 || accts[1].ARRCents != 2000_00 {
				t.Errorf("accounts = %+v", accts)
			}
		})
	}
}

func TestMRRAndAliases(t *testing.T) {
	db := emptyDB(t)
	file := writeFile(t, "hubspot.csv", "Record ID,Company name,mrr_amount,end_date,Licenses,Tier,Last Touch,Tickets (30d),Open Critical Tickets,Champion Changed,NPS,CSAT,Last QBR,Active Users,Annual Revenue\n"+
		"h1,Hooli,\"1,000.50\",2026-10-01,50,Mid Market,2026-02-01,3,0,Yes,8,5,2026-01-05,20,99000000\n")
	res := mustImport(t, db, file, ImportOptions{})
	if !slices.Equal(res.Ignored, []string{"Annual Revenue"}) {
		t.Errorf("Ignored = %q", res.Ignored)
	}
	a := accountsOf(t, db)[0]
	want := store.Account{ID: a.ID, Name: "Hooli", ExternalID: "h1", Plan: "Mid Market", Lifecycle: store.Active,
		ARRCents: 12006_00, RenewalDate: day0("2026-10-01"), Seats: 50, ActiveUsers: metrics.Some(20), Tickets30d: metrics.Some(3),
		ChampionChanged: true, LastTouch: day0("2026-02-01"), LastQBR: day0("2026-01-05"), NPS: metrics.Some(8), CSAT: metrics.Some(5),
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, InputsAt: a.CreatedAt}
	if fmt.Sprint(a) != fmt.Sprint(want) {
		t.Errorf("account\n got %+v\nwant %+v", a, want)
	}
}

func TestIgnoredColumnsReportedOnceAndProgress(t *testing.T) {
	db := emptyDB(t)
	file := writeFile(t, "a.json", `[{"Account Name": "A", "Industry": "x", "Health Score": 5},
		{"Account Name": "B", "Industry": "y", "Website": "b.test"}, {"Account Name": "C", "Industry": "z"}]`)
	var calls [][2]int64
	var out strings.Builder
	bar := NewProgress(&out, 1000)
	res := mustImport(t, db, file, ImportOptions{Progress: func(rows int, n int64) {
		calls = append(calls, [2]int64{int64(rows), n})
		bar.Update(rows, n)
	}})
	bar.Done()
	if !slices.Equal(res.Ignored, []string{"Industry", "Website"}) {
		t.Errorf("Ignored = %q", res.Ignored)
	}
	// One call at the end of each pass.
	if len(calls) != 2 || calls[0][0] != 3 || calls[1][0] != 3 || calls[0][1] == 0 {
		t.Errorf("progress calls = %v", calls)
	}
	if !strings.Contains(out.String(), "checking") || !strings.Contains(out.String(), "3 rows") {
		t.Errorf("progress line %q", out.String())
	}
}

func TestDateFormatOption(t *testing.T) {
	db := fixtureDB(t)
	file := writeFile(t, "us.csv", "Account ID,Renewal Date,Last Touch\n001A,12/31/2026,2/1/2026\n001B,2027-01-15,\n")
	res, err := Import(db, testOpt, file, opts(ImportOptions{}))
	if err != nil || len(res.Errors) != 2 || !strings.Contains(res.Errors[0].Error(), "--date-format") {
		t.Fatalf("without --date-format: %v %v", err, res.Errors)
	}
	mustImport(t, db, file, ImportOptions{DateFormat: "m/d/yyyy"})
	a := accountsOf(t, db)
	if a[0].RenewalDate != day0("2026-12-31") || a[0].LastTouch != day0("2026-02-01") || a[1].RenewalDate != day0("2027-01-15") || !a[1].LastTouch.IsZero() {
		t.Errorf("dates = %v %v / %v %v", a[0].RenewalDate, a[0].LastTouch, a[1].RenewalDate, a[1].LastTouch)
	}
	eu := writeFile(t, "eu.csv", "Account ID;Renewal Date\n001A;31.12.2027\n")
	mustImport(t, db, eu, ImportOptions{DateFormat: "dd.mm.yyyy"})
	if got := accountsOf(t, db)[0].RenewalDate; got != day0("2027-12-31") {
		t.Errorf("dd.mm.yyyy renewal = %v", got)
	}
}
