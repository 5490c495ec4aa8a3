package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// A setting is addressed by a dotted key (weights.adoption, sla.critical) so
// the command line and the settings screen edit the same things by the same
// names.
type settingKey struct {
	key  string
	help string
	get  func(s *Settings) string
	set  func(s *Settings, v string) error
}

func intSetting(key, help string, field func(s *Settings) *int) settingKey {
	return settingKey{key: key, help: help,
		get: func(s *Settings) string { return strconv.Itoa(*field(s)) },
		set: func(s *Settings, v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("%s: %s is not a whole number", key, Quote(v))
			}
			*field(s) = n
			return nil
		}}
}

func floatSetting(key, help string, field func(s *Settings) *float64) settingKey {
	return settingKey{key: key, help: help,
		get: func(s *Settings) string { return strconv.FormatFloat(*field(s), 'f', -1, 64) },
		set: func(s *Settings, v string) error {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("%s: %s is not a number", key, Quote(v))
			}
			*field(s) = f
			return nil
		}}
}

// moneySetting reads whole currency units and stores cents.
func moneySetting(key, help string, field func(s *Settings) *int64) settingKey {
	return settingKey{key: key, help: help,
		get: func(s *Settings) string { return strconv.FormatInt(*field(s)/100, 10) },
		set: func(s *Settings, v string) error {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.ReplaceAll(v, ",", "")), 10, 64)
			if err != nil || n < 0 || n > math.MaxInt64/100 {
				return fmt.Errorf("%s: %s is not a whole, non-negative amount", key, Quote(v))
			}
			*field(s) = n * 100
			return nil
		}}
}

// targetSetting reads a percentage ("105", "105%", "97.5 %") and stores
// the fraction; "unset" (or "none", "off", "") clears it. A bare number
// below 5 is refused: it is surely a fraction typed for a percentage
// (1.05 for 105%), and no target is that low.
func targetSetting(key, help string, field func(s *Settings) **float64) settingKey {
	return settingKey{key: key, help: help,
		get: func(s *Settings) string {
			v := *field(s)
			if v == nil {
				return "unset"
			}
			return strconv.FormatFloat(math.Round(*v*100*1000)/1000, 'f', -1, 64) + "%"
		},
		set: func(s *Settings, v string) error {
			t := strings.TrimSpace(v)
			switch strings.ToLower(t) {
			case "", "unset", "none", "off":
				*field(s) = nil
				return nil
			}
			pct := strings.HasSuffix(t, "%")
			f, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "%")), 64)
			switch {
			case err != nil || math.IsNaN(f) || math.IsInf(f, 0):
				return fmt.Errorf("%s: %s is not a percentage: write it like 105%% (or unset to clear it)", key, Quote(v))
			case !pct && f > 0 && f < 5:
				return fmt.Errorf("%s: %s reads as %s%%: write the percentage, like %s%%", key, Quote(v), t, strconv.FormatFloat(f*100, 'f', -1, 64))
			case f <= 0 || f > MaxTarget*100:
				return fmt.Errorf("%s: %s is not a percentage between 0 and %d%%", key, Quote(v), int(MaxTarget*100))
			}
			f /= 100
			*field(s) = &f
			return nil
		}}
}

var settingKeys = []settingKey{
	floatSetting("weights.adoption", "weight of the adoption component", func(s *Settings) *float64 { return &s.Health.Weights.Adoption }),
	floatSetting("weights.support", "weight of the support component", func(s *Settings) *float64 { return &s.Health.Weights.Support }),
	floatSetting("weights.engagement", "weight of the engagement component", func(s *Settings) *float64 { return &s.Health.Weights.Engagement }),
	floatSetting("weights.sentiment", "weight of the sentiment component", func(s *Settings) *float64 { return &s.Health.Weights.Sentiment }),
	intSetting("bands.green", "lowest score that is green", func(s *Settings) *int { return &s.Health.Green }),
	intSetting("bands.yellow", "lowest score that is yellow (below is red)", func(s *Settings) *int { return &s.Health.Yellow }),
	moneySetting("segments.enterprise_min", "ARR from which an account is enterprise (whole currency units)", func(s *Settings) *int64 { return &s.Health.EnterpriseMinCents }),
	moneySetting("segments.mid_market_min", "ARR from which an account is mid-market", func(s *Settings) *int64 { return &s.Health.MidMarketMinCents }),
	intSetting("cadence.enterprise", "days between touches, enterprise", func(s *Settings) *int { return &s.Health.Cadence.Enterprise }),
	intSetting("cadence.mid_market", "days between touches, mid-market", func(s *Settings) *int { return &s.Health.Cadence.MidMarket }),
	intSetting("cadence.smb", "days between touches, SMB", func(s *Settings) *int { return &s.Health.Cadence.SMB }),
	intSetting("qbr_interval_days", "days between QBRs (enterprise and mid-market)", func(s *Settings) *int { return &s.Health.QBRIntervalDays }),
	intSetting("sla.critical", "hours to resolve a critical escalation", func(s *Settings) *int { return &s.Health.SLA.Critical }),
	intSetting("sla.high", "hours to resolve a high escalation", func(s *Settings) *int { return &s.Health.SLA.High }),
	intSetting("sla.medium", "hours to resolve a medium escalation", func(s *Settings) *int { return &s.Health.SLA.Medium }),
	intSetting("sla.low", "hours to resolve a low escalation", func(s *Settings) *int { return &s.Health.SLA.Low }),
	intSetting("cadence.one_on_one", "days between 1:1s with each member", func(s *Settings) *int { return &s.Health.OneOnOneDays }),
	floatSetting("load.enterprise", "what one enterprise account weighs against a member's capacity", func(s *Settings) *float64 { return &s.Health.Load.Enterprise }),
	floatSetting("load.mid_market", "what one mid-market account weighs", func(s *Settings) *float64 { return &s.Health.Load.MidMarket }),
	floatSetting("load.smb", "what one SMB account weighs", func(s *Settings) *float64 { return &s.Health.Load.SMB }),
	intSetting("freshness.stale_days", "days after which an account's health inputs are stale data", func(s *Settings) *int { return &s.Health.StaleDays }),
	targetSetting("targets.nrr", "leadership's net revenue retention target, like 105% (unset: none)", func(s *Settings) **float64 { return &s.Targets.NRR }),
	targetSetting("targets.grr", "gross revenue retention target, like 90%", func(s *Settings) **float64 { return &s.Targets.GRR }),
	targetSetting("targets.renewal_rate", "renewal rate (logos) target, like 85%", func(s *Settings) **float64 { return &s.Targets.RenewalRate }),
	{key: "currency", help: "ISO 4217 code of all amounts",
		get: func(s *Settings) string { return s.Currency },
		set: func(s *Settings, v string) error { s.Currency = strings.ToUpper(strings.TrimSpace(v)); return nil }},
}

