package metrics

import (
	"math/rand"
	"reflect"
	"testing"
)

// A book's KPIs are the sum of its accounts' figures, and taking an
// account's figures away undoes adding them: what lets a read model
// update one account without recomputing the book.
func TestKPIFiguresAddUp(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	end := NewDate(2026, 11, 23)
	w := TrailingYear(end)
	var accounts []KPIAccount
	for i := 0; i < 300; i++ {
		var l []LedgerEntry
		d := end.AddDays(-r.Intn(900) - 30)
		arr := int64(r.Intn(100_000_00))
		l = append(l, LedgerEntry{Date: d, ARRCents: arr, Kind: KindNew})
		for k := 0; k < r.Intn(4); k++ {
			d = d.AddDays(r.Intn(200) + 1)
			if d > end {
				break
			}
			arr = max(0, arr+int64(r.Intn(40_000_00)-20_000_00))
			kind := []LedgerKind{KindRenewal, KindExpansion, KindContraction, KindChurn}[r.Intn(4)]
			l = append(l, LedgerEntry{Date: d, ARRCents: arr, Kind: kind})
		}
		accounts = append(accounts, KPIAccount{Ledger: l, ContractStart: l[0].Date, RenewalDate: l[0].Date.AddMonths(12 * (1 + r.Intn(3))), Churned: arr == 0})
	}
	var ret RetentionSums
	var ren Renewals
	var nps NPSResult
	var csat CSATResult
	var opts []Opt
	for i := range accounts {
		ret.Add(AccountRetention(&accounts[i], w))
		ren.Add(AccountRenewals(&accounts[i], w))
		o := Opt{V: int32(r.Intn(11)), Set: r.Intn(3) > 0}
		opts = append(opts, o)
		nps.Count(o, 1)
		csat.Count(Opt{V: max(1, o.V/2), Set: o.Set}, 1)
	}
	if got, want := ret.Retention(), RetentionOf(accounts, w); !reflect.DeepEqual(got, want) {
		t.Fatalf("summed retention %+v, want %+v", got, want)
	}
	if got, want := ren.Finish(), RenewalsOf(accounts, w); !reflect.DeepEqual(got, want) {
		t.Fatalf("summed renewals %+v, want %+v", got, want)
	}
	if got, want := nps.Finish(), NPSOf(opts); !reflect.DeepEqual(got, want) {
		t.Fatalf("counted NPS %+v, want %+v", got, want)
	}
	// Taking every account away leaves nothing.
	for i := range accounts {
		ret.Sub(AccountRetention(&accounts[i], w))
		ren.Sub(AccountRenewals(&accounts[i], w))
		nps.Count(opts[i], -1)
		csat.Count(Opt{V: max(1, opts[i].V/2), Set: opts[i].Set}, -1)
	}
	if ret != (RetentionSums{}) || ren.Finish() != (Renewals{}).Finish() || nps.Finish() != (NPSResult{}).Finish() || csat.Finish() != (CSATResult{}).Finish() {
		t.Fatalf("after taking everything away: %+v %+v %+v %+v", ret, ren, nps, csat)
	}
}
