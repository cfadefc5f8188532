"""The X backend end to end: tweepy and our media requests, over real HTTP, to the stand-in."""

from __future__ import annotations

import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from PIL import Image
from publish_helpers import Clock, ScriptedGuard, ok
from xstandin import CREDENTIALS, XStandIn

from tripdesk.config import Config
from tripdesk.draft import Draft, DraftPhoto, Poll
from tripdesk.errors import TripdeskError
from tripdesk.publish.backends import make_backend
from tripdesk.publish.credentials import Credentials
from tripdesk.publish.outbox import Outbox
from tripdesk.publish.x import XBackend


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def x(standin: XStandIn, clock: Clock) -> XBackend:
    return XBackend(
        Credentials(*CREDENTIALS), base=standin.base_url, timeout=(2.0, 1.0), clock=clock
    )


@pytest.fixture
def outbox(
    conn: sqlite3.Connection, config: Config, guard: ScriptedGuard, x: XBackend, clock: Clock
) -> Outbox:
    return Outbox(conn, config, x, review=guard, clock=clock)


@pytest.fixture
def photo(config: Config, fixture_photos: Path) -> Path:
    folder = config.trip.pool / config.trip.slug
    folder.mkdir(parents=True)
    return Path(shutil.copy2(fixture_photos / "IMG_0001.JPG", folder / "IMG_0001.JPG"))


def test_a_post_with_photos_goes_out_once_signed_and_stripped_of_metadata(
    outbox: Outbox, standin: XStandIn, photo: Path
) -> None:
    draft = Draft(
        text="Year 6 at the museum #Y6Museum",
        photos=(DraftPhoto(path=str(photo), pupils=("P1001",), alt="A pupil by a rocket"),),
    )
    post = outbox.queue(draft, ok())

    assert outbox.send_due().sent == (post.id,)

    sent = outbox.get(post.id)
    [tweet] = standin.created
    assert sent.remote_id == tweet.id and sent.url and tweet.id in sent.url
    assert tweet.text == draft.text and tweet.reply_settings == "mentionedUsers"
    [uploaded] = [standin.media[m] for m in tweet.media_ids]
    assert standin.alt_texts[tweet.media_ids[0]] == "A pupil by a rocket"
    for marker in (b"Exif", b"GPS", b"http://ns.adobe.com/xap", b"iPhone", b"\xff\xfe"):
        assert marker not in uploaded
    with Image.open(io.BytesIO(uploaded)) as image:
        assert not image.getexif() and image.format == "JPEG"
        assert image.width > image.height  # turned upright: the original is stored sideways
    assert standin.bad_signatures == []


def test_a_poll_goes_out_with_its_options(outbox: Outbox, standin: XStandIn) -> None:
    post = outbox.queue(
        Draft(text="Which gallery?", poll=Poll(options=("Dinosaurs", "Space"), minutes=1440)),
        ok(),
    )
    assert outbox.send_due().sent == (post.id,)
    assert standin.created[0].poll == {"options": ["Dinosaurs", "Space"], "duration_minutes": 1440}


def test_a_wrong_signature_is_refused_by_the_standin(standin: XStandIn) -> None:
    wrong = XBackend(Credentials(*CREDENTIALS[:3], "not-the-secret"), base=standin.base_url)
    from tripdesk.publish.backends import CredentialsRefused

    with pytest.raises(CredentialsRefused):
        wrong.me()
    assert standin.bad_signatures == ["/2/users/me"]


def test_503_is_retried_with_backoff_and_sent_exactly_once(
    outbox: Outbox, standin: XStandIn, clock: Clock
) -> None:
    standin.fail_next("503", times=2)
    post = outbox.queue(Draft(text="Retry me"), ok())

    first = outbox.send_due()
    waiting = outbox.get(post.id)
    assert first.waiting == (post.id,) and waiting.state == "queued"
    assert waiting.next_attempt_at and 15 <= (waiting.next_attempt_at - clock.now).seconds <= 30
    assert outbox.send_due().sent == ()  # not due yet

    clock.advance(seconds=31)
    assert outbox.send_due().waiting == (post.id,)
    second_wait = outbox.get(post.id).next_attempt_at
    assert second_wait and 30 <= (second_wait - clock.now).seconds <= 60
    clock.advance(seconds=61)
    assert outbox.send_due().sent == (post.id,)
    assert len(standin.created) == 1
    assert [a.status for a in outbox.attempts(post.id)] == [503, 503, None]


@pytest.mark.parametrize(
    ("fault", "created"),
    [("500", 0), ("drop-before", 0), ("drop-after", 1), ("slow", 1)],
)
def test_an_answer_lost_after_the_request_went_out_leaves_the_post_uncertain(
    outbox: Outbox, standin: XStandIn, clock: Clock, fault: str, created: int
) -> None:
    standin.state.slow_seconds = 1.5
    standin.fail_next(fault)
    post = outbox.queue(Draft(text=f"Fault {fault}"), ok())

    summary = outbox.send_due()
    clock.advance(hours=2)
    later = outbox.send_due()

    settled = outbox.get(post.id)
    assert summary.uncertain == (post.id,) and later.sent == ()
    assert settled.state == "uncertain" and "check the account" in (settled.reason or "")
    assert len(standin.created) == created
    outbox.retry(post.id)  # the teacher checked and chose to send again
    assert outbox.send_due().sent == (post.id,)
    assert len(standin.created) == created + 1


