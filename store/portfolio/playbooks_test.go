package portfolio

import (
	"fmt"
	"math/rand"
	"path/filepath"
	"testing"
	"time"

	"steward/metrics"
	"steward/store"
)

// Exactly-once firing (README, "Playbooks"): random sequences of band
// changes (edits that move an account's adoption) and weekly snapshots,
// days apart, never start Red account recovery twice for one episode.
// The episodes are counted by a model of the rule written apart from
// metrics.Trigger.Step: a red look starts one when it is the first red,
// when a green look came since the last red, or when the first non-red
// look since the last red is more than 30 days before it.
func TestPlaybookFiresOncePerEpisode(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { playbookProperty(t, seed, 120) })
	}
}

type redModel struct {
	seenRed     bool
	greenSince  bool         // a green look since the last red
	nonRedSince metrics.Date // the first non-red look since the last red (0: none)
	episodes    int
}

func (m *redModel) look(day metrics.Date, band metrics.Band) {
	if band != metrics.Red {
		if m.seenRed && m.nonRedSince == 0 {
			m.nonRedSince = day
		}
		if band == metrics.Green {
			m.greenSince = true
		}
		return
	}
	if !m.seenRed || m.greenSince || (m.nonRedSince != 0 && day.Sub(m.nonRedSince) > 30) {
		m.episodes++
	}
	m.seenRed, m.greenSince, m.nonRedSince = true, false, 0
}

func playbookProperty(t *testing.T, seed int64, steps int) {
	rng := rand.New(rand.NewSource(seed))
	path := filepath.Join(t.TempDir(), "steward.db")
	day := metrics.NewDate(2026, time.January, 5)
	// Only adoption has data, so active users of 100 seats set the band:
	// 10 red (0), 50 yellow (50), 90 green (100).
	users := map[metrics.Band]int{metrics.Red: 10, metrics.Yellow: 50, metrics.Green: 90}
	bands := []metrics.Band{metrics.Red, metrics.Yellow, metrics.Green}
	const n = 3
	var ids [n]uint64
	err := store.Update(path, opt0, func(tx *store.Tx) error {
		m := store.Member{Name: "Mia", Role: store.RoleManager, Active: true}
		if err := tx.PutMember(&m); err != nil {
			return err
		}
		for i := range ids {
			a := store.Account{Name: fmt.Sprint("Acct ", i), OwnerID: m.ID, ARRCents: 5_000_00, Seats: 100,
				ActiveUsers: metrics.Some(users[metrics.Green]), Segment: metrics.SMB, Lifecycle: store.Active}
			if err := tx.PutAccount(&a); err != nil {
				return err
			}
			ids[i] = a.ID
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var models [n]redModel
	cur := [n]metrics.Band{metrics.Green, metrics.Green, metrics.Green}
	for s := 0; s < steps; s++ {
		day = day.AddDays(rng.Intn(13))
		now := time.Date(day.Time().Year(), day.Time().Month(), day.Time().Day(), 12, 0, 0, 0, time.Local)
		if rng.Intn(4) == 0 {
			// The weekly snapshot looks at every account.
			if _, err := TakeSnapshot(path, opt0, day, false); err != nil {
				t.Fatal(err)
			}
			for i := range models {
				models[i].look(day, cur[i])
			}
			continue
		}
		i := rng.Intn(n)
		band := bands[rng.Intn(len(bands))]
		err := store.Update(path, opt0, func(tx *store.Tx) error {
			a, err := tx.Account(ids[i])
			if err != nil {
				return err
			}
			a.ActiveUsers = metrics.Some(users[band])
			a.SuccessPlan = fmt.Sprint("step ", s) // an edit always changes something
			_, err = tx.EditAccount(a, "", store.Actor{Name: "cli"}, now)
			return err
		})
		if err != nil {
			t.Fatalf("step %d: %v", s, err)
		}
		cur[i] = band
		models[i].look(day, band)
	}
	err = store.View(path, opt0, func(tx *store.Tx) error {
		for i, id := range ids {
			tasks, err := tx.TasksOf(id)
			if err != nil {
				return err
			}
			red := 0
			for _, tk := range tasks {
				if tk.Playbook == "Red account recovery" {
					red++
				}
			}
			if red != 4*models[i].episodes {
				t.Errorf("account %d: %d recovery tasks, want 4 for each of %d episodes", i, red, models[i].episodes)
			}
			if models[i].episodes == 0 {
				t.Errorf("account %d: the sequence never turned red; pick another seed", i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
