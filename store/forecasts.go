package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"steward/metrics"
)

// Forecast is an owner's word on how an account's renewal will close: its
// category, and the ARR it is expected to renew at (-1: its ARR then, as
// by default), with the reason. Without one the category comes from the
// health band (metrics.DefaultForecast).
type Forecast struct {
	AccountID        uint64                   `json:"account_id"`
	Category         metrics.ForecastCategory `json:"category"`
	ExpectedARRCents int64                    `json:"expected_arr_cents"`
	Reason           string                   `json:"reason"`
	At               time.Time                `json:"at"`
	Author           string                   `json:"author"`
	Session          string                   `json:"session,omitempty"`
}

var bForecasts = []byte("forecasts")

// SetForecast sets account id's forecast; an empty category takes it back
// to the default. The account's owner or a manager may, and the activity
// log says so (an audit entry like an override's).
func (t *Tx) SetForecast(id uint64, cat metrics.ForecastCategory, expectedCents int64, reason string, by Actor, now time.Time) error {
	if err := t.allow(by, DoForecast, id, 0); err != nil {
		return err
	}
	a, err := t.Account(id)
	if err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	b, err := t.tx.CreateBucketIfNotExists(bForecasts)
	if err != nil {
		return err
	}
	if cat == "" {
		if b.Get(u64(id)) == nil {
			return errors.New(a.Name + " has no forecast of its own to take back")
		}
		if err := b.Delete(u64(id)); err != nil {
			return err
		}
		return t.AppendActivity(&Activity{AccountID: id, At: now.UTC(), Author: by.Name, Session: by.Session, Kind: "forecast",
			Text: "Forecast back to the default (from the health band)"})
	}
	switch {
	case !cat.Valid():
		return fmt.Errorf("forecast %s is not one of %v", Quote(string(cat)), metrics.ForecastCategories)
	case expectedCents < -1:
		return errors.New("the expected ARR cannot be negative")
	case reason == "":
		return errors.New("say why: a forecast others will read needs a reason")
	}
	f := Forecast{AccountID: id, Category: cat, ExpectedARRCents: expectedCents, Reason: reason, At: now.UTC(), Author: by.Name, Session: by.Session}
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if err := b.Put(u64(id), raw); err != nil {
		return err
	}
	text := "Forecast " + strings.ReplaceAll(string(cat), "_", " ")
	if expectedCents >= 0 {
		text += fmt.Sprintf(", expected ARR %d.%02d", expectedCents/100, expectedCents%100)
	}
	return t.AppendActivity(&Activity{AccountID: id, At: now.UTC(), Author: by.Name, Session: by.Session, Kind: "forecast", Text: text + ": " + reason})
}

// Forecasts is every forecast set, by account.
func (t *Tx) Forecasts() (map[uint64]Forecast, error) {
	out := map[uint64]Forecast{}
	b := t.tx.Bucket(bForecasts)
	if b == nil {
		return out, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		var f Forecast
		if err := json.Unmarshal(v, &f); err != nil {
			return fmt.Errorf("forecast: %w", errCorrupt)
		}
		out[f.AccountID] = f
		return nil
	})
	return out, err
}

// ForecastOf is account id's forecast, if one is set.
func (t *Tx) ForecastOf(id uint64) (Forecast, bool, error) {
	b := t.tx.Bucket(bForecasts)
	if b == nil {
		return Forecast{}, false, nil
	}
	v := b.Get(u64(id))
	if v == nil {
		return Forecast{}, false, nil
	}
	var f Forecast
	if err := json.Unmarshal(v, &f); err != nil {
		return Forecast{}, false, fmt.Errorf("forecast of account %d: %w", id, errCorrupt)
	}
	return f, true, nil
}
