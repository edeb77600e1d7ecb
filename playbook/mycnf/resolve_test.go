package mycnf

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"testing"
)

// memReader is a file system in a map: path → content. Directories are
// implied by the paths.
type memReader map[string]string

func (m memReader) ReadFile(p string) ([]byte, error) {
	if s, ok := m[p]; ok {
		return []byte(s), nil
	}
	return nil, fmt.Errorf("open %s: %w", p, fs.ErrNotExist)
}

func (m memReader) ReadDir(dir string) ([]string, error) {
	dir = strings.TrimRight(dir, "/") + "/"
	var names []string
	for p := range m {
		if rest, ok := strings.CutPrefix(p, dir); ok && !strings.Contains(rest, "/") {
			names = append(names, rest)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("open %s: %w", dir, fs.ErrNotExist)
	}
	sort.Sort(sort.Reverse(sort.StringSlice(names))) // the resolver must sort
	return names, nil
}

// trace renders what the server reads in groups, like my_print_defaults,
// with where each option comes from.
func trace(s *Set, groups ...string) string {
	var b strings.Builder
	for _, o := range s.Options(groups) {
		fmt.Fprintf(&b, "%s:%d %s=%s\n", path.Base(o.File), o.Line, o.Key, o.Value)
	}
	return b.String()
}

func warnings(s *Set) string {
	var b strings.Builder
	for _, w := range s.Warnings {
		fmt.Fprintf(&b, "%s:%d kind=%d fatal=%v %s\n", path.Base(w.File), w.Line, w.Kind, w.Fatal, w.Path)
	}
	return b.String()
}

func TestResolveDebianLayout(t *testing.T) {
	r := memReader{
		"/etc/mysql/my.cnf":                         "[client-server]\nsocket = /run/mysqld/mysqld.sock\n\n!includedir /etc/mysql/conf.d/\n!includedir /etc/mysql/mariadb.conf.d/\n",
		"/etc/mysql/conf.d/mysql.cnf":               "[mysql]\n",
		"/etc/mysql/conf.d/README":                  "not read: no .cnf",
		"/etc/mysql/mariadb.conf.d/60-galera.cnf":   "[galera]\nwsrep_on = ON\nwsrep_provider_options = \"gcache.size=1G\"\n",
		"/etc/mysql/mariadb.conf.d/50-server.cnf":   "[mysqld]\nbind-address = 127.0.0.1\n",
		"/etc/mysql/mariadb.conf.d/50-client.cnf":   "[client]\nssl-ca = /old/ca.pem\n",
		"/etc/mysql/mariadb.conf.d/99-local.cnf":    "[mysqld]\nbind_address = 0.0.0.0\n[galera]\nloose-wsrep_on = OFF\n",
		"/etc/mysql/mariadb.conf.d/70-x.cnf.dpkg":   "[mysqld]\nbind-address = 1.1.1.1\n",
		"/etc/mysql/mariadb.conf.d/B-upper.cnf":     "[mysqld]\nupper = first\n",
		"/etc/mysql/mariadb.conf.d/80-disabled.CNF": "[mysqld]\nbind-address = 2.2.2.2\n",
	}
	s, err := Resolve("/etc/mysql/my.cnf", r)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range s.Files {
		names = append(names, path.Base(f.Name))
	}
	if got, want := strings.Join(names, " "), "my.cnf mysql.cnf 50-client.cnf 50-server.cnf 60-galera.cnf 99-local.cnf B-upper.cnf"; got != want {
		t.Errorf("files read: %s\nwant        %s", got, want)
	}
	want := `my.cnf:2 socket=/run/mysqld/mysqld.sock
50-server.cnf:2 bind-address=127.0.0.1
60-galera.cnf:2 wsrep_on=ON
60-galera.cnf:3 wsrep_provider_options=gcache.size=1G
99-local.cnf:2 bind_address=0.0.0.0
99-local.cnf:4 loose-wsrep_on=OFF
B-upper.cnf:2 upper=first
`
	if got := trace(s, ServerGroups("10.11")...); got != want {
		t.Errorf("server reads:\n%s\nwant\n%s", got, want)
	}
	o, ok := s.Effective(ServerGroups("10.11"), "wsrep-on")
	if !ok || o.Value != "OFF" || path.Base(o.File) != "99-local.cnf" || o.Line != 4 {
		t.Errorf("Effective(wsrep_on) = %+v", o)
	}
	if defs := s.Definitions(ServerGroups(""), "bind_address"); len(defs) != 2 || defs[0].Value != "127.0.0.1" {
		t.Errorf("Definitions(bind_address) = %+v", defs)
	}
	if o, ok := s.Effective(ClientGroups(), "ssl_ca"); !ok || o.Value != "/old/ca.pem" {
		t.Errorf("client ssl_ca = %+v", o)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings: %s", warnings(s))
	}

	// An edit to a file of the set shows in Effective.
	f := s.File("/etc/mysql/mariadb.conf.d/99-local.cnf")
	f.Disable("galera", "wsrep_on", "galeraflow")
	if o, _ := s.Effective(ServerGroups(""), "wsrep_on"); o.Value != "ON" {
		t.Errorf("after Disable, wsrep_on = %+v", o)
	}
}

func TestResolveGroupStatePerFile(t *testing.T) {
	r := memReader{
		"/root.cnf": "[mysqld]\na = 1\n!include /inc.cnf\nb = 2\n",
		"/inc.cnf":  "[client]\nc = 3\n",
	}
	s, err := Resolve("/root.cnf", r)
	if err != nil {
		t.Fatal(err)
	}
	// After the include the root file is still in [mysqld].
	if got, want := trace(s, "mysqld"), "root.cnf:2 a=1\nroot.cnf:4 b=2\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	// An included file needs its own group.
	r["/inc.cnf"] = "c = 3\n"
	_, err = Resolve("/root.cnf", r)
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != "/inc.cnf" || pe.Line != 1 || !strings.Contains(err.Error(), "included from /root.cnf:3") {
		t.Errorf("option without group in an included file: %v", err)
	}
}

func TestResolveNested(t *testing.T) {
	r := memReader{
		"/a.cnf":     "[g]\nk = a1\n!include /b.cnf\nk = a2\n!includedir /d\nk = a3\n",
		"/b.cnf":     "[g]\nk = b1\n!include /c.cnf\nk = b2\n",
		"/c.cnf":     "[g]\nk = c1\n",
		"/d/2.cnf":   "[g]\nk = d2\n",
		"/d/1.cnf":   "[g]\nk = d1\n!include /c.cnf\n",
		"/d/x.cnf~":  "[g]\nk = no\n",
		"/d/.cnf":    "[g]\nk = hidden\n",
		"/d/f.b.cnf": "[g]\nk = fb\n",
	}
	s, err := Resolve("/a.cnf", r)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range s.Definitions([]string{"g"}, "k") {
		got = append(got, o.Value)
	}
	if want := "a1 b1 c1 b2 a2 hidden d1 c1 d2 fb a3"; strings.Join(got, " ") != want {
		t.Errorf("read order %s\nwant       %s", strings.Join(got, " "), want)
	}
	if len(s.Files) != 7 {
		t.Errorf("%d files, want 7 (c.cnf once)", len(s.Files))
	}
}

func TestResolveMissing(t *testing.T) {
	r := memReader{
		"/top.cnf":    "[g]\nk = 1\n!include /nope.cnf\n!include /nested.cnf\nk = 2\n",
		"/nested.cnf": "[g]\nn = 1\n!includedir /nodir\nn = 2\n",
	}
	s, err := Resolve("/top.cnf", r)
	if err != nil {
		t.Fatal(err)
	}
	// Missing file: skipped. Missing dir in an included file: the rest of
	// that file is not read, the including file goes on.
	if got, want := trace(s, "g"), "top.cnf:2 k=1\nnested.cnf:2 n=1\ntop.cnf:5 k=2\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got, want := warnings(s), "top.cnf:3 kind=1 fatal=false /nope.cnf\nnested.cnf:3 kind=2 fatal=false /nodir\n"; got != want {
		t.Errorf("warnings\n%s\nwant\n%s", got, want)
	}

	// In the top file a missing directory is fatal for the server.
	r["/top.cnf"] = "[g]\n!includedir /nodir\nk = 3\n"
	s, err = Resolve("/top.cnf", r)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 || !s.Warnings[0].Fatal || s.Warnings[0].Kind != WarnMissingDir || !strings.Contains(s.Warnings[0].String(), "/top.cnf:2: cannot read directory") {
		t.Errorf("warnings: %v", s.Warnings)
	}
	if _, err := Resolve("/absent.cnf", r); err == nil || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing root: %v", err)
	}
}

