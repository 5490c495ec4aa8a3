package store

import (
	"encoding/hex"
	"reflect"
	"testing"
	"time"

	"steward/metrics"
)

// format1Account is an account as steward wrote it before accounts had a
// plan (format 1), frozen here byte for byte: files written then must keep
// reading, whatever the encoder writes today.
const format1Account = "010941636d6520436f72700430303141020a6d69645f6d61726b65740a6f6e626f617264696e6780ecb80bb8a05a92a65a" +
	"c801018c01010802084a6f20536d6974680c6a6f4061636d652e7465737401b0a55ad4a45a011200809bee020870726f706f73616c10526f6c" +
	"6c206f757420746f20454d454101037265640c73706f6e736f72206c656674094d617961204368656eaaa75a8080acd2c89b82993180c08ed8" +
	"ab84839931"

// format1Minimal is a format-1 account with almost every field empty.
const format1Minimal = "0107496e697465636800000006616374697665000000000000000000000000000000000000ffffffffffffffffff01ffffffffffffffffff01"

func format1Want() Account {
	return Account{ID: 1, Name: "Acme Corp", ExternalID: "001A", OwnerID: 2, Segment: metrics.MidMarket, Lifecycle: Onboarding,
		ARRCents: 120_000_00, ContractStart: day("2025-04-15"), RenewalDate: day("2026-04-15"), Seats: 100,
		ActiveUsers: metrics.Some(70), Tickets30d: metrics.Some(4), OpenCritical: 1, ChampionName: "Jo Smith",
		ChampionEmail: "jo@acme.test", ChampionChanged: true, LastTouch: day("2026-02-25"), LastQBR: day("2026-01-10"),
		NPS: metrics.Some(9), PipelineCents: 30_000_00, PipelineStage: "proposal", SuccessPlan: "Roll out to EMEA",
		Override:  &metrics.Override{Band: metrics.Red, Reason: "sponsor left", Author: "Maya Chen", Expires: day("2026-06-30")},
		CreatedAt: time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 3, 2, 12, 30, 0, 0, time.UTC)}
}

func TestDecodeFrozenFormat1Account(t *testing.T) {
	for _, c := range []struct {
		hex  string
		want Account
	}{
		{format1Account, format1Want()},
		{format1Minimal, Account{ID: 1, Name: "Initech", Lifecycle: Active}},
	} {
		b, err := hex.DecodeString(c.hex)
		if err != nil {
			t.Fatal(err)
		}
		a := Account{Plan: "left over from a previous decode"}
		if err := decodeAccount(1, b, &a); err != nil {
			t.Fatalf("decoding a format-1 account: %v", err)
		}
		if !reflect.DeepEqual(a, c.want) {
			t.Errorf("format 1 decoded to\n%+v\nwant\n%+v", a, c.want)
		}
		// An account without a plan is still written in format 1, so a
		// steward from before plans reads it too.
		if got := hex.EncodeToString(encodeAccount(&c.want)); got != c.hex {
			t.Errorf("an account without a plan encodes as\n%s\nwant the format-1 bytes\n%s", got, c.hex)
		}
	}
}

func TestAccountPlanRoundTrips(t *testing.T) {
	a := format1Want()
	a.Plan = "Enterprise (annual) 年間"
	b := encodeAccount(&a)
	if b[0] != 2 {
		t.Errorf("an account with a plan is written in format %d, want 2", b[0])
	}
	var got Account
	if err := decodeAccount(1, b, &got); err != nil || !reflect.DeepEqual(got, a) {
		t.Errorf("round trip: %v\n%+v\nwant\n%+v", err, got, a)
	}
	// Every prefix of a format-2 value is damaged, never a silent success.
	for n := 0; n < len(b); n++ {
		if err := decodeAccount(1, b[:n], &got); err == nil {
			t.Errorf("a %d-byte prefix of a format-2 account decoded", n)
		}
	}
	// A format this steward does not know is refused.
	if err := decodeAccount(1, append([]byte{4}, b[1:]...), &got); err == nil {
		t.Error("format 4 decoded")
	}
}

