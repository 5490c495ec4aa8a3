package portfolio

import (
	"os"
	"testing"
)

// TestMain keeps the verification stamps (store/guard.go) of the tests'
// throwaway files in a folder of their own, not the user's cache.
func TestMain(m *testing.M) {
	stamps, _ := os.MkdirTemp("", "steward-stamps-")
	os.Setenv("STEWARD_CACHE_DIR", stamps)
	code := m.Run()
	os.RemoveAll(stamps)
	os.Exit(code)
}
