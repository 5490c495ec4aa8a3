package store

import (
	"os"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Prefault has the kernel map the memory behind s's capacity now, in one
// call on a goroutine of its own (MADV_POPULATE_WRITE), instead of one
// page fault per page as the caller first writes it. A large new
// allocation is memory the process has never touched; on this project's
// machines (virtual ones) the first touch costs about 3 ms a megabyte
// page by page and half that in bulk, and done beside the caller's work
// it is mostly hidden. The read model calls it on its big allocations
// (README, "Design notes", Fresh memory). Kernels before 5.14, and memory
// already mapped, make it a no-op.
func Prefault[T any](s []T) {
	var zero T
	size := uintptr(cap(s)) * unsafe.Sizeof(zero)
	if size < 1<<20 {
		return // not worth a goroutine
	}
	page := uintptr(os.Getpagesize())
	start := uintptr(unsafe.Pointer(unsafe.SliceData(s[:cap(s)])))
	lo, hi := (start+page-1)&^(page-1), (start+size)&^(page-1)
	if hi <= lo {
		return
	}
	go func() {
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, lo, hi-lo, unix.MADV_POPULATE_WRITE)
		// s stays reachable until the call is done: the memory is not
		// freed and reused under it.
		runtime.KeepAlive(s)
	}()
}
