"""Real servers on loopback for the multi-machine tests: a PostgreSQL server (Debian's `postgresql` package) and an
S3-compatible server (moto). Missing server software skips locally with the reason, and fails under CI=true, where
`.ci/run` installs it, so these tests can never silently stop running in CI."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_USER = "emma"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(reason: str) -> None:
    """Skip with ``reason`` on a developer machine; fail in CI, where the software must be installed."""
    if _in_ci():
        pytest.fail(f"CI must run this test but {reason}", pytrace=False)
    pytest.skip(reason)


def _postgres_bin() -> Path | None:
    """The newest installed PostgreSQL server binaries (Debian keeps them off PATH under /usr/lib/postgresql)."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True)
    on_path = shutil.which("initdb")
    candidates += [Path(on_path).parent] if on_path else []
    return next((c for c in candidates if (c / "initdb").exists() and (c / "pg_ctl").exists()), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    bin_dir: Path

    def create_database(self, name: str) -> None:
        subprocess.run([str(self.bin_dir / "createdb"), "-h", self.host, "-p", str(self.port), "-U", PG_USER, name],
                       check=True, capture_output=True)  # fmt: skip

    def dsn(self, database: str) -> str:
        return f"dbname={database} host={self.host} port={self.port} user={PG_USER}"


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL cluster for the session: initdb into a temp dir, trust auth, loopback only, an
    ephemeral port, fsync off. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        missing("PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
    as_user: list[str] = []
    root = Path(tempfile.mkdtemp(prefix="emma-pg-"))
    if os.geteuid() == 0:
        if shutil.which("runuser") is None or subprocess.run(["id", "postgres"], capture_output=True).returncode:
            missing("running as root needs the `postgres` user and runuser to start PostgreSQL")
        as_user = ["runuser", "-u", "postgres", "--"]
        shutil.chown(root, user="postgres")
    data = root / "data"
    subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data), "-U", PG_USER, "--auth=trust", "-E", "UTF8",
                    "--no-sync"], check=True, capture_output=True)  # fmt: skip
    server = None
    for _ in range(3):  # the free port can be taken between probing and binding: try another
        port = _free_port()
        started = subprocess.run(
            [*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log"), "-w", "-t", "120",
             "-o", f"-h 127.0.0.1 -p {port} -k {root} -F -c max_connections=60", "start"],
            capture_output=True, text=True,
        )  # fmt: skip
        if started.returncode == 0:
            server = PostgresServer("127.0.0.1", port, bin_dir)
            break
    if server is None:
        log = (root / "server.log").read_text() if (root / "server.log").exists() else started.stderr
        pytest.fail(f"PostgreSQL did not start:\n{log[-2000:]}")
    try:
        yield server
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_catalog(postgres_server) -> str:
    """A fresh, empty database on the test server as a lake catalog setting (``postgres:<dsn>``)."""
    name = f"lake_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(name)
    return f"postgres:{postgres_server.dsn(name)}"


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # host:port
    client: object  # boto3 S3 client
    bucket: str  # empty at the start of each test (moto's state is per process, so names are unique)

    def keys(self) -> list[str]:
        return [o["Key"] for o in self.client.list_objects_v2(Bucket=self.bucket).get("Contents", [])]

    @property
    def options(self) -> dict[str, str]:
        """LakeConfig.s3 options for this server."""
        return {"key_id": "test", "secret": "test", "region": "us-east-1", "endpoint": self.endpoint,
                "url_style": "path", "use_ssl": "false"}  # fmt: skip


@pytest.fixture
def s3_server():
    """An S3-compatible server on loopback with an empty bucket of its own."""
    try:
        import boto3
        from moto.server import ThreadedMotoServer
    except ImportError:
        missing("moto[s3,server] and boto3 (the test extra) provide the local S3 server")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    client = boto3.client("s3", endpoint_url=f"http://{host}:{port}", aws_access_key_id="test",
                          aws_secret_access_key="test", region_name="us-east-1")  # fmt: skip
    bucket = f"emma-{uuid.uuid4().hex[:10]}"
    client.create_bucket(Bucket=bucket)
    try:
        yield S3Server(f"{host}:{port}", client, bucket)
    finally:
        server.stop()
