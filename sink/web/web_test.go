package web

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/handlewatch/handlewatch/internal/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func golden(t *testing.T, name, got string) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", p, got)
	}
}

// renderText runs the page templates' "text" block, as the case page and
// the queue show crawled text.
func renderText(t testing.TB, segs []segment) string {
	t.Helper()
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := pages["case"].ExecuteTemplate(&b, "text", segs); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// ours are the only tags the text block writes.
var ours = regexp.MustCompile(`</?(mark|span)( class="[a-z ]+")?>`)

func TestSegmentsShowHostileTextAsText(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		spans      []wire.Span
		want       string // rendered
	}{
		{"plain", "hello", nil, "hello"},
		{"marked", "trading young collection", []wire.Span{{Start: 0, End: 7}, {Start: 8, End: 13}},
			"<mark>trading</mark> <mark>young</mark> collection"},
		{"overlapping spans merge", "abcdef", []wire.Span{{Start: 0, End: 3}, {Start: 2, End: 5}}, "<mark>abcde</mark>f"},
		{"script tag", `<script>alert(1)</script>`, nil, "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"img onerror", `<img src=x onerror="alert(1)">`, nil, "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;"},
		{"javascript link", `<a href="javascript:alert(1)">x</a>`, nil,
			`&lt;a href=&#34;<span class="danger">javascript:</span>alert(1)&#34;&gt;x&lt;/a&gt;`},
		{"link host marked", "see https://evil.example/x?y", nil, `see https://<span class="host">evil.example</span>/x?y`},
		{"host inside a span", "t.me https://t.me/placeholder", []wire.Span{{Start: 5, End: 29}},
			`t.me <mark>https://</mark><span class="host mark">t.me</span><mark>/placeholder</mark>`},
		{"span out of range is dropped", "abc", []wire.Span{{Start: 2, End: 99}}, "abc"},
		{"span splitting a rune widens", "é!", []wire.Span{{Start: 1, End: 2}}, "<mark>é</mark>!"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			segs := segments(tc.text, tc.spans)
			var joined strings.Builder
			for _, s := range segs {
				joined.WriteString(s.Text)
			}
			if joined.String() != tc.text {
				t.Fatalf("segments lose text: %q", joined.String())
			}
			if got := renderText(t, segs); got != tc.want {
				t.Fatalf("rendered\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func FuzzSegments(f *testing.F) {
	f.Add("trading young collection, wickr: placeholder_01", 0, 7)
	f.Add(`<script>x</script><img src=x onerror=y> javascript:z https://a.example/b`, 3, 20)
	f.Add("é\u200b\xff", 1, 2)
	pages, err := parsePages()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string, start, end int) {
		segs := segments(text, []wire.Span{{Start: start, End: end}})
		var joined strings.Builder
		for _, s := range segs {
			if s.Text == "" {
				t.Fatal("empty segment")
			}
			joined.WriteString(s.Text)
		}
		if joined.String() != text {
			t.Fatalf("segments of %q join to %q", text, joined.String())
		}
		var b strings.Builder
		if err := pages["case"].ExecuteTemplate(&b, "text", segs); err != nil {
			t.Fatal(err)
		}
		if rest := ours.ReplaceAllString(b.String(), ""); strings.ContainsAny(rest, "<>") {
			t.Fatalf("crawled text %q rendered markup: %s", text, b.String())
		}
	})
}

func TestClipKeepsRunesAndSpans(t *testing.T) {
	e := wire.Excerpt{Text: "ééééé trading", Spans: []wire.Span{{Start: 0, End: 4}, {Start: 11, End: 18}}}
	segs := clip(e, 5) // inside the third é
	got := renderText(t, segs)
	if got != "<mark>éé</mark>…" {
		t.Fatalf("clip: %s", got)
	}
}

func TestLinkOf(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want link
	}{
		{"https://forum.example/p/1", link{Before: "https://", Host: "forum.example", After: "/p/1", Href: "https://forum.example/p/1"}},
		{"javascript:alert(1)", link{Before: "javascript:alert(1)", Danger: true}},
		{"ftp://files.example/x", link{Before: "ftp://", Host: "files.example", After: "/x"}},
		{"not a url", link{Before: "not a url"}},
	} {
		if got := linkOf(tc.raw); got != tc.want {
			t.Errorf("linkOf(%q) = %+v, want %+v", tc.raw, got, tc.want)
		}
	}
}

func TestThrottleAfterFiveWrongPasswords(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("right-password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	a := newAccounts([]User{{Name: "Mod_A", Role: RoleModerator, PasswordHash: string(hash)}}, func() time.Time { return now })
	for i := 1; i < MaxFailures; i++ {
		if r := a.login("mod_a", "wrong"); r.ok || r.retry != 0 {
			t.Fatalf("failure %d: %+v", i, r)
		}
	}
	if r := a.login("mod_a", "right-password"); !r.ok {
		t.Fatal("four failures must not hold the account")
	}
	// The success reset the count: five more in a row now.
	for range MaxFailures {
		a.login("MOD_A", "wrong") // names are case-insensitive
	}
	r := a.login("mod_a", "right-password")
	if r.ok || r.retry <= 0 || r.retry > FirstLockout+time.Second {
		t.Fatalf("after five failures the right password: %+v", r)
	}
	now = now.Add(FirstLockout + time.Second)
	// One more failure after the wait doubles the hold.
	a.login("mod_a", "wrong")
	if r := a.login("mod_a", "right-password"); r.ok || r.retry < 2*FirstLockout-time.Second {
		t.Fatalf("a sixth failure: %+v", r)
	}
	now = now.Add(2*FirstLockout + time.Second)
	if r := a.login("mod_a", "right-password"); !r.ok || r.user.Name != "Mod_A" {
		t.Fatalf("after the hold: %+v", r)
	}
	// The hold never exceeds MaxLockout.
	for range 40 {
		now = now.Add(MaxLockout + time.Second)
		a.login("mod_a", "wrong")
	}
	if r := a.login("mod_a", "right-password"); r.retry > MaxLockout+time.Second {
		t.Fatalf("hold %s beyond %s", r.retry, MaxLockout)
	}
	// Unknown names are throttled too, and never log in.
	for range MaxFailures {
		if r := a.login("nobody", "x"); r.ok {
			t.Fatal("an unknown name logged in")
		}
	}
	if r := a.login("nobody", "x"); r.retry == 0 {
		t.Fatal("unknown names are not throttled")
	}
}

func TestConfigValidate(t *testing.T) {
	good, err := HashPassword("a-long-enough-password")
	if err != nil {
		t.Fatal(err)
	}
	weak, _ := bcrypt.GenerateFromPassword([]byte("x"), bcrypt.MinCost)
	for _, tc := range []struct {
		name  string
		users []User
		want  string
	}{
		{"ok", []User{{Name: "mod_a", Role: RoleModerator, PasswordHash: good}}, ""},
		{"no users", nil, ""},
		{"bad role", []User{{Name: "mod_a", Role: "boss", PasswordHash: good}}, "users[0].role"},
		{"bad name", []User{{Name: "mod a", Role: RoleAdmin, PasswordHash: good}}, "users[0].name"},
		{"twice", []User{{Name: "mod_a", Role: RoleAdmin, PasswordHash: good}, {Name: "MOD_A", Role: RoleAdmin, PasswordHash: good}}, "users[1].name"},
		{"plain password", []User{{Name: "mod_a", Role: RoleAdmin, PasswordHash: "hunter2hunter2"}}, "not a bcrypt hash"},
		{"weak hash", []User{{Name: "mod_a", Role: RoleAdmin, PasswordHash: string(weak)}}, "cost 4"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Config{Users: tc.users}.WithDefaults().Validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
	if _, err := HashPassword("short"); err == nil {
		t.Fatal("a short password was hashed")
	}
	if p := NewPassword(); len(p) != 20 {
		t.Fatalf("NewPassword %q", p)
	}
}

func TestParseQueueFilter(t *testing.T) {
	f, problems := parseQueueFilter(map[string][]string{"status": {"bogus"}, "app": {"wickr"}, "severity": {"HIGH"},
		"from": {"2026-11-01"}, "to": {"nope"}, "page": {"3"}, "source": {"forum-a"}})
	if f.Status != statusOpen || f.App != "wickr" || f.Severity != wire.SeverityHigh || f.Page != 3 || f.Source != "forum-a" ||
		f.From.Format(time.DateOnly) != "2026-11-01" || !f.To.IsZero() {
		t.Fatalf("filter %+v", f)
	}
	if len(problems) != 2 {
		t.Fatalf("problems %v, want status and to", problems)
	}
	if q := f.query(1); q != "app=wickr&from=2026-11-01&severity=high&source=forum-a&status=open" {
		t.Fatalf("query %q", q)
	}
}

func TestNeutralizeCSV(t *testing.T) {
	got := neutralize([]string{"=cmd()", "+1", "-2", "@x", "plain", ""})
	want := []string{"'=cmd()", "'+1", "'-2", "'@x", "plain", ""}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("neutralize: %q", got)
		}
	}
}

func TestChartsGolden(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	nan := func() float64 { var z float64; return z / z }
	line := lineChart("Prevalence", "per 10k", []string{"11-28", "11-29", "11-30"}, []string{"all"},
		[][]point{{{Y: 10, Lo: 5, Hi: 20, Title: "a"}, {Y: nan(), Lo: nan(), Hi: nan()}, {Y: 40, Lo: 30, Hi: 55, Title: "c"}}})
	bar := barChart("Per app", "per 10k", []string{"kik", "wickr"}, []point{{Y: 3, Lo: 1, Hi: 9, Title: "kik"}, {Y: 12, Lo: nan(), Hi: nan(), Title: "wickr"}})
	for name, c := range map[string]chart{"line.svg.golden": line, "bar.svg.golden": bar} {
		var b strings.Builder
		if err := pages["stats"].ExecuteTemplate(&b, "chart", c); err != nil {
			t.Fatal(err)
		}
		golden(t, name, b.String())
	}
}
