package detector

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/findings/*.golden")

// goldenPosts are synthetic posts (placeholder handles, coded terms only)
// whose findings are pinned in testdata/findings. A change in rules,
// extraction, scoring or excerpts shows up as a diff to review.
var goldenPosts = map[string]string{
	"ad_mention":        "trading young collection, wickr: placeholder_01",
	"ad_age_link":       "selling 13yo vids, join t.me/tg_demo_77",
	"ad_fullwidth":      "ｔｒａｄｉｎｇ ｙｏｕｎｇ ｃｏｌｌｅｃｔｉｏｎ kik: kik_sample_05",
	"ad_coded":          "pthc new drop, tg: tg_demo_88",
	"ad_spanish":        "vendo packs de jovencitas, escríbeme al telegram @tg_demo_es1",
	"ad_russian":        "продаю юное, прайс в лс. telegram @tg_primer_01",
	"ad_split_lines":    "young\ncollection\nkik\nkik_sample_62",
	"ad_long_post":      strings.Repeat("Weekend notes: the market was busy and the weather held. ", 12) + "\nanyway, trading young collection, wickr: placeholder_02\n" + strings.Repeat("More notes about the garden and the bakery. ", 10),
	"known_handle":      "hello again, kik: known_handle",
	"cleared_and_other": "trading young collection, kik: cleared_handle or wickr: placeholder_03",
	"news_no_handle":    "Police arrested a man who traded young collections on Wickr, court documents said.",
	"adult_ad":          "18+ only, verified model, custom content, telegram: demo_creator18",
	"marketplace":       "Teen bike for sale, my son outgrew it. Signal: example_parent.07",
	"gaming_cp":         "CP private server is back!! join discord.gg/DemoPuffle7",
}

func TestGoldenFindings(t *testing.T) {
	e := repoEngine(t).WithWatchlist(StaticWatchlist{
		KnownSet:   map[string]bool{"kik:known_handle": true},
		ClearedSet: map[string]bool{"kik:cleared_handle": true},
	})
	for name, text := range goldenPosts {
		t.Run(name, func(t *testing.T) {
			p := post(text)
			p.ID = name
			f := e.Detect(p)
			if f != nil {
				if err := f.Validate(); err != nil {
					t.Fatal(err)
				}
			}
			got, err := json.MarshalIndent(f, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "findings", name+".golden")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("finding differs from %s (run with -update after review):\n got %s\nwant %s", path, got, want)
			}
		})
	}
}
