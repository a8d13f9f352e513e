package handles
import ("testing";"fmt";"os";"bufio";"encoding/json";"sort";"github.com/handlewatch/handlewatch/detector/normalize")
func TestCorpusScratch(t *testing.T){
 f, _ := os.Open("../testdata/corpus.jsonl")
 sc := bufio.NewScanner(f); sc.Buffer(make([]byte, 1<<20), 1<<20)
 x := NewExtractor()
 tp, fp, fn := 0, 0, 0
 for sc.Scan() {
  var ex struct{ ID, Text string; Handles []struct{App, Handle string} }
  json.Unmarshal(sc.Bytes(), &ex)
  want := map[string]bool{}
  for _, h := range ex.Handles { want[h.App+" "+h.Handle] = true }
  got := map[string]bool{}
  for _, m := range x.Extract(normalize.Normalize(ex.Text)) { got[m.App+" "+m.Handle] = true }
  var miss, extra []string
  for k := range want { if got[k] { tp++ } else { fn++; miss = append(miss, k) } }
  for k := range got { if !want[k] { fp++; extra = append(extra, k) } }
  sort.Strings(miss); sort.Strings(extra)
  if len(miss)+len(extra) > 0 { fmt.Printf("%s %q\n   miss=%v extra=%v\n", ex.ID, ex.Text, miss, extra) }
 }
 fmt.Println("tp", tp, "fp", fp, "fn", fn)
}
