package inventory

import (
	"path/filepath"
	"slices"
	"testing"
)

func TestControllerPaths(t *testing.T) {
	files := fakeFiles{
		"/home/op/.ssh/known_hosts": {data: "x"},
		"/home/op/.ssh/id_a":        {data: "x"},
		"/inv/keys/id_b":            {data: "x"},
		"/etc/keys/id_c":            {data: "x"},
		"/inv/other_known_hosts":    {data: "x"},
		"/inv/pb/ssl.yml":           {data: "x"},
	}
	src := inv("playbook: ./pb/../pb/ssl.yml\nssh:\n  identities: [~/.ssh/id_a, keys/id_b, /etc/keys/id_c]\n  known_hosts: other_known_hosts\n")
	got := mustParse(t, src, testOptions(files, nil))
	n := got.Nodes[0]
	if want := []string{"/home/op/.ssh/id_a", "/inv/keys/id_b", "/etc/keys/id_c"}; !slices.Equal(n.SSH.Identities, want) {
		t.Errorf("identities = %q, want %q", n.SSH.Identities, want)
	}
	if n.SSH.KnownHosts != "/inv/other_known_hosts" {
		t.Errorf("known_hosts = %q", n.SSH.KnownHosts)
	}
	if got.Playbook != "/inv/pb/ssl.yml" || !got.PlaybookIsFile() {
		t.Errorf("playbook = %q (file %v)", got.Playbook, got.PlaybookIsFile())
	}
	if n.SSH.SSHConfig != "" {
		t.Errorf("ssh_config = %q, want none: the default file does not exist", n.SSH.SSHConfig)
	}
}

func TestSSHConfigDefault(t *testing.T) {
	files := baseFiles()
	files["/home/op/.ssh/config"] = fakeFile{data: "Host *\n"}
	files["/inv/ssh_config"] = fakeFile{data: "Host *\n"}
	for _, tt := range []struct{ extra, want string }{
		{"", "/home/op/.ssh/config"},
		{"ssh: {ssh_config: none}\n", ""},
		{"ssh: {ssh_config: ssh_config}\n", "/inv/ssh_config"},
	} {
		got := mustParse(t, inv(tt.extra), testOptions(files, nil))
		if p := got.Nodes[0].SSH.SSHConfig; p != tt.want {
			t.Errorf("%q: ssh_config = %q, want %q", tt.extra, p, tt.want)
		}
	}
}

func TestDirDefaultsToTheInventoryFolder(t *testing.T) {
	opts := testOptions(everyFile{"x"}, nil)
	opts.Dir = ""
	got, err := Parse(filepath.Join("conf", "prod.yml"), []byte(inv("ssh: {identity: keys/id}\n")), opts)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := filepath.Abs("conf")
	if got.Dir != want || got.Nodes[0].SSH.Identities[0] != filepath.Join(want, "keys", "id") {
		t.Errorf("dir %q, identity %q; want under %q", got.Dir, got.Nodes[0].SSH.Identities, want)
	}
	if got.File != filepath.Join("conf", "prod.yml") {
		t.Errorf("file = %q, want it as given", got.File)
	}
}

func TestTLSFilesPerNode(t *testing.T) {
	src := `cluster: c
tls:
  ca: certs/ca.pem
  server_cert: certs/{node}.crt
  server_key: ~/keys/{node}.key
  client_cert: /etc/galera/client.crt
  client_key: /etc/galera/client.key
  remote_dir: /etc/mysql/ssl/
nodes: [{name: db1, address: h1}, {name: db2, address: h2}]
`
	got := mustParse(t, src, testOptions(everyFile{"x"}, nil))
	want := TLSFiles{CA: "/inv/certs/ca.pem", ServerCert: "/inv/certs/db2.crt", ServerKey: "/home/op/keys/db2.key",
		ClientCert: "/etc/galera/client.crt", ClientKey: "/etc/galera/client.key"}
	if got.Nodes[1].TLSFiles != want {
		t.Errorf("db2 files = %+v\nwant %+v", got.Nodes[1].TLSFiles, want)
	}
	if got.Nodes[0].TLSFiles.ServerCert != "/inv/certs/db1.crt" {
		t.Errorf("db1 cert = %q", got.Nodes[0].TLSFiles.ServerCert)
	}
	if got.TLS.RemoteDir != "/etc/mysql/ssl" {
		t.Errorf("remote_dir = %q, want it cleaned", got.TLS.RemoteDir)
	}
}

func TestUnknownHome(t *testing.T) {
	opts := testOptions(everyFile{"x"}, nil)
	opts.Home = ""
	got := problems(t, inv("ssh: {identity: ~/.ssh/id}\n"), opts)
	want := []string{"inventory.yml:2:17: ssh.identity: cannot expand ~: the home folder is unknown"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	// Without a home folder the defaults that live there are simply absent.
	n := mustParse(t, inv(""), opts).Nodes[0]
	if n.SSH.KnownHosts != "" || n.SSH.SSHConfig != "" {
		t.Errorf("known_hosts %q, ssh_config %q", n.SSH.KnownHosts, n.SSH.SSHConfig)
	}
}
