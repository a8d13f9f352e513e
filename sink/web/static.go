package web

import (
	"io/fs"
	"net/http"
	"path"
)

// staticFiles serves the embedded CSS and JavaScript, nothing else.
func (s *Server) staticFiles() http.Handler {
	types := map[string]string{".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("file")
		ct, ok := types[path.Ext(name)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, err := fs.ReadFile(s.static, name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		_, _ = w.Write(b)
	})
}
