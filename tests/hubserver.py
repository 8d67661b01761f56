"""A local server that answers the Hugging Face hub's file protocol, for tests without internet.

It serves folders as model repos: `GET /api/models/{repo}/revision/{rev}` (the repo's commit
and file list) and `HEAD`/`GET /{repo}/resolve/{rev}/{file}` (with the `X-Repo-Commit`, `ETag`
and `Content-Length` headers `hf_hub_download` reads). Loopback only; it logs every file sent.
"""

from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse


class HubServer:
    """Serve {repo_id: folder} on 127.0.0.1; `.url` for HF_ENDPOINT, `.sent` the files downloaded."""

    def __init__(self, repos: dict[str, Path]):
        self.repos = {repo: Path(folder) for repo, folder in repos.items()}
        self.commits = {repo: hashlib.sha1(repo.encode() + b"".join(
            p.name.encode() for p in sorted(f.iterdir()))).hexdigest() for repo, f in self.repos.items()}
        self.sent: list[tuple[str, str]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _repo(self, parts: list[str]) -> tuple[str | None, list[str]]:
                repo = "/".join(parts[:2])
                return (repo if repo in server.repos else None), parts[2:]

            def _send(self, code: int, body: bytes = b"", headers: dict | None = None, head: bool = False):
                self.send_response(code)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def _handle(self, head: bool):
                parts = [unquote(p) for p in urlparse(self.path).path.strip("/").split("/")]
                if parts[:2] == ["api", "models"]:
                    repo, rest = self._repo(parts[2:])
                    if repo is None or (rest and (rest[0] != "revision"
                                                  or rest[1] not in ("main", server.commits[repo]))):
                        return self._send(404, b'{"error": "Repository not found"}', {"X-Error-Code": "RepoNotFound"})
                    files = sorted(p.name for p in server.repos[repo].iterdir() if p.is_file())
                    info = {"id": repo, "modelId": repo, "sha": server.commits[repo],
                            "siblings": [{"rfilename": f} for f in files]}
                    return self._send(200, json.dumps(info).encode(), {"Content-Type": "application/json"}, head)
                repo, rest = self._repo(parts)
                if (repo is None or len(rest) != 3 or rest[0] != "resolve"
                        or rest[1] not in ("main", server.commits[repo])):
                    return self._send(404, b"not found", {"X-Error-Code": "RepoNotFound"})
                path = server.repos[repo] / rest[2]
                if not path.is_file():
                    return self._send(404, b"not found", {"X-Error-Code": "EntryNotFound"})
                data = path.read_bytes()
                headers = {"X-Repo-Commit": server.commits[repo], "ETag": f'"{hashlib.sha256(data).hexdigest()}"',
                           "Content-Type": "application/octet-stream"}
                if not head:
                    server.sent.append((repo, rest[2]))
                return self._send(200, data, headers, head)

            def do_HEAD(self):
                self._handle(head=True)

            def do_GET(self):
                self._handle(head=False)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "HubServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
