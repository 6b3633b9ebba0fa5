"""The Smart Labeling web tool: a small Starlette app, server-rendered pages plus one static script."""

from __future__ import annotations

import threading
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from emma_pipeline.labeling.web import api, pages
from emma_pipeline.labeling.web.params import BadRequest
from emma_pipeline.labeling.web.security import SecurityMiddleware, ServerSecurity
from emma_pipeline.labeling.workbench import Workbench

STATIC = Path(__file__).parent / "static"


def _error(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/") or request.method != "GET":
        return JSONResponse({"error": message}, status_code=status)
    return HTMLResponse(pages.TEMPLATES.get_template("error.html").render(status=status, message=message), status_code=status)


async def _bad_request(request: Request, exc: Exception) -> Response:
    if isinstance(exc, BadRequest):
        return _error(request, exc.status, str(exc))
    if isinstance(exc, HTTPException):
        return _error(request, exc.status_code, exc.detail)
    return _error(request, 400, str(exc))  # ValueError from the store: a refused request, with its reason


def create_app(bench: Workbench, security: ServerSecurity | None = None) -> Starlette:
    security = security or ServerSecurity()
    prop = "/p/{prop:str}"
    routes = [
        Route("/", pages.index),
        Route(prop, pages.property_home),
        Route(prop + "/{mode:str}", pages.mode_page),
        Route("/listing/{object_id:str}", pages.listing),
        Route("/img/{object_id:str}/{n:int}", api.image),
        Route("/api/properties", api.create_property, methods=["POST"]),
        Route("/api" + prop + "/definition", api.update_property, methods=["POST"]),
        Route("/api" + prop + "/labels", api.add_label, methods=["POST"]),
        Route("/api" + prop + "/features", api.add_feature, methods=["POST"]),
        Route("/api" + prop + "/features/remove", api.remove_feature, methods=["POST"]),
        Route("/api" + prop + "/decisions", api.add_decision, methods=["POST"]),
        Route("/api" + prop + "/status", api.status),
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityMiddleware, security=security)],
        exception_handlers={BadRequest: _bad_request, ValueError: _bad_request, HTTPException: _bad_request},
    )
    app.state.bench = bench
    app.state.security = security
    return app


def address(host: str, port: int, security: ServerSecurity) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={security.token}" if security.token else "")


class LabelServer:
    """uvicorn in a background thread (tests, benchmarks) or the foreground (``emma label``)."""

    def __init__(self, bench: Workbench, host: str = "127.0.0.1", port: int = 8765, token: str | None = None):
        import uvicorn

        self.security = ServerSecurity.for_host(host, token)
        self.app = create_app(bench, self.security)
        config = uvicorn.Config(self.app, host=host, port=port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.host = host
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        servers = getattr(self.server, "servers", None) or []
        for s in servers:
            for sock in s.sockets:
                return sock.getsockname()[1]
        return self.server.config.port

    @property
    def url(self) -> str:
        return address(self.host, self.port, self.security)

    def start(self, timeout: float = 30.0) -> LabelServer:
        import time

        self._thread = threading.Thread(target=self.server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the labeling server did not start")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(10)

    def run(self) -> None:
        self.server.run()
