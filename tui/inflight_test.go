package tui

import (
	"testing"
	"time"
)

func TestInflight(t *testing.T) {
	var f Inflight
	if !f.Wait(0) {
		t.Fatal("nothing started, yet Wait waits")
	}
	if !f.Start() || !f.Start() {
		t.Fatal("Start refused before Close")
	}
	if f.Wait(10 * time.Millisecond) {
		t.Fatal("Wait returned with two running")
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		f.Done()
		f.Start() // work may start while someone waits
		f.Done()
		f.Done()
	}()
	if !f.Wait(2 * time.Second) {
		t.Fatal("Wait did not see the work end")
	}
	f.Close()
	if f.Start() {
		t.Fatal("Start after Close")
	}
}
