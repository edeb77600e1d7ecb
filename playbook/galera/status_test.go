package galera

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

const clusterUUID = "8f1d2c3e-0a1b-11ef-9a3b-7e5f0c1d2e3f"

// syncedRows is what SHOW GLOBAL STATUS LIKE 'wsrep_%' returns on a healthy
// MariaDB 10.11 node (a subset; the real output has ~70 rows).
func syncedRows() map[string]string {
	return map[string]string{
		"wsrep_local_state_uuid":    clusterUUID,
		"wsrep_protocol_version":    "10",
		"wsrep_last_committed":      "1841",
		"wsrep_flow_control_paused": "0.000123",
		"wsrep_local_state":         "4",
		"wsrep_local_state_comment": "Synced",
		"wsrep_cluster_conf_id":     "7",
		"wsrep_cluster_size":        "3",
		"wsrep_cluster_state_uuid":  clusterUUID,
		"wsrep_cluster_status":      "Primary",
		"wsrep_connected":           "ON",
		"wsrep_local_index":         "1",
		"wsrep_provider_name":       "Galera",
		"wsrep_provider_vendor":     "Codership Oy <info@codership.com>",
		"wsrep_provider_version":    "26.4.23(r1e5a1f9c)",
		"wsrep_ready":               "ON",
		"wsrep_incoming_addresses":  "10.0.0.11:3306,10.0.0.12:3306,10.0.0.13:3306",
		"wsrep_gcomm_uuid":          "a1b2c3d4-0a1b-11ef-8c8c-2a3b4c5d6e7f",
		"wsrep_desync_count":        "0",
	}
}

func rows(edit func(m map[string]string)) map[string]string {
	m := syncedRows()
	edit(m)
	return m
}

func TestParseStatus(t *testing.T) {
	s := ParseStatus(syncedRows())
	want := Status{
		Known: true, ClusterStatus: "Primary", LocalState: StateSynced, LocalStateComment: "Synced",
		ClusterSize: 3, ClusterConfID: 7, ClusterStateUUID: clusterUUID, LocalStateUUID: clusterUUID,
		LocalIndex: 1, GcommUUID: "a1b2c3d4-0a1b-11ef-8c8c-2a3b4c5d6e7f", ProviderName: "Galera",
		ProviderVendor: "Codership Oy <info@codership.com>", ProviderVersion: "26.4.23(r1e5a1f9c)",
		Ready: true, Connected: true, LastCommitted: 1841,
		IncomingAddresses: "10.0.0.11:3306,10.0.0.12:3306,10.0.0.13:3306", FlowControlPaused: 0.000123,
	}
	if s != want {
		t.Errorf("ParseStatus:\n got %+v\nwant %+v", s, want)
	}
	if err := s.Healthy(); err != nil {
		t.Errorf("a synced node is unhealthy: %v", err)
	}

	// Upper-case keys (SHOW STATUS prints Variable_name in upper case on
	// some versions) and padding are accepted.
	upper := map[string]string{"WSREP_CLUSTER_STATUS": " Primary ", "Wsrep_Ready": "ON", "WSREP_LOCAL_STATE_UUID": strings.ToUpper(clusterUUID)}
	u := ParseStatus(upper)
	if u.ClusterStatus != "Primary" || !u.Ready || u.LocalStateUUID != clusterUUID {
		t.Errorf("case-insensitive keys: %+v", u)
	}

	// Missing or malformed numbers stay "unknown".
	e := ParseStatus(map[string]string{"wsrep_cluster_conf_id": "x", "wsrep_last_committed": "", "other": "1"})
	if !e.Known || e.ClusterConfID != -1 || e.LastCommitted != -1 || e.LocalIndex != -1 || e.LocalState != StateUndefined {
		t.Errorf("unknown numbers: %+v", e)
	}
	if ParseStatus(map[string]string{"uptime": "5"}).Known {
		t.Error("no wsrep_ rows must leave Known false")
	}
}

