"""Settings from TRIPDESK_HOME/config.toml, checked once so the rest of the code can trust them."""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NoReturn

import platformdirs
import tomlkit

from tripdesk.errors import TripdeskError

CONFIG_NAME = "config.toml"
DATABASE_NAME = "tripdesk.db"

DeleteSource = Literal["ask", "auto", "never"]
WatchMode = Literal["auto", "inotify", "polling"]
NamesWithPhotos = Literal["confirm", "block"]
LookedAfter = Literal["never", "consent"]
# "dry-run", one network, or several joined by commas ("x,bluesky"): see `Config.networks`.
Backend = str
NETWORKS = ("x", "bluesky", "mastodon")
# How each network is called in a sentence.
NETWORK_NAMES = {"x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon", "dry-run": "dry-run"}
# What each network charges, in dollars (X's prices from April 2026; the others are free).
PRICES = {
    "x_post": 0.015,
    "x_post_with_link": 0.20,
    "x_alt_text": 0.005,
    "bluesky_post": 0.0,
    "mastodon_post": 0.0,
}
PreviewMode = Literal["auto", "halfcell", "off"]
ApprovalRequired = Literal["off", "children", "all"]
ReplySettings = Literal["following", "mentionedUsers", "subscribers", "verified", "everyone"]

DEFAULT_CONFIG = """\
# tripdesk settings. Paths may use ~; relative paths are relative to this folder.

[trip]
name = "School trip"
teacher = ""                         # the designated teacher (an approver must be someone else)
hashtag = ""
inbox = "inbox"                      # the folder the phone's photos land in
pool = "pool"                        # the school's photo pool

[ingest]
delete_source = "ask"                # ask | auto | never
watch = "auto"                       # auto | inotify | polling
settle_seconds = 1.0                 # unchanged this long: complete, and its original deletable
rescan_seconds = 30.0                # look over the whole inbox this often too

[guard]
partners = []                        # handles the account may mention, e.g. ["@NHM_London"];
                                     # one partner on several networks as a list:
                                     # [["@NHM_London", "@nhm.bsky.social"]]
names_with_photos = "confirm"        # confirm | block
homework_platform = "Show My Homework"
blocked_words = []                   # the school's own words that must never go out
allowed_phrases = []                 # phrases that name no pupil here, e.g. ["Khan Academy"]
looked_after = "never"               # never | consent (carers' consent is in the consent column)

[register.columns]                   # your MIS heading = tripdesk column, e.g.
# "Pupil Ref" = "id"

[faces]
threshold = 0.3

[publish]
backend = "dry-run"                  # dry-run | x | bluesky | mastodon | a list of them
dry_run_networks = ["x"]             # in dry-run: the networks whose versions are recorded
reply_settings = "mentionedUsers"
credentials_max_age_days = 180
hold_photos_minutes = 0              # hold posts with photos of children this long (0: off)
budget = 0                           # the trip's limit, in dollars, for paid networks (0: none)
price_x_post = 0.015                 # what X charges: a post, a post with a link, an alt text
price_x_post_with_link = 0.20
price_x_alt_text = 0.005

[approval]
required = "off"                     # off | children | all: posts a second member of staff approves

[preview]
mode = "auto"                        # auto | halfcell | off
"""


@dataclass(frozen=True)
class TripSettings:
    name: str
    hashtag: str
    inbox: Path
    pool: Path
    teacher: str = ""

    @property
    def slug(self) -> str:
        """The trip's folder name in the pool: safe on every filesystem, never empty."""
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.name).strip("-")
        return slug or "trip"


@dataclass(frozen=True)
class IngestSettings:
    delete_source: DeleteSource = "ask"
    watch: WatchMode = "auto"
    settle_seconds: float = 1.0
    rescan_seconds: float = 30.0


@dataclass(frozen=True)
class GuardSettings:
    # One entry per partner: a handle, or their handles on several networks.
    partners: tuple[str | tuple[str, ...], ...] = ()
    names_with_photos: NamesWithPhotos = "confirm"
    homework_platform: str = "Show My Homework"
    blocked_words: tuple[str, ...] = ()
    allowed_phrases: tuple[str, ...] = ()
    looked_after: LookedAfter = "never"


CacheKind = Literal["prepared", "thumbs", "report", "networks"]


@dataclass(frozen=True)
class FaceSettings:
    threshold: float = 0.3


@dataclass(frozen=True)
class PublishSettings:
    backend: Backend = "dry-run"
    dry_run_networks: tuple[str, ...] = ("x",)
    reply_settings: ReplySettings = "mentionedUsers"
    credentials_max_age_days: int = 180
    hold_photos_minutes: int = 0
    budget: float = 0.0
    prices: dict[str, float] = field(default_factory=lambda: dict(PRICES))