func TestResolveCycle(t *testing.T) {
	r := memReader{
		"/ca.cnf": "[g]\na = 1\n!include /cb.cnf\na = 1end\n",
		"/cb.cnf": "[g]\nb = 2\n!include /ca.cnf\nb = 2end\n",
	}
	s, err := Resolve("/ca.cnf", r)
	if err != nil {
		t.Fatal(err)
	}
	// What my_print_defaults prints for this pair: the server re-reads the
	// cycle down to depth 10, then skips the directive.
	want := strings.Repeat("a=1 b=2 ", 5) + "a=1 a=1end " + strings.Repeat("b=2end a=1end ", 5)
	var got strings.Builder
	for _, o := range s.Options([]string{"g"}) {
		fmt.Fprintf(&got, "%s=%s ", o.Key, o.Value)
	}
	if got.String() != want {
		t.Errorf("got  %s\nwant %s", got.String(), want)
	}
	if got, want := warnings(s), "cb.cnf:3 kind=4 fatal=false /ca.cnf\nca.cnf:3 kind=4 fatal=false /cb.cnf\nca.cnf:3 kind=3 fatal=false /cb.cnf\n"; got != want {
		t.Errorf("warnings\n%s\nwant\n%s", got, want)
	}
	if len(s.Files) != 2 {
		t.Errorf("%d files, want 2", len(s.Files))
	}
}