func TestHealthy(t *testing.T) {
	tests := []struct {
		name string
		rows map[string]string
		want []string // substrings, one per expected problem; nil = healthy
	}{
		{"synced", syncedRows(), nil},
		{"donor", rows(func(m map[string]string) {
			m["wsrep_local_state"], m["wsrep_local_state_comment"] = "2", "Donor/Desynced"
		}), []string{"not Synced (Donor/Desynced): wait for the SST to finish or run `galeraflow status`"}},
		{"joining", rows(func(m map[string]string) {
			m["wsrep_local_state"], m["wsrep_local_state_comment"] = "1", "Joining: receiving State Transfer"
			m["wsrep_ready"] = "OFF"
		}), []string{"not Synced (Joining: receiving State Transfer)", "not ready (wsrep_ready=OFF)"}},
		{"joined, no comment row", rows(func(m map[string]string) {
			m["wsrep_local_state"] = "3"
			delete(m, "wsrep_local_state_comment")
		}), []string{"not Synced (Joined)"}},
		{"non-primary", rows(func(m map[string]string) {
			m["wsrep_cluster_status"], m["wsrep_cluster_size"] = "non-Primary", "1"
			m["wsrep_local_state"], m["wsrep_local_state_comment"] = "0", "Initialized"
			m["wsrep_ready"] = "OFF"
		}), []string{"cluster status is non-Primary: this node lost quorum", "not Synced (Initialized)", "not ready"}},
		{"disconnected", rows(func(m map[string]string) {
			m["wsrep_cluster_status"], m["wsrep_connected"], m["wsrep_ready"] = "Disconnected", "OFF", "OFF"
			m["wsrep_local_state"], m["wsrep_local_state_comment"] = "0", "Initialized"
		}), []string{"not in a cluster (wsrep_cluster_status=Disconnected)", "not Synced", "not ready"}},
		{"primary but not connected", rows(func(m map[string]string) { m["wsrep_connected"] = "OFF" }),
			[]string{"not connected (wsrep_connected=OFF)"}},
		{"behind the cluster", rows(func(m map[string]string) { m["wsrep_local_state_uuid"] = testUUID }),
			[]string{"differs from the cluster's"}},
		{"wsrep off", map[string]string{}, []string{"no wsrep status variables"}},
	}
	for _, tt := range tests {
		err := ParseStatus(tt.rows).Healthy()
		if tt.want == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		var he *HealthError
		if !errors.As(err, &he) || !errors.Is(err, ErrUnhealthy) {
			t.Errorf("%s: error %v, want a HealthError matching ErrUnhealthy", tt.name, err)
			continue
		}
		if len(he.Problems) != len(tt.want) {
			t.Errorf("%s: %d problems %q, want %d", tt.name, len(he.Problems), he.Problems, len(tt.want))
			continue
		}
		for i, w := range tt.want {
			if !strings.Contains(he.Problems[i], w) {
				t.Errorf("%s: problem %d = %q, want it to contain %q", tt.name, i, he.Problems[i], w)
			}
		}
	}
}

