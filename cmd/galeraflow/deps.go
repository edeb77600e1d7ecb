package main

import (
	_ "github.com/gofrs/flock"
	_ "github.com/pkg/sftp"
	_ "github.com/urfave/cli/v2"
	_ "golang.org/x/crypto/ssh"
	_ "golang.org/x/crypto/ssh/agent"
	_ "golang.org/x/crypto/ssh/knownhosts"
	_ "golang.org/x/term"
	_ "gopkg.in/yaml.v3"
)

func main() {}
