"""The API's one renderer: DRF's JSON, which also passes on JSON rendered before (a page
of scores kept under the data generation: encoding it cost as much as the rest of the
request)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework.renderers import JSONRenderer


class RenderedJson(bytes):
    """A response's data as JsonRenderer rendered it, with the indent asked for."""


class JsonRenderer(JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, RenderedJson):
            return bytes(data)
        return super().render(data, accepted_media_type, renderer_context)