@dataclass(frozen=True)
class ApprovalSettings:
    required: ApprovalRequired = "off"

    def needed(self, shows_children: bool) -> bool:
        """Whether a post needs a second member of staff: the one rule, at queue and at send."""
        return self.required == "all" or (self.required == "children" and shows_children)


@dataclass(frozen=True)
class Config:
    home: Path
    trip: TripSettings
    ingest: IngestSettings = field(default_factory=IngestSettings)
    guard: GuardSettings = field(default_factory=GuardSettings)
    register_columns: dict[str, str] = field(default_factory=dict)
    faces: FaceSettings = field(default_factory=FaceSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)
    preview: PreviewMode = "auto"
    approval: ApprovalSettings = field(default_factory=ApprovalSettings)

    @property
    def path(self) -> Path:
        return self.home / CONFIG_NAME

    @property
    def database(self) -> Path:
        return self.home / DATABASE_NAME

    def cache(self, kind: CacheKind) -> Path:
        """The one place each cache folder is named: prepared uploads, thumbnails, report images,
        and what networks said of themselves (a Mastodon instance's limits)."""
        return self.home / "cache" / kind

    @property
    def backend(self) -> Backend:
        """The publishing backend, TRIPDESK_BACKEND taking precedence over the file."""
        override = os.environ.get("TRIPDESK_BACKEND", "").strip()
        if not override:
            return self.publish.backend
        chosen = _backend([part.strip() for part in override.split(",")])
        if chosen is None:
            raise TripdeskError(
                f"TRIPDESK_BACKEND is {override!r}; it must be 'dry-run', or one or more of "
                "x, bluesky and mastodon separated by commas."
            )
        return chosen

    @property
    def networks(self) -> tuple[str, ...]:
        """Where posts go: `("dry-run",)`, or one or more of x, bluesky and mastodon."""
        return tuple(self.backend.split(","))

    @property
    def post_networks(self) -> tuple[str, ...]:
        """The networks a post is written for: where it goes, or in dry-run the networks the
        rehearsal stands in for. Their rules judge it and each gets its own version."""
        networks = self.networks
        return self.publish.dry_run_networks if networks == ("dry-run",) else networks


def _backend(value: object) -> str | None:
    """Dry-run, one network, or a list of distinct networks, as one comma-joined word."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
        return None
    if names == ["dry-run"]:
        return "dry-run"
    if len(set(names)) != len(names) or not set(names) <= set(NETWORKS):
        return None
    return ",".join(names)


def home() -> Path:
    """The folder holding all state: TRIPDESK_HOME, else the platform's user data folder."""
    env = os.environ.get("TRIPDESK_HOME")
    if env:
        return Path(env).expanduser().absolute()
    return platformdirs.user_data_path("tripdesk", appauthor=False)


def load(home_dir: Path | None = None) -> Config:
    """Read config.toml, writing the defaults first if there is none yet."""
    home_dir = home() if home_dir is None else home_dir
    path = home_dir / CONFIG_NAME
    try:
        home_dir.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(DEFAULT_CONFIG, encoding="utf-8")
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise TripdeskError(f"{path} is not valid TOML: {error}.") from None
    except OSError as error:
        raise TripdeskError(f"Cannot read the settings file {path}: {error.strerror}.") from None
    return _parse(raw, home_dir, path)


def update(home_dir: Path, section: str, values: dict[str, Any]) -> Config:
    """Change some keys of one section, keeping the teacher's comments, and reload."""
    load(home_dir)
    path = home_dir / CONFIG_NAME
    document = tomlkit.parse(path.read_text(encoding="utf-8"))
    table = document
    for part in section.split("."):
        if part not in table:
            table.add(part, tomlkit.table())
        table = table[part]
    for key, value in values.items():
        table[key] = str(value) if isinstance(value, Path) else value
    _parse(tomllib.loads(tomlkit.dumps(document)), home_dir, path)
    tmp = path.with_name(f".{CONFIG_NAME}.tmp")
    tmp.write_text(tomlkit.dumps(document), encoding="utf-8")
    os.replace(tmp, path)
    return load(home_dir)


def _raise(error: TripdeskError) -> NoReturn:
    raise error


