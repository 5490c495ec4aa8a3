package tui

import (
	"strings"
	"testing"
	"time"

	"steward/store"
)

// Amounts carry the database's currency, not a hard-coded dollar sign.
func TestAmountsUseTheDatabaseCurrency(t *testing.T) {
	path := fixturePath(t, 40)
	err := store.Update(path, store.Options{}, func(tx *store.Tx) error {
		_, err := tx.SetSetting("currency", "EUR", store.Actor{Name: "test"}, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	m := loaded(t, path, 120, 40)
	t.Cleanup(func() { currency = "USD" })
	press(m, "3")
	s := screen(m)
	mustContain(t, s, "ARR €", "€")
	if strings.Contains(s, "$") {
		t.Fatalf("a dollar sign on a EUR database:\n%s", s)
	}
}