func TestCheckCluster(t *testing.T) {
	synced := ParseStatus(syncedRows())
	edit := func(f func(m map[string]string)) Status { return ParseStatus(rows(f)) }

	tests := []struct {
		name     string
		nodes    map[string]Status
		size     int
		wantIs   []error
		wantText []string
	}{
		{name: "healthy", nodes: map[string]Status{"n1": synced, "n2": synced, "n3": synced}, size: 3},
		{name: "size check skipped", nodes: map[string]Status{"n1": synced}, size: 0},
		{
			name: "a donor",
			nodes: map[string]Status{"n1": synced, "n2": edit(func(m map[string]string) {
				m["wsrep_local_state"], m["wsrep_local_state_comment"] = "2", "Donor/Desynced"
			}), "n3": synced},
			size:     3,
			wantIs:   []error{ErrUnhealthy},
			wantText: []string{"n2: not Synced (Donor/Desynced): wait for the SST to finish"},
		},
		{
			name: "different cluster state uuids",
			nodes: map[string]Status{"n1": synced, "n2": synced, "n3": edit(func(m map[string]string) {
				m["wsrep_cluster_state_uuid"], m["wsrep_local_state_uuid"] = testUUID, testUUID
			})},
			size:     3,
			wantIs:   []error{ErrSplitBrain},
			wantText: []string{clusterUUID + " on n1 and n2; " + testUUID + " on n3"},
		},
		{
			name: "two primary components",
			nodes: map[string]Status{
				"n1": edit(func(m map[string]string) { m["wsrep_cluster_size"], m["wsrep_cluster_conf_id"] = "2", "9" }),
				"n2": edit(func(m map[string]string) { m["wsrep_cluster_size"], m["wsrep_cluster_conf_id"] = "2", "9" }),
				"n3": edit(func(m map[string]string) { m["wsrep_cluster_size"], m["wsrep_cluster_conf_id"] = "1", "8" }),
			},
			size:     3,
			wantIs:   []error{ErrSplitBrain, ErrSizeMismatch},
			wantText: []string{"different cluster views (wsrep_cluster_conf_id 9 on n1 and n2; 8 on n3)", "n3 sees 1 of 3 nodes"},
		},
		{
			name: "a node missing and a non-primary one",
			nodes: map[string]Status{
				"n1": edit(func(m map[string]string) { m["wsrep_cluster_size"] = "2" }),
				"n2": edit(func(m map[string]string) { m["wsrep_cluster_size"] = "2" }),
				"n3": edit(func(m map[string]string) {
					m["wsrep_cluster_status"], m["wsrep_cluster_size"], m["wsrep_ready"] = "non-Primary", "1", "OFF"
					m["wsrep_cluster_conf_id"] = "18446744073709551615"
				}),
			},
			size:     3,
			wantIs:   []error{ErrUnhealthy, ErrSizeMismatch},
			wantText: []string{"n1 sees 2 of 3 nodes", "n3: cluster status is non-Primary", "a node is down"},
		},
		{
			name:     "more members than the inventory",
			nodes:    map[string]Status{"n1": edit(func(m map[string]string) { m["wsrep_cluster_size"] = "4" })},
			size:     3,
			wantIs:   []error{ErrSizeMismatch},
			wantText: []string{"garbd"},
		},
		{name: "nothing to check", nodes: nil, size: 3, wantIs: []error{ErrUnhealthy}},
	}
	for _, tt := range tests {
		err := CheckCluster(tt.nodes, tt.size)
		if tt.wantIs == nil {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", tt.name)
			continue
		}
		for _, w := range tt.wantIs {
			if !errors.Is(err, w) {
				t.Errorf("%s: %v does not match %v", tt.name, err, w)
			}
		}
		for _, w := range tt.wantText {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q does not mention %q", tt.name, err, w)
			}
		}
	}
	// A healthy cluster is not reported as split when one node has not
	// reported a conf id.
	unknownID := edit(func(m map[string]string) { delete(m, "wsrep_cluster_conf_id") })
	if err := CheckCluster(map[string]Status{"n1": synced, "n2": unknownID}, 3); err != nil {
		t.Errorf("unknown conf id: %v", err)
	}
}

// Reports (`galeraflow status --output json`) expose these names; scripts
// and the end-to-end tests read them.
func TestStatusJSONNames(t *testing.T) {
	b, err := json.Marshal(ParseStatus(syncedRows()))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cluster_status", "local_state", "local_state_comment", "cluster_size",
		"cluster_state_uuid", "local_state_uuid", "provider_version", "ready", "connected", "last_committed"} {
		if _, ok := m[k]; !ok {
			t.Errorf("status JSON lacks %q: %s", k, b)
		}
	}
	d, err := ChooseBootstrap(inventory(clean("n1", 4, true)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(d)
	for _, k := range []string{`"node":"n1"`, `"reason":`, `"tie":false`, `"considered":[{"name":"n1"`, `"safe_to_bootstrap":true`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("decision JSON lacks %s: %s", k, b)
		}
	}
}
