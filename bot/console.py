"""The console: the same engine and the same replies as Telegram, on a terminal or a pipe."""

from __future__ import annotations

import json
from typing import TextIO

from bot.formatting import format_plain, outcome_to_json
from bot.service import Lede

PROMPT = "? "
GREETING = "Lede: ask a question about the news (Ctrl-D to quit)."


def answer_once(lede: Lede, question: str, output: TextIO, *, as_json: bool) -> None:
    """Answer one question and print the reply."""
    outcome = lede.ask(question)
    if as_json:
        output.write(json.dumps(outcome_to_json(outcome), ensure_ascii=False) + "\n")
    else:
        output.write(format_plain(outcome) + "\n")
    output.flush()


def run_console(lede: Lede, input_stream: TextIO, output: TextIO, *, as_json: bool) -> None:
    """Answer each input line until end of input.

    In JSON mode every input line, even a blank one, gets exactly one JSON
    line back, so a program on the other end of the pipe can pair them up.
    A person at a terminal gets a prompt and blank lines are ignored.
    """
    interactive = input_stream.isatty() and not as_json
    if interactive:
        output.write(GREETING + "\n" + PROMPT)
        output.flush()
    for line in input_stream:
        if as_json or line.strip():
            answer_once(lede, line, output, as_json=as_json)
            if not as_json:
                output.write("\n")
        if interactive:
            output.write(PROMPT)
            output.flush()
