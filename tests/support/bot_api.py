"""A strict local fake of the Telegram Bot API server, for end-to-end tests.

Why a fake server rather than mocking ``telegram.Bot``: the real python-telegram-bot stack
(``HTTPXRequest``, ``Updater``, ``Application``) runs unchanged against it, so tests exercise the
same wire traffic production sends, including PTB's parameter encoding and start-up calls.

Why strict: Telegram rejects malformed output (bad HTML, over-long text, replies to vanished
messages, oversized callback data) with ``400 Bad Request``; the fake answers the same way, and
is stricter where Telegram would silently degrade a message (see ``telegram_html``). A chat where
the bot is "kicked" or "left" (see ``set_member_status``, ``send_my_chat_member``) answers
``sendMessage`` with 403 Forbidden, as a group that removed the bot or a user who blocked it does.
Inline mode (``send_inline_query``, ``answerInlineQuery``) checks results (and the button above
them) as Telegram does. A group upgraded to a supergroup (``migrate_to_supergroup``) gets a new id,
and the old one is refused with ``parameters.migrate_to_chat_id``, as on Telegram. Adding the bot
or a user to a group (``add_bot_to_group``, ``add_user_to_group``) delivers the service messages
bots get whatever their privacy mode.
``setWebhook`` is validated as Telegram does (https, ports 443/80/88/8443, a public host, a
well-formed secret token); while a webhook is set, ``getUpdates`` gets 409 and the test delivers
the pending updates to the bot's listener with ``deliver_webhook_updates``.
Channels (``add_channel``, ``post_to_channel``, ``edit_channel_post``, ``post_album``) deliver
``channel_post`` and ``edited_channel_post`` only while the bot is an administrator there, as on
Telegram; ``forward_message`` forwards a stored message with the ``forward_origin`` Telegram would
give it (channel, chat, user, or hidden user for people who hide their forwards), also into a channel
its administrator reposts it in (a ``channel_post``); a forward cannot be edited. ``pass_time`` moves
the world's clock on, so a repost can be dated days after its original. A user's edit
(``edit_user_message``, ``move_live_location``) arrives as ``edited_message``; ``editMessageText``
refuses an edit that changes nothing and a message deleted meanwhile (``delete_message``). Only
``parse_mode="HTML"`` is implemented; Markdown modes get a 400. Plain-text bot messages get no
auto-detected entities (Telegram would add url/mention ones).

The server runs in a background thread, independent of the test's event loop, so an
``Application`` polling in that loop and ``await server.wait_for_messages(...)`` coexist::

    with FakeBotApi(bot_username="lede_test_bot") as server:
        app = ApplicationBuilder().token(server.token).base_url(server.base_url).build()
        async with polling(app):
            server.send_user_message(42, 42, "/start")
            [reply] = await server.wait_for_messages(42)
"""

from __future__ import annotations

import asyncio
import email.parser
import email.policy
import ipaddress
import json
import re
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx
from telegram.ext import Application

from tests.support.telegram_html import HtmlError, parse_html, utf16_len, utf16_slice

JSON = dict[str, Any]
T = TypeVar("T")
AnyApplication = Application[Any, Any, Any, Any, Any, Any]

MAX_MESSAGE_UTF16 = 4096
# answerCallbackQuery's text: "0-200 characters" (Bot API), shown as a notification over the chat.
MAX_CALLBACK_ANSWER_CHARS = 200
#: Bots may download files up to 20 MB with getFile; bigger ones exist but cannot be fetched.
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_INLINE_RESULTS = 50
MEMBER_STATUSES = ("creator", "administrator", "member", "left", "kicked")
#: Telegram's default when allowed_updates is empty or was never given.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {"message", "edited_message", "channel_post", "edited_channel_post", "inline_query",
     "chosen_inline_result", "callback_query", "shipping_query", "pre_checkout_query", "poll",
     "poll_answer", "my_chat_member", "chat_join_request"}
)
CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
     "upload_document", "choose_sticker", "find_location", "record_video_note",
     "upload_video_note"}
)
#: What a typical admin may do; PTB needs every field to build a ChatMemberAdministrator.
ADMIN_RIGHTS = (
    "can_manage_chat", "can_delete_messages", "can_manage_video_chats", "can_restrict_members",
    "can_change_info", "can_invite_users", "can_pin_messages", "can_manage_topics",
)
ADMIN_NON_RIGHTS = (
    "can_be_edited", "is_anonymous", "can_promote_members", "can_post_stories", "can_edit_stories",
    "can_delete_stories",
)
BUTTON_ACTIONS = frozenset(
    {"url", "callback_data", "web_app", "login_url", "switch_inline_query",
     "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
     "callback_game", "pay"}
)
#: Form fields that are strings on the wire; every other form field is JSON (see PTB's
#: ``RequestParameter.json_value``: str values are sent as-is, everything else ``json.dumps``-ed).
STRING_PARAMS = frozenset(
    {"text", "parse_mode", "callback_query_id", "action", "language_code", "inline_message_id",
     "url", "caption", "file_id", "secret_token", "ip_address"}
)
#: setWebhook's rules: https only, on one of these ports, to a public host, with a secret token of these characters.
WEBHOOK_PORTS = frozenset({80, 88, 443, 8443})
WEBHOOK_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class _Fault:
    """An injected failure for the next matching call: an error reply, a dropped connection
    (the client sees a network error), or a reply held back for ``delay`` seconds."""

    error: ApiError | None = None
    drop: bool = False
    delay: float = 0.0
    chat_id: int | None = None  # only calls for this chat match; None matches any

    def matches(self, params: JSON) -> bool:
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)