def test_duplicate_content_is_uncertain_and_never_retried_by_itself(
    outbox: Outbox, standin: XStandIn, clock: Clock
) -> None:
    standin.fail_next("403-duplicate")
    post = outbox.queue(Draft(text="Same again"), ok())

    assert outbox.send_due().uncertain == (post.id,)
    clock.advance(days=1)
    assert outbox.send_due().sent == ()
    settled = outbox.get(post.id)
    assert settled.state == "uncertain" and "already posted" in (settled.reason or "")
    assert outbox.mark_sent(post.id).state == "sent" and standin.created == []


def test_rate_limit_waits_until_the_reset_for_every_post(
    outbox: Outbox, standin: XStandIn, clock: Clock
) -> None:
    standin.fail_next("429")
    first = outbox.queue(Draft(text="First"), ok())
    second = outbox.queue(Draft(text="Second"), ok())

    summary = outbox.send_due()

    held = outbox.get(first.id)
    assert summary.sent == () and "rate limit" in (summary.message or "")
    assert held.state == "queued" and held.next_attempt_at
    assert 50 <= (held.next_attempt_at - clock.now).total_seconds() <= 61
    assert outbox.get(second.id).attempts == 0
    clock.advance(seconds=30)
    assert outbox.send_due().sent == ()
    clock.advance(seconds=40)
    assert outbox.send_due().sent == (first.id, second.id)
    assert [t.text for t in standin.created] == ["First", "Second"]


def test_the_daily_cap_waits_for_the_24_hour_reset(
    outbox: Outbox, standin: XStandIn, clock: Clock
) -> None:
    standin.fail_next("429-daily")
    post = outbox.queue(Draft(text="Eighteenth post today"), ok())

    summary = outbox.send_due()

    held = outbox.get(post.id)
    assert "daily limit" in (summary.message or "") and "daily limit" in (held.reason or "")
    assert held.next_attempt_at and (held.next_attempt_at - clock.now).total_seconds() > 80_000


def test_refused_credentials_stop_all_sending(
    outbox: Outbox, standin: XStandIn, clock: Clock
) -> None:
    standin.fail_next("401")
    first = outbox.queue(Draft(text="First"), ok())
    outbox.queue(Draft(text="Second"), ok())

    summary = outbox.send_due()

    assert summary.paused and "credentials were refused" in (summary.message or "")
    assert outbox.paused and "credentials were refused" in (outbox.pause_reason or "")
    assert outbox.get(first.id).state == "queued" and standin.created == []
    clock.advance(hours=1)
    assert outbox.send_due().sent == ()
    outbox.set_paused(False)
    assert len(outbox.send_due().sent) == 2


def test_other_refusals_fail_with_xs_own_words(outbox: Outbox, standin: XStandIn) -> None:
    post = outbox.queue(Draft(text="x"), ok())
    standin.state.media.clear()
    outbox.conn.execute(
        "INSERT INTO outbox_photo (post_id, position, source_path, source_sha256, prepared_path,"
        " mime, alt) VALUES (?, 1, 's', 'h', ?, 'image/jpeg', 'alt')",
        (post.id, __file__),
    )
    outbox.conn.execute(
        "INSERT INTO outbox_media (post_id, position, network, media_id, expires_at) "
        "VALUES (?, 1, 'x', 'unknown-media', '2999-01-01T00:00:00+00:00')",
        (post.id,),
    )
    assert outbox.send_due().failed == (post.id,)
    assert outbox.get(post.id).reason == "X refused this post: bad media id"


def test_media_ids_are_reused_while_valid_and_uploaded_again_once_expired(
    outbox: Outbox, standin: XStandIn, clock: Clock, photo: Path
) -> None:
    draft = Draft(text="Photo", photos=(DraftPhoto(path=str(photo), no_children=True, alt="A"),))
    standin.state.media_expires_after = 3600
    standin.fail_next("503", times=2)
    post = outbox.queue(draft, ok())

    outbox.send_due()
    clock.advance(minutes=2)
    outbox.send_due()
    assert len(standin.media) == 1  # the second try reused the media id

    clock.advance(hours=2)  # past expires_after_secs
    assert outbox.send_due().sent == (post.id,)
    assert len(standin.media) == 2
    assert standin.created[0].media_ids == [max(standin.media)]


def test_a_failed_photo_upload_is_retried_without_creating_anything(
    outbox: Outbox, standin: XStandIn, clock: Clock, photo: Path
) -> None:
    draft = Draft(text="Photo", photos=(DraftPhoto(path=str(photo), no_children=True, alt="A"),))
    standin.fail_next("500", endpoint="/2/media/upload")
    standin.fail_next("drop-after", endpoint="/2/media/metadata")
    post = outbox.queue(draft, ok())

    assert outbox.send_due().waiting == (post.id,)
    clock.advance(minutes=5)
    assert outbox.send_due().waiting == (post.id,)
    clock.advance(minutes=5)
    assert outbox.send_due().sent == (post.id,)
    assert len(standin.created) == 1


