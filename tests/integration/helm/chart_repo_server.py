# A static Helm chart repository for tests: serves files under ROOT on 127.0.0.1:PORT, and when
# USER:PASSWORD is given (not "-"), answers 401 to requests without that basic auth. With CERT and
# KEY files it serves HTTPS.
import base64
import http.server
import ssl
import sys

root, port = sys.argv[1], int(sys.argv[2])
creds = sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] != "-" else None
expected = ("Basic " + base64.b64encode(creds.encode()).decode()) if creds else None
tls = sys.argv[4:6] if len(sys.argv) > 5 else None


class Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=root, **kwargs)

    def do_GET(self):
        if self.path.startswith("/redirect/"):  # a CDN-like hop: /redirect/x -> /x
            self.send_response(302)
            self.send_header("Location", self.path[len("/redirect"):])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if expected and self.headers.get("Authorization") != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="charts"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
if tls:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(tls[0], tls[1])
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
server.serve_forever()