class _Reader:
    """Pulls typed values out of the raw TOML, naming the key and file when one is wrong."""

    def __init__(self, raw: dict[str, Any], path: Path) -> None:
        self.raw = raw
        self.path = path

    def _fail(self, key: str, expected: str, value: object) -> TripdeskError:
        return TripdeskError(f"In {self.path}, {key} is {value!r}; it should be {expected}.")

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise self._fail(f"[{name}]", "a table", value)
        return value

    def string(self, section: str, key: str, default: str) -> str:
        value = self.section(section).get(key, default)
        if not isinstance(value, str):
            raise self._fail(f"{section}.{key}", "text in quotes", value)
        return value

    def choice(self, section: str, key: str, default: str, choices: tuple[str, ...]) -> Any:
        value = self.section(section).get(key, default)
        if value not in choices:
            raise self._fail(f"{section}.{key}", "one of " + ", ".join(choices), value)
        return value

    def number(self, section: str, key: str, default: float, low: float, high: float) -> float:
        value = self.section(section).get(key, default)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not (low <= value <= high)
        ):
            raise self._fail(f"{section}.{key}", f"a number from {low:g} to {high:g}", value)
        return float(value)

    def strings(self, section: str, key: str) -> tuple[str, ...]:
        value = self.section(section).get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self._fail(f"{section}.{key}", "a list of texts in quotes", value)
        return tuple(value)

    def partners(self) -> tuple[str | tuple[str, ...], ...]:
        """Each partner as one handle, or a list of their handles on different networks."""
        value = self.section("guard").get("partners", [])
        if not isinstance(value, list) or not all(
            isinstance(item, str)
            or (isinstance(item, list) and item and all(isinstance(h, str) for h in item))
            for item in value
        ):
            raise self._fail(
                "guard.partners",
                "a list of handles in quotes, a partner on several networks as a list in the "
                'list: [["@NHM_London", "@nhm.bsky.social"]]',
                value,
            )
        return tuple(item if isinstance(item, str) else tuple(item) for item in value)

    def networks(self, section: str, key: str) -> tuple[str, ...]:
        value = self.section(section).get(key, ["x"])
        chosen = _backend(value)
        if chosen is None or chosen == "dry-run":
            raise self._fail(f"{section}.{key}", "a list of x, bluesky and mastodon", value)
        return tuple(chosen.split(","))

    def folder(self, section: str, key: str, default: str, home_dir: Path) -> Path:
        path = Path(self.string(section, key, default)).expanduser()
        return path if path.is_absolute() else home_dir / path


def _parse(raw: dict[str, Any], home_dir: Path, path: Path) -> Config:
    r = _Reader(raw, path)
    columns = r.section("register").get("columns", {})
    if not isinstance(columns, dict) or not all(
        isinstance(value, str) for value in columns.values()
    ):
        raise r._fail("[register.columns]", "a table of heading = column names", columns)
    return Config(
        home=home_dir,
        trip=TripSettings(
            name=r.string("trip", "name", "School trip"),
            hashtag=r.string("trip", "hashtag", ""),
            inbox=r.folder("trip", "inbox", "inbox", home_dir),
            pool=r.folder("trip", "pool", "pool", home_dir),
            teacher=r.string("trip", "teacher", ""),
        ),
        ingest=IngestSettings(
            delete_source=r.choice("ingest", "delete_source", "ask", ("ask", "auto", "never")),
            watch=r.choice("ingest", "watch", "auto", ("auto", "inotify", "polling")),
            settle_seconds=r.number("ingest", "settle_seconds", 1.0, 0.05, 60),
            rescan_seconds=r.number("ingest", "rescan_seconds", 30.0, 1, 3600),
        ),
        guard=GuardSettings(
            partners=r.partners(),
            names_with_photos=r.choice(
                "guard", "names_with_photos", "confirm", ("confirm", "block")
            ),
            homework_platform=r.string("guard", "homework_platform", "Show My Homework"),
            blocked_words=r.strings("guard", "blocked_words"),
            allowed_phrases=r.strings("guard", "allowed_phrases"),
            looked_after=r.choice("guard", "looked_after", "never", ("never", "consent")),
        ),
        register_columns=dict(columns),
        faces=FaceSettings(threshold=r.number("faces", "threshold", 0.3, 0.05, 0.95)),
        publish=PublishSettings(
            backend=_backend(r.section("publish").get("backend", "dry-run"))
            or _raise(
                r._fail(
                    "publish.backend",
                    '"dry-run", "x", "bluesky", "mastodon" or a list of the last three',
                    r.section("publish").get("backend"),
                )
            ),
            dry_run_networks=r.networks("publish", "dry_run_networks"),
            reply_settings=r.choice(
                "publish",
                "reply_settings",
                "mentionedUsers",
                ("following", "mentionedUsers", "subscribers", "verified", "everyone"),
            ),
            credentials_max_age_days=int(
                r.number("publish", "credentials_max_age_days", 180, 1, 3650)
            ),
            hold_photos_minutes=int(r.number("publish", "hold_photos_minutes", 0, 0, 24 * 60)),
            budget=r.number("publish", "budget", 0, 0, 1_000_000),
            prices={
                name: r.number("publish", f"price_{name}", default, 0, 1000)
                for name, default in PRICES.items()
            },
        ),
        preview=r.choice("preview", "mode", "auto", ("auto", "halfcell", "off")),
        approval=ApprovalSettings(
            required=r.choice("approval", "required", "off", ("off", "children", "all"))
        ),
    )
