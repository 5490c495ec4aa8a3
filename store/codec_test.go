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
	if err := decodeAccount(1, append([]byte{3}, b[1:]...), &got); err == nil {
		t.Error("format 3 decoded")
	}
}
