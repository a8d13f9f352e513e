package app

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/handlewatch/handlewatch/sink/web"
)

// cmdUser: `handlewatch user add --name NAME --role ROLE [--generate]`
// prints a config entry for sink.dashboard.users with the bcrypt hash of
// the password; the password itself is never written anywhere.
func cmdUser(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return &usageError{msg: "user: want `user add --name NAME --role moderator|researcher|admin [--generate]`"}
	}
	fs := newFlagSet("user add", stderr)
	name := fs.String("name", "", "account `NAME` (letters, digits, - _ . @)")
	role := fs.String("role", string(web.RoleModerator), "moderator, researcher or admin")
	generate := fs.Bool("generate", false, "make up a password and print it on stderr, instead of reading one")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	u := web.User{Name: *name, Role: web.Role(*role)}
	if !u.Role.Valid() {
		return &usageError{msg: fmt.Sprintf("user add: --role %q: want moderator, researcher or admin", *role)}
	}
	var pass string
	if *generate {
		pass = web.NewPassword()
		fmt.Fprintf(stderr, "password for %s: %s\n", u.Name, pass)
	} else {
		var err error
		if pass, err = readPassword(stdin, stderr); err != nil {
			return err
		}
	}
	hash, err := web.HashPassword(pass)
	if err != nil {
		return &usageError{msg: "user add: " + err.Error()}
	}
	u.PasswordHash = hash
	// Check it the way the config will be checked.
	if err := (web.Config{Users: []web.User{u}}).WithDefaults().Validate(); err != nil {
		return &usageError{msg: "user add: " + strings.TrimPrefix(err.Error(), "sink.dashboard.users[0].")}
	}
	fmt.Fprintf(stdout, "# under sink.dashboard.users:\n    - name: %s\n      role: %s\n      password_hash: %q\n", u.Name, u.Role, u.PasswordHash)
	return nil
}

// readPassword asks twice on a terminal, or reads one line from a pipe.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("reading password: %w", err)
		}
		fmt.Fprint(stderr, "again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", fmt.Errorf("reading password: %w", err)
		}
		if string(a) != string(b) {
			return "", &usageError{msg: "user add: the passwords differ"}
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(io.LimitReader(stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading password: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
