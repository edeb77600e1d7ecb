package diff

// work bounds the cost of the diff: Myers' algorithm takes time
// (len(a)+len(b))·D and memory D², for D lines changed. Past the bound the
// changed middle is shown as removed then added whole: still a correct
// diff, only not the shortest.
const work = 50_000_000

// lineOps returns the edit script from a to b, changes within a run put as
// removals before additions.
func lineOps(a, b []string) []op {
	// Common prefix and suffix need no search.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []op
	for i := 0; i < pre; i++ {
		ops = append(ops, op{' ', i, i})
	}
	midA, midB := a[pre:len(a)-suf], b[pre:len(b)-suf]
	mid := myers(midA, midB)
	if mid == nil {
		mid = replaceAll(len(midA), len(midB))
	}
	for _, o := range mid {
		ops = append(ops, op{o.kind, o.a + pre, o.b + pre})
	}
	for i := 0; i < suf; i++ {
		ops = append(ops, op{' ', len(a) - suf + i, len(b) - suf + i})
	}
	return removalsFirst(ops)
}

func replaceAll(n, m int) []op {
	ops := make([]op, 0, n+m)
	for i := 0; i < n; i++ {
		ops = append(ops, op{'-', i, 0})
	}
	for j := 0; j < m; j++ {
		ops = append(ops, op{'+', n, j})
	}
	return ops
}

// myers finds a shortest edit script (Myers 1986, greedy forward search),
// or returns nil when it would cost more than work.
func myers(a, b []string) []op {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return replaceAll(n, m)
	}
	maxD := min(n+m, work/(n+m), 2000)
	off := maxD + 1
	v := make([]int, 2*off+1)
	var trace [][]int // trace[d]: v[-d..d] before round d
	for d := 0; d <= maxD; d++ {
		snap := make([]int, 2*d+1)
		copy(snap, v[off-d:off+d+1])
		trace = append(trace, snap)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1] // down: an addition
			} else {
				x = v[off+k-1] + 1 // right: a removal
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				return backtrack(trace, n, m)
			}
		}
	}
	return nil
}

func backtrack(trace [][]int, n, m int) []op {
	var rev []op
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		v := trace[d]
		at := func(k int) int { return v[k+d] }
		k := x - y
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		} else {
			pk = k - 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			x--
			y--
			rev = append(rev, op{' ', x, y})
		}
		if x == px {
			y--
			rev = append(rev, op{'+', x, y})
		} else {
			x--
			rev = append(rev, op{'-', x, y})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, op{' ', x, y})
	}
	ops := make([]op, len(rev))
	for i, o := range rev {
		ops[len(rev)-1-i] = o
	}
	return ops
}

// removalsFirst reorders each run of changes as its removals then its
// additions, as diff -u prints them.
func removalsFirst(ops []op) []op {
	out := make([]op, 0, len(ops))
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			out = append(out, ops[i])
			i++
			continue
		}
		j := i
		for j < len(ops) && ops[j].kind != ' ' {
			j++
		}
		var adds []op
		for _, o := range ops[i:j] {
			if o.kind == '-' {
				out = append(out, o)
			} else {
				adds = append(adds, o)
			}
		}
		out = append(out, adds...)
		i = j
	}
	// Renumber: a removal moved before additions sits at another place
	// in new.
	ai, bi := 0, 0
	for i := range out {
		out[i].a, out[i].b = ai, bi
		if out[i].kind != '+' {
			ai++
		}
		if out[i].kind != '-' {
			bi++
		}
	}
	return out
}