def test_offline_the_outbox_waits_and_sends_when_the_network_is_back(
    conn: sqlite3.Connection, config: Config, guard: ScriptedGuard, standin: XStandIn
) -> None:
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_base = f"http://127.0.0.1:{closed.getsockname()[1]}"
    offline = Outbox(
        conn, config, XBackend(Credentials(*CREDENTIALS), base=dead_base), review=guard
    )
    post = offline.queue(Draft(text="From the coach"), ok())

    summary = offline.send_due()

    assert summary.offline and "No connection" in (summary.message or "")
    assert offline.get(post.id).state == "queued" and offline.get(post.id).attempts == 0
    online = Outbox(
        conn, config, XBackend(Credentials(*CREDENTIALS), base=standin.base_url), review=guard
    )
    assert online.send_due().sent == (post.id,)


def test_x_is_used_only_with_credentials_and_never_silently_replaced_by_dry_run(
    conn: sqlite3.Connection, config: Config, x_env: XStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert make_backend(config, conn=conn).name == "x"
    for name in ("CONSUMER_KEY", "CONSUMER_SECRET", "ACCESS_TOKEN", "ACCESS_TOKEN_SECRET"):
        monkeypatch.delenv(f"TRIPDESK_X_{name}")
    with pytest.raises(TripdeskError, match="no X credentials are set"):
        make_backend(config, conn=conn)
    outbox = Outbox(conn, config, review=ScriptedGuard())
    post = outbox.queue(Draft(text="Waiting for the keys"), ok())
    summary = outbox.send_due()
    assert "tripdesk account set" in (summary.message or "")
    assert outbox.get(post.id).state == "queued" and x_env.created == []
    monkeypatch.setenv("TRIPDESK_BACKEND", "dry-run")
    assert make_backend(config, conn=conn).name == "dry-run"


def test_a_running_outbox_follows_the_backend_chosen_since_it_started(
    conn: sqlite3.Connection, config: Config, x_env: XStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tripdesk import config as settings

    monkeypatch.delenv("TRIPDESK_BACKEND")
    running = Outbox(conn, config, review=ScriptedGuard())
    first = running.queue(Draft(text="Rehearsal"), ok())
    assert running.send_due().sent == (first.id,)
    assert running.get(first.id).backend == "dry-run" and x_env.created == []

    settings.update(config.home, "publish", {"backend": "x"})  # as `account set` does
    second = running.queue(Draft(text="For real"), ok())

    assert running.send_due().sent == (second.id,)
    assert [t.text for t in x_env.created] == ["For real"]


def test_a_refused_connection_is_certainly_not_a_post(tmp_path: Path) -> None:
    import socket

    from tripdesk.publish.backends import NotCreated, Outgoing

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        base = f"http://127.0.0.1:{closed.getsockname()[1]}"
    nowhere = XBackend(Credentials(*CREDENTIALS), base=base)
    with pytest.raises(NotCreated) as caught:
        nowhere.publish(Outgoing(1, "Hello", (), None, "mentionedUsers"))
    assert caught.value.offline and not nowhere.reachable()


def test_an_untrusted_certificate_stops_before_anything_is_sent(tmp_path: Path) -> None:
    """A Wi-Fi login page answering for api.x.com: the TLS handshake fails, nothing went out."""
    import datetime as dt
    import socket
    import ssl
    import threading

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from tripdesk.publish.backends import NotCreated, Outgoing

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "captive.portal")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    received: list[bytes] = []
    listener = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        connection, _ = listener.accept()
        try:
            with context.wrap_socket(connection, server_side=True) as tls:
                received.append(tls.recv(65536))
        except (ssl.SSLError, OSError):
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    portal = XBackend(
        Credentials(*CREDENTIALS), base=f"https://127.0.0.1:{listener.getsockname()[1]}"
    )
    with pytest.raises(NotCreated):
        portal.publish(Outgoing(1, "Hello", (), None, "mentionedUsers"))
    thread.join(10)
    listener.close()
    assert received == []


def test_an_iphone_heic_goes_up_as_a_plain_jpeg_with_no_location(
    outbox: Outbox, standin: XStandIn, config: Config, fixture_photos: Path
) -> None:
    heic = Path(shutil.copy2(fixture_photos / "IMG_0005.HEIC", config.home / "IMG_0005.HEIC"))
    post = outbox.queue(
        Draft(text="Portrait", photos=(DraftPhoto(path=str(heic), pupils=("P1001",), alt="A"),)),
        ok(),
    )
    assert outbox.send_due().sent == (post.id,)
    [uploaded] = standin.media.values()
    assert uploaded[:3] == b"\xff\xd8\xff" and b"Exif" not in uploaded and b"GPS" not in uploaded
    with Image.open(io.BytesIO(uploaded)) as image:
        assert not image.getexif()
