"""The Jinja extension cookiecutter loads from cookiecutter.json's ``_extensions``.

Its filter runs while cookiecutter renders the answers (the ``__answers_checked`` key), before it
creates any folder: bad answers end there with one line each, and nothing is left behind.
"""

from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

import template_options


def refuse_bad_answers(answers) -> str:
    found = template_options.problems(dict(answers))
    if found:
        raise FailedHookException("\n".join(f"ERROR: {problem}" for problem in found))
    return ""


class AnswerChecks(Extension):
    def __init__(self, environment) -> None:
        super().__init__(environment)
        environment.filters["refuse_bad_answers"] = refuse_bad_answers
