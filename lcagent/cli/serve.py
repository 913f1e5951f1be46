"""``lcagent serve``: a local GGUF model behind an OpenAI-compatible API (llama.cpp's server)."""

from __future__ import annotations

import sys

import click

from lcagent.cli.common import error_console

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@click.command()
@click.option("--model", "-m", default="local", show_default=True,
              help="local (bundled SmolLM2-135M), local:gemma3-270m, a bundled name, or gguf:/path/model.gguf.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; anything but loopback lets other machines use the model.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--n-ctx", type=click.IntRange(min=64),
              help="Context window in tokens (default: the model's trained context, at most 8192).")
@click.option("--threads", type=click.IntRange(min=1), help="CPU threads (default: all usable cores, at most 8).")
def serve(model, host, port, n_ctx, threads) -> None:
    """Serve a local GGUF model over the OpenAI API, until Ctrl-C.

    The model is loaded the way `lcagent ask` loads it: on a CPU that advertises AMX,
    llama.cpp's extra CPU buffers are switched off, because some such machines die with
    "Illegal instruction" on the first completion otherwise (LCAGENT_LLAMA_EXTRA_BUFFERS=1
    keeps them on; =0 switches them off on any CPU). Any client of the OpenAI API can use
    it, lcagent included: it prints the --model to pass.

    \b
    Examples:
      lcagent serve
      lcagent serve --port 8080 --n-ctx 4096 --threads 2
      lcagent serve --model local:gemma3-270m
      lcagent serve --model gguf:/models/qwen2.5-0.5b-instruct-q4_k_m.gguf
      lcagent ask report.pdf "..." --model openai:smollm2-135m@http://127.0.0.1:8000/v1
    """
    from lcagent.runners.serving import check_port_free, create_server_app, plan_model, run_server

    planned = plan_model(model, n_ctx, threads)
    check_port_free(host, port)
    app = create_server_app(planned, host, port)
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/v1"
    buffers = f"off: {planned.extra_buffers_off}" if planned.extra_buffers_off else "on (no AMX advertised)"
    click.echo(f"serving {planned.path.name} as {planned.name!r} at {url} ({planned.n_ctx}-token context, "
               f"{planned.threads} threads; llama.cpp extra CPU buffers {buffers})")
    click.echo(f"use it with: lcagent ask DOCUMENT QUESTION --model openai:{planned.name}@{url}")
    if host not in _LOOPBACK:
        error_console().print(f"[yellow]warning:[/] listening on {host}: anyone who can reach port {port} can use "
                              "this model (there is no API key)")
    sys.stdout.flush()  # the lines above reach a pipe (a test, a service log) before the server blocks
    run_server(app, host, port)


def register(group: click.Group) -> None:
    group.add_command(serve)
