package store

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// actSettingDefaults is every setting key, in SettingList order, with its
// default value.
var actSettingDefaults = []struct{ key, value string }{
	{"weights.adoption", "35"},
	{"weights.support", "20"},
	{"weights.engagement", "25"},
	{"weights.sentiment", "20"},
	{"bands.green", "70"},
	{"bands.yellow", "40"},
	{"segments.enterprise_min", "100000"},
	{"segments.mid_market_min", "20000"},
	{"cadence.enterprise", "14"},
	{"cadence.mid_market", "30"},
	{"cadence.smb", "60"},
	{"qbr_interval_days", "90"},
	{"sla.critical", "4"},
	{"sla.high", "24"},
	{"sla.medium", "72"},
	{"sla.low", "168"},
	{"cadence.one_on_one", "14"},
	{"load.enterprise", "1"},
	{"load.mid_market", "0.33"},
	{"load.smb", "0.1"},
	{"freshness.stale_days", "30"},
	{"targets.nrr", "unset"},
	{"targets.grr", "unset"},
	{"targets.renewal_rate", "unset"},
	{"currency", "USD"},
}

func actSettings(t *testing.T, path string) (Settings, []SettingChange) {
	t.Helper()
	var s Settings
	var log []SettingChange
	actView(t, path, func(tx *Tx) error {
		var err error
		if s, err = tx.Settings(); err != nil {
			return err
		}
		log, err = tx.SettingsLog(0)
		return err
	})
	return s, log
}

func TestActSettingList(t *testing.T) {
	f := actSetup(t)
	s, log := actSettings(t, f.path)
	if len(log) != 0 {
		t.Errorf("a new file has a settings log: %+v", log)
	}
	list := SettingList(s)
	if len(list) != len(actSettingDefaults) {
		t.Fatalf("SettingList has %d settings, want %d: %+v", len(list), len(actSettingDefaults), list)
	}
	for i, want := range actSettingDefaults {
		got := list[i]
		if got.Key != want.key || got.Value != want.value || strings.TrimSpace(got.Help) == "" {
			t.Errorf("SettingList[%d] = %+v, want key %s value %s and some help", i, got, want.key, want.value)
		}
		if v, err := GetSetting(s, want.key); err != nil || v != want.value {
			t.Errorf("GetSetting(%s) = %q, %v; want %q", want.key, v, err, want.value)
		}
	}
	_, err := GetSetting(s, "weights.fun")
	wantErrContains(t, "GetSetting(unknown)", err, "weights.fun", "weights.adoption", "sla.low", "currency", "qbr_interval_days")
}

