package portfolio

import (
	"fmt"
	"reflect"
	"testing"

	"steward/store"
)

// stepFeed writes fn as another process would, brings *p up to date
// through the change feed, and holds it equal to a fresh load: the open
// tasks exactly, the review, KPIs and team as printed (an emptied list is
// [] where a load leaves it nil).
func stepFeed(t *testing.T, path string, p **Portfolio, what string, fn func(tx *store.Tx) error) {
	t.Helper()
	if err := store.Update(path, opt0, fn); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	cur := *p
	var d Delta
	if err := store.View(path, opt0, func(tx *store.Tx) (err error) {
		d, err = ReadDelta(tx, cur.Seq, cur.AsOf, cur.Review.ComparedWithWeek)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if d.Reload {
		t.Fatalf("%s: the feed asked for a reload", what)
	}
	*p, _ = cur.Apply(d, cur.Now)
	want, err := Load(path, opt0, cur.AsOf, cur.Now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual((*p).Tasks, want.Tasks) {
		t.Fatalf("%s: open tasks differ from a fresh load:\nfollowed %+v\nloaded   %+v", what, (*p).Tasks, want.Tasks)
	}
	for name, pair := range map[string][2]any{"review": {(*p).Review, want.Review}, "KPIs": {(*p).KPIs, want.KPIs}, "team": {(*p).Team, want.Team}} {
		if fmt.Sprintf("%+v", pair[0]) != fmt.Sprintf("%+v", pair[1]) {
			t.Fatalf("%s: %s differ from a fresh load:\nfollowed %+v\nloaded   %+v", what, name, pair[0], pair[1])
		}
	}
}