// An account whose health inputs have a date is written in format 3, with
// or without a plan, and reads back whole; without one it keeps format 1
// or 2, so files stay readable by a steward from before the field.
func TestAccountInputsAtRoundTrips(t *testing.T) {
	at := time.Date(2026, 3, 17, 8, 15, 30, 250, time.UTC)
	for _, plan := range []string{"", "Growth"} {
		a := format1Want()
		a.Plan = plan
		wantFormat := byte(1)
		if plan != "" {
			wantFormat = 2
		}
		if b := encodeAccount(&a); b[0] != wantFormat {
			t.Errorf("plan %q, no inputs date: format %d, want %d", plan, b[0], wantFormat)
		}
		a.InputsAt = at
		b := encodeAccount(&a)
		if b[0] != 3 {
			t.Errorf("plan %q with an inputs date: format %d, want 3", plan, b[0])
		}
		got := Account{InputsAt: time.Now()}
		if err := decodeAccount(1, b, &got); err != nil || !reflect.DeepEqual(got, a) {
			t.Errorf("round trip: %v\n%+v\nwant\n%+v", err, got, a)
		}
		for n := 0; n < len(b); n++ {
			if err := decodeAccount(1, b[:n], &got); err == nil {
				t.Errorf("a %d-byte prefix of a format-3 account decoded", n)
			}
		}
	}
	// A decode into a reused record clears what an earlier one left.
	got := Account{InputsAt: at, Plan: "left over"}
	b, _ := hex.DecodeString(format1Minimal)
	if err := decodeAccount(1, b, &got); err != nil || !got.InputsAt.IsZero() || got.Plan != "" {
		t.Errorf("format 1 over a reused record: %v, inputs %v, plan %q", err, got.InputsAt, got.Plan)
	}
	// The encoder writes the hand-built golden bytes.
	v3 := goldenAccountV3()
	if got, want := hex.EncodeToString(encodeAccount(&v3)), hex.EncodeToString(readGolden(t, "account.v3.bin")); got != want {
		t.Errorf("the v3 golden account encodes as\n%s\nwant\n%s", got, want)
	}
}

// InputsUpdated falls back to UpdatedAt, then CreatedAt, for an account
// written before InputsAt was kept; zero when nothing is known.
func TestInputsUpdatedFallback(t *testing.T) {
	created := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	updated := created.AddDate(0, 6, 0)
	inputs := created.AddDate(0, 3, 0)
	for _, c := range []struct {
		a    Account
		want time.Time
	}{
		{Account{CreatedAt: created, UpdatedAt: updated, InputsAt: inputs}, inputs},
		{Account{CreatedAt: created, UpdatedAt: updated}, updated},
		{Account{CreatedAt: created}, created},
		{Account{}, time.Time{}},
	} {
		if got := c.a.InputsUpdated(); !got.Equal(c.want) {
			t.Errorf("InputsUpdated of %+v = %v, want %v", c.a, got, c.want)
		}
	}
}

// SameHealthInputs looks at every field HealthInputs reads but the
// override: changing any one of them is an update of the inputs; the
// name, owner, ARR with an explicit segment, pipeline and plans are not.
func TestSameHealthInputs(t *testing.T) {
	base := format1Want()
	d := func(s string) metrics.Date { return day(s) }
	changes := map[string]func(a *Account){
		"segment":          func(a *Account) { a.Segment = metrics.SMB },
		"seats":            func(a *Account) { a.Seats++ },
		"active users":     func(a *Account) { a.ActiveUsers = metrics.Opt{} },
		"tickets":          func(a *Account) { a.Tickets30d = metrics.Some(5) },
		"open critical":    func(a *Account) { a.OpenCritical = 0 },
		"last touch":       func(a *Account) { a.LastTouch = d("2026-03-01") },
		"last QBR":         func(a *Account) { a.LastQBR = d("2026-03-01") },
		"contract start":   func(a *Account) { a.ContractStart = d("2025-04-16") },
		"NPS":              func(a *Account) { a.NPS = metrics.Some(3) },
		"CSAT":             func(a *Account) { a.CSAT = metrics.Some(2) },
		"champion changed": func(a *Account) { a.ChampionChanged = false },
		"renewal date":     func(a *Account) { a.RenewalDate = d("2026-05-01") },
	}
	for name, change := range changes {
		a := base
		change(&a)
		if SameHealthInputs(&base, &a) {
			t.Errorf("a change of %s is not a change of the health inputs", name)
		}
	}
	// Every health input is covered: HealthInputs differs for each
	// change above, and the list is as long as metrics.Inputs less the
	// override.
	// The execution inputs (overdue tasks, the plan's first due date) are
	// read from the tasks and the plan, not the account.
	if n := reflect.TypeOf(metrics.Inputs{}).NumField() - 3; len(changes) != n {
		t.Errorf("%d changes tested, metrics.Inputs has %d inputs besides the override", len(changes), n)
	}
	for name, change := range map[string]func(a *Account){
		"name":     func(a *Account) { a.Name = "Other" },
		"owner":    func(a *Account) { a.OwnerID = 9 },
		"ARR":      func(a *Account) { a.ARRCents = 1 },
		"pipeline": func(a *Account) { a.PipelineCents = 1 },
		"plan":     func(a *Account) { a.Plan = "Gold" },
		"override": func(a *Account) { a.Override = nil },
		"champion": func(a *Account) { a.ChampionName = "Someone Else" },
	} {
		a := base
		change(&a)
		if !SameHealthInputs(&base, &a) {
			t.Errorf("a change of %s counts as a change of the health inputs", name)
		}
	}
}
