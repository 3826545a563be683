"""Page-number pagination for every list: `page` (a whole number from 1; beyond the last
page is a 404) and `page_size` (default 50, capped at 200; zero, negative or garbage
falls back to the default)."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


class PageNumbers(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()
    page_query_description = "A page number, from 1; a page past the last is a 404."
    page_size_query_description = "Rows per page: 50 by default, at most 200."

    def get_page_number(self, request: Request, paginator: Paginator) -> int:
        """The page asked for, 1 when none is; anything but a page number is a 400."""
        raw = request.query_params.get(self.page_query_param) or "1"
        if not PAGE_NUMBER.fullmatch(raw):
            raise ValidationError(
                {self.page_query_param: ["A page is a whole number from 1."]}, code="invalid"
            )
        return int(raw)
