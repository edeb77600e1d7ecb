package inventory

import (
	"fmt"
	"strings"
)

// suggest returns " (did you mean ...?)" for a misspelled key, or the hint
// for a key that belongs in another block, or "".
func suggest(key string, known []string, hints map[string]string) string {
	best, bestDist := "", -1
	for _, k := range known {
		d := editDistance(strings.ToLower(key), k)
		if bestDist < 0 || d < bestDist {
			best, bestDist = k, d
		}
	}
	limit := 2
	if len([]rune(key)) < 5 {
		limit = 1
	}
	if best != "" && bestDist <= limit {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	if h, ok := hints[key]; ok {
		return " (" + h + ")"
	}
	return ""
}

// editDistance is the Levenshtein distance, counting an adjacent swap as
// one edit since transposed letters are the commonest typo.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
