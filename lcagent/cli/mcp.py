"""``lcagent mcp``: serve the workspace's tools to MCP clients (Claude Desktop, IDEs, agent SDKs)."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from lcagent.cli.common import workspace_option

@click.command()
@workspace_option
@click.option("--model", "-m", envvar="LCAGENT_MODEL",
              help="Model for the ask tool (default: $LCAGENT_MODEL, else local). Clients may only pick "
                   "this one, the bundled local models, or those given with --allow-model.")
@click.option("--allow-model", "allow_models", multiple=True, metavar="SPEC",
              help="A model spec clients may choose for ask (repeatable), e.g. openai:gpt-4o-mini. "
                   "Off by default: a document could otherwise talk a client into sending it to a remote API.")
@click.option("--allow-dir", "allow_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Directory whose files clients may ingest (repeatable; default: the current directory). "
                   "Paths that resolve outside it, through '..' or symlinks, are refused.")
@click.option("--http", "http_address", metavar="HOST:PORT",
              help="Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio (e.g. 127.0.0.1:8765).")
@click.option("--allow-remote", is_flag=True,
              help="Allow --http on a non-loopback address. The server has no authentication: anyone who can "
                   "reach it can read the workspace.")
def mcp(workspace, model, allow_models, allow_dirs, http_address, allow_remote) -> None:
    """Serve lcagent's tools over MCP: ingest, list_docs, search, grep, read, ask.

    Speaks stdio by default, which is what desktop MCP clients launch. Tools are read-only
    and confined to the workspace; ingest only reads files inside the --allow-dir
    directories. Results carry page citations as structured JSON plus readable text.

    \b
    Examples:
      lcagent mcp --workspace ~/lcagent-ws --allow-dir ~/papers
      lcagent mcp --http 127.0.0.1:8765 --model openai:qwen@http://127.0.0.1:8000/v1

    \b
    Client configuration (e.g. claude_desktop_config.json):
      {
        "mcpServers": {
          "lcagent": {
            "command": "lcagent",
            "args": ["mcp", "--workspace", "/home/me/lcagent-ws", "--allow-dir", "/home/me/papers"]
          }
        }
      }
    """
    try:
        from lcagent.integrations.mcp_server import build_server
    except ModuleNotFoundError as missing:
        if missing.name and missing.name.split(".")[0] == "mcp":
            raise click.ClickException('the MCP SDK is not installed: pip install "lcagent[mcp]"') from None
        raise
    host_port = _parse_http(http_address, allow_remote) if http_address else None
    app = build_server(workspace, model=model, allow_dirs=list(allow_dirs) or None, allow_models=allow_models)
    if host_port is None:
        app.run("stdio")
    else:
        host, port = host_port
        click.echo(f"lcagent MCP server on http://{_url_host(host)}:{port}/mcp (Ctrl-C stops it)", err=True)
        app.run("streamable-http", host=host, port=port)


def _parse_http(address: str, allow_remote: bool) -> tuple[str, int]:
    host, separator, port_text = address.rpartition(":")
    host = host.strip("[]")
    if not separator or not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise click.BadParameter(f"{address!r} is not HOST:PORT, e.g. 127.0.0.1:8765", param_hint="--http")
    if not (_is_loopback(host) or allow_remote):
        raise click.BadParameter(
            f"{host} is not a loopback address; the server has no authentication, so anyone who reaches it "
            "can read the workspace. Use 127.0.0.1, or add --allow-remote if you mean it",
            param_hint="--http",
        )
    return host, int(port_text)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def register(group: click.Group) -> None:
    group.add_command(mcp)