// SettingInfo describes one setting.
type SettingInfo struct {
	Key, Value, Help string
}

// SettingList lists every setting of s with its value, in a fixed order.
func SettingList(s Settings) []SettingInfo {
	out := make([]SettingInfo, len(settingKeys))
	for i, k := range settingKeys {
		out[i] = SettingInfo{Key: k.key, Value: k.get(&s), Help: k.help}
	}
	return out
}

func findSetting(key string) (settingKey, error) {
	for _, k := range settingKeys {
		if k.key == key {
			return k, nil
		}
	}
	keys := make([]string, len(settingKeys))
	for i, k := range settingKeys {
		keys[i] = k.key
	}
	sort.Strings(keys)
	return settingKey{}, fmt.Errorf("unknown setting %s: the settings are %s", Quote(key), strings.Join(keys, ", "))
}

// GetSetting returns one setting's value.
func GetSetting(s Settings, key string) (string, error) {
	k, err := findSetting(key)
	if err != nil {
		return "", err
	}
	return k.get(&s), nil
}

// SettingChange is one entry of the settings log.
type SettingChange struct {
	At     time.Time `json:"at"`
	Author string    `json:"author"`
	// Session is the key fingerprint of the SSH session, when there was one.
	Session string `json:"session,omitempty"`
	Key     string `json:"key"`
	Old     string `json:"old"`
	New     string `json:"new"`
}

var bSettingsLog = []byte("settings_log")

// ErrUnchanged is returned by a change that would leave the value as it is:
// nothing is written and nothing is logged.
var ErrUnchanged = errors.New("nothing changed")

// SetSetting validates and stores one setting and logs who changed it and
// when. Every score is computed from the stored settings, so the change
// applies everywhere at once.
func (t *Tx) SetSetting(key, value string, by Actor, now time.Time) (Settings, error) {
	if err := t.allow(by, DoSettings, 0, 0); err != nil {
		return Settings{}, err
	}
	k, err := findSetting(key)
	if err != nil {
		return Settings{}, err
	}
	s, err := t.Settings()
	if err != nil {
		return s, err
	}
	old := k.get(&s)
	if err := k.set(&s, value); err != nil {
		return s, err
	}
	if k.get(&s) == old {
		return s, fmt.Errorf("%s is already %s: %w", key, old, ErrUnchanged)
	}
	if err := t.PutSettings(s); err != nil {
		return s, err
	}
	t.touchSettings()
	log, err := t.tx.CreateBucketIfNotExists(bSettingsLog)
	if err != nil {
		return s, err
	}
	seq, err := log.NextSequence()
	if err != nil {
		return s, err
	}
	v, err := json.Marshal(SettingChange{At: now.UTC(), Author: by.Name, Session: by.Session, Key: key, Old: old, New: k.get(&s)})
	if err != nil {
		return s, err
	}
	return s, log.Put(u64(seq), v)
}

// SettingsLog returns the settings changes, newest first, at most limit (0: all).
func (t *Tx) SettingsLog(limit int) ([]SettingChange, error) {
	var out []SettingChange
	log := t.tx.Bucket(bSettingsLog)
	if log == nil {
		return nil, nil
	}
	c := log.Cursor()
	for k, v := c.Last(); k != nil; k, v = c.Prev() {
		var ch SettingChange
		if err := json.Unmarshal(v, &ch); err != nil {
			return nil, fmt.Errorf("settings log: %w", errCorrupt)
		}
		out = append(out, ch)
		if limit > 0 && len(out) >= limit {
			break
		}
	}
	return out, nil
}
