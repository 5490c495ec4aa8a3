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
	press(m, "3")
	s := screen(m)
	mustContain(t, s, "ARR €", "€")
	if strings.Contains(s, "$") {
		t.Fatalf("a dollar sign on a EUR database:\n%s", s)
	}
}

// The currency belongs to the model that loaded it: two dashboards on two
// databases each show their own.
func TestCurrencyIsPerModel(t *testing.T) {
	eur := fixturePath(t, 20)
	err := store.Update(eur, store.Options{}, func(tx *store.Tx) error {
		_, err := tx.SetSetting("currency", "EUR", store.Actor{Name: "test"}, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	me := loaded(t, eur, 120, 40)
	mu := loaded(t, fixturePath(t, 20), 120, 40)
	for _, k := range []string{"1", "2", "3"} {
		press(me, k)
		press(mu, k)
		se, su := screen(me), screen(mu)
		if strings.Contains(se, "$") || !strings.Contains(se, "€") {
			t.Fatalf("EUR dashboard, view %s:\n%s", k, se)
		}
		if strings.Contains(su, "€") || !strings.Contains(su, "$") {
			t.Fatalf("USD dashboard, view %s:\n%s", k, su)
		}
	}
	press(me, "enter")
	mustContain(t, screen(me), "ARR €")
}
