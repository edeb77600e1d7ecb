package playbook

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
)

func TestForEachTriesEveryIndexAndJoinsErrors(t *testing.T) {
	var calls atomic.Int32
	errOdd := errors.New("odd")
	err := ForEach(context.Background(), 7, 3, func(ctx context.Context, i int) error {
		calls.Add(1)
		if i%2 == 1 {
			return fmt.Errorf("n%d: %w", i, errOdd)
		}
		return nil
	})
	if calls.Load() != 7 {
		t.Fatalf("calls = %d, want 7", calls.Load())
	}
	if !errors.Is(err, errOdd) {
		t.Fatalf("err = %v, want errOdd inside", err)
	}
	for _, want := range []string{"n1:", "n3:", "n5:"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("joined error lacks %q: %v", want, err)
		}
	}
}

func TestForEachRespectsLimit(t *testing.T) {
	var running, peak atomic.Int32
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- ForEach(context.Background(), 10, 2, func(ctx context.Context, i int) error {
			now := running.Add(1)
			for {
				p := peak.Load()
				if now <= p || peak.CompareAndSwap(p, now) {
					break
				}
			}
			<-release
			running.Add(-1)
			return nil
		})
	}()
	for i := 0; i < 10; i++ {
		release <- struct{}{}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if peak.Load() > 2 {
		t.Fatalf("peak concurrency %d > limit 2", peak.Load())
	}
}

func TestForEachFailFastCancelsTheRest(t *testing.T) {
	boom := errors.New("boom")
	var started atomic.Int32
	err := ForEachFailFast(context.Background(), 5, 1, func(ctx context.Context, i int) error {
		started.Add(1)
		if i == 1 {
			return boom
		}
		return ctx.Err()
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if errors.Is(err, context.Canceled) {
		t.Fatalf("err should not report our own cancellations: %v", err)
	}
	if started.Load() != 2 {
		t.Fatalf("started %d calls, want 2 (limit 1, stop after the failure)", started.Load())
	}
}

func TestForEachCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var calls atomic.Int32
	err := ForEach(ctx, 3, 1, func(ctx context.Context, i int) error {
		calls.Add(1)
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if calls.Load() != 0 {
		t.Fatalf("%d calls started on a cancelled context", calls.Load())
	}
}
