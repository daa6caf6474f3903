"""`flask restkit ...`: write the OpenAPI document, check a committed copy, compare two.

```sh
flask --app example_service restkit spec -o openapi/taskboard.json
flask --app example_service restkit spec --check openapi/taskboard.json
flask restkit diff old.json new.json
```

`spec` writes the same bytes for the same API on every run (paths and components sorted),
so a committed copy can be checked in CI. `spec --check` exits 1 with a unified diff when the
copy is stale. `diff` lists the changes between two documents and exits 1 when one of them
would break a client generated from the old one (see `restkit.spec.diff`).
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext

from restkit.spec.document import spec_to_json, spec_to_yaml

__all__ = ["restkit_cli"]


@click.group("restkit")
def restkit_cli() -> None:
    """OpenAPI tools for the app's restkit APIs."""


def _render(spec: dict[str, Any], form: str) -> str:
    return spec_to_json(spec).decode("utf-8") if form == "json" else spec_to_yaml(spec)


def _form_of(path: str | None, given: str | None) -> str:
    if given is not None:
        return given
    if path is not None and path.endswith((".yaml", ".yml")):
        return "yaml"
    return "json"


@restkit_cli.command("spec")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to FILE.")
@click.option(
    "--format",
    "form",
    type=click.Choice(["json", "yaml"]),
    help="Defaults to the file's extension, or json.",
)
@click.option(
    "--openapi-version",
    type=click.Choice(["3.0", "3.1"]),
    help="Defaults to the API's openapi_version setting.",
)
@click.option("--api", "api_name", help="Which API, when the app mounts several.")
@click.option(
    "--check",
    type=click.Path(exists=True, dir_okay=False),
    help="Compare FILE with the current document; exit 1 with a diff when it is stale.",
)
@with_appcontext
def spec_command(
    output: str | None,
    form: str | None,
    openapi_version: str | None,
    api_name: str | None,
    check: str | None,
) -> None:
    """Write the OpenAPI document, or check that a committed copy is current."""
    from restkit.api import get_apis  # the Api module registers this command

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    apis = get_apis(app)
    if not apis:
        raise click.UsageError("The app mounts no restkit Api.")
    if api_name is None:
        if len(apis) > 1:
            raise click.UsageError(
                f"The app mounts several APIs; pick one with --api: {', '.join(apis)}."
            )
        api = next(iter(apis.values()))
    elif api_name in apis:
        api = apis[api_name]
    else:
        raise click.UsageError(f"No API named {api_name!r}; the app mounts {', '.join(apis)}.")
    spec = api.make_spec(app, openapi_version=openapi_version)
    if check is not None:
        text = _render(spec, _form_of(check, form))
        committed = Path(check).read_text(encoding="utf-8")
        if committed == text:
            click.echo(f"{check} is up to date.")
            return
        diff = difflib.unified_diff(
            committed.splitlines(keepends=True),
            text.splitlines(keepends=True),
            fromfile=f"{check} (committed)",
            tofile=f"{check} (current)",
        )
        click.echo("".join(diff), nl=False)
        options = "".join(
            f" {option} {value}"
            for option, value in (
                ("--api", api_name),
                ("--openapi-version", openapi_version),
                ("--format", form),
            )
            if value is not None
        )
        click.echo(
            f"{check} is stale: regenerate it with `flask --app <your app> restkit spec"
            f"{options} -o {check}`.",
            err=True,
        )
        raise SystemExit(1)
    text = _render(spec, _form_of(output, form))
    if output is None:
        click.echo(text, nl=False)
        return
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_text(text, encoding="utf-8")
    click.echo(f"Wrote {output}.", err=True)


def _load(path: str) -> dict[str, Any]:
    import yaml  # on first use, as in spec_to_yaml: the app imports this module at start-up

    text = Path(path).read_text(encoding="utf-8")
    try:
        loaded = json.loads(text) if path.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as error:
        raise click.UsageError(f"{path} is not valid JSON or YAML: {error}") from None
    if not isinstance(loaded, dict) or "openapi" not in loaded:
        raise click.UsageError(f"{path} is not an OpenAPI document.")
    return loaded


@restkit_cli.command("diff")
@click.argument("old", type=click.Path(exists=True, dir_okay=False))
@click.argument("new", type=click.Path(exists=True, dir_okay=False))
def diff_command(old: str, new: str) -> None:
    """List the changes from OLD to NEW; exit 1 if one breaks existing clients."""
    from restkit.spec.diff import diff_specs, has_breaking

    changes = diff_specs(_load(old), _load(new))
    for change in changes:
        click.echo(str(change))
    breaking = [change for change in changes if change.breaking]
    if has_breaking(changes):
        click.echo(f"{len(breaking)} breaking change(s) of {len(changes)}.", err=True)
        raise SystemExit(1)
    click.echo(f"No breaking change ({len(changes)} change(s)).", err=True)
