package remote

import (
	"sync"
	"testing"
	"time"
)

// Every rename is followed by a directory sync that started after it,
// whoever ran that sync; concurrent writers share syncs instead of each
// running its own.
func TestSyncAfterRenameCoversEveryRename(t *testing.T) {
	var w dirWork
	var mu sync.Mutex
	var renamedAt []int // per writer: the sync count when it renamed
	var syncStarts int
	var syncsSeen []int // per writer: syncs started by the time it returned
	gate := make(chan struct{})
	const writers = 16
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			mu.Lock()
			at := syncStarts // a sync must start after this point
			mu.Unlock()
			w.syncAfterRename(func() {
				mu.Lock()
				syncStarts++
				mu.Unlock()
				time.Sleep(time.Millisecond) // an fsync takes a while: others queue
			})
			mu.Lock()
			renamedAt = append(renamedAt, at)
			syncsSeen = append(syncsSeen, syncStarts)
			mu.Unlock()
		}()
	}
	close(gate)
	wg.Wait()
	for i := range renamedAt {
		if syncsSeen[i] <= renamedAt[i] {
			t.Errorf("writer returned with no directory sync started after its rename (%d syncs before, %d after)", renamedAt[i], syncsSeen[i])
		}
	}
	if syncStarts < 1 || syncStarts > writers {
		t.Errorf("%d syncs for %d renames", syncStarts, writers)
	}
	t.Logf("%d renames, %d directory syncs", writers, syncStarts)

	// Alone, each rename gets its own sync.
	before := syncStarts
	w.syncAfterRename(func() { syncStarts++ })
	w.syncAfterRename(func() { syncStarts++ })
	if syncStarts != before+2 {
		t.Errorf("two renames one after the other: %d syncs, want 2", syncStarts-before)
	}
}
