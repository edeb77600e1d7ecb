package sslconf

// Settings returns the option-file edits that turn on TLS for one node, or
// a *Error naming the field to change when the request cannot be made
// secure. The result depends only on in: the same input gives the same
// settings in the same order.
func Settings(in Input) (Result, error) {
	if err := checkFlavor(in.Flavor); err != nil {
		return Result{}, err
	}
	v, err := parseVersion(in.ServerVersion)
	if err != nil {
		return Result{}, err
	}
	if err := checkFlavorVersion(in.Flavor, v); err != nil {
		return Result{}, err
	}
	choice, err := chooseMethod(in.Flavor, v, in.SSTMethod)
	if err != nil {
		return Result{}, err
	}
	if err := checkFiles(in.Files); err != nil {
		return Result{}, err
	}
	auth := needsAuth(in.Flavor)
	if auth {
		if err := checkAuth(choice.method, in.SSTUser, in.SSTPassword); err != nil {
			return Result{}, err
		}
	}

	r := Result{Method: choice.method, Notes: choice.notes}
	r.Settings = append(r.Settings, serverTLS(in.Files)...)
	if in.RequireClientSSL {
		s, err := requireSecureTransport(in.Flavor, v)
		if err != nil {
			return Result{}, err
		}
		r.Settings = append(r.Settings, s)
		r.Notes = append(r.Notes, "require_secure_transport=ON: monitoring or health checks that connect over TCP without TLS will be refused")
	}
	r.Settings = append(r.Settings, set(groupServer, "wsrep_sst_method", choice.method, sstMethodWhy(choice.method)))
	if auth {
		r.Settings = append(r.Settings, Setting{
			Op: OpSet, Group: groupServer, Key: "wsrep_sst_auth",
			Value:  in.SSTUser + ":" + in.SSTPassword,
			Secret: true,
			Why:    authWhy(choice.method),
		})
	} else {
		// PXC 8.0 aborts at startup on a variable it no longer knows.
		r.Settings = append(r.Settings, remove(groupServer, "wsrep_sst_auth", "removed in PXC 8.0 (it creates its own SST user): a leftover stops the server from starting"))
		if in.SSTUser != "" || in.SSTPassword != "" {
			r.Notes = append(r.Notes, "PXC 8.0 creates and manages its own SST user (mysql.pxc.sst.user): sst.user and sst.password are not used")
		}
	}
	if in.Replication {
		r.Settings = append(r.Settings, replicationTLS(in.Flavor, v, in.Files)...)
	}
	r.Notes = append(r.Notes, replicationNotes(in.Flavor, in.Replication)...)
	r.Settings = append(r.Settings, clientTLS(in.Files, choice.method)...)
	sst, notes := sstTLS(in.Flavor, choice.method, in.Files)
	r.Settings = append(r.Settings, sst...)
	r.Notes = append(r.Notes, notes...)
	if in.Files.ClientCert == "" {
		r.Notes = append(r.Notes, "no client certificate: clients verify the server with ssl-ca only; accounts that REQUIRE X509 cannot log in from this node")
	}
	return r, nil
}

func sstMethodWhy(method string) string {
	switch method {
	case MethodMysqldump:
		return "SST by mysqldump: the donor connects to the joiner as a client, over TLS"
	case MethodMariabackup:
		return "SST by mariabackup, streamed over TLS by socat"
	}
	return "SST by Percona XtraBackup, streamed over TLS by socat"
}

func authWhy(method string) string {
	if method == MethodMysqldump {
		return "the donor logs in to the joiner as the SST user (REQUIRE SSL)"
	}
	return "the donor's backup tool logs in to the local server as the SST user"
}
