"""The configuration in effect: :class:`Config`.

``Config.load()`` reads the files that :mod:`.discovery` finds (each
through :mod:`.files`) and merges them key by key, the earlier winning; a
named query (``[queries.NAME]``) and a custom field's declaration are each
taken whole from the one file that wins. A :class:`Config` gives the
schema (the declared custom fields), the named queries
(:class:`~.named.NamedQuery`), the connection of a profile
(:mod:`.connection`) and a query with its settings resolved
(:mod:`.fetchspec`).

Settings resolve as: command-line options (keyword arguments here), then the
environment (``CONPEEK_URL``, ``CONPEEK_KEY``), then the configuration; but a
profile with a ``base_url`` or key of its own is not overridden by the
environment, and a key only goes to the host of the table it comes from
(:meth:`Config.connection`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, tzinfo
from functools import cached_property
from typing import Any

from .. import argcheck
from ..diagnostics import Diagnostic, suggest
from ..env import FrozenDict, Queries, freeze_queries
from ..errors import ConfigError, SkippedFile
from ..schema import Schema
from . import querycheck
from .connection import ConnectionSettings
from .discovery import discover
from .fetchspec import (
    FetchSpec,
    Settings,
)
from .fetchspec import prepare as prepare_spec
from .files import ConfigFile, origin_of, read_found, where_in
from .model import ConnectionTable, CqlangTable, merged, schema_for
from .named import Finding, NamedQuery, resolve_query

__all__ = ["Config", "schema_for"]


class Config:
    """The configuration in effect: the files read and their merged content.

    ``Config.load()`` finds the files (module docstring); ``schema`` is the
    default schema with the declared custom fields; ``queries`` maps each
    name to a :class:`NamedQuery`, ready for ``cqlang.plan(text,
    queries=config.queries, schema=config.schema)``.
    """

    def __init__(
        self,
        files: Sequence[ConfigFile] = (),
        *,
        profile: str | None = None,
        env: Mapping[str, str] | None = None,
        skipped: Sequence[SkippedFile] = (),
    ) -> None:
        argcheck.text("profile", profile, optional=True)
        _environment(env)
        self.files: tuple[ConfigFile, ...] = tuple(files)
        #: Discovered files not read because they are not trusted.
        self.skipped: tuple[SkippedFile, ...] = tuple(skipped)
        #: The files' tables merged (:meth:`CqlangTable.over`, the earlier winning).
        self.merged: CqlangTable = merged(f.table for f in self.files)
        self.env: Mapping[str, str] = os.environ if env is None else env
        self.schema: Schema = self.merged.schema.schema()
        queries: dict[str, NamedQuery] = {}
        for f in self.files:  # earliest first: the first definition wins
            for name, spec in f.queries.items():
                if name not in queries:
                    queries[name] = NamedQuery.from_table(name, spec, source=f, config=self)
        self.queries: Mapping[str, NamedQuery] = FrozenDict(queries)
        if profile is not None and profile not in self.profiles:
            raise self._unknown_profile(profile)
        self.profile = profile

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        profile: str | None = None,
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Config:
        """Find and read the config files (``path`` alone when given). A
        discovered file that is not trusted is skipped (``skipped`` says
        why); the mistakes of every file read are raised together.
        ``env`` stands for ``os.environ`` (a mapping of str to str)."""
        argcheck.path("path", path, optional=True)
        argcheck.text("profile", profile, optional=True)
        argcheck.path("cwd", cwd, optional=True)
        _environment(env)
        files, skipped = read_found(discover(path, cwd=cwd, env=env))
        return cls(files, profile=profile, env=env, skipped=skipped)

    def __getstate__(self) -> dict[str, Any]:
        """What a pickle holds: all but ``os.environ`` (which cannot be
        pickled, and holds the key): a config that reads the process's
        environment reads, once unpickled, that of the process it is in."""
        state = dict(self.__dict__)
        if state.get("env") is os.environ:
            state["env"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        if state.get("env") is None:
            state["env"] = os.environ
        self.__dict__.update(state)

    @cached_property
    def env_queries(self) -> Queries:
        """The named queries as an :class:`~cqlang.env.Env` holds them,
        frozen once."""
        return freeze_queries(self.queries)

    # ----------------------------------------------------------- schema
    def schema_for(self, strict: bool | None = None) -> Schema:
        """The schema, made strict when ``strict`` (``--strict``)."""
        if not strict or self.schema.strict:
            return self.schema
        return schema_for(self.schema.custom_fields, True)

    @property
    def strict(self) -> bool:
        return self.schema.strict

    # --------------------------------------------------------- profiles
    @property
    def profiles(self) -> tuple[str, ...]:
        return tuple(self.merged.profiles)

    def _unknown_profile(self, name: str) -> ConfigError:
        if not self.profiles:
            return ConfigError(
                f"unknown profile {name!r}: no [profiles.NAME] table is defined"
                + self._files_note()
            )
        close = suggest(name, self.profiles)
        hint = f"did you mean {close!r}?" if close else "profiles: " + ", ".join(self.profiles)
        return ConfigError(f"unknown profile {name!r} ({hint})")

    def _files_note(self) -> str:
        if not self.files:
            return " (no config file was found)"
        return " in " + ", ".join(f.display() for f in self.files)

    def origin(self, *path: str) -> ConfigFile | None:
        """The file whose value for ``path`` is in effect (see
        :meth:`CqlangTable.defines`)."""
        return origin_of(self.files, *path)

    def where(self, table: tuple[str, ...], key: str) -> str:
        """Where the value of ``key`` in ``table`` in effect is written:
        ``FILE:LINE [TABLE]``."""
        return where_in(self.files, table, key)

    def section(self, profile: str | None = None) -> tuple[ConnectionTable, dict[str, str]]:
        """The connection settings of the config for ``profile`` (or the
        loaded one): ``[connection]`` overridden by ``[profiles.NAME]``; and
        where each came from (key -> ``FILE:LINE [TABLE]``)."""
        name = profile if profile is not None else self.profile
        values = self.merged.connection
        sources = {key: self.where(("connection",), key) for key in values.set_keys()}
        if name is not None:
            if name not in self.profiles:
                raise self._unknown_profile(name)
            own = self.merged.connection_table(name)
            sources.update((key, self.where(("profiles", name), key)) for key in own.set_keys())
            values = own.over(values)
        return values, sources

    @property
    def timezone(self) -> str | None:
        """The time zone of the connection in effect (for naive datetimes)."""
        return self.section()[0].timezone

    def connection(
        self,
        profile: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        campaign: str | None = None,
        timezone: str | None = None,
        page_size: int | None = None,
        max_branches: int | None = None,
    ) -> ConnectionSettings:
        """The connection settings of ``profile`` (or the one loaded), the
        arguments (command-line options) winning: see
        :func:`cqlang.config.connection.resolve` (docs/config.md, "Settings: who
        wins"). A key read with a control character inside is no key:
        ``missing["api_key"]`` says where it came from, never the key (an
        ``api_key`` argument with one raises :class:`ConfigError`)."""
        from .connection import resolve

        for name, value in (
            ("profile", profile),
            ("base_url", base_url),
            ("api_key", api_key),
            ("campaign", campaign),
            ("timezone", timezone),
        ):
            argcheck.text(name, value, optional=True)
        argcheck.count("page_size", page_size, least=1, optional=True)
        argcheck.count("max_branches", max_branches, least=1, optional=True)
        return resolve(
            self,
            profile if profile is not None else self.profile,
            base_url=base_url,
            api_key=api_key,
            campaign=campaign,
            timezone=timezone,
            page_size=page_size,
            max_branches=max_branches,
        )

    # ---------------------------------------------------------- queries
    def resolve(self, text: str) -> tuple[str, NamedQuery | None]:
        """See :func:`resolve_query`."""
        return resolve_query(text, self)

    def settings(self, profile: str | None = None) -> Settings:
        """The connection's defaults for running queries (``profile``, or
        the loaded one, over ``[connection]``)."""
        values = self.section(profile)[0]
        return Settings(
            campaign=values.campaign,
            timezone=values.timezone,
            page_size=values.page_size,
            max_branches=values.max_branches,
        )

    def prepare(
        self,
        text: str,
        *,
        params: Mapping[str, Any] | None = None,
        tz: str | tzinfo | None = None,
        campaign: str | None = None,
        exclude: str | Iterable[str] | None = None,
        limit: int | None = None,
        strict: bool | None = None,
        profile: str | None = None,
        page_size: int | None = None,
        max_branches: int | None = None,
    ) -> FetchSpec:
        """Everything needed to run ``text`` (``@NAME`` alone runs that named
        query): the arguments (command-line options) win over the named
        query's settings, which win over the connection's (profile's); see
        :mod:`cqlang.config.fetchspec` (which checks the arguments; here,
        ``strict`` is a bool and ``profile`` a name)."""
        argcheck.flag("strict", strict, optional=True)
        argcheck.text("profile", profile, optional=True)
        return prepare_spec(
            text,
            queries=self.queries,
            schema=self.schema_for(strict),
            defaults=self.settings(profile),
            params=params,
            tz=tz,
            campaign=campaign,
            exclude=exclude,
            limit=limit,
            page_size=page_size,
            max_branches=max_branches,
        )

    def check_query(
        self,
        named: NamedQuery,
        queries: Mapping[str, Any] | None = None,
        *,
        schema: Schema | None = None,
        now: datetime | None = None,
        frozen: Queries | None = None,
    ) -> list[Diagnostic]:
        """Every diagnostic of the named query's own text, with the settings
        it runs with (:func:`.querycheck.check_query`): what ``queries
        check`` and ``queries save`` check."""
        return querycheck.check_query(self, named, queries, schema=schema, now=now, frozen=frozen)

    def lint(self, *, strict: bool | None = None, now: datetime | None = None) -> list[Finding]:
        """Check every named query of every file read (each with its own
        parameter defaults), in file order; every finding is placed in its
        file (:func:`.querycheck.lint`)."""
        return querycheck.lint(self, strict=strict, now=now)

    # ---------------------------------------------------------- display
    def shown(self) -> dict[str, Any]:
        """The merged configuration as TOML data, every api_key masked
        (what ``cqlang config --json`` prints)."""
        from .display import shown

        return shown(self.merged.to_table())

    def describe(self) -> str:
        """What ``cqlang config`` prints: the files read, the connection in
        effect (with where each setting comes from) and the merged
        configuration as TOML, secrets masked."""
        from .display import describe

        return describe(self)


def _environment(env: Any) -> None:
    """An ``env`` argument (what stands for ``os.environ``): ``None`` or a
    mapping of str to str."""
    takes = "a mapping of str to str"
    argcheck.mapping("env", env, takes=takes, names="env's names", optional=True)
    for name, value in (env or {}).items():
        if not isinstance(value, str):
            raise TypeError(f"env's values are str, not {type(value).__name__}: {name}")
