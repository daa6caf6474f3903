"""Per-API settings, read once at `Api.init_app` into a frozen, typed object.

Each setting comes, in order of precedence, from the keyword argument given to `Api`, from the
Flask config key `RESTKIT_<NAME>`, or from the default below. Several `Api` instances on one
app may each have their own values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from restkit.errors import DeclarationError

__all__ = ["Settings"]


@dataclass(frozen=True, slots=True)
class Settings:
    """The settings of one `Api`.

    Attributes:
        max_body_size: The largest request body accepted, in bytes; larger gets a 413 problem.
            An operation may set its own with `operation(max_body_size=...)`.
        max_json_depth: The deepest nesting of arrays and objects accepted in a JSON body;
            deeper gets a 400 problem.
    """

    max_body_size: int = 1024 * 1024
    max_json_depth: int = 32

    @classmethod
    def from_config(cls, config: Mapping[str, Any], overrides: Mapping[str, Any]) -> Settings:
        """Build the settings from the `Api`'s keyword arguments and the Flask config.

        Args:
            config: The Flask app's config; keys are `RESTKIT_` + the setting's name in
                upper case, for example `RESTKIT_MAX_BODY_SIZE`.
            overrides: The values given to `Api`, which win over the config.

        Raises:
            DeclarationError: A setting is unknown (also a mistyped `RESTKIT_*` config key) or
                its value is not a positive integer.
        """
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(overrides) - known) + sorted(
            key
            for key in config
            if isinstance(key, str)
            and key.startswith("RESTKIT_")
            and key[len("RESTKIT_") :].lower() not in known
        )
        if unknown:
            raise DeclarationError(
                f"Unknown restkit setting(s) {', '.join(unknown)}; the settings are "
                f"{', '.join(sorted(known))} (config keys RESTKIT_ + the name in upper case)."
            )
        values: dict[str, Any] = {}
        for name in known:
            key = "RESTKIT_" + name.upper()
            if name in overrides:
                value, source = overrides[name], f"Api({name}=...)"
            elif key in config:
                value, source = config[key], f"app.config[{key!r}]"
            else:
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise DeclarationError(f"{source} must be a positive integer, not {value!r}.")
            values[name] = value
        return cls(**values)
