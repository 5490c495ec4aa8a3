package portfolio

import (
	"reflect"
	"testing"

	"steward/store"
)

// Load decodes rows on one goroutine while another scores them, so rows
// must not move under the scorer; when they outgrow the room made for
// them (a file whose ID counter is behind its accounts), growing waits for
// the scorer, and the result is still Build's.
func TestLoadGrowsRowsSafely(t *testing.T) {
	raw := fixture()
	path := writeFixtureDB(t, raw)
	defer func(f func(*store.Tx) int, n int) { initialRows, scoreSpan = f, n }(initialRows, scoreSpan)
	initialRows = func(*store.Tx) int { return 2 }
	scoreSpan = 2
	got, err := Load(path, store.Options{}, asOf, now)
	if err != nil {
		t.Fatal(err)
	}
	var read Raw
	if err := store.View(path, store.Options{}, func(tx *store.Tx) error {
		var err error
		read, err = ReadRaw(tx, asOf)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(got.Accounts) != len(raw.Accounts) {
		t.Fatalf("%d accounts, want %d", len(got.Accounts), len(raw.Accounts))
	}
	if want := Build(read, asOf, now); !reflect.DeepEqual(got, want) {
		for i := range got.Accounts {
			if !reflect.DeepEqual(got.Accounts[i], want.Accounts[i]) {
				t.Fatalf("account %d: Load gives\n%+v\nBuild gives\n%+v", i, got.Accounts[i], want.Accounts[i])
			}
		}
		t.Fatal("Load with rows outgrowing their room differs from Build")
	}
}