class ApiError(Exception):
    """An error reply, serialised exactly as Telegram does so PTB raises the matching exception."""

    def __init__(self, status: int, description: str, retry_after: int | None = None,
                 migrate_to_chat_id: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        if self.migrate_to_chat_id is not None:
            body["parameters"] = {"migrate_to_chat_id": self.migrate_to_chat_id}
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


# --------------------------------------------------------------------------------------------
# Requests and recorded traffic
# --------------------------------------------------------------------------------------------


def _form_value(name: str, value: str) -> Any:
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value  # e.g. chat_id="@channelusername"


def parse_params(query: str, content_type: str, body: bytes) -> JSON:
    """Decode a Bot API call's parameters from its query string and body.

    PTB posts ``application/x-www-form-urlencoded`` (``multipart/form-data`` when uploading
    files) with non-string values JSON-encoded; other clients may post a JSON object.
    """
    fields = parse_qsl(query, keep_blank_values=True)
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/x-www-form-urlencoded":
        fields += parse_qsl(body.decode(), keep_blank_values=True)
    params = {name: _form_value(name, value) for name, value in fields}
    if media_type == "application/json":
        params.update(json.loads(body or b"{}"))
    elif media_type == "multipart/form-data":
        head = f"Content-Type: {content_type}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            payload = part.get_payload(decode=True)
            assert isinstance(name, str) and isinstance(payload, bytes)
            filename = part.get_filename()
            params[name] = UploadedFile(filename, payload) if filename else _form_value(name, payload.decode())
    return params


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded in a multipart request (e.g. sendDocument's ``document``)."""

    filename: str
    content: bytes


@dataclass(frozen=True)
class SentDocument:
    """A document the bot sent: what a user would download, and its caption."""

    chat_id: int
    message_id: int
    file_name: str
    content: bytes
    caption: str | None
    reply_to_message_id: int | None


@dataclass(frozen=True)
class ApiRequest:
    """One call the bot made: canonical method name and decoded parameters."""

    method: str
    params: JSON


@dataclass(frozen=True)
class SentMessage:
    """A message the bot sent or edited: what it asked for and what users would see."""

    method: str  # "sendMessage" or "editMessageText"
    chat_id: int
    message_id: int
    raw_text: str
    parse_mode: str | None
    text: str  # visible text, after entity parsing
    entities: list[JSON]
    reply_to_message_id: int | None
    message_thread_id: int | None
    reply_markup: JSON | None
    link_preview_options: JSON | None
    disable_web_page_preview: bool | None
    params: JSON

    @classmethod
    def record(cls, method: str, message: JSON, params: JSON) -> SentMessage:
        return cls(
            method=method,
            chat_id=message["chat"]["id"],
            message_id=message["message_id"],
            raw_text=str(params.get("text")),
            parse_mode=params.get("parse_mode"),
            text=message["text"],
            entities=message.get("entities", []),
            reply_to_message_id=message.get("reply_to_message", {}).get("message_id"),
            message_thread_id=message.get("message_thread_id"),
            reply_markup=message.get("reply_markup"),
            link_preview_options=params.get("link_preview_options"),
            disable_web_page_preview=params.get("disable_web_page_preview"),
            params=params,
        )

    def parts(self, entity_type: str) -> list[str]:
        """Visible substrings covered by entities of a type, e.g. ``parts("bold")``."""
        return [
            utf16_slice(self.text, entity["offset"], entity["length"])
            for entity in self.entities
            if entity["type"] == entity_type
        ]

    @property
    def links(self) -> list[tuple[str, str]]:
        """(visible text, url) of every ``text_link``, in order."""
        return [
            (utf16_slice(self.text, entity["offset"], entity["length"]), entity["url"])
            for entity in self.entities
            if entity["type"] == "text_link"
        ]


_COMMAND_RE = re.compile(r"(?<![\w/@])/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{3,32}))?")
_MENTION_RE = re.compile(r"(?<![\w/@])@[A-Za-z0-9_]{5,32}")
_URL_RE = re.compile(r"\bhttps?://[^\s<>\"]*[^\s<>\".,;:!?)\]']")


def detect_entities(text: str) -> list[JSON]:
    """The url, bot_command and mention entities Telegram attaches to a user's plain text."""
    spans: list[tuple[int, int, str]] = [(m.start(), m.end(), "url") for m in _URL_RE.finditer(text)]
    for pattern, kind in ((_COMMAND_RE, "bot_command"), (_MENTION_RE, "mention")):
        for match in pattern.finditer(text):
            if not any(start < match.end() and match.start() < end for start, end, _ in spans):
                spans.append((match.start(), match.end(), kind))
    return [
        {"type": kind, "offset": utf16_len(text[:start]), "length": utf16_len(text[start:end])}
        for start, end, kind in sorted(spans)
    ]


@dataclass
class _Chat:
    info: JSON  # the Chat object embedded in messages
    messages: dict[int, JSON] = field(default_factory=dict)
    topics: set[int] = field(default_factory=set)  # forum topic ids (= their creation message ids)
    closed_topics: set[int] = field(default_factory=set)  # topics an administrator closed: only administrators post
    members: dict[int, str] = field(default_factory=dict)  # user id -> status
    next_message_id: int = 1
    full_info: JSON = field(default_factory=dict)  # what getChat adds, e.g. a channel's linked_chat_id
    migrated_to: int | None = None  # a group upgraded to a supergroup: its new id
    deleted: bool = False  # its owner deleted it (delete_chat)

    @property
    def type(self) -> str:
        return str(self.info["type"])


# --------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    api: FakeBotApi


class _Handler(BaseHTTPRequestHandler):
    """HTTP/1.0, one request per connection: nothing keeps a thread alive after stop()."""

    server: _HttpServer

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path.startswith("/file/"):
            self._download(url.path)
            return
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        content_type = self.headers.get("Content-Type", "")
        reply = self.server.api.handle(url.path, url.query, content_type, body)
        if reply is None:  # an injected network failure: hang up without answering
            self.close_connection = True
            return
        status, payload = reply
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up, e.g. PTB cancelled a long poll on shutdown

    do_GET = do_POST

    def _download(self, path: str) -> None:
        """``/file/bot<token>/<file_path>``, as Telegram serves files announced by getFile."""
        content = self.server.api.download(path)
        self.send_response(200 if content is not None else 404)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(content or b"")))
        self.end_headers()
        self.wfile.write(content or b"")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Keep test output clean; ``FakeBotApi.requests`` is the log."""


class FakeBotApi:
    """The fake server plus the test-side API to inject updates and inspect what the bot sent.

    All state sits behind one condition variable: HTTP handler threads and the test thread both
    touch it, and long-polling ``getUpdates`` calls wait on it for new updates.
    """

    def __init__(
        self,
        token: str = "123456789:TEST-token",
        bot_username: str = "lede_test_bot",
        *,
        bot_first_name: str = "Lede",
        privacy_mode: bool = True,
        inline_mode: bool = True,
    ) -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": int(token.split(":", 1)[0]), "is_bot": True,
            "first_name": bot_first_name, "username": bot_username,
        }
        #: Like BotFather's default: in groups the bot only gets commands and replies to it.
        self.privacy_mode = privacy_mode
        #: Whether BotFather's /setinline is on: getMe says so and inline queries may be sent.
        self.inline_mode = inline_mode
        self._inline_answers: dict[str, JSON] = {}
        self.internal_errors: list[str] = []
        self._lock = threading.Condition()
        self._users: dict[int, JSON] = {}
        self._hidden_forwarders: set[int] = set()  # users whose forwards carry only their name
        self._elapsed = 0  # seconds the test moved the world's clock on (pass_time)
        self._chats: dict[int, _Chat] = {}
        self._updates: list[JSON] = []
        self._next_update_id = 1
        self._allowed_updates = DEFAULT_ALLOWED_UPDATES
        self._poll_generation = 0
        self._stopping = False
        self._open_queries: dict[str, JSON] = {}
        self._webhook: JSON | None = None  # setWebhook's parameters while a webhook is set
        self._next_query_id = 1
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._faults: dict[str, deque[_Fault]] = {}
        self._requests: list[ApiRequest] = []
        self._sent: list[SentMessage] = []
        self._files: dict[str, bytes] = {}  # file_id -> content, for getFile and downloads
        self._documents: list[SentDocument] = []
        self._httpd: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._methods: dict[str, tuple[str, Callable[[JSON], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "deleteWebhook": self._delete_webhook,
                "setWebhook": self._set_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "answerCallbackQuery": self._answer_callback_query,
                "answerInlineQuery": self._answer_inline_query,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "getChat": self._get_chat,
                "getChatMember": self._get_chat_member,
                "getChatAdministrators": self._get_chat_administrators,
                "sendChatAction": self._send_chat_action,
                "getFile": self._get_file,
                "sendDocument": self._send_document,
                "close": lambda params: True,
                "logOut": lambda params: True,
            }.items()
        }

    # ---- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        self._stopping = False
        self._httpd = _HttpServer(("127.0.0.1", 0), _Handler)
        self._httpd.api = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
            name="FakeBotApi", daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; pending long polls return ``[]`` at once so clients never hang."""
        with self._lock:
            self._stopping = True
            self._lock.notify_all()
        if self._httpd is not None and self._thread is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join()

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "start() the server first"
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``TELEGRAM_BASE_URL``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    # ---- HTTP entry point ------------------------------------------------------------------

    def handle(self, path: str, query: str, content_type: str, body: bytes) -> tuple[int, JSON] | None:
        """Route ``/bot<token>/<method>``; method names are case-insensitive, as on Telegram.

        None means: drop the connection without a reply (an injected network failure).
        """
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z]+)", path)
        if match is None:
            return 404, ApiError(404, "Not Found").payload()
        if match.group(1) != self.token:
            return 401, ApiError(401, "Unauthorized").payload()
        try:
            params = parse_params(query, content_type, body)
        except ValueError as exc:
            return 400, bad_request(f"can't parse request parameters: {exc}").payload()
        method, handler = self._methods.get(match.group(2).lower(), (match.group(2), None))
        with self._lock:
            self._requests.append(ApiRequest(method, params))
            fault = self._take_fault(method, params)
        if fault is not None and fault.drop:
            return None
        if fault is not None and fault.delay:
            time.sleep(fault.delay)  # outside the lock: other calls go on meanwhile
        try:
            if fault is not None and fault.error is not None:
                raise fault.error
            if handler is None:
                raise ApiError(404, "Not Found")
            if handler == self._get_updates:
                result = handler(params)  # blocks on the condition, so must not hold the lock
            else:
                with self._lock:
                    result = handler(params)
        except ApiError as error:
            return error.status, error.payload()
        except Exception as exc:  # a bug in the fake or a malformed call: make it visible
            self.internal_errors.append(f"{method}({params!r}): {exc!r}")
            return 500, ApiError(500, f"Internal Server Error: {exc!r}").payload()
        return 200, {"ok": True, "result": result}

    # ---- Bot API methods (called with the lock held, except getUpdates) ----------------

    def _get_me(self, params: JSON) -> JSON:
        return {
            **self.bot_user, "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode, "supports_inline_queries": self.inline_mode,
            "can_connect_to_business": False, "has_main_web_app": False,
        }

    def _get_updates(self, params: JSON) -> list[JSON]:
        """Long poll: confirm updates below ``offset``, then wait up to ``timeout`` for new ones.

        A newer getUpdates call ends an older one with 409, as on Telegram; that is how the long
        poll PTB abandons when stopping is released.
        """
        offset = int(params.get("offset", 0))
        limit = min(max(int(params.get("limit", 100)), 1), 100)
        deadline = time.monotonic() + max(float(params.get("timeout", 0)), 0.0)
        with self._lock:
            if self._webhook is not None:
                raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                    "use deleteWebhook to delete the webhook first")
            if "allowed_updates" in params:
                self._allowed_updates = frozenset(params["allowed_updates"]) or DEFAULT_ALLOWED_UPDATES
            if offset < 0:
                self._updates = self._updates[offset:]
            elif offset:
                self._updates = [update for update in self._updates if update["update_id"] >= offset]
            self._poll_generation += 1
            generation = self._poll_generation
            self._lock.notify_all()
            while True:
                if generation != self._poll_generation or self._webhook is not None:
                    raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                        "make sure that only one bot instance is running")
                batch = [
                    update for update in self._updates
                    if next(key for key in update if key != "update_id") in self._allowed_updates
                ][:limit]
                remaining = deadline - time.monotonic()
                if batch or self._stopping or remaining <= 0:
                    return batch
                self._lock.wait(remaining)

    def _delete_webhook(self, params: JSON) -> bool:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _set_webhook(self, params: JSON) -> bool:
        """Validated as Telegram does; an empty ``url`` removes the webhook. Updates then wait for
        :meth:`deliver_webhook_updates` (the fake cannot reach the public URL), and getUpdates is refused."""
        url = str(params.get("url", ""))
        if not url:
            return self._delete_webhook(params)
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if (parts.port or 443) not in WEBHOOK_PORTS:
            raise bad_request("bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443")
        try:
            address = ipaddress.ip_address(parts.hostname)
        except ValueError:
            address = None
        if address is not None and not address.is_global:
            raise bad_request(f"bad webhook: IP address {address} is reserved")
        secret = params.get("secret_token")
        if secret is not None and not WEBHOOK_SECRET_RE.fullmatch(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if not 1 <= int(params.get("max_connections", 40)) <= 100:
            raise bad_request("bad webhook: max_connections must be between 1 and 100")
        if "allowed_updates" in params:
            self._allowed_updates = frozenset(params["allowed_updates"]) or DEFAULT_ALLOWED_UPDATES
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = dict(params)
        self._lock.notify_all()  # a long poll in progress ends with 409, as on Telegram
        return True

    def _get_webhook_info(self, params: JSON) -> JSON:
        webhook = self._webhook or {}
        return {"url": webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._updates), "max_connections": webhook.get("max_connections", 40)}

    def _send_message(self, params: JSON) -> JSON:
        chat = self._require_chat(params)
        self._require_membership(chat)
        text, entities = self._formatted_text(params)
        thread_id = self._thread_id(chat, params.get("message_thread_id"))
        administrator = chat.members.get(self.bot_user["id"]) in ("creator", "administrator")
        if thread_id in chat.closed_topics and not administrator:
            raise bad_request("TOPIC_CLOSED")
        reply_to = self._replied_message(chat, params)
        markup = _check_reply_markup(params.get("reply_markup"))
        content: JSON = {"text": text}
        if entities:
            content["entities"] = entities
        if markup is not None:
            content["reply_markup"] = markup
        message = self._store_message(chat, self.bot_user, content, reply_to=reply_to, thread_id=thread_id)
        self._sent.append(SentMessage.record("sendMessage", message, params))
        return message

    def _edit_message_text(self, params: JSON) -> JSON:
        if params.get("inline_message_id") is not None:
            raise bad_request("MESSAGE_ID_INVALID")  # the fake has no inline mode
        chat = self._require_chat(params)
        message_id = int(params.get("message_id", 0))
        old = chat.messages.get(message_id)
        if old is None:
            raise bad_request("message to edit not found")
        if old.get("from", {}).get("id") != self.bot_user["id"]:
            raise bad_request("message can't be edited")
        text, entities = self._formatted_text(params)
        markup = _check_reply_markup(params.get("reply_markup"))
        if (text, entities, markup) == (old["text"], old.get("entities", []), old.get("reply_markup")):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        new = {key: value for key, value in old.items() if key not in ("entities", "reply_markup")}
        new.update(text=text, edit_date=self._now())
        if entities:
            new["entities"] = entities
        if markup is not None:  # Telegram drops the keyboard unless the edit repeats it
            new["reply_markup"] = markup
        chat.messages[message_id] = new
        self._sent.append(SentMessage.record("editMessageText", new, params))
        return new

    def _answer_inline_query(self, params: JSON) -> bool:
        """Results are checked as Telegram does: unique short ids, a title and valid content for each."""
        query_id = str(params.get("inline_query_id"))
        if query_id not in self._open_queries or "query" not in self._open_queries[query_id]:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        results = params.get("results")
        if not isinstance(results, list) or len(results) > MAX_INLINE_RESULTS:
            raise bad_request("RESULTS_TOO_MUCH")
        ids = [str(result.get("id", "")) for result in results]
        if len(set(ids)) != len(ids) or not all(1 <= len(i.encode()) <= 64 for i in ids):
            raise bad_request("RESULT_ID_INVALID" if len(set(ids)) == len(ids) else "RESULT_ID_DUPLICATE")
        for result in results:
            if result.get("type") != "article" or not str(result.get("title", "")).strip():
                raise bad_request("RESULT_TYPE_INVALID (the fake implements titled article results)")
            content = result.get("input_message_content") or {}
            text, _ = self._formatted_text({"text": content.get("message_text"), "parse_mode": content.get("parse_mode")})
            content["visible_text"] = text
            _check_reply_markup(result.get("reply_markup"))
        cache_time = params.get("cache_time", 300)
        if not isinstance(cache_time, int) or cache_time < 0:
            raise bad_request("cache_time must be a non-negative integer")
        button = params.get("button")
        if button is not None:
            _check_results_button(button)
        self._open_queries.pop(query_id)
        self._inline_answers[query_id] = {"results": results, "cache_time": cache_time,
                                          "is_personal": bool(params.get("is_personal", False)), "button": button}
        return True

    def _answer_callback_query(self, params: JSON) -> bool:
        query = self._open_queries.get(str(params.get("callback_query_id")))
        if query is None or "data" not in query:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text", ""))) > MAX_CALLBACK_ANSWER_CHARS:
            raise bad_request("MESSAGE_TOO_LONG")
        self._open_queries.pop(str(params.get("callback_query_id")))
        return True

    def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("commands must be a list of at most 100 BotCommand")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[_commands_key(params.get("scope"), params.get("language_code"))] = [
            {"command": command["command"], "description": command["description"]}
            for command in commands
        ]
        return True

    def _get_my_commands(self, params: JSON) -> list[JSON]:
        return self._commands.get(_commands_key(params.get("scope"), params.get("language_code")), [])

    def _get_chat(self, params: JSON) -> JSON:
        gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription",
                 "gifts_from_channels")
        chat = self._require_chat(params)
        return {
            **chat.info, **chat.full_info, "accent_color_id": 0, "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(gifts, False),
        }

    def _get_chat_administrators(self, params: JSON) -> list[JSON]:
        """The chat's creator and administrators, the bot among them; private chats have none."""
        chat = self._require_chat(params)
        if chat.type == "private":
            raise bad_request("there are no administrators in the private chat")
        if chat.type == "channel" and chat.members.get(self.bot_user["id"]) not in ("creator", "administrator"):
            raise ApiError(403, "Forbidden: bot is not a member of the channel chat")
        return [
            {"status": status, "user": self.bot_user if user_id == self.bot_user["id"] else self._users[user_id],
             **self._member_extras(status)}
            for user_id, status in chat.members.items() if status in ("creator", "administrator")
        ]

    def _get_chat_member(self, params: JSON) -> JSON:
        chat = self._require_chat(params)
        user_id = int(params.get("user_id", 0))
        user = self.bot_user if user_id == self.bot_user["id"] else self._users.get(user_id)
        if user is None:
            raise bad_request("user not found")
        status = chat.members.get(user_id, "member")
        return {"status": status, "user": user, **self._member_extras(status)}

    def _get_file(self, params: JSON) -> JSON:
        file_id = str(params.get("file_id", ""))
        content = self._files.get(file_id)
        if content is None:
            raise bad_request("invalid file_id")
        if len(content) > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(content),
                "file_path": f"documents/{file_id}"}

    def download(self, path: str) -> bytes | None:
        """The content behind a getFile ``file_path``, or None (404) for a wrong token or path."""
        match = re.fullmatch(r"/file/bot([^/]*)/documents/([^/]+)", unquote(path))
        with self._lock:
            if match is None or match.group(1) != self.token:
                return None
            return self._files.get(match.group(2))

    def _send_document(self, params: JSON) -> JSON:
        chat = self._require_chat(params)
        document = params.get("document")
        if not isinstance(document, UploadedFile):
            raise bad_request("there is no document in the request")
        if not document.content:
            raise bad_request("file must be non-empty")
        caption = params.get("caption")
        if caption is not None and utf16_len(str(caption)) > 1024:
            raise bad_request("message caption is too long")
        reply_to = self._replied_message(chat, params)
        file_id = self._register_file(document.content)
        content = {"document": {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": document.filename,
                                "file_size": len(document.content)}}
        if caption:
            content["caption"] = str(caption)
        message = self._store_message(chat, self.bot_user, content, reply_to=reply_to)
        self._documents.append(SentDocument(chat.info["id"], message["message_id"], document.filename,
                                            document.content, caption, reply_to["message_id"] if reply_to else None))
        return message

    def _register_file(self, content: bytes) -> str:
        file_id = f"DOC{len(self._files) + 1:06d}"
        self._files[file_id] = content
        return file_id

    def _send_chat_action(self, params: JSON) -> bool:
        chat = self._require_chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._thread_id(chat, params.get("message_thread_id"))
        return True

    # ---- validation shared by methods ------------------------------------------------------

    def _require_membership(self, chat: _Chat) -> None:
        """A user who blocked the bot, or a group that removed it, refuses its messages."""
        status = chat.members.get(self.bot_user["id"])
        if status not in ("kicked", "left"):
            return
        if chat.type == "private":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if status == "kicked":
            raise ApiError(403, "Forbidden: bot was kicked from the group chat")
        raise ApiError(403, "Forbidden: bot is not a member of the group chat")

    def _require_chat(self, params: JSON) -> _Chat:
        chat = self._find_chat(params.get("chat_id"))
        if chat is None:
            raise bad_request("chat_id is empty" if params.get("chat_id") is None else "chat not found")
        if chat.migrated_to is not None:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           migrate_to_chat_id=chat.migrated_to)
        if chat.deleted:  # Telegram still knows a basic group it deleted; a supergroup is simply gone
            raise (ApiError(403, "Forbidden: the group chat was deleted") if chat.type == "group"
                   else bad_request("chat not found"))
        if chat.members.get(self.bot_user["id"]) in ("kicked", "left"):
            raise ApiError(403, "Forbidden: bot was blocked by the user" if chat.type == "private"
                           else "Forbidden: bot was kicked from the group chat")
        return chat

    def _find_chat(self, chat_id: object) -> _Chat | None:
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            username = chat_id[1:].lower()
            chats = self._chats.values()
            return next((chat for chat in chats if chat.info.get("username", "").lower() == username), None)
        try:
            return self._chats.get(int(str(chat_id)))
        except ValueError:
            return None

    @staticmethod
    def _formatted_text(params: JSON) -> tuple[str, list[JSON]]:
        raw = params.get("text")
        raw = "" if raw is None else str(raw)
        mode = str(params.get("parse_mode") or "")
        if mode.lower() == "html":
            try:
                text, entities = parse_html(raw)
            except HtmlError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        elif not mode:
            text, entities = raw, list(params.get("entities") or [])
        else:
            raise bad_request(f"unsupported parse_mode {mode!r} (the fake Bot API implements HTML only)")
        if not text.strip():
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_MESSAGE_UTF16:
            raise bad_request("message is too long")
        return text, entities

    @staticmethod
    def _thread_id(chat: _Chat, value: object) -> int | None:
        """Forum topics must exist; elsewhere a thread is a reply chain rooted at a message."""
        if value is None:
            return None
        thread_id = int(str(value))
        reply_thread = chat.type == "supergroup" and thread_id in chat.messages
        if thread_id not in chat.topics and not reply_thread:
            raise bad_request("message thread not found")
        return thread_id

    def _replied_message(self, chat: _Chat, params: JSON) -> JSON | None:
        reply = params.get("reply_parameters") or {}
        message_id = reply.get("message_id", params.get("reply_to_message_id"))
        if message_id is None:
            return None
        target = self._find_chat(reply["chat_id"]) if "chat_id" in reply else chat
        found = target.messages.get(int(message_id)) if target is not None else None
        allow_missing = params.get("allow_sending_without_reply")
        if found is None and not reply.get("allow_sending_without_reply", allow_missing):
            raise bad_request("message to be replied not found")
        return found

    def _store_message(self, chat: _Chat, sender: JSON | None, content: JSON, *, reply_to: JSON | None = None,
                       thread_id: int | None = None) -> JSON:
        """Store a message; a channel's post has no sender but the channel itself (``sender_chat``)."""
        author: JSON = {"from": sender} if sender is not None else {"sender_chat": chat.info}
        message: JSON = {
            "message_id": chat.next_message_id, "date": self._now(),
            "chat": chat.info, **author, **content,
        }
        chat.next_message_id += 1
        if thread_id is not None:
            message["message_thread_id"] = thread_id
            if chat.info.get("is_forum"):
                message["is_topic_message"] = True
        if reply_to is not None:  # Telegram nests the replied message one level deep only
            message["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
        chat.messages[message["message_id"]] = message
        return message

    def _now(self) -> int:
        """The date Telegram stamps on what happens now (Unix time), ``pass_time`` included."""
        return int(time.time()) + self._elapsed

    # ---- test-side API: world setup and injected updates -----------------------------------

    def pass_time(self, seconds: int) -> None:
        """Time passes in Telegram's world: every date stamped from now on (messages, edits, membership
        changes) is ``seconds`` later, e.g. a post reposted days after it was published."""
        if seconds < 0:
            raise ValueError("time only moves on")
        with self._lock:
            self._elapsed += seconds

    def add_user(self, user_id: int, first_name: str = "Test", *, username: str | None = None,
                 language_code: str | None = "en") -> JSON:
        user: JSON = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        with self._lock:
            self._users[user_id] = user
        return dict(user)

    def add_private_chat(self, user_id: int, first_name: str = "Test", *, username: str | None = None,
                         language_code: str | None = "en") -> JSON:
        """Register a user and their private chat with the bot (its id is the user's id)."""
        user = self.add_user(user_id, first_name, username=username, language_code=language_code)
        info = {"id": user_id, "type": "private", "first_name": first_name}
        if username is not None:
            info["username"] = username
        with self._lock:
            self._chats[user_id] = _Chat(info, members={user_id: "member"})
        return user

    def add_group(self, chat_id: int, title: str = "Test group", *, type: str = "group",  # noqa: A002
                  is_forum: bool = False, username: str | None = None) -> JSON:
        """Register a "group" or "supergroup" (forums are supergroups with topics)."""
        if type not in ("group", "supergroup") or chat_id >= 0 or (is_forum and type != "supergroup"):
            raise ValueError("groups have negative ids; only supergroups can be forums")
        info: JSON = {"id": chat_id, "type": type, "title": title}
        if is_forum:
            info["is_forum"] = True
        if username is not None:
            info["username"] = username
        with self._lock:
            self._chats[chat_id] = _Chat(info)
        return info

    def add_topic(self, chat_id: int, name: str, created_by: int) -> int:
        """Create a forum topic; returns its message_thread_id (its creation message's id)."""
        with self._lock:
            chat = self._chats[chat_id]
            if not chat.info.get("is_forum"):
                raise ValueError(f"chat {chat_id} is not a forum")
            topic = {"forum_topic_created": {"name": name, "icon_color": 0x6FB9F0}}
            creation = self._store_message(chat, self._user(created_by), topic)
            thread_id: int = creation["message_id"]
            creation.update(message_thread_id=thread_id, is_topic_message=True)
            chat.topics.add(thread_id)
            return thread_id

    def close_topic(self, chat_id: int, thread_id: int) -> None:
        """An administrator closes a forum topic: only administrators may post there, and a bot that is none
        is refused with 400 "TOPIC_CLOSED", as Telegram refuses it."""
        with self._lock:
            chat = self._chats[chat_id]
            if thread_id not in chat.topics:
                raise ValueError(f"no topic {thread_id} in chat {chat_id}")
            chat.closed_topics.add(thread_id)

    def delete_topic(self, chat_id: int, thread_id: int) -> None:
        """An administrator deletes a forum topic with its messages: sending there is "message thread not found"."""
        with self._lock:
            chat = self._chats[chat_id]
            chat.topics.remove(thread_id)
            for message_id, message in list(chat.messages.items()):
                if message.get("message_thread_id") == thread_id:
                    del chat.messages[message_id]

    def delete_chat(self, chat_id: int) -> None:
        """The owner deletes a group or supergroup; the bot is told nothing, and sending there is refused
        as Telegram refuses it: 403 "the group chat was deleted" for a group, 400 "chat not found" for a supergroup."""
        with self._lock:
            self._chats[chat_id].deleted = True

    def migrate_to_supergroup(self, chat_id: int, by_user: int, *, notify: bool = True) -> int:
        """A group becomes a supergroup, as Telegram does it: a new id, the old one refused from then on.

        Members and their statuses go along. The old group gets a service message
        with ``migrate_to_chat_id`` and the new one a message with ``migrate_from_chat_id``
        (``notify=False``: the bot never gets them, as when it was down longer than
        Telegram keeps updates); sending to the old id answers 400 with
        ``parameters.migrate_to_chat_id``. Returns the new id.
        """
        with self._lock:
            old = self._chats[chat_id]
            if old.type != "group":
                raise ValueError("only a basic group can be upgraded to a supergroup")
            new_id = int(f"-100{abs(chat_id)}")
            info = {**old.info, "id": new_id, "type": "supergroup"}
            self._chats[new_id] = _Chat(info, members=dict(old.members))
            user = self._user(by_user)
            moved = self._store_message(old, user, {"migrate_to_chat_id": new_id})
            arrived = self._store_message(self._chats[new_id], None, {"migrate_from_chat_id": chat_id})
            arrived.pop("sender_chat")
            arrived["from"] = user
            old.migrated_to = new_id
            if notify:
                for message in (moved, arrived):
                    self._enqueue({"message": message})
                # The Bot API also reports the bot joining the supergroup (tdlib/telegram-bot-api#266).
                self._enqueue({"my_chat_member": self._membership_change(self._chats[new_id], user, "left", "member")})
            return new_id

    def add_bot_to_group(self, chat_id: int, by_user: int, *, creating: bool = False) -> None:
        """A user adds the bot to a group (``creating``: makes a new group with it), as Telegram reports it:
        ``my_chat_member`` (left → member) and the service message (``new_chat_members`` naming the bot,
        or ``group_chat_created``), which bots get whatever their privacy mode."""
        with self._lock:
            chat = self._chats[chat_id]
            user = self._user(by_user)
            chat.members[self.bot_user["id"]] = "member"
            self._enqueue({"my_chat_member": self._membership_change(chat, user, "left", "member")})
            service = {"group_chat_created": True} if creating else {"new_chat_members": [self.bot_user]}
            self._enqueue({"message": self._store_message(chat, user, service)})

    def add_user_to_group(self, chat_id: int, user_id: int, *, by_user: int) -> None:
        """A member adds another user: the ``new_chat_members`` service message, which bots get whatever their privacy mode."""
        with self._lock:
            chat = self._chats[chat_id]
            chat.members[user_id] = "member"
            message = self._store_message(chat, self._user(by_user), {"new_chat_members": [self._user(user_id)]})
            self._enqueue({"message": message})

    def _membership_change(self, chat: _Chat, by: JSON, old: str, new: str) -> JSON:
        return {"chat": chat.info, "from": by, "date": self._now(),
                "old_chat_member": {"status": old, "user": self.bot_user, **self._member_extras(old)},
                "new_chat_member": {"status": new, "user": self.bot_user, **self._member_extras(new)}}

    def set_member_status(self, chat_id: int, user_id: int, status: str) -> None:
        """What getChatMember reports (default "member"); the bot's own status decides whether
        privacy mode applies to it (admins see every group message)."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"status must be one of {MEMBER_STATUSES}")
        with self._lock:
            if user_id != self.bot_user["id"]:
                self._user(user_id)
            self._chats[chat_id].members[user_id] = status

    @staticmethod
    def _member_extras(status: str) -> JSON:
        """Fields PTB requires for each kind of ChatMember."""
        if status == "kicked":
            return {"until_date": 0}
        if status == "creator":
            return {"is_anonymous": False}
        if status == "administrator":
            return {**dict.fromkeys(ADMIN_RIGHTS, True), **dict.fromkeys(ADMIN_NON_RIGHTS, False)}
        return {}

    # ---- test-side API: channels and forwards -----------------------------------------------

    def add_channel(self, chat_id: int, title: str, *, username: str | None = None, creator: int | None = None,
                    linked_chat_id: int | None = None) -> JSON:
        """Register a channel (public when it has a username), optionally its creator and linked discussion group.

        The bot is not a member until ``set_member_status(chat_id, bot id, "administrator")``:
        bots can join channels only as administrators.
        """
        if not str(chat_id).startswith("-100"):
            raise ValueError("channel ids start with -100")
        if linked_chat_id is not None and not str(linked_chat_id).startswith("-100"):
            raise ValueError("a channel's discussion group is a supergroup (-100…)")
        info: JSON = {"id": chat_id, "type": "channel", "title": title}
        if username is not None:
            info["username"] = username
        with self._lock:
            chat = _Chat(info, members={self.bot_user["id"]: "left"})
            if creator is not None:
                self._user(creator)
                chat.members[creator] = "creator"
            if linked_chat_id is not None:
                chat.full_info["linked_chat_id"] = linked_chat_id
            self._chats[chat_id] = chat
        return info

    def post_to_channel(self, chat_id: int, text: str | None = None, *, caption: str | None = None,
                        entities: list[JSON] | None = None, media_group_id: str | None = None) -> JSON:
        """The channel publishes a post: ``text``, or a photo with an optional ``caption``.

        ``entities`` (e.g. ``text_link``) are checked against the text; url entities are added as
        Telegram detects them. The bot gets a ``channel_post`` update only as an administrator.
        """
        if (text is None) == (caption is None and media_group_id is None):
            raise ValueError("a post is text, or a photo (with a caption or in an album)")
        with self._lock:
            chat = self._channel(chat_id)
            content = self._post_content(text if text is not None else caption or "", entities, caption=text is None)
            if media_group_id is not None:
                content["media_group_id"] = media_group_id
            message = self._store_message(chat, None, content)
            self._deliver_post(chat, "channel_post", message)
            return message

    def post_album(self, chat_id: int, captions: list[str | None]) -> list[JSON]:
        """An album: one photo post per caption (None: no caption), sharing a media_group_id."""
        group = f"album{self._next_update_id}{len(captions)}"
        return [self.post_to_channel(chat_id, caption=caption, media_group_id=group) if caption is not None
                else self.post_to_channel(chat_id, media_group_id=group) for caption in captions]

    def edit_channel_post(self, chat_id: int, message_id: int, text: str, *,
                          entities: list[JSON] | None = None) -> JSON:
        """The channel edits a post's text (or its caption): an ``edited_channel_post`` update."""
        with self._lock:
            chat = self._channel(chat_id)
            old = chat.messages[message_id]
            if "forward_origin" in old:
                raise ValueError(f"post {message_id} is a repost, and Telegram lets nobody edit a forwarded message")
            captioned = "text" not in old
            content = self._post_content(text, entities, caption=captioned)
            new = {key: value for key, value in old.items()
                   if key not in ("text", "entities", "caption", "caption_entities")}
            new.update(content, edit_date=self._now())
            chat.messages[message_id] = new
            self._deliver_post(chat, "edited_channel_post", new)
            return new

    def forward_message(self, to_chat_id: int, user_id: int, from_chat_id: int, message_id: int) -> JSON:
        """A user forwards a stored message to ``to_chat_id`` (the bot's private chat, a group, or a channel).

        The copy carries the ``forward_origin`` Telegram gives it: the channel and its message id,
        the chat an anonymous admin wrote as, the user, or only the user's name when they hide
        their forwards; a forward of a forward keeps the first origin. Its own ``date`` is when it
        was forwarded, the origin's when the original was sent. Into a channel only the channel's
        administrators may forward (a repost): the copy is the channel's post, with no ``from``,
        and arrives as a ``channel_post`` when the bot administers the channel.
        """
        with self._lock:
            original = self._chats[from_chat_id].messages[message_id]
            origin = original.get("forward_origin") or self._origin(original)
            content = {key: original[key] for key in ("text", "entities", "caption", "caption_entities", "photo", "document")
                       if key in original}
            content["forward_origin"] = origin
            if self._chats.get(to_chat_id) is not None and self._chats[to_chat_id].type == "channel":
                channel = self._channel(to_chat_id)
                if channel.members.get(user_id) not in ("creator", "administrator"):
                    raise ValueError(f"user {user_id} does not administer channel {to_chat_id}, so cannot post there")
                message = self._store_message(channel, None, content)
                self._deliver_post(channel, "channel_post", message)
                return message
            chat = self._chat_for(to_chat_id, user_id)
            message = self._store_message(chat, self._user(user_id), content)
            if self._bot_receives(chat, message):
                self._enqueue({"message": message})
            return message

    def send_as_chat(self, chat_id: int, text: str, *, as_channel: int | None = None) -> JSON:
        """An anonymous administrator writes in a group as the group itself: the sender is @GroupAnonymousBot
        (the same for every anonymous administrator of every group), ``sender_chat`` the group. With
        ``as_channel``, a member writes as a channel of theirs instead: the sender is @Channel_Bot,
        ``sender_chat`` that channel (anyone may, so it says nothing of the group's administrators).
        Both exist only in supergroups. The bot receives it as any other message (with privacy mode on,
        a command for it)."""
        with self._lock:
            chat = self._chats[chat_id]
            if chat.type != "supergroup":
                raise ValueError("only in a supergroup can one write as the group or as a channel")
            if as_channel is None:
                sender = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
                sender_chat = chat.info
            else:
                sender = {"id": 136817688, "is_bot": True, "first_name": "Channel", "username": "Channel_Bot"}
                sender_chat = self._channel(as_channel).info
            entities = detect_entities(text)
            content = {"text": text, "entities": entities} if entities else {"text": text}
            message = self._store_message(chat, sender, {**content, "sender_chat": sender_chat})
            if self._bot_receives(chat, message):
                self._enqueue({"message": message})
            return message

    def hide_forwards(self, user_id: int) -> None:
        """The user's privacy setting: forwards of their messages name them but do not link to them."""
        with self._lock:
            self._user(user_id)
            self._hidden_forwarders.add(user_id)

    def _origin(self, message: JSON) -> JSON:
        date = message["date"]
        chat = message["chat"]
        if chat["type"] == "channel":
            return {"type": "channel", "date": date, "chat": chat, "message_id": message["message_id"]}
        if "sender_chat" in message:
            return {"type": "chat", "date": date, "sender_chat": message["sender_chat"]}
        sender = message["from"]
        if sender["id"] in self._hidden_forwarders:
            name = " ".join(part for part in (sender["first_name"], sender.get("last_name")) if part)
            return {"type": "hidden_user", "date": date, "sender_user_name": name}
        return {"type": "user", "date": date, "sender_user": sender}

    def _channel(self, chat_id: int) -> _Chat:
        chat = self._chats[chat_id]
        if chat.type != "channel":
            raise ValueError(f"chat {chat_id} is not a channel; use add_channel()")
        return chat

    @staticmethod
    def _post_content(text: str, entities: list[JSON] | None, *, caption: bool) -> JSON:
        given = list(entities or [])
        for entity in given:
            if entity["offset"] < 0 or entity["length"] <= 0 or entity["offset"] + entity["length"] > utf16_len(text):
                raise ValueError(f"entity {entity} lies outside the text")
            if entity["type"] == "text_link" and not str(entity.get("url", "")).startswith(("http://", "https://")):
                raise ValueError("a text_link needs an http(s) url")
        found = sorted(given + detect_entities(text), key=lambda entity: entity["offset"])
        if caption:
            content: JSON = {"photo": [{"file_id": "PHOTO", "file_unique_id": "uPHOTO", "width": 800, "height": 600}]}
            if text:
                content["caption"] = text
                if found:
                    content["caption_entities"] = found
            return content
        return {"text": text, "entities": found} if found else {"text": text}

    def _deliver_post(self, chat: _Chat, kind: str, message: JSON) -> None:
        """Bots get a channel's posts only as its administrators."""
        if chat.members.get(self.bot_user["id"]) in ("creator", "administrator"):
            self._enqueue({kind: message})

    def send_user_message(self, chat_id: int, user_id: int, text: str, *,
                          reply_to_message_id: int | None = None,
                          message_thread_id: int | None = None) -> JSON:
        """A user writes ``text``; returns the Message as Telegram would deliver it.

        Unknown chats are created (positive id: private chat, ``-100…``: supergroup, other
        negative: group). The message is stored either way, but with privacy mode on, a group
        message that is neither a command for this bot nor a reply to it produces no update.
        In a forum topic the message replies to the topic's creation message unless it replies
        to something else, exactly like Telegram (a well-known source of "reply to bot" bugs).
        """
        with self._lock:
            chat = self._chat_for(chat_id, user_id)
            reply_to = None
            if reply_to_message_id is not None:
                reply_to = chat.messages[reply_to_message_id]
            if message_thread_id is not None and chat.info.get("is_forum"):
                if message_thread_id not in chat.topics:
                    raise ValueError(f"no topic {message_thread_id} in chat {chat_id}; use add_topic()")
                reply_to = reply_to or chat.messages[message_thread_id]
            entities = detect_entities(text)
            content = {"text": text, "entities": entities} if entities else {"text": text}
            message = self._store_message(
                chat, self._user(user_id), content, reply_to=reply_to, thread_id=message_thread_id
            )
            if self._bot_receives(chat, message):
                self._enqueue({"message": message})
            return message

    def edit_user_message(self, chat_id: int, message_id: int, text: str) -> JSON:
        """A user edits the text of a message they wrote (or a file's caption): an ``edited_message`` update.

        Telegram keeps the message's id, sender, date and what it replies to, adds ``edit_date``,
        and delivers the edit to the bot when the bot would have received the message itself.
        """
        with self._lock:
            chat = self._chats[chat_id]
            old = chat.messages[message_id]
            if old.get("from", {}).get("is_bot"):
                raise ValueError(f"message {message_id} is the bot's; use editMessageText")
            if "forward_origin" in old:
                raise ValueError(f"message {message_id} is a forward, and Telegram lets nobody edit a forwarded message")
            field, entity_field = ("text", "entities") if "text" in old else ("caption", "caption_entities")
            if field not in old and "document" not in old:
                raise ValueError(f"message {message_id} has no text or caption to edit")
            entities = detect_entities(text)
            new = {key: value for key, value in old.items() if key not in (field, entity_field)}
            new.update({field: text, entity_field: entities} if entities else {field: text}, edit_date=self._now())
            return self._deliver_edit(chat, new)

    def move_live_location(self, chat_id: int, message_id: int, latitude: float, longitude: float) -> JSON:
        """A live location a user shares moves: Telegram edits its message (every few seconds while it lasts)."""
        with self._lock:
            chat = self._chats[chat_id]
            old = chat.messages[message_id]
            if "location" not in old:
                raise ValueError(f"message {message_id} is no location")
            location = {**old["location"], "latitude": latitude, "longitude": longitude, "live_period": 900}
            return self._deliver_edit(chat, {**old, "location": location, "edit_date": self._now()})

    def _deliver_edit(self, chat: _Chat, message: JSON) -> JSON:
        chat.messages[message["message_id"]] = message
        if self._bot_receives(chat, message):
            self._enqueue({"edited_message": message})
        return message

    def delete_message(self, chat_id: int, message_id: int) -> None:
        """A user deletes a message for everyone (in a private chat, the bot's messages too); bots get no update."""
        with self._lock:
            del self._chats[chat_id].messages[message_id]

    def send_user_media(self, chat_id: int, user_id: int, kind: str, *, caption: str | None = None) -> JSON:
        """A user sends something that is not text: a "photo", "sticker", "voice" or "location" (as Telegram shapes it)."""
        shapes: dict[str, JSON] = {
            "photo": {"photo": [{"file_id": "photo1", "file_unique_id": "uphoto1", "width": 90, "height": 90}]},
            "sticker": {"sticker": {"file_id": "sticker1", "file_unique_id": "usticker1", "type": "regular",
                                    "width": 512, "height": 512, "is_animated": False, "is_video": False}},
            "voice": {"voice": {"file_id": "voice1", "file_unique_id": "uvoice1", "duration": 3}},
            "location": {"location": {"latitude": 50.45, "longitude": 30.52}},
        }
        body = dict(shapes[kind])
        if caption:
            body["caption"] = caption
            entities = detect_entities(caption)
            if entities:
                body["caption_entities"] = entities
        with self._lock:
            chat = self._chat_for(chat_id, user_id)
            message = self._store_message(chat, self._user(user_id), body)
            if self._bot_receives(chat, message):
                self._enqueue({"message": message})
            return message

    def send_user_document(self, chat_id: int, user_id: int, file_name: str, content: bytes, *,
                           mime_type: str | None = None, caption: str | None = None) -> JSON:
        """A user sends a file; the bot can fetch it with getFile and the download URL.

        With privacy mode on, a group document reaches the bot only when its caption is a
        command for it (or it replies to the bot), as on Telegram.
        """
        with self._lock:
            chat = self._chat_for(chat_id, user_id)
            document: JSON = {"file_id": self._register_file(content), "file_name": file_name,
                              "file_size": len(content)}
            document["file_unique_id"] = "u" + document["file_id"]
            if mime_type:
                document["mime_type"] = mime_type
            body: JSON = {"document": document}
            if caption:
                body["caption"] = caption
                entities = detect_entities(caption)
                if entities:
                    body["caption_entities"] = entities
            message = self._store_message(chat, self._user(user_id), body)
            if self._bot_receives(chat, message):
                self._enqueue({"message": message})
            return message

    def send_callback_query(self, chat_id: int, user_id: int, message_id: int, data: str) -> str:
        """A user presses the inline button carrying ``data`` under a bot message; returns the
        query id the bot must answer. Under a message deleted meanwhile, the query carries it as inaccessible."""
        with self._lock:
            chat = self._chats[chat_id]
            message = chat.messages.get(message_id)
            if message is None:
                # Deleted since the user saw it: Telegram gives an InaccessibleMessage, its chat and id with date 0.
                message = {"chat": chat.info, "message_id": message_id, "date": 0}
            else:
                keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
                if data not in [button.get("callback_data") for row in keyboard for button in row]:
                    raise ValueError(f"message {message_id} has no button with callback_data {data!r}")
            query_id = f"{user_id}{self._next_query_id:08d}"
            self._next_query_id += 1
            query = {"id": query_id, "from": self._user(user_id), "message": message,
                     "chat_instance": str(chat_id), "data": data}
            self._open_queries[query_id] = query
            self._enqueue({"callback_query": query})
            return query_id

    def send_inline_query(self, user_id: int, query: str, *, chat_type: str | None = "private") -> str:
        """A user types ``@bot query`` in some chat; returns the query id the bot must answer."""
        if not self.inline_mode:
            raise ValueError("inline mode is off for this bot (BotFather /setinline)")
        if len(query) > 256:
            raise ValueError("Telegram delivers inline queries of at most 256 characters")
        with self._lock:
            query_id = f"{user_id}{self._next_query_id:08d}"
            self._next_query_id += 1
            inline: JSON = {"id": query_id, "from": self._user(user_id), "query": query, "offset": ""}
            if chat_type is not None:
                inline["chat_type"] = chat_type
            self._open_queries[query_id] = inline
            self._enqueue({"inline_query": inline})
            return query_id

    def inline_answer(self, query_id: str) -> JSON | None:
        """What the bot answered to an inline query: results (with ``visible_text``), cache_time."""
        with self._lock:
            return self._inline_answers.get(query_id)

    async def wait_for_inline_answer(self, query_id: str, timeout: float = 10.0) -> JSON:
        [answer] = await self._wait(f"answerInlineQuery {query_id}",
                                    lambda: [a for a in [self.inline_answer(query_id)] if a], 1, timeout)
        return answer

    def pick_inline_result(self, chat_id: int, user_id: int, query_id: str, result_id: str) -> JSON:
        """The user picks one of the bot's results to an inline query in chat ``chat_id``: Telegram sends
        its message there as the user's own, marked ``via_bot``, and delivers it to the bot like any other."""
        with self._lock:
            [result] = [result for result in self._inline_answers[query_id]["results"] if result["id"] == result_id]
            content = result["input_message_content"]
            text, entities = self._formatted_text({"text": content["message_text"], "parse_mode": content.get("parse_mode")})
            chat = self._chat_for(chat_id, user_id)
            body: JSON = {"text": text, "entities": entities} if entities else {"text": text}
            message = self._store_message(chat, self._user(user_id), {**body, "via_bot": self.bot_user})
            if self._bot_receives(chat, message):
                self._enqueue({"message": message})
            return message

    def send_my_chat_member(self, chat_id: int, user_id: int, new_status: str) -> JSON:
        """The bot's own membership changes: a user blocks ("kicked") or restarts ("member") it in a
        private chat, or removes or re-adds it in a group. Later calls for that chat get 403 while
        it is "kicked" or "left", and the bot receives the ``my_chat_member`` update, as on Telegram."""
        if new_status not in MEMBER_STATUSES:
            raise ValueError(f"status must be one of {MEMBER_STATUSES}")
        with self._lock:
            chat = self._chat_for(chat_id, user_id)
            bot_id = self.bot_user["id"]
            old_status = chat.members.get(bot_id, "member")
            chat.members[bot_id] = new_status
            change = self._membership_change(chat, self._user(user_id), old_status, new_status)
            self._enqueue({"my_chat_member": change})
            return change

    def fail_next(self, method: str, status: int, description: str, *,
                  retry_after: int | None = None, chat_id: int | None = None) -> None:
        """Make the next call of ``method`` (for ``chat_id``, if given) fail, e.g.
        ``fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)``
        (PTB raises RetryAfter) or ``fail_next("sendMessage", 403, "Forbidden: bot was blocked
        by the user", chat_id=42)``. Calls repeat a failure by calling this again."""
        self._add_fault(method, _Fault(error=ApiError(status, description, retry_after), chat_id=chat_id))

    def drop_next(self, method: str, *, chat_id: int | None = None) -> None:
        """Hang up on the next call of ``method`` without replying: the client sees a network error."""
        self._add_fault(method, _Fault(drop=True, chat_id=chat_id))

    def delay_next(self, method: str, seconds: float, *, chat_id: int | None = None) -> None:
        """Hold the reply to the next call of ``method`` for ``seconds`` (the call is recorded at once)."""
        self._add_fault(method, _Fault(delay=seconds, chat_id=chat_id))

    def _add_fault(self, method: str, fault: _Fault) -> None:
        with self._lock:
            self._faults.setdefault(method.lower(), deque()).append(fault)

    def _take_fault(self, method: str, params: JSON) -> _Fault | None:
        """The first injected fault for this call, removed (called with the lock held)."""
        faults = self._faults.get(method.lower())
        for fault in faults or ():
            if fault.matches(params):
                faults.remove(fault)
                return fault
        return None

    def _user(self, user_id: int) -> JSON:
        if user_id not in self._users:
            self.add_user(user_id, f"User {user_id}")
        return self._users[user_id]

    def _chat_for(self, chat_id: int, user_id: int) -> _Chat:
        if chat_id not in self._chats:
            if chat_id > 0:
                if chat_id != user_id:
                    raise ValueError("a private chat's id is its user's id")
                user = self._user(user_id)
                self.add_private_chat(user_id, user["first_name"], username=user.get("username"),
                                      language_code=user.get("language_code"))
            else:
                supergroup = str(chat_id).startswith("-100")
                self.add_group(chat_id, type="supergroup" if supergroup else "group")
        return self._chats[chat_id]

    def _bot_receives(self, chat: _Chat, message: JSON) -> bool:
        if chat.members.get(self.bot_user["id"]) in ("kicked", "left"):
            return False
        if chat.type == "private" or not self.privacy_mode:
            return True
        if chat.members.get(self.bot_user["id"]) in ("creator", "administrator"):
            return True
        if message.get("reply_to_message", {}).get("from", {}).get("id") == self.bot_user["id"]:
            return True
        command = _COMMAND_RE.match(message.get("text") or message.get("caption") or "")
        if command is None:
            return False
        addressee = command.group(2)
        return addressee is None or addressee.lower() == str(self.bot_user["username"]).lower()

    def _enqueue(self, body: JSON) -> None:
        self._updates.append({"update_id": self._next_update_id, **body})
        self._next_update_id += 1
        self._lock.notify_all()

    @property
    def webhook(self) -> JSON | None:
        """setWebhook's parameters (``url``, ``secret_token``, …) while a webhook is set, else None."""
        with self._lock:
            return dict(self._webhook) if self._webhook is not None else None

    def deliver_webhook_updates(self, via: str) -> list[int]:
        """Deliver the pending updates as Telegram would to the webhook, and return the HTTP statuses.

        Telegram POSTs each update as JSON to the webhook's https URL, with the secret token in
        ``X-Telegram-Bot-Api-Secret-Token``; the fake cannot reach a public URL, so it posts to
        ``via``, the address the reverse proxy forwards that URL to (e.g. ``http://127.0.0.1:8080``),
        keeping the URL's path. An update answered 2xx is confirmed; any other stays pending.
        """
        with self._lock:
            assert self._webhook is not None, "setWebhook was not called"
            webhook = dict(self._webhook)
            updates = [update for update in self._updates
                       if next(key for key in update if key != "update_id") in self._allowed_updates]
        target = via.rstrip("/") + urlsplit(webhook["url"]).path
        headers = {SECRET_HEADER: webhook["secret_token"]} if webhook.get("secret_token") else {}
        statuses = []
        for update in updates:
            status = httpx.post(target, json=update, headers=headers, timeout=10).status_code
            statuses.append(status)
            if 200 <= status < 300:
                with self._lock:
                    self._updates = [pending for pending in self._updates if pending is not update]
        return statuses

    # ---- test-side API: inspection ---------------------------------------------------------

    @property
    def requests(self) -> list[ApiRequest]:
        """Every call received, in order (getUpdates polls included)."""
        with self._lock:
            return list(self._requests)

    def requests_for(self, method: str) -> list[JSON]:
        """Parameters of every call of ``method`` (case-insensitive)."""
        return [request.params for request in self.requests if request.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        return self._recorded("sendMessage", chat_id)

    def sent_documents(self, chat_id: int | None = None) -> list[SentDocument]:
        with self._lock:
            return [doc for doc in self._documents if chat_id is None or doc.chat_id == chat_id]

    async def wait_for_documents(self, chat_id: int | None = None, count: int = 1,
                                 timeout: float = 10.0) -> list[SentDocument]:
        return await self._wait(f"sendDocument to {chat_id}", lambda: self.sent_documents(chat_id), count, timeout)

    def edits(self, chat_id: int | None = None) -> list[SentMessage]:
        return self._recorded("editMessageText", chat_id)

    def message(self, chat_id: int, message_id: int) -> JSON:
        """A message's current state (after edits)."""
        with self._lock:
            return self._chats[chat_id].messages[message_id]

    def pending_updates(self) -> list[JSON]:
        """Updates not yet confirmed by the bot's getUpdates offset."""
        with self._lock:
            return list(self._updates)

    def bot_commands(self, scope: JSON | None = None, language_code: str = "") -> list[JSON]:
        with self._lock:
            return list(self._commands.get(_commands_key(scope, language_code), []))

    async def wait_for_messages(self, chat_id: int | None = None, count: int = 1,
                                timeout: float = 10.0) -> list[SentMessage]:
        """Wait until at least ``count`` messages were sent (to ``chat_id``); return them all."""
        what = f"sendMessage to {chat_id}"
        return await self._wait(what, lambda: self.sent_messages(chat_id), count, timeout)

    async def wait_for_edits(self, chat_id: int | None = None, count: int = 1,
                             timeout: float = 10.0) -> list[SentMessage]:
        what = f"editMessageText in {chat_id}"
        return await self._wait(what, lambda: self.edits(chat_id), count, timeout)

    async def wait_for_request(self, method: str, count: int = 1, timeout: float = 10.0) -> list[JSON]:
        return await self._wait(method, lambda: self.requests_for(method), count, timeout)

    async def assert_no_messages(self, chat_id: int | None = None, *, within: float = 0.5) -> None:
        """Assert the bot sends nothing (to ``chat_id``) during the next ``within`` seconds."""
        before = len(self.sent_messages(chat_id))
        await asyncio.sleep(within)
        unexpected = self.sent_messages(chat_id)[before:]
        assert not unexpected, f"unexpected messages to {chat_id}: {unexpected}"

    def _recorded(self, method: str, chat_id: int | None) -> list[SentMessage]:
        with self._lock:
            return [sent for sent in self._sent
                    if sent.method == method and (chat_id is None or sent.chat_id == chat_id)]

    async def _wait(self, what: str, collect: Callable[[], list[T]], count: int,
                    timeout: float) -> list[T]:
        """Poll without blocking the event loop, which the bot under test shares."""
        deadline = time.monotonic() + timeout
        while len(found := collect()) < count:
            if time.monotonic() >= deadline:
                recent = [(r.method, r.params) for r in self.requests if r.method != "getUpdates"]
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {count} x {what}; got {found!r}; "
                    f"calls other than getUpdates: {recent!r}; internal errors: {self.internal_errors!r}"
                )
            await asyncio.sleep(0.01)
        return found


def _commands_key(scope: object, language_code: object) -> tuple[str, str]:
    return json.dumps(scope or {"type": "default"}, sort_keys=True), str(language_code or "")


def _check_results_button(button: Any) -> None:
    """The button above inline results: a label, and either a web app or a /start parameter (A-Z, a-z, 0-9, _ and -)."""
    if not isinstance(button, dict) or not str(button.get("text", "")).strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    if ("web_app" in button) == ("start_parameter" in button):
        raise bad_request("BUTTON_TYPE_INVALID: exactly one of web_app and start_parameter")
    if "start_parameter" in button and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(button["start_parameter"])):
        raise bad_request("START_PARAM_INVALID")


def _check_reply_markup(markup: object) -> JSON | None:
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not BUTTON_ACTIONS & set(button):
                raise bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


@asynccontextmanager
async def polling(app: AnyApplication, **start_polling_kwargs: Any) -> AsyncIterator[AnyApplication]:
    """Run ``app`` as ``run_polling`` would (same order, post_init/post_stop/post_shutdown
    included) but inside the test's event loop; 1-second long polls keep stopping quick.

    ``start_polling_kwargs`` go to ``Updater.start_polling`` (e.g. ``allowed_updates``).
    """
    assert app.updater is not None, "build the Application with an Updater"
    await app.initialize()
    if app.post_init:
        await app.post_init(app)
    await app.updater.start_polling(**{"poll_interval": 0, "timeout": 1, **start_polling_kwargs})
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        if app.post_stop:
            await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