func TestResolvePathQuirks(t *testing.T) {
	r := memReader{
		"/top.cnf":       "[g]\n!include rel.cnf\n!include /x.cnf",
		"rel.cnf":        "[g]\nrel = 1\n",
		"/x.cn":          "[g]\nx = truncated\n",
		"/x.cnf":         "[g]\nx = intended\n",
		"/self.cnf":      "[g]\n!includedir /selfdir\n",
		"/selfdir/a.cnf": "[g]\n!includedir /selfdir\n",
		"/selfdir/b.cnf": "[g]\n!includedir /selfdir\n",
	}
	s, err := Resolve("/top.cnf", r)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := trace(s, "g"), "rel.cnf:2 rel=1\nx.cn:2 x=truncated\n"; got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got, want := warnings(s), "top.cnf:2 kind=5 fatal=false rel.cnf\ntop.cnf:3 kind=6 fatal=false /x.cn\n"; got != want {
		t.Errorf("warnings\n%s\nwant\n%s", got, want)
	}
	// 2^10 readings of a self-including directory stay within the bound.
	if _, err := Resolve("/self.cnf", r); err != nil {
		t.Errorf("self-including dir: %v", err)
	}
	r["/selfdir/c.cnf"] = "[g]\n!includedir /selfdir\n"
	if _, err := Resolve("/self.cnf", r); err == nil || !strings.Contains(err.Error(), "more than") {
		t.Errorf("3^10 readings: %v, want the read bound", err)
	}
}

func TestFirstDefined(t *testing.T) {
	r := memReader{"/my.cnf": "[mysqld]\nssl-mode = \n[sst]\nssl-mode = VERIFY_CA\nencrypt = 3\n[mariadbd]\nencrypt = 4\n"}
	s, err := Resolve("/my.cnf", r)
	if err != nil {
		t.Fatal(err)
	}
	sets := SSTGroupSets("10.11")
	// An empty value in the server's groups does not hide [sst].
	if o, ok := s.FirstDefined(sets, "ssl_mode"); !ok || o.Value != "VERIFY_CA" {
		t.Errorf("ssl-mode: %+v", o)
	}
	// The server's groups come first, whatever the file order.
	if o, ok := s.FirstDefined(sets, "encrypt"); !ok || o.Value != "4" {
		t.Errorf("encrypt: %+v", o)
	}
	if _, ok := s.FirstDefined(sets, "tkey"); ok {
		t.Error("tkey found")
	}
}
