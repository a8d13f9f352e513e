package taxii

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.uber.org/zap"
)

// Object is one object version a collection holds.
type Object struct {
	ID        string
	Type      string
	Version   time.Time // the object's modified (or created)
	DateAdded time.Time // when this version joined the collection
	Raw       json.RawMessage
}

// Source returns every object of a collection as partner may see it
// (what a partner sees may differ: text only for some). The server sorts
// and pages.
type Source interface {
	Objects(ctx context.Context, collection, partner string) ([]Object, error)
}

// Partner is one organisation allowed to read.
type Partner struct {
	Name        string
	Token       string
	Collections []string // the ids it may read
}

// ServerConfig describes the one API root served.
type ServerConfig struct {
	Title       string
	Description string
	Contact     string
	// Prefix is the discovery path; the API root is Prefix + "root/".
	Prefix string
	// PublicURL, when set, makes the discovery's api_roots absolute.
	PublicURL   string
	Collections []Collection // CanRead/CanWrite are set per partner
	Partners    []Partner
	Source      Source
	PageSize    int // default and maximum limit; 100 when 0
	Log         *zap.Logger
}

// Server serves TAXII 2.1, read-only.
type Server struct {
	cfg      ServerConfig
	partners []Partner
	tokens   [][32]byte
	mux      *http.ServeMux
}

// MaxPage is the largest page size a server accepts in its config.
const MaxPage = 1000

