package galera

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// wsrep_local_state values (wsrep API member status).
const (
	StateUndefined = 0
	StateJoining   = 1 // requesting or receiving a state transfer
	StateDonor     = 2 // Donor/Desynced: serving an SST, or wsrep_desync=ON
	StateJoined    = 3 // state received, catching up
	StateSynced    = 4
	StateError     = 5
)

var localStateNames = map[int]string{
	StateUndefined: "Initialized",
	StateJoining:   "Joining",
	StateDonor:     "Donor/Desynced",
	StateJoined:    "Joined",
	StateSynced:    "Synced",
	StateError:     "Error",
}

// Status is a node's `SHOW GLOBAL STATUS LIKE 'wsrep_%'`, decoded.
type Status struct {
	// Known is false when no wsrep_ variable was present at all: wsrep is
	// off or the server is not a Galera node.
	Known bool `json:"known"`

	ClusterStatus     string  `json:"cluster_status"`      // wsrep_cluster_status: Primary, non-Primary, Disconnected
	LocalState        int     `json:"local_state"`         // wsrep_local_state, see State*
	LocalStateComment string  `json:"local_state_comment"` // wsrep_local_state_comment, e.g. "Synced"
	ClusterSize       int     `json:"cluster_size"`        // wsrep_cluster_size
	ClusterConfID     int64   `json:"cluster_conf_id"`     // wsrep_cluster_conf_id: the view; -1 when unknown
	ClusterStateUUID  string  `json:"cluster_state_uuid"`  // wsrep_cluster_state_uuid
	LocalStateUUID    string  `json:"local_state_uuid"`    // wsrep_local_state_uuid
	LocalIndex        int     `json:"local_index"`         // wsrep_local_index; -1 when unknown
	GcommUUID         string  `json:"gcomm_uuid"`          // wsrep_gcomm_uuid: this node's member id
	ProviderName      string  `json:"provider_name"`       // wsrep_provider_name, "Galera"
	ProviderVendor    string  `json:"provider_vendor"`     // wsrep_provider_vendor
	ProviderVersion   string  `json:"provider_version"`    // wsrep_provider_version, e.g. "26.4.23(r1e5a1f9c)"
	Ready             bool    `json:"ready"`               // wsrep_ready
	Connected         bool    `json:"connected"`           // wsrep_connected
	LastCommitted     int64   `json:"last_committed"`      // wsrep_last_committed; -1 when unknown
	IncomingAddresses string  `json:"incoming_addresses"`  // wsrep_incoming_addresses, comma separated
	DesyncCount       int     `json:"desync_count"`        // wsrep_desync_count
	FlowControlPaused float64 `json:"flow_control_paused"`
}

// ParseStatus decodes the rows of `SHOW GLOBAL STATUS LIKE 'wsrep_%'`. Keys
// are matched case-insensitively; missing or malformed numbers keep their
// "unknown" value rather than failing, because status rows vary between
// flavors and versions and a health check must still say what it can.
func ParseStatus(m map[string]string) Status {
	v := make(map[string]string, len(m))
	for k, val := range m {
		k = strings.ToLower(strings.TrimSpace(k))
		if strings.HasPrefix(k, "wsrep_") {
			v[k] = strings.TrimSpace(val)
		}
	}
	s := Status{
		Known:             len(v) > 0,
		ClusterStatus:     v["wsrep_cluster_status"],
		LocalState:        atoi(v["wsrep_local_state"], StateUndefined),
		LocalStateComment: v["wsrep_local_state_comment"],
		ClusterSize:       atoi(v["wsrep_cluster_size"], 0),
		ClusterConfID:     atoi64(v["wsrep_cluster_conf_id"], -1),
		ClusterStateUUID:  strings.ToLower(v["wsrep_cluster_state_uuid"]),
		LocalStateUUID:    strings.ToLower(v["wsrep_local_state_uuid"]),
		LocalIndex:        atoi(v["wsrep_local_index"], -1),
		GcommUUID:         v["wsrep_gcomm_uuid"],
		ProviderName:      v["wsrep_provider_name"],
		ProviderVendor:    v["wsrep_provider_vendor"],
		ProviderVersion:   v["wsrep_provider_version"],
		Ready:             onOff(v["wsrep_ready"]),
		Connected:         onOff(v["wsrep_connected"]),
		LastCommitted:     atoi64(v["wsrep_last_committed"], -1),
		IncomingAddresses: v["wsrep_incoming_addresses"],
		DesyncCount:       atoi(v["wsrep_desync_count"], 0),
	}
	if f, err := strconv.ParseFloat(v["wsrep_flow_control_paused"], 64); err == nil {
		s.FlowControlPaused = f
	}
	return s
}

