package app

import (
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// checkDemoLogin logs in to the demo's dashboard with the password made
// up for this run and finds the demo's cases in the queue and its source
// on the sources page.
func checkDemoLogin(t *testing.T, p *Pipeline) {
	t.Helper()
	if len(p.demoPassword) < 16 {
		t.Fatalf("demo password %q", p.demoPassword)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	base := "http://" + p.Addr()
	get := func(path string) string {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", path, resp.StatusCode)
		}
		return string(b)
	}
	m := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(get("/login"))
	if m == nil {
		t.Fatal("no login form")
	}
	resp, err := c.PostForm(base+"/login", url.Values{"token": {m[1]}, "name": {DemoModerator}, "password": {p.demoPassword}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Request.URL.Path != "/queue" || !strings.Contains(string(body), `class="case-link"`) {
		t.Fatalf("demo login led to %s:\n%s", resp.Request.URL, body)
	}
	if page := get("/sources"); !strings.Contains(page, "demo-forum") {
		t.Fatalf("sources page lacks the demo source:\n%s", page)
	}
}

func TestUserAddPrintsAConfigEntry(t *testing.T) {
	var out, errb strings.Builder
	if err := cmdUser([]string{"add", "--name", "mod_placeholder", "--role", "researcher"},
		strings.NewReader("a-long-test-password\n"), &out, &errb); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)- name: mod_placeholder\n\s+role: researcher\n\s+password_hash: "(\$2a\$10\$[^"]+)"`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("output:\n%s", out.String())
	}
	if err := bcrypt.CompareHashAndPassword([]byte(m[1]), []byte("a-long-test-password")); err != nil {
		t.Fatalf("the hash is not of the password: %v", err)
	}
	for _, tc := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"add", "--name", "x", "--role", "boss"}, "a-long-test-password\n", "--role"},
		{[]string{"add", "--name", "x"}, "short\n", "at least 12"},
		{[]string{"add", "--name", "bad name"}, "a-long-test-password\n", "name"},
		{[]string{"remove"}, "", "user add"},
	} {
		err := cmdUser(tc.args, strings.NewReader(tc.stdin), &out, &errb)
		var ue *usageError
		if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.As(err, &ue) {
			t.Errorf("%v: got %v, want a usage error about %q", tc.args, err, tc.want)
		}
	}
}