func TestActSetSetting(t *testing.T) {
	f := actSetup(t)
	t0 := actNow
	type change struct {
		key, value string
		by         Actor
		want       string // GetSetting after the change
		check      func(s Settings) bool
	}
	changes := []change{
		{"weights.adoption", "40", f.byMia, "40", func(s Settings) bool { return s.Health.Weights.Adoption == 40 }},
		{"weights.sentiment", " 12.5 ", f.byMia, "12.5", func(s Settings) bool { return s.Health.Weights.Sentiment == 12.5 }},
		{"bands.green", "75", f.byMia, "75", func(s Settings) bool { return s.Health.Green == 75 }},
		{"segments.enterprise_min", "150,000", f.byMia, "150000", func(s Settings) bool { return s.Health.EnterpriseMinCents == 150_000_00 }},
		{"segments.mid_market_min", "25000", f.byMia, "25000", func(s Settings) bool { return s.Health.MidMarketMinCents == 25_000_00 }},
		{"sla.critical", "2", f.byMia, "2", func(s Settings) bool { return s.Health.SLA.Critical == 2 }},
		{"cadence.smb", "45", f.byMia, "45", func(s Settings) bool { return s.Health.Cadence.SMB == 45 }},
		{"freshness.stale_days", " 45 ", f.byMia, "45", func(s Settings) bool { return s.Health.StaleDays == 45 }},
		{"currency", " eur ", f.byMia, "EUR", func(s Settings) bool { return s.Currency == "EUR" }},
		{"targets.nrr", "105%", f.byMia, "105%", func(s Settings) bool { return s.Targets.NRR != nil && *s.Targets.NRR == 1.05 }},
		{"targets.grr", " 92.5 ", f.byMia, "92.5%", func(s Settings) bool { return s.Targets.GRR != nil && *s.Targets.GRR == 0.925 }},
		{"targets.renewal_rate", "85 %", f.byMia, "85%", func(s Settings) bool { return s.Targets.RenewalRate != nil && *s.Targets.RenewalRate == 0.85 }},
		{"targets.nrr", "unset", f.byMia, "unset", func(s Settings) bool { return s.Targets.NRR == nil }},
	}
	olds := map[string]string{}
	for _, d := range actSettingDefaults {
		olds[d.key] = d.value
	}
	for i, c := range changes {
		at := t0.Add(time.Duration(i) * time.Minute)
		before, _ := actSettings(t, f.path)
		var ret Settings
		actUpdate(t, f.path, func(tx *Tx) error {
			var err error
			ret, err = tx.SetSetting(c.key, c.value, c.by, at)
			return err
		})
		s, log := actSettings(t, f.path)
		if !c.check(s) {
			t.Errorf("after %s=%q the stored settings are %+v", c.key, c.value, s)
		}
		if !reflect.DeepEqual(ret, s) {
			t.Errorf("SetSetting(%s) returned %+v, stored %+v", c.key, ret, s)
		}
		if v, err := GetSetting(s, c.key); err != nil || v != c.want {
			t.Errorf("GetSetting(%s) after the change = %q, %v; want %q", c.key, v, err, c.want)
		}
		// Only that setting changed.
		for _, d := range actSettingDefaults {
			if d.key == c.key {
				continue
			}
			a, _ := GetSetting(before, d.key)
			b, _ := GetSetting(s, d.key)
			if a != b {
				t.Errorf("setting %s changed %s from %q to %q", c.key, d.key, a, b)
			}
		}
		if len(log) != i+1 {
			t.Fatalf("after %d changes the log has %d entries", i+1, len(log))
		}
		want := SettingChange{At: at.UTC(), Author: c.by.Name, Key: c.key, Old: olds[c.key], New: c.want}
		got := log[0]
		if got.Author != want.Author || got.Key != want.Key || got.Old != want.Old || got.New != want.New {
			t.Errorf("newest log entry = %+v, want %+v", got, want)
		}
		actUTC(t, "log time of "+c.key, got.At, at)
		olds[c.key] = c.want
	}

	// Newest first, and limited.
	_, log := actSettings(t, f.path)
	for i := range log {
		if want := changes[len(changes)-1-i].key; log[i].Key != want {
			t.Errorf("log[%d] is %s, want %s (newest first)", i, log[i].Key, want)
		}
	}
	var two []SettingChange
	actView(t, f.path, func(tx *Tx) error { var err error; two, err = tx.SettingsLog(2); return err })
	if len(two) != 2 || !reflect.DeepEqual(two, log[:2]) {
		t.Errorf("SettingsLog(2) = %+v, want the two newest", two)
	}

	// Every score and SLA is computed from the stored settings.
	var e Escalation
	actUpdate(t, f.path, func(tx *Tx) error {
		var err error
		e, err = tx.CreateEscalation(NewEscalation{AccountID: f.acme.ID, Title: "x", Severity: SevCritical}, f.byMia, t0)
		return err
	})
	got, _ := actEsc(t, f.path, e.ID)
	actUTC(t, "SLADue with sla.critical=2", got.SLADue, t0.Add(2*time.Hour))
}