// NewServer checks the config and builds the handler.
func NewServer(cfg ServerConfig) (*Server, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = "/taxii2/"
	}
	if !strings.HasPrefix(cfg.Prefix, "/") || !strings.HasSuffix(cfg.Prefix, "/") {
		return nil, fmt.Errorf("taxii: prefix %q must start and end with /", cfg.Prefix)
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 100
	}
	if cfg.PageSize > MaxPage {
		return nil, fmt.Errorf("taxii: page size %d above %d", cfg.PageSize, MaxPage)
	}
	if cfg.Source == nil {
		return nil, errors.New("taxii: no object source")
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	ids := map[string]bool{}
	for _, c := range cfg.Collections {
		if c.ID == "" || ids[c.ID] {
			return nil, fmt.Errorf("taxii: collection id %q empty or repeated", c.ID)
		}
		ids[c.ID] = true
	}
	s := &Server{cfg: cfg}
	seen := map[[32]byte]string{}
	for _, p := range cfg.Partners {
		if len(p.Token) < 16 {
			return nil, fmt.Errorf("taxii: partner %s: token shorter than 16 characters", p.Name)
		}
		h := sha256.Sum256([]byte(p.Token))
		if other, dup := seen[h]; dup {
			return nil, fmt.Errorf("taxii: partners %s and %s share a token", other, p.Name)
		}
		seen[h] = p.Name
		for _, c := range p.Collections {
			if !ids[c] {
				return nil, fmt.Errorf("taxii: partner %s: unknown collection %q", p.Name, c)
			}
		}
		s.partners = append(s.partners, p)
		s.tokens = append(s.tokens, h)
	}
	root := cfg.Prefix + "root/"
	m := http.NewServeMux()
	m.HandleFunc("GET "+cfg.Prefix+"{$}", s.auth(s.discovery))
	m.HandleFunc("GET "+root+"{$}", s.auth(s.apiRoot))
	m.HandleFunc("GET "+root+"collections/{$}", s.auth(s.collections))
	m.HandleFunc("GET "+root+"collections/{cid}/{$}", s.auth(s.collection(s.getCollection)))
	m.HandleFunc("GET "+root+"collections/{cid}/objects/{$}", s.auth(s.collection(s.objects)))
	m.HandleFunc("GET "+root+"collections/{cid}/manifest/{$}", s.auth(s.collection(s.manifest)))
	m.HandleFunc("GET "+root+"collections/{cid}/objects/{oid}/{$}", s.auth(s.collection(s.object)))
	m.HandleFunc("GET "+root+"collections/{cid}/objects/{oid}/versions/{$}", s.auth(s.collection(s.versions)))
	m.HandleFunc("POST "+root+"collections/{cid}/objects/{$}", s.auth(s.collection(s.readOnly)))
	m.HandleFunc("DELETE "+root+"collections/{cid}/objects/{oid}/{$}", s.auth(s.collection(s.readOnly)))
	m.HandleFunc(cfg.Prefix, func(w http.ResponseWriter, r *http.Request) {
		writeErr(w, http.StatusNotFound, "not found", "no such TAXII resource")
	})
	s.mux = m
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

type partnerKey struct{}

// auth finds the partner of the bearer token (401 otherwise) and checks
// that the client accepts TAXII 2.1 (406 otherwise).
func (s *Server) auth(h func(http.ResponseWriter, *http.Request, *Partner)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := s.partner(r)
		if p == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="taxii"`)
			writeErr(w, http.StatusUnauthorized, "unauthorized", "missing or unknown bearer token")
			return
		}
		if !acceptable(r.Header.Get("Accept")) {
			writeErr(w, http.StatusNotAcceptable, "not acceptable", "this server speaks "+MediaType)
			return
		}
		h(w, r, p)
	}
}

func (s *Server) partner(r *http.Request) *Partner {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return nil
	}
	h := sha256.Sum256([]byte(tok))
	found := -1
	for i := range s.tokens {
		// Compare against every token so the time does not say which.
		if subtle.ConstantTimeCompare(h[:], s.tokens[i][:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return nil
	}
	return &s.partners[found]
}

// acceptable: no Accept, a wildcard, or TAXII JSON of version 2.1 (or no
// version, which means the newest).
func acceptable(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, part := range strings.Split(accept, ",") {
		mt, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		switch mt {
		case "*/*", "application/*":
			return true
		case "application/taxii+json":
			v := ""
			for _, p := range strings.Split(params, ";") {
				if k, val, ok := strings.Cut(strings.TrimSpace(p), "="); ok && strings.EqualFold(k, "version") {
					v = strings.TrimSpace(val)
				}
			}
			if v == "" || v == "2.1" {
				return true
			}
		}
	}
	return false
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request, _ *Partner) {
	root := strings.TrimSuffix(s.cfg.PublicURL, "/") + s.cfg.Prefix + "root/"
	writeJSON(w, http.StatusOK, Discovery{Title: s.cfg.Title, Description: s.cfg.Description, Contact: s.cfg.Contact,
		Default: root, APIRoots: []string{root}})
}

func (s *Server) apiRoot(w http.ResponseWriter, r *http.Request, _ *Partner) {
	writeJSON(w, http.StatusOK, APIRoot{Title: s.cfg.Title, Description: s.cfg.Description,
		Versions: []string{MediaType}, MaxContentLength: 0})
}

func (s *Server) view(c Collection, p *Partner) Collection {
	c.CanRead = slices.Contains(p.Collections, c.ID)
	c.CanWrite = false
	c.MediaTypes = []string{StixMediaType}
	return c
}

// collections lists only what the partner may read: the others' names are
// theirs.
func (s *Server) collections(w http.ResponseWriter, r *http.Request, p *Partner) {
	var out Collections
	for _, c := range s.cfg.Collections {
		if slices.Contains(p.Collections, c.ID) {
			out.Collections = append(out.Collections, s.view(c, p))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// collection resolves {cid}: 404 when there is no such collection, 403
// when it is another partner's.
func (s *Server) collection(h func(http.ResponseWriter, *http.Request, *Partner, Collection)) func(http.ResponseWriter, *http.Request, *Partner) {
	return func(w http.ResponseWriter, r *http.Request, p *Partner) {
		cid := r.PathValue("cid")
		i := slices.IndexFunc(s.cfg.Collections, func(c Collection) bool { return c.ID == cid })
		if i < 0 {
			writeErr(w, http.StatusNotFound, "collection not found", "no collection "+strconv.Quote(cid))
			return
		}
		if !slices.Contains(p.Collections, cid) {
			writeErr(w, http.StatusForbidden, "forbidden", "this token may not read collection "+strconv.Quote(cid))
			return
		}
		h(w, r, p, s.view(s.cfg.Collections[i], p))
	}
}

func (s *Server) getCollection(w http.ResponseWriter, r *http.Request, _ *Partner, c Collection) {
	writeJSON(w, http.StatusOK, c)
}

func (s *Server) readOnly(w http.ResponseWriter, r *http.Request, _ *Partner, c Collection) {
	writeErr(w, http.StatusForbidden, "forbidden", "collection "+strconv.Quote(c.ID)+" is read-only")
}

// filter is the query of an objects or manifest request.
type filter struct {
	addedAfter time.Time
	after      *cursor // from next
	limit      int
	ids, types []string
	versions   []string // last, first, all or timestamps
}

type cursor struct {
	at time.Time
	id string
}

func (s *Server) parseFilter(r *http.Request) (filter, error) {
	q := r.URL.Query()
	f := filter{limit: s.cfg.PageSize}
	if v := q.Get("added_after"); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return f, fmt.Errorf("added_after %q is not a timestamp", v)
		}
		f.addedAfter = t
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, fmt.Errorf("limit %q is not a positive number", v)
		}
		f.limit = min(n, s.cfg.PageSize)
	}
	if v := q.Get("next"); v != "" {
		c, err := decodeNext(v)
		if err != nil {
			return f, err
		}
		f.after = &c
	}
	split := func(k string) []string {
		if v := q.Get(k); v != "" {
			return strings.Split(v, ",")
		}
		return nil
	}
	f.ids, f.types, f.versions = split("match[id]"), split("match[type]"), split("match[version]")
	for _, v := range f.versions {
		if v == "last" || v == "first" || v == "all" {
			continue
		}
		if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
			return f, fmt.Errorf("match[version] %q is not last, first, all or a timestamp", v)
		}
	}
	return f, nil
}

func encodeNext(o Object) string {
	return base64.RawURLEncoding.EncodeToString([]byte(o.DateAdded.UTC().Format(time.RFC3339Nano) + "|" + o.ID))
}

func decodeNext(v string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err == nil {
		at, id, ok := strings.Cut(string(b), "|")
		if ok {
			if t, err := time.Parse(time.RFC3339Nano, at); err == nil {
				return cursor{at: t, id: id}, nil
			}
		}
	}
	return cursor{}, fmt.Errorf("next %q is not a token this server gave", v)
}

func (f filter) matches(o Object) bool {
	if !f.addedAfter.IsZero() && !o.DateAdded.After(f.addedAfter) {
		return false
	}
	if f.after != nil && !(o.DateAdded.After(f.after.at) || o.DateAdded.Equal(f.after.at) && o.ID > f.after.id) {
		return false
	}
	if len(f.ids) > 0 && !slices.Contains(f.ids, o.ID) {
		return false
	}
	if len(f.types) > 0 && !slices.Contains(f.types, o.Type) {
		return false
	}
	if len(f.versions) > 0 {
		ok := false
		for _, v := range f.versions {
			// One version is kept per object: it is the first, the
			// last and all of them.
			if v == "last" || v == "first" || v == "all" {
				ok = true
			} else if t, _ := time.Parse(time.RFC3339Nano, v); t.Equal(o.Version) {
				ok = true
			}
		}
		return ok
	}
	return true
}

// page selects, sorts and cuts the objects of c for p.
func (s *Server) page(w http.ResponseWriter, r *http.Request, p *Partner, c Collection, f filter) ([]Object, bool, bool) {
	all, err := s.cfg.Source.Objects(r.Context(), c.ID, p.Name)
	if err != nil {
		s.cfg.Log.Error("taxii: reading collection", zap.String("collection", c.ID), zap.String("partner", p.Name), zap.Error(err))
		writeErr(w, http.StatusInternalServerError, "internal error", "")
		return nil, false, false
	}
	sort.Slice(all, func(i, j int) bool {
		if !all[i].DateAdded.Equal(all[j].DateAdded) {
			return all[i].DateAdded.Before(all[j].DateAdded)
		}
		return all[i].ID < all[j].ID
	})
	var out []Object
	more := false
	for _, o := range all {
		if !f.matches(o) {
			continue
		}
		if len(out) == f.limit {
			more = true
			break
		}
		out = append(out, o)
	}
	if len(out) > 0 {
		w.Header().Set(HeaderDateAddedFirst, ts(out[0].DateAdded))
		w.Header().Set(HeaderDateAddedLast, ts(out[len(out)-1].DateAdded))
	}
	return out, more, true
}

func (s *Server) objects(w http.ResponseWriter, r *http.Request, p *Partner, c Collection) {
	f, err := s.parseFilter(r)
	if err != nil {
		writeErr(w, http.StatusBadRequest, "bad request", err.Error())
		return
	}
	objs, more, ok := s.page(w, r, p, c, f)
	if !ok {
		return
	}
	env := Envelope{More: more}
	for _, o := range objs {
		env.Objects = append(env.Objects, o.Raw)
	}
	if more {
		env.Next = encodeNext(objs[len(objs)-1])
	}
	writeJSON(w, http.StatusOK, env)
}

func (s *Server) object(w http.ResponseWriter, r *http.Request, p *Partner, c Collection) {
	f, err := s.parseFilter(r)
	if err != nil {
		writeErr(w, http.StatusBadRequest, "bad request", err.Error())
		return
	}
	f.ids = []string{r.PathValue("oid")}
	objs, _, ok := s.page(w, r, p, c, f)
	if !ok {
		return
	}
	if len(objs) == 0 {
		writeErr(w, http.StatusNotFound, "object not found", "no object "+strconv.Quote(r.PathValue("oid"))+" in this collection")
		return
	}
	writeJSON(w, http.StatusOK, Envelope{Objects: []json.RawMessage{objs[0].Raw}})
}

func (s *Server) versions(w http.ResponseWriter, r *http.Request, p *Partner, c Collection) {
	f := filter{limit: s.cfg.PageSize, ids: []string{r.PathValue("oid")}}
	objs, _, ok := s.page(w, r, p, c, f)
	if !ok {
		return
	}
	if len(objs) == 0 {
		writeErr(w, http.StatusNotFound, "object not found", "no object "+strconv.Quote(r.PathValue("oid"))+" in this collection")
		return
	}
	writeJSON(w, http.StatusOK, Versions{Versions: []string{ts(objs[0].Version)}})
}

func (s *Server) manifest(w http.ResponseWriter, r *http.Request, p *Partner, c Collection) {
	f, err := s.parseFilter(r)
	if err != nil {
		writeErr(w, http.StatusBadRequest, "bad request", err.Error())
		return
	}
	objs, more, ok := s.page(w, r, p, c, f)
	if !ok {
		return
	}
	m := Manifest{More: more}
	for _, o := range objs {
		m.Objects = append(m.Objects, ManifestRecord{ID: o.ID, DateAdded: ts(o.DateAdded), Version: ts(o.Version),
			MediaType: StixMediaType})
	}
	writeJSON(w, http.StatusOK, m)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", MediaType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

func writeErr(w http.ResponseWriter, status int, title, desc string) {
	writeJSON(w, status, Error{Title: title, Description: desc, HTTPStatus: strconv.Itoa(status)})
}
