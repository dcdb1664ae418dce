"""Pagination without counting: one row more than a page says whether there is another.

A COUNT over the whole archive was the largest single cost of every list page;
readers page with Newer and Older, which needs no total.
"""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator

MAX_PAGE = 100_000


class UncountedPage(Page):
    def __init__(self, object_list, number: int, paginator: "UncountedPaginator", more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class UncountedPaginator(Paginator):
    def validate_number(self, number) -> int:
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number > MAX_PAGE:  # far past any archive, and past what OFFSET may hold
            raise EmptyPage("That page contains no results")
        return number

    def page(self, number) -> UncountedPage:
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start : start + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return UncountedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)