func TestActSetSettingRefusals(t *testing.T) {
	f := actSetup(t)
	refuse := func(key, value string, wants ...string) {
		t.Helper()
		actRefused(t, f.path, fmt.Sprintf("SetSetting(%s, %q)", key, value), func(tx *Tx) error {
			_, err := tx.SetSetting(key, value, f.byMia, actNow)
			return err
		}, wants...)
	}
	// On a file with no settings log yet: a refusal must not even create it.
	refuse("weights.adoption", "-1", "weights.adoption")
	var log []SettingChange
	actView(t, f.path, func(tx *Tx) error { var err error; log, err = tx.SettingsLog(0); return err })
	if len(log) != 0 {
		t.Fatalf("refused change logged: %+v", log)
	}

	actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.SetSetting("bands.green", "60", f.byMia, actNow); return err })
	refuse("weights.adoption", "-1", "weights.adoption")
	refuse("weights.adoption", "abc", "weights.adoption", "abc")
	refuse("weights.adoption", "NaN", "NaN")
	refuse("weights.adoption", "Inf", "Inf")
	refuse("bands.yellow", "60", "yellow") // equal to green
	refuse("bands.yellow", "65", "yellow") // above green
	refuse("bands.green", "40", "green")   // equal to yellow
	refuse("bands.green", "101", "green")
	refuse("bands.green", "abc", "abc")
	refuse("bands.green", "7.5", "7.5")
	refuse("segments.mid_market_min", "100000", "segment") // equal to enterprise
	refuse("segments.mid_market_min", "150000", "segment")
	refuse("segments.enterprise_min", "10000", "segment") // below mid-market
	refuse("segments.enterprise_min", "abc", "abc")
	refuse("segments.enterprise_min", "-5", "-5")
	refuse("segments.enterprise_min", "1.5", "1.5")
	refuse("cadence.smb", "0", "cadence")
	refuse("qbr_interval_days", "0", "qbr_interval_days")
	refuse("sla.critical", "0", "SLA")
	refuse("sla.high", "abc", "abc")
	refuse("freshness.stale_days", "0", "freshness.stale_days", "between 1 and 3650")
	refuse("freshness.stale_days", "3651", "freshness.stale_days", "3651")
	refuse("freshness.stale_days", "-5", "freshness.stale_days")
	refuse("freshness.stale_days", "4.5", "4.5")
	refuse("targets.nrr", "1.05", "targets.nrr", "105%") // a fraction typed for a percentage
	refuse("targets.nrr", "abc", "targets.nrr", "105%")
	refuse("targets.grr", "0", "targets.grr", "between 0 and 1000%")
	refuse("targets.grr", "-90%", "targets.grr")
	refuse("targets.renewal_rate", "1001", "1001")
	refuse("targets.grr", "unset", "already unset")
	refuse("currency", "EURO", "EURO")
	refuse("currency", "ZZZ", "ISO 4217")
	refuse("currency", "XXX", "ISO 4217")
	refuse("bands.green", "60", "already 60") // what it is: nothing to log
	refuse("weights.fun", "1", "weights.fun", "weights.adoption", "segments.enterprise_min", "sla.low", "currency")
	refuse("", "1", "weights.adoption")

	// Weights that add up to zero.
	for _, k := range []string{"weights.support", "weights.engagement", "weights.sentiment"} {
		actUpdate(t, f.path, func(tx *Tx) error { _, err := tx.SetSetting(k, "0", f.byMia, actNow); return err })
	}
	refuse("weights.adoption", "0", "0")

	s, log := actSettings(t, f.path)
	if len(log) != 4 {
		t.Errorf("the log has %d entries, want the 4 accepted changes: %+v", len(log), log)
	}
	if s.Health.Weights.Adoption != 35 || s.Health.Green != 60 || s.Health.Yellow != 40 || s.Currency != "USD" {
		t.Errorf("refused changes reached the settings: %+v", s)
	}
}

// Load weights are settings like the others: a number from 0 to 100,
// logged; the team's load follows them.
func TestLoadWeightSettings(t *testing.T) {
	f := actSetup(t)
	err := Update(f.path, Options{}, func(tx *Tx) error {
		if _, err := tx.SetSetting("load.smb", "-1", Actor{}, time.Now()); err == nil || !strings.Contains(err.Error(), "load weights must be between 0 and 100") {
			t.Errorf("a negative weight: %v", err)
		}
		if _, err := tx.SetSetting("load.smb", "lots", Actor{}, time.Now()); err == nil {
			t.Error("a weight that is no number was taken")
		}
		s, err := tx.SetSetting("load.smb", "0.25", Actor{}, time.Now())
		if err != nil {
			return err
		}
		if s.Health.Load.SMB != 0.25 {
			t.Errorf("load.smb = %v", s.Health.Load.SMB)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
