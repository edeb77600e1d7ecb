package mycnf

import "testing"

func TestMaskSecrets(t *testing.T) {
	in := "[mysqld]\r\n" +
		"wsrep_sst_auth = sst_user:s3cret # the SST user\r\n" +
		"loose-wsrep-sst-auth=\"u:p\"\r\n" +
		"password='x'\r\n" +
		"ssl_password_file = /etc/pw\r\n" +
		"port = 3306\r\n" +
		"#password = commented\r\n" +
		"# galeraflow: wsrep_sst_auth = old:pw\r\n" +
		"# a comment: not an option\r\n" +
		"password\r\n" +
		"password =\r\n" +
		"not a cnf line at all: password = hidden"
	want := "[mysqld]\r\n" +
		"wsrep_sst_auth = **** # the SST user\r\n" +
		"loose-wsrep-sst-auth=****\r\n" +
		"password=****\r\n" +
		"ssl_password_file = ****\r\n" +
		"port = 3306\r\n" +
		"#password = ****\r\n" +
		"# galeraflow: wsrep_sst_auth = ****\r\n" +
		"# a comment: not an option\r\n" +
		"password\r\n" +
		"password =\r\n" +
		"not a cnf line at all: password = ****" // a key naming a password
	if got := string(MaskSecrets([]byte(in))); got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	for key, secret := range map[string]bool{"wsrep_sst_auth": true, "WSREP-SST-AUTH": true, "mysql_native_password": true, "wsrep_sst_method": false, "ssl-key": false} {
		if IsSecretKey(key) != secret {
			t.Errorf("IsSecretKey(%q) = %v", key, !secret)
		}
	}
}
