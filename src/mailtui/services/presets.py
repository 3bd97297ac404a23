"""``presets``: list the provider presets, show what one would change, apply it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from mailtui.config.store import ConfigStore, PropertyChange
    from mailtui.errors import ConfigError
    from mailtui.javamail.presets import Preset
    from mailtui.services.config import PathArg


@dataclass(frozen=True)
class PresetCatalog:
    """Built-in presets then the user's (same id: the user's wins), and the user preset files
    that could not be read."""

    presets: tuple[Preset, ...]
    problems: tuple[ConfigError, ...]


def list_presets(user_dir: Path | None = None) -> PresetCatalog:
    from mailtui.javamail.presets import all_presets

    presets, problems = all_presets(user_dir)
    return PresetCatalog(tuple(presets.values()), tuple(problems))


def preset_to_json(preset: Preset) -> dict[str, Any]:
    """One preset as ``mailtui presets --json`` prints it."""
    return {"id": preset.id, "name": preset.name, "doc": preset.doc, "notes": list(preset.notes),
            "source": preset.source, "properties": preset.properties, "server": preset.server,
            "parameters": {n: {"default": x.default, "description": x.description}
                           for n, x in preset.parameters.items()}}


@dataclass(frozen=True)
class PresetApplication:
    """A preset applied to a store in memory: the diff, and ``save()`` to write it."""

    preset: Preset
    store: ConfigStore
    changes: tuple[PropertyChange, ...]  # properties, then the [server] values filled in
    skeleton: bool  # a commented [server] table was added (a new or empty file)

    def save(self) -> bool:
        """Write the file (atomically, 0600); True when it changed. ConfigError when the file
        changed on disk since it was read (nothing overwritten)."""
        if not self.changes:
            return False
        self.store.save()
        return True


def prepare_preset(
    preset_id: str,
    params: Mapping[str, str] | None = None,
    *,
    config: PathArg = None,
    store: ConfigStore | None = None,
    user_dir: Path | None = None,
) -> PresetApplication:
    """Apply preset ``preset_id`` (with its ``params``) to ``store``, else to the file
    ``config`` (created if absent), without saving: the connection properties are replaced by
    the preset's, every other property is kept; the preset's ``[server]`` values fill only
    empty keys. ConfigError for an unknown preset or a bad parameter."""
    from mailtui.javamail.presets import apply_preset, get_preset

    preset = get_preset(preset_id, user_dir)
    rendered = preset.render(params or {})
    if store is None:
        from mailtui.services.config import open_store

        store = open_store(config, must_exist=False)
    skeleton = store.add_server_skeleton(filled=preset.server)
    new = apply_preset(store.properties(), rendered)
    changes = store.set_properties(new) + store.fill_empty("server", preset.server)
    return PresetApplication(preset, store, tuple(changes), skeleton)


def apply_preset_to_file(preset_id: str, params: Mapping[str, str] | None = None, *,
                         config: PathArg = None) -> PresetApplication:
    """:func:`prepare_preset` then save."""
    application = prepare_preset(preset_id, params, config=config)
    application.save()
    return application
