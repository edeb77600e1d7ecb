package playbook

import (
	"context"
	"errors"
	"sync"
)

// ForEach calls fn for every index in [0, n) with at most limit calls at
// once. It tries every index, whatever the others return, and joins the
// errors (status and preflight want the whole picture, not the first fault).
func ForEach(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	return forEach(ctx, n, limit, false, fn)
}

// ForEachFailFast is ForEach that cancels the calls not yet finished at the
// first error (uploads: no point pushing files to the rest once one failed).
// It returns the errors of the calls that failed on their own, not the
// cancellations it caused.
func ForEachFailFast(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	return forEach(ctx, n, limit, true, fn)
}

func forEach(ctx context.Context, n, limit int, failFast bool, fn func(ctx context.Context, i int) error) error {
	if limit < 1 {
		limit = 1
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	errs := make([]error, n)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	var failed bool
	var mu sync.Mutex
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			mu.Lock()
			if !failed {
				errs[i] = ctx.Err()
			}
			mu.Unlock()
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			// Not started: report why, unless we cancelled ourselves.
			mu.Lock()
			if !failed {
				errs[i] = ctx.Err()
			}
			mu.Unlock()
			continue
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			err := fn(ctx, i)
			if err == nil {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if failFast && failed && errors.Is(err, context.Canceled) {
				return // a casualty of our own cancellation
			}
			errs[i] = err
			if failFast && !failed {
				failed = true
				cancel()
			}
		}(i)
	}
	wg.Wait()
	return errors.Join(errs...)
}
