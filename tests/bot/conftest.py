"""The strict local Bot API server, the local web server and the bundled analysis, for the bot's tests."""

from collections.abc import Iterator

import pytest

from retrieval.lexicon import Lexicon
from retrieval.text import Analyzer
from tests.support.fixtures import bot_api  # noqa: F401 - re-exported fixture
from tests.support.web_server import LocalWeb


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    """The analysis Lede runs with (the bundled lexicon), loaded once per module."""
    return Analyzer(Lexicon.load())


@pytest.fixture(scope="module")
def web() -> Iterator[LocalWeb]:
    """The local web server with its fixture pages, on 127.0.0.1."""
    with LocalWeb() as server:
        yield server