func atoi(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return def
	}
	return n
}

func atoi64(s string, def int64) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return def
	}
	return n
}

func onOff(s string) bool {
	switch strings.ToUpper(s) {
	case "ON", "1", "YES", "TRUE":
		return true
	}
	return false
}

// StateName is the wsrep_local_state_comment the server reported, or the
// name of the numeric state when the comment is missing.
func (s Status) StateName() string {
	if s.LocalStateComment != "" {
		return s.LocalStateComment
	}
	if n, ok := localStateNames[s.LocalState]; ok {
		return n
	}
	return "state " + strconv.Itoa(s.LocalState)
}

// ErrUnhealthy marks a node that is not a Synced member of a Primary
// component.
var ErrUnhealthy = errors.New("node not healthy")

// HealthError lists everything wrong with one node, each with what to do.
type HealthError struct {
	Problems []string
}

func (e *HealthError) Error() string { return strings.Join(e.Problems, "; ") }

func (e *HealthError) Is(target error) bool { return target == ErrUnhealthy }

// Healthy returns nil for a node that is a Synced, ready, connected member of
// a Primary component, and otherwise a *HealthError naming every problem
// and the next step.
func (s Status) Healthy() error {
	if !s.Known {
		return &HealthError{Problems: []string{"no wsrep status variables: wsrep is off or no provider is loaded; check wsrep_on and wsrep_provider"}}
	}
	var p []string
	switch s.ClusterStatus {
	case "Primary":
	case "Disconnected", "":
		p = append(p, "not in a cluster (wsrep_cluster_status="+orUnknown(s.ClusterStatus)+"): check wsrep_cluster_address and that the other nodes are reachable on port 4567")
	default:
		p = append(p, "cluster status is "+s.ClusterStatus+": this node lost quorum; do not write to it, check the network and the other nodes with `galeraflow status`")
	}
	if !s.Connected && s.ClusterStatus != "Disconnected" && s.ClusterStatus != "" {
		p = append(p, "not connected (wsrep_connected=OFF): check wsrep_cluster_address and the network")
	}
	if s.LocalState != StateSynced {
		name := s.StateName()
		switch s.LocalState {
		case StateJoining:
			p = append(p, "not Synced ("+name+"): the node is receiving a state transfer; wait for the SST/IST to finish or run `galeraflow status`")
		case StateDonor:
			p = append(p, "not Synced ("+name+"): wait for the SST to finish or run `galeraflow status`; if no SST runs, check wsrep_desync")
		case StateJoined:
			p = append(p, "not Synced ("+name+"): the node is catching up with the cluster; wait and check again")
		default:
			p = append(p, "not Synced ("+name+"): check the node's error log")
		}
	}
	if !s.Ready {
		p = append(p, "not ready (wsrep_ready=OFF): it refuses queries until it is a Synced member of a Primary component")
	}
	if s.LocalStateUUID != "" && s.ClusterStateUUID != "" && s.LocalStateUUID != s.ClusterStateUUID {
		p = append(p, fmt.Sprintf("local state %s differs from the cluster's %s: the node has not caught up", s.LocalStateUUID, s.ClusterStateUUID))
	}
	if len(p) == 0 {
		return nil
	}
	return &HealthError{Problems: p}
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
