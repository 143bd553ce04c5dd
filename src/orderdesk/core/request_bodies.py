"""The body of an API call that may carry files: the fields of a multipart request, else a
JSON object (the hand-written endpoints that take uploads cannot use a ninja schema)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from .errors import ValidationFailed


def fields_of(request: HttpRequest) -> dict[str, Any]:
    """The POST fields of a multipart request, or the JSON object sent (422 otherwise)."""
    if request.content_type == "multipart/form-data":
        return {key: request.POST.get(key) for key in request.POST}
    if not request.body:
        return {}
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValidationFailed(
            _("Send JSON, or multipart with the files."),
            code="invalid_input",
            fields={"body": _("Not valid JSON.")},
        ) from error
    if not isinstance(body, dict):
        raise ValidationFailed(
            _("Send a JSON object."), code="invalid_input", fields={"body": _("Not an object.")}
        )
    return body
