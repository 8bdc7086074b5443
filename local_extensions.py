"""The Jinja extension cookiecutter loads from cookiecutter.json's ``_extensions``.

Bad answers end here with one line each, before cookiecutter creates any folder:
- ``refuse_bad_answers`` runs while cookiecutter renders the answers (the ``__answers_checked``
  key) and checks them all (template_options.problems);
- the project folder's name, ``{{cookiecutter.project_slug}}``, is rendered after the same
  check, so an answer file replayed past the prompts (``--replay-file``) cannot create folders
  either. hooks/pre_gen_project.py checks once more, for a replay file without this extension.
"""

from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

import template_options

FOLDER_NAME = "{{cookiecutter.project_slug}}"


def refuse_bad_answers(answers) -> str:
    found = template_options.problems(dict(answers))
    if found:
        raise FailedHookException("\n".join(f"ERROR: {problem}" for problem in found))
    return ""


class AnswerChecks(Extension):
    def __init__(self, environment) -> None:
        super().__init__(environment)
        environment.filters["refuse_bad_answers"] = refuse_bad_answers

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        return source.replace(FOLDER_NAME, "{{ cookiecutter|refuse_bad_answers }}" + FOLDER_NAME)
