# A static Helm chart repository for tests: serves files under ROOT on 127.0.0.1:PORT, and when
# USER:PASSWORD is given, answers 401 to requests without that basic auth.
import base64
import http.server
import sys

root, port = sys.argv[1], int(sys.argv[2])
expected = ("Basic " + base64.b64encode(sys.argv[3].encode()).decode()) if len(sys.argv) > 3 else None


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)

    def do_GET(self):
        if expected and self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="charts"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
